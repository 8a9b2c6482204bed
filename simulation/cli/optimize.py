"""``presale optimize``: the best plan of one strategy's levers under limits on risk."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from .app import EXIT_GATE, EXIT_INCOMPLETE, EXIT_INPUT, EXIT_OK, app, err, load_all, output_folder, override, runner_options
from .compare import ExecutorKind


@app.command(name="optimize")
def optimize_cmd(
    file: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    strategy: Annotated[Optional[str], typer.Option(help="Strategy whose levers move (default: the baseline).")] = None,
    lever: Annotated[Optional[list[str]], typer.Option("--lever", help="PATH=LOW:HIGH[:STEP], repeatable. PATH: a lever of the strategy (strategies.S.inventory.initial_stock). With STEP, or when the scenario's value is a whole number, only those values; else continuous.")] = None,
    objective: Annotated[str, typer.Option(help="Statistic to maximise: METRIC.mean, METRIC.pN, METRIC.cvarN, METRIC.sd, cvar5, or an event probability such as p_stockout_early.")] = "profit.mean",
    minimize: Annotated[bool, typer.Option(help="Minimise the objective instead.")] = False,
    constraint: Annotated[Optional[list[str]], typer.Option("--constraint", help="A limit that must hold, repeatable: STATISTIC >= NUMBER or STATISTIC <= NUMBER, e.g. 'cvar5 >= -1e6', 'p_stockout_early <= 0.1'.")] = None,
    pareto: Annotated[Optional[str], typer.Option(help="A risk statistic (cvar5, p_stockout_early, profit.p5): also report the frontier of the objective against it.")] = None,
    budget: Annotated[int, typer.Option(min=2, help="Plans the search may evaluate (population x generations).")] = 200,
    population_size: Annotated[Optional[int], typer.Option(min=4, help="Plans per generation (default max(8, 5 x levers)).")] = None,
    replications: Annotated[Optional[int], typer.Option(min=2, help="Replications of each plan in the search (default: the scenario's).")] = None,
    race_top: Annotated[int, typer.Option(min=1, help="Best plans raced on more replications after the search.")] = 4,
    confirm_replications: Annotated[Optional[int], typer.Option(min=2, help="Fresh replications of the confirmation (default 4 x --replications).")] = None,
    workers: Annotated[Optional[int], typer.Option(min=1, help="Worker processes (default: all cores).")] = None,
    population: Annotated[Optional[int], typer.Option(min=1, help="Simulated consumers (default: the scenario's).")] = None,
    seed: Annotated[Optional[int], typer.Option(help="Override the scenario's seed.")] = None,
    out: Annotated[Optional[Path], typer.Option(help="Output folder (default: results/<file>-optimize-<strategy>).")] = None,
    resume: Annotated[bool, typer.Option(help="Finish an interrupted optimisation found in --out (finished batches are read back).")] = False,
    executor: Annotated[Optional[ExecutorKind], typer.Option(case_sensitive=False, help="'local' (default) or 'dask'; results are identical.")] = None,
    scheduler: Annotated[Optional[str], typer.Option(help="Address of a running Dask scheduler; implies --executor dask.")] = None,
    quiet: Annotated[bool, typer.Option(help="No progress bar.")] = False,
) -> None:
    """Find the plan of a strategy's levers that maximises an objective under limits on risk.

    Differential evolution searches the levers, every plan on the same replications (one
    batch per generation); the best plans are raced on more replications; the winner is
    confirmed on fresh replications beside every hand-written strategy.

    Writes optimised.yaml (the scenario with a strategy S_optimised that extends S and
    sets only the optimised levers), report.html, report.md, figures/, evaluations.csv,
    convergence.csv, race.csv, confirmation.csv, comparison.csv, frontier.csv, and one
    result store per batch (batches/) that --resume continues. Exit codes: 0 ok, 1 no
    plan meets the limits, 2 bad input, 3 some runs failed or the run was interrupted.

    Example: presale optimize scenarios/winter_apparel.yaml --strategy full_prepay
    --lever strategies.full_prepay.inventory.initial_stock=4000:12000:500
    --constraint "p_stockout_early <= 0.1" --replications 30
    """
    from dataclasses import replace

    from ..errors import PresaleError
    from ..explore.candidates import BatchInterrupted
    from ..explore.optimize import OptimizeSettings, optimize
    from ..report.optimize import write_optimization
    from .progress_bar import ProgressBar

    (sc,) = load_all([file])
    sc = override(sc, seed=seed, population=population)
    name = strategy or sc.baseline_name
    out_dir = output_folder(out or Path("results") / f"{file.stem}-optimize-{name}")
    batches = out_dir / "batches"
    if not resume and batches.is_dir() and any(batches.iterdir()):
        err(f"--out {out_dir}: holds an optimisation already; continue it with --resume, "
            "or give another --out; nothing was run")
        raise typer.Exit(EXIT_INPUT)
    settings = OptimizeSettings(strategy=name, levers=tuple(lever or ()), objective=objective, minimize=minimize,
                                constraints=tuple(constraint or ()), budget=budget, population_size=population_size,
                                replications=replications, race_top=race_top,
                                confirm_replications=confirm_replications, pareto=pareto, resume=resume,
                                store_dir=batches, progress=None if quiet else ProgressBar(sc.name))
    try:
        _check(sc, settings)
    except PresaleError as e:
        err(f"{file}: {e}")
        raise typer.Exit(EXIT_INPUT) from None
    with runner_options(file, executor=None if executor is None else executor.value, scheduler=scheduler,
                        workers=workers) as runner:
        settings = replace(settings, workers=runner.workers, executor=runner.executor, executor_kind=runner.label)
        try:
            result = optimize(sc, settings, source=str(file))
        except BatchInterrupted as e:
            err(f"{file}: {e}; finished batches are kept in {batches} "
                f"(continue with: presale optimize {file} ... --resume --out {out_dir})")
            raise typer.Exit(EXIT_INCOMPLETE) from None
        except PresaleError as e:
            err(f"{file}: {e}")
            raise typer.Exit(EXIT_INPUT) from None
    write_optimization(out_dir, result, source=str(file))
    _echo(result, out_dir)
    if not result.feasible:
        err(f"{file}: no plan of '{name}' meets every limit ({result.meta['constraints']}); "
            f"the least violating one is in {out_dir / 'report.html'}")
        raise typer.Exit(EXIT_GATE)
    raise typer.Exit(EXIT_OK)


def _check(sc, settings) -> None:
    """Every option checked before anything runs (``PresaleError`` naming the option)."""
    from ..analysis.limits import parse_limit, parse_statistic
    from ..explore.levers import lever_space, parse_lever

    lever_space(sc, settings.strategy, [parse_lever(t) for t in settings.levers])
    parse_statistic(settings.objective)
    for text in settings.constraints:
        parse_limit(text)
    if settings.pareto:
        parse_statistic(settings.pareto, option="--pareto")


def _echo(result, out_dir: Path) -> None:
    meta = result.meta
    typer.echo(f"\noptimisation of {result.strategy} ({meta.get('file')}) · {meta['evaluations']} plans searched · "
               f"{meta['replications']} replications each · {meta['runs']} runs in {meta['run_time_s']:.1f} s")
    for path, value in result.best.items():
        typer.echo(f"  {path} = {value:g}")
    typer.echo(result.confirmation[["statistic", "limit", "estimate", "ci_low", "ci_high", "p_holds"]]
               .to_string(index=False, float_format=lambda v: f"{v:,.4g}"))
    typer.echo(result.comparison.to_string(index=False, float_format=lambda v: f"{v:,.4g}"))
    typer.echo(f"  report: {out_dir / 'report.html'}")
