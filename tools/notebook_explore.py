"""Cells of ``notebooks/02_explore.ipynb`` (built by ``tools/build_notebooks.py``)."""

EXPLORE = [
    ("md", """# Exploring a strategy: price sweep, what matters, where it fails

The quick-start notebook compares strategies someone already wrote down. This one asks the
questions a strategist asks next, on the bundled down-jacket scenario:

1. **How does profit move with the presale price?** A *sweep* runs the same strategy at several
   prices. Every price is simulated on the same campaigns (the same draws of everything uncertain
   and the same consumers: *common random numbers*), so the difference between two prices is
   measured campaign by campaign and its confidence interval is tight.
2. **Which uncertainty matters most?** A *sensitivity analysis* moves the uncertain inputs (how
   viral the jacket gets, how much mainstream shoppers want it, how big the market is) across
   their ranges and ranks them by how much they move profit, sell-through, the bad-case profit
   (CVaR) and the chance of a stock-out.
3. **In which futures does the strategy fail?** *Scenario discovery* samples many futures, marks
   those where profit falls below a target, and finds the ranges of the uncertain inputs where
   failures concentrate.

Sizes are small so that the notebook runs in well under a minute; the sentences that depend on
the numbers are generated from them."""),
    ("code", """%matplotlib inline
import warnings
from pathlib import Path

import pandas as pd
from IPython.display import Markdown, display

warnings.filterwarnings("ignore", message="IProgress not found")
warnings.filterwarnings("ignore", category=UserWarning, module="SALib")

from simulation import load_scenario, with_overrides
from simulation.explore.design import parse_axis
from simulation.explore.discovery import discover
from simulation.explore.sensitivity import sensitivity
from simulation.explore.sweep import SweepSettings, sweep
from simulation.report.discovery import box_figure
from simulation.report.sensitivity import tornado
from simulation.report.sweep import sweep_line, sweep_table

ROOT = next(p for p in (Path.cwd(), *Path.cwd().parents) if (p / "scenarios").is_dir())
# For a decision use the scenario's sizes (50 000 consumers, 200 replications) and more workers.
POPULATION = 2_000
scenario = with_overrides(load_scenario(ROOT / "scenarios" / "winter_apparel.yaml"),
                          {"run.population": POPULATION})
STRATEGY = "full_prepay"
PRICE = f"strategies.{STRATEGY}.pricing.presale_price"
print(f"{scenario.name}: sweeping '{STRATEGY}', presale price today ¥{scenario.strategies[STRATEGY].pricing.presale_price:g}")"""),
    ("md", """## 1. A presale-price sweep

Five presale prices from ¥699 to ¥899. The unmodified strategy runs beside them as the
*reference*. The same sweep runs from a terminal with
`presale sweep scenarios/winter_apparel.yaml --name presale_price` (it is stored in the scenario's
`sweeps:` section), which also writes the report and the Parquet table."""),
    ("code", """price_sweep = sweep(scenario, SweepSettings(strategy=STRATEGY, axes=(parse_axis(f"{PRICE}=699:899:50"),),
                                             replications=8, workers=1))
table = sweep_table(price_sweep)
table[["point", PRICE, "profit_mean", "diff_mean", "diff_ci_low", "diff_ci_high", "verdict",
       "mean_regret", "best_share"]]"""),
    ("fig", """sweep_line(price_sweep, path=PRICE)"""),
    ("code", """best = table.sort_values("mean_regret").iloc[0]
sure = table[table["verdict"] != "same"]
display(Markdown(
    f"The price with the least regret is **¥{best[PRICE]:g}**: on average it falls "
    f"¥{best['mean_regret']:,.0f} short of the best price of each campaign, and it is the best price in "
    f"{best['best_share']:.0%} of them. "
    + (f"{len(sure)} of the {len(table)} prices differ from today's price beyond noise (their paired "
       "interval excludes zero)." if len(sure) else
       "No price differs from today's beyond noise at this size: run more replications.")))"""),
    ("md", """How to read it: the line is the mean profit at each price; the shaded band is the
reference's mean plus the confidence interval of the **paired** difference, so a band that stays
clear of the dashed line is a real change even when the spread of profit across campaigns is wide.
*Regret* compares prices within each campaign: how much less than that campaign's best price a
price earns."""),
    ("md", """## 2. Which uncertainty matters?

Morris screening moves one uncertain input at a time across its range along several paths
(`μ*` is the average size of the change it causes, in the response's units); Sobol' indices then
split the variance of profit between the inputs that matter. Each design point is simulated on a
few campaigns, so the table of *noise* says how much of the spread between points is replication
noise: an index below that share is not a signal."""),
    ("code", """screen = sensitivity(scenario, SweepSettings(strategy=STRATEGY, replications=2, workers=1),
                     method="morris", n=3)
screen.indices.query("response == 'profit'")[["input", "mu_star", "mu_star_conf", "sigma"]]"""),
    ("fig", """tornado(screen.indices, method="morris", response="profit")"""),
    ("code", """profit = screen.indices.query("response == 'profit'").sort_values("mu_star", ascending=False)
noise = screen.noise.set_index("response").loc["profit", "noise_share"]
display(Markdown(
    f"**{profit.iloc[0]['input']}** moves profit most (μ* ≈ ¥{profit.iloc[0]['mu_star']:,.0f} across its "
    f"range), then {profit.iloc[1]['input']}. Replication noise accounts for {noise:.1%} of the spread "
    "between design points. To split the variance exactly, run "
    "`presale sensitivity scenarios/winter_apparel.yaml --method screen` (Morris, then Sobol' on the "
    "inputs that matter)."))
screen.noise"""),
    ("md", """## 3. In which futures does the strategy miss its target?

Sixteen futures sampled over the uncertain inputs (a Latin hypercube), two campaigns each. A
campaign *fails* when profit falls below ¥12 M. PRIM looks for the box of input ranges that
holds most failures (*coverage*) while being mostly failures (*density*)."""),
    ("code", """found = discover(scenario, SweepSettings(strategy=STRATEGY, replications=2, workers=1),
                 rule="profit < 12000000", points=16, threshold=0.7)
display(Markdown(f"{found.failed.mean():.0%} of the {len(found.failed)} simulated campaigns miss the target."))
found.box.limits if found.box is not None else "no campaign misses the target"
"""),
    ("fig", """box_figure(found) if found.box is not None and len(found.box.limits) else None"""),
    ("code", """if found.box is not None:
    limits = "; ".join(f"{r.input} between {r.low:,.4g} and {r.high:,.4g}" for r in found.box.limits.itertuples())
    display(Markdown(f"The strategy misses its target mostly when {limits or 'anything'}: that box holds "
                     f"{found.box.coverage:.0%} of the misses, and {found.box.density:.0%} of the campaigns "
                     "inside it miss. These are the futures to watch for, or to hedge against."))"""),
    ("md", """## Next steps

- `presale sweep FILE --strategy S --param PATH=SPEC --design lhs --points 64` samples several
  levers at once; `--resume` finishes an interrupted sweep.
- `presale sensitivity FILE --method screen` and `presale discover FILE --fail-when "profit < 0"`
  write their tables, figures and an HTML report under `results/`."""),
]
