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
from ..engine.kernel.forms import Point, VecSymbol, f, sqnorm
from ..measures import get as get_measure
from ..methods import Method, load
from ..validate import real
from .forms import STAR, Template, compile_form
from .points import Trajectory, run

__all__ = ["CONDITIONS", "WorstCase", "solve"]

CONDITIONS = ("lower_bound", "iterates", "distance")


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


def function_class_of(function_class, L=None, mu=None, G=None):
    """The class ``function_class`` (a name or a :class:`FunctionClass`) with the constants it
    takes among L, mu and G (each validated by the class); ValueError naming a missing one."""
    if isinstance(function_class, classes.FunctionClass):
        return function_class
    if not isinstance(function_class, str) or function_class not in classes.CLASSES:
        return classes.get(function_class)  # the error naming the choices
    fields = classes.CLASSES[function_class].__dataclass_fields__
    given = {"L": L, "mu": mu, "G": G}
    consts = {}
    for name in fields:
        if given.get(name) is None:
            raise ValueError(f"{name}: class {function_class} needs the constant {name}")
        consts[name] = real(name, given[name])
    return classes.get(function_class, **consts)


def _check(method, params, steps, gap, distance, condition, cls, measure):
    method = load(method)
    gap = real("gap", gap)
    if gap < 0:
        raise ValueError(f"gap: must be >= 0, got {gap}")
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or steps < 1:
        raise ValueError(f"steps: must be an integer >= 1, got {steps!r}")
    if condition is None:
        condition = "distance" if cls.MINIMIZER else "lower_bound"
    if condition not in CONDITIONS:
        raise ValueError(f"condition: must be one of {', '.join(CONDITIONS)}, got {condition!r}")
    if condition == "distance":
        if not cls.MINIMIZER:
            raise ValueError(
                f"condition: distance needs a minimiser x_*, which class {cls.name} does not "
                "have (use lower_bound)"
            )
        if distance is None:
            raise ValueError("distance: condition distance needs |x_0 - x_*| (give distance=...)")
        distance = real("distance", distance)
        if distance < 0:
            raise ValueError(f"distance: must be >= 0, got {distance}")
    values = method.check_params(params)
    for p, v in values.items():
        if v.ndim > 1 or (v.ndim == 1 and v.shape[0] != steps):
            raise ValueError(
                f"{p}: one number, or a schedule of one value per step (steps = {steps}), "
                f"got shape {v.shape}"
            )
    meas = get_measure(measure)
    if meas.needs_minimizer and not cls.MINIMIZER:
        raise ValueError(
            f"measure: {measure} needs a minimiser x_*, which class {cls.name} does not have"
        )
    if condition == "iterates" and (meas.name == "last_gap" or cls.UNARY and not cls.MINIMIZER):
        raise ValueError(
            f"condition: iterates does not fix f_*, which {meas.name} or class {cls.name} "
            "needs: use lower_bound"
        )
    return method, values, int(steps), gap, distance, condition, meas


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
    L: float | None = 1.0,
    gap: float = 1.0,
    function_class: str = "smooth",
    measure: str = "avg_grad2",
    condition: str | None = None,
    points: str | Sequence[str] = "all",
    mu: float | None = None,
    G: float | None = None,
    distance: float | None = None,
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
    cls = function_class_of(function_class, L=L, mu=mu, G=G)
    L = float(cls.L) if hasattr(cls, "L") else None
    method, values, n, gap, distance, condition, meas = _check(
        method, {**(params or {}), **kwargs}, steps, gap, distance, condition, cls, measure
    )
    if L is None and "L" in method.needs():
        raise ValueError(f"{method.name}: its rule uses L, which class {cls.name} does not have")
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
    per_step = 1 + len(extra)
    _check_memory(n, per_step)
    try:
        traj = run(method, values, n, L=L, extra=extra, output=last, minimizer=cls.MINIMIZER)
        bound = distance**2 if condition == "distance" else gap
        return solve_trajectory(
            traj, method, values, cls, meas, condition, bound, solver, solver_options
        )
    except MemoryError:  # the estimate below erred on the small side: still one clear line
        raise ValueError(_memory_message(n, per_step, None)) from None


#: dense (points x points) float64 matrices a worst case holds at once, at least
GRAM_COPIES = 4


def _memory_bytes(steps: int, per_step: int) -> float:
    """A lower estimate of the memory of a worst case: GRAM_COPIES dense float64 matrices
    over its m = (steps + 1) per_step + 2 points (the Gram matrix and its constraints)."""
    m = (steps + 1) * per_step + 2
    return GRAM_COPIES * 8.0 * m * m


def _machine_memory() -> float | None:
    """This machine's physical memory in bytes (None where the system does not say)."""
    import os

    try:
        return float(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not POSIX
        return None


def _memory_message(steps: int, per_step: int, have: float | None) -> str:
    need = _memory_bytes(steps, per_step)
    if have is None:
        return (
            f"steps: an exact worst case of {steps} steps needs more memory than is available "
            f"(at least {need / 1e9:.3g} GB; it grows as steps^2 or faster); use fewer steps"
        )
    m = math.isqrt(int(have / (GRAM_COPIES * 8.0)))
    fit = max(0, (m - 2) // per_step - 1)
    return (
        f"steps: an exact worst case of {steps} steps needs at least {need / 1e9:.3g} GB of "
        f"memory (it grows as steps^2 or faster), more than the {have / 1e9:.3g} GB of this "
        f"machine; use at most about {fit} steps"
    )


def _check_memory(steps: int, per_step: int) -> None:
    """ValueError naming ``steps`` where a worst case cannot fit in this machine's memory."""
    have = _machine_memory()
    if have is not None and _memory_bytes(steps, per_step) > have:
        raise ValueError(_memory_message(steps, per_step, have))


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
    A, B, c0 = class_facts(cls, traj)

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
    interp = A @ gvec + B @ F + c0 <= 0
    perf = [t <= cp.trace(Q @ G) + a @ F + c for Q, a, c in terms]
    cons = [interp, *perf]
    lower = None
    if condition == "iterates":
        init = F[0] - F[1:] <= gap
    elif condition == "distance":  # |x_0 - x_*|^2 <= gap (= distance^2), x_* = 0
        Q, _, _ = compile_form(sqnorm(named[0][0] - STAR), vectors, fidx, nb, m)
        init = cp.trace(Q @ G) <= gap
    else:  # f(x_0) - f_* <= gap, f_* = 0; f(p) - f_* >= S(p) at every point
        init = F[0] <= gap
        slack = Template(lambda p: _infimum(cls, p), 1)
        LA, LB, Lc = slack.rows(traj, np.arange(m)[:, None])
        lower = LA @ gvec + LB @ F + Lc <= 0
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
    pairs = _pairs(m)
    lam[tuple(pairs.T)] = np.asarray(interp.dual_value, dtype=float)[: len(pairs)]
    duals = {"interp": lam, "perf": np.array([float(np.sum(p.dual_value)) for p in perf])}
    duals["facts"] = np.asarray(interp.dual_value, dtype=float)
    if condition == "iterates":
        duals["initial"] = np.concatenate([[0.0], np.asarray(init.dual_value, dtype=float)])
    else:
        duals["initial"] = np.array([float(init.dual_value)])
    if lower is not None:
        duals["lower"] = np.asarray(lower.dual_value, dtype=float)
    value = float(prob.value)
    # the dual objective: gap times the initial condition's multipliers, plus the constant
    # terms of the class's facts (e.g. G^2 of a bounded subgradient) times theirs
    dual = gap * float(duals["initial"].sum()) - float(duals["facts"] @ c0)
    if abs(value - dual) > 1e-4 * max(1.0, abs(value)):
        warnings.warn(
            f"PEP solved inaccurately ({status}): primal {value:.6g}, dual {dual:.6g}",
            stacklevel=3,
        )
    return WorstCase(
        value, status, gram=np.asarray(G.value), f=np.asarray(F.value), duals=duals, **common
    )


def _pairs(m: int) -> np.ndarray:
    return np.array([(p, r) for p in range(m) for r in range(m) if p != r], dtype=int)


def class_facts(cls, traj: Trajectory) -> tuple[sps.csr_matrix, sps.csr_matrix, np.ndarray]:
    """The class's facts at the run's points as sparse rows (A, B) and constants c,
    A . vec(G) + B . F + c <= 0:
    the interpolation facts of every ordered pair of points first (row-major), then, for a
    class with a minimiser, between each point and x_* (both orders), then the unary facts
    at each point."""
    m = traj.m
    pairs, each = _pairs(m), np.arange(m)[:, None]
    blocks = []
    for kind in cls.INTERPOLATION:
        blocks.append(Template(lambda i, j, k=kind: cls.fact(k, i, j).form, 2).rows(traj, pairs))
    if cls.MINIMIZER:
        for kind in cls.INTERPOLATION:
            for build in (
                lambda p, k=kind: cls.fact(k, p, STAR).form,
                lambda p, k=kind: cls.fact(k, STAR, p).form,
            ):
                blocks.append(Template(build, 1).rows(traj, each))
    for kind in cls.UNARY:
        blocks.append(Template(lambda p, k=kind: getattr(cls, k)(p).form, 1).rows(traj, each))
    return (
        sps.vstack([a for a, _, _ in blocks]).tocsr(),
        sps.vstack([b for _, b, _ in blocks]).tocsr(),
        np.concatenate([c for _, _, c in blocks]),
    )


def _infimum(cls, p: Point):
    """f_* - f(p) + S(p) <= 0: the infimum lies below f(p) by the class's lower slack."""
    return f(STAR) - f(p) + cls.lower_slack(p)
