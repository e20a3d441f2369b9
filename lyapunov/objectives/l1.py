"""A weighted l1 distance to a seeded centre (convex, Lipschitz, not smooth)."""

from __future__ import annotations

import math

import numpy as np

from .base import check_dim
from .classes import ClassObjective, positive


def _l1_f_row(x, data):
    c, w = data
    s = 0.0
    for i in range(x.shape[0]):
        s += w[i] * abs(x[i] - c[i])
    return s


def _l1_grad_row(x, g, data):
    c, w = data
    for i in range(x.shape[0]):
        e = x[i] - c[i]
        g[i] = w[i] if e > 0 else (-w[i] if e < 0 else 0.0)


class WeightedL1(ClassObjective):
    r"""f(x) = sum_i w_i |x_i - c_i|  (non-smooth), with the subgradient w * sign(x - c).

    c is a seeded random centre (entries N(0, 4)), the weights w evenly spaced in
    [scale/2, scale] (default scale 1); x_* = c, f_* = 0 (exact).

    **Class.** A sum of convex functions, so convex; every subgradient has |g| <= |w| = G
    (attained wherever no x_i = c_i). Declared: convex_lipschitz (G). Not smooth (L = inf).

    x0() = 0.
    """

    name = "l1"

    def __init__(self, dim: int = 10, scale: float = 1.0, seed: int = 0):
        self.dim = check_dim(dim)
        scale = positive("scale", scale)
        self.c = 2.0 * np.random.default_rng(seed).standard_normal(self.dim)
        self.w = scale * (np.linspace(0.5, 1.0, self.dim) if self.dim > 1 else np.ones(1))
        self.G = float(np.linalg.norm(self.w))
        self.L = math.inf
        self.classes = {"convex_lipschitz": {"G": self.G}}
        self._set_minimum(self.c.copy(), 0.0)

    def f(self, X):
        return np.sum(self.w * np.abs(np.asarray(X, dtype=float) - self.c), axis=-1)

    def grad(self, X):
        return self.w * np.sign(np.asarray(X, dtype=float) - self.c)

    def x0(self):
        return np.zeros(self.dim)

    def kernel(self):
        return _l1_f_row, _l1_grad_row, (self.c, self.w)
