"""The ``presale`` application and what its commands share: exit codes, error
output, loading scenario files and applying command-line overrides.

Exit codes: 0 ok, 1 a gate failed, 2 bad input, 3 some runs failed or the run
was interrupted (finished work is kept and marked incomplete).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import typer

EXIT_OK, EXIT_GATE, EXIT_INPUT, EXIT_INCOMPLETE = 0, 1, 2, 3

app = typer.Typer(
    name="presale",
    help="Simulate presale (pre-order) campaigns and compare strategies before launch.",
    no_args_is_help=True,
    add_completion=True,                        # --install-completion / --show-completion
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"presale-sim {version('presale-sim')}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _main(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Print the version and exit.")) -> None:
    """Simulate presale (pre-order) campaigns and compare strategies before launch."""


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


def parse_sets(sets: list[str] | None) -> dict[str, object]:
    """``--set PATH=VALUE`` options as overrides (values read as YAML: 799, 0.8, true, [1, 2]); exit 2 on a malformed one."""
    import yaml

    out: dict[str, object] = {}
    for text in sets or ():
        path, sep, value = text.partition("=")
        if not sep or not path.strip():
            err(f"--set {text!r}: expected PATH=VALUE, e.g. --set strategies.base.pricing.presale_price=799")
            raise typer.Exit(EXIT_INPUT)
        try:
            out[path.strip()] = yaml.safe_load(value) if value.strip() else None
        except yaml.YAMLError:
            err(f"--set {text!r}: the value is not a number, a word or a YAML list/mapping")
            raise typer.Exit(EXIT_INPUT) from None
    return out


def override(scenario, *, sets: dict[str, object] | None = None, **values):
    """``scenario`` with command-line options (``--seed``, ``--population``, ``--set``) applied;
    exit 2 naming the path if they break it."""
    from ..errors import ScenarioError
    from ..scenario import with_overrides
    from ..scenario.paths import PathError

    overrides = {f"run.{k}": v for k, v in values.items() if v is not None}
    overrides.update(sets or {})
    if not overrides:
        return scenario
    options = ", ".join([*(f"--{k} {v}" for k, v in values.items() if v is not None),
                         *(f"--set {k}={v}" for k, v in (sets or {}).items())])
    try:
        return with_overrides(scenario, overrides, source=f"'{scenario.name}' with {options}")
    except PathError as error:
        err(f"--set: {error}")
        raise typer.Exit(EXIT_INPUT) from None
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


def output_file(value: str | None, option: str) -> Path | None:
    """The file an option such as ``--junit-xml`` names, checked before anything runs (exit 2).

    An empty value (e.g. an unset ``$GITHUB_STEP_SUMMARY``) is refused, as is a folder, a
    file in a folder that does not exist, or a place that cannot be written.
    """
    import os

    if value is None:
        return None
    if not value.strip():
        err(f"{option} is empty (an unset environment variable such as $GITHUB_STEP_SUMMARY?): "
            f"give a file, or leave {option} out; nothing was run")
        raise typer.Exit(EXIT_INPUT)
    path = Path(value)
    parent = path.parent if str(path.parent) else Path(".")
    problem = (f"{path} is a folder; give a file name" if path.is_dir() else
               f"the folder {parent} does not exist" if not parent.is_dir() else
               f"{path} cannot be written (permission denied)" if (
                   (path.exists() and not os.access(path, os.W_OK)) or not os.access(parent, os.W_OK)) else None)
    if problem:
        err(f"{option}: {problem}; nothing was run")
        raise typer.Exit(EXIT_INPUT)
    return path


def output_folder(path: Path, option: str = "--out") -> Path:
    """A results folder that exists or can be made, checked before anything runs (exit 2)."""
    import os

    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if path.exists() and not path.is_dir():
        problem = f"{path} is a file, not a folder"
    elif not os.access(existing if existing.is_dir() else existing.parent, os.W_OK):
        problem = f"{existing} cannot be written (permission denied)"
    else:
        return path
    err(f"{option}: {problem}; nothing was run")
    raise typer.Exit(EXIT_INPUT)


@contextlib.contextmanager
def exploration_exits(file, out_dir) -> Iterator[None]:
    """Exit codes of a run that writes its results under ``out_dir`` as it goes: a full disk
    exits 3 (what finished is kept for ``--resume``), bad input exits 2 with the file named."""
    from ..errors import PresaleError
    from ..runs.store import ResultsNotSaved

    try:
        yield
    except ResultsNotSaved as e:
        err(f"{file}: {e}; finished replications are kept in {out_dir} (free space, then --resume)")
        raise typer.Exit(EXIT_INCOMPLETE) from None
    except PresaleError as e:
        err(f"{file}: {e}")
        raise typer.Exit(EXIT_INPUT) from None


class Runner(NamedTuple):
    """Where a command's replications run, from ``--executor``, ``--scheduler`` and ``--workers``."""

    executor: object | None
    """A started Dask executor, or ``None`` for the local process pool."""
    workers: int | None
    """Worker count: ``--workers``, or the threads of a Dask cluster."""
    label: str
    """The executor as recorded in the manifests."""


@contextlib.contextmanager
def runner_options(source, *, executor: str | None, scheduler: str | None, workers: int | None) -> Iterator[Runner]:
    """The executor ``--executor``/``--scheduler``/``--workers`` ask for, started for the
    duration of the block (a local Dask cluster stops at its end); exit 2 when the options
    do not fit together or the executor cannot start."""
    from ..errors import PresaleError
    from .compare_batch import _executor, _executor_label, resolve_executor

    try:
        kind = resolve_executor(executor, scheduler=scheduler, workers=workers)
    except PresaleError as e:
        err(f"{source}: {e}")
        raise typer.Exit(EXIT_INPUT) from None
    with contextlib.ExitStack() as stack:
        try:
            pool = _executor(kind, workers, scheduler, stack)
        except (PresaleError, ImportError, OSError) as e:
            err(f"cannot start the {kind} executor: {e}")
            raise typer.Exit(EXIT_INPUT) from None
        if pool is not None and not pool.local and not pool.n_threads:
            err(f"no Dask workers are connected to {scheduler} yet; replications start when "
                "workers join (Ctrl-C stops)")
        yield Runner(pool, (pool.n_threads or workers) if pool is not None else workers,
                     _executor_label(kind, scheduler))


def stopped(source, why: str, out_dir: Path) -> typer.Exit:
    """Say that a run stopped before its end, what is kept and how to finish it; return the
    exit (code 3) for the caller to raise."""
    err(f"{source}: {why}; what finished is kept in {out_dir} (continue with --resume --out {out_dir})")
    return typer.Exit(EXIT_INCOMPLETE)
