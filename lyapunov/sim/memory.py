"""The memory a simulation needs, estimated before anything is allocated
(:func:`memory_estimate`), and the refusal of one that would not fit (:func:`check_memory`:
one line naming ``runs`` or ``steps``, the estimate, what is available and how many would fit).
"""

from __future__ import annotations

import os

import numpy as np

from ..objectives import Objective
from .forms import CODES, GSPA

__all__ = [
    "memory_estimate",
    "available_memory",
    "check_memory",
    "objective_bytes_per_run",
    "STATE_ARRAYS",
    "RUN_ARRAYS",
    "GSPA_STATE_ARRAYS",
]

#: float64 arrays of shape (P, runs, dim) alive at once at the peak of a numpy-engine step
#: besides the objective's own temporaries (x, the second state, the noise and its counters,
#: the noisy gradient, the two updated states, np.where copies), and of shape (P, runs)
#: (per-run records and masks); measured with tracemalloc on every objective, rounded up
STATE_ARRAYS, RUN_ARRAYS = 15, 12
#: the GSPA kernel keeps y_k = (1 - beta) z_k + beta x_k alive besides, and one temporary of
#: building it (measured the same way)
GSPA_STATE_ARRAYS = STATE_ARRAYS + 2


def objective_bytes_per_run(objective: Objective) -> int:
    """Peak bytes of one call of ``objective.grad`` and ``objective.f`` per run (measured on 64
    runs with tracemalloc; 4 arrays of dim floats where tracing is already on elsewhere)."""
    import tracemalloc

    d = objective.dim
    if tracemalloc.is_tracing():
        return 4 * 8 * d
    X = np.broadcast_to(np.asarray(objective.x0(), dtype=float), (1, 64, d)).copy()
    tracemalloc.start()
    try:
        with np.errstate(all="ignore"):
            objective.grad(X)
            objective.f(X)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return int(np.ceil(peak / 64))


def memory_estimate(
    configs: int,
    runs: int,
    dim: int,
    steps: int,
    trajectory: bool,
    objective_bytes: int = 0,
    method: str | None = None,
    state_vectors: int | None = None,
) -> int:
    """Bytes a simulation needs at its peak (an estimate erring on the large side):

    8 (15 P S d + 12 P S + 6 P n) + P S objective_bytes  (+ 8 (n + 1) P S d with
    ``trajectory``), for P configurations, S runs, dim d, n steps, and ``objective_bytes`` the
    objective's own temporaries per run (:func:`objective_bytes_per_run`); 17 P S d instead
    of 15 for a ``method`` run by the GSPA kernel (nesterov, qhm, schedule_free, gspa).
    """
    P, S, d, n = configs, runs, dim, steps
    arrays = GSPA_STATE_ARRAYS if CODES.get(method) == GSPA else STATE_ARRAYS
    if state_vectors is not None:  # a method run from its matrices: state, next state, einsums
        arrays = max(arrays, 4 * state_vectors + 8)
    total = 8 * (arrays * P * S * d + RUN_ARRAYS * P * S + 6 * P * n)
    total += P * S * objective_bytes
    if trajectory:
        total += 8 * (n + 1) * P * S * d
    return total


def available_memory() -> int | None:
    """Bytes of memory available now (MemAvailable of /proc/meminfo, else the free physical
    pages), or None where the system does not say."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, OSError, ValueError):
        return None


def _gb(b: float) -> str:
    return f"{b / 1e9:.3g} GB"


def _fit(need_at, have: float, low: int = 1) -> int:
    """The largest integer v >= low with ``need_at(v) <= have`` (``need_at`` affine and
    increasing in v), or ``low - 1`` if none."""
    a = need_at(0)
    slope = need_at(1) - a
    if slope <= 0:
        return low if a <= have else low - 1
    v = int((have - a) // slope)
    return v if v >= low else low - 1


def check_memory(
    objective: Objective,
    configs: int,
    runs: int,
    steps: int,
    trajectory: bool,
    method: str | None = None,
    state_vectors: int | None = None,
    *,
    have: float | None = None,
    where: str = "",
) -> None:
    """ValueError if the simulation would not fit in the memory available (``have`` bytes,
    default :func:`available_memory`; ``where`` says whose memory, e.g. " per dask worker").

    The need is :func:`memory_estimate`: a part growing with the runs (the state arrays of
    runs x dim numbers, or the trajectory) and a part growing with the steps (the per-step
    records). The message names ``runs`` or ``steps``, whichever part is the larger, with
    the product steps x runs x dim and how many would fit with the other held fixed.
    """
    dim = objective.dim
    have = available_memory() if have is None else have
    m = {"method": method, "state_vectors": state_vectors}
    if have is None or memory_estimate(configs, runs, dim, steps, trajectory, **m) <= have / 2:
        return  # clearly fits: no need to measure the objective
    ob = objective_bytes_per_run(objective)

    def need(r: int, n: int) -> int:
        return memory_estimate(configs, r, dim, n, trajectory, ob, **m)

    total = need(runs, steps)
    if total <= have:
        return
    by_steps = need(0, steps) - need(0, 0)  # the per-step records alone
    name = "steps" if 2 * by_steps >= total else "runs"  # the larger part of the need
    other = "runs" if name == "steps" else "steps"
    value, held = (steps, runs) if name == "steps" else (runs, steps)

    def need_at(v: int, w: int = held) -> int:
        return need(w, v) if name == "steps" else need(v, w)

    fit = _fit(need_at, have)
    hint = f"use at most about {_count(fit, name)} with {_count(held, other)}"
    if fit < 1:  # the other part alone is too large
        most = _fit(lambda v: need_at(v, 1), have)
        hint = f"use fewer {other}, and at most about {_count(most, name)}"
    raise ValueError(
        f"{name}: {_count(value, name)} x {_count(held, other)} x {configs} configuration(s) "
        f"x dim {dim}"
        + (f" x {steps + 1} recorded steps" if trajectory else "")
        + f" need about {_gb(total)} of memory, more than the {_gb(have)} available{where}; "
        + hint
    )


def _count(n: int, plural: str) -> str:
    """``_count(1, "runs")`` = "1 run", ``_count(5, "runs")`` = "5 runs"."""
    return f"{n} {plural[:-1] if n == 1 else plural}"
