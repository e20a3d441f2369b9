"""The dask side: a Client (given, at an address, or a local cluster) and mapping chunks on it.

dask and distributed are optional (``pip install "lyapunov[sweep]"``); without them
:func:`require_dask` raises ``ImportError`` with that one-line instruction.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable, Iterator

__all__ = [
    "MISSING",
    "require_dask",
    "client_for",
    "local_cluster",
    "local_workers",
    "worker_memory",
    "map_chunks",
]

MISSING = (
    "lyapunov.sweep needs dask and distributed, which are not installed: "
    'pip install "lyapunov[sweep]"'
)


def require_dask():
    """The ``distributed`` module, or ImportError(MISSING) when dask is missing."""
    try:
        import dask  # noqa: F401
        import distributed
    except ImportError:
        raise ImportError(MISSING) from None
    return distributed


@contextlib.contextmanager
def client_for(
    client=None,
    scheduler: str | None = None,
    workers: int | None = None,
    connect_timeout: float = 10.0,
) -> Iterator:
    """A dask Client for the sweep, closed afterwards if this function made it.

    ``client``: use it as is. ``scheduler``: connect to that address (ValueError naming it
    when nothing answers, or no worker has joined, within ``connect_timeout`` seconds).
    Otherwise :func:`local_cluster` of ``workers`` processes (default: the number of CPUs).
    """
    distributed = require_dask()
    if client is not None:
        yield client
        return
    if scheduler is not None:
        try:
            c = distributed.Client(scheduler, timeout=f"{connect_timeout}s")
        except (OSError, TimeoutError) as exc:
            why = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise ValueError(
                f"scheduler: no dask scheduler answered at {scheduler} "
                f"within {connect_timeout:g} s ({why})"
            ) from None
        try:
            try:
                c.wait_for_workers(1, timeout=connect_timeout)
            except (OSError, TimeoutError):
                raise ValueError(
                    f"scheduler: the dask scheduler at {scheduler} has no workers "
                    f"(none joined within {connect_timeout:g} s)"
                ) from None
            yield c
        finally:
            c.close()
        return
    with local_cluster(workers) as cluster, distributed.Client(cluster) as c:
        yield c


def local_workers(workers: int | None = None) -> int:
    """The worker processes of a local cluster: ``workers``, default the number of CPUs."""
    return workers or os.cpu_count() or 1


def worker_memory(client) -> float | None:
    """Bytes one task may use on the workers of ``client``: the smallest memory limit of a
    worker divided by its threads (tasks running side by side), or None where a worker
    reports no limit."""
    infos = list(client.scheduler_info().get("workers", {}).values())
    if not infos or any(not w.get("memory_limit") for w in infos):
        return None
    return min(w["memory_limit"] / max(1, w.get("nthreads") or 1) for w in infos)


_TRIM = "MALLOC_TRIM_THRESHOLD_"


def local_cluster(workers: int | None = None):
    """A ``distributed.LocalCluster`` of ``workers`` processes (default: the number of CPUs),
    one thread each, no dashboard, no logs below CRITICAL (an error of a task is raised by
    :func:`map_chunks`, not logged by a worker); use it as a context manager.

    dask's nanny starts workers with glibc's ``MALLOC_TRIM_THRESHOLD_=65536``, which also
    fixes the mmap threshold at 128 KiB: every numpy temporary above it is mapped and unmapped
    (page faults), and a simulation chunk took 4x the CPU time of the same call in one
    process. These workers are started without it (a value set in your shell is kept).
    """
    import dask

    distributed = require_dask()
    key = f"distributed.nanny.pre-spawn-environ.{_TRIM}"
    dask_value = dask.config.get(key, None)
    saved = os.environ.get(_TRIM)
    if saved is not None and dask_value is not None and saved == str(dask_value):
        del os.environ[_TRIM]  # left there by an earlier nanny of this process
    _start_resource_tracker()
    try:
        with dask.config.set({key: None}):
            return distributed.LocalCluster(
                n_workers=local_workers(workers),
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                scheduler_kwargs={"dashboard_address": ":0"},  # health checks: any free port
                silence_logs=logging.CRITICAL,
            )
    finally:
        if saved is not None:
            os.environ[_TRIM] = saved


def _start_resource_tracker() -> None:
    """Start multiprocessing's resource tracker now, keeping this thread's signal mask.

    Started lazily by the first spawned process, it unblocks SIGINT in the thread that
    spawns it (``multiprocessing.resource_tracker``), so every worker spawned later from that
    thread would take a terminal's Ctrl-C and print a KeyboardInterrupt traceback where the
    command had blocked SIGINT for its processes (:mod:`lyapunov.cli.interrupt`). The workers
    share this tracker, so none starts another.
    """
    import signal
    from multiprocessing import resource_tracker

    if not hasattr(signal, "pthread_sigmask"):
        return
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, ())
    try:
        resource_tracker.ensure_running()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)


def n_workers(client) -> int:
    """Workers currently known to the scheduler of ``client`` (at least 1)."""
    return max(1, len(client.scheduler_info().get("workers", {})))


def map_chunks(
    client,
    fn: Callable,
    args: list[tuple],
    kwargs: dict,
    progress: Callable[[int, int], None] | None = None,
) -> list:
    """``[fn(*a, **kwargs) for a in args]`` computed on ``client``, in the order of ``args``.

    ``progress(done, total)`` is called once with 0 and after each finished chunk. An error in
    a task is raised here (the first one), the other tasks are cancelled.
    """
    distributed = require_dask()
    total = len(args)
    if progress is not None:
        progress(0, total)
    futures = [client.submit(fn, *a, **kwargs, pure=False) for a in args]
    index = {f.key: i for i, f in enumerate(futures)}
    out: list = [None] * total
    try:
        for done, fut in enumerate(distributed.as_completed(futures), start=1):
            try:
                out[index[fut.key]] = fut.result()
            except ImportError as exc:  # e.g. lyapunov missing on a remote worker
                raise ImportError(
                    f"a dask worker could not import what the sweep needs ({exc}): install "
                    "lyapunov, with the same extras, on every worker"
                ) from None
            if progress is not None:
                progress(done, total)
    finally:
        client.cancel([f for f in futures if not f.done()])
    return out
