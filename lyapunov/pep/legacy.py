"""Performance estimation (PEP): the exact worst case of the momentum methods on L-smooth f.

Every registered method (``lyapunov.methods.registry``) is a member of generalized SPA (GSPA).
Deterministic GSPA (no noise) from x_0 = z_0,

    y_k = (1 - beta) z_k + beta x_k,                                g_k = grad f(y_k),
    z_{k+1} = z_k - eta_k g_k,    x_{k+1} = (1 - c_k) x_k + c_k z_{k+1},

is run for n = ``steps`` steps on an L-smooth, possibly NON-convex f (``lyapunov.methods``'
``gspa_point`` and ``spa_step`` step it). beta = 1 is SPA / SGD+M (y_k = x_k), beta = 0 is
gradient descent with step eta on z (y_k = z_k, whatever c), schedule-free SGD has
c_k = 1/(k + 1). The performance measure is one of

    * ``metric="average"`` (the default): (1/n) sum_{k<n} |g_k|^2, the gradient norms where the
      method takes them (the optimizer's parameters in train mode), the quantity that the bound
      calculators (``lyapunov.bounds``) bound, so the one to compare them with;
    * ``metric="min"``: min_{0 <= k <= n-1} |g_k|^2, never larger than the average (a smaller
      worst case: comparing a bound on the average with it overstates the looseness),

and its worst case over f (any dimension) and x_0 is a semidefinite program (Drori-Teboulle
2014; Taylor, Hendrickx, Glineur 2017).

The points of the PEP (every point p has a value f_p and a gradient g_p):

    * always the gradient points y_0, ..., y_n (y_0 = x_0; the gradient at y_n enters only the
      constraints);
    * ``z_points=True`` (the default): also z_1, ..., z_n, the other half of the state (y, z)
      that schedule-free SGD stores (for SPA: the state (x, z), PEPit's setup of this problem;
      the tests cross-check values with PEPit);
    * ``x_points=True`` (default False): also x_1, ..., x_n (for beta < 1 the averaged
      iterate, e.g. schedule-free's evaluation point, which the method never evaluates);

a point equal to an earlier one (z_k = y_k for c_k = 1 or beta = 0, x_k = y_k for beta = 1) is
not repeated. By translation invariance x_0 = 0, so every point is a fixed linear combination
of g_0, ..., g_{n-1}: the points are coefficient vectors over the basis of the gradients at the
points. With G = P^T P (P the matrix of those gradients, so G is any PSD matrix of the size m of
the point set) and F = (f_p), the SDP is

    maximise t  over G >= 0 (PSD), F, t
    s.t.  t <= |g_k|^2 = G_kk  (k = 0..n-1)    ["min"]
          t <= (1/n) sum_{k<n} G_kk            ["average"]
          interpolation, for every ordered pair p != q of points (tight for L-smooth functions,
          Taylor-Hendrickx-Glineur 2017, Theorem 3.10):
          f_p >= f_q + <g_p + g_q, w_p - w_q>/2 + |g_p - g_q|^2/(4L) - (L/4)|w_p - w_q|^2
          (w_p the position of point p) plus the initial condition, one of

    * ``condition="iterates"`` (PEPit's choice for non-convex functions):
          f_0 - f_p <= gap  at every point p of the PEP.
      The interpolation conditions are necessary and sufficient, so the optimum is the exact
      worst case over the class {L-smooth f with f(x_0) - f(p) <= gap at every point p}.
    * ``condition="lower_bound"``: f_0 - f_* <= gap with f_* <= inf f. By translation f_* = 0;
      the constraints are f_0 <= gap and, for every point p,
          f_p - f_* >= |g_p|^2/(2L)
      (necessary: f_* <= f(w_p - g_p/L) <= f_p - |g_p|^2/(2L) by the descent lemma). We do not
      know that these constraints together with interpolation are *sufficient* (that a
      feasible point is realised by an L-smooth f with inf f >= f_*), so this value is a valid
      upper bound on the worst case over {f(x_0) - inf f <= gap}, not claimed to be exact. It
      is never above the "iterates" value (f_0 - f_p <= f_0 - f_* <= gap).

Which points enter changes the class: every choice contains the calculators' class
{f(x_0) - inf f <= gap}, so every value is an upper bound on its worst case; more points mean a
smaller class and a smaller (closer) value. For SPA at L = 1, n = 12, (eta, c) = (0.1, 0.1)
the average is 1.891 without and 1.399 with z points (1.847 and 1.092 for the min; a linear
function, on which x_12 moves 0.554 per unit gradient, already shows the min without z points
is >= 1/0.554 = 1.80). For c = 1 or beta = 0 (z_k = y_k) ``z_points`` changes nothing; for
beta = 1 (x_k = y_k) ``x_points`` changes nothing.

Both problems are homogeneous: the value is linear in ``gap``, and (L, eta) -> (sL, eta/s)
multiplies it by s. If the method can move uphill forever (e.g. GD with eta > 2/L on a convex
quadratic) the SDP is unbounded and the worst case is ``inf``.

Entry points: ``worst_case(method, **params)`` for any registered method with its own
parameters (``worst_case("nesterov", lr=0.05, momentum=0.9)``); ``worst_case_gspa(eta, c,
beta)`` (c a number, a sequence c_0..c_{n-1} or a callable k -> c_k); ``worst_case_spa(eta, c)``
and ``worst_case_sgd(eta)``; the ``pep_*`` variants return the whole ``PEPResult``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from ..engine import classes
from ..measures import get as get_measure
from ..methods.registry import METHODS, to_gspa
from .points import Trajectory, run
from .solve import solve_trajectory

#: generalized SPA on its state (x, z), the gradient at y = (1 - beta) z + beta x
GSPA = METHODS["gspa"]

__all__ = [
    "PEPResult",
    "gspa_points",
    "spa_points",
    "pep_gspa",
    "pep_method",
    "pep_spa",
    "worst_case",
    "worst_case_gspa",
    "worst_case_spa",
    "worst_case_sgd",
]

Condition = Literal["iterates", "lower_bound"]
Metric = Literal["average", "min"]
Schedule = float | Sequence[float] | np.ndarray | Callable[[int], float]


@dataclass(frozen=True)
class PEPResult:
    """Solution of the PEP and its dual multipliers (the certificate of the bound).

    ``value`` is the worst case of the ``metric``, (1/n) sum_{k<n} |g_k|^2 or min_k |g_k|^2
    (``inf`` if unbounded), g_k the gradient at the k-th gradient point. The PEP's points are
    ``labels``: the gradient points first (``"y0"``, ..., ``"yn"``; ``"x0"``, ... for SPA,
    where they are the x_k), then ``"z1"``, ... with ``z_points`` and ``"x1"``, ... with
    ``x_points``; ``points[p]`` is point p as coefficients over the gradients at the points
    (x_0 = 0), and ``gram``, ``f`` a worst-case Gram matrix of those gradients and the function
    values.

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


# --- validation ----------------------------------------------------------------------------


def _real(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    out = float(value)
    if not math.isfinite(out):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return out


def _validate_common(L, steps, gap, condition, metric) -> tuple[float, int, float]:
    L, gap = _real("L", L), _real("gap", gap)
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
    return L, int(steps), gap


def _validate(
    eta, c, L, steps, gap, condition, metric="average"
) -> tuple[float, float, float, int, float]:
    """SPA's parameters: eta > 0 and c in (0, 1] numbers, then the common ones."""
    eta, c = _real("eta", eta), _real("c", c)
    if eta <= 0:
        raise ValueError(f"eta must be > 0, got {eta}")
    if not 0 < c <= 1:
        raise ValueError(f"c must be in (0, 1], got {c}")
    L, n, gap = _validate_common(L, steps, gap, condition, metric)
    return eta, c, L, n, gap


_ALLOWED = {
    "eta": ("> 0", lambda v: v > 0),
    "c": ("in (0, 1]", lambda v: 0 < v <= 1),
}


def _schedule(name: str, value: Schedule, n: int) -> np.ndarray:
    """One value per step k = 0..n-1 from a number, a sequence of n numbers or a callable
    k -> value; each in the allowed range of ``name`` (ValueError naming the step otherwise)."""
    text, ok = _ALLOWED[name]
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if callable(value):
        values = [value(k) for k in range(n)]
    elif isinstance(value, (str, bytes)):
        raise ValueError(f"{name} must be a real number, a sequence or a callable, got {value!r}")
    elif isinstance(value, (Sequence, np.ndarray)):
        values = list(np.asarray(value, dtype=object).ravel())
        if np.ndim(value) != 1 or len(values) != n:
            raise ValueError(
                f"{name} must have one value per step (steps = {n}), got shape {np.shape(value)}"
            )
    else:
        v = _real(name, value)
        if not ok(v):
            raise ValueError(f"{name} must be {text}, got {v}")
        return np.full(n, v)
    out = np.empty(n)
    for k, v in enumerate(values):
        out[k] = _real(f"{name}_{k}", v)
        if not ok(out[k]):
            raise ValueError(f"{name} must be {text} at every step, got {name}_{k} = {out[k]}")
    return out


def _beta(beta: object) -> float:
    beta = _real("beta", beta)
    if not 0 <= beta <= 1:
        raise ValueError(f"beta must be in [0, 1], got {beta}")
    return beta


# --- the points ----------------------------------------------------------------------------


def gspa_points(
    eta: Schedule,
    c: Schedule,
    beta: float,
    steps: int,
    *,
    z_points: bool = False,
    x_points: bool = False,
) -> tuple[tuple[str, ...], np.ndarray]:
    """The PEP's points as coefficient vectors over the gradients at those points.

    x_0 = z_0 = 0, y_k = ``gspa_point``(x_k, z_k, beta) and (x_{k+1}, z_{k+1}) =
    ``spa_step``(x_k, z_k, e_k, eta_k, c_k), e_k the unit vector standing for g_k = grad f(y_k).
    Returns labels and an (m, m) array whose row p is point p: y_0, ..., y_n, then
    (``z_points``) every z_k, k = 1..n, and (``x_points``) every x_k, k = 1..n, that is not
    already a point. Column p stands for the gradient at point p; only the first n columns
    (g_0..g_{n-1}) are ever used by the method. ``eta`` and ``c`` are numbers, sequences of
    ``steps`` values or callables k -> value; ``beta`` a number in [0, 1].
    """
    n = steps
    etas, cs = _schedule("eta", eta, n), _schedule("c", c, n)
    beta = _beta(beta)
    extra = ["z"] * bool(z_points) + ["x"] * bool(x_points)
    traj = run(GSPA, {"eta": etas, "c": cs, "beta": beta}, n, L=1.0, extra=extra)
    return traj.labels, traj.pos


def spa_points(
    eta: float, c: float, steps: int, *, z_points: bool = False
) -> tuple[tuple[str, ...], np.ndarray]:
    """``gspa_points`` at beta = 1 (y_k = x_k, labelled ``"x0"``, ..., ``"xn"``): x_0..x_n,
    then (``z_points``) every z_k, k = 1..n, that is not already an x (for c = 1, z_k = x_k
    and none is added)."""
    labels, pts = gspa_points(eta, c, 1.0, steps, z_points=z_points)
    return tuple("x" + s[1:] if s[0] == "y" else s for s in labels), pts


def _solve(
    labels: tuple[str, ...],
    pts: np.ndarray,
    n: int,
    *,
    L: float,
    gap: float,
    condition: str,
    metric: str,
    solver: str | None,
    solver_options: dict | None,
) -> PEPResult:
    """The SDP of :func:`lyapunov.pep.solve` on the given points (the first n are the gradient
    points y_0..y_{n-1} of the measure), as a :class:`PEPResult`."""
    if solver_options is not None and not isinstance(solver_options, dict):
        raise TypeError(f"solver_options must be a dict, got {solver_options!r}")
    traj = Trajectory(labels, pts, np.arange(len(labels)), -1, n, False)
    measure = get_measure("avg_grad2" if metric == "average" else "min_grad2")
    res = solve_trajectory(
        traj, GSPA, {}, classes.get("smooth", L=L), measure, condition, gap, solver, solver_options
    )
    if not math.isfinite(res.value):
        return PEPResult(
            res.value, res.status, res.solve_time, labels, pts, *([None] * 6), metric=metric
        )
    d = res.duals
    perf = d["perf"] if metric == "min" else np.full(n, float(d["perf"][0]) / n)
    return PEPResult(
        value=res.value,
        status=res.status,
        solve_time=res.solve_time,
        labels=labels,
        points=pts,
        gram=res.gram,
        f=res.f,
        interp=d["interp"],
        initial=d["initial"],
        perf=perf,
        lower=d.get("lower"),
        metric=metric,
    )


def pep_gspa(
    eta: Schedule,
    c: Schedule,
    beta: float,
    *,
    L: float = 1.0,
    steps: int = 12,
    gap: float = 1.0,
    condition: Condition = "iterates",
    z_points: bool = True,
    x_points: bool = False,
    metric: Metric = "average",
    solver: str | None = None,
    solver_options: dict | None = None,
) -> PEPResult:
    """Solve the PEP of the module docstring for GSPA(eta, c, beta); returns the value, a worst
    case and the duals.

    ``eta`` (> 0) and ``c`` (in (0, 1]) are numbers, sequences of ``steps`` values (eta_k,
    c_k for k = 0..steps-1) or callables k -> value (schedule-free SGD: ``c=lambda k: 1 /
    (k + 1)``); ``beta`` in [0, 1] is a number. Points: y_0..y_n, plus z_1..z_n
    (``z_points``) and x_1..x_n (``x_points``) where they differ from the points before.
    ``solver_options`` are passed to the solver (e.g. ``{"time_limit": 60}`` for CLARABEL); a
    solve that ends without an optimal or unbounded status raises RuntimeError naming it.
    """
    L, n, gap = _validate_common(L, steps, gap, condition, metric)
    labels, pts = gspa_points(eta, c, beta, n, z_points=bool(z_points), x_points=bool(x_points))
    return _solve(
        labels,
        pts,
        n,
        L=L,
        gap=gap,
        condition=condition,
        metric=metric,
        solver=solver,
        solver_options=solver_options,
    )


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
    """The PEP of SPA(eta, c), GSPA at beta = 1 (gradient points x_0..x_n).

    ``z_points=True`` also makes z_1..z_n points of the PEP (interpolation conditions with
    them, and f(x_0) - f(z_k) <= gap, resp. f(z_k) - f_* >= |grad f(z_k)|^2/(2L)).
    ``solver_options`` are passed to the solver (e.g. ``{"time_limit": 60}`` for CLARABEL); a
    solve that ends without an optimal or unbounded status raises RuntimeError naming it.
    """
    eta, c, L, n, gap = _validate(eta, c, L, steps, gap, condition, metric)
    labels, pts = spa_points(eta, c, n, z_points=bool(z_points))
    return _solve(
        labels,
        pts,
        n,
        L=L,
        gap=gap,
        condition=condition,
        metric=metric,
        solver=solver,
        solver_options=solver_options,
    )


def pep_method(
    method: str,
    *,
    steps: int = 12,
    L: float = 1.0,
    gap: float = 1.0,
    metric: Metric = "average",
    condition: Condition = "iterates",
    z_points: bool = True,
    x_points: bool = False,
    solver: str | None = None,
    solver_options: dict | None = None,
    **params: float,
) -> PEPResult:
    """The PEP of a registered method with its own parameters, e.g.
    ``pep_method("schedule_free", lr=1.0, momentum=0.9, steps=16)``.

    The registry (``lyapunov.methods.registry.to_gspa``) maps the parameters, validated there,
    to (eta_k, c_k, beta) for k = 0..steps-1; then ``pep_gspa``. The gradient points y_k are
    the method's parameters (train mode for schedule-free SGD). Each parameter is one number.
    """
    L, n, gap = _validate_common(L, steps, gap, condition, metric)
    for name, value in params.items():
        if np.ndim(value) != 0:
            raise ValueError(f"{name}: must be one number (one PEP per call), got {value!r}")
    eta, c, beta = (np.broadcast_to(v, (n,)) for v in to_gspa(method, np.arange(n), **params))
    if np.ptp(beta) != 0:
        raise ValueError(f"{method}: beta must not change with the step, got {beta!r}")
    return pep_gspa(
        eta,
        c,
        float(beta[0]),
        L=L,
        steps=n,
        gap=gap,
        condition=condition,
        z_points=z_points,
        x_points=x_points,
        metric=metric,
        solver=solver,
        solver_options=solver_options,
    )


def worst_case(
    method: str,
    *,
    steps: int = 12,
    L: float = 1.0,
    gap: float = 1.0,
    metric: Metric = "average",
    condition: Condition = "iterates",
    z_points: bool = True,
    x_points: bool = False,
    solver: str | None = None,
    **params: float,
) -> float:
    """Worst case of (1/n) sum_{k<n} |grad f(p_k)|^2 (``metric="average"``, the default) or of
    min_{k<n} |grad f(p_k)|^2 for deterministic ``method`` over L-smooth f, p_k the point where
    its k-th gradient is taken (its parameters), e.g.
    ``worst_case("qhm", lr=0.1, momentum=0.9, nu=0.7)``.

    Subject to f(x_0) - f(p) <= gap at every point p of the PEP (y_k, z_k; x_k with
    ``x_points``; see the module docstring) or, with ``condition="lower_bound"``,
    f(x_0) - inf f <= gap (an upper bound). ``inf`` if the worst case is unbounded.
    """
    return pep_method(
        method,
        steps=steps,
        L=L,
        gap=gap,
        metric=metric,
        condition=condition,
        z_points=z_points,
        x_points=x_points,
        solver=solver,
        **params,
    ).value


def worst_case_gspa(
    eta: Schedule,
    c: Schedule,
    beta: float,
    *,
    L: float = 1.0,
    steps: int = 12,
    gap: float = 1.0,
    condition: Condition = "iterates",
    z_points: bool = True,
    x_points: bool = False,
    metric: Metric = "average",
    solver: str | None = None,
) -> float:
    """Worst case of (1/n) sum_{k<n} |grad f(y_k)|^2 (or the min) for deterministic
    GSPA(eta, c, beta) over L-smooth f: ``pep_gspa(...).value``. ``c`` (and ``eta``) may be a
    sequence c_0..c_{n-1} or a callable k -> c_k."""
    return pep_gspa(
        eta,
        c,
        beta,
        L=L,
        steps=steps,
        gap=gap,
        condition=condition,
        z_points=z_points,
        x_points=x_points,
        metric=metric,
        solver=solver,
    ).value


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
