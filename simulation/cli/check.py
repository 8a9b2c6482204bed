"""``presale check``: a scenario's implied figures next to their realistic ranges."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Optional

import typer

from .app import EXIT_GATE, EXIT_INCOMPLETE, EXIT_INPUT, EXIT_OK, app, err, load_all, override, parse_sets

LABELS = {
    "own_price_elasticity": "own-price elasticity",
    "cross_price_elasticity": "cross-price elasticity",
    "conversion_per_aware": "conversion per aware consumer",
    "deposit_completion": "deposit completion",
    "deposit_completion_refundable": "deposit completion (refundable)",
    "return_rate": "return rate",
    "fill_rate": "fill rate",
    "p_loss": "P(loss)",
    "p_return_at_4.8": "returns at 4.8 stars (curve)",
    "p_return_at_4.2": "returns at 4.2 stars (curve)",
    "main_channel_share": "main channel's share of consumers",
}
_ELASTICITIES = ("own_price_elasticity", "cross_price_elasticity")


def _number(figure: str, value: float) -> str:
    if not math.isfinite(value):
        return "-"
    return f"{value:+.2f}" if figure in _ELASTICITIES else f"{value:.1%}"


def _table(frame) -> str:
    from ..report.tables import Table
    from ..report.terminal import text_table

    table = Table(["figure", "strategy", "value", "95 % CI", "realistic range", "", "note"],
                  align=["l", "l", "r", "r", "r", "l", "l"])
    for row in frame.itertuples(index=False):
        ci = ("" if not math.isfinite(row.ci_low)
              else f"[{_number(row.figure, row.ci_low)}, {_number(row.figure, row.ci_high)}]")
        table.rows.append([LABELS[row.figure], row.strategy if isinstance(row.strategy, str) else "(scenario)", _number(row.figure, row.value), ci,
                           f"{_number(row.figure, row.low)} .. {_number(row.figure, row.high)}",
                           row.status, row.note])
    return text_table(table)


@app.command()
def check(
    files: Annotated[list[Path], typer.Argument(help="Scenario YAML files.")],
    replications: Annotated[int, typer.Option(min=2, help="Replications of each run.")] = 40,
    population: Annotated[int, typer.Option(min=1, help="Simulated consumers of each run.")] = 5000,
    seed: Annotated[Optional[int], typer.Option(help="Override every scenario's seed.")] = None,
    step: Annotated[float, typer.Option(min=0.001, max=0.49, help="Relative price change of the elasticities: prices x (1 +/- step).")] = 0.05,
    strategy: Annotated[Optional[str], typer.Option(help="Strategy whose prices move (default: the baseline).")] = None,
    competitor: Annotated[Optional[str], typer.Option(help="Rival whose price moves (default: the scenario's first competitor).")] = None,
    workers: Annotated[Optional[int], typer.Option(min=1, help="Worker processes (default: all cores).")] = None,
    set_: Annotated[Optional[list[str]], typer.Option("--set", help="A quick what-if: PATH=VALUE, e.g. market.choice.presale_decision=myopic (repeatable; values read as YAML; checked like the file).")] = None,
) -> None:
    """Measure a scenario's implied figures on a quick run and mark each against its realistic range.

    Figures (docs/realism.md gives each range and its source):
    own-price elasticity: % change of our units sold per 1 % change of every price of
    the strategy (list, presale, early-bird, schedule, flash sale), measured as the arc
    elasticity between prices x (1 - step) and x (1 + step) on common random numbers;
    cross-price elasticity: the same for the main rival's price;
    conversion per aware consumer: consumers who ordered / consumers aware by the horizon;
    deposit completion: balances paid / deposits (a refundable deposit has a range of its
    own: walking away costs its holder nothing); return rate: units returned / units
    sold; fill rate: units sold / (sold + lost sales + late-cancelled or undelivered
    orders); P(loss): share of replications with negative profit; the return curve at
    4.8 and 4.2 stars and the largest channel's share of consumers (the seeds' figures).
    Each value is a mean over replications with its 95 % confidence interval; the point
    estimate decides ok or outside.

    Exit codes: 0 every figure inside its range, 1 some figure outside (like a failed
    gate), 2 bad input, 3 some runs failed.
    """
    from ..errors import PresaleError
    from ..analysis.implied import CheckSettings, implied_figures

    sets = parse_sets(set_)
    scenarios = [override(sc, sets=sets, seed=seed) for sc in load_all(files)]
    code = EXIT_OK
    for path, sc in zip(files, scenarios):
        try:
            settings = CheckSettings(replications=replications, population=population, step=step,
                                     strategy=strategy, competitor=competitor, workers=workers)
            frame = implied_figures(sc, settings)
        except PresaleError as error:
            err(f"{path}: {error}")
            raise typer.Exit(EXIT_INPUT) from None
        typer.echo(f"{sc.name} ({path}): {replications} replications x {population:,} consumers, "
                   f"seed {sc.run.seed}, prices moved by +/-{step:.0%}")
        typer.echo(_table(frame))
        outside = frame[frame["status"] == "outside"]
        typer.echo(f"{len(outside)} of {int((frame['status'] != 'n/a').sum())} figures outside their range\n")
        if frame.attrs.get("failures"):
            err(f"{path}: {frame.attrs['failures']} runs failed; figures are from the others")
            code = EXIT_INCOMPLETE
        elif len(outside) and code == EXIT_OK:
            code = EXIT_GATE
    raise typer.Exit(code)
