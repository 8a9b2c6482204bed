"""The ``presale`` command line: the only module that prints or exits.

Exit codes: 0 ok, 1 a gate failed, 2 bad input, 3 some runs failed or the run
was interrupted (finished work is kept and marked incomplete).
Heavy modules are imported inside the commands so that ``--help`` is instant.
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

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


def _err(text: str) -> None:
    typer.echo(text, err=True)


def _load_all(files: list[Path]):
    """Load every file; print every problem of every file; exit 2 if any."""
    from .errors import ScenarioError
    from .scenario import load_scenario

    scenarios, problems = [], []
    for path in files:
        try:
            scenarios.append(load_scenario(path))
        except ScenarioError as err:
            problems.extend(err.problems)
    if problems:
        for p in problems:
            _err(str(p))
        _err(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found; nothing was run.")
        raise typer.Exit(EXIT_INPUT)
    return scenarios


def _override(scenario, **values):
    """``scenario`` with command-line options (``--seed``, ``--population``) applied; exit 2 if they break it."""
    from .errors import ScenarioError
    from .scenario import with_overrides

    overrides = {f"run.{k}": v for k, v in values.items() if v is not None}
    if not overrides:
        return scenario
    options = ", ".join(f"--{k} {v}" for k, v in values.items() if v is not None)
    try:
        return with_overrides(scenario, overrides, source=f"'{scenario.name}' with {options}")
    except ScenarioError as err:
        for p in err.problems:
            _err(str(p))
        raise typer.Exit(EXIT_INPUT) from None


@app.command()
def validate(files: Annotated[list[Path], typer.Argument(help="Scenario YAML files.")]) -> None:
    """Check scenario files and report every problem (exit 2 if any)."""
    for path, sc in zip(files, _load_all(files)):
        typer.echo(f"ok: {path}: '{sc.name}', {len(sc.strategies)} strategies, baseline '{sc.baseline_name}'")


@app.command()
def schema(out: Annotated[Optional[Path], typer.Option(help="Write to this file instead of printing.")] = None) -> None:
    """Print the JSON Schema of scenario files."""
    from .scenario.jsonschema import scenario_json_schema

    text = scenario_json_schema()
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        _err(f"wrote {out}")


@app.command()
def run(
    file: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    strategy: Annotated[Optional[str], typer.Option(help="Strategy to run (default: the baseline).")] = None,
    seed: Annotated[Optional[int], typer.Option(help="Override the scenario's seed.")] = None,
    replication: Annotated[int, typer.Option(min=0, help="Replication index.")] = 0,
    population: Annotated[Optional[int], typer.Option(min=1, help="Simulated consumers (default: the scenario's).")] = None,
    out: Annotated[Optional[Path], typer.Option(help="Output folder (default: results/<file>/<strategy>).")] = None,
) -> None:
    """Run one replication of one strategy; write its daily trajectory and outcomes."""
    (sc,) = _load_all([file])
    sc = _override(sc, seed=seed, population=population)
    name = strategy or sc.baseline_name
    if name not in sc.strategies:
        from .scenario.problems import did_you_mean

        hint = did_you_mean(name, list(sc.strategies))
        _err(f"{file}: unknown strategy '{name}'" + (f"; did you mean '{hint}'?" if hint else "")
             + f" strategies: {', '.join(sc.strategies)}")
        raise typer.Exit(EXIT_INPUT)
    from .runner import simulate
    from .export import write_table

    result = simulate(sc, name, replication)
    out = out or Path("results") / file.stem / name
    out.mkdir(parents=True, exist_ok=True)
    for stem, frame in (("trajectory", result.trajectory), ("outcome", result.outcome)):
        write_table(frame, out / f"{stem}.csv")
        write_table(frame, out / f"{stem}.json")
    typer.echo(_run_summary(sc, name, replication, result.outcome.iloc[0]))
    typer.echo(f"wrote {out}/trajectory.csv|json and {out}/outcome.csv|json")


def _run_summary(sc, name: str, replication: int, o) -> str:
    cur = sc.currency
    money = lambda v: f"{'-' if v < 0 else ''}{cur}{abs(v):,.0f}"  # noqa: E731
    stockout = "none" if o["first_stockout_day"] != o["first_stockout_day"] else f"day {o['first_stockout_day']:.0f}"
    rows = [
        ("profit", money(o["profit"])), ("revenue (net)", money(o["revenue_net"])),
        ("refunds", money(o["refunds"])), ("units sold", f"{o['units_sold']:,.0f} of {o['units_available']:,.0f}"),
        ("sell-through", f"{o['sell_through']:.1%}"), ("presale orders", f"{o['units_presold']:,.0f}"),
        ("deposit → balance", f"{o['deposit_conversion_rate']:.1%}" if o["n_deposits"] else "no deposits"),
        ("first stockout", stockout), ("lost sales", f"{o['lost_sales']:,.0f}"),
        ("cancellations", f"{o['n_cancellations']:,.0f}"), ("returns", f"{o['n_returns']:,.0f}"),
        ("cash low point", money(o["cash_low_point"])), ("market share", f"{o['market_share']:.1%}"),
    ]
    width = max(len(k) for k, _ in rows)
    head = f"{sc.name} · strategy '{name}' · seed {sc.run.seed} · replication {replication}"
    return "\n".join([head, *(f"  {k:<{width}}  {v}" for k, v in rows)])


class ExecutorKind(str, Enum):
    """Where ``presale compare`` runs the replications."""

    local = "local"
    dask = "dask"


@app.command(name="compare")
def compare_cmd(
    files: Annotated[list[Path], typer.Argument(help="Scenario YAML files (a batch).")],
    replications: Annotated[Optional[int], typer.Option(min=1, help="Replications per strategy (default: the scenario's).")] = None,
    workers: Annotated[Optional[int], typer.Option(min=1, help="Worker processes of the local pool or local Dask cluster (default: all cores).")] = None,
    population: Annotated[Optional[int], typer.Option(min=1, help="Simulated consumers (default: the scenario's).")] = None,
    seed: Annotated[Optional[int], typer.Option(help="Override every scenario's seed.")] = None,
    out: Annotated[Path, typer.Option(help="Output folder; one sub-folder per scenario.")] = Path("results"),
    fail_if: Annotated[Optional[list[str]], typer.Option("--fail-if", help="Gate such as 'profit.mean < baseline -2%'; repeatable. Fails only when the whole confidence interval of the paired difference lies beyond the threshold.")] = None,
    junit_xml: Annotated[Optional[Path], typer.Option(help="Write gate results as JUnit XML.")] = None,
    summary_md: Annotated[Optional[Path], typer.Option(help="Write a Markdown summary (e.g. $GITHUB_STEP_SUMMARY).")] = None,
    resume: Annotated[bool, typer.Option(help="Finish an interrupted run found in --out instead of starting again.")] = False,
    executor: Annotated[Optional[ExecutorKind], typer.Option(case_sensitive=False, help="'local' (process pool; the default) or 'dask' (a local Dask cluster, or the one at --scheduler; needs pip install '.[dask]'). Results are identical.")] = None,
    scheduler: Annotated[Optional[str], typer.Option(help="Address of a running Dask scheduler, e.g. tcp://host:8786; implies --executor dask.")] = None,
    quiet: Annotated[bool, typer.Option(help="No progress bar.")] = False,
) -> None:
    """Compare every strategy of each scenario over many replications on common random numbers.

    Writes per scenario: outcomes and trajectories (Parquet), summary and comparison
    (CSV, JSON), manifest.json, report.html, report.md and figures. Exit codes:
    0 ok, 1 a gate failed, 2 bad input, 3 some runs failed or were interrupted.
    """
    from .compare_cli import result_folder_hint, run_compare

    hints = [h for h in map(result_folder_hint, files) if h]
    for hint in hints:
        _err(hint)
    if hints:
        raise typer.Exit(EXIT_INPUT)
    code = run_compare(
        files, _load_all(files), replications=replications, workers=workers, population=population,
        seed=seed, out=out, gates=tuple(fail_if or ()), junit_xml=junit_xml, summary_md=summary_md,
        resume=resume, executor=None if executor is None else executor.value, scheduler=scheduler, quiet=quiet,
        override=_override, echo=typer.echo, err=_err,
    )
    raise typer.Exit(code)


def main() -> None:
    """Console entry point."""
    try:
        app()
    except KeyboardInterrupt:
        _err("interrupted")
        sys.exit(130)
