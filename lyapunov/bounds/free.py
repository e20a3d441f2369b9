"""Certified rates with free weights: a theorem that holds for *every* weight in its region
(P11's b, s; P12's s) is evaluated at weights found by a numerical search.

The search only picks the weights; the number returned is the theorem's own expression at
those weights, and only where every region condition holds in floating point with a safety
margin above the rounding error of its evaluation (:class:`SafeRegion`), so the exact point is
inside the certified region. An imprecise search costs tightness, never soundness.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property

import numpy as np
import sympy as sp

from .compile import GAP, STEPS

__all__ = ["FreeWeightRate", "SafeRegion", "MARGIN"]

#: relative safety margin of the float region test (float rounding is ~1e-16 per operation)
MARGIN = 1e-9

_OPS = {
    sp.StrictGreaterThan: operator.gt,
    sp.GreaterThan: operator.ge,
    sp.StrictLessThan: operator.lt,
    sp.LessThan: operator.le,
}


def _abs_tree(e: sp.Expr) -> sp.Expr:
    """The expression with every number and symbol replaced by its absolute value: for a
    polynomial evaluated in floating point, the rounding error is at most (number of
    operations) * 2^-53 times this value (a standard error bound for +, -, *)."""
    if e.is_Number:
        return abs(e)
    if e.is_Symbol:
        return sp.Abs(e)
    if isinstance(e, (sp.Add, sp.Mul)):
        return e.func(*[_abs_tree(a) for a in e.args])
    if isinstance(e, sp.Pow) and e.exp.is_Integer and e.exp > 0:
        return _abs_tree(e.base) ** e.exp
    raise ValueError(f"not a polynomial expression: {e}")


class _Poly:
    """A polynomial N: float value, rounding scale, exact sign at float inputs."""

    def __init__(self, expr: sp.Expr, symbols: list[sp.Symbol]):
        self.expr, self.symbols = expr, symbols
        self.value = sp.lambdify(symbols, expr, modules="numpy", cse=True)
        self.scale = sp.lambdify(symbols, _abs_tree(expr), modules="numpy", cse=True)
        self.exact = (
            expr.is_Number
            or expr.is_Symbol
            or (isinstance(expr, sp.Mul) and all(a.is_Number or a.is_Symbol for a in expr.args))
        )  # a single monomial: its float sign is exact

    @cached_property
    def _terms(self):
        poly = sp.Poly(sp.expand(self.expr), *self.symbols)
        return [(Fraction(int(sp.numer(q)), int(sp.denom(q))), mon) for mon, q in poly.terms()]

    def exact_sign(self, point: list[float]) -> int:
        """The exact sign at a point whose coordinates are floats (exact binary rationals)."""
        xs = [Fraction(v) for v in point]
        total = Fraction(0)
        for coef, mon in self._terms:
            term = coef
            for x, k in zip(xs, mon, strict=True):
                if k:
                    term *= x**k
            total += term
        return (total > 0) - (total < 0)


@dataclass
class SafeRegion:
    """A theorem's region as a float test that never accepts a point by rounding.

    Each condition is written N/D op 0 with polynomials N, D (``sympy.together``, not
    expanded). The float sign of N (or D) is trusted only where |N| > MARGIN * |N|_abs, the
    value with every coefficient and variable replaced by its absolute value, far above the
    rounding error of the evaluation; elsewhere (near or on the boundary) the sign is computed
    exactly in rational arithmetic from the float inputs (themselves exact binary rationals).
    """

    conditions: tuple
    symbols: list[sp.Symbol]

    @cached_property
    def _compiled(self):
        out = []
        for cond in self.conditions:
            if type(cond) not in _OPS:
                raise ValueError(f"SafeRegion: unsupported condition {cond}")
            num, den = sp.fraction(sp.together(cond.lhs - cond.rhs))
            out.append((_Poly(num, self.symbols), _Poly(den, self.symbols), cond))
        return out

    def __call__(self, *xs: np.ndarray) -> np.ndarray:
        shape = np.broadcast(*xs).shape
        full = [np.broadcast_to(np.asarray(x, dtype=float), shape) for x in xs]
        ok = np.ones(shape, dtype=bool)
        with np.errstate(all="ignore"):
            for num, den, cond in self._compiled:
                signs = []
                for poly in (num, den):
                    v = np.broadcast_to(poly.value(*full), shape)
                    sign = np.sign(v)
                    if not poly.exact:
                        scale = np.broadcast_to(poly.scale(*full), shape)
                        unsure = ~(np.abs(v) > MARGIN * scale) & ok
                        if unsure.any():
                            sign = sign.copy()
                            for idx in zip(*np.nonzero(unsure), strict=True):
                                sign[idx] = poly.exact_sign([x[idx] for x in full])
                    signs.append(sign)
                ok &= (signs[1] != 0) & _OPS[type(cond)](signs[0] * signs[1], 0)
        return ok


@dataclass
class FreeWeightRate:
    """A certified DescentLemma's rate, minimised over its free weights on a grid.

    ``args``: calculator argument -> theorem symbol (every region symbol but the free ones);
    ``free``: weight name -> (symbol, grid of values tried).
    """

    label: str
    theorem: object
    args: Mapping[str, sp.Symbol]
    free: Mapping[str, tuple[sp.Symbol, np.ndarray]]
    order: tuple[str, ...] = field(default=())

    def __post_init__(self):
        known = set(self.args.values()) | {s for s, _ in self.free.values()}
        missing = set(self.theorem.region.symbols) - known
        if missing:
            raise ValueError(f"{self.label}: region symbols {sorted(map(str, missing))} unmapped")
        self.order = tuple(self.args)

    @cached_property
    def _symbols(self) -> list[sp.Symbol]:
        return [self.args[a] for a in self.order] + [s for s, _ in self.free.values()]

    @cached_property
    def region(self) -> SafeRegion:
        return SafeRegion(self.theorem.region.conditions, self._symbols)

    @cached_property
    def expression(self) -> sp.Expr:
        """The certified bound on (1/steps) sum_k E|grad f(p_k)|^2, as the theorem states it."""
        return self.theorem.rate(GAP, STEPS)

    @cached_property
    def _value(self):
        return sp.lambdify([*self._symbols, STEPS, GAP], self.expression, "numpy", cse=True)

    def __call__(self, *, steps, gap, **values) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """(bound, weights at which it is attained); inf where no grid weight is in the region."""
        xs = [np.asarray(values[a], dtype=float) for a in self.order]
        shape = np.broadcast(*xs, steps, gap).shape
        k = len(self.free)
        ex = [np.reshape(v, v.shape + (1,) * k) for v in np.broadcast_arrays(*xs, steps, gap)]
        grids = []
        for i, (_, g) in enumerate(self.free.values()):
            grids.append(np.reshape(g, (1,) * (len(shape) + i) + (-1,) + (1,) * (k - i - 1)))
        pts, steps_, gap_ = ex[: len(xs)], ex[-2], ex[-1]
        with np.errstate(all="ignore"):
            val = np.asarray(self._value(*pts, *grids, steps_, gap_), dtype=float)
            val = np.broadcast_to(val, shape + tuple(len(g) for _, g in self.free.values()))
            ok = self.region(*pts, *grids) & np.isfinite(val) & (val >= 0)
        val = np.where(ok, val, np.inf).reshape(shape + (-1,))
        idx = np.argmin(val, axis=-1)
        best = np.take_along_axis(val, idx[..., None], axis=-1)[..., 0]
        mesh = np.meshgrid(*[g for _, g in self.free.values()], indexing="ij")
        weights = {
            name: np.where(np.isfinite(best), m.ravel()[idx], np.nan)
            for name, m in zip(self.free, mesh, strict=True)
        }
        return best, weights
