"""Logistic regression on a fixed seeded synthetic dataset (smooth convex)."""

from __future__ import annotations

import math

import numpy as np
from scipy.special import expit

from .base import check_dim
from .classes import ClassObjective, positive


def _lr_f_row(x, data):
    A, y = data
    m, d = A.shape
    s = 0.0
    for j in range(m):
        z = 0.0
        for i in range(d):
            z += A[j, i] * x[i]
        t = -y[j] * z  # log(1 + exp(t)), stably
        s += max(t, 0.0) + math.log1p(math.exp(-abs(t)))
    return s / m


def _lr_grad_row(x, g, data):
    A, y = data
    m, d = A.shape
    for i in range(d):
        g[i] = 0.0
    for j in range(m):
        z = 0.0
        for i in range(d):
            z += A[j, i] * x[i]
        sg = 0.5 * (1.0 + math.tanh(-0.5 * y[j] * z))  # sigmoid(-y_j z), stably
        c = -y[j] * sg / m
        for i in range(d):
            g[i] += c * A[j, i]


class LogisticRegression(ClassObjective):
    r"""f(x) = (1/m) sum_j log(1 + exp(-y_j a_j . x)),  y_j in {-1, +1}  (a_j the rows of A).

    Data: A has i.i.d. normal entries (seeded), rescaled so that |A|_2^2 / (4m) = L (default
    1); labels y_j = sign(a_j . w + noise) from a random teacher w with label noise, so the data
    are not separable and f has a unique minimiser.

    **L (a bound).** Hess f = (1/m) A^T diag(s_j (1 - s_j)) A with s_j in (0, 1), and
    s (1 - s) <= 1/4, so 0 <= Hess f <= |A|_2^2 / (4m) = L (attained only in the limit of all
    margins 0, i.e. at x = 0: the spectrum there is exactly L).

    **G.** grad f = -(1/m) A^T (y * s), |y_j s_j| < 1, so |grad f| <= |A|_2 sqrt(m) / m =
    |A|_2 / sqrt(m) = 2 sqrt(L) = G: f is also convex and G-Lipschitz.

    **x_*, f_*.** Computed once by Newton's method with backtracking (at most 300 steps, until
    |grad f(x)| <= 1e-14): f_* is f(x_*) to round-off (f is strongly convex near x_*, so the
    error in f is O(|grad f(x_*)|^2)). Declared: smooth_convex (L), convex_lipschitz (G).

    x0() = 0.
    """

    name = "logistic"

    def __init__(self, dim: int = 10, m: int = 200, L: float = 1.0, seed: int = 0):
        self.dim = check_dim(dim)
        if isinstance(m, bool) or not isinstance(m, (int, np.integer)) or m < 2:
            raise ValueError(f"m: must be an integer >= 2 (samples), got {m!r}")
        L = positive("L", L)
        rng = np.random.default_rng(seed)
        A = rng.standard_normal((m, self.dim))
        A *= math.sqrt(4 * m * L) / np.linalg.norm(A, 2)
        w = rng.standard_normal(self.dim)
        w *= 2 / np.linalg.norm(w)
        z = A @ w
        self.y = np.where(z + np.std(z) * rng.standard_normal(m) >= 0, 1.0, -1.0)
        self.A, self.n_rows = A, m
        self.L = float(np.linalg.norm(A, 2) ** 2 / (4 * m))
        self.L_exact = False
        self.G = float(np.linalg.norm(A, 2) / math.sqrt(m))
        self.classes = {"smooth_convex": {"L": self.L}, "convex_lipschitz": {"G": self.G}}
        x_star = self._newton()
        self._set_minimum(x_star, float(self.f(x_star)), exact=False)

    def _newton(self, steps: int = 300, tol: float = 1e-14) -> np.ndarray:
        """The minimiser by damped Newton steps (Armijo backtracking)."""
        x = np.zeros(self.dim)
        for _ in range(steps):
            g = self.grad(x)
            if np.linalg.norm(g) <= tol:
                break
            s = expit(-self.y * (self.A @ x))
            H = (self.A.T * (s * (1 - s))) @ self.A / self.n_rows
            p = np.linalg.solve(H, -g)
            t, fx = 1.0, self.f(x)
            while self.f(x + t * p) > fx + 1e-4 * t * (g @ p) and t > 1e-12:
                t /= 2
            x = x + t * p
        return x

    def f(self, X):
        Z = np.asarray(X, dtype=float) @ self.A.T
        return np.mean(np.logaddexp(0.0, -self.y * Z), axis=-1)

    def grad(self, X):
        Z = np.asarray(X, dtype=float) @ self.A.T
        return (-self.y * expit(-self.y * Z)) @ self.A / self.n_rows

    def x0(self):
        return np.zeros(self.dim)

    def kernel(self):
        return _lr_f_row, _lr_grad_row, (self.A, self.y)
