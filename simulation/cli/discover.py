"""``presale discover``: the uncertain futures in which a strategy fails (PRIM)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from .app import EXIT_INCOMPLETE, EXIT_OK, app, err, exploration_exits, explore_setup


@app.command(name="discover")
def discover_cmd(
    file: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    fail_when: Annotated[str, typer.Option("--fail-when", help="Failure rule METRIC OP NUMBER, e.g. 'profit < 0' or 'first_stockout_day < 30' (a missing value never fails).")],
    strategy: Annotated[Optional[str], typer.Option(help="Strategy to examine (default: the baseline).")] = None,
    param: Annotated[Optional[list[str]], typer.Option("--param", help="PATH=low:high, repeatable: explore these inputs over uniform ranges instead of the scenario's uncertainties.")] = None,
    points: Annotated[int, typer.Option(min=2, help="Latin-hypercube points over the uncertain inputs.")] = 64,
    replications: Annotated[int, typer.Option(min=1, help="Replications per point; experiments = points x replications.")] = 2,
    threshold: Annotated[float, typer.Option(min=0.0, max=1.0, help="Density the reported box should reach.")] = 0.8,
    workers: Annotated[Optional[int], typer.Option(min=1, help="Worker processes (default: all cores).")] = None,
    population: Annotated[Optional[int], typer.Option(min=1, help="Simulated consumers (default: the scenario's).")] = None,
    seed: Annotated[Optional[int], typer.Option(help="Override the scenario's seed.")] = None,
    out: Annotated[Optional[Path], typer.Option(help="Output folder (default: results/<file>-discover-<strategy>).")] = None,
    resume: Annotated[bool, typer.Option(help="Finish an interrupted run found in --out.")] = False,
    quiet: Annotated[bool, typer.Option(help="No progress bar.")] = False,
) -> None:
    """Find the ranges of uncertain inputs in which a strategy fails a rule (scenario discovery
    with PRIM): coverage (share of failures inside the box) and density (share failing inside).

    The points run through the sweep runner (store under --out, resume, common random
    numbers). Writes experiments.parquet, prim_box.csv, prim_trajectory.csv, report.html,
    report.md and figures. Exit codes: 0 ok, 2 bad input, 3 some runs failed or interrupted.
    """
    from ..explore.discovery import discover
    from ..report.discovery import write_discovery

    sc, out_dir, settings = explore_setup(file, command="discover", strategy=strategy, params=param,
                                          replications=replications, workers=workers, population=population,
                                          seed=seed, out=out, resume=resume, quiet=quiet)
    name = settings.strategy
    with exploration_exits(file, out_dir):
        result = discover(sc, settings, rule=fail_when, points=points, threshold=threshold, source=str(file))
    if result.sweep.interrupted:
        err(f"{file}: interrupted; finished runs are saved in {out_dir} (continue with --resume --out {out_dir})")
        raise typer.Exit(EXIT_INCOMPLETE)
    write_discovery(out_dir, result)
    typer.echo(f"\ndiscovery for {name} ({file}) · '{result.rule}' · {len(result.experiments)} experiments, "
               f"{result.failed.mean():.1%} fail")
    if result.box is not None:
        typer.echo(f"box: coverage {result.box.coverage:.0%}, density {result.box.density:.0%}, "
                   f"mass {result.box.mass:.0%}")
        typer.echo(result.box.limits.to_string(index=False, float_format=lambda v: f"{v:,.4g}"))
    typer.echo(f"  report: {out_dir / 'report.html'}")
    if not result.sweep.complete:
        err(f"{file}: {len(result.sweep.failures)} run(s) failed; see {out_dir}")
        raise typer.Exit(EXIT_INCOMPLETE)
    raise typer.Exit(EXIT_OK)
