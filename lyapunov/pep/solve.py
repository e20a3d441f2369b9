r"""The exact worst case of any first-order method, function class and measure.

For a method (:class:`lyapunov.methods.Method`, a built-in name or a method file), a function
class (:mod:`lyapunov.engine.kernel.classes`) and a measure (:mod:`lyapunov.measures`), the worst
case of the measure after n deterministic steps over every f in the class and every x_0 is a
semidefinite program (Drori and Teboulle 2014; Taylor, Hendrickx, Glineur 2017):

    maximise t  over G >= 0 (PSD), F, t
    s.t.  t <= each term of the measure                      (linear in G, F)
          the class's interpolation facts between every ordered pair of points
          the initial condition

with G the Gram matrix of the gradients at the points (and of x_0 - x_*) and F their function
values (:mod:`.points`). Every constraint is the symbolic fact of its class or measure, made
numeric (:mod:`.forms`). Initial conditions:

* ``"lower_bound"`` (the default: the bound calculators' class): f(x_0) - f_* <= gap and, at
  every point p, f(p) - f_* >= S(p), the class's lower slack (|g_p|^2/(2L) for L-smooth f), a
  necessary condition for f_* <= inf f. The optimum is an upper bound on the worst case over
  {f in the class with f(x_0) - inf f <= gap}; more points make it closer.
* ``"iterates"`` (PEPit's choice for non-convex functions): f(x_0) - f(p) <= gap at every
  point p. With interpolation conditions that are necessary and sufficient, the optimum is the
  exact worst case over {f with f(x_0) - f(p) <= gap at those points}.

The value is ``inf`` where the problem is unbounded (e.g. gradient descent with a step beyond
2/L).
"""

from __future__ import annotations

import math
import numbers
import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sps

from ..engine.kernel import classes
from ..engine.kernel.forms import Point, VecSymbol, f
from ..measures import get as get_measure
from ..methods import Method, load
from ..validate import real
from .forms import STAR, Template, compile_form
from .points import Trajectory, run

__all__ = ["CONDITIONS", "WorstCase", "solve"]

CONDITIONS = ("lower_bound", "iterates")


@dataclass(frozen=True)
class WorstCase:
    """The worst case of one problem: its ``value`` (``inf`` if unbounded), the problem it
    solved, a worst-case Gram matrix and function values, and the dual multipliers (the
    numerical proof of the value): ``duals["interp"]`` (m, m) of the interpolation facts per
    ordered pair, ``duals["initial"]``, ``duals["lower"]`` (per point, ``"lower_bound"``),
    ``duals["perf"]`` (the weights of the measure's terms)."""

    value: float
    status: str
    solve_time: float
    method: str
    params: dict
    steps: int
    function_class: str
    measure: str
    condition: str
    labels: tuple[str, ...]
    points: np.ndarray
    gram: np.ndarray | None = None
    f: np.ndarray | None = None
    duals: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        """The result as JSON-ready numbers (``inf`` as the string ``"inf"``)."""
        value = self.value if math.isfinite(self.value) else "inf"
        return {
            "worst_case": value,
            "method": self.method,
            "params": {k: _plain(v) for k, v in self.params.items()},
            "steps": self.steps,
            "function_class": self.function_class,
            "measure": self.measure,
            "condition": self.condition,
            "status": self.status,
            "points": list(self.labels),
            "seconds": round(self.solve_time, 3),
        }


def _plain(v):
    a = np.asarray(v, dtype=float)
    return float(a) if a.ndim == 0 else a.tolist()


def _check(method, params, steps, L, gap, condition, function_class, measure):
    method = load(method)
    L, gap = real("L", L), real("gap", gap)
    if L <= 0:
        raise ValueError(f"L: must be > 0, got {L}")
    if gap < 0:
        raise ValueError(f"gap: must be >= 0, got {gap}")
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or steps < 1:
        raise ValueError(f"steps: must be an integer >= 1, got {steps!r}")
    if condition not in CONDITIONS:
        raise ValueError(f"condition: must be one of {', '.join(CONDITIONS)}, got {condition!r}")
    values = method.check_params(params)
    for p, v in values.items():
        if v.ndim > 1 or (v.ndim == 1 and v.shape[0] != steps):
            raise ValueError(
                f"{p}: one number, or a schedule of one value per step (steps = {steps}), "
                f"got shape {v.shape}"
            )
    cls = classes.get(function_class, L=L)
    meas = get_measure(measure)
    if meas.needs_minimizer and not cls.MINIMIZER:
        raise ValueError(
            f"measure: {measure} needs a minimiser x_*, which class {cls.name} does not have"
        )
    if meas.name == "last_gap" and condition == "iterates":
        raise ValueError("measure: last_gap needs f_*: use condition lower_bound")
    return method, values, int(steps), L, gap, cls, meas


def _point(traj: Trajectory, i: int) -> tuple[Point, dict]:
    label = traj.labels[i]
    w, g = VecSymbol(f"w[{label}]"), VecSymbol(f"g[{label}]")
    unit = np.zeros(traj.nb)
    unit[traj.gcol[i]] = 1.0
    return Point(label, w, g), {w: traj.pos[i], g: unit}


def solve(
    method: str | Method,
    params: Mapping | None = None,
    *,
    steps: int = 12,
    L: float = 1.0,
    gap: float = 1.0,
    function_class: str = "smooth",
    measure: str = "avg_grad2",
    condition: str = "lower_bound",
    points: str | Sequence[str] = "all",
    solver: str | None = None,
    solver_options: dict | None = None,
    **kwargs,
) -> WorstCase:
    """The worst case of ``measure`` after ``steps`` steps of ``method`` over
    ``function_class`` (module docstring), e.g.
    ``solve("sgdm", lr=0.1, momentum=0.5, steps=12).value``.

    Parameters are given as ``params`` and/or keywords, each a number or a schedule of
    ``steps`` values. ``points``: ``"all"`` (the gradient points, every state variable that is
    a point, and the output), ``"gradient"`` (the gradient points only) or a list of state
    names (and ``"output"``). ``solver_options`` are passed to the solver (e.g.
    ``{"time_limit": 60}`` for CLARABEL); a solve that ends without an optimal or unbounded
    status raises RuntimeError naming it.
    """
    if solver_options is not None and not isinstance(solver_options, dict):
        raise TypeError(f"solver_options: must be a dict, got {solver_options!r}")
    method, values, n, L, gap, cls, meas = _check(
        method, {**(params or {}), **kwargs}, steps, L, gap, condition, function_class, measure
    )
    if points == "all":
        extra = [s for s, st in zip(method.state, method.start, strict=True) if st == 1]
        extra.append("output")
    elif points == "gradient":
        extra = []
    elif isinstance(points, (list, tuple)):
        extra = list(points)
    else:
        raise ValueError(f"points: must be 'all', 'gradient' or a list of names, got {points!r}")
    last = meas.name in ("last_gap", "last_dist2")
    traj = run(method, values, n, L=L, extra=extra, output=last, minimizer=cls.MINIMIZER)
    return solve_trajectory(traj, method, values, cls, meas, condition, gap, solver, solver_options)


def solve_trajectory(
    traj: Trajectory,
    method: Method,
    values: Mapping,
    cls,
    meas,
    condition: str,
    gap: float,
    solver: str | None = None,
    solver_options: dict | None = None,
) -> WorstCase:
    """Solve the problem of :func:`solve` on the points ``traj`` of a run."""
    import cvxpy as cp  # optional dependency, imported on use

    m, nb, n = traj.m, traj.nb, traj.n
    pairs = np.array([(p, r) for p in range(m) for r in range(m) if p != r], dtype=int)
    As, Bs = [], []
    for kind in cls.INTERPOLATION:
        A, B = Template(lambda i, j, kind=kind: cls.fact(kind, i, j).form, 2).rows(traj, pairs)
        As.append(A)
        Bs.append(B)
    A, B = sps.vstack(As).tocsr(), sps.vstack(Bs).tocsr()

    named = [_point(traj, i) for i in range(m)]
    vectors = {k: v for _, vec in named for k, v in vec.items()}
    fidx = {p.name: i for i, (p, _) in enumerate(named)}
    grads = [named[k][0] for k in range(n)]
    output = named[traj.output][0] if traj.output >= 0 else named[0][0]
    terms = [compile_form(t, vectors, fidx, nb, m) for t in meas.terms(grads, output, STAR)]

    G = cp.Variable((nb, nb), PSD=True)
    F = cp.Variable(m)
    t = cp.Variable()
    gvec = cp.vec(G, order="C")
    interp = A @ gvec + B @ F <= 0
    perf = [t <= cp.trace(Q @ G) + a @ F + c for Q, a, c in terms]
    cons = [interp, *perf]
    lower = None
    if condition == "iterates":
        init = F[0] - F[1:] <= gap
    else:  # f(x_0) - f_* <= gap, f_* = 0; f(p) - f_* >= S(p) at every point
        init = F[0] <= gap
        slack = Template(lambda p: _infimum(cls, p), 1)
        LA, LB = slack.rows(traj, np.arange(m)[:, None])
        lower = LA @ gvec + LB @ F <= 0
        cons.append(lower)
    cons.append(init)
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
    common = dict(
        solve_time=elapsed,
        method=method.name,
        params={k: v for k, v in values.items()},
        steps=n,
        function_class=cls.name,
        measure=meas.name,
        condition=condition,
        labels=traj.labels,
        points=traj.pos,
    )
    status = prob.status
    if status in (cp.UNBOUNDED, cp.UNBOUNDED_INACCURATE):
        return WorstCase(math.inf, status, **common)
    if status not in (cp.OPTIMAL, cp.OPTIMAL_INACCURATE):
        raise RuntimeError(f"PEP solve failed: status {status!r} (solver {name})")
    lam = np.zeros((m, m))
    lam[tuple(pairs.T)] = np.asarray(interp.dual_value, dtype=float)[: len(pairs)]
    duals = {"interp": lam, "perf": np.array([float(np.sum(p.dual_value)) for p in perf])}
    if condition == "iterates":
        duals["initial"] = np.concatenate([[0.0], np.asarray(init.dual_value, dtype=float)])
    else:
        duals["initial"] = np.array([float(init.dual_value)])
        duals["lower"] = np.asarray(lower.dual_value, dtype=float)
    value = float(prob.value)
    dual = gap * float(duals["initial"].sum())
    if abs(value - dual) > 1e-4 * max(1.0, abs(value)):
        warnings.warn(
            f"PEP solved inaccurately ({status}): primal {value:.6g}, dual {dual:.6g}",
            stacklevel=3,
        )
    return WorstCase(
        value, status, gram=np.asarray(G.value), f=np.asarray(F.value), duals=duals, **common
    )


def _infimum(cls, p: Point):
    """f_* - f(p) + S(p) <= 0: the infimum lies below f(p) by the class's lower slack."""
    return f(STAR) - f(p) + cls.lower_slack(p)
