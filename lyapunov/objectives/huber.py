"""The Huber loss around a seeded centre (smooth convex and Lipschitz)."""

from __future__ import annotations

import numpy as np

from .base import check_dim
from .classes import ClassObjective, positive


def _hu_f_row(x, data):
    c, delta = data
    s = 0.0
    for i in range(x.shape[0]):
        t = abs(x[i] - c[i])
        s += 0.5 * t * t / delta if t <= delta else t - 0.5 * delta
    return s


def _hu_grad_row(x, g, data):
    c, delta = data
    for i in range(x.shape[0]):
        g[i] = min(max((x[i] - c[i]) / delta, -1.0), 1.0)


class Huber(ClassObjective):
    r"""f(x) = sum_i h(x_i - c_i),  h(t) = t^2 / (2 delta) if |t| <= delta, |t| - delta/2 else.

    c is a seeded random centre (entries N(0, 4)); x_* = c, f_* = 0 (exact).

    **Classes.** h'(t) = clip(t/delta, -1, 1) is non-decreasing and (1/delta)-Lipschitz, so f
    is convex and L-smooth with L = 1/delta (exact: h'' = 1/delta near t = 0); |grad f| <=
    sqrt(dim) = G (attained where every |x_i - c_i| >= delta). Declared: smooth_convex (L),
    convex_lipschitz (G). Not strongly convex and not PL (f grows linearly, |grad f| stays
    bounded).

    x0() = 0.
    """

    name = "huber"

    def __init__(self, dim: int = 10, delta: float = 1.0, seed: int = 0):
        self.dim = check_dim(dim)
        self.delta = positive("delta", delta)
        self.c = 2.0 * np.random.default_rng(seed).standard_normal(self.dim)
        self.L = 1 / self.delta
        self.G = float(np.sqrt(self.dim))
        self.classes = {"smooth_convex": {"L": self.L}, "convex_lipschitz": {"G": self.G}}
        self._set_minimum(self.c.copy(), 0.0)

    def f(self, X):
        a = np.abs(np.asarray(X, dtype=float) - self.c)
        d = self.delta
        return np.sum(np.where(a <= d, 0.5 * a * a / d, a - 0.5 * d), axis=-1)

    def grad(self, X):
        return np.clip((np.asarray(X, dtype=float) - self.c) / self.delta, -1.0, 1.0)

    def x0(self):
        return np.zeros(self.dim)

    def kernel(self):
        return _hu_f_row, _hu_grad_row, (self.c, self.delta)
