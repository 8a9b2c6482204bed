"""Executors for many replications: a Dask cluster behind the standard
``concurrent.futures`` interface, so the runner treats it like a process pool."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from concurrent.futures import Executor

from .errors import PresaleError

__all__ = ["dask_executor"]


@contextlib.contextmanager
def dask_executor(*, scheduler: str | None = None, workers: int | None = None) -> Iterator[Executor]:
    """A ``concurrent.futures`` executor on a Dask distributed cluster.

    Parameters
    ----------
    scheduler
        Address of a running scheduler (``tcp://host:8786``); ``None`` starts a
        local cluster of ``workers`` single-threaded worker processes.
    workers
        Workers of the local cluster (default: all cores).
    """
    try:
        from distributed import Client, LocalCluster
    except ImportError as err:  # pragma: no cover - depends on the install
        raise PresaleError("the Dask executor needs the optional extra: pip install '.[dask]'") from err
    with contextlib.ExitStack() as stack:
        if scheduler is None:
            cluster = stack.enter_context(LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None))
            client = stack.enter_context(Client(cluster))
        else:
            client = stack.enter_context(Client(scheduler, timeout="20s"))
        executor = client.get_executor(pure=False)
        yield executor
