r"""Two accelerated methods outside generalized SPA, as PEPit writes them.

* Triple momentum (Van Scoy, Freeman, Lynch 2018), with rate parameter rho in [0, 1)
  (rho = 1 - sqrt(mu/L) on mu-strongly convex L-smooth f): on the state (xi_k, xi_{k-1}),

      xi_{k+1} = (1 + beta) xi_k - beta xi_{k-1} - alpha g_k,
      y_k = (1 + gamma) xi_k - gamma xi_{k-1}   (the gradient point),
      x_k = (1 + delta) xi_k - delta xi_{k-1}   (the output),

  alpha = (1 + rho)/L, beta = rho^2/(2 - rho), gamma = rho^2/((1 + rho)(2 - rho)),
  delta = rho^2/(1 - rho^2), xi_{-1} = xi_0 = x_0.

* The optimized gradient method OGM (Kim and Fessler 2016) for n steps: on the state
  (x_k, y_k), the gradient at y_k,

      x_{k+1} = y_k - g_k / L,
      y_{k+1} = x_{k+1} + (theta_k - 1)/theta_{k+1} (x_{k+1} - x_k)
                        + theta_k/theta_{k+1} (x_{k+1} - y_k),

  theta_0 = 1, theta_{k+1} = (1 + sqrt(4 theta_k^2 + 1))/2 for k < n - 1 and
  (1 + sqrt(8 theta_k^2 + 1))/2 at the last step; the output is y_n. The thetas are floats
  on numbers and exact (nested square roots, sympy) when L is symbolic: a proof step
  (:meth:`lyapunov.methods.Method.one_step`) stays exact.
"""

from __future__ import annotations

import math
from functools import lru_cache

import sympy as sp

__all__ = ["ogm_step", "ogm_theta", "ogm_theta_exact", "tmm_point", "tmm_output", "tmm_step"]


def _tmm(rho):
    beta = rho**2 / (2 - rho)
    gamma = rho**2 / ((1 + rho) * (2 - rho))
    delta = rho**2 / (1 - rho**2)
    return beta, gamma, delta


def tmm_step(xi, xi_prev, g, *, rho, L):
    """One triple-momentum step on (xi_k, xi_{k-1}): returns (xi_{k+1}, xi_k)."""
    beta = _tmm(rho)[0]
    alpha = (1 + rho) / L
    return (1 + beta) * xi - beta * xi_prev - alpha * g, xi


def tmm_point(xi, xi_prev, *, rho):
    """Where triple momentum takes the gradient: y_k = (1 + gamma) xi_k - gamma xi_{k-1}."""
    gamma = _tmm(rho)[1]
    return (1 + gamma) * xi - gamma * xi_prev


def tmm_output(xi, xi_prev, *, rho):
    """Triple momentum's iterate: x_k = (1 + delta) xi_k - delta xi_{k-1}."""
    delta = _tmm(rho)[2]
    return (1 + delta) * xi - delta * xi_prev


@lru_cache(maxsize=64)
def _thetas(n: int) -> tuple[float, ...]:
    theta = [1.0]
    for k in range(n):
        t = theta[-1]
        last = k == n - 1
        theta.append((1 + math.sqrt((8 if last else 4) * t * t + 1)) / 2)
    return tuple(theta)


def ogm_theta(k: int, n: int) -> float:
    """OGM's theta_k for a run of n steps (k = 0..n)."""
    return _thetas(int(n))[int(k)]


@lru_cache(maxsize=64)
def ogm_theta_exact(k: int, n: int) -> sp.Expr:
    """OGM's theta_k for a run of n steps, exactly (a sympy number with square roots)."""
    k, n = int(k), int(n)
    if not 0 <= k <= n:
        raise ValueError(f"k: must be in [0, n] = [0, {n}], got {k}")
    if k == 0:
        return sp.Integer(1)
    t = ogm_theta_exact(k - 1, n)
    return (1 + sp.sqrt(sp.expand((8 if k == n else 4) * t**2 + 1))) / 2


def ogm_step(x, y, g, *, k, n, L):
    """One OGM step on (x_k, y_k) with the gradient g at y_k: returns (x_{k+1}, y_{k+1})."""
    theta = ogm_theta_exact if isinstance(L, sp.Basic) else ogm_theta
    t0, t1 = theta(k, n), theta(k + 1, n)
    x1 = y - g / L
    return x1, x1 + (t0 - 1) / t1 * (x1 - x) + t0 / t1 * (x1 - y)
