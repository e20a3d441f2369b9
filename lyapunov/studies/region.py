"""The region study: where SGD+M converges and where it is certified, in (lr, momentum).

For ``torch.optim.SGD(lr, momentum)`` (SPA with eta = lr/(1 - momentum), c = 1 - momentum,
theorem P1) on L-smooth non-convex functions:

* certified by P4 (:func:`p4_inside`): the points where P4's region conditions hold (the
  compiled theorem the calculators use, ``bounds.rates()["P4"]``);
* certified by P4c (:func:`p4c_witness`, :func:`p4c_inside`): the points where P4c's region
  conditions hold for some free weight (b, t) of a grid, decided exactly at the float point
  (:class:`lyapunov.bounds.compile.SafeRegion`): every point reported has a witness;
* the quadratic stability limit (:func:`quadratic_stable`): the spectral radius of the
  method's own update (``lyapunov.methods.spa_step``) on f(x) = L x^2/2 is < 1;
* PEP-bounded (:func:`pep_grid`, :func:`verdicts`): the exact worst case (``lyapunov.pep``,
  average metric) stays bounded as the horizon n grows: finite at every n computed and W_n
  non-increasing in n.

The PEP grid is expensive (minutes per point at n = 50), so it is computed once by
``python benchmarks/region_pep.py --recompute`` into ``data/region_pep.csv`` (beside this
module; :func:`write_data`, :func:`read_data`); the figure ``region`` reads it.
"""

from __future__ import annotations

import csv
import math
import re
import time
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..bounds.compile import SafeRegion

__all__ = [
    "DATA",
    "FIELDS",
    "LRS",
    "MOMENTA",
    "PEPPoint",
    "solve_point",
    "classify",
    "pep_grid",
    "verdicts",
    "write_data",
    "read_data",
    "p4_inside",
    "p4c_theorem",
    "p4c_witness",
    "p4c_inside",
    "largest_lr",
    "quadratic_stable",
]

DATA = Path(__file__).resolve().parent / "data" / "region_pep.csv"
FIELDS = ("lr", "momentum", "L", "eta", "c", "steps", "status", "worst_case", "solve_time")

#: the grid of the stored data (L = 1)
LRS = (0.1, 0.2, 0.3, 0.45, 0.6, 0.8, 1.0, 1.3, 1.6, 2.0, 2.6, 3.4)
MOMENTA = (0.0, 0.3, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.93, 0.95)


@dataclass(frozen=True)
class PEPPoint:
    """One solved PEP of the region grid: ``worst_case`` is ``inf`` when unbounded and
    ``nan`` when the solvers failed (``status`` says which)."""

    lr: float
    momentum: float
    L: float
    eta: float
    c: float
    steps: int
    status: str
    worst_case: float
    solve_time: float


def solve_point(
    lr: float, momentum: float, steps: int, L: float = 1.0, time_limit: float | None = None
) -> PEPPoint:
    """Worst case of the average (1/n) sum |grad f(x_k)|^2 of SGD+M(lr, momentum), n = steps.

    PEP over L-smooth f with f(x_0) - f(x_k) <= 1 at every iterate x_k (``z_points=False``:
    the larger class, so "bounded" is the conservative verdict), solved by CLARABEL (at most
    ``time_limit`` seconds; default 60 s, 600 s from n = 40 on). A solve that fails or runs out
    of time is recorded with its status and value nan.
    """
    from ..convert import to_spa
    from ..pep import pep_spa

    eta, c = (float(v) for v in to_spa(lr=lr, momentum=momentum))
    limit = time_limit if time_limit is not None else (600.0 if steps >= 40 else 60.0)
    start = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = pep_spa(
                eta, c, L=L, steps=steps, z_points=False, solver_options={"time_limit": limit}
            )
    except RuntimeError as exc:  # the solver failed or ran out of time: status in the message
        found = re.search(r"status '(\w+)'", str(exc))
        status = found.group(1) if found else "failed"
        return PEPPoint(
            lr, momentum, L, eta, c, steps, status, math.nan, time.perf_counter() - start
        )
    return PEPPoint(lr, momentum, L, eta, c, steps, r.status, r.value, r.solve_time)


def classify(values: dict[int, float]) -> str:
    """``"bounded"`` (finite at every n and non-increasing in n), ``"growing"`` (finite but
    larger at some larger n), ``"unbounded"`` (inf at some n) or ``"unknown"`` (a failure)."""
    ns = sorted(values)
    w = np.array([values[n] for n in ns], dtype=float)
    if np.isnan(w).any():
        return "unknown"
    if np.isinf(w).any():
        return "unbounded"
    return "bounded" if np.all(np.diff(w) <= 1e-6 * np.maximum(1.0, w[:-1])) else "growing"


def pep_grid(
    lrs: Iterable[float],
    momenta: Iterable[float],
    steps: tuple[int, ...] = (12, 25, 50),
    *,
    L: float = 1.0,
    extra: Iterable[tuple[float, float]] = (),
    previous: Iterable[PEPPoint] = (),
    progress: Callable[[PEPPoint], None] | None = None,
) -> list[PEPPoint]:
    """The PEP worst cases of the region study.

    Every (lr, momentum) of the grid at the first two horizons of ``steps``; the longer
    horizons only where needed: at the points of ``extra``, and in each momentum row at every
    point classified bounded by the horizons computed so far whose right neighbour (larger lr)
    is not: the edge of the bounded region, where a longer horizon could change the verdict
    (repeated until the edge is solved at that horizon: a point that turns out growing moves
    the edge left). Points of ``previous`` (same lr, momentum, steps, L) are reused, not solved.
    """
    lrs, momenta, steps = list(lrs), list(momenta), tuple(sorted(steps))
    cache = {(p.lr, p.momentum, p.steps): p for p in previous if p.L == L}
    out: list[PEPPoint] = []
    done: set[tuple[float, float, int]] = set()

    def run(lr, m, n):
        key = (float(lr), float(m), int(n))
        if key in done:
            return
        p = cache.get(key) or solve_point(lr, m, n, L)
        out.append(p)
        done.add(key)
        if progress:
            progress(p)

    for n in steps[:2]:
        for m in momenta:
            for lr in lrs:
                run(lr, m, n)
    for n in steps[2:]:
        for lr, m in extra:
            run(lr, m, n)
        while True:
            table = verdicts(out)
            todo = set()
            for m in momenta:
                row = [table.get((lr, m), "unknown") for lr in lrs]
                for j in range(len(lrs) - 1):
                    edge = row[j] == "bounded" and row[j + 1] != "bounded"
                    if edge and (float(lrs[j]), float(m), n) not in done:
                        todo.add((lrs[j], m))
            if not todo:
                break
            for lr, m in sorted(todo, key=lambda p: (p[1], p[0])):
                run(lr, m, n)
    return out


def verdicts(points: Iterable[PEPPoint]) -> dict[tuple[float, float], str]:
    """(lr, momentum) -> ``classify`` of its worst cases over the horizons computed."""
    by: dict[tuple[float, float], dict[int, float]] = {}
    for p in points:
        by.setdefault((p.lr, p.momentum), {})[p.steps] = p.worst_case
    return {k: classify(v) for k, v in by.items()}


def write_data(points: Iterable[PEPPoint], path: str | Path = DATA) -> Path:
    """Write the points as CSV (columns ``FIELDS``; floats by ``repr``, so read back exactly)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(FIELDS)
        for p in points:
            w.writerow(
                [
                    repr(p.lr),
                    repr(p.momentum),
                    repr(p.L),
                    repr(p.eta),
                    repr(p.c),
                    p.steps,
                    p.status,
                    repr(p.worst_case),
                    f"{p.solve_time:.3f}",
                ]
            )
    return path


def read_data(path: str | Path = DATA) -> list[PEPPoint]:
    """The stored PEP grid (see ``write_data``); ValueError naming the file if malformed."""
    path = Path(path)
    with path.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    if not rows or tuple(rows[0]) != FIELDS:
        raise ValueError(f"{path}: expected the columns {', '.join(FIELDS)}")
    out = []
    for i, r in enumerate(rows, start=2):
        try:
            out.append(
                PEPPoint(
                    float(r["lr"]),
                    float(r["momentum"]),
                    float(r["L"]),
                    float(r["eta"]),
                    float(r["c"]),
                    int(r["steps"]),
                    r["status"],
                    float(r["worst_case"]),
                    float(r["solve_time"]),
                )
            )
        except (TypeError, ValueError):
            raise ValueError(f"{path}:{i}: malformed row {r}") from None
    return out


# --- certified regions, from the theorem objects --------------------------------------------


def p4_inside(lr: np.ndarray, momentum: np.ndarray, L: float = 1.0) -> np.ndarray:
    """Mask of the (lr, momentum) where P4's region conditions hold (the compiled theorem)."""
    from .. import bounds
    from ..convert import to_spa

    eta, c = to_spa(lr=lr, momentum=momentum)
    rate = bounds.rates()["P4"]
    values = {"eta": eta, "c": c, "L": np.asarray(L, dtype=float), "sigma2": np.zeros(())}
    return rate.inside(**{k: v for k, v in values.items() if k in rate.order})


def p4c_theorem():
    """The theorem P4c (``proofs/p4c_spa_descent_large_step.py``, shipped as
    ``lyapunov.proofs.p4c_spa_descent_large_step``): its module, with ``theorem``, ``b``, ``t``."""
    import importlib

    return importlib.import_module("lyapunov.proofs.p4c_spa_descent_large_step")


_REGIONS: dict[int, tuple] = {}


def _p4c_region(theorem) -> tuple[list[str], SafeRegion]:
    """The names of the theorem's region symbols and its region as the exact float test."""
    key = id(theorem)
    if key not in _REGIONS:
        syms = list(theorem.region.symbols)  # eta, c, L, the free b, t, and sigma2 (any >= 0)
        names = [str(x) for x in syms]
        unknown = set(names) - {"eta", "c", "L", "b", "t", "sigma2"}
        if unknown:
            raise ValueError(f"P4c: unexpected region symbols {sorted(unknown)}")
        region = SafeRegion(theorem.region.conditions, syms)
        _REGIONS[key] = (theorem, names, region)  # the theorem is kept alive with its id
    return _REGIONS[key][1], _REGIONS[key][2]


def p4c_witness(
    lr: np.ndarray,
    momentum: np.ndarray,
    L: float = 1.0,
    *,
    b: np.ndarray | None = None,
    t: np.ndarray | None = None,
    module=None,
) -> tuple[np.ndarray, np.ndarray]:
    """Per (lr, momentum), the first weight (b, t) of the grid ``b`` x ``t`` at which the point
    (eta, c, L, b, t, sigma2 = 0), floats taken exactly, is in P4c's region (nan where none
    is): a witness that P4c certifies (eta, c).

    Default grid: b in [-1, 1/2] (601 values), t in {1e-9, 1e-6, 1e-3}."""
    mod = module if module is not None else p4c_theorem()
    if mod is None:
        raise ValueError("P4c: the theorem is not available in this installation")
    from ..convert import to_spa

    names, region = _p4c_region(mod.theorem)
    b = np.linspace(-1.0, 0.5, 601) if b is None else np.asarray(b, dtype=float)
    t = np.geomspace(1e-9, 1e-3, 3) if t is None else np.asarray(t, dtype=float)
    B, T = (a.ravel()[None, :] for a in np.meshgrid(b, t, indexing="ij"))
    eta, c = to_spa(lr=lr, momentum=momentum)
    eta, c = np.broadcast_arrays(np.asarray(eta, dtype=float), np.asarray(c, dtype=float))
    E, C = eta.ravel()[:, None], c.ravel()[:, None]
    wb, wt = np.full(E.shape[0], np.nan), np.full(E.shape[0], np.nan)
    chunk = max(1, 2_000_000 // B.shape[1])  # points per evaluation (memory)
    for lo in range(0, E.shape[0], chunk):
        sl = slice(lo, lo + chunk)
        values = {"eta": E[sl], "c": C[sl], "L": L, "b": B, "t": T, "sigma2": 0.0}
        ok = region(*[values[n] for n in names])
        found = ok.any(axis=1)
        first = np.argmax(ok, axis=1)
        wb[sl] = np.where(found, B[0, first], np.nan)
        wt[sl] = np.where(found, T[0, first], np.nan)
    return wb.reshape(eta.shape), wt.reshape(eta.shape)


def p4c_inside(lr: np.ndarray, momentum: np.ndarray, L: float = 1.0, **kw) -> np.ndarray:
    """Mask of the (lr, momentum) where P4c's region conditions all hold for some (b, t) of a
    grid (``p4c_witness``: the theorem's own conditions, decided exactly)."""
    return np.isfinite(p4c_witness(lr, momentum, L, **kw)[0])


def largest_lr(
    inside: Callable[[np.ndarray, np.ndarray], np.ndarray],
    momentum: np.ndarray,
    lr_max: float = 4.0,
    iterations: int = 30,
    scan: int = 80,
) -> np.ndarray:
    """Per momentum, the largest lr in (0, lr_max] with ``inside`` true: a scan of ``scan``
    points, then bisection between the last point inside and the first point outside that
    follows it (nan where the first point of the scan is outside; lr_max if none is outside).
    ``inside`` is called on arrays of (lr, momentum) pairs, all momenta at once."""
    momentum = np.asarray(momentum, dtype=float).ravel()
    grid = np.linspace(lr_max / scan, lr_max, scan)
    ok = inside(grid[None, :] + 0 * momentum[:, None], momentum[:, None] + 0 * grid[None, :])
    first_out = np.where(ok.all(axis=1), scan, np.argmin(ok, axis=1))
    out = np.full(momentum.shape, np.nan)
    out[first_out == scan] = lr_max
    todo = np.flatnonzero((first_out > 0) & (first_out < scan))
    if len(todo):
        lo, hi = grid[first_out[todo] - 1], grid[first_out[todo]]
        for _ in range(iterations):
            mid = (lo + hi) / 2
            inn = inside(mid, momentum[todo])
            lo, hi = np.where(inn, mid, lo), np.where(inn, hi, mid)
        out[todo] = lo
    return out


def quadratic_stable(lr: np.ndarray, momentum: np.ndarray, L: float = 1.0) -> np.ndarray:
    """Mask where the method's own update on f(x) = L x^2/2 has spectral radius < 1.

    The update (x, z) -> ``spa_step``(x, z, L x, eta, c) is linear; its matrix is found by
    stepping the unit vectors."""
    from ..convert import to_spa
    from ..methods import spa_step

    eta, c = to_spa(lr=lr, momentum=momentum)
    eta, c = np.broadcast_arrays(np.asarray(eta, dtype=float), np.asarray(c, dtype=float))
    cols = []
    for x, z in ((1.0, 0.0), (0.0, 1.0)):
        x1, z1 = spa_step(np.full(eta.shape, x), np.full(eta.shape, z), L * x, eta, c)
        cols.append((x1, z1))
    M = np.empty(eta.shape + (2, 2))
    for j, (x1, z1) in enumerate(cols):
        M[..., 0, j], M[..., 1, j] = x1, z1
    return np.abs(np.linalg.eigvals(M)).max(axis=-1) < 1 - 1e-12
