"""``presale compare``: every strategy of each scenario over many replications."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from .app import EXIT_INPUT, app, err, load_all, output_file, output_folder, override, parse_sets


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
    junit_xml: Annotated[Optional[str], typer.Option(help="Write gate results as JUnit XML (checked before anything runs).")] = None,
    summary_md: Annotated[Optional[str], typer.Option(help="Write a Markdown summary (e.g. $GITHUB_STEP_SUMMARY; an empty value is refused before anything runs).")] = None,
    resume: Annotated[bool, typer.Option(help="Finish an interrupted run found in --out instead of starting again.")] = False,
    force: Annotated[bool, typer.Option(help="Replace a finished or interrupted run found in --out (without it, a used results folder is refused).")] = False,
    executor: Annotated[Optional[ExecutorKind], typer.Option(case_sensitive=False, help="'local' (process pool; the default) or 'dask' (a local Dask cluster, or the one at --scheduler; needs pip install '.[dask]'). Results are identical.")] = None,
    scheduler: Annotated[Optional[str], typer.Option(help="Address of a running Dask scheduler, e.g. tcp://host:8786; implies --executor dask.")] = None,
    quiet: Annotated[bool, typer.Option(help="No progress bar.")] = False,
    set_: Annotated[Optional[list[str]], typer.Option("--set", help="A quick what-if: PATH=VALUE, e.g. strategies.base.pricing.presale_price=799 (repeatable; values read as YAML; checked like the file).")] = None,
) -> None:
    """Compare every strategy of each scenario over many replications on common random numbers.

    Prints, per scenario, the decision (the strategy to pick under the scenario's
    decision: rule, its paired gain with CI, risks, ties) and the headline table.
    Writes per scenario: outcomes and trajectories (Parquet), summary and comparison
    (CSV, JSON), manifest.json, report.html, report.md and figures. Exit codes:
    0 ok, 1 a gate failed, 2 bad input (checked before anything runs, output paths
    included), 3 some runs failed, were interrupted (a partial report marked
    INCOMPLETE is written), results could not be written (a full disk: the file is
    named, finished chunks are kept), or the program crashed (the traceback goes to
    a log file whose path is printed).

    A results folder that holds a run is refused unless --resume (keep it, finish
    it; chunks that do not match the ledger's checksums are run again) or --force
    (replace it). A folder another run is writing is refused at once, naming it.
    """
    from .compare_batch import result_folder_hint, run_compare

    sets = parse_sets(set_)
    junit_path, summary_path = output_file(junit_xml, "--junit-xml"), output_file(summary_md, "--summary-md")
    output_folder(out)
    from ..runs.lock import lock_holder

    busy = [(out / f.stem, holder) for f in files if (holder := lock_holder(out / f.stem))]
    for folder, holder in busy:
        err(f"{folder} is in use by another run ({holder}); wait for it to finish or use another --out; "
            "nothing was run")
    if busy:
        raise typer.Exit(EXIT_INPUT)
    used = [out / f.stem for f in files if (out / f.stem / "manifest.json").is_file()]
    if used and not (resume or force):
        for folder in used:
            err(f"{folder} already holds a run; add --resume to keep it and finish what is missing, "
                f"or --force to replace it; nothing was run")
        raise typer.Exit(EXIT_INPUT)
    hints = [h for h in map(result_folder_hint, files) if h]
    for hint in hints:
        err(hint)
    if hints:
        raise typer.Exit(EXIT_INPUT)
    code = run_compare(
        files, load_all(files), replications=replications, workers=workers, population=population,
        seed=seed, out=out, gates=tuple(fail_if or ()), junit_xml=junit_path, summary_md=summary_path,
        resume=resume, executor=None if executor is None else executor.value, scheduler=scheduler, quiet=quiet,
        override=lambda sc, **kw: override(sc, sets=sets, **kw), echo=typer.echo, err=err,
    )
    raise typer.Exit(code)
