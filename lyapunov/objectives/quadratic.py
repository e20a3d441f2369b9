"""Quadratics: |x|^2/2 and the non-convex cosine-perturbed quadratic."""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import brentq

from .base import Objective, check_dim


def _quad_f_row(x, data):
    Lq = data[0]
    s = 0.0
    for i in range(x.shape[0]):
        s += x[i] * x[i]
    return 0.5 * Lq * s


def _quad_grad_row(x, g, data):
    Lq = data[0]
    for i in range(x.shape[0]):
        g[i] = Lq * x[i]


class Quadratic(Objective):
    r"""f(x) = (L/2)|x|^2 (convex; for divergence tests and timing).

    Hessian = L I, so L is exact; inf f = 0 at x = 0. Gradient descent diverges for lr > 2/L.
    """

    name = "quadratic"

    def __init__(self, dim: int = 10, L: float = 1.0):
        self.dim = check_dim(dim)
        if not (np.isfinite(L) and L > 0):
            raise ValueError(f"L: must be > 0, got {L!r}")
        self.L = float(L)
        self.inf_f = self.f_lower = 0.0

    def f(self, X):
        X = np.asarray(X, dtype=float)
        return 0.5 * self.L * np.sum(X * X, axis=-1)

    def grad(self, X):
        return self.L * np.asarray(X, dtype=float)

    def kernel(self):
        return _quad_f_row, _quad_grad_row, (self.L,)


# --------------------------------------------------------------------------- cosines
def _cos_f_row(x, data):
    mu, a, w = data
    s = 0.0
    for i in range(x.shape[0]):
        s += 0.5 * mu * x[i] * x[i] + a * math.cos(w * x[i])
    return s


def _cos_grad_row(x, g, data):
    mu, a, w = data
    aw = a * w
    for i in range(x.shape[0]):
        g[i] = mu * x[i] - aw * math.sin(w * x[i])


class CosineQuadratic(Objective):
    r"""f(x) = sum_i phi(x_i),  phi(t) = (mu/2) t^2 + a cos(w t)  (non-convex iff a w^2 > mu).

    **L (exact).** The Hessian is diagonal, H_ii = mu - a w^2 cos(w x_i) in
    [mu - a w^2, mu + a w^2], so |H| <= mu + a w^2 = L, attained where cos(w x_i) = -1 for
    all i. Default mu = 0.1, a = 0.9, w = 1: L = 1 exactly, 2^dim global minima, x = 0 a local
    maximum.

    **inf f.** Separable: inf f = dim * min_t phi(t). A minimiser t* satisfies |t*| <= R =
    2 sqrt(a/mu) (beyond it phi(t) >= mu t^2/2 - a > a = phi(0)). On a grid of spacing h over
    [-R, R] the point nearest t* is within h/2, and phi'(t*) = 0 with phi L-smooth gives
    phi(grid point) <= phi(t*) + L h^2/8. So ``f_lower = dim (min_grid phi - L h^2/8)`` is a
    certified lower bound (h = 1e-4, up to float rounding, covered by an extra 1e-12 relative
    margin); ``inf_f`` refines the grid minimiser with Brent's method on phi' (exact to ~1e-15).
    """

    name = "cosine"

    def __init__(self, dim: int = 10, mu: float = 0.1, a: float = 0.9, w: float = 1.0):
        self.dim = check_dim(dim)
        for k, v in {"mu": mu, "a": a, "w": w}.items():
            if not (np.isfinite(v) and v > 0):
                raise ValueError(f"{k}: must be > 0, got {v!r}")
        self.mu, self.a, self.w = float(mu), float(a), float(w)
        self.L = self.mu + self.a * self.w**2
        R = 2 * math.sqrt(self.a / self.mu) + 1.0
        h = 1e-4
        t = np.arange(-R, R + h, h)
        phi = self._phi(t)
        j = int(np.argmin(phi))
        low1 = float(phi[j]) - self.L * h * h / 8
        dphi = self._dphi
        lo, hi = t[max(j - 1, 0)], t[min(j + 1, len(t) - 1)]
        tstar = brentq(dphi, lo, hi, xtol=1e-15) if dphi(lo) * dphi(hi) < 0 else t[j]
        self.t_star = float(tstar)
        self.inf_f = self.dim * min(float(self._phi(tstar)), float(phi[j]))
        self.f_lower = self.dim * low1 - 1e-12 * (1 + abs(self.dim * low1))

    def _phi(self, t):
        return 0.5 * self.mu * t * t + self.a * np.cos(self.w * t)

    def _dphi(self, t):
        return self.mu * t - self.a * self.w * math.sin(self.w * t)

    def f(self, X):
        X = np.asarray(X, dtype=float)
        return np.sum(self._phi(X), axis=-1)

    def grad(self, X):
        X = np.asarray(X, dtype=float)
        return self.mu * X - (self.a * self.w) * np.sin(self.w * X)

    def kernel(self):
        return _cos_f_row, _cos_grad_row, (self.mu, self.a, self.w)


# --------------------------------------------------------------------------- least squares
