"""``presale calibrate``: fit scenario parameters to a past campaign's daily history."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from .app import EXIT_INPUT, app, err, load_all


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
    out: Annotated[Optional[Path], typer.Option(help="Output folder (default: results/<history>/calibration).")] = None,
) -> None:
    """Estimate scenario parameters from a past campaign by simulated moments on common random numbers.

    Writes calibrated.yaml (fitted values as distributions that carry their uncertainty into
    'presale compare'), estimates.csv, moments.csv, fit.csv, goodness.csv, report.md and
    figures/*.png. Exit 2 on a bad history, scenario or --fit.
    """
    from ..errors import ScenarioError
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
    from ..explore.calibrate import CalibrationSettings, calibrate as run_calibration

    settings = CalibrationSettings(replications=replications, strategy=strategy, block_days=block_days,
                                   max_evaluations=max_evaluations)
    if strategy is not None and strategy not in sc.strategies:
        err(f"{scenario}: unknown strategy '{strategy}'; strategies: {', '.join(sc.strategies)}")
        raise typer.Exit(EXIT_INPUT)
    try:
        result = run_calibration(sc, hist, fit=params, settings=settings)
    except (PathError, ScenarioError, ValueError) as error:
        err(f"{scenario}: {error}")
        raise typer.Exit(EXIT_INPUT) from None
    out = out or Path("results") / history.stem / "calibration"
    _write(result, out, history)
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
