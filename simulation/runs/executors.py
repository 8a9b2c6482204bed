"""Executors for many replications: a Dask cluster behind the standard
``concurrent.futures`` interface, so the runner treats it like a process pool.

Dask is an optional extra (``pip install '.[dask]'``) and is imported only when
an executor is started, so that importing this module, or ``presale --help``,
never loads it. Results do not depend on the executor: random streams are keyed
by replication, never by worker (see :mod:`simulation.runs.execution`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from importlib import metadata
from typing import Any

from ..errors import PresaleError

__all__ = ["DaskExecutor", "dask_executor", "DASK_INSTALL_HINT", "CONNECT_TIMEOUT_S"]

DASK_INSTALL_HINT = "pip install '.[dask]' (or pip install 'presale-sim[dask]')"
CONNECT_TIMEOUT_S = 10.0
"""Seconds to wait for a scheduler before giving up with a clear message."""
DISTRIBUTION = "presale-sim"


class DaskExecutor(Executor):
    """A ``concurrent.futures`` executor on a Dask cluster, with what the runner
    may want to know about it.

    Only ``submit`` (and ``shutdown``) are provided; futures are standard
    :class:`concurrent.futures.Future` objects, so ``as_completed`` works.

    Attributes
    ----------
    address
        The scheduler's address.
    n_threads
        Worker threads connected when the executor started (0 if none yet).
    local
        Whether the cluster was started by :func:`dask_executor` itself.
    """

    def __init__(self, inner: Executor, *, address: str, n_threads: int, local: bool) -> None:
        self._inner, self.address, self.n_threads, self.local = inner, address, n_threads, local

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        """Run ``fn(*args, **kwargs)`` on a worker."""
        return self._inner.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Stop accepting work (the cluster itself is closed by :func:`dask_executor`)."""
        self._inner.shutdown(wait=wait and not cancel_futures)

    def __repr__(self) -> str:
        kind = "local cluster" if self.local else "scheduler"
        return f"DaskExecutor({kind} {self.address}, {self.n_threads} threads)"


def dask_setup(worker: object) -> None:
    """Preload hook of the local cluster's worker processes: Ctrl-C reaches the
    whole process group, but only the parent handles it (it cancels the tasks and
    closes the cluster), as the workers of the local process pool do."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


LOCAL_WORKER_CONFIG = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}
"""Dask configuration of the local cluster's workers. Dask starts workers with
``MALLOC_TRIM_THRESHOLD_=65536``, which also turns off glibc's adaptive mmap
threshold: every large NumPy temporary is then mapped and unmapped afresh, which
costs this workload about eight times the page faults and a quarter more CPU time
than the local process pool. The workers keep glibc's defaults, as pool workers do."""

STOP_GRACE_S = 1.0
"""Seconds a local worker gets to finish before it is killed when the cluster closes."""


def _stop_local_workers(cluster) -> None:
    """Stop the local cluster's workers, killing within :data:`STOP_GRACE_S` any that
    still compute a chunk nobody waits for (after Ctrl-C); idle ones stop at once.
    Dask's own close would give each of them 4 s."""

    async def close_all() -> None:
        await asyncio.gather(*(nanny.close(timeout=STOP_GRACE_S / 0.8)
                               for nanny in list(cluster.workers.values())))

    cluster.sync(close_all)


def _import_distributed():
    try:
        import distributed
    except ImportError as err:
        raise PresaleError(f"the Dask executor needs the optional extra: {DASK_INSTALL_HINT} "
                           f"({err})") from err
    return distributed


def _remote_versions(client) -> dict[str, str]:
    """presale-sim version (or what went wrong) on the scheduler and each connected
    worker: the scheduler unpickles the tasks too, so it needs the package as well."""

    def shown(answer: object) -> str:
        return answer if isinstance(answer, str) else f"not installed ({type(answer).__name__})"

    try:
        versions = {"scheduler": shown(client.run_on_scheduler(metadata.version, DISTRIBUTION))}
    except Exception as err:
        versions = {"scheduler": shown(err)}
    answers = client.run(metadata.version, DISTRIBUTION, on_error="return")
    return versions | {worker: shown(answer) for worker, answer in sorted(answers.items())}


def _local_version() -> str | None:
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return None


def _check_versions(client, address: str) -> None:
    mine = _local_version()
    if mine is None:  # pragma: no cover
        return
    wrong = {where: v for where, v in _remote_versions(client).items() if v != mine}
    if wrong:
        listed = "; ".join(f"{where}: {v}" for where, v in wrong.items())
        raise PresaleError(f"the scheduler and workers of {address} must run presale-sim {mine}, the "
                           f"version here; found {listed}. Install the same version on every machine.")


def _unreachable(scheduler: str, why: str) -> PresaleError:
    return PresaleError(f"cannot reach the Dask scheduler at {scheduler}: {why}; check the address and "
                        "that the scheduler is running ('dask scheduler' prints it as 'Scheduler at: tcp://...')")


async def _identity(rpc, address: str, timeout_s: float) -> dict:
    async with rpc(address, timeout=timeout_s) as scheduler:
        return await asyncio.wait_for(scheduler.identity(), timeout_s)


def _probe(scheduler: str, timeout_s: float) -> None:
    """Check that a Dask scheduler answers at ``scheduler`` before a client is built.

    A failed :class:`distributed.Client` lingers and blocks the interpreter's exit,
    and Dask retries a refused connection until its timeout; a plain socket and one
    ``identity`` call fail fast with a message that says what is wrong.
    """
    from distributed.comm.addressing import parse_address, parse_host_port
    from distributed.core import rpc

    try:
        scheme, location = parse_address(scheduler)
        host, port = parse_host_port(location)
    except (ValueError, TypeError) as err:
        raise PresaleError(f"--scheduler '{scheduler}' is not a Dask scheduler address ({err}); "
                           "expected tcp://HOST:PORT, e.g. tcp://10.0.0.5:8786") from err
    if scheme not in ("tcp", "tls"):  # ucx://, inproc://: leave them to the client
        return
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            pass
    except socket.gaierror as err:
        raise _unreachable(scheduler, f"unknown host '{host}' ({err.strerror})") from err
    except ConnectionRefusedError as err:
        raise _unreachable(scheduler, f"nothing listens on port {port} of {host} (connection refused)") from err
    except TimeoutError as err:
        raise _unreachable(scheduler, f"no answer within {timeout_s:g} s") from err
    except OSError as err:
        raise _unreachable(scheduler, err.strerror or str(err)) from err
    if scheme == "tls":  # the client brings the TLS settings of the Dask configuration
        return
    try:
        # In a thread of its own: the caller may be inside a running event loop (Jupyter).
        with ThreadPoolExecutor(1) as thread:
            identity = thread.submit(asyncio.run, _identity(rpc, scheduler, timeout_s)).result()
    except TimeoutError as err:
        raise _unreachable(scheduler, f"the service there did not answer within {timeout_s:g} s") from err
    except Exception as err:  # another service answers with bytes Dask cannot decode
        identity = {"type": f"something else ({type(err).__name__}: {err})"}
    kind = identity.get("type") if isinstance(identity, dict) else repr(identity)
    if kind != "Scheduler":
        raise PresaleError(f"the service at {scheduler} is not a Dask scheduler: {kind}; give the "
                           "scheduler's own port (usually 8786, not the dashboard's 8787)")


def _connect(distributed, scheduler: str, timeout_s: float):
    _probe(scheduler, timeout_s)
    try:
        return distributed.Client(scheduler, timeout=timeout_s, set_as_default=False)
    except (OSError, TimeoutError) as err:
        raise _unreachable(scheduler, str(err)) from err
    except Exception as err:  # e.g. tls:// without TLS settings in the Dask configuration
        raise PresaleError(f"cannot connect to the Dask scheduler at {scheduler}: "
                           f"{type(err).__name__}: {err}") from err


@contextlib.contextmanager
def dask_executor(*, scheduler: str | None = None, workers: int | None = None,
                  connect_timeout_s: float = CONNECT_TIMEOUT_S,
                  check_versions: bool = True) -> Iterator[DaskExecutor]:
    """A ``concurrent.futures`` executor on a Dask distributed cluster.

    Parameters
    ----------
    scheduler
        Address of a running scheduler (``tcp://host:8786``); ``None`` starts a
        local cluster of ``workers`` single-threaded worker processes (no
        dashboard, listening on 127.0.0.1 only), closed on exit.
    workers
        Worker processes of the local cluster (default: one per core). Not
        allowed with ``scheduler``: a running cluster has its own workers.
    connect_timeout_s
        Seconds to wait for ``scheduler`` to answer.
    check_versions
        Refuse a cluster whose connected workers do not run this presale-sim
        version (their results could differ).

    Raises
    ------
    PresaleError
        Dask is not installed; the scheduler is unreachable or not a scheduler;
        a worker runs another presale-sim version; ``workers`` with ``scheduler``.
    """
    if scheduler is not None and workers is not None:
        raise PresaleError("workers sets the size of a local Dask cluster; a cluster reached through "
                           "a scheduler runs on its own workers")
    distributed = _import_distributed()
    import dask.config  # after distributed, whose defaults it then holds

    with contextlib.ExitStack() as stack:
        if scheduler is None:
            try:
                with dask.config.set(LOCAL_WORKER_CONFIG):  # read when the workers start
                    cluster = distributed.LocalCluster(
                        n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                        dashboard_address=None, silence_logs=logging.ERROR, preload=[__name__],
                        # No dashboard; the scheduler's health endpoint on any free port, so a
                        # second cluster does not warn that port 8787 is taken.
                        scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"})
            except Exception as err:
                raise PresaleError(f"could not start a local Dask cluster: {type(err).__name__}: {err}") from err
            stack.enter_context(cluster)
            stack.callback(_stop_local_workers, cluster)
            client = stack.enter_context(distributed.Client(cluster, set_as_default=False))
        else:
            client = stack.enter_context(_connect(distributed, scheduler, connect_timeout_s))
            if check_versions:
                _check_versions(client, scheduler)
        n_threads = sum(client.nthreads().values())
        yield DaskExecutor(client.get_executor(pure=False), address=client.scheduler.address,
                           n_threads=n_threads, local=scheduler is None)
