"""SPA runs that record the buffer/gradient correlation of theorem P7 (claim C4).

:func:`spa_records` steps the SPA form directly (``lyapunov.methods.spa_step``, the method's
one definition) with the simulator's Gaussian noise, and records per step the quantities P7's
gain term needs: <g_k, x_k - z_k> and cos(x_k - z_k, g_k), with their standard errors.
``lyapunov.figures.correlation`` plots them.
"""

from __future__ import annotations

import numpy as np

from ..methods import spa_step
from ..sim.noise import normal_block, run_keys

__all__ = ["spa_records"]


def spa_records(objective, eta, c, sigma2, steps, runs, seed):
    """The SPA iterates (``lyapunov.methods.spa_step``) for the configurations (eta[p], c[p]),
    batched over (P, runs), with the simulator's Gaussian noise (same seed -> same noise as
    ``simulate``). Returns per-step means over the runs (shape (P, steps)) of |g_k|^2,
    <g_k, x_k - z_k>, cos(x_k - z_k, g_k) and the standard errors of the last two.
    """
    eta = np.asarray(eta, dtype=float)[:, None, None]
    c = np.asarray(c, dtype=float)[:, None, None]
    P, d = eta.shape[0], objective.dim
    X = np.broadcast_to(objective.x0(), (P, runs, d)).copy()
    Z = X.copy()
    keys = run_keys(seed, runs)
    sig = np.sqrt(sigma2 / d)
    out = {k: np.zeros((P, steps)) for k in ("grad2", "gxz", "gxz_se", "cos", "cos_se")}
    for k in range(steps):
        G = objective.grad(X)
        B = X - Z
        g2 = np.sum(G * G, axis=-1)
        gb = np.sum(G * B, axis=-1)
        den = g2 * np.sum(B * B, axis=-1)
        cs = np.where(den > 0, gb / np.sqrt(np.where(den > 0, den, 1.0)), 0.0)
        out["grad2"][:, k] = g2.mean(axis=1)
        out["gxz"][:, k] = gb.mean(axis=1)
        out["gxz_se"][:, k] = gb.std(axis=1) / np.sqrt(runs)
        out["cos"][:, k] = cs.mean(axis=1)
        out["cos_se"][:, k] = cs.std(axis=1) / np.sqrt(runs)
        g = G + sig * normal_block(keys, k, d)[None]
        X, Z = spa_step(X, Z, g, eta, c)
    return out
