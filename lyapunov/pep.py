"""Performance estimation (PEP): the exact worst case of SPA / SGD+M on L-smooth functions.

Deterministic SPA (``lyapunov.methods.spa_step``, no noise) from x_0 = z_0,

    z_{k+1} = z_k - eta g_k,    x_{k+1} = (1 - c) x_k + c z_{k+1},    g_k = grad f(x_k),

run for n = ``steps`` steps on an L-smooth, possibly NON-convex f. The performance measure is

    min_{0 <= k <= n-1} |g_k|^2,

and its worst case over f (any dimension) and x_0 is a semidefinite program (Drori-Teboulle
2014; Taylor, Hendrickx, Glineur 2017). Points: x_0, ..., x_n (the gradient g_n at x_n enters
only the constraints). By translation invariance x_0 = 0, so every x_k is a fixed linear
combination of g_0, ..., g_{n-1}: the iterates are coefficient vectors over the basis
(g_0, ..., g_n), stepped by ``spa_step`` itself. With G = P^T P (P = [g_0 ... g_n], so G is any
PSD matrix of size n+1) and F = (f_0, ..., f_n), the SDP is

    maximise t  over G >= 0 (PSD), F, t
    s.t.  t <= |g_k|^2 = G_kk                                  (k = 0..n-1)
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

__all__ = ["PEPResult", "spa_iterates", "pep_spa", "worst_case_spa", "worst_case_sgd"]

Condition = Literal["iterates", "lower_bound"]


@dataclass(frozen=True)
class PEPResult:
    """Solution of the PEP and its dual multipliers (the certificate of the bound).

    ``value`` is the worst case of min_k |g_k|^2 (``inf`` if unbounded). ``interp[i, j]`` >= 0
    multiplies the interpolation condition of the ordered pair (i, j) (diagonal zero);
    ``initial[k]`` >= 0 multiplies f_0 - f_k <= gap (``condition="iterates"``, entry 0 unused)
    or, for ``condition="lower_bound"``, ``initial[0]`` multiplies f_0 - f_* <= gap and
    ``lower[i]`` multiplies f_* <= f_i - |g_i|^2/(2L); ``perf[k]`` >= 0 (summing to 1)
    multiplies t <= |g_k|^2, and weights which iterates are worst. ``gram`` and ``f`` are a
    worst-case Gram matrix over (g_0, ..., g_n) and the function values; ``x`` the iterates'
    coefficients over the same basis (row k is x_k). Multipliers are ``None`` when unbounded.
    """

    value: float
    status: str
    solve_time: float
    gram: np.ndarray | None
    f: np.ndarray | None
    x: np.ndarray
    interp: np.ndarray | None
    initial: np.ndarray | None
    perf: np.ndarray | None
    lower: np.ndarray | None = None


def _real(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    out = float(value)
    if not math.isfinite(out):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return out


def _validate(eta, c, L, steps, gap, condition) -> tuple[float, float, float, int, float]:
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
    return eta, c, L, int(steps), gap


def spa_iterates(eta: float, c: float, steps: int) -> np.ndarray:
    """x_0, ..., x_n as coefficient vectors over (g_0, ..., g_n): row k of an (n+1, n+1) array.

    x_0 = z_0 = 0 and (x_{k+1}, z_{k+1}) = ``spa_step``(x_k, z_k, e_k, eta, c), e_k the k-th
    unit vector standing for g_k.
    """
    basis = np.eye(steps + 1)
    x = z = np.zeros(steps + 1)
    rows = [x]
    for k in range(steps):
        x, z = spa_step(x, z, basis[k], eta, c)
        rows.append(x)
    return np.array(rows)


def _interpolation_matrix(x: np.ndarray, L: float) -> tuple[np.ndarray, np.ndarray, list]:
    """Rows (A_q, B_q), one per ordered pair q = (i, j), i != j, such that the interpolation
    condition of the pair reads  A_q . vec(G) + B_q . F <= 0."""
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
        B[q, i], B[q, j] = -1.0, 1.0  # f_j - f_i + <M, G> <= 0
    return A, B, pairs


def pep_spa(
    eta: float,
    c: float,
    *,
    L: float = 1.0,
    steps: int = 12,
    gap: float = 1.0,
    condition: Condition = "iterates",
    solver: str | None = None,
) -> PEPResult:
    """Solve the PEP of the module docstring; returns the value, a worst case and the duals."""
    import cvxpy as cp  # optional dependency, imported on use

    eta, c, L, n, gap = _validate(eta, c, L, steps, gap, condition)
    x = spa_iterates(eta, c, n)
    m = n + 1
    A, B, pairs = _interpolation_matrix(x, L)

    G = cp.Variable((m, m), PSD=True)
    F = cp.Variable(m)
    t = cp.Variable()
    diag = cp.diag(G)
    interp = A @ cp.vec(G, order="C") + B @ F <= 0
    perf = t <= diag[:n]
    if condition == "iterates":
        init = F[0] - F[1:] <= gap
        cons = [interp, perf, init]
    else:  # f_* = 0
        init = F[0] <= gap
        lower = diag / (2 * L) - F <= 0
        cons = [interp, perf, init, lower]
    prob = cp.Problem(cp.Maximize(t), cons)
    start = time.perf_counter()
    prob.solve(solver=solver or "CLARABEL")
    elapsed = time.perf_counter() - start

    status = prob.status
    if status in (cp.UNBOUNDED, cp.UNBOUNDED_INACCURATE):
        return PEPResult(math.inf, status, elapsed, None, None, x, None, None, None)
    if status not in (cp.OPTIMAL, cp.OPTIMAL_INACCURATE):
        raise RuntimeError(f"PEP solve failed: status {status!r} (solver {solver or 'CLARABEL'})")
    if status == cp.OPTIMAL_INACCURATE:
        warnings.warn("PEP solved inaccurately; the value is approximate", stacklevel=2)

    lam = np.zeros((m, m))
    for q, (i, j) in enumerate(pairs):
        lam[i, j] = interp.dual_value[q]
    if condition == "iterates":
        initial = np.concatenate([[0.0], np.asarray(init.dual_value, dtype=float)])
        low = None
    else:
        initial = np.array([float(init.dual_value)])
        low = np.asarray(lower.dual_value, dtype=float)
    return PEPResult(
        value=float(prob.value),
        status=status,
        solve_time=elapsed,
        gram=np.asarray(G.value),
        f=np.asarray(F.value),
        x=x,
        interp=lam,
        initial=initial,
        perf=np.asarray(perf.dual_value, dtype=float),
        lower=low,
    )


def worst_case_spa(
    eta: float,
    c: float,
    *,
    L: float = 1.0,
    steps: int = 12,
    gap: float = 1.0,
    condition: Condition = "iterates",
    solver: str | None = None,
) -> float:
    """Worst case of min_{k<n} |grad f(x_k)|^2 for deterministic SPA(eta, c) over L-smooth f.

    Subject to f(x_0) - f(x_k) <= gap for k = 1..n (default) or, with
    ``condition="lower_bound"``, f(x_0) - inf f <= gap (an upper bound, see the module
    docstring). ``inf`` if the worst case is unbounded. Solver CLARABEL unless ``solver``.
    """
    return pep_spa(eta, c, L=L, steps=steps, gap=gap, condition=condition, solver=solver).value


def worst_case_sgd(
    eta: float,
    *,
    L: float = 1.0,
    steps: int = 12,
    gap: float = 1.0,
    condition: Condition = "iterates",
    solver: str | None = None,
) -> float:
    """Worst case for gradient descent x_{k+1} = x_k - eta g_k: ``worst_case_spa`` with c = 1."""
    return worst_case_spa(eta, 1.0, L=L, steps=steps, gap=gap, condition=condition, solver=solver)
