"""Build the analyst notebooks from the cell texts below.

Run ``python tools/build_notebooks.py`` after editing a cell here and commit the
notebook it writes (without outputs). ``python tools/build_notebooks.py --check``
exits with status 1 when a committed notebook differs from its cells here.
``tests/test_notebooks.py`` executes every notebook top to bottom and checks that
each is in sync with this file, so a broken cell or a hand edit fails the suite.

A cell is a pair (kind, source): ``"md"`` a Markdown cell, ``"code"`` a code cell,
``"fig"`` a code cell that must display a figure (tagged ``figure``; the tests check
that it produces an image).
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
KERNEL_NAME = "python3"
"""The kernel every ipykernel installation provides: the Python it is installed in."""

QUICKSTART = [
    ("md", """# Quick start: comparing presale strategies

This notebook takes a bundled scenario — a down jacket sold on presale about a month before the
cold season — runs one simulated campaign day by day, then compares the scenario's strategies over
many simulated campaigns and reads the results the way a pricing strategist would: how much profit
to expect, how sure we are of it, and what could go wrong (stock-outs, unsold stock, cancellations,
cash tied up). It ends with two what-ifs: a cheaper deposit and a bigger first production batch.

Each *replication* is one possible campaign: one draw of everything we are unsure about (how viral
the jacket gets, how much mainstream shoppers want it, how big the market is, the rating, the
factory's lead time) and of the random numbers behind every consumer's daily choices. Replication
*r* gives **every strategy the same draws** (common random numbers), so a difference between two
strategies in the same replication comes from the strategies, not from luck.

The text explains how to read each table and figure; the sentences that depend on the numbers are
generated from the numbers by the code, so they stay true when the scenario or the model changes."""),
    ("code", """%matplotlib inline
import warnings
from pathlib import Path

import pandas as pd
from IPython.display import Markdown, display

# Mesa imports tqdm, which warns in a kernel without ipywidgets; the notebook shows no progress bar.
warnings.filterwarnings("ignore", message="IProgress not found")

from simulation import load_scenario, simulate, with_overrides
from simulation.analysis.compare import compare, unpaired_se
from simulation.report import make_figures, strategy_colors
from simulation.report import tables
from simulation.analysis.decision import decide
from simulation.report import decision_text
from simulation.report.formatting import fmt_metric, fmt_money, fmt_pct, metric_label, money_units
from simulation.report.markdown import decision_markdown
from simulation.report.style import count_axis, money_axis, new_figure
from simulation.report.timeseries import orders_and_stock, phase_starts
from simulation.analysis.study import StudySettings, compare_strategies

ROOT = next(p for p in (Path.cwd(), *Path.cwd().parents) if (p / "scenarios").is_dir())

# Small sizes keep this walk-through to a few seconds per study. For a decision, use the
# scenario's own sizes (run.population: 50 000 consumers, run.replications: 200), e.g.
# POPULATION, REPLICATIONS = 50_000, 200 with StudySettings(workers=4): a larger population
# makes each simulated consumer stand for fewer real ones, and the confidence intervals shrink
# with the square root of the replications (4x the replications halves them).
POPULATION = 5_000      # simulated consumers; each stands for market.size / POPULATION real ones
REPLICATIONS = 30       # simulated campaigns per strategy
SETTINGS = StudySettings(replications=REPLICATIONS, workers=1)


def show(table: tables.Table) -> pd.DataFrame:
    \"\"\"A report table, formatted exactly as in report.html, as a DataFrame.\"\"\"
    return pd.DataFrame(table.rows, columns=table.columns).set_index(table.columns[0])"""),
    ("md", """## 1. The scenario and its strategies

A scenario file describes the calendar (warm-up, presale, balance window, launch, open sale), the
product, the market (segments of consumers with their valuations, patience, trust and taste for
deals), the sales channels, a rival brand and the strategies to test. The strategies here share
the prices after the launch, the promotions and the advertising; they differ in **how the presale
is paid for and priced** (full prepayment, a deposit that counts double, a refundable deposit with
early-bird tiers) and in **how much is made before the presale signal is known**."""),
    ("code", """scenario = with_overrides(load_scenario(ROOT / "scenarios" / "winter_apparel.yaml"),
                          {"run.population": POPULATION})
BASELINE, CUR = scenario.baseline_name, scenario.currency
ORDER = [BASELINE, *(s for s in scenario.strategies if s != BASELINE)]   # baseline first
COLORS = strategy_colors(ORDER)                                          # one colour per strategy


def production(inventory) -> str:
    p = inventory.production
    if p.rule == "fixed":
        return f"{p.quantity:,.0f} ordered on day {p.order_day}" if p.quantity else "none"
    return f"{p.a:g} x presale orders + {p.b:,.0f}" if (p.a or p.b) else "none"


levers = pd.DataFrame({
    name: {
        "deposit": f"{CUR}{s.deposit.amount:,.0f}" if s.deposit else "none: full prepayment",
        "counts at balance as": f"{CUR}{s.deposit.amount * s.deposit.inflation:,.0f}" if s.deposit else "",
        "refundable": ("yes" if s.deposit.refundable else "no") if s.deposit else "",
        "presale price": f"{CUR}{s.pricing.presale_price:,.0f}",
        "early-bird tiers": ", ".join(f"first {t.first_orders:,.0f} at {CUR}{t.price:,.0f}"
                                      for t in s.pricing.early_bird) or "none",
        "made up front (units)": f"{s.inventory.initial_stock:,.0f}",
        "made from the presale signal": production(s.inventory),
    }
    for name, s in scenario.strategies.items()
}).T.loc[ORDER]
display(Markdown("\\n".join(f"- **{name}**{' (baseline)' if name == BASELINE else ''}: "
                            f"{scenario.strategies[name].description}" for name in ORDER)))
levers"""),
    ("md", """## 2. One campaign, day by day

`simulate` runs one strategy in one replication and returns its daily trajectory (one row per day,
at market scale: real consumers and units, not simulated ones) and its outcome record. The table
sums each phase's days (stock and cash are the values at its end); the figure follows the funnel: awareness builds in the warm-up, orders
arrive in the presale and again from the launch, and stock ships from launch day."""),
    ("code", """run = simulate(scenario, BASELINE, replication=0)
daily = run.trajectory.set_index("day")
by_phase = run.trajectory.groupby("phase", sort=False).agg(**{
    "new orders": ("orders", "sum"), "shipped": ("shipped", "sum"),
    "buyers turned away": ("lost_sales", "sum"), f"revenue ({CUR})": ("revenue", "sum"),
    f"marketing ({CUR})": ("marketing_cost", "sum"), "stock at end": ("stock", "last"),
    f"cash at end ({CUR})": ("cash", "last"),
})
days = run.trajectory.groupby("phase", sort=False)["day"].agg(lambda d: f"{d.min()}-{d.max()}")
by_phase.map("{:,.0f}".format).assign(days=days)[["days", *by_phase.columns]]"""),
    ("fig", """PHASE_COLORS = dict(zip(["warmup", "presale", "balance", "launch", "after"],
                        ["#d9e7f5", "#fde3c8", "#f6d5e5", "#d5efd5", "#eeeeee"]))
starts = phase_starts(run.trajectory, include_first=True)
bounds = [*starts["day"].astype(int), int(daily.index.max()) + 1]
fig = new_figure(size=(10.5, 7.0))
(ax_aware, ax_orders), (ax_stock, ax_cash) = axes = fig.subplots(2, 2, sharex=True)
ax_aware.plot(daily.index, daily["n_aware"], color="C0")
ax_aware.set_title("Consumers aware of the jacket")
ax_orders.bar(daily.index, daily["orders"], width=0.85, color="C0")
ax_orders.set_title("New orders per day (units)")
ax_orders.set_ylim(0, 1.15 * daily["orders"].max())   # headroom for the price labels
price = daily["price"]
for day in price.index[price.ne(price.shift())][1:]:          # days on which our price changes
    ax_orders.axvline(day, color="0.3", linestyle=":", linewidth=1)
    ax_orders.annotate(f"price {CUR}{price[day]:,.0f}", (day, 1), xycoords=("data", "axes fraction"),
                       xytext=(3, -3), textcoords="offset points", ha="left", va="top", fontsize=8)
ax_stock.plot(daily.index, daily["stock"], color="C0", label="stock on hand")
ax_stock.plot(daily.index, daily["shipped"].cumsum(), color="C2", label="shipped so far")
ax_stock.plot(daily.index, daily["lost_sales"].cumsum(), color="C3", label="buyers turned away so far")
ax_stock.set_title("Stock and deliveries (units)")
ax_stock.legend(fontsize=8, loc="upper left")
ax_cash.plot(daily.index, daily["cash"], color="C0")
ax_cash.axhline(0, color="black", linewidth=0.9)
ax_cash.set_title(f"Cumulative cash position ({CUR})")
money_axis(ax_cash)
for ax in axes.flat:
    for phase, lo, hi in zip(starts["phase"], bounds, bounds[1:]):
        ax.axvspan(lo - 0.5, hi - 0.5, color=PHASE_COLORS.get(phase, "#f4f4f4"), zorder=0)
    ax.grid(True, alpha=0.3)
    ax.set_xlim(daily.index.min() - 0.5, daily.index.max() + 0.5)
for ax in (ax_aware, ax_orders, ax_stock):
    count_axis(ax)
for ax in axes[1]:
    ax.set_xlabel("Campaign day")
from matplotlib.patches import Patch
fig.legend(handles=[Patch(color=PHASE_COLORS.get(p, "#f4f4f4"), label=f"{p}: days {lo}-{hi - 1}")
                    for p, lo, hi in zip(starts["phase"], bounds, bounds[1:])],
           loc="outside lower center", ncols=len(starts), frameon=False, fontsize=9)
fig.suptitle(f"One campaign of {BASELINE} (replication 0)")
fig"""),
    ("code", """KEY = ["revenue_gross", "refunds", "revenue_net", "cogs", "marketing_cost", "channel_fees",
       "profit", "units_available", "units_sold", "sell_through", "leftover_units",
       "first_stockout_day", "lost_sales", "fill_rate", "return_rate", "cash_low_point"]
one = run.outcome.iloc[0]
display(pd.Series({metric_label(m, currency=CUR): fmt_metric(m, one[m]) for m in KEY},
                  name=f"{BASELINE}, replication 0").to_frame())
stockout = ("never ran out of stock" if pd.isna(one["first_stockout_day"])
            else f"first ran out of stock on day {one['first_stockout_day']:.0f} and turned buyers away "
                 f"{fmt_metric('lost_sales', one['lost_sales'])} times")
Markdown(f"In this one campaign {BASELINE} made a profit of {CUR}{fmt_money(one['profit'])}, sold "
         f"{fmt_metric('units_sold', one['units_sold'])} of its {fmt_metric('units_available', one['units_available'])} "
         f"units (sell-through {fmt_pct(one['sell_through'])}) and {stockout}.")"""),
    ("md", """**How to read it.** Dotted lines in the orders panel mark our price changes: the presale price
ends at the launch, and an announced markdown later brings in the shoppers who waited for it.
Stock on hand starts at the batch made before day 0, drops when the presale
orders ship at the launch and rises again when production ordered from the presale signal arrives
(after the factory's lead time). If the stock line touches zero, shoppers who wanted to buy were
turned away: they show up as *lost sales* (a shopper who comes back and is turned away again counts
again) and lower the *fill rate*. The cash position starts below zero — the first batch is paid on
day 0 — rises with presale payments and dips again when production is paid for; its lowest point is
the funding the campaign needs. This is **one** draw of the market: do not decide from it. The next
section repeats the campaign many times."""),
    ("md", """## 3. Every strategy over many campaigns

`compare_strategies` runs every strategy on the same replications and returns tidy tables:
`study.risk` (one row per strategy), `study.comparison` (paired differences against the baseline),
`study.summary` (every metric's mean, confidence interval and percentiles), plus the raw
`study.outcomes` and `study.trajectories`. The tables below are the ones of the HTML report."""),
    ("code", """study = compare_strategies(scenario, SETTINGS)
print(f"{study.meta['replications']} replications x {len(ORDER)} strategies in {study.meta['wall_time_s']} s")
show(tables.headline(study.risk, study.comparison, baseline=BASELINE, currency=CUR))"""),
    ("code", """show(tables.risk_table(study.risk, order=ORDER, currency=CUR))"""),
    ("md", """**How to read the risk table** (one column per strategy, computed over its replications):

- *Profit mean [CI]* — the expected profit, and the 95 % confidence interval of that mean: how
  precisely this many replications pin it down (not the range of outcomes).
- *Profit P5 / median / P95* — the range of outcomes: in 5 % of campaigns profit is below P5.
- *Profit CVaR 5 %* — the average profit of the worst 5 % of campaigns (a "bad season" figure).
  A strategy with a higher mean but a much lower CVaR is a bet, not a sure improvement.
- *P(loss)* — the share of campaigns that lose money.
- *P(early stock-out)* — the share of campaigns that run out of stock before the end of the first
  week after the launch, when demand peaks; shoppers then turned away (some buy the rival's jacket,
  some come back later, some give up) are counted in *Lost sales*.
- *P(high leftover)* — the share of campaigns left with more than 20 % of the units made, sold off
  at the salvage value.
- *Refund liability peak* — the most money held at once that consumers could still claim back
  (refundable deposits, paid orders not yet shipped that may be cancelled if delivery is late).
- *Cash before launch* — money collected, net of refunds, before the launch: presale cash that can
  fund production. *Cash low point* — the deepest the cumulative cash position goes: the working
  capital the strategy needs.
- *Cancellation rate* — the share of orders that end without a sale: deposit holders who walk away
  at the balance (a non-refundable deposit is kept), late orders cancelled by the buyer, orders
  never shipped. *Return rate* — the share of units sold that come back."""),
    ("code", """def money(value: float, *, signed: bool = False) -> str:
    \"\"\"``¥1,234万``, ``-¥1.20亿``; with ``signed`` also ``+¥1,234万``.\"\"\"
    sign = "-" if value < 0 else "+" if signed and value > 0 else ""
    return f"{sign}{CUR}{fmt_money(abs(value), units=money_units(CUR))}"


decision = decide(study.outcomes, study.summary, comparison=study.comparison, rule=scenario.decision,
                  baseline=BASELINE)
Markdown("**The decision under the scenario's rule** (the same box opens the report and the terminal "
         "output of `presale compare`):\\n\\n" + decision_markdown(decision_text(decision, currency=CUR))
         + f"\\n\\nWith {REPLICATIONS} replications the CVaR 5 % is the average of only the worst "
         f"{0.05 * REPLICATIONS:g} campaigns: treat CVaR gaps as indicative until `REPLICATIONS` is raised.")"""),
    ("md", """## 4. The paired comparison against the baseline

The comparison pairs replication *r* of each strategy with replication *r* of the baseline and
looks at the differences. *Difference [CI]* is the mean difference with its 95 % confidence
interval (rates in percentage points); the *verdict* is **better** or **worse** only when the whole
interval is on one side of zero — in the metric's good or bad direction (more profit is better,
more lost sales is worse) — and **same** when the interval includes zero. *Same* means "not
distinguishable with this many replications", not "equal": raise `REPLICATIONS` to resolve it."""),
    ("code", """show(tables.comparison_table(study.comparison, order=ORDER, currency=CUR))"""),
    ("code", """profit_rows = study.comparison.query("metric == 'profit'").set_index("strategy")
precision = pd.DataFrame({
    "paired SE": profit_rows["diff_se"],
    "unpaired SE": [unpaired_se(study.outcomes, s, BASELINE) for s in profit_rows.index],
})
precision["replications an unpaired test would need per paired one"] = (
    precision["unpaired SE"] / precision["paired SE"]) ** 2
gain = precision.iloc[:, 2]
display(precision.assign(**{c: precision[c].map(fmt_money) for c in ("paired SE", "unpaired SE")},
                         **{gain.name: gain.map("{:,.1f}".format)}))
Markdown(f"Pairing makes the standard error of the profit difference {gain.min() ** 0.5:,.1f} to "
         f"{gain.max() ** 0.5:,.1f} times smaller than comparing two independent samples would: an "
         f"unpaired comparison would need {gain.min():,.0f} to {gain.max():,.0f} times as many replications "
         "for the same precision. Both strategies saw the same market in each replication, so what the "
         "market does to both cancels in their difference.")"""),
    ("md", """## 5. Figures

`make_figures` draws the report's figures from the study's tables, one colour per strategy in every
figure. **Risk–return:** up is more expected profit, right is a better bad season (CVaR 5 %); the
vertical bars are the confidence intervals of the means. A strategy up and to the right of another
beats it on both; the dashed frontier joins the strategies that no other beats on both at once —
the sensible choices, between which the trade-off is a matter of risk appetite."""),
    ("fig", """figures = make_figures(study.outcomes, study.trajectories, risk=study.risk, colors=COLORS, currency=CUR)
figures["risk_return"]"""),
    ("md", """**Profit distribution:** each dot is one campaign; the box holds the middle half of them, the
diamond is the mean and the red bar the 5th percentile. A box further right is more profitable; a
wider spread is a less predictable strategy. The dots do not show which campaigns belong together;
the paired comparison above does, which is why it can call a difference clear even where two clouds
overlap: a bad season lowers both strategies of the same replication."""),
    ("fig", """figures["profit_distribution"]"""),
    ("md", """**Orders and stock over the campaign:** the lines follow the median campaign and the bands the
5th–95th percentile range. The top panel shows when orders come in (deposits and prepayments in the
presale, then the open sale from the launch); the bottom panel shows the stock that covers them. A
triangle marks the median day stock first runs out, with the share of campaigns that run out at
all: a stock line that reaches zero soon after the launch is demand turned away (partly to the
rival); a line that ends high is unsold stock, sold off at the salvage value."""),
    ("fig", """figures["orders_stock"]"""),
    ("md", """**Cash position:** under full prepayment the presale money arrives with each order; under a
deposit most of it arrives when the balances are paid, in the balance window; making the whole
season's stock up front pays for all of it on day 0. The depth of each line below zero is the
working capital the strategy ties up before sales pay it back."""),
    ("fig", """figures["cash"]"""),
    ("md", """## 6. What if? Changing one lever

`with_overrides` returns a new scenario with one or more levers changed by their dotted path (the
YAML keys), without touching the original. Two questions about the inflated deposit: would a
**cheaper deposit** (¥30 counting as ¥60, so a lower commitment but a smaller discount at the
balance) sell more, and would a **bigger first batch** (40 000 units instead of 25 000) lower its
risk of running out at the launch (its *P(early stock-out)* above)?

Each variant is the inflated-deposit strategy of a scenario changed by `with_overrides`; one
what-if scenario holds the baseline and both variants, so a single study runs them. Random draws
depend on the replication and not on the strategy, so replication *r* of a variant is paired with
replication *r* of the inflated deposit in the study above, as planned. The check below confirms
it: the baseline's outcomes are identical in both studies."""),
    ("code", """CHANGED = "inflated_deposit"
WHAT_IFS = {
    "cheaper deposit": {f"strategies.{CHANGED}.deposit.amount": 30},
    "bigger first batch": {f"strategies.{CHANGED}.inventory.initial_stock": 40_000},
}
variants = {label: with_overrides(scenario, changes).strategies[CHANGED]
            for label, changes in WHAT_IFS.items()}
what_if_scenario = with_overrides(
    scenario, {"strategies": {BASELINE: scenario.strategies[BASELINE], **variants}, "gates": []})
what_if = compare_strategies(what_if_scenario, SETTINGS)

same_baseline = (what_if.outcomes.query("strategy == @BASELINE").reset_index(drop=True)
                 .equals(study.outcomes.query("strategy == @BASELINE").reset_index(drop=True)))
print("baseline outcomes identical in both studies:", same_baseline)
assert same_baseline, "common random numbers broken: pairing across studies is invalid"

PLAN = f"{CHANGED} as planned"


def plan_and_variants(original: pd.DataFrame, changed: pd.DataFrame) -> pd.DataFrame:
    \"\"\"Rows of the plan (renamed) from the original study and of the variants from the what-if.\"\"\"
    return pd.concat([original[original["strategy"] == CHANGED].assign(strategy=PLAN),
                      changed[changed["strategy"].isin(list(WHAT_IFS))]], ignore_index=True)


what_if_outcomes = plan_and_variants(study.outcomes, what_if.outcomes)
what_if_risk = plan_and_variants(study.risk, what_if.risk)
show(tables.risk_table(what_if_risk, order=[PLAN, *WHAT_IFS], currency=CUR))"""),
    ("code", """WHAT_IF_METRICS = ["profit", "revenue_net", "units_sold", "lost_sales", "leftover_units",
                   "sell_through", "cancellation_rate", "cash_low_point"]
against_plan = compare(what_if_outcomes, baseline=PLAN, metrics=WHAT_IF_METRICS)
display(show(tables.comparison_table(against_plan, metrics=WHAT_IF_METRICS, order=list(WHAT_IFS),
                                     currency=CUR)).rename(columns={"Baseline": "As planned",
                                                                    "Strategy mean": "Variant"}))
lines = []
for label in WHAT_IFS:
    row = against_plan.query("strategy == @label and metric == 'profit'").iloc[0]
    verdict = {"better": "raises", "worse": "lowers", "same": "does not measurably change"}[row["verdict"]]
    stock = against_plan.query("strategy == @label and metric == 'lost_sales'").iloc[0]
    left = against_plan.query("strategy == @label and metric == 'leftover_units'").iloc[0]
    vs_base = what_if.comparison.query("strategy == @label and metric == 'profit'").iloc[0]
    r0, r1 = (what_if_risk.set_index("strategy").loc[k] for k in (PLAN, label))
    lines.append(
        f"- **{label}** {verdict} the expected profit of {CHANGED} ({money(row['diff_mean'], signed=True)} "
        f"per campaign, 95 % CI {money(row['diff_ci_low'], signed=True)} to "
        f"{money(row['diff_ci_high'], signed=True)}). Buyers turned away change by "
        f"{fmt_metric('lost_sales', stock['diff_mean'], signed=True)} and leftover units by "
        f"{fmt_metric('leftover_units', left['diff_mean'], signed=True)}; the chance of an early stock-out "
        f"goes from {fmt_pct(r0['p_stockout_early'])} to {fmt_pct(r1['p_stockout_early'])} and the working "
        f"capital needed from {money(-r0['cash_low_point'])} to {money(-r1['cash_low_point'])}. Against "
        f"the baseline {BASELINE} it is *{vs_base['verdict']}* ({money(vs_base['diff_mean'], signed=True)}).")
Markdown("**Reading, generated from the numbers above:**\\n\\n" + "\\n".join(lines))"""),
    ("md", """The figure puts the plan and its variants on the same days: a bigger first batch shows up as a
higher stock line at the launch (fewer early stock-outs, but more stock to sell off if demand is
weak); a cheaper deposit shows up in the cumulative orders of the presale. A lever is worth pulling
when its profit difference is *better* and the risk rows above (stock-outs, leftovers, cash low
point) stay acceptable."""),
    ("fig", """# The plan keeps the colour of its strategy in the figures above; the variants get new ones.
palette = strategy_colors([*ORDER, *WHAT_IFS])
orders_and_stock(plan_and_variants(study.trajectories, what_if.trajectories), what_if_outcomes,
                 colors={PLAN: palette[CHANGED], **{label: palette[label] for label in WHAT_IFS}})"""),
    ("md", """## 7. Compliance and gates

The engine flags levers that may break consumer-protection rules (a deposit above 20 % of the
price, long delivery promises without a cancellation right, reference prices never charged) and
evaluates the scenario's gates: the checks a CI pipeline runs to fail a change that makes a
strategy measurably worse. A gate fails only when the whole confidence interval of the paired
difference is beyond its threshold, so noise alone never fails it."""),
    ("code", """display(pd.DataFrame(study.warnings, columns=["strategy", "warning"]) if study.warnings
        else Markdown("No compliance warnings."))
show(tables.gates_table(study.gates)) if len(study.gates) else Markdown("The scenario has no gates.")"""),
    ("md", """## 8. What next

- Try another lever, `with_overrides(scenario, {"strategies.refundable_early_bird.pricing.presale_price": 769})`,
  or a tougher rival, `with_overrides(scenario, {"competitors.rival_brand.price": 799})`, and
  compare again. A path listed under the scenario's `uncertainties`, such as
  `market.awareness.imitation`, is drawn anew in every replication, so overriding it has no effect:
  change its distribution under `uncertainties` in the scenario file instead.
- Before deciding, raise `POPULATION` and `REPLICATIONS` to the scenario's own sizes (50 000 and
  200) and check that the ranking and the verdicts hold: strategies that are close here can swap
  places, and verdicts of *same* may resolve.
- Write the full report (HTML, Markdown, figures) of this study with
  `simulation.report.write_report("results/notebook", outcomes=study.outcomes,
  trajectories=study.trajectories, summary=study.summary, risk=study.risk,
  comparison=study.comparison, warnings=study.warnings, gates=study.gates, meta=study.meta)`, or
  from a terminal run `presale compare scenarios/winter_apparel.yaml` (the report, the tables as
  CSV and Parquet, and the gates for CI)."""),
]

sys.path.insert(0, str(Path(__file__).resolve().parent))
from notebook_explore import EXPLORE  # noqa: E402  (the exploration notebook's cells)


def calibrate_cells() -> list[tuple[str, str]]:
    """Cells of ``03_calibrate.ipynb``: fit the toy market to its synthetic history, inspect the fit, compare."""
    return [
        ("md", """# Calibrating a scenario to last year's campaign

The bundled history `scenarios/histories/toy_synthetic.csv` was made by the engine from the toy
market at innovation 0.015 and imitation 0.4 (`tools/make_histories.py`). We fit those two
parameters by simulated moments on common random numbers, look at the fit, and carry the
calibration's uncertainty into a comparison. Small settings keep the notebook quick; use more
replications (`CalibrationSettings(replications=...)`) for a real campaign."""),
        ("code", """from pathlib import Path

from simulation import CalibrationSettings, StudySettings, calibrate, compare_strategies, load_history, load_scenario
from simulation.report.calibration import fit_figure

ROOT = next(p for p in (Path.cwd(), *Path.cwd().parents) if (p / "scenarios").is_dir())
scenario = load_scenario(ROOT / "scenarios" / "histories" / "toy_market.yaml")
history = load_history(ROOT / "scenarios" / "histories" / "toy_synthetic.csv")
fit = [("market.awareness.innovation", 0.001, 0.05), ("market.awareness.imitation", 0.05, 1.0)]
result = calibrate(scenario, history, fit=fit, settings=CalibrationSettings(replications=4, max_evaluations=10, workers=1))
result.estimates"""),
        ("md", "Goodness of fit per series, then each series day by day against the simulated band."),
        ("code", "result.goodness"),
        ("code", """fit_figure(result.fit, "presale_orders")"""),
        ("md", """The calibrated scenario holds each fitted value as a truncated normal (mean = estimate,
sd = standard error), so a comparison draws it anew in every replication: the calibration's
uncertainty becomes part of the risk."""),
        ("code", """study = compare_strategies(result.scenario, StudySettings(replications=10, workers=1))
study.risk"""),
    ]

def optimise_cells() -> list[tuple[str, str]]:
    """Cells of ``04_optimise.ipynb``: the newsvendor's best stock under a stock-out limit."""
    return [
        ("md", """# Optimising a plan under a risk limit

The toy newsvendor market (`tests/data/newsvendor.yaml`) sells one product at 100 to a demand
D ~ U[200, 400] at a unit cost of 25: the stock that maximises expected profit is the
critical-ratio quantile of demand, 350, and a limit P(stock-out) <= 5 % moves it to 390.
The optimiser searches the stock by differential evolution, every plan on the same
replications, races the best plans on more replications and confirms the winner on fresh
ones. Small settings keep the notebook quick (see `docs/optimise.md`)."""),
        ("code", """from pathlib import Path

from IPython.display import Image

from simulation import OptimizeSettings, load_scenario, optimize
from simulation.report.html import figure_png
from simulation.report.optimize import convergence_figure, frontier_figure

ROOT = next(p for p in (Path.cwd(), *Path.cwd().parents) if (p / "scenarios").is_dir())
scenario = load_scenario(ROOT / "tests" / "data" / "newsvendor.yaml")
settings = OptimizeSettings(strategy="stock", levers=("strategies.stock.inventory.initial_stock=200:400:5",),
                            constraints=("p_stockout_early <= 0.05",), pareto="p_stockout_early",
                            budget=16, population_size=8, replications=20, race_top=2, race_rounds=1,
                            confirm_replications=20, workers=1)
result = optimize(scenario, settings)
result.best, result.feasible"""),
        ("md", "The chosen plan on fresh replications: each statistic with a bootstrap CI and the probability that the limit holds."),
        ("code", "result.confirmation"),
        ("md", "Paired against every hand-written strategy of the scenario."),
        ("code", "result.comparison"),
        ("fig", "Image(figure_png(convergence_figure(result)))"),
        ("fig", "Image(figure_png(frontier_figure(result)))"),
    ]


NOTEBOOKS: dict[str, list[tuple[str, str]]] = {
    "01_quickstart.ipynb": QUICKSTART,
    "02_explore.ipynb": EXPLORE,
    "03_calibrate.ipynb": calibrate_cells(),
    "04_optimise.ipynb": optimise_cells(),
}
"""Notebook file name (under ``notebooks/``) to its cells."""


def build(cells: list[tuple[str, str]], *, slug: str = "cell") -> nbformat.NotebookNode:
    """A notebook without outputs from (kind, source) pairs.

    Parameters
    ----------
    cells
        ``("md" | "code" | "fig", source)`` pairs, in order.
    slug
        Prefix of the cell ids, which are numbered so that rebuilding is byte-stable.
    """
    nb = new_notebook()
    for i, (kind, source) in enumerate(cells):
        if kind not in ("md", "code", "fig"):
            raise ValueError(f"cell {i}: unknown kind {kind!r}; allowed: 'md', 'code', 'fig'")
        cell = new_markdown_cell(source) if kind == "md" else new_code_cell(source)
        if kind == "fig":
            cell.metadata["tags"] = ["figure"]
        cell.id = f"{slug}-{i:02d}"
        nb.cells.append(cell)
    nb.metadata["kernelspec"] = {"name": KERNEL_NAME, "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def expected() -> dict[Path, str]:
    """Path of every notebook to the text :func:`main` writes there."""
    return {NOTEBOOK_DIR / name: nbformat.writes(build(cells, slug=Path(name).stem)) + "\n"
            for name, cells in NOTEBOOKS.items()}


def main(argv: list[str] | None = None) -> int:
    """Write every notebook, or with ``--check`` report the stale ones."""
    argv = sys.argv[1:] if argv is None else argv
    check = "--check" in argv
    stale = []
    for path, text in expected().items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        if check:
            stale.append(path)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    for path in stale:
        print(f"{path.relative_to(ROOT)} is out of date: run python tools/build_notebooks.py",
              file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
