"""A smoothed Rosenbrock function with a proved smoothness constant."""

from __future__ import annotations

import math

import numpy as np

from .base import Objective, check_dim


def _rb_f_row(x, data):
    a, beta, xbar = data
    d = x.shape[0]
    s = 0.0
    for i in range(d):
        e = x[i] - xbar[i]
        s += 0.5 * beta * e * e
    for i in range(d - 1):
        u = abs(x[i + 1] - (math.sqrt(1.0 + x[i] * x[i]) - 1.0))
        s += a * (u + math.log1p(math.exp(-2.0 * u)) - math.log(2.0))  # log cosh, stably
    return s


def _rb_grad_row(x, g, data):
    a, beta, xbar = data
    d = x.shape[0]
    for i in range(d):
        g[i] = beta * (x[i] - xbar[i])
    for i in range(d - 1):
        q = math.sqrt(1.0 + x[i] * x[i])
        t = a * math.tanh(x[i + 1] - (q - 1.0))
        g[i + 1] += t
        g[i] -= t * x[i] / q


class SmoothRosenbrock(Objective):
    r"""A globally smooth Rosenbrock-like chain:

        f(x) = a sum_{i<dim-1} psi(x_{i+1} - s(x_i)) + (beta/2)|x - xbar|^2,
        psi(u) = log cosh u,   s(t) = sqrt(1 + t^2) - 1,

    a curved valley x_{i+1} = s(x_i) (parabolic near 0, linear far out) instead of
    x_{i+1} = x_i^2, with a loss psi of bounded slope so that the curvature stays bounded.
    xbar is a point of the valley (xbar_0 = 2, xbar_{i+1} = s(xbar_i)).

    **L (proved bound).** With u_i = x_{i+1} - s(x_i), v_i = e_{i+1} - s'(x_i) e_i,

        H = beta I + a sum_i [psi''(u_i) v_i v_i^T - psi'(u_i) s''(x_i) e_i e_i^T],

    where psi'' = sech^2 in (0, 1], |psi'| = |tanh| < 1, s' = t/sqrt(1+t^2) in (-1, 1),
    s'' = (1+t^2)^(-3/2) in (0, 1]. The first sum is V^T D V with 0 <= D <= I and V the
    bidiagonal matrix of rows v_i, |V| <= 1 + max|s'| <= 2, so 0 <= V^T D V <= 4 I; the second
    is diagonal with entries in [-1, 1]. Hence beta - a <= H <= beta + 5a: L = beta + 5a
    (a bound, not attained: the spectrum at random points reaches about 0.6 L). Defaults a = 0.19,
    beta = 0.05: L = 1, and H has the negative eigenvalue beta - a psi' < 0 where x_i = 0 and
    x_{i+1} >> 0: non-convex.

    **inf f = 0 (exact)**, attained at xbar (every term vanishes there).
    """

    name = "rosenbrock"

    def __init__(self, dim: int = 10, a: float = 0.19, beta: float = 0.05):
        self.dim = check_dim(dim)
        for k, v in {"a": a, "beta": beta}.items():
            if not (np.isfinite(v) and v > 0):
                raise ValueError(f"{k}: must be > 0, got {v!r}")
        self.a, self.beta = float(a), float(beta)
        self.L = self.beta + 5 * self.a
        self.L_exact = False
        xbar = np.empty(self.dim)
        xbar[0] = 2.0
        for i in range(1, self.dim):
            xbar[i] = math.sqrt(1 + xbar[i - 1] ** 2) - 1
        self.xbar = xbar
        self.inf_f = self.f_lower = 0.0

    @staticmethod
    def _s(t):
        return np.sqrt(1 + t * t) - 1

    def f(self, X):
        X = np.asarray(X, dtype=float)
        u = X[..., 1:] - self._s(X[..., :-1])
        au = np.abs(u)
        lc = au + np.log1p(np.exp(-2 * au)) - math.log(2.0)
        e = X - self.xbar
        return self.a * np.sum(lc, axis=-1) + 0.5 * self.beta * np.sum(e * e, axis=-1)

    def grad(self, X):
        X = np.asarray(X, dtype=float)
        q = np.sqrt(1 + X[..., :-1] ** 2)
        t = self.a * np.tanh(X[..., 1:] - (q - 1))
        G = self.beta * (X - self.xbar)
        G[..., 1:] += t
        G[..., :-1] -= t * X[..., :-1] / q
        return G

    def x0(self):
        return np.full(self.dim, -1.0)

    def kernel(self):
        return _rb_f_row, _rb_grad_row, (self.a, self.beta, self.xbar)


# --------------------------------------------------------------------------- network
