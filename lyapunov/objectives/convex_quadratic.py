"""A convex quadratic with a chosen spectrum, minimiser and minimum."""

from __future__ import annotations

import numpy as np

from .base import check_dim
from .classes import ClassObjective


def _cq_f_row(x, data):
    H, xs, fs = data
    d = x.shape[0]
    s = 0.0
    for i in range(d):
        hi = 0.0
        for j in range(d):
            hi += H[i, j] * (x[j] - xs[j])
        s += (x[i] - xs[i]) * hi
    return 0.5 * s + fs


def _cq_grad_row(x, g, data):
    H, xs, _ = data
    d = x.shape[0]
    for i in range(d):
        hi = 0.0
        for j in range(d):
            hi += H[i, j] * (x[j] - xs[j])
        g[i] = hi


class ConvexQuadratic(ClassObjective):
    r"""f(x) = (1/2)(x - x_*)^T H (x - x_*) + f_*,  H = Q diag(lambda) Q^T.

    The eigenvalues ``spectrum`` (default ``dim`` values evenly spaced in [mu, L]) lie in
    [mu, L] with mu = min lambda, L = max lambda, both attained; Q is a seeded random rotation,
    x_* a seeded random point (|x_*| about 1), f_* = ``f_star``.

    **Classes.** The Hessian is H everywhere, so f is L-smooth and convex (L exact), and for
    mu > 0 mu-strongly convex, hence also mu-PL: f(x) - f_* = (1/2) e^T H e <=
    (1/(2 mu)) e^T H^2 e = |grad f(x)|^2 / (2 mu) (e = x - x_*). Declared: smooth_strongly_convex
    (mu, L), smooth_convex (L) and pl (mu, L) if mu > 0, else smooth_convex only.

    x0(): x_* + Q 1/sqrt(dim), at distance 1 from x_*, with equal weight on every eigenvector.
    """

    name = "convex_quadratic"

    def __init__(
        self,
        dim: int = 10,
        mu: float = 0.1,
        L: float = 1.0,
        spectrum=None,
        f_star: float = 0.0,
        seed: int = 0,
    ):
        self.dim = check_dim(dim)
        if spectrum is None:
            if not (np.isfinite(mu) and np.isfinite(L) and 0 <= mu < L):
                raise ValueError(f"mu: must satisfy 0 <= mu < L, got mu = {mu!r}, L = {L!r}")
            lam = np.linspace(mu, L, self.dim) if self.dim > 1 else np.array([float(L)])
        else:
            lam = np.asarray(spectrum, dtype=float)
            if lam.shape != (self.dim,) or not np.all(np.isfinite(lam) & (lam >= 0)):
                raise ValueError(
                    f"spectrum: must be {self.dim} finite values >= 0, got {spectrum!r}"
                )
            if lam.max() <= 0:
                raise ValueError("spectrum: must have a positive eigenvalue")
        rng = np.random.default_rng(seed)
        Q, R = np.linalg.qr(rng.standard_normal((self.dim, self.dim)))
        self.Q = Q * np.sign(np.diag(R))  # a Haar rotation
        self.spectrum = lam
        self.H = (self.Q * lam) @ self.Q.T
        self.L, self.mu = float(lam.max()), float(lam.min())
        self._set_minimum(rng.standard_normal(self.dim) / np.sqrt(self.dim), float(f_star))
        self.classes = {"smooth_convex": {"L": self.L}}
        if 0 < self.mu < self.L:
            self.classes = {
                "smooth_strongly_convex": {"mu": self.mu, "L": self.L},
                "smooth_convex": {"L": self.L},
                "pl": {"mu": self.mu, "L": self.L},
            }

    def f(self, X):
        E = np.asarray(X, dtype=float) - self.x_star
        return 0.5 * np.sum(E * (E @ self.H), axis=-1) + self.f_star

    def grad(self, X):
        return (np.asarray(X, dtype=float) - self.x_star) @ self.H

    def x0(self):
        return self.x_star + self.Q @ np.full(self.dim, 1 / np.sqrt(self.dim))

    def kernel(self):
        return _cq_f_row, _cq_grad_row, (self.H, self.x_star, self.f_star)
