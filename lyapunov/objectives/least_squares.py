"""Regularised least squares on synthetic data (a finite sum)."""

from __future__ import annotations

import math

import numpy as np

from .base import Objective, check_dim


def _ls_f_row(x, data):
    A, b, lam = data
    n, d = A.shape
    s = 0.0
    for j in range(n):
        r = -b[j]
        for i in range(d):
            r += A[j, i] * x[i]
        s += r * r
    s = 0.5 * s / n
    for i in range(d):
        t2 = x[i] * x[i]
        s += lam * t2 / (1.0 + t2)
    return s


def _ls_grad_row(x, g, data):
    A, b, lam = data
    n, d = A.shape
    for i in range(d):
        t2 = x[i] * x[i]
        q = 1.0 + t2
        g[i] = lam * 2.0 * x[i] / (q * q)
    for j in range(n):
        r = -b[j]
        for i in range(d):
            r += A[j, i] * x[i]
        r /= n
        for i in range(d):
            g[i] += A[j, i] * r


class RegularizedLeastSquares(Objective):
    r"""f(x) = (1/2n)|A x - b|^2 + lam sum_i r(x_i),  r(t) = t^2/(1 + t^2)  (a finite sum).

    f = (1/n) sum_j f_j with f_j(x) = (a_j.x - b_j)^2/2 + lam sum_i r(x_i).

    **L (exact).** r''(t) = 2(1 - 3t^2)/(1 + t^2)^3 takes values in [-1/2, 2] (max 2 at t = 0,
    min -1/2 at t^2 = 1: with s = t^2, d/ds [(1-3s)/(1+s)^3] = 6(s-1)/(1+s)^4). The Hessian is
    A^T A/n + lam diag(r''(x_i)), so its eigenvalues lie in [-lam/2, |A|^2/n + 2 lam], and
    L = |A|_2^2/n + 2 lam is attained at x = 0. A is scaled so that |A|_2^2/n = 1 - 2 lam
    (default lam = 0.25: L = 1). With n < dim, A^T A is singular and the Hessian at x with
    x_i^2 = 1 has a negative eigenvalue: f is non-convex.

    **inf f.** Both terms are >= 0: ``f_lower = 0`` (certified; not attained, ``inf_f`` is
    the best value found by a few gradient descents, not certified).
    """

    name = "lsq"

    def __init__(self, dim: int = 10, n: int | None = None, lam: float = 0.25, seed: int = 0):
        self.dim = check_dim(dim)
        if not (np.isfinite(lam) and 0 < lam < 0.5):
            raise ValueError(f"lam: must be in (0, 0.5), got {lam!r}")
        self.n_samples = n = int(n) if n is not None else max(1, self.dim // 2)
        rng = np.random.default_rng(seed)
        A = rng.standard_normal((n, self.dim))
        A *= math.sqrt((1 - 2 * lam) * n) / np.linalg.norm(A, 2)
        x_true = np.zeros(self.dim)
        x_true[:: max(1, self.dim // 3)] = 2.0
        self.A, self.lam = A, float(lam)
        self.b = A @ x_true + 0.1 * rng.standard_normal(n)
        self.L = float(np.linalg.norm(A, 2) ** 2 / n + 2 * lam)
        self.f_lower = 0.0
        self.inf_exact = False
        self.inf_f = self._best_value()

    def _best_value(self) -> float:
        X = np.stack([np.zeros(self.dim), np.full(self.dim, 2.0), np.linalg.pinv(self.A) @ self.b])
        for _ in range(3000):
            X = X - self.grad(X) / self.L
        return float(np.min(self.f(X)))

    def f(self, X):
        X = np.asarray(X, dtype=float)
        r = X @ self.A.T - self.b
        X2 = X * X
        return 0.5 * np.sum(r * r, axis=-1) / self.n_samples + self.lam * np.sum(
            X2 / (1 + X2), axis=-1
        )

    def _reg_grad(self, X):
        q = 1 + X * X
        return self.lam * 2 * X / (q * q)

    def grad(self, X):
        X = np.asarray(X, dtype=float)
        r = (X @ self.A.T - self.b) / self.n_samples
        return r @ self.A + self._reg_grad(X)

    def sample_grads(self, X):
        """Per-sample gradients grad f_j(X), shape (..., n, dim)."""
        X = np.asarray(X, dtype=float)
        r = X @ self.A.T - self.b  # (..., n)
        return r[..., :, None] * self.A + self._reg_grad(X)[..., None, :]

    def grad_batch(self, X, idx):
        """Minibatch gradient (1/m) sum_{j in idx} grad f_j(X); idx of shape (..., m)."""
        X = np.asarray(X, dtype=float)
        Ab = self.A[idx]  # (..., m, dim)
        r = np.einsum("...md,...d->...m", Ab, X) - self.b[idx]
        return np.einsum("...m,...md->...d", r, Ab) / idx.shape[-1] + self._reg_grad(X)

    def minibatch_variance(self, X, m: int):
        """Exact E|g_B - grad f|^2 for m samples drawn uniformly with replacement."""
        G = self.sample_grads(X)
        g = G.mean(axis=-2)
        return (np.mean(np.sum(G * G, axis=-1), axis=-1) - np.sum(g * g, axis=-1)) / m

    def x0(self):
        return np.full(self.dim, -1.0)

    def kernel(self):
        return _ls_f_row, _ls_grad_row, (self.A, self.b, self.lam)


# --------------------------------------------------------------------------- Rosenbrock
