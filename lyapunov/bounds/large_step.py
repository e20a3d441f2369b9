"""The certified bound of P4c (large steps), minimised over its free weights (b, t).

P4c (``proofs/p4c_spa_descent_large_step.py``) certifies, for every (eta, c, L, b, t) in its
region,

    (1/n) sum_{k<n} E|grad f(x_k)|^2 <= gap / (n rho) + nu sigma2 / rho,

with rho = r0(b) - 2t and nu = nu1(b) + q(b)/t. This module searches (b, t) numerically and
returns the theorem's own bound at the weights found:

* for fixed b the best t solves 2 N0 t^2 + 4 Q t - Q r0 = 0 (N0 = gap/n + sigma2 nu1,
  Q = sigma2 q), i.e. t = (Q r0/2) / (Q + sqrt(Q^2 + N0 Q r0/2));
* b is searched on a grid of the interval where r0 > 0 and S > 0, then refined by a golden
  section around the best grid point, vectorized over every point at once;
* the weights are accepted only where the exact rational point (eta, c, L, b, t) (the floats
  as the binary fractions they are) is inside the certified region, decided by the exact float
  test of regions (:class:`~lyapunov.bounds.compile.SafeRegion`); elsewhere the value is inf.

The expressions (rho, nu, the region, the bound) are the theorem's, lambdified once: an
imprecise search costs tightness, never soundness.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property

import numpy as np
import sympy as sp

from .compile import GAP, STEPS, SafeRegion

__all__ = ["LargeStepRate", "p4c_rate"]

_GRID = 48
_GOLDEN = 40
_INVPHI = (np.sqrt(5.0) - 1.0) / 2.0


@dataclass
class LargeStepRate:
    """P4c's bound as a numpy function, with its free weights (b, t) found numerically."""

    module: object  # the proof module (its theorem and named expressions)

    @cached_property
    def _syms(self) -> list[sp.Symbol]:
        m = self.module
        return [m.eta, m.c, m.L, m.sigma2, m.b, m.t]

    @cached_property
    def expression(self) -> sp.Expr:
        """The certified bound on (1/steps) sum_k E|grad f(x_k)|^2 (the theorem's rate)."""
        return self.module.theorem.rate(GAP, STEPS)

    @cached_property
    def _rate(self):
        return sp.lambdify([*self._syms, STEPS, GAP], self.expression, modules="numpy", cse=True)

    @cached_property
    def _parts(self):
        """r0, nu1, q (rho = r0 - p t, nu = nu1 + q / t), S's coefficients in b, b0."""
        m = self.module
        th = m.theorem
        p = -sp.diff(th.rho, m.t)
        r0 = th.rho.subs(m.t, 0)
        # nu = nu1 + q / t, read off its terms (no simplification needed)
        q = sum(
            (term * m.t for term in sp.Add.make_args(th.nu) if m.t in term.free_symbols), sp.S.Zero
        )
        nu1 = sum(
            (term for term in sp.Add.make_args(th.nu) if m.t not in term.free_symbols), sp.S.Zero
        )
        if p.free_symbols or p <= 0 or m.t in q.free_symbols or m.t in r0.free_symbols:
            raise ValueError("P4c: rho and nu no longer have the form r0 - p t, nu1 + q/t")
        s_poly = sp.Poly(m.S, m.b)
        r0_poly = sp.Poly(r0, m.b)
        if s_poly.degree() != 2 or r0_poly.degree() != 1:
            raise ValueError("P4c: S is no longer quadratic and r0 linear in b")
        b0 = -r0_poly.coeff_monomial(1) / r0_poly.coeff_monomial(m.b)
        base = [m.eta, m.c, m.L, m.sigma2, m.b]
        lam = lambda e: sp.lambdify(base, e, modules="numpy", cse=True)  # noqa: E731
        coeffs = [lam(s_poly.coeff_monomial(m.b**k)) for k in (2, 1, 0)]
        return float(p), lam(r0), lam(nu1), lam(q), coeffs, lam(b0)

    @cached_property
    def region(self) -> SafeRegion:
        """The theorem's region over (eta, c, L, sigma2, b, t), as the exact float test."""
        return SafeRegion(self.module.theorem.region.conditions, self._syms)

    @cached_property
    def limit(self):
        """L eta < limit(c): the reach of the region (certified by the file's `reach`)."""
        return sp.lambdify([self.module.c], self.module.LIMIT, modules="numpy")

    def inside(self, eta, c, L, sigma2, b, t) -> np.ndarray:
        """Mask of the points (floats, taken exactly) in the theorem's region."""
        return self.region(eta, c, L, sigma2, b, t)

    def _best_t(self, eta, c, L, sigma2, b, steps, gap):
        p, r0, nu1, q, _, _ = self._parts
        with np.errstate(all="ignore"):
            R0 = r0(eta, c, L, sigma2, b)
            N0 = gap / steps + sigma2 * nu1(eta, c, L, sigma2, b)
            Q = sigma2 * q(eta, c, L, sigma2, b)
            t = (Q * R0 / p) / (Q + np.sqrt(Q * Q + N0 * Q * R0 / p))
            # no noise term to balance: the smallest t still far from rounding
            t = np.where(Q > 0, t, 0.0)
            return np.maximum(t, 1e-7 * np.abs(R0) / p)

    def _value(self, eta, c, L, sigma2, b, t, steps, gap, check: bool) -> np.ndarray:
        with np.errstate(all="ignore"):
            v = np.asarray(self._rate(eta, c, L, sigma2, b, t, steps, gap), dtype=float)
        good = np.isfinite(v) & (v >= 0)
        if check:
            good &= self.inside(eta, c, L, sigma2, b, t)
        return np.where(good, v, np.inf)

    def bounds(self, eta, c, L, sigma2, steps, gap) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Elementwise (broadcast): (bound, b, t); inf (and nan weights) where no weight of
        the region is found."""
        arrays = np.broadcast_arrays(
            *(np.asarray(v, dtype=float) for v in (eta, c, L, sigma2, steps, gap))
        )
        shape = arrays[0].shape
        out = self._bounds(*(a.ravel() for a in arrays))
        return tuple(o.reshape(shape) for o in out)

    def _bounds(self, eta, c, L, sigma2, steps, gap):
        _, _, _, _, coeffs, b0 = self._parts
        with np.errstate(all="ignore"):
            A, B, C = (np.broadcast_to(f(eta, c, L, sigma2, 0.0), eta.shape) for f in coeffs)
            disc = B * B - 4 * A * C
            roots = np.stack([(-B + s * np.sqrt(disc)) / (2 * A) for s in (1.0, -1.0)])
            lo = np.maximum(
                np.min(roots, axis=0), np.broadcast_to(b0(eta, c, L, sigma2, 0.0), eta.shape)
            )
            hi = np.max(roots, axis=0)
        width = hi - lo
        ok = (A < 0) & (disc > 0) & (width > 0)
        lo, hi = lo + 1e-6 * width, hi - 1e-6 * width
        cols = (eta, c, L, sigma2, steps, gap)
        ex = [v[:, None] for v in cols]

        def value(bb, check=False):
            tt = self._best_t(ex[0], ex[1], ex[2], ex[3], bb, ex[4], ex[5])
            return self._value(ex[0], ex[1], ex[2], ex[3], bb, tt, ex[4], ex[5], check), tt

        grid = lo[:, None] + (hi - lo)[:, None] * np.linspace(0.0, 1.0, _GRID)[None, :]
        vals, _ = value(grid)
        i = np.argmin(vals, axis=1)
        step = (hi - lo) / (_GRID - 1)
        a_, d_ = (
            np.maximum(grid[np.arange(len(i)), i] - step, lo),
            np.minimum(grid[np.arange(len(i)), i] + step, hi),
        )
        for _ in range(_GOLDEN):  # golden section on [a_, d_]
            b1 = d_ - _INVPHI * (d_ - a_)
            b2 = a_ + _INVPHI * (d_ - a_)
            v = value(np.stack([b1, b2], axis=1))[0]
            left = v[:, 0] <= v[:, 1]
            a_, d_ = np.where(left, a_, b1), np.where(left, b2, d_)
        # the search's point, the best grid point, and fallbacks further from the boundary
        # (where those are outside the region: the exact test refuses them)
        fallback = lo[:, None] + (hi - lo)[:, None] * np.array([0.5, 0.9, 0.99, 0.999])
        cand = np.concatenate(
            [((a_ + d_) / 2)[:, None], grid[np.arange(len(i)), i][:, None], fallback], axis=1
        )
        vals, ts = value(cand, check=True)
        j = np.argmin(vals, axis=1)
        best = vals[np.arange(len(j)), j]
        best = np.where(ok, best, np.inf)
        found = np.isfinite(best)
        b = np.where(found, cand[np.arange(len(j)), j], np.nan)
        t = np.where(found, ts[np.arange(len(j)), j], np.nan)
        return best, b, t


@cache
def p4c_rate() -> LargeStepRate:
    """P4c's rate (compiled on first use)."""
    from ..proofs import p4c_spa_descent_large_step as p4c

    return LargeStepRate(p4c)
