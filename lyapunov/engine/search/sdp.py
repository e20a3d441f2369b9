"""The numerical half of certificate synthesis: one small SDP at one parameter point.

Floating point only *suggests* (which facts to use, which parts of the residual can vanish);
nothing decided here is ever a verdict. cvxpy (with Clarabel where installed) is an optional
dependency, imported on use.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..kernel.facts import Fact
from ..kernel.linear import ONE, Affine, NumericResidual, num

__all__ = ["SDPResult", "solve_at", "require_cvxpy"]

FEASIBLE = ("optimal", "optimal_inaccurate")


def require_cvxpy():
    """cvxpy, or a clear error naming the extra that installs it."""
    try:
        import cvxpy as cp
    except ImportError:  # pragma: no cover - the dev extra installs it
        raise ImportError(
            "certificate synthesis needs cvxpy: pip install 'lyapunov[search]'"
        ) from None
    return cp


@dataclass
class SDPResult:
    status: str
    values: np.ndarray | None  # one value per variable of the residual
    slack: float = 0.0  # with slack=True: how far the best certificate is from valid
    best: float | None = None  # with maximize: the optimal value

    @property
    def feasible(self) -> bool:
        return self.status in FEASIBLE


def _row(res: NumericResidual, aff: Affine, point) -> tuple[np.ndarray, float]:
    """An Affine not among the residual's entries (an extra equation), at the point."""
    r = np.zeros(len(res.lin.variables))
    c = 0.0
    pos = {v: i for i, v in enumerate(res.lin.variables)}
    for k, v in aff.coeffs.items():
        if k == ONE:
            c = num(v, point)
        elif k in pos:
            r[pos[k]] = num(v, point)
    return r, c


def _affine_matrix(cp, stack: np.ndarray, y):
    """M0 + sum_k y_k M_k for stack = [M0, M1, ...] (symmetric), as one cvxpy expression."""
    n = stack.shape[1]
    flat = stack[1:].reshape(stack.shape[0] - 1, n * n).T  # (n*n, nv)
    M = stack[0] + cp.reshape(flat @ y, (n, n), order="C")
    return (M + M.T) / 2


def solve_at(
    num: NumericResidual,
    point: dict,
    active: set,
    zero: Sequence[str] = (),
    extra: Sequence[Affine] = (),
    weights: np.ndarray | None = None,
    slack: bool = False,
    maximize: Affine | None = None,
    at_least: Sequence[tuple[Affine, float]] = (),
) -> SDPResult:
    """Feasibility of the certificate at ``point`` with the facts in ``active`` only.

    ``zero`` names residual entries forced to vanish (labels), ``extra`` adds equations
    (affine expressions = 0). The objective, a weighted sum of the multipliers (l1), favours
    sparse certificates. With ``slack``, the residual may be off by t >= 0 (matrix <= t I,
    constant <= t) and t is minimised instead: always feasible, and ``result.slack`` measures
    how far from valid the best certificate at this point is. ``maximize`` (an affine
    expression, e.g. an unknown rate) replaces the objective; each ``(expr, v)`` of ``at_least``
    adds expr >= v.
    """
    cp = require_cvxpy()
    lin = num.lin
    nv = len(lin.variables)
    y = cp.Variable(nv)
    t = cp.Variable(nonneg=True) if slack else 0
    cons = []
    fact_idx = [i for i, v in enumerate(lin.variables) if isinstance(v, Fact)]
    off = [i for i in fact_idx if lin.variables[i] not in active]
    on = [i for i in fact_idx if lin.variables[i] in active]
    if off:
        cons.append(y[off] == 0)
    if on:
        cons.append(y[on] >= 0)
    zero = set(zero)
    for e in lin.entries:
        r, c = num.rows[id(e)]
        if e.kind == "fval" or e.label in zero:
            cons.append(r @ y + c == 0)
        elif e.kind == "const":
            cons.append(r @ y + c <= t)
    for aff in extra:
        r, c = _row(num, aff, point)
        cons.append(r @ y + c == 0)
    for aff, bound in at_least:
        r, c = _row(num, aff, point)
        cons.append(r @ y + c >= bound)
    n = num.Q.shape[1]
    if n:
        cons.append(t * np.eye(n) - _affine_matrix(cp, num.Q, y) >> 0)
    for r, c in num.weights:
        if np.any(r):
            cons.append(r @ y + c >= 0)
    r, c = num.weights_sum
    if np.any(r):
        cons.append(r @ y + c == 1)
    if np.any(num.lower[1:]):
        cons.append(_affine_matrix(cp, num.lower, y) >> 0)
    r, c = num.rho
    if np.any(r):
        cons.append(r @ y + c >= 1e-9)
    w = np.ones(len(on)) if weights is None else np.asarray(weights)[on]
    obj = cp.Minimize(w @ y[on]) if on else cp.Minimize(0)
    if slack:
        obj = cp.Minimize(t)
    elif maximize is not None:
        r, c = _row(num, maximize, point)
        obj = cp.Maximize(r @ y + c)
    prob = cp.Problem(obj, cons)
    solver = "CLARABEL" if "CLARABEL" in cp.installed_solvers() else None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "solution may be inaccurate": judged below
            prob.solve(solver=solver)
    except cp.error.SolverError:
        return SDPResult("solver_error", None)
    if prob.status not in FEASIBLE or y.value is None:
        return SDPResult(prob.status, None)
    gap = float(t.value) if slack else 0.0
    best = float(prob.value) if maximize is not None else None
    return SDPResult(prob.status, np.array(y.value, dtype=float), gap, best)
