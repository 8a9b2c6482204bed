"""``presale calibrate``: fit scenario parameters to a past campaign's daily history."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from .app import EXIT_INCOMPLETE, EXIT_INPUT, app, err, load_all, output_folder, runner_options, stopped
from .compare import ExecutorKind


def _parse_fit(text: str):
    from ..explore.calibrate import FitParameter

    path, sep, box = text.partition("=")
    low, sep2, high = box.partition(":")
    try:
        if not (sep and sep2 and path):
            raise ValueError
        return FitParameter(path.strip(), float(low), float(high))
    except ValueError as error:
        detail = str(error) or "expected PATH=LOW:HIGH, e.g. market.awareness.imitation=0.05:1.0"
        err(f"--fit {text}: {detail}")
        raise typer.Exit(EXIT_INPUT) from None


@app.command()
def calibrate(
    history: Annotated[Path, typer.Argument(help="History file (CSV or Parquet), one row per campaign day; "
                                                 "see docs/history-format.md.")],
    scenario: Annotated[Path, typer.Option(help="Scenario YAML file to calibrate.")],
    fit: Annotated[list[str], typer.Option(help="A parameter to estimate and its box, PATH=LOW:HIGH "
                                                "(repeat the option for several).")],
    replications: Annotated[int, typer.Option(min=2, help="Replications simulated at every candidate.")] = 8,
    strategy: Annotated[Optional[str], typer.Option(help="Strategy played by the campaign (default: the baseline).")] = None,
    block_days: Annotated[int, typer.Option(min=1, help="Days summed into one moment.")] = 5,
    max_evaluations: Annotated[int, typer.Option(min=1, help="Objective evaluations the optimiser may spend.")] = 40,
    out: Annotated[Optional[Path], typer.Option(help="Output folder (default: results/<history>/calibration); "
                                                     "the simulated batches are saved in its evaluations/ folder.")] = None,
    workers: Annotated[Optional[int], typer.Option(min=1, help="Worker processes (default: all cores); the estimates "
                                                               "are identical for any number.")] = None,
    resume: Annotated[bool, typer.Option(help="Finish an interrupted calibration found in --out: the candidates "
                                              "already simulated are read back, not run again.")] = False,
    executor: Annotated[Optional[ExecutorKind], typer.Option(
        case_sensitive=False, help="'local' (default) or 'dask'; results are identical.")] = None,
    scheduler: Annotated[Optional[str], typer.Option(
        help="Address of a running Dask scheduler; implies --executor dask.")] = None,
    quiet: Annotated[bool, typer.Option(help="No progress bar.")] = False,
) -> None:
    """Estimate scenario parameters from a past campaign by simulated moments on common random numbers.

    Every candidate runs through the runner of 'presale compare' (the points of each
    finite-difference Jacobian in one batch, in parallel on the workers), saved batch by
    batch in --out/evaluations so that --resume continues an interrupted calibration.
    Writes calibrated.yaml (fitted values as distributions that carry their uncertainty into
    'presale compare'), estimates.csv, moments.csv, fit.csv, goodness.csv, report.md and
    figures/*.png. Exit codes: 0 ok, 2 bad input (history, scenario, --fit, options, an --out
    that cannot be written or that another run is using), 3 interrupted (--resume continues),
    some runs failed, or results could not be written.
    """
    from ..errors import PresaleError, ScenarioError
    from ..runs.store import ResultsNotSaved
    from ..scenario.history import load_history
    from ..scenario.paths import PathError

    (sc,) = load_all([scenario])
    params = [_parse_fit(f) for f in fit]
    try:
        hist = load_history(history)
    except ScenarioError as error:
        for p in error.problems:
            err(str(p))
        err(f"{len(error.problems)} problem{'s' if len(error.problems) != 1 else ''} found; nothing was run.")
        raise typer.Exit(EXIT_INPUT) from None
    from ..explore.calibrate import CalibrationSettings, CalibrationStopped, calibrate as run_calibration
    from .progress_bar import ProgressBar

    if strategy is not None and strategy not in sc.strategies:
        err(f"{scenario}: unknown strategy '{strategy}'; strategies: {', '.join(sc.strategies)}")
        raise typer.Exit(EXIT_INPUT)
    out = output_folder(out or Path("results") / history.stem / "calibration")
    with runner_options(scenario, executor=None if executor is None else executor.value, scheduler=scheduler,
                        workers=workers) as runner:
        settings = CalibrationSettings(replications=replications, strategy=strategy, block_days=block_days,
                                       max_evaluations=max_evaluations, workers=runner.workers,
                                       executor=runner.executor, executor_kind=runner.label, store_dir=out,
                                       resume=resume, progress=None if quiet else ProgressBar())
        try:
            result = run_calibration(sc, hist, fit=params, settings=settings, source=str(scenario))
        except CalibrationStopped as error:
            if error.interrupted:
                raise stopped(history, str(error), out) from None
            err(f"{scenario}: {error}")
            raise typer.Exit(EXIT_INCOMPLETE) from None
        except ResultsNotSaved as error:
            raise stopped(history, str(error), out) from None
        except (PathError, PresaleError, ValueError) as error:
            err(f"{scenario}: {error}")
            raise typer.Exit(EXIT_INPUT) from None
    try:
        _write(result, out, history)
    except OSError as error:
        err(f"{history}: cannot write {error.filename or out}: {error.strerror or error}; the simulated "
            f"candidates are kept in {out} (free space, then --resume writes the results)")
        raise typer.Exit(EXIT_INCOMPLETE) from None
    for w in result.warnings:
        err(f"warning: {w}")
    typer.echo(result.estimates[["parameter", "estimate", "se", "ci_low", "ci_high", "identified"]]
               .to_string(index=False))
    typer.echo(f"wrote {out}/calibrated.yaml, report.md, estimates.csv, moments.csv, fit.csv, goodness.csv")


def _write(result, out: Path, history: Path) -> None:
    import yaml

    from ..report.calibration import fit_figure, fit_markdown

    (out / "figures").mkdir(parents=True, exist_ok=True)
    data = result.scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
    (out / "calibrated.yaml").write_text(
        f"# {result.scenario.name} calibrated to {history.name} by presale calibrate\n"
        + yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    for name in ("estimates", "moments", "fit", "goodness"):
        getattr(result, name).to_csv(out / f"{name}.csv", index=False)
    figures = {}
    for series in result.fit["series"].unique():
        fig = fit_figure(result.fit, series)
        fig.savefig(out / "figures" / f"fit_{series}.png")
        figures[series] = f"figures/fit_{series}.png"
    (out / "report.md").write_text(fit_markdown(result, history=history.name, figures=figures), encoding="utf-8")
