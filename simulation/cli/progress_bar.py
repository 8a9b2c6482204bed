"""A progress callback for terminals: one updating line, or a final line in logs."""

from __future__ import annotations

import sys
from dataclasses import replace
from typing import TextIO

from ..runs.progress import ProgressEvent, format_event

__all__ = ["ProgressBar"]


class ProgressBar:
    """Render progress events as one updating line on a stream (stderr by default),
    e.g. ``smoke: 120/200 replications · 35.2/s · ETA 2s``.

    On a terminal the line is rewritten in place (``\\r``) at every event and
    ended with a newline at the last one. On anything else (a file, a pipe, a CI
    log) only the last event is written.

    Parameters
    ----------
    label
        Text before the counts; default the event's scenario name.
    stream
        Where to write; ``None`` means ``sys.stderr`` at the time of each event.
    """

    def __init__(self, label: str | None = None, *, stream: TextIO | None = None) -> None:
        self.label = label
        self._stream = stream
        self._width = 0

    @property
    def stream(self) -> TextIO:
        """The stream written to."""
        return self._stream if self._stream is not None else sys.stderr

    def _is_tty(self) -> bool:
        isatty = getattr(self.stream, "isatty", None)
        try:
            return bool(isatty and isatty())
        except ValueError:  # closed stream
            return False

    def __call__(self, event: ProgressEvent) -> None:
        line = format_event(event if self.label is None else replace(event, scenario=self.label))
        if self._is_tty():
            pad = " " * max(0, self._width - len(line))
            self._width = len(line)
            self.stream.write("\r" + line + pad + ("\n" if event.finished else ""))
        elif event.finished:
            self.stream.write(line + "\n")
        else:
            return
        self.stream.flush()
