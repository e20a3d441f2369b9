"""The first entry points of the PEP, for the momentum family (GSPA) on L-smooth f.

They keep their signatures and numbers and run on :func:`lyapunov.pep.solve`'s machinery:
GSPA on its state (x, z) (the registry's ``gspa``), the gradient points y_0..y_n, plus
z_1..z_n (``z_points``, the default) and x_1..x_n (``x_points``) where new; ``metric``
``"average"`` (avg_grad2) or ``"min"`` (min_grad2); ``condition`` ``"iterates"`` (their
default, PEPit's) or ``"lower_bound"`` (the calculators' class, :func:`solve`'s default).

Entry points: ``worst_case(method, **params)`` for any registered GSPA member with its own
parameters (``worst_case("nesterov", lr=0.05, momentum=0.9)``), ``worst_case_gspa(eta, c,
beta)`` (c a number, a sequence c_0..c_{n-1} or a callable k -> c_k), ``worst_case_spa(eta,
c)`` and ``worst_case_sgd(eta)``; the ``pep_*`` variants return the whole ``PEPResult``.
Their options (keywords): ``L`` = 1, ``steps`` = 12, ``gap`` = 1, ``condition`` =
"iterates", ``z_points`` = True, ``x_points`` = False (GSPA only), ``metric`` = "average",
``solver`` (default CLARABEL), ``solver_options`` (``pep_*`` only). For SPA at L = 1, n = 12,
(eta, c) = (0.1, 0.1) the average is 1.891 without and 1.399 with z points (1.847 and 1.092
for the min).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from ..engine.kernel import classes
from ..measures import get as get_measure
from ..methods.registry import METHODS, to_gspa
from ..validate import real
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


def _validate_common(L, steps, gap, condition, metric) -> tuple[float, int, float]:
    L, gap = real("L", L), real("gap", gap)
    if L <= 0:
        raise ValueError(f"L: must be > 0, got {L}")
    if gap < 0:
        raise ValueError(f"gap: must be >= 0, got {gap}")
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral):
        raise ValueError(f"steps: must be an integer, got {steps!r}")
    if steps < 1:
        raise ValueError(f"steps: must be >= 1, got {steps}")
    if condition not in ("iterates", "lower_bound"):
        raise ValueError(f"condition: must be 'iterates' or 'lower_bound', got {condition!r}")
    if metric not in ("average", "min"):
        raise ValueError(f"metric: must be 'average' or 'min', got {metric!r}")
    return L, int(steps), gap


def _validate(
    eta, c, L, steps, gap, condition, metric="average"
) -> tuple[float, float, float, int, float]:
    """SPA's parameters: eta > 0 and c in (0, 1] numbers, then the common ones."""
    eta, c = real("eta", eta), real("c", c)
    if eta <= 0:
        raise ValueError(f"eta: must be > 0, got {eta}")
    if not 0 < c <= 1:
        raise ValueError(f"c: must be in (0, 1], got {c}")
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
        raise ValueError(f"{name}: must be a real number, a sequence or a callable, got {value!r}")
    elif isinstance(value, (Sequence, np.ndarray)):
        values = list(np.asarray(value, dtype=object).ravel())
        if np.ndim(value) != 1 or len(values) != n:
            raise ValueError(
                f"{name}: must have one value per step (steps = {n}), got shape {np.shape(value)}"
            )
    else:
        v = real(name, value)
        if not ok(v):
            raise ValueError(f"{name}: must be {text}, got {v}")
        return np.full(n, v)
    out = np.empty(n)
    for k, v in enumerate(values):
        out[k] = real(f"{name}_{k}", v)
        if not ok(out[k]):
            raise ValueError(f"{name}: must be {text} at every step, got {name}_{k} = {out[k]}")
    return out


def _beta(beta: object) -> float:
    beta = real("beta", beta)
    if not 0 <= beta <= 1:
        raise ValueError(f"beta: must be in [0, 1], got {beta}")
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
        raise TypeError(f"solver_options: must be a dict, got {solver_options!r}")
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


_OPTIONS = {
    "L": 1.0,
    "steps": 12,
    "gap": 1.0,
    "condition": "iterates",
    "z_points": True,
    "x_points": False,
    "metric": "average",
    "solver": None,
    "solver_options": None,
}


def _options(where: str, options: dict, allowed=tuple(_OPTIONS)) -> dict:
    """The options of the module docstring with their defaults; TypeError naming an unknown
    keyword (as Python would for an explicit signature)."""
    for key in options:
        if key not in allowed:
            raise TypeError(f"{where}() got an unexpected keyword argument {key!r}")
    return {k: options.get(k, v) for k, v in _OPTIONS.items() if k in allowed}


def _run(labels, pts, o) -> PEPResult:
    return _solve(
        labels,
        pts,
        o["steps"],
        L=o["L"],
        gap=o["gap"],
        condition=o["condition"],
        metric=o["metric"],
        solver=o["solver"],
        solver_options=o["solver_options"],
    )


def pep_gspa(eta: Schedule, c: Schedule, beta: float, **options) -> PEPResult:
    """The PEP of GSPA(eta, c, beta): ``eta`` (> 0) and ``c`` (in (0, 1]) numbers, sequences of
    ``steps`` values or callables k -> value (schedule-free SGD: ``c=lambda k: 1 / (k + 1)``),
    ``beta`` in [0, 1]; options as in the module docstring. A solve that ends without an
    optimal or unbounded status raises RuntimeError naming it."""
    o = _options("pep_gspa", options)
    o["L"], o["steps"], o["gap"] = _validate_common(
        o["L"], o["steps"], o["gap"], o["condition"], o["metric"]
    )
    labels, pts = gspa_points(
        eta, c, beta, o["steps"], z_points=bool(o["z_points"]), x_points=bool(o["x_points"])
    )
    return _run(labels, pts, o)


def pep_spa(eta: float, c: float, **options) -> PEPResult:
    """The PEP of SPA(eta, c), GSPA at beta = 1 (gradient points labelled x_0..x_n)."""
    o = _options("pep_spa", options, tuple(k for k in _OPTIONS if k != "x_points"))
    eta, c, o["L"], o["steps"], o["gap"] = _validate(
        eta, c, o["L"], o["steps"], o["gap"], o["condition"], o["metric"]
    )
    labels, pts = spa_points(eta, c, o["steps"], z_points=bool(o["z_points"]))
    return _run(labels, pts, o)


def pep_method(method: str, **options_and_params) -> PEPResult:
    """The PEP of a registered GSPA member with its own parameters, e.g.
    ``pep_method("schedule_free", lr=1.0, momentum=0.9, steps=16)``: the registry maps them
    (validated there) to (eta_k, c_k, beta) for k = 0..steps-1, then :func:`pep_gspa`. The
    gradient points y_k are the method's parameters (train mode for schedule-free SGD)."""
    options = {k: v for k, v in options_and_params.items() if k in _OPTIONS}
    params = {k: v for k, v in options_and_params.items() if k not in _OPTIONS}
    o = _options("pep_method", options)
    o["L"], n, o["gap"] = _validate_common(
        o["L"], o["steps"], o["gap"], o["condition"], o["metric"]
    )
    for name, value in params.items():
        if np.ndim(value) != 0:
            raise ValueError(f"{name}: must be one number (one PEP per call), got {value!r}")
    eta, c, beta = (np.broadcast_to(v, (n,)) for v in to_gspa(method, np.arange(n), **params))
    if np.ptp(beta) != 0:
        raise ValueError(f"{method}: beta must not change with the step, got {beta!r}")
    return pep_gspa(eta, c, float(beta[0]), **o)


def worst_case(method: str, **options_and_params) -> float:
    """Worst case of the average (or min, ``metric="min"``) of |grad f(p_k)|^2 for the
    deterministic ``method`` over L-smooth f, p_k its k-th gradient point, e.g.
    ``worst_case("qhm", lr=0.1, momentum=0.9, nu=0.7)``; ``inf`` if unbounded."""
    if "solver_options" in options_and_params:
        raise TypeError("worst_case() got an unexpected keyword argument 'solver_options'")
    return pep_method(method, **options_and_params).value


def worst_case_gspa(eta: Schedule, c: Schedule, beta: float, **options) -> float:
    """``pep_gspa(...).value``."""
    _options("worst_case_gspa", options, tuple(k for k in _OPTIONS if k != "solver_options"))
    return pep_gspa(eta, c, beta, **options).value


def worst_case_spa(eta: float, c: float, **options) -> float:
    """Worst case for deterministic SPA(eta, c): ``pep_spa(...).value``."""
    allowed = tuple(k for k in _OPTIONS if k not in ("x_points", "solver_options"))
    _options("worst_case_spa", options, allowed)
    return pep_spa(eta, c, **options).value


def worst_case_sgd(eta: float, **options) -> float:
    """Worst case for gradient descent x_{k+1} = x_k - eta g_k: ``worst_case_spa`` at c = 1."""
    allowed = ("L", "steps", "gap", "condition", "metric", "solver")
    _options("worst_case_sgd", options, allowed)
    return worst_case_spa(eta, 1.0, **options)
