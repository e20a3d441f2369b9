"""The rounding error of a polynomial evaluated in floating point, bounded by its expression
tree: the one error analysis behind the float tests of certified regions (:mod:`.compile`) and
the float decisions of the horizon chains (:mod:`.horizon`, :mod:`.horizon_region`).

The float evaluation of an expression tree of +, -, * and integer powers (numbers and
parameters exact) errs by at most gamma_K * A, K its operation count, gamma_K = K u / (1 - K u),
A the same tree with every number and parameter replaced by its absolute value
(:func:`magnitude`). The bound needs no overflow or underflow inside the tree: :func:`tree`
also gives the exponent E such that every node of A stays in [2^-NODE, 2^NODE] when every
parameter is 0 or in [2^-E, 2^E] (from the degrees and numbers of the tree).
"""

from __future__ import annotations

import math

import sympy as sp

__all__ = ["magnitude", "tree", "UNIT", "NODE"]

#: unit roundoff, with an allowance for underflow at nodes of size >= 2^-960
UNIT = 2.0**-53 + 2.0**-100
#: every node of the absolute-value tree stays in [2^-NODE, 2^NODE]
NODE = 960


def tree(e: sp.Expr) -> tuple[sp.Expr, int, tuple[float, float, float, float], float]:
    """(A, K, range, E) of a polynomial expression tree ``e``.

    A: the tree with every number and symbol replaced by its absolute value; K: its operation
    count for the error bound gamma_K * A (a number counts one rounding, a sum or product of n
    terms n - 1 plus the largest (sum) or the total (product) count of its terms, a power x^k
    k times the count of x plus 2); range (lo, lo_e, hi, hi_e): every nonzero value of A lies
    in [2^(lo - lo_e E), 2^(hi + hi_e E)] when every symbol is 0 or in [2^-E, 2^E]; E: the
    largest such E keeping every node of A in [2^-960, 2^960].
    """
    if e.is_Symbol:
        return sp.Abs(e), 0, (0.0, 1.0, 0.0, 1.0), float(NODE)
    if e.is_Rational and e != 0:
        lg = math.log2(abs(int(e.p))) - math.log2(int(e.q))
        rng = (math.floor(lg) - 1.0, 0.0, math.ceil(lg) + 1.0, 0.0)
        if not -NODE <= rng[0] <= rng[2] <= NODE:
            raise ValueError(f"a number too large or too small for float evaluation: {e}")
        return abs(e), 1, rng, math.inf
    if isinstance(e, (sp.Add, sp.Mul)):
        parts = [tree(a) for a in e.args]
        absval = e.func(*[p[0] for p in parts])
        rs = [p[2] for p in parts]
        n = len(parts)
        if isinstance(e, sp.Add):
            ops = max(p[1] for p in parts) + n - 1
            lo, lo_e = min(r[0] for r in rs), max(r[1] for r in rs)
            hi, hi_e = max(r[2] for r in rs) + math.ceil(math.log2(n)), max(r[3] for r in rs)
        else:
            ops = sum(p[1] for p in parts) + n - 1
            lo, lo_e, hi, hi_e = (float(sum(r[i] for r in rs)) for i in range(4))
        best = min(p[3] for p in parts)
    elif isinstance(e, sp.Pow) and e.exp.is_Integer and e.exp > 0:
        k = int(e.exp)
        base, count, r, best = tree(e.base)
        absval, ops = base**k, k * count + 2
        lo, lo_e, hi, hi_e = (k * v for v in r)
    else:
        raise ValueError(f"not a polynomial expression tree: {e}")
    if lo_e > 0:
        best = min(best, (NODE + lo) / lo_e)
    if hi_e > 0:
        best = min(best, (NODE - hi) / hi_e)
    return absval, ops, (lo, lo_e, hi, hi_e), best


def magnitude(expr: sp.Expr) -> tuple[sp.Expr, int]:
    """(A, K) of a polynomial expression tree (module docstring): evaluated in floating point
    (numbers and parameters exact, no overflow or underflow), ``expr`` errs by at most
    gamma_K * A, gamma_K = K u / (1 - K u), A the tree with every number and parameter replaced
    by its absolute value. Zero is exact: (0, 0)."""
    if expr == 0:
        return sp.Integer(0), 0
    a, k, _, _ = tree(expr)
    return a, k
