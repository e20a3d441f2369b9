"""Decide a sign condition by its structure: sums of nonnegative terms, products of signed
factors, even powers, and the region's own hypotheses.

These rules are *sufficient*: for every point of the region,

* a sum is >= 0 if every term is >= 0, and > 0 if moreover one term is > 0;
* a product is >= 0 (> 0) if its constant coefficient is positive and every other factor is
  >= 0 (> 0), and has the opposite sign for each factor of the opposite sign; an even power is
  >= 0; p**(-k) has the sign of p**k where p != 0 (a factor p**(-k), k odd, counts as > 0
  or < 0 only where p > 0 or p < 0 strictly);
* ``e op 0`` holds if ``e = q h`` with q a positive rational and ``h op' 0`` a condition of
  the region whose relation op' implies op (e.g. ``h > 0`` implies ``h >= 0``).

Each part is decided exactly (z3, cross-checked like any decision) with a short time limit; if
any part is not proved the answer is False ("don't know") and the caller decides the whole
condition directly. A structured decision never refutes.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import sympy as sp

__all__ = ["implies", "positive_symbols", "proves", "LEAF_SECONDS"]

LEAF_SECONDS = 3.0
MAX_PARTS = 24
_FLIP = {">": "<", ">=": "<=", "<": ">", "<=": ">="}
_WEAK = {">": ">=", "<": "<="}


def _at_least(op_have: str, op_want: str) -> bool:
    """Does ``h op_have 0`` imply ``h op_want 0`` (same side of zero)?"""
    return op_have == op_want or _WEAK.get(op_have) == op_want


def _sign_of_monomial(q: sp.Expr, positive: frozenset) -> int:
    """+1/-1 if q is a nonzero rational times powers of symbols known to be > 0, else 0."""
    coeff, factors = q.as_coeff_mul()
    if not coeff.is_Rational or coeff == 0:
        return 0
    for f in factors:
        base, exp = f.as_base_exp()
        if not (base in positive and exp.is_Integer):
            return 0
    return 1 if coeff > 0 else -1


@lru_cache(maxsize=4096)
def _terms(e: sp.Expr) -> int:
    """Number of terms of the numerator of e in lowest terms."""
    num, _ = sp.fraction(sp.cancel(e))
    return len(sp.Add.make_args(sp.expand(num)))


@lru_cache(maxsize=4096)
def _ratio(e: sp.Expr, h: sp.Expr) -> sp.Expr:
    return sp.cancel(e / h)


def implies(
    h: sp.Expr, op_h: str, e: sp.Expr, op_e: str, positive: frozenset = frozenset()
) -> bool:
    """``h op_h 0`` implies ``e op_e 0`` because e = q h, q a nonzero rational times powers of
    symbols in ``positive`` (symbols the region says are > 0)."""
    if op_h not in _FLIP or op_e not in _FLIP:
        return False
    h, e = sp.sympify(h), sp.sympify(e)
    hs, es = h.free_symbols, e.free_symbols
    # e = q h with q a monomial in positive symbols: the symbols can differ only by those
    if h == 0 or not (hs & es) or not (hs ^ es) <= positive:
        return False
    if _terms(e) != _terms(h):  # e = q h, q a monomial: same number of numerator terms
        return False
    sign = _sign_of_monomial(_ratio(e, h), positive)
    if sign == 0:
        return False
    return _at_least(op_h if sign > 0 else _FLIP[op_h], op_e)


def positive_symbols(region) -> frozenset:
    """The symbols s with a condition ``s > 0`` in the region."""
    out = set()
    for cond in region.conditions:
        if isinstance(cond, sp.StrictGreaterThan) and cond.rhs == 0 and cond.lhs.is_Symbol:
            out.add(cond.lhs)
        elif isinstance(cond, sp.StrictLessThan) and cond.lhs == 0 and cond.rhs.is_Symbol:
            out.add(cond.rhs)
    return frozenset(out)


def proves(expr: sp.Expr, op: str, region, leaf: Callable[[sp.Expr, str], bool], hyp=None) -> bool:
    """True if ``expr op 0`` on the region follows from the rules above and proved leaves.

    ``leaf(e, op)`` decides a part exactly; ``hyp(e, op)`` (optional) is the cheap test that
    ``e op 0`` is one of the region's conditions.
    """
    hyp = hyp or (lambda e, o: False)
    budget = [MAX_PARTS]
    cache: dict = {}
    sign = _Sign(leaf, hyp, budget, cache)
    if op in ("<", "<="):
        return sign.holds(-expr, _FLIP[op], 0)
    return sign.holds(expr, op, 0)


class _Sign:
    """Sign analysis: ``holds(e, op)`` for op in (">", ">="), recursively."""

    def __init__(self, leaf, hyp, budget, cache):
        self.leaf, self.hyp, self.budget, self.cache = leaf, hyp, budget, cache

    def holds(self, e: sp.Expr, op: str, depth: int) -> bool:
        e = sp.sympify(e)
        key = (e, op)
        if key not in self.cache:
            self.cache[key] = self._holds(e, op, depth)
        return self.cache[key]

    def _holds(self, e: sp.Expr, op: str, depth: int) -> bool:
        if e.is_Rational:
            return e > 0 if op == ">" else e >= 0
        if self.hyp(e, op):
            return True
        if self.budget[0] <= 0:
            return False
        if depth < 6 and isinstance(e, sp.Add):
            terms = e.args
            if (
                not any(t.as_coeff_Mul()[0] < 0 for t in terms)
                and all(self.holds(t, ">=", depth + 1) for t in terms)
                and (op == ">=" or any(self.holds(t, ">", depth + 1) for t in terms))
            ):
                return True
            factored = sp.factor(e)  # a sum with negative parts may be a product of signed ones
            if isinstance(factored, sp.Mul) and self.holds(factored, op, depth + 1):
                return True
            return self._leaf(e, op)
        if depth < 6 and isinstance(e, sp.Mul):
            coeff, factors = e.as_coeff_mul()
            negative = coeff < 0
            for f in factors:
                base, k = f.as_base_exp()
                if k.is_Integer and k < 0 and k % 2 == 1:
                    # base**k (k < 0 odd) has the sign of base where defined: base > 0 or
                    # base < 0 strictly (base = 0 is a point where the product is undefined)
                    if self.hyp(base, ">") or self.holds(base, ">", depth + 1):
                        continue
                    if self.hyp(-base, ">") or self.holds(-base, ">", depth + 1):
                        negative = not negative
                        continue
                    return self._leaf(e, op) if len(factors) > 1 else False
                if self.hyp(f, op):
                    continue
                if self.hyp(-f, op):
                    negative = not negative
                    continue
                if self.holds(f, op, depth + 1):
                    continue
                if self.holds(-f, op, depth + 1):
                    negative = not negative
                    continue
                return self._leaf(e, op) if len(factors) > 1 else False
            return not negative
        if depth < 6 and isinstance(e, sp.Pow) and e.exp.is_Integer:
            k = int(e.exp)
            if k % 2 == 0 and k > 0 and op == ">=":
                return True
            if k % 2 == 0:  # > 0 needs base != 0; so does any negative power
                return self._leaf(e.base, "!=")
            if k < 0:
                return self.holds(e.base, ">", depth + 1)
            return self.holds(e.base, op, depth + 1)
        return self._leaf(e, op)

    def _leaf(self, e: sp.Expr, op: str) -> bool:
        self.budget[0] -= 1
        return self.leaf(e, op)
