r"""Synthetic non-convex objectives with a known smoothness constant and a known floor.

Every objective works in any dimension ``dim`` and exposes

* ``f(X)`` and ``grad(X)`` for ``X`` of shape ``(..., dim)`` (any leading batch axes, e.g.
  ``(runs, dim)``): ``f`` returns shape ``(...)``, ``grad`` shape ``(..., dim)``;
* ``L``: a proved smoothness constant, |grad f(x) - grad f(y)| <= L |x - y| for all x, y
  (``L_exact`` says whether it is the best constant, i.e. attained by the Hessian spectrum);
* ``inf_f`` (the infimum, or the best known value) and ``f_lower`` (a certified lower bound,
  ``f_lower <= inf f``; ``inf_exact`` says whether ``inf_f`` is exact). The confirmation uses
  ``gap = f(x_0) - f_lower``, which can only over-estimate f(x_0) - inf f (the bound is monotone
  in the gap, so this is conservative);
* ``x0()``: a default starting point (not a stationary point);
* ``kernel()``: ``(f_row, grad_row, data)``, plain-Python loops on one row ``x`` of shape
  ``(dim,)`` (``f_row(x, data) -> float``, ``grad_row(x, g, data)`` writes ``g``), which
  ``lyapunov.sim`` compiles with ``numba.njit`` into its fused step. They compute the same
  numbers as ``f`` / ``grad`` (tested to round-off).

Finite sums (``RegularizedLeastSquares``, ``TwoLayerNet``) also expose ``n_samples``,
``grad_batch(X, idx)`` (the minibatch gradient, ``idx`` of shape ``(..., m)``) and
``minibatch_variance(X, m)``, the exact variance E|g_B - grad f|^2 of a minibatch of m samples
drawn uniformly *with replacement*:

    Var = (1/m) ((1/n) sum_j |grad f_j(x)|^2 - |grad f(x)|^2).

The L proofs are in the class docstrings; ``tests/test_objectives.py`` checks every L against
the Hessian spectrum at random points and every gradient against finite differences.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import brentq

__all__ = [
    "Objective",
    "Quadratic",
    "CosineQuadratic",
    "RegularizedLeastSquares",
    "SmoothRosenbrock",
    "TwoLayerNet",
    "OBJECTIVES",
    "make",
]


class Objective:
    """Base class: subclasses set ``dim, L, inf_f, f_lower`` and implement ``f, grad``."""

    name: str = ""
    dim: int
    L: float
    L_exact: bool = True
    inf_f: float
    f_lower: float
    inf_exact: bool = True
    n_samples: int | None = None  # finite sums only

    def f(self, X: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def grad(self, X: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def x0(self) -> np.ndarray:
        """The default starting point."""
        return np.ones(self.dim)

    def hess(self, x: np.ndarray, h: float = 1e-5) -> np.ndarray:
        """Hessian at one point by central differences of the exact gradient (tests only)."""
        x = np.asarray(x, dtype=float)
        E = np.eye(self.dim) * h
        G = (self.grad(x + E) - self.grad(x - E)) / (2 * h)  # row i: d grad / d x_i
        return (G + G.T) / 2

    def kernel(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}(dim={self.dim}, L={self.L:.6g})"


def _check_dim(dim) -> int:
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)) or dim < 1:
        raise ValueError(f"dim: must be an integer >= 1, got {dim!r}")
    return int(dim)


# --------------------------------------------------------------------------- quadratic
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
        self.dim = _check_dim(dim)
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
        self.dim = _check_dim(dim)
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
        self.dim = _check_dim(dim)
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
        self.dim = _check_dim(dim)
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
        self.dim = _check_dim(dim)
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


OBJECTIVES: dict[str, type[Objective]] = {
    c.name: c for c in (CosineQuadratic, RegularizedLeastSquares, SmoothRosenbrock, TwoLayerNet)
}
OBJECTIVES["quadratic"] = Quadratic


def make(name: str, dim: int = 10, **kwargs) -> Objective:
    """The objective called ``name`` (one of ``OBJECTIVES``) in dimension ``dim``."""
    if not isinstance(name, str) or name not in OBJECTIVES:
        raise ValueError(f"objective: unknown name {name!r}, choose from {sorted(OBJECTIVES)}")
    return OBJECTIVES[name](dim, **kwargs)
