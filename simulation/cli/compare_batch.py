"""The batch behind ``presale compare``: run each scenario, write its bundle and
report, evaluate gates, and decide the exit code. Output goes through the
``echo``/``err`` callables the command line passes in."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Callable

from ..errors import PresaleError
from ..runs.store import ResultsNotSaved

__all__ = ["run_compare", "resolve_executor", "result_folder_hint", "EXECUTORS"]


EXECUTORS = ("local", "dask")


def result_folder_hint(path: Path) -> str | None:
    """What to type instead, when a scenario argument is a folder of ``presale compare`` results.

    ``--out`` names the folder with one sub-folder per scenario; ``--resume`` is a
    switch. ``None`` when ``path`` holds no results.
    """
    from ..runs.store import ResultStore

    if not path.is_dir():
        return None
    here = ResultStore(path)
    stores = [here] if here.manifest_path.is_file() else [
        s for s in map(ResultStore, sorted(p for p in path.iterdir() if p.is_dir())) if s.manifest_path.is_file()]
    if not stores:
        return None
    root = path.parent if stores[0] is here else path
    files = []
    for store in stores:
        try:
            files.append(store.read_manifest().scenario_file)
        except (OSError, ValueError, TypeError):   # unreadable: the hint names no file
            files.append(None)
    scenario = " ".join(f for f in files if f) or "SCENARIO.yaml"
    return (f"{path}: is a folder of results, not a scenario file; to finish the run saved there: "
            f"presale compare {scenario} --out {root} --resume")


def resolve_executor(executor: str | None, *, scheduler: str | None, workers: int | None) -> str:
    """The executor to use: ``--scheduler`` alone implies ``dask``.

    Raises
    ------
    PresaleError
        An unknown executor, ``--scheduler`` with ``--executor local``, or
        ``--workers`` with ``--scheduler`` (a running cluster has its own workers).
    """
    if executor is None:
        executor = "dask" if scheduler is not None else "local"
    if executor not in EXECUTORS:
        raise PresaleError(f"--executor: unknown executor '{executor}'; use 'local' or 'dask'")
    if scheduler is not None and executor != "dask":
        raise PresaleError("--scheduler is the address of a Dask scheduler; it needs --executor dask "
                           "(or leave --executor out)")
    if scheduler is not None and workers is not None:
        raise PresaleError("--workers sets the size of the local pool or local Dask cluster; with "
                           "--scheduler the cluster's own workers run the replications")
    return executor


def _executor(kind: str, workers: int | None, scheduler: str | None, stack: contextlib.ExitStack):
    if kind == "local":
        return None
    from ..runs.executors import dask_executor

    return stack.enter_context(dask_executor(scheduler=scheduler, workers=workers))


def _executor_label(kind: str, scheduler: str | None) -> str:
    """The executor as recorded in the manifest."""
    if kind != "dask":
        return kind
    return f"dask ({scheduler})" if scheduler is not None else "dask (local cluster)"


def _write(study, out_dir: Path) -> None:
    from ..runs.io import write_bundle
    from ..report import write_report

    write_bundle(out_dir, outcomes=study.outcomes, trajectories=study.trajectories, summary=study.summary,
                 comparison=study.comparison, manifest=None,
                 failures=study.failures if len(study.failures) else None)
    if study.outcomes.empty:
        return
    write_report(out_dir, outcomes=study.outcomes, trajectories=study.trajectories, summary=study.summary,
                 risk=study.risk, comparison=study.comparison, warnings=study.warnings, gates=study.gates,
                 meta=study.meta, rule=study.scenario.decision)


def _shared_names(files: list[Path], scenarios: list, out: Path) -> list[str]:
    """A message for each pair of files whose results would collide: the same file name (one
    results folder) or the same scenario ``name`` (one JUnit suite, one summary heading)."""
    messages, stems, names = [], {}, {}
    for path, sc in zip(files, scenarios):
        if path.stem in stems:
            messages.append(f"{stems[path.stem]} and {path} share the file name '{path.stem}', so both would "
                            f"write to {out / path.stem}; rename one (or compare them in two runs with "
                            "different --out); nothing was run")
        elif sc.name in names:
            messages.append(f"{names[sc.name]} and {path} both have name: '{sc.name}', so their gates and "
                            "summaries would be mixed up; give one of them another name; nothing was run")
        stems.setdefault(path.stem, path)
        names.setdefault(sc.name, path)
    return messages


def _stopped(study, path: Path, out_dir: Path, *, resume: str, err: Callable) -> int:
    """A run cut short (Ctrl-C, results that could not be saved): write what finished as a report
    marked incomplete (when the disk allows), say how to finish it; exit code 3."""
    why = study.stopped or "interrupted"
    kept = f"{study.meta['replications']} of {study.meta['n_expected']} replications finished and are kept"
    if not study.outcomes.empty and study.stopped is None:
        study.meta["resume_hint"] = resume
        try:
            _write(study, out_dir)
            kept += f"; partial report, marked incomplete: {out_dir / 'report.html'}"
        except OSError as e:
            kept += f" (the partial report could not be written: {e.strerror or e})"
    err(f"{path}: {why}; {kept}; to finish: {resume}")
    return 3


def run_compare(files: list[Path], scenarios: list, *, replications, workers, population, seed, out: Path,
                gates: tuple[str, ...], junit_xml: Path | None, summary_md: Path | None, resume: bool,
                executor: str | None, scheduler: str | None, quiet: bool, override: Callable,
                echo: Callable, err: Callable) -> int:
    """Run the batch; return the exit code."""
    from ..analysis.gates import GateSyntaxError, parse_gates

    try:
        executor = resolve_executor(executor, scheduler=scheduler, workers=workers)
    except PresaleError as e:
        err(str(e))
        return 2
    try:
        parse_gates(list(gates))
        for path, sc in zip(files, scenarios):
            try:
                parse_gates(list(sc.gates))
            except GateSyntaxError as e:
                raise GateSyntaxError(f"{path}: gates: {e}") from None
    except GateSyntaxError as e:
        err(str(e))
        return 2
    from ..report.junit import junit_xml as to_junit
    from .progress_bar import ProgressBar
    from ..report import decision_box, headline_table, markdown_summary, report_decision
    from ..analysis.study import AllRunsFailed, StudySettings, compare_strategies
    from ..runs.dispatch import shared_pool, stop_workers

    clashes = _shared_names(files, scenarios, out)
    for clash in clashes:
        err(clash)
    if clashes:
        return 2
    gate_frames, incomplete, summaries, any_gate_failed = {}, {}, [], False
    with contextlib.ExitStack() as stack:
        try:
            pool = _executor(executor, workers, scheduler, stack)
        except (PresaleError, ImportError, OSError) as e:
            err(f"cannot start the {executor} executor: {e}")
            return 2
        if pool is not None and not pool.local and not pool.n_threads:
            err(f"no Dask workers are connected to {scheduler} yet; replications start when "
                "workers join (Ctrl-C stops)")
        # With a cluster, its thread count guides the chunk size (and is recorded).
        n_workers = (pool.n_threads or workers) if pool is not None else workers
        local = n_workers or os.cpu_count() or 1
        shared = pool is None and len(files) > 1 and local > 1
        if shared:       # one local pool for every scenario: its workers start (and import) once
            n_workers, pool = local, stack.enter_context(shared_pool(local))
        for path, sc in zip(files, scenarios):
            sc = override(sc, seed=seed, population=population)
            out_dir = out / path.stem
            settings = StudySettings(
                replications=replications, workers=n_workers, executor=pool,
                executor_kind=_executor_label(executor, scheduler),
                store_dir=out_dir, resume=resume, gates=gates, progress=None if quiet else ProgressBar(sc.name),
            )
            try:
                study = compare_strategies(sc, settings, source=str(path))
            except AllRunsFailed as e:
                study = e.study
            except ResultsNotSaved as e:          # a full disk before the first chunk
                err(f"{path}: {e}; nothing was run")
                return 3
            except PresaleError as e:
                err(f"{path}: {e}")
                return 2
            for note in study.notes:
                err(f"{path}: {note}")
            if study.interrupted:
                if shared:
                    stop_workers(pool)
                return _stopped(study, path, out_dir, resume=f"presale compare {path} --out {out} --resume", err=err)
            try:
                _write(study, out_dir)
            except OSError as e:
                err(f"{path}: cannot write {e.filename or out_dir}: {e.strerror or e}; the finished "
                    f"replications are kept in {out_dir} (free space, then --resume writes the report)")
                return 3
            if study.outcomes.empty:
                first = study.failures.iloc[0]
                incomplete[sc.name] = (f"every run failed, e.g. {first['strategy']} replication "
                                       f"{first['replication']}: {first['error_type']}: {first['message']}; "
                                       f"see {out_dir}/failures.csv")
                err(f"{path}: {incomplete[sc.name]}")
                continue
            echo(f"\n{sc.name} ({path}) · {study.meta['replications']} replications · "
                 f"{study.meta['wall_time_s']:.1f} s")
            box = report_decision(study.outcomes, study.summary, comparison=study.comparison, rule=sc.decision,
                                  meta=study.meta)
            if box is not None:
                echo(decision_box(box))
            echo(headline_table(study.risk, study.comparison, baseline=sc.baseline_name, currency=sc.currency,
                                units=sc.report.money_units))
            for strategy, message in study.warnings:
                echo(f"  warning [{strategy}]: {message}")
            for row in study.gates.itertuples(index=False):
                if row.status != "pass":
                    echo(f"  GATE FAILED [{row.strategy}] {row.gate}: {row.message}")
            any_gate_failed |= study.gates_failed
            gate_frames[sc.name] = study.gates
            if not study.complete:
                n = len(study.failures)
                incomplete[sc.name] = f"{n} run(s) failed; see {out_dir}/failures.csv"
                err(f"{path}: {incomplete[sc.name]}")
            summaries.append(markdown_summary(study.risk, study.comparison, meta=study.meta,
                                              warnings=study.warnings, gates=study.gates, decision=box))
            echo(f"  report: {out_dir / 'report.html'}")
    if junit_xml is not None:
        junit_xml.write_text(to_junit(gate_frames, incomplete=incomplete), encoding="utf-8")
    if summary_md is not None:
        summary_md.write_text("\n\n".join(summaries) + "\n", encoding="utf-8")
    if incomplete:
        return 3
    return 1 if any_gate_failed else 0
