"""Performance estimation (PEP): the exact worst case of SPA / SGD+M on L-smooth functions.

Deterministic SPA (``lyapunov.methods.spa_step``, no noise) from x_0 = z_0,

    z_{k+1} = z_k - eta g_k,    x_{k+1} = (1 - c) x_k + c z_{k+1},    g_k = grad f(x_k),

run for n = ``steps`` steps on an L-smooth, possibly NON-convex f. The performance measure is
one of

    * ``metric="average"`` (the default): (1/n) sum_{k<n} |g_k|^2, the quantity that the bound
      calculators (``lyapunov.bounds``) bound, so the one to compare them with;
    * ``metric="min"``: min_{0 <= k <= n-1} |g_k|^2, never larger than the average (a smaller
      worst case: comparing a bound on the average with it overstates the looseness),

and its worst case over f (any dimension) and x_0 is a semidefinite program (Drori-Teboulle
2014; Taylor, Hendrickx, Glineur 2017). Points: x_0, ..., x_n (the gradient g_n at x_n enters
only the constraints). By translation invariance x_0 = 0, so every x_k is a fixed linear
combination of g_0, ..., g_{n-1}: the iterates are coefficient vectors over the basis
(g_0, ..., g_n), stepped by ``spa_step`` itself. With G = P^T P (P = [g_0 ... g_n], so G is any
PSD matrix of size n+1) and F = (f_0, ..., f_n), the SDP is

    maximise t  over G >= 0 (PSD), F, t
    s.t.  t <= |g_k|^2 = G_kk  (k = 0..n-1)    ["min"]
          t <= (1/n) sum_{k<n} G_kk            ["average"]
          interpolation, for every ordered pair i != j of 0..n (tight for L-smooth functions,
          Taylor-Hendrickx-Glineur 2017, Theorem 3.10):
          f_i >= f_j + <g_i + g_j, x_i - x_j>/2 + |g_i - g_j|^2/(4L) - (L/4)|x_i - x_j|^2
          plus the initial condition, one of

    * ``condition="iterates"`` (PEPit's choice for non-convex functions):
          f_0 - f_k <= gap  for k = 1..n.
      The interpolation conditions are necessary and sufficient, so the optimum is the exact
      worst case over the class.
    * ``condition="lower_bound"``: f_0 - f_* <= gap with f_* <= inf f. By translation f_* = 0;
      the constraints are f_0 <= gap and, for every point i = 0..n,
          f_i - f_* >= |g_i|^2/(2L)
      (necessary: f_* <= f(x_i - g_i/L) <= f_i - |g_i|^2/(2L) by the descent lemma). We do not
      know that these constraints together with interpolation are *sufficient* (that a
      feasible point is realised by an L-smooth f with inf f >= f_*), so this value is a valid
      upper bound on the worst case over {f(x_0) - inf f <= gap}, not claimed to be exact. It
      is never above the "iterates" value (f_0 - f_k <= f_0 - f_* <= gap).

``z_points=True`` (the default) also makes z_1, ..., z_n points of the PEP ("every iterate y"
read as the whole state (x, z), as in PEPit's setup of this problem; the tests cross-check
values with PEPit):
interpolation conditions with them and f_0 - f(z_k) <= gap (or
f(z_k) - f_* >= |grad f(z_k)|^2/(2L)). z_k is never evaluated by the method, so this is a
different, smaller class for c < 1 (z runs ahead of x), and a smaller worst case: at L = 1,
n = 12, SPA(eta=0.1, c=0.1) gives 1.891 without and 1.399 with z points for the average (1.847
and 1.092 for the min; a linear function, on which x_12 moves 0.554 per unit gradient, already
shows the min without z points is >= 1/0.554 = 1.80).
For c = 1 (z_k = x_k) the option changes nothing.

Both problems are homogeneous: the value is linear in ``gap``, and (L, eta) -> (sL, eta/s)
multiplies it by s. If the method can move uphill forever (e.g. GD with eta > 2/L on a convex
quadratic) the SDP is unbounded and the worst case is ``inf``.
"""

from __future__ import annotations

import math
import numbers
import time
import warnings
from dataclasses import dataclass
from typing import Literal

import numpy as np

from .methods import spa_step

__all__ = ["PEPResult", "spa_points", "pep_spa", "worst_case_spa", "worst_case_sgd"]

Condition = Literal["iterates", "lower_bound"]
Metric = Literal["average", "min"]


@dataclass(frozen=True)
class PEPResult:
    """Solution of the PEP and its dual multipliers (the certificate of the bound).

    ``value`` is the worst case of the ``metric``, (1/n) sum_{k<n} |g_k|^2 or min_k |g_k|^2
    (``inf`` if unbounded). The PEP's points are
    ``labels`` (``"x0"``, ..., ``"xn"``, then ``"z1"``, ... with ``z_points``); ``points[p]`` is
    point p as coefficients over the gradients at the points (x_0 = 0), and ``gram``, ``f`` a
    worst-case Gram matrix of those gradients and the function values.

    Multipliers (``None`` when unbounded): ``interp[p, q]`` >= 0 of the interpolation condition
    of the ordered pair (p, q) (zero diagonal); ``initial[p]`` >= 0 of f_0 - f_p <= gap
    (``condition="iterates"``; entry 0 unused) or ``initial[0]`` of f_0 - f_* <= gap and
    ``lower[p]`` of f_* <= f_p - |g_p|^2/(2L) (``condition="lower_bound"``); ``perf[k]`` >= 0,
    the weight of |g_k|^2, k < n, in the objective: for ``metric="min"`` the duals of
    t <= |g_k|^2 (they sum to 1 and weight the iterates that are worst), for ``"average"`` the
    fixed weights 1/n. By duality ``value`` = gap * sum(``initial``).
    """

    value: float
    status: str
    solve_time: float
    labels: tuple[str, ...]
    points: np.ndarray
    gram: np.ndarray | None
    f: np.ndarray | None
    interp: np.ndarray | None
    initial: np.ndarray | None
    perf: np.ndarray | None
    lower: np.ndarray | None = None
    metric: Metric = "average"


def _real(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    out = float(value)
    if not math.isfinite(out):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return out


def _validate(
    eta, c, L, steps, gap, condition, metric="average"
) -> tuple[float, float, float, int, float]:
    eta, c, L, gap = _real("eta", eta), _real("c", c), _real("L", L), _real("gap", gap)
    if eta <= 0:
        raise ValueError(f"eta must be > 0, got {eta}")
    if not 0 < c <= 1:
        raise ValueError(f"c must be in (0, 1], got {c}")
    if L <= 0:
        raise ValueError(f"L must be > 0, got {L}")
    if gap < 0:
        raise ValueError(f"gap must be >= 0, got {gap}")
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral):
        raise ValueError(f"steps must be an integer, got {steps!r}")
    if steps < 1:
        raise ValueError(f"steps must be >= 1, got {steps}")
    if condition not in ("iterates", "lower_bound"):
        raise ValueError(f"condition must be 'iterates' or 'lower_bound', got {condition!r}")
    if metric not in ("average", "min"):
        raise ValueError(f"metric must be 'average' or 'min', got {metric!r}")
    return eta, c, L, int(steps), gap


def spa_points(
    eta: float, c: float, steps: int, *, z_points: bool = False
) -> tuple[tuple[str, ...], np.ndarray]:
    """The PEP's points as coefficient vectors over the gradients at those points.

    x_0 = z_0 = 0 and (x_{k+1}, z_{k+1}) = ``spa_step``(x_k, z_k, e_k, eta, c), e_k the unit
    vector standing for g_k = grad f(x_k). Returns labels and an (m, m) array whose row p is
    point p: x_0, ..., x_n, then (``z_points``) every z_k, k = 1..n, that is not already an x
    (for c = 1, z_k = x_k and none is added). Column p stands for the gradient at point p;
    only the first n columns (g_0..g_{n-1}) are ever used by the method.
    """
    n = steps
    xs, zs = [], []
    basis = np.eye(n + 1)
    x = z = np.zeros(n + 1)
    xs.append(x)
    for k in range(n):
        x, z = spa_step(x, z, basis[k], eta, c)
        xs.append(x)
        zs.append(z)
    labels = [f"x{k}" for k in range(n + 1)]
    rows = list(xs)
    if z_points:
        for k, zk in enumerate(zs, start=1):
            if not any(np.array_equal(zk, r) for r in rows):
                labels.append(f"z{k}")
                rows.append(zk)
    m = len(rows)
    out = np.zeros((m, m))
    out[:, : n + 1] = np.array(rows)
    return tuple(labels), out


def _interpolation_matrix(x: np.ndarray, L: float) -> tuple[np.ndarray, np.ndarray, list]:
    """Rows (A_q, B_q), one per ordered pair q = (i, j), i != j, such that the interpolation
    condition of the pair reads  A_q . vec(G) + B_q . F <= 0,  i.e.

        f_j - f_i + <g_i + g_j, x_i - x_j>/2 + |g_i - g_j|^2/(4L) - (L/4)|x_i - x_j|^2 <= 0,

    with x_i = row i of ``x`` and g_i = the i-th basis vector (so |u|^2 = u^T G u)."""
    m = x.shape[0]
    eye = np.eye(m)
    pairs = [(i, j) for i in range(m) for j in range(m) if i != j]
    A = np.empty((len(pairs), m * m))
    B = np.zeros((len(pairs), m))
    for q, (i, j) in enumerate(pairs):
        u, v, w = eye[i] + eye[j], x[i] - x[j], eye[i] - eye[j]
        uv = np.outer(u, v)
        M = (uv + uv.T) / 4 + np.outer(w, w) / (4 * L) - (L / 4) * np.outer(v, v)
        A[q] = M.ravel()
        B[q, i], B[q, j] = -1.0, 1.0
    return A, B, pairs


def pep_spa(
    eta: float,
    c: float,
    *,
    L: float = 1.0,
    steps: int = 12,
    gap: float = 1.0,
    condition: Condition = "iterates",
    z_points: bool = True,
    metric: Metric = "average",
    solver: str | None = None,
    solver_options: dict | None = None,
) -> PEPResult:
    """Solve the PEP of the module docstring; returns the value, a worst case and the duals.

    ``z_points=True`` also makes z_1..z_n points of the PEP (interpolation conditions with
    them, and f(x_0) - f(z_k) <= gap, resp. f(z_k) - f_* >= |grad f(z_k)|^2/(2L)).
    ``solver_options`` are passed to the solver (e.g. ``{"time_limit": 60}`` for CLARABEL); a
    solve that ends without an optimal or unbounded status raises RuntimeError naming it.
    """
    import cvxpy as cp  # optional dependency, imported on use

    eta, c, L, n, gap = _validate(eta, c, L, steps, gap, condition, metric)
    if solver_options is not None and not isinstance(solver_options, dict):
        raise TypeError(f"solver_options must be a dict, got {solver_options!r}")
    labels, pts = spa_points(eta, c, n, z_points=bool(z_points))
    m = len(labels)
    A, B, pairs = _interpolation_matrix(pts, L)

    G = cp.Variable((m, m), PSD=True)
    F = cp.Variable(m)
    t = cp.Variable()
    diag = cp.diag(G)
    interp = A @ cp.vec(G, order="C") + B @ F <= 0
    perf = t <= diag[:n] if metric == "min" else t <= cp.sum(diag[:n]) / n
    if condition == "iterates":
        init = F[0] - F[1:] <= gap
        cons = [interp, perf, init]
    else:  # translate so that f_* = 0
        init = F[0] <= gap
        lower = diag / (2 * L) - F <= 0
        cons = [interp, perf, init, lower]
    prob = cp.Problem(cp.Maximize(t), cons)
    name = solver or "CLARABEL"
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "may be inaccurate": checked below
        try:
            prob.solve(solver=name, **(solver_options or {}))
        except cp.error.SolverError:
            raise RuntimeError(f"PEP solve failed: status 'solver_error' (solver {name})") from None
    elapsed = time.perf_counter() - start

    status = prob.status
    if status in (cp.UNBOUNDED, cp.UNBOUNDED_INACCURATE):
        return PEPResult(math.inf, status, elapsed, labels, pts, *([None] * 6), metric=metric)
    if status not in (cp.OPTIMAL, cp.OPTIMAL_INACCURATE):
        raise RuntimeError(f"PEP solve failed: status {status!r} (solver {name})")

    lam = np.zeros((m, m))
    lam[tuple(np.array(pairs).T)] = np.asarray(interp.dual_value, dtype=float)
    if condition == "iterates":
        initial = np.concatenate([[0.0], np.asarray(init.dual_value, dtype=float)])
        low = None
    else:
        initial = np.array([float(init.dual_value)])
        low = np.asarray(lower.dual_value, dtype=float)
    value = float(prob.value)
    dual = gap * float(initial.sum())
    if abs(value - dual) > 1e-4 * max(1.0, abs(value)):
        warnings.warn(
            f"PEP solved inaccurately ({status}): primal {value:.6g}, dual {dual:.6g}",
            stacklevel=2,
        )
    return PEPResult(
        value=value,
        status=status,
        solve_time=elapsed,
        labels=labels,
        points=pts,
        gram=np.asarray(G.value),
        f=np.asarray(F.value),
        interp=lam,
        initial=initial,
        perf=(
            np.asarray(perf.dual_value, dtype=float)
            if metric == "min"
            else np.full(n, float(perf.dual_value) / n)
        ),
        lower=low,
        metric=metric,
    )


def worst_case_spa(
    eta: float,
    c: float,
    *,
    L: float = 1.0,
    steps: int = 12,
    gap: float = 1.0,
    condition: Condition = "iterates",
    z_points: bool = True,
    metric: Metric = "average",
    solver: str | None = None,
) -> float:
    """Worst case of (1/n) sum_{k<n} |grad f(x_k)|^2 (``metric="average"``, the default) or of
    min_{k<n} |grad f(x_k)|^2 (``metric="min"``) for deterministic SPA(eta, c) over L-smooth f.

    Subject to f(x_0) - f(y) <= gap at every iterate y = x_k, z_k (default; ``z_points=False``
    constrains the x_k only) or, with
    ``condition="lower_bound"``, f(x_0) - inf f <= gap (an upper bound, see the module
    docstring). ``inf`` if the worst case is unbounded. Solver CLARABEL unless ``solver``.
    """
    return pep_spa(
        eta,
        c,
        L=L,
        steps=steps,
        gap=gap,
        condition=condition,
        z_points=z_points,
        metric=metric,
        solver=solver,
    ).value


def worst_case_sgd(
    eta: float,
    *,
    L: float = 1.0,
    steps: int = 12,
    gap: float = 1.0,
    condition: Condition = "iterates",
    metric: Metric = "average",
    solver: str | None = None,
) -> float:
    """Worst case for gradient descent x_{k+1} = x_k - eta g_k: ``worst_case_spa`` with c = 1."""
    return worst_case_spa(
        eta, 1.0, L=L, steps=steps, gap=gap, condition=condition, metric=metric, solver=solver
    )
