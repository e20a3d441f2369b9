"""P11's free weights (b, s) chosen per point by a vectorised search (floats choose, never accept).

P11 (proofs/p11_gspa_descent.py) holds for every (b, s) in its region; its bound is

    F(b, s) = (gap/n + sigma2 nu) / rho = (gap/n + sigma2 (rho + nu)) / rho - sigma2.

The search uses three facts about the theorem's expressions (the first two checked
symbolically when the search is built, the third by tests against a grid):

* rho + nu does not depend on s and rho = r1 + r2 s + r0 / s with r0, r2 <= 0 (in s only
  through mu = kappa s and kappa/(4 s)), so at fixed b, F falls as rho grows and the best s
  maximises rho: s* = sqrt(r0 / r2) = 1 / (2 L eta sqrt(c' (1 - beta))) (independent of b),
  clipped to the region's conditions that are linear in s, a0 + a1 s >= 0 (X >= 0 and the two
  others; a1 <= 0 there: s <= -a0/a1). Any other s feasible at b is no better.
* In (b, w = b s) rho is jointly concave (b^2/w is convex) and the conditions are convex, so
  F minimised over s is quasiconvex (unimodal) in b, hence in log b: a golden-section search
  in log b over [B_LO, B_HI] (``ITERATIONS`` evaluations, all points at once), b = 0 compared.
* Every condition but rho > 0 falls as b or s grows, and rho > 0 at b = 0 wherever
  L eta c' < 1, so P11's region is nonempty at a point iff it holds at b = 0 (any s > 0):
  ``ANCHOR``, where the grid of :class:`~lyapunov.bounds.free.FreeWeightRate` is tried if the
  searched weights fail the exact test.

The chosen weights are shrunk into the interior by a relative 2^-20 where a condition clips s;
the bound is then the theorem's own expression at them, only where the exact region test
(:class:`~lyapunov.bounds.compile.SafeRegion`) accepts them.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import sympy as sp

from .compile import RELATIONS

__all__ = ["P11Search", "ANCHOR", "ITERATIONS", "B_LO", "B_HI"]

#: the weights at which P11's region holds wherever it holds for some weights
ANCHOR = {"b": 0.0, "s": 1.0}
#: golden-section evaluations per point, and the bracket of b (X >= 0 needs b < 1/2)
ITERATIONS = 28
B_LO, B_HI = 1e-10, 0.5
#: relative step into the interior where a condition clips s
SHRINK = 2.0**-20
#: relative slack within which b = 0 counts as near the region (then the exact test decides)
NEAR = 1e-6
_PHI = (np.sqrt(5.0) - 1) / 2


@dataclass
class _Forms:
    """P11's expressions as lists of (coefficient index, power of b, power of s): ``fn`` maps
    a point to [s*, C_0, C_1, ...]; ``linear``: (relation, a0, a1) of each condition
    a0 + a1 s op 0 linear in s; ``other``: (relation, margin) of the other weight conditions
    but rho > 0."""

    fn: Callable
    rho: list
    nu: list
    linear: list
    other: list


class _Powers(dict):
    """b^i s^j, each computed when first asked for."""

    def __init__(self, b, s):
        super().__init__()
        self.b, self.s = b, s

    def __missing__(self, key: tuple[int, int]):
        i, j = key
        if i == 0:
            v = 1.0 if j == 0 else (self.s if j > 0 else 1 / self.s)
        else:
            v = self.b * self[(i - 1, j)]
        self[key] = v
        return v


@dataclass
class P11Search:
    """Per point, weights (b, s) of P11 minimising its bound (module docstring).

    ``symbols``: the theorem symbols of the point coordinates, in the order of the arrays
    given to :meth:`__call__`; ``b``, ``s``: the free weights; ``sigma2``: the noise symbol.
    """

    theorem: object
    symbols: Sequence[sp.Symbol]
    b: sp.Symbol
    s: sp.Symbol
    sigma2: sp.Symbol

    @cached_property
    def _compiled(self) -> _Forms:
        """The expressions, each as sum_k C_k(point) b^i s^j (module docstring)."""
        b, s, th = self.b, self.s, self.theorem
        if sp.simplify(sp.diff(th.rho + th.nu, s)) != 0:
            raise ValueError("P11Search: rho + nu depends on s")
        poly = sp.Poly(sp.expand(th.rho * s), s)
        r2, r0 = poly.coeff_monomial(s**2), poly.coeff_monomial(1)
        s_star = sp.sqrt(sp.factor(sp.cancel(r0 / r2)))
        if poly.degree() > 2 or r0 == 0 or s_star.has(b):
            raise ValueError("P11Search: rho is not r1 + r2 s + r0/s with s* free of b")
        coeffs: list[sp.Expr] = [s_star]

        def form(e: sp.Expr) -> list[tuple[int, int, int]]:
            out = []
            for (i, j), co in sp.Poly(sp.expand(e * s), b, s).terms():
                coeffs.append(sp.factor(co))  # fewer operations, less cancellation
                out.append((len(coeffs) - 1, i, j - 1))
            return out

        rho, nu, linear, other = form(th.rho), form(th.nu), [], []
        for cond in th.region.conditions:
            e, op = cond.lhs - cond.rhs, RELATIONS[type(cond)]
            a1 = sp.diff(e, s)
            if e == s:
                continue  # s > 0: s_of returns s > 0
            if e.has(s) and not a1.has(s):
                linear.append((op, form(e.subs(s, 0)), form(a1)))
            elif (e.has(b) or e.has(s)) and sp.simplify(e - th.rho) != 0:
                other.append((op, form(e)))  # rho > 0: checked with the rate
        fn = sp.lambdify(list(self.symbols), coeffs, "numpy", cse=True)
        return _Forms(fn, rho, nu, linear, other)

    def _coefficients(self, xs: list[np.ndarray]) -> list[np.ndarray]:
        shape = np.broadcast(*xs).shape
        return [np.broadcast_to(np.asarray(v, dtype=float), shape) for v in self._compiled.fn(*xs)]

    @staticmethod
    def _sum(form, coeffs, powers, magnitude: bool = False) -> np.ndarray:
        """The expression (or, with ``magnitude``, the sum of its terms' absolute values)."""
        terms = (coeffs[k] * powers[(i, j)] for k, i, j in form)
        return sum(np.abs(v) for v in terms) if magnitude else sum(terms)

    @staticmethod
    def _powers(b: np.ndarray, s) -> dict:
        """b^i s^j for i = 0, 1, 2, j = -1, 0, 1, computed when first used."""
        return _Powers(b, s)

    def s_of(self, coeffs: list[np.ndarray], b: np.ndarray) -> np.ndarray:
        """The best s at weight b: s* clipped to the conditions linear in s, a0 + a1 s op 0
        (s below -a0/a1 where a1 < 0, above it where a1 > 0, moved inside by SHRINK; a0 op 0
        where a1 = 0); 1.0 where s does not matter (s* = inf: beta = 1); nan where no s > 0
        meets them in floats."""
        powers = self._powers(b, 1.0)
        cap, floor = np.full(b.shape, np.inf), np.zeros(b.shape)
        for op, f0, f1 in self._compiled.linear:
            a0, a1 = self._sum(f0, coeffs, powers), self._sum(f1, coeffs, powers)
            root = -a0 / np.where(a1 != 0, a1, 1.0)
            holds = (a1 > 0) | op(a0, 0)  # a1 = 0: the condition at every s
            cap = np.minimum(cap, np.where(a1 < 0, root, np.where(holds, np.inf, -1.0)))
            floor = np.maximum(floor, np.where(a1 > 0, root, 0.0))
        s = np.where(np.isnan(coeffs[0]), np.inf, coeffs[0])  # 1/(1 - beta) at beta = 1
        s = np.where(s > cap, cap * (1 - SHRINK), np.where(s < floor, floor * (1 + SHRINK), s))
        s = np.where(np.isinf(s), 1.0, s)
        return np.where((s > 0) & (s <= cap) & (s >= floor), s, np.nan)

    def _feasible(self, coeffs, powers, slack: float = 0.0) -> np.ndarray:
        """Every weight condition in floats; with ``slack`` > 0 each margin m is relaxed to
        m + slack * A (A: the same sum with every term's absolute value)."""
        ok = None
        parts = [(op, f) for op, f in self._compiled.other]
        parts += [(op, f0 + f1) for op, f0, f1 in self._compiled.linear]  # a0 + a1 s
        for op, f in [(operator.gt, self._compiled.rho), *parts]:
            m = self._sum(f, coeffs, powers)
            if slack:
                m = m + slack * self._sum(f, coeffs, powers, magnitude=True)
            ok = op(m, 0) if ok is None else ok & op(m, 0)
        return ok

    def objective(self, coeffs: list[np.ndarray], b, s, sigma2, g, checked=False) -> np.ndarray:
        """F(b, s) in floats where rho > 0 and the weight conditions hold in floats (with
        ``checked``: s from :meth:`s_of`, which meets the conditions linear in s), inf
        elsewhere; ``g`` = gap/steps."""
        powers = self._powers(b, s)
        rho = self._sum(self._compiled.rho, coeffs, powers)
        nu = self._sum(self._compiled.nu, coeffs, powers)
        val = (g + sigma2 * nu) / rho
        ok = (rho > 0) & np.isfinite(val) & (val >= 0)
        for op, f in self._compiled.other if checked else ():
            ok &= op(self._sum(f, coeffs, powers), 0)
        if not checked:
            ok &= self._feasible(coeffs, powers)
        return np.where(ok, val, np.inf)

    def __call__(self, xs: list[np.ndarray], steps: np.ndarray, gap: np.ndarray) -> dict:
        """{"b": b, "s": s} per point (1-D arrays of the same length): the searched weights
        where b = 0 is feasible in floats, ANCHOR where it is within ``NEAR`` (relative) of
        feasible, nan elsewhere (there the region is empty: no weight is worth testing)."""
        with np.errstate(all="ignore"):
            g = gap / steps
            sigma2 = xs[list(self.symbols).index(self.sigma2)]
            coeffs = self._coefficients(xs)
            zero, one = np.zeros_like(g), np.ones_like(g)
            f0 = self.objective(coeffs, zero, one, sigma2, g)
            act = np.isfinite(f0)
            near = act.copy()
            if not act.all():
                rest = [c[~act] for c in coeffs]
                near[~act] = self._feasible(rest, self._powers(zero[~act], one[~act]), NEAR)
            out = {n: np.where(near, ANCHOR[n], np.nan) for n in ("b", "s")}
            if act.any():
                sub = [c[act] if c.ndim else c for c in coeffs]
                b, s = self._golden(sub, sigma2[act], g[act], f0[act])
                out["b"][act], out["s"][act] = b, s
        return out

    def _golden(self, coeffs, sigma2, g, f0) -> tuple[np.ndarray, np.ndarray]:
        """Golden-section search in log b (module docstring) at points given by their
        coefficients; (b, s) of the least value seen, ANCHOR where that is b = 0's ``f0``."""

        def at(t):
            b = np.exp(t)
            s = self.s_of(coeffs, b)
            return self.objective(coeffs, b, s, sigma2, g, checked=True), b, s

        lo, hi = np.full(g.shape, np.log(B_LO)), np.full(g.shape, np.log(B_HI))
        t1, t2 = hi - _PHI * (hi - lo), lo + _PHI * (hi - lo)
        (f1, b1, s1), (f2, b2, s2) = at(t1), at(t2)
        left = f1 <= f2
        best, bb, bs = np.where(left, f1, f2), np.where(left, b1, b2), np.where(left, s1, s2)
        for _ in range(ITERATIONS - 2):
            left = f1 <= f2  # the minimum is in [lo, t2]: probe a new t1, else a new t2
            hi, lo = np.where(left, t2, hi), np.where(left, lo, t1)
            t1, t2 = (
                np.where(left, hi - _PHI * (hi - lo), t2),
                np.where(left, t1, lo + _PHI * (hi - lo)),
            )
            f, b, s = at(np.where(left, t1, t2))
            f1, f2 = np.where(left, f, f2), np.where(left, f1, f)
            better = f < best
            best, bb, bs = (
                np.where(better, f, best),
                np.where(better, b, bb),
                np.where(better, s, bs),
            )
        at0 = ~(best < f0)
        inward = 1 - SHRINK  # every condition but rho > 0 falls as b or s grows
        return np.where(at0, ANCHOR["b"], bb * inward), np.where(at0, ANCHOR["s"], bs * inward)
