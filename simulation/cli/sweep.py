"""``presale sweep``: one strategy at every point of a design, on common random numbers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from .app import EXIT_INCOMPLETE, EXIT_INPUT, EXIT_OK, app, err, exploration_exits, load_all, override, runner_options
from .compare import ExecutorKind


def _settings_from(sc, file: Path, *, name, strategy, params, design, points, replications, reference, metric):
    """The sweep to run: a stored one (``--name``) with command-line options on top, or the options alone."""
    from ..explore.design import parse_axis
    from ..explore.sweep import SweepSettings

    if name is not None:
        if name not in sc.sweeps:
            stored = ", ".join(sc.sweeps) or "none"
            err(f"{file}: --name: no sweep '{name}' in the scenario's sweeps: section (sweeps: {stored})")
            raise typer.Exit(EXIT_INPUT)
        spec = sc.sweeps[name]
        return SweepSettings(
            strategy=strategy or spec.strategy,
            axes=tuple(parse_axis(p) for p in params) if params else spec.axes(),
            design=design or spec.design, points=points or spec.points,
            replications=replications or spec.replications, reference=reference or spec.reference,
            metric=metric or spec.metric)
    if not params:
        stored = f"; or run a stored sweep with --name ({', '.join(sc.sweeps)})" if sc.sweeps else ""
        err(f"{file}: give --param PATH=SPEC (repeatable){stored}")
        raise typer.Exit(EXIT_INPUT)
    return SweepSettings(strategy=strategy, axes=tuple(parse_axis(p) for p in params), design=design or "grid",
                         points=points, replications=replications, reference=reference, metric=metric or "profit")


@app.command(name="sweep")
def sweep_cmd(
    file: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    strategy: Annotated[Optional[str], typer.Option(help="Strategy to sweep (default: the baseline, or the stored sweep's).")] = None,
    param: Annotated[Optional[list[str]], typer.Option("--param", help="PATH=SPEC, repeatable. PATH: a lever (strategies.S.pricing.presale_price) or an input (market.awareness.imitation; an uncertain one is fixed at each point). SPEC: v1,v2,... or low:high:step (grid), low:high (lhs, sobol).")] = None,
    name: Annotated[Optional[str], typer.Option(help="Run the sweep stored under this name in the scenario's sweeps: section (options given here override it).")] = None,
    design: Annotated[Optional[str], typer.Option(help="grid (every combination; default), lhs (Latin hypercube) or sobol (scrambled Sobol').")] = None,
    points: Annotated[Optional[int], typer.Option(min=2, help="Number of points of an lhs or sobol design.")] = None,
    replications: Annotated[Optional[int], typer.Option(min=1, help="Replications per point (default: the scenario's).")] = None,
    reference: Annotated[Optional[str], typer.Option(help="Point (e.g. p003) the paired comparison is against; default the unmodified strategy.")] = None,
    metric: Annotated[Optional[str], typer.Option(help="Metric of the figures and the regret table (default profit).")] = None,
    workers: Annotated[Optional[int], typer.Option(min=1, help="Worker processes (default: all cores).")] = None,
    population: Annotated[Optional[int], typer.Option(min=1, help="Simulated consumers (default: the scenario's).")] = None,
    seed: Annotated[Optional[int], typer.Option(help="Override the scenario's seed.")] = None,
    out: Annotated[Optional[Path], typer.Option(help="Output folder (default: results/<file>-sweep-<name or strategy>).")] = None,
    resume: Annotated[bool, typer.Option(help="Finish an interrupted sweep found in --out instead of starting again.")] = False,
    executor: Annotated[Optional[ExecutorKind], typer.Option(case_sensitive=False, help="'local' (default) or 'dask'; results are identical.")] = None,
    scheduler: Annotated[Optional[str], typer.Option(help="Address of a running Dask scheduler; implies --executor dask.")] = None,
    quiet: Annotated[bool, typer.Option(help="No progress bar.")] = False,
) -> None:
    """Run one strategy at every point of a design (a lever or an input, or several) on
    the same replications, so differences between points are paired.

    Writes sweep_outcomes.parquet (point x replication, with the swept values and every
    metric), design.csv, sweep_summary.csv, sweep_comparison.csv (paired difference with
    the reference), regret.csv, report.html, report.md and figures/, and the result store
    (chunks/, manifest.json) that --resume continues. Exit codes: 0 ok, 2 bad input,
    3 some runs failed or the sweep was interrupted.

    Example: presale sweep scenarios/winter_apparel.yaml --strategy full_prepay
    --param strategies.full_prepay.pricing.presale_price=699:899:50 --replications 40
    """

    from ..errors import PresaleError
    from .progress_bar import ProgressBar

    (sc,) = load_all([file])
    sc = override(sc, seed=seed, population=population)
    try:
        settings = _settings_from(sc, file, name=name, strategy=strategy, params=param or [], design=design,
                                  points=points, replications=replications, reference=reference, metric=metric)
    except PresaleError as e:
        err(f"{file}: {e}")
        raise typer.Exit(EXIT_INPUT) from None
    from dataclasses import replace

    from ..explore.sweep import sweep
    from ..report.sweep import write_sweep

    label = name or settings.strategy or sc.baseline_name
    out_dir = out or Path("results") / f"{file.stem}-sweep-{label}"
    with runner_options(file, executor=None if executor is None else executor.value, scheduler=scheduler,
                        workers=workers) as runner:
        settings = replace(settings, workers=runner.workers, executor=runner.executor, executor_kind=runner.label,
                           store_dir=out_dir, resume=resume, progress=None if quiet else ProgressBar(sc.name))
        with exploration_exits(file, out_dir):
            result = sweep(sc, settings, source=str(file))
    if result.interrupted:
        err(f"{file}: interrupted; finished replications are saved in {out_dir} (continue with --resume --out {out_dir})")
        raise typer.Exit(EXIT_INCOMPLETE)
    write_sweep(out_dir, result, metric=settings.metric)
    if result.outcomes.empty:
        err(f"{file}: every run failed; see {out_dir}/failures.csv")
        raise typer.Exit(EXIT_INCOMPLETE)
    from ..report.sweep import sweep_display

    table = sweep_display(result, settings.metric)
    typer.echo(f"\nsweep of {result.strategy} ({file}) · {len(result.design)} points · "
               f"{result.meta['replications']} replications · {result.meta['wall_time_s']:.1f} s")
    typer.echo(table.to_string(index=False))
    typer.echo(f"  report: {out_dir / 'report.html'}")
    if not result.complete:
        err(f"{file}: {len(result.failures)} run(s) failed; see {out_dir}/failures.csv")
        raise typer.Exit(EXIT_INCOMPLETE)
    raise typer.Exit(EXIT_OK)
