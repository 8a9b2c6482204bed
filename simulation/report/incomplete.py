"""The notice that opens the report of a run that did not finish."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["incomplete_note"]


def incomplete_note(meta: Mapping[str, Any] | None) -> str | None:
    """One sentence saying the results are partial and how to finish them; ``None`` for a
    complete run (or metadata that does not say).

    Reads ``complete``, ``interrupted``, ``stopped`` (why it stopped, when not Ctrl-C),
    ``replications`` (finished), ``n_expected`` and ``resume_hint`` (the command that
    finishes the run) from ``meta``.
    """
    meta = meta or {}
    if meta.get("complete", True):
        return None
    done, expected = meta.get("replications"), meta.get("n_expected")
    count = f" after {done} of {expected} replications" if done is not None and expected else ""
    if meta.get("interrupted"):
        why = f"stopped ({meta['stopped']})" if meta.get("stopped") else "was interrupted"
        text = (f"INCOMPLETE: the run {why}{count}; every table and figure covers only the "
                "replications that finished.")
    else:
        text = ("INCOMPLETE: some runs failed (see failures.csv); every table and figure covers "
                "only the runs that finished.")
    hint = meta.get("resume_hint")
    return text + (f" To finish it: {hint}" if hint and meta.get("interrupted") else "")
