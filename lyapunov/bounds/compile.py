"""The one float test of certified regions: :class:`SafeRegion`, a certified region (sympy
relations ``lhs op rhs`` over parameters) as a vectorised numpy test that is *exact*: a point is
declared inside iff its float coordinates, taken as the binary rationals they are, satisfy every
condition; a point with a nan or infinite coordinate is outside. Certified rates built on it:
:mod:`.rate` (:class:`~lyapunov.bounds.rate.CompiledRate`); the rounding error of a tree:
:mod:`.rounding`.

How a condition is decided (the argument for soundness). With ``sympy.together`` and the
syntactic factors of numerator and denominator,

    lhs - rhs = k * prod_i f_i^m_i / prod_j g_j^n_j      (k rational, f_i, g_j polynomials),

so ``lhs - rhs op 0`` iff ``sign(k) prod sign(f_i)^m_i prod sign(g_j)^n_j op 0`` and every
g_j != 0 (where a g_j vanishes the condition is undefined: outside). Signs are decided exactly:

* a factor ``a (x - t)`` in one parameter (``eta > 0``, ``c <= 1``, ...): one float comparison
  of x with fl(t), the float nearest to t (no float lies strictly between them; whether
  fl(t) is above, below or equal to t is decided once, in rationals);
* any other polynomial p (the numerator prod_i f_i^m_i as one expression, or a factor),
  evaluated in floats as v: the float evaluation of an expression tree of +, -, * and integer
  powers errs by at most gamma_K * A (K its operation count, gamma_K = K u / (1 - K u), A the
  same tree with every number and parameter replaced by its absolute value:
  :func:`~lyapunov.bounds.rounding.magnitude`), so sign(v) = sign(p) where |v| > MARGIN * A-hat
  for any float upper bound A-hat of A (MARGIN >= 4 K u is checked when compiling). A-hat is
  first A at the largest |x| of every parameter (one number: A is increasing in every |x|); at
  the few points left, the factors are decided one by one: a single-parameter factor as above,
  any other with A at the point, and what is still left (on the boundary or within rounding of
  it) in exact integer arithmetic. The error bound needs no overflow or underflow inside the
  tree, so it is used only where every parameter is 0 or in [2^-E, 2^E] (E such that every node
  of A stays in [2^-960, 2^960], from the degrees and numbers of the trees); elsewhere the sign
  is computed exactly.

So MARGIN only decides which points are decided exactly, never the answer. Large arrays are
evaluated in blocks of rows (the temporaries of a block stay small).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property

import numpy as np
import sympy as sp

from .rounding import UNIT, tree

__all__ = ["SafeRegion", "RELATIONS", "MARGIN", "GAP", "STEPS"]

#: the symbols of a certified rate's gap f(x_0) - inf f and horizon
GAP = sp.Symbol("gap", real=True)
STEPS = sp.Symbol("steps", real=True)

#: the relations a region may use, each as the comparison of lhs - rhs with 0
RELATIONS: dict[type, Callable] = {
    sp.StrictGreaterThan: operator.gt,
    sp.GreaterThan: operator.ge,
    sp.StrictLessThan: operator.lt,
    sp.LessThan: operator.le,
    sp.Eq: operator.eq,
    sp.Ne: operator.ne,
}
#: ``op(sign, 0)`` from the boolean arrays (sign < 0, sign = 0)
_SIGN_TESTS = {
    operator.gt: lambda neg, zero: ~(neg | zero),
    operator.ge: lambda neg, zero: ~neg | zero,
    operator.lt: lambda neg, zero: neg & ~zero,
    operator.le: lambda neg, zero: neg | zero,
    operator.eq: lambda neg, zero: zero,
    operator.ne: lambda neg, zero: ~zero,
}

#: relative margin of the float sign test: |v| > MARGIN * A-hat (module docstring)
MARGIN = 1e-9
#: points per block of evaluation
_BLOCK = 2**16


def _in_range(m: np.ndarray, hi: float) -> np.ndarray:
    """|x| = m is 0 or in [1/hi, hi] (nan: no)."""
    return (m <= hi) & ((m >= 1.0 / hi) | (m == 0))


class _Affine:
    """A factor a (x - t), a > 0, x the parameter number ``index``: its sign, exactly, by
    comparing x with f = fl(t) (``above``: f > t; ``exact``: f = t)."""

    def __init__(self, index: int, t: Fraction):
        self.index, self.t = index, t
        try:
            self.f = float(t)  # int / int: correctly rounded
        except OverflowError:
            self.f = math.copysign(math.inf, t)
        self.exact = math.isfinite(self.f) and Fraction(self.f) == t
        self.above = self.f > t

    def parts(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """(x < t, x = t) exactly (None: never equal)."""
        if self.exact:
            return x < self.f, x == self.f
        return (x < self.f if self.above else x <= self.f), None

    def compare(self, x: np.ndarray, op: Callable) -> np.ndarray:
        """``op(x - t, 0)`` exactly, for finite x."""
        if self.exact:
            return op(x, self.f)
        if op is operator.eq or op is operator.ne:
            return np.full(np.shape(x), op is operator.ne)
        if op is operator.gt or op is operator.ge:  # x > t iff x > f, or x = f > t
            return x >= self.f if self.above else x > self.f
        return x < self.f if self.above else x <= self.f


class _General:
    """Any other factor: float value, the float sign test with its margin, the exact sign."""

    def __init__(self, expr: sp.Expr, fresh: list[sp.Symbol]):
        used = [i for i, s in enumerate(fresh) if s in expr.free_symbols]
        syms = [fresh[i] for i in used]
        absval, ops, _, self.exponent = tree(expr)
        if 4 * ops * UNIT >= MARGIN:
            raise ValueError(f"a factor of {ops} operations is too long for MARGIN: {expr}")
        if self.exponent < 8:
            raise ValueError(f"a factor too large for float evaluation: {expr}")
        self.indices = used
        self.value = sp.lambdify(syms, expr, modules="numpy", cse=True)
        self.scale = sp.lambdify(syms, absval, modules="numpy", cse=True)
        poly = sp.Poly(sp.expand(expr), *syms)
        lcm = math.lcm(*(int(q.q) for _, q in poly.terms()))
        self.terms = [(int(q * lcm), mon) for mon, q in poly.terms()]
        self.degrees = [max(mon[j] for _, mon in self.terms) for j in range(len(syms))]

    def exact_sign(self, point: Sequence[float]) -> int:
        """sign(f) at a point of floats, in integers: x_j = n_j / 2^s_j, so 2^(sum_j
        deg_j s_j) f = sum over terms of coef prod_j n_j^e_j 2^((deg_j - e_j) s_j)."""
        ns, ss = [], []
        for v in point:
            n, d = float(v).as_integer_ratio()
            ns.append(n)
            ss.append(d.bit_length() - 1)
        total = 0
        for coef, mon in self.terms:
            term, shift = coef, 0
            for n, s, e, deg in zip(ns, ss, mon, self.degrees, strict=True):
                if e:
                    term *= n**e
                shift += (deg - e) * s
            total += term << shift
        return (total > 0) - (total < 0)

    def fast(self, arrays: list[np.ndarray], top: list[float], wild, test: Callable) -> tuple:
        """(test(v), mask of the points where sign(v) is not certain, or None if there are none),
        v the float value: not certain where |v| <= MARGIN * A(top) (A at the largest |x| of
        each parameter) or a coordinate is out of range (``wild``; where wild is None every
        coordinate is in range, so v is finite). Only booleans outlive v."""
        xs = [arrays[i] for i in self.indices]
        v = np.asarray(self.value(*xs), dtype=float)
        limit = MARGIN * float(self.scale(*[top[i] for i in self.indices]))
        out = test(v)
        if wild is not None:
            return out, ~((v > limit) | (v < -limit)) | wild  # nan: not certain
        own = v.flags.writeable and not any(np.may_share_memory(v, x) for x in xs)
        a = np.abs(v, out=v) if own else np.abs(v)  # in place: no new big array
        return out, ((a <= limit) if a.size and a.min() <= limit else None)

    def certain_parts(self, pts: list[np.ndarray], tame: np.ndarray, skip: np.ndarray) -> tuple:
        """(f < 0, f = 0) exactly at the points ``pts`` (1-D): the test with A at each point
        where ``tame`` (coordinates 0 or in range), exact arithmetic at the rest (but where
        ``skip``: there the answer is not needed)."""
        xs = [pts[i] for i in self.indices]
        m = len(tame)
        v = np.broadcast_to(np.asarray(self.value(*xs), dtype=float), (m,))
        a = np.broadcast_to(np.asarray(self.scale(*xs), dtype=float), (m,))
        sure = tame & ((np.abs(v) > MARGIN * a) | (a == 0))  # A = 0: every term is 0
        sign = np.where(sure, np.sign(v), 0.0)
        for k in np.flatnonzero(~sure & ~skip):
            sign[k] = self.exact_sign([x[k] for x in xs])
        return sign < 0, sign == 0


@dataclass
class _Condition:
    """``op(const * prod sign(f)^m, 0)`` over the factors ``num`` and ``den`` (ids,
    multiplicities; single-parameter factors first), every denominator factor nonzero;
    ``whole``: the numerator as one factor, evaluated at once in the float stage (None: the
    numerator is one single-parameter factor, or a number)."""

    op: Callable
    const: int
    num: list[tuple[int, int]]
    den: list[tuple[int, int]]
    whole: int | None
    signed_op: Callable  # op(const * y, 0) is signed_op(y, 0)

    @property
    def factors(self) -> list[tuple[int, int, bool]]:  # (id, multiplicity, in denominator)
        return [(i, k, True) for i, k in self.den] + [(i, k, False) for i, k in self.num]


@dataclass
class SafeRegion:
    """A certified region as an exact vectorised test (module docstring): ``region(*xs)`` is
    the boolean mask (shape: the broadcast of the xs, given in the order of ``symbols``) of the
    points whose float coordinates satisfy every condition exactly."""

    conditions: Sequence[sp.Basic]
    symbols: Sequence[sp.Symbol]

    @cached_property
    def _compiled(self) -> tuple[list[_Condition], list, int]:
        fresh = [sp.Dummy(f"x{i}", real=True) for i in range(len(self.symbols))]
        rename = dict(zip(self.symbols, fresh, strict=True))
        factors: list = []
        ids: dict[sp.Expr, int] = {}
        bases: list[sp.Expr] = []

        def intern(base: sp.Expr, poly: sp.Poly) -> int:
            if base not in ids:
                ids[base] = len(factors)
                bases.append(base)
                used = [g for g in fresh if poly.degree(g) > 0]
                if poly.total_degree() == 1 and len(used) == 1:
                    a1, r = poly.coeff_monomial(used[0]), poly.coeff_monomial(1)
                    t = -r / a1
                    factors.append(_Affine(fresh.index(used[0]), Fraction(int(t.p), int(t.q))))
                else:
                    factors.append(_General(base, fresh))
            return ids[base]

        def split(e: sp.Expr) -> tuple[int, list[tuple[int, int]]]:
            sign, out = 1, []
            for a in sp.Mul.make_args(e):
                if a.is_Number:
                    sign *= int(sp.sign(a))
                    continue
                base, k = (a.base, int(a.exp)) if isinstance(a, sp.Pow) else (a, 1)
                if not (k > 0 and base.free_symbols):
                    raise ValueError(f"SafeRegion: not a polynomial factor: {a}")
                try:
                    poly = sp.Poly(base, *fresh)
                except sp.PolynomialError:
                    raise ValueError(f"SafeRegion: not a polynomial factor: {a}") from None
                if poly.LC() < 0:
                    base, sign, poly = -base, sign * (-1) ** k, -poly
                out.append((intern(base, poly), k))
            return sign, sorted(out, key=lambda f: isinstance(factors[f[0]], _General))

        conds = []
        for cond in self.conditions:
            if type(cond) not in RELATIONS:
                raise ValueError(f"SafeRegion: unsupported condition {cond}")
            extra = cond.free_symbols - set(self.symbols)
            if extra:
                raise ValueError(f"SafeRegion: {cond} uses {sorted(map(str, extra))}")
            if cond.has(sp.Float):
                raise ValueError(f"SafeRegion: {cond} has a float; use exact numbers")
            num, den = sp.fraction(sp.together((cond.lhs - cond.rhs).xreplace(rename)))
            sn, fn = split(num)
            sd, fd = split(den)
            whole = None
            if fn and not (
                len(fn) == 1 and fn[0][1] == 1 and isinstance(factors[fn[0][0]], _Affine)
            ):
                product = sp.Mul(*[bases[i] ** k for i, k in fn])
                whole = intern(product, sp.Poly(product, *fresh))
            op = RELATIONS[type(cond)]
            signed = op if sn * sd > 0 else RELATIONS[type(cond.reversed)]
            conds.append(_Condition(op, sn * sd, fn, fd, whole, signed))
        # single-parameter conditions first: they are cheap and leave fewer points to the rest
        conds.sort(key=lambda c: not all(isinstance(factors[i], _Affine) for i, _ in c.num + c.den))
        general = [f for f in factors if isinstance(f, _General)]
        exponent = min([f.exponent for f in general] + [512.0])
        return conds, factors, math.floor(exponent)

    @cached_property
    def _ranged(self) -> set[int]:
        """The parameters of the factors decided by the float sign test (range checked)."""
        _, factors, _ = self._compiled
        return {i for f in factors if isinstance(f, _General) for i in f.indices}

    def _survey(self, arrays: list[np.ndarray], ok: np.ndarray) -> tuple[list[float], object]:
        """Excludes non-finite coordinates from ``ok``; returns the largest |x| in range of
        each parameter and the mask of the points with a coordinate out of range (or None)."""
        hi_lim = 2.0 ** self._compiled[2]
        top, wild = [0.0] * len(arrays), None
        for i, a in enumerate(arrays):
            if a.size == 0:
                continue
            one = a.size == 1  # nan propagates through min and max
            lo, hi = (float(a.reshape(-1)[0]),) * 2 if one else (float(a.min()), float(a.max()))
            finite = math.isfinite(lo) and math.isfinite(hi)
            if not finite:
                np.logical_and(ok, np.isfinite(a), out=ok)
            if i not in self._ranged:
                continue
            if finite:
                low = lo if lo > 0 else -hi if hi < 0 else 0.0
                if low >= 1.0 / hi_lim and max(hi, -lo) <= hi_lim:
                    top[i] = max(hi, -lo)
                    continue
            m = np.abs(a)
            bad = ~_in_range(m, hi_lim)
            top[i] = float(np.max(np.where(bad, 0.0, m)))
            if bad.any():
                wild = bad if wild is None else wild | bad
        return top, wild

    def __call__(self, *xs) -> np.ndarray:
        if len(xs) != len(self.symbols):
            raise TypeError(f"SafeRegion: {len(self.symbols)} coordinates, got {len(xs)}")
        arrays = [np.asarray(x, dtype=float) for x in xs]
        shape = np.broadcast_shapes(*(a.shape for a in arrays))
        if shape == ():  # one point: as a 1-D array of one point
            return self(*[a.reshape(1) for a in arrays]).reshape(())
        ok = np.ones(shape, dtype=bool)
        arrays = [a.reshape((1,) * (len(shape) - a.ndim) + a.shape) for a in arrays]
        rows = max(1, _BLOCK // max(1, math.prod(shape[1:])))
        with np.errstate(all="ignore"):
            for lo in range(0, shape[0], rows):
                block = [a[lo : lo + rows] if a.shape[0] > 1 else a for a in arrays]
                self._block(block, ok[lo : lo + rows])
        return ok

    def _block(self, arrays: list[np.ndarray], ok: np.ndarray) -> None:
        """``ok &=`` the region at the points of ``arrays`` (broadcast to ``ok``'s shape)."""
        top, wild = self._survey(arrays, ok)
        for cond in self._compiled[0]:
            holds, unsure = self._fast(cond, arrays, top, wild)
            need = None if unsure is None else ok & unsure
            np.logical_and(ok, holds, out=ok)
            if need is not None and need.any():
                idx = np.nonzero(need)
                pts = [np.broadcast_to(a, ok.shape)[idx] for a in arrays]
                ok[idx] = self._exact(cond, pts)

    def _fast(self, cond: _Condition, arrays: list, top: list[float], wild) -> tuple:
        """(the condition in floats, mask of the points where that is not certain or None)."""
        factors = self._compiled[1]
        if not cond.den:  # sign(numerator) op 0: one comparison
            op = cond.signed_op
            if cond.whole is None:
                if not cond.num:
                    return np.bool_(cond.op(cond.const, 0)), None
                fac = factors[cond.num[0][0]]
                return fac.compare(arrays[fac.index], op), None
            holds, unsure = factors[cond.whole].fast(arrays, top, wild, lambda v: op(v, 0))
            for i, _ in cond.num if unsure is not None else ():
                fac = factors[i]  # a single-parameter factor exactly 0 (c = 1) decides: 0 op 0
                if isinstance(fac, _Affine) and fac.exact:
                    zero = arrays[fac.index] == fac.f
                    holds, unsure = np.where(zero, op(0, 0), holds), unsure & ~zero
            return holds, unsure
        # with a denominator: the sign of the quotient, in booleans (zero if a factor is,
        # negative if an odd number of factors with odd multiplicity are)
        neg, zero, den_zero, unsure = np.bool_(cond.const < 0), np.False_, np.False_, None
        parts = [(cond.whole, 1, False)] if cond.whole is not None else []
        parts += [(i, k, d) for i, k, d in cond.factors if d or cond.whole is None]
        for i, k, in_den in parts:
            fac = factors[i]
            if isinstance(fac, _Affine):
                n, z = fac.parts(arrays[fac.index])
                z = np.False_ if z is None else z
            else:
                (n, z), u = fac.fast(arrays, top, wild, lambda v: (v < 0, v == 0))
                if u is not None:
                    unsure = u if unsure is None else unsure | u
            if k % 2:
                neg = np.logical_xor(neg, n)
            zero = zero | z
            if in_den:
                den_zero = den_zero | z
        return _SIGN_TESTS[cond.op](neg, zero) & ~den_zero, unsure

    def _exact(self, cond: _Condition, pts: list[np.ndarray]) -> np.ndarray:
        """The condition at the points ``pts`` (1-D, finite), every factor's sign exact."""
        factors, hi_lim = self._compiled[1], 2.0 ** self._compiled[2]
        tame = np.ones(len(pts[0]), dtype=bool)
        for i in self._ranged:
            tame &= _in_range(np.abs(pts[i]), hi_lim)
        neg = np.full(len(tame), cond.const < 0)
        zero, den_zero = np.zeros(len(tame), dtype=bool), np.zeros(len(tame), dtype=bool)
        for i, k, in_den in cond.factors:  # denominators first: a zero there decides
            fac = factors[i]
            if isinstance(fac, _Affine):
                n, z = fac.parts(pts[fac.index])
                z = np.zeros_like(n) if z is None else z
            else:
                n, z = fac.certain_parts(pts, tame, skip=zero)
            if k % 2:
                neg ^= n
            zero |= z
            if in_den:
                den_zero |= z
        return _SIGN_TESTS[cond.op](neg, zero) & ~den_zero
