"""Build the analyst notebooks from the cell texts below.

Run ``python tools/build_notebooks.py`` after editing; the tests execute the
notebooks (``pytest`` with nbmake), so a broken cell fails the suite.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]

QUICKSTART = [
    ("md", """# Quick start: comparing presale strategies

This notebook loads a bundled scenario — a winter down-jacket presale a month before the season —
compares its strategies over many simulated campaigns, and reads the results the way a pricing
strategist would: expected profit, how sure we are of it, and what could go wrong.

Each *replication* is one possible campaign: the same market and the same consumers' random draws
are given to every strategy (common random numbers), so the differences between strategies come
from the strategies, not from luck."""),
    ("code", """from pathlib import Path

import matplotlib
matplotlib.use("Agg")
import pandas as pd

from simulation import load_scenario, simulate, with_overrides
from simulation.study import StudySettings, compare_strategies

ROOT = Path.cwd() if (Path.cwd() / "scenarios").exists() else Path.cwd().parent
# Small sizes keep this notebook quick; raise them for decisions.
POPULATION = 8_000      # simulated consumers (each stands for market.size / POPULATION real ones)
REPLICATIONS = 40       # simulated campaigns per strategy
pd.set_option("display.float_format", lambda v: f"{v:,.2f}")"""),
    ("md", """## 1. Load the scenario

A scenario file describes the calendar, the product, the market (segments of consumers with
valuations, patience, trust…), the channels, the competitors and the strategies to test."""),
    ("code", """scenario = load_scenario(ROOT / "scenarios" / "winter_apparel.yaml")
scenario = with_overrides(scenario, {"run.population": POPULATION})
print(scenario.description)
pd.DataFrame(
    {name: {"deposit": s.deposit.amount if s.deposit else "full prepay",
            "inflation": s.deposit.inflation if s.deposit else "",
            "presale price": s.pricing.presale_price,
            "initial stock": s.inventory.initial_stock,
            "production": s.inventory.production.rule}
     for name, s in scenario.strategies.items()}
).T"""),
    ("md", """## 2. One campaign, day by day

`simulate` runs one strategy in one replication and returns the daily trajectory and the outcome
record. The trajectory shows the funnel: awareness builds in the warm-up, orders come in during the
presale, balances are paid, and stock ships from the launch."""),
    ("code", """run = simulate(scenario, scenario.baseline_name, replication=0)
daily = run.trajectory.set_index("day")
ax = daily[["n_aware", "orders", "shipped", "stock"]].plot(figsize=(9, 4), title="One campaign of the baseline")
ax.set_ylabel("consumers / units (market scale)")
run.outcome[["profit", "revenue_net", "units_sold", "sell_through", "lost_sales", "n_cancellations"]]"""),
    ("md", """## 3. Compare every strategy

`compare_strategies` runs every strategy on the same replications and returns tidy tables: the
risk table (one row per strategy) and the paired comparison against the baseline."""),
    ("code", """study = compare_strategies(scenario, StudySettings(replications=REPLICATIONS, workers=1))
study.risk[["strategy", "profit_mean", "profit_ci_low", "profit_ci_high", "profit_cvar",
            "p_loss", "p_stockout_early", "sell_through", "cancellation_rate"]]"""),
    ("md", """**How to read it.** `profit_mean` is the expected profit and its 95 % confidence interval
(`profit_ci_low`–`profit_ci_high`) says how precisely the simulation pins it down. `profit_cvar` is
the average profit of the worst 5 % of campaigns: a strategy with a higher mean but a much lower
CVaR is a bet, not a sure improvement. `p_stockout_early` is the chance of running out of stock in
the first week after launch."""),
    ("code", """key = ["profit", "revenue_net", "sell_through", "lost_sales", "leftover_units", "cancellation_rate"]
study.comparison.query("metric in @key")[
    ["strategy", "metric", "baseline_mean", "strategy_mean", "diff_mean", "diff_ci_low", "diff_ci_high", "verdict"]]"""),
    ("md", """The comparison pairs each replication of a strategy with the same replication of the
baseline. Because both saw the same consumers and the same random draws, the confidence interval of
the difference is much narrower than the spread of either strategy on its own, and the verdict
(*better*, *worse*, *same*) is reached with few replications."""),
    ("code", """from simulation.report.figures import make_figures

figures = make_figures(study.outcomes, study.trajectories, risk=study.risk, currency=scenario.currency)
figures["risk_return"]"""),
    ("code", """figures["profit_distribution"]"""),
    ("code", """figures["orders_stock"]"""),
    ("md", """## 4. Compliance and gates

The engine flags levers that may break consumer-protection rules (a 定金 above 20 % of the price,
long delivery promises without a cancellation right, reference prices never charged), and evaluates
the scenario's gates — the checks a CI pipeline uses to fail a change that makes a strategy worse."""),
    ("code", """print(study.warnings or "no compliance warnings")
study.gates[["gate", "strategy", "status", "message"]] if len(study.gates) else "no gates\""""),
    ("md", """## 5. What next

- Change a lever with `with_overrides(scenario, {"strategies.inflated_deposit.deposit.amount": 80})`
  and compare again.
- Write the full report with `simulation.report.write_report` or run
  `presale compare scenarios/winter_apparel.yaml` from a terminal.
- Raise `POPULATION` and `REPLICATIONS` before deciding: the confidence intervals shrink with the
  square root of the replications."""),
]


def build(cells: list[tuple[str, str]]) -> nbformat.NotebookNode:
    """A notebook from (kind, source) pairs."""
    nb = new_notebook()
    nb.cells = [new_markdown_cell(src) if kind == "md" else new_code_cell(src) for kind, src in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def main() -> None:
    """Write every notebook."""
    path = ROOT / "notebooks" / "01_quickstart.ipynb"
    nbformat.write(build(QUICKSTART), path)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
