r"""Sweeps on a dask cluster: Monte-Carlo grids and grids of exact worst cases, as tidy tables.

    >>> from lyapunov import sweep
    >>> t = sweep.simulations(["cosine", "lsq"], lr=[0.01, 0.1], momentum=[0.0, 0.9],
    ...                       sigma2=[0.0, 0.1], steps=200, runs=1000, seed=0)
    >>> t.to_csv("sweep.csv"); t["empirical"], t["bound"]

Each row is one configuration: its parameters, the Monte-Carlo mean of
Y_r = (1/n) sum_{k<n} |grad f(x_k)|^2 over ``runs`` seeds, its interval at ``level``, the
certified bound, the number of diverged runs (the columns of :func:`lyapunov.confirm.confirm`).
Results equal those of one :func:`lyapunov.sim.simulate` call on the whole grid with the same
seed and engine, bit for bit, however the grid is chunked and wherever the chunks run.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable

import numpy as np

from ..objectives import make
from ..sim import METHODS
from ..sim.core import auto_engine
from ..sim.engine_numba import available as numba_available
from ..sim.memory import available_memory, check_memory
from . import cluster as _cluster
from .grid import (
    SimGrid,
    check_int,
    check_pep_memory,
    check_scheduler,
    chunks,
    default_chunk_size,
    pep_grid,
    sim_grid,
)
from .table import Table
from .tasks import pep_chunk, simulate_chunk

__all__ = ["simulations", "worst_cases"]

Progress = Callable[[int, int], None]


def _common(chunk_size, workers, scheduler, client, connect_timeout):
    if chunk_size is not None:
        chunk_size = check_int("chunk_size", chunk_size)
    if workers is not None:
        workers = check_int("workers", workers)
    if scheduler is not None:
        scheduler = check_scheduler(scheduler)
        if client is not None:
            raise ValueError("scheduler: give either a scheduler address or a client, not both")
    if (
        isinstance(connect_timeout, bool)
        or not isinstance(connect_timeout, numbers.Real)
        or not 0 < connect_timeout < float("inf")
    ):
        raise ValueError(
            f"connect_timeout: must be a number of seconds > 0, got {connect_timeout!r}"
        )
    return chunk_size, workers, scheduler


def _engine(engine: str, work: float) -> str:
    """One engine for every chunk (so that all chunks compute alike): ``auto`` is
    :func:`lyapunov.sim.core.auto_engine` of the largest chunk's work, as in simulate."""
    if engine not in ("auto", "numpy", "numba"):
        raise ValueError(f"engine: must be 'auto', 'numpy' or 'numba', got {engine!r}")
    if engine == "numba" and not numba_available():
        raise ValueError("engine: 'numba' asked for but numba is not installed")
    if engine == "auto":
        return auto_engine(work) if numba_available() else "numpy"
    return engine


def _local_budget(tasks: int) -> tuple[float | None, str]:
    """Bytes one task of a local cluster may use (the memory available here shared by
    ``tasks`` running side by side; None where unknown) and the words saying so."""
    have = available_memory()
    return (None if have is None else have / max(1, tasks)), f" to each of {tasks} dask workers"


def _remote_budget(cl) -> tuple[float | None, str]:
    """Bytes one task may use on the workers of the client ``cl`` (their memory limit)."""
    return _cluster.worker_memory(cl), " to a task of a dask worker (its memory limit)"


def _check_sim_memory(g: SimGrid, size: int, budget: tuple[float | None, str]) -> None:
    """Simulate's memory check (ValueError naming runs or steps) for a chunk of ``size``
    configurations of each objective, before any task is sent."""
    have, where = budget
    if have is None:
        return
    for obj in g.objectives:
        ob = make(obj, g.dim) if isinstance(obj, str) else obj
        configs = min(size, g.per_objective)
        check_memory(ob, configs, g.runs, g.steps, False, g.method, have=have, where=where)


def simulations(
    objectives="cosine",
    method: str = "sgdm",
    *,
    steps: int,
    runs: int,
    lr=None,
    momentum=None,
    eta=None,
    c=None,
    sigma2=0.0,
    seed: int = 0,
    dim: int = 10,
    level: float = 0.99,
    engine: str = "auto",
    chunk_size: int | None = None,
    keep_runs: bool = False,
    client=None,
    scheduler: str | None = None,
    workers: int | None = None,
    connect_timeout: float = 10.0,
    progress: Progress | None = None,
) -> Table:
    r"""Monte-Carlo sweep of ``objectives`` x parameter values x ``sigma2`` on a dask cluster.

    Parameters of ``method`` (``lr``, ``momentum`` for ``"sgdm"``; see
    :data:`lyapunov.sim.METHODS`) and ``sigma2`` are numbers or lists of numbers; the grid is
    their cartesian product in C order (``sigma2`` varying fastest), for each objective (a
    name of :data:`lyapunov.objectives.OBJECTIVES` or an Objective). Each configuration runs
    seed indices 0..runs-1 of ``seed`` for ``steps`` steps in dimension ``dim``.

    The grid is split into chunks of ``chunk_size`` consecutive configurations of one
    objective (default: about 4 chunks per worker, at most 2e6 numbers per state array), each
    one :func:`lyapunov.sim.simulate` call on a worker. The Client: ``client`` if given, else
    one connected to ``scheduler`` (an address ``tcp://HOST:PORT``), else a local cluster of
    ``workers`` processes (default: the number of CPUs), closed afterwards. ``engine``
    (``"auto"``, ``"numpy"``, ``"numba"``) is resolved once for the whole sweep.
    ``progress(done_chunks, total_chunks)`` is called as chunks finish.

    Returns a :class:`Table`, one row per configuration in grid order: objective, method,
    parameters, sigma2, steps, runs, seed, ``empirical`` (mean of the runs that did not
    diverge), ``ci_low``/``ci_high``, ``bound`` (certified, from :mod:`lyapunov.bounds`),
    ``diverged`` and the other columns of :func:`lyapunov.confirm.confirm`. With
    ``keep_runs`` the table also has the per-run ``run_grad2`` and ``diverged_step``
    ((rows, runs) arrays). Bad input raises ValueError/TypeError naming the parameter;
    a missing dask raises ImportError saying what to install.
    """
    g = sim_grid(
        objectives,
        method,
        {"lr": lr, "momentum": momentum, "eta": eta, "c": c},
        sigma2,
        steps=steps,
        runs=runs,
        seed=seed,
        dim=dim,
        level=level,
    )
    chunk_size, workers, scheduler = _common(
        chunk_size, workers, scheduler, client, connect_timeout
    )
    if not isinstance(keep_runs, bool):
        raise TypeError(f"keep_runs: must be True or False, got {keep_runs!r}")
    _engine(engine, 0.0)  # validate before starting a cluster
    _cluster.require_dask()
    local = client is None and scheduler is None
    if local:  # refuse what would not fit before any worker starts
        n = _cluster.local_workers(workers)
        size = chunk_size or default_chunk_size(g.size, n, per_config=g.runs * g.dim)
        tasks = len(g.objectives) * len(chunks(g.per_objective, size))
        _check_sim_memory(g, size, _local_budget(min(n, tasks)))
    with _cluster.client_for(client, scheduler, workers, connect_timeout) as cl:
        if not local:
            size = chunk_size or default_chunk_size(
                g.size, _cluster.n_workers(cl), per_config=g.runs * g.dim
            )
            _check_sim_memory(g, size, _remote_budget(cl))
        args = []
        for obj in g.objectives:
            for r in chunks(g.per_objective, size):
                args.append((obj, g.method, {k: v[r.start : r.stop] for k, v in g.params.items()}))
        largest = max(len(a[2]["sigma2"]) for a in args)
        kwargs = dict(
            steps=g.steps,
            runs=g.runs,
            seed=g.seed,
            dim=g.dim,
            level=g.level,
            engine=_engine(engine, largest * g.runs * g.steps * g.dim),
            keep_runs=keep_runs,
        )
        parts = _cluster.map_chunks(cl, simulate_chunk, args, kwargs, progress)
    rows = [r for part in parts for r in part["rows"]]
    first = ("objective", "method", *METHODS[g.method], "sigma2", "steps", "runs", "seed", "dim")
    return Table(
        rows,
        first=tuple(n for n in first if n is not None),
        run_grad2=np.concatenate([p["run_grad2"] for p in parts]) if keep_runs else None,
        diverged_step=np.concatenate([p["diverged_step"] for p in parts]) if keep_runs else None,
    )


def worst_cases(
    eta,
    c,
    *,
    steps=12,
    L: float = 1.0,
    gap: float = 1.0,
    condition: str = "lower_bound",
    z_points: bool = True,
    chunk_size: int | None = None,
    client=None,
    scheduler: str | None = None,
    workers: int | None = None,
    connect_timeout: float = 10.0,
    progress: Progress | None = None,
) -> Table:
    r"""Exact worst cases (:func:`lyapunov.pep.worst_case_spa`) over eta x c x steps on dask.

    Deterministic SPA on L-smooth functions with f(x_0) - inf f <= gap (``"lower_bound"``, the
    default: the calculators' class, relaxed) or f(x_0) - f(y) <= gap at the iterates
    (``condition="iterates"``, PEPit's setup: a larger class, on which the short-horizon bound
    of the calculators, which uses inf f, may lie below the worst case). One row per point:
    eta, c, steps, L, gap, ``worst_case`` (of (1/n) sum_{k<n} |grad f(x_k)|^2; ``inf`` if
    unbounded), solver ``status`` and ``solve_time``, ``bound`` (certified, sigma2 = 0) and
    ``ratio`` = bound / worst_case (1 up to the solver's accuracy wherever measured with
    ``"lower_bound"``: the certified bound is the exact worst case there). Needs cvxpy (the
    ``search`` extra). Chunks, client, scheduler, workers and progress as in
    :func:`simulations` (default chunk: one point, since a point takes seconds to minutes).
    """
    g = pep_grid(eta, c, steps, L=L, gap=gap, condition=condition, z_points=z_points)
    chunk_size, workers, scheduler = _common(
        chunk_size, workers, scheduler, client, connect_timeout
    )
    try:
        import cvxpy  # noqa: F401
    except ImportError:
        raise ImportError(
            'worst_cases needs cvxpy, which is not installed: pip install "lyapunov[search]"'
        ) from None
    _cluster.require_dask()
    local = client is None and scheduler is None
    tasks = len(chunks(g.size, chunk_size or 1))
    if local:  # refuse what would not fit before any worker starts
        check_pep_memory(g, *_local_budget(min(_cluster.local_workers(workers), tasks)))
    with _cluster.client_for(client, scheduler, workers, connect_timeout) as cl:
        if not local:
            check_pep_memory(g, *_remote_budget(cl))
        args = [(g.eta[r], g.c[r], g.steps[r]) for r in chunks(g.size, chunk_size or 1)]
        kwargs = dict(L=g.L, gap=g.gap, condition=g.condition, z_points=g.z_points)
        parts = _cluster.map_chunks(cl, pep_chunk, args, kwargs, progress)
    return Table([r for part in parts for r in part["rows"]])
