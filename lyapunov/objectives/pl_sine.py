"""Karimi, Nutini and Schmidt's non-convex PL example x^2 + 3 sin^2(x), summed over coordinates."""

from __future__ import annotations

import math

import numpy as np

from .base import check_dim
from .classes import ClassObjective, positive


def _pl_f_row(x, data):
    a = data[0]
    s = 0.0
    for i in range(x.shape[0]):
        sn = math.sin(x[i])
        s += x[i] * x[i] + 3.0 * sn * sn
    return a * s


def _pl_grad_row(x, g, data):
    a = data[0]
    for i in range(x.shape[0]):
        g[i] = a * (2.0 * x[i] + 3.0 * math.sin(2.0 * x[i]))


class SineSquaredPL(ClassObjective):
    r"""f(x) = a sum_i phi(x_i),  phi(t) = t^2 + 3 sin^2(t)  (Karimi, Nutini, Schmidt 2016).

    x_* = 0, f_* = 0 (exact: phi(t) >= t^2 with equality only at 0).

    **L = 8a (exact).** phi''(t) = 2 + 6 cos(2t) in [-4, 8], attained (8 at t = 0): f is
    8a-smooth and not convex (phi'' = -4 at t = pi/2).

    **mu = a/32 (Karimi et al.'s constant, proved).** sin^2 t <= t^2 gives phi(t) <= 4t^2, and
    phi'(t) = 2t + 3 sin(2t) = 2t (1 + 3 sinc(2t)) with sinc(u) = sin(u)/u >= -0.2173 > -1/4
    (its minimum, at u ~ 4.493), so |1 + 3 sinc(2t)| >= 1/4 and phi'(t)^2 >= t^2/4 >= phi(t)/16.
    Summing over coordinates, |grad f|^2 = a^2 sum phi'^2 >= (a/16) f, i.e.
    f - f_* <= |grad f|^2 / (2 mu) with mu = a/32. (The best constant is larger, about
    0.1755 a, the minimum of phi'^2/(2 phi) near t ~ 2.20, found numerically, not proved.)
    Declared: pl (mu, L) and smooth (L).

    x0() = (2.5, ..., 2.5): every coordinate beyond the region where phi is convex.

    Reference: H. Karimi, J. Nutini, M. Schmidt, Linear convergence of gradient and
    proximal-gradient methods under the Polyak-Lojasiewicz condition, ECML PKDD 2016.
    """

    name = "pl_sine"

    def __init__(self, dim: int = 10, a: float = 1.0):
        self.dim = check_dim(dim)
        self.a = positive("a", a)
        self.L, self.mu = 8 * self.a, self.a / 32
        self.classes = {"pl": {"mu": self.mu, "L": self.L}, "smooth": {"L": self.L}}
        self._set_minimum(np.zeros(self.dim), 0.0)

    def f(self, X):
        X = np.asarray(X, dtype=float)
        return self.a * np.sum(X * X + 3 * np.sin(X) ** 2, axis=-1)

    def grad(self, X):
        X = np.asarray(X, dtype=float)
        return self.a * (2 * X + 3 * np.sin(2 * X))

    def x0(self):
        return np.full(self.dim, 2.5)

    def kernel(self):
        return _pl_f_row, _pl_grad_row, (self.a,)
