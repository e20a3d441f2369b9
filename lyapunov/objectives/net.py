"""A two-layer network on synthetic data (a non-convex finite sum)."""

from __future__ import annotations

import math

import numpy as np

from .base import Objective, check_dim


def _net_f_row(x, data):
    Xd, y, v, hidden, inputs = data
    n = Xd.shape[0]
    s = 0.0
    for j in range(n):
        p = 0.0
        for h in range(hidden):
            z = 0.0
            for i in range(inputs):
                z += x[h * inputs + i] * Xd[j, i]
            p += v[h] * math.tanh(z)
        m = -y[j] * p
        s += max(m, 0.0) + math.log1p(math.exp(-abs(m)))
    return s / n


def _net_grad_row(x, g, data):
    Xd, y, v, hidden, inputs = data
    n = Xd.shape[0]
    for k in range(hidden * inputs):
        g[k] = 0.0
    th = np.empty(hidden)
    for j in range(n):
        p = 0.0
        for h in range(hidden):
            z = 0.0
            for i in range(inputs):
                z += x[h * inputs + i] * Xd[j, i]
            th[h] = math.tanh(z)
            p += v[h] * th[h]
        m = -y[j] * p
        # d/dp log(1 + exp(-y p)) = -y sigmoid(-y p)
        if m >= 0:
            sg = 1.0 / (1.0 + math.exp(-m))
        else:
            em = math.exp(m)
            sg = em / (1.0 + em)
        lp = -y[j] * sg / n
        for h in range(hidden):
            c = lp * v[h] * (1.0 - th[h] * th[h])
            for i in range(inputs):
                g[h * inputs + i] += c * Xd[j, i]


class TwoLayerNet(Objective):
    r"""A two-layer tanh network on fixed synthetic data, first layer trained (a finite sum):

        f(W) = (1/n) sum_j l(y_j p_j(W)),  p_j(W) = sum_h v_h tanh(w_h . a_j),
        l(m) = log(1 + exp(-m)),  y_j in {-1, +1},

    with W = (w_1, ..., w_H) flattened (dim = H * inputs) and output weights v fixed.

    **L (proved bound).** Per sample, Hess f_j = l'' grad p grad p^T + l' y Hess p with
    0 < l'' <= 1/4, |l'| <= 1, grad p = ((v_h tanh'(.) a_j)_h), Hess p =
    blockdiag_h(v_h tanh''(.) a_j a_j^T), |tanh'| <= 1, |tanh''| <= 4/(3 sqrt 3). For a
    direction Y (rows y_h): sum_j (u_j^T Y a_j)^2 <= |v|^2 sum_j |Y a_j|^2 <= |v|^2 |A|^2 |Y|_F^2
    (u_j = v * tanh'), and |sum_j c_j (a_j . y_h)^2| <= max|c_j| |A|^2 |y_h|^2. So

        L = (|A|_2^2 / n) (|v|^2 / 4 + max_h |v_h| 4/(3 sqrt 3)),

    a bound (the spectrum at random points reaches about 0.3-0.4 L). Data are scaled so that
    |A|_2^2/n = 1 and |v_h| = v0 solves H v0^2/4 + v0 4/(3 sqrt 3) = 1: L = 1.

    **inf f.** l > 0: ``f_lower = 0`` (certified, not attained; ``inf_f`` = 0 too).
    """

    name = "net"

    def __init__(self, dim: int = 12, inputs: int | None = None, n: int = 32, seed: int = 0):
        self.dim = check_dim(dim)
        if inputs is None:
            inputs = max(k for k in range(1, 9) if self.dim % k == 0)
        if self.dim % inputs:
            raise ValueError(f"inputs: must divide dim = {self.dim}, got {inputs}")
        self.inputs, self.hidden, self.n_samples = int(inputs), self.dim // int(inputs), int(n)
        rng = np.random.default_rng(seed)
        Xd = rng.standard_normal((n, inputs))
        Xd *= math.sqrt(n) / np.linalg.norm(Xd, 2)
        H = self.hidden
        c2 = 4 / (3 * math.sqrt(3))
        v0 = (-c2 + math.sqrt(c2 * c2 + H)) / (H / 2)  # H v0^2/4 + c2 v0 = 1
        self.v = v0 * np.where(np.arange(H) % 2 == 0, 1.0, -1.0)
        teacher = rng.standard_normal((H, inputs))
        p = np.tanh(Xd @ teacher.T) @ self.v
        self.y = np.where(p + 0.05 * rng.standard_normal(n) >= 0, 1.0, -1.0)
        self.Xd = Xd
        an = np.linalg.norm(Xd, 2) ** 2 / n
        self.L = float(an * (np.sum(self.v**2) / 4 + np.max(np.abs(self.v)) * c2))
        self.L_exact = False
        self.inf_f = self.f_lower = 0.0
        self.inf_exact = False
        self._x0 = 0.5 * rng.standard_normal(self.dim)

    def _weights(self, X):
        X = np.asarray(X, dtype=float)
        return X.reshape(*X.shape[:-1], self.hidden, self.inputs)

    def _forward(self, X):
        W = self._weights(X)
        T = np.tanh(np.einsum("...hi,ni->...nh", W, self.Xd))  # (..., n, H)
        return T, T @ self.v  # p: (..., n)

    def f(self, X):
        _, p = self._forward(X)
        return np.mean(np.logaddexp(0.0, -self.y * p), axis=-1)

    def _lp(self, p):
        # d l(y p)/dp = -y sigmoid(-y p)
        m = -self.y * p
        return -self.y * np.exp(m - np.logaddexp(0.0, m))

    def sample_grads(self, X):
        """Per-sample gradients grad f_j(X), shape (..., n, dim)."""
        T, p = self._forward(X)
        C = self._lp(p)[..., None] * self.v * (1 - T * T)  # (..., n, H)
        G = C[..., :, :, None] * self.Xd[:, None, :]  # (..., n, H, inputs)
        return G.reshape(*G.shape[:-2], self.dim)

    def grad(self, X):
        T, p = self._forward(X)
        C = self._lp(p)[..., None] * self.v * (1 - T * T) / self.n_samples
        G = np.einsum("...nh,ni->...hi", C, self.Xd)
        return G.reshape(*G.shape[:-2], self.dim)

    def grad_batch(self, X, idx):
        """Minibatch gradient (1/m) sum_{j in idx} grad f_j(X); idx of shape (..., m)."""
        W = self._weights(X)
        Xb = self.Xd[idx]  # (..., m, inputs)
        T = np.tanh(np.einsum("...hi,...mi->...mh", W, Xb))
        p = T @ self.v
        yb = self.y[idx]
        m = -yb * p
        lp = -yb * np.exp(m - np.logaddexp(0.0, m))
        C = lp[..., None] * self.v * (1 - T * T) / idx.shape[-1]
        G = np.einsum("...mh,...mi->...hi", C, Xb)
        return G.reshape(*G.shape[:-2], self.dim)

    def minibatch_variance(self, X, m: int):
        """Exact E|g_B - grad f|^2 for m samples drawn uniformly with replacement."""
        G = self.sample_grads(X)
        g = G.mean(axis=-2)
        return (np.mean(np.sum(G * G, axis=-1), axis=-1) - np.sum(g * g, axis=-1)) / m

    def x0(self):
        return self._x0.copy()

    def kernel(self):
        return (
            _net_f_row,
            _net_grad_row,
            (self.Xd, self.y, self.v, self.hidden, self.inputs),
        )
