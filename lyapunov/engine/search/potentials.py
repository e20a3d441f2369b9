"""Certificate synthesis for a :class:`~lyapunov.engine.Potential` with unknowns.

A potential's unknowns (``(w + k) (f(x) - f_*) + ...`` with ``w = unknowns("w")``) differ
from a descent lemma's in three ways, handled here:

* they are *constants of the potential*: they may depend on the parameters but not on the
  step counter k, while the multipliers may. :func:`solve_exact` enforces it: eliminating the
  multipliers first leaves equations on the unknowns alone, rational in k; each must hold for
  every k, so every coefficient of the powers of k in its numerator vanishes.
* the side conditions (a_k >= 0, q >= 0, rho >= 0) are left to the exact check, but where
  they involve unknowns each sample's SDP imposes them too (:func:`numeric_search`): else a
  sparse solution buys a fact's multiplier with a negative weight.
* an unknown may also occur outside the claim (the weight, the initial bound and its
  multipliers); the claim must determine it (:func:`unsolvable` says why not, in one line).
"""

from __future__ import annotations

import sympy as sp
from sympy.polys.matrices import DomainMatrix

from ..kernel.auto import Unknown, unknowns_in
from ..kernel.linear import ONE, Affine, split_affine
from .sdp import solve_at
from .support import NumericSearch, point_key

__all__ = ["counter_of", "numeric_search", "solve_exact", "unsolvable"]


class _SearchWithSides(NumericSearch):
    """The search of a Potential whose weight, contraction or rho involves unknowns: its side
    conditions (a_k >= 0, q >= 0, rho >= 0) are left to the exact check, but where they
    involve unknowns every sample's SDP also imposes them -- else a sparse solution may buy a
    fact's multiplier with an unknown that no exact certificate has (e.g. a negative weight)."""

    def __init__(self, theorem, timeout, samples, seed, sides: list[Affine]):
        super().__init__(theorem, timeout, samples, seed)
        self.sides = [(aff, 0.0) for aff in sides]

    def solve(self, pt, active, zero=(), extra=(), **kw):
        key = point_key(pt)
        floors = [*self.floors.get(key, ()), *self.sides]
        return solve_at(self.nums[key], pt, active, zero, extra, at_least=floors, **kw)


def numeric_search(theorem, timeout, samples, seed) -> NumericSearch:
    """The numerical search, with the side conditions that involve unknowns (a Potential)."""
    if getattr(theorem, "SIDE_IN_SEARCH", True):
        return NumericSearch(theorem, timeout, samples, seed)
    sides = []
    for what in ("weight", "contraction", "rho"):
        value = getattr(theorem, what, None)
        if value is None or not unknowns_in([value]):
            continue
        try:
            sides.append(Affine(split_affine(value, theorem.unknowns)))
        except ValueError:  # not linear in the unknowns: the exact check alone decides
            continue
    if not sides:
        return NumericSearch(theorem, timeout, samples, seed)
    return _SearchWithSides(theorem, timeout, samples, seed, sides)


def counter_of(theorem) -> sp.Symbol | None:
    """The step counter k when the theorem has unknowns (then they must not depend on k)."""
    return getattr(theorem, "counter", None) if theorem.unknowns else None


def unsolvable(theorem) -> str:
    """Why the unknowns of ``theorem`` cannot be solved for ("" when they can): the search
    solves the unknowns of the claim E[A_{k+1}] - q A_k + ... <= 0, linear in them; an unknown
    that occurs only in a side field (a Potential's weight, initial bound or initial
    multipliers) is not determined by it."""
    name, solved = theorem.name, set(theorem.unknowns)
    allowed = "the lyapunov function, rho, nu or drift (linearly)"
    for what, exprs in _side_fields(theorem):
        free = set(unknowns_in(exprs)) - solved
        if free:
            names = ", ".join(sorted(u.name for u in free))
            return (
                f"{name}: {what}: the unknown(s) {names} occur only there; unknowns are solved "
                f"for from the claim, so they must also occur in {allowed}"
            )
    try:
        for scalar in theorem.claim().scalars():
            split_affine(scalar, theorem.unknowns)
    except ValueError as exc:
        q = getattr(theorem, "contraction", 0)
        if unknowns_in([q]):
            names = ", ".join(u.name for u in unknowns_in([q]))
            return (
                f"{name}: contraction: q = {sp.sstr(q)} has the unknown(s) {names} and "
                "multiplies A_k, which has unknowns too; unknowns must enter the claim "
                "linearly (give q, or fix the potential's coefficients)"
            )
        return f"{name}: {exc}; unknowns must enter the claim linearly"
    return ""


def _side_fields(theorem):
    """(field, expressions) of the fields outside the claim that may carry unknowns."""
    for what in ("contraction", "weight"):
        value = getattr(theorem, what, None)
        if value is not None:
            yield what, [value]
    bound = getattr(theorem, "B_init", None)
    if getattr(theorem, "initial_bound", None) is not None and bound is not None:
        yield "initial_bound", list(bound.scalars())
    initial = getattr(theorem, "initial", None)
    if initial:
        yield "initial", list(initial.values())


def solve_exact(eqs: list[Affine], variables: list, counter=None) -> tuple[dict | None, list]:
    """Solve sum_v a_v v + a_1 = 0 exactly over the field of rational functions: (the
    solution with the free variables at 0, the free variables), or (None, []) when the
    system is inconsistent. With a step ``counter`` k, the unknowns may not depend on k (the
    module)."""
    if not variables:
        return {}, []
    order = list(variables)
    if counter is not None:  # unknowns last: the rows left on them alone come last
        order = [v for v in variables if not isinstance(v, Unknown)]
        order += [v for v in variables if isinstance(v, Unknown)]
    rows = [[e.coeffs.get(v, 0) for v in order] + [-e.coeffs.get(ONE, 0)] for e in eqs]
    if not rows:
        return {v: sp.Integer(0) for v in variables}, list(variables)
    R, pivots = _rref(rows)
    n = len(order)
    if counter is not None and n not in pivots:
        split = _counter_free(R, pivots, order, counter)
        if split:
            R, pivots = _rref(rows + split)
    if n in pivots:
        return None, []
    sol = {v: sp.Integer(0) for v in variables}
    for r, col in enumerate(pivots):
        sol[order[col]] = sp.factor(sp.cancel(R[r, n]))
    free = [v for i, v in enumerate(order) if i not in pivots]
    return sol, free


def _rref(rows: list[list]) -> tuple[sp.Matrix, tuple]:
    """The reduced row echelon form over the field of rational functions, and its pivots."""
    M = DomainMatrix.from_Matrix(sp.Matrix(rows)).to_field()
    R, pivots = M.rref()
    return R.to_Matrix(), tuple(pivots)


def _counter_free(R: sp.Matrix, pivots: tuple, order: list, counter: sp.Symbol) -> list:
    """The rows of R on the unknowns alone (pivot at an unknown) that depend on ``counter``,
    each split into its coefficients of the powers of k (rows free of k); [] if none does."""
    split: list[list] = []
    for r, col in enumerate(pivots):
        if col >= len(order) or not isinstance(order[col], Unknown):
            continue
        row = [sp.cancel(x) for x in R.row(r)]
        if not any(counter in x.free_symbols for x in row):
            continue
        den = sp.lcm_list([sp.fraction(x)[1] for x in row])
        nums = [sp.expand(sp.cancel(x * den)) for x in row]
        degree = max(sp.degree(x, counter) for x in nums if x != 0)
        for p in range(degree + 1):
            split.append([x.coeff(counter, p) for x in nums])
    return split
