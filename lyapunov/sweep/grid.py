r"""Grids of a sweep: validated at the boundary, expanded to configurations, split into chunks.

A Monte-Carlo grid is the cartesian product

    objectives x values of the method's parameters (e.g. lr x momentum) x sigma2,

each configuration run for ``runs`` seed indices 0..runs-1 (the same seeds for every
configuration: common random numbers, as in :func:`lyapunov.sim.simulate`). A grid of exact
worst cases is eta x c x steps (:mod:`lyapunov.pep`). Chunks are consecutive configurations
(in C order) of one objective, so a chunk is one call of ``simulate`` with a (P, 1) grid.

Every check names the parameter and the allowed values (``lr: must be > 0, got -0.1``), as
:mod:`lyapunov.validate` does for the rest of the package.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..objectives import OBJECTIVES, Objective
from ..sim import METHODS, grid
from ..validate import check_range, check_steps

__all__ = [
    "SimGrid",
    "PepGrid",
    "sim_grid",
    "pep_grid",
    "chunks",
    "check_int",
    "check_scheduler",
    "pep_bytes",
    "check_pep_memory",
]

#: at most this many float64 numbers per state array of one chunk (configs x runs x dim)
CHUNK_ELEMENTS = 2_000_000
#: one exact worst case (:func:`lyapunov.pep.pep_spa`: cvxpy and CLARABEL) needs at most
#: PEP_BASE + PEP_PER_POINT m^4 bytes for m gradient points (:func:`pep_bytes`): its
#: interpolation conditions are m^2 rows over a Gram matrix of about m^2 entries (peak resident
#: memory measured at 4 to 30 steps, with and without z points; 470 MB at 30 steps, m = 61)
PEP_BASE, PEP_PER_POINT = 2e8, 40


def check_int(name: str, value, low: int = 1) -> int:
    """An integer >= ``low`` (booleans and floats refused)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise ValueError(f"{name}: must be an integer >= {low}, got {value!r}")
    return int(value)


def _values(name: str, values, rule: str | None = None) -> np.ndarray:
    """A non-empty 1-D array of valid values of parameter ``name`` (a number or a list)."""
    a = check_range(name, values, rule)
    if a.ndim > 1:
        raise ValueError(f"{name}: must be a number or a list of numbers, got shape {a.shape}")
    return np.atleast_1d(a)


@dataclass(frozen=True)
class SimGrid:
    """A validated Monte-Carlo grid. ``configs[i]`` = (objective, {parameter: value})."""

    method: str
    objectives: tuple[str | Objective, ...]
    params: dict[str, np.ndarray]  # parameter -> (P,) values in C order (sigma2 last)
    steps: int
    runs: int
    seed: int
    dim: int
    level: float

    @property
    def names(self) -> list[str]:
        return list(self.params)

    @property
    def per_objective(self) -> int:
        return int(next(iter(self.params.values())).size)

    @property
    def size(self) -> int:
        return len(self.objectives) * self.per_objective


def _objective(value) -> str | Objective:
    if isinstance(value, Objective):
        return value
    if not isinstance(value, str) or value not in OBJECTIVES:
        raise ValueError(f"objectives: unknown name {value!r}, choose from {sorted(OBJECTIVES)}")
    return value


def sim_grid(
    objectives,
    method: str,
    values: dict[str, object],
    sigma2,
    *,
    steps: int,
    runs: int,
    seed: int,
    dim: int,
    level: float,
) -> SimGrid:
    """Validate a Monte-Carlo grid; ``values`` maps the method's parameters to their values."""
    if isinstance(objectives, (str, Objective)):
        objectives = [objectives]
    if not isinstance(objectives, Sequence) or not objectives:
        raise ValueError(f"objectives: must be a name or a non-empty list, got {objectives!r}")
    objs = tuple(_objective(o) for o in objectives)
    if method not in METHODS:
        raise ValueError(f"method: unknown method {method!r}, choose from {sorted(METHODS)}")
    wanted = [n for n in METHODS[method] if n is not None]
    for name, v in values.items():
        if v is not None and name not in wanted:
            raise ValueError(
                f"{name}: not a parameter of method {method!r} (it takes {', '.join(wanted)})"
            )
    for name in wanted:
        if values.get(name) is None:
            raise ValueError(f"{name}: required by method {method!r}")
    lists = {name: _values(name, values[name]) for name in wanted}
    lists["sigma2"] = _values("sigma2", sigma2)
    if not (isinstance(level, numbers.Real) and 0 < level < 1):
        raise ValueError(f"level: must be in (0, 1), got {level!r}")
    runs = check_int("runs", runs, 2)
    return SimGrid(
        method=method,
        objectives=objs,
        params={k: v.ravel() for k, v in grid(**lists).items()},
        steps=check_int("steps", steps),
        runs=runs,
        seed=check_int("seed", seed, 0),
        dim=check_int("dim", dim),
        level=float(level),
    )


@dataclass(frozen=True)
class PepGrid:
    """A validated grid of exact worst cases: eta x c x steps at one L, gap and condition."""

    eta: np.ndarray
    c: np.ndarray
    steps: np.ndarray
    L: float
    gap: float
    condition: str
    z_points: bool

    @property
    def size(self) -> int:
        return self.eta.size


def pep_grid(eta, c, steps, *, L, gap, condition: str, z_points: bool) -> PepGrid:
    """Validate a grid of worst cases (the product eta x c x steps, in C order)."""
    e, cc = _values("eta", eta), _values("c", c)
    n = np.atleast_1d(check_steps(steps))
    if n.ndim > 1:
        raise ValueError(f"steps: must be an integer or a list of integers, got shape {n.shape}")
    L = float(check_range("L", L))
    gap = float(check_range("gap", gap))
    if condition not in ("iterates", "lower_bound"):
        raise ValueError(f"condition: must be 'iterates' or 'lower_bound', got {condition!r}")
    if not isinstance(z_points, bool):
        raise TypeError(f"z_points: must be True or False, got {z_points!r}")
    g = grid(eta=e, c=cc, steps=n)
    return PepGrid(
        eta=g["eta"].ravel(),
        c=g["c"].ravel(),
        steps=g["steps"].ravel().astype(int),
        L=L,
        gap=gap,
        condition=condition,
        z_points=z_points,
    )


def pep_bytes(steps: int, z_points: bool) -> float:
    """Memory of one exact worst case of SPA after ``steps`` steps (an estimate erring on the
    large side): PEP_BASE + PEP_PER_POINT m^4 bytes, m = steps + 1 gradient points x_0..x_n,
    plus z_1..z_n with ``z_points``."""
    m = steps + 1 + (steps if z_points else 0)
    return PEP_BASE + PEP_PER_POINT * float(m) ** 4


def check_pep_memory(g: PepGrid, have: float | None, where: str = "") -> None:
    """ValueError naming ``steps`` if the largest worst case of ``g`` would not fit in
    ``have`` bytes (None: unknown, no check); ``where`` says whose memory."""
    n = int(g.steps.max())
    need = pep_bytes(n, g.z_points)
    if have is None or need <= have:
        return
    room = (have - PEP_BASE) / PEP_PER_POINT  # m^4 at most
    points = int(room**0.25) if room > 0 else 0
    fit = max(0, (points - 1) // (2 if g.z_points else 1))  # m = fit + 1 (+ fit)
    hint = f"use at most about {fit} steps" if fit else "no worst case fits"
    raise ValueError(
        f"steps: an exact worst case of {n} steps needs about {need / 1e9:.3g} GB of memory "
        f"(it grows as steps^4), more than the {have / 1e9:.3g} GB available{where}; {hint}"
    )


def chunks(size: int, chunk_size: int) -> list[range]:
    """Consecutive index ranges of at most ``chunk_size`` covering 0..size-1."""
    return [range(i, min(i + chunk_size, size)) for i in range(0, size, chunk_size)]


def default_chunk_size(size: int, workers: int, per_config: int = 1) -> int:
    """About 4 chunks per worker (load balance), and at most ``CHUNK_ELEMENTS`` numbers per
    state array (``per_config`` = runs x dim numbers per configuration)."""
    by_balance = math.ceil(size / (4 * max(1, workers)))
    by_memory = max(1, CHUNK_ELEMENTS // max(1, per_config))
    return max(1, min(by_balance, by_memory))


_ADDRESS = re.compile(r"^(?:(tcp|tls|ws|wss|ucx)://)?(\[[0-9a-fA-F:]+\]|[A-Za-z0-9_.\-]+):(\d+)$")


def check_scheduler(address) -> str:
    """A dask scheduler address ``[PROTOCOL://]HOST:PORT`` (PROTOCOL tcp, tls, ws, wss, ucx)."""
    m = _ADDRESS.match(address) if isinstance(address, str) else None
    if m is None or not 0 < int(m.group(3)) < 65536:
        raise ValueError(
            f"scheduler: must be an address like tcp://HOST:PORT (port 1-65535), got {address!r}"
        )
    return address if m.group(1) else f"tcp://{address}"
