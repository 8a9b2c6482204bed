"""The ``presale`` application and what its commands share: exit codes, error
output, loading scenario files and applying command-line overrides.

Exit codes: 0 ok, 1 a gate failed, 2 bad input, 3 some runs failed or the run
was interrupted (finished work is kept and marked incomplete).
"""

from __future__ import annotations

from pathlib import Path

import typer

EXIT_OK, EXIT_GATE, EXIT_INPUT, EXIT_INCOMPLETE = 0, 1, 2, 3

app = typer.Typer(
    name="presale",
    help="Simulate presale (pre-order) campaigns and compare strategies before launch.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def err(text: str) -> None:
    typer.echo(text, err=True)


def load_all(files: list[Path]):
    """Load every file; print every problem of every file; exit 2 if any."""
    from ..errors import ScenarioError
    from ..scenario import load_scenario

    scenarios, problems = [], []
    for path in files:
        try:
            scenarios.append(load_scenario(path))
        except ScenarioError as error:
            problems.extend(error.problems)
    if problems:
        for p in problems:
            err(str(p))
        err(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found; nothing was run.")
        raise typer.Exit(EXIT_INPUT)
    return scenarios


def override(scenario, **values):
    """``scenario`` with command-line options (``--seed``, ``--population``) applied; exit 2 if they break it."""
    from ..errors import ScenarioError
    from ..scenario import with_overrides

    overrides = {f"run.{k}": v for k, v in values.items() if v is not None}
    if not overrides:
        return scenario
    options = ", ".join(f"--{k} {v}" for k, v in values.items() if v is not None)
    try:
        return with_overrides(scenario, overrides, source=f"'{scenario.name}' with {options}")
    except ScenarioError as error:
        for p in error.problems:
            err(str(p))
        raise typer.Exit(EXIT_INPUT) from None


def explore_setup(file: Path, *, command: str, strategy, params, replications, workers, population, seed,
                  out, resume, quiet):
    """What ``sensitivity`` and ``discover`` share: the scenario (exit 2 on problems), its
    output folder and the sweep settings their design points run with."""
    from ..errors import PresaleError
    from ..explore.design import parse_axis
    from ..explore.sweep import SweepSettings
    from .progress_bar import ProgressBar

    (sc,) = load_all([file])
    sc = override(sc, seed=seed, population=population)
    name = strategy or sc.baseline_name
    out_dir = out or Path("results") / f"{file.stem}-{command}-{name}"
    try:
        axes = tuple(parse_axis(p) for p in params or ())
    except PresaleError as e:
        err(f"{file}: {e}")
        raise typer.Exit(EXIT_INPUT) from None
    settings = SweepSettings(strategy=name, axes=axes, replications=replications, workers=workers,
                             store_dir=out_dir, resume=resume, progress=None if quiet else ProgressBar(sc.name))
    return sc, out_dir, settings
