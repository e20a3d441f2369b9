"""The pure-numpy engine: one vectorized array program over (configurations P, seeds S, dim).

Per step k (the same order as the fused numba kernel, :mod:`lyapunov.sim.engine_numba`):

1. Y_k = the point where the gradient is taken (X_k itself, or GSPA's
   y_k = (1 - beta_k) z_k + beta_k x_k); G = grad f(Y_k); |G|^2 and |Y_k|^2 per run; a run
   whose |G|^2 is not finite or whose |Y_k|^2 exceeds ``blowup2`` (NaN included) is marked
   diverged at step k and frozen;
2. the live runs' |G|^2, f(Y_k) and cos(buffer, G) are added to the records;
3. g = G + xi_k (Gaussian: sqrt(sigma2/d) N from :mod:`lyapunov.sim.noise`, or a minibatch
   gradient) and the live runs take one step of their method.
"""

from __future__ import annotations

import numpy as np

from .forms import make_forms
from .noise import normal_block
from .spec import Run

_update, _buffer, _init, _point = make_forms()


def _col(A: np.ndarray, k: int) -> np.ndarray:
    return A[:, k if A.shape[1] > 1 else 0][:, None, None]


def record(obj, Y, G, k, alive, div, tot, rec, count, blowup2, rec_f) -> np.ndarray:
    """Step 1 and 2 of the module docstring, in place: runs whose |G|^2 is not finite or whose
    |Y|^2 exceeds ``blowup2`` are marked diverged at step k (``alive``, ``div``); the live
    runs' |G|^2 (and f(Y)) go into the records. Returns |G|^2 per run."""
    g2 = np.sum(G * G, axis=-1)
    bad = alive & ~(np.isfinite(g2) & (np.sum(Y * Y, axis=-1) <= blowup2))
    div[bad] = k
    alive &= ~bad
    tot += np.where(alive, g2, 0.0)
    rec["grad2"][:, k] = np.sum(np.where(alive, g2, 0.0), axis=1)
    count[:, k] = np.sum(alive, axis=1)
    if rec_f:
        rec["f"][:, k] = np.sum(np.where(alive, obj.f(Y), 0.0), axis=1)
    return g2


def run(spec: Run) -> dict:
    """Simulate ``spec`` (:class:`lyapunov.sim.spec.Run`); returns a dict of records (see
    :class:`lyapunov.sim.SimResult`)."""
    obj, X0, steps, keys, SIG, blowup2 = (
        spec.objective, spec.X0, spec.steps, spec.keys, spec.SIG, spec.blowup2
    )  # fmt: skip
    code, P1, P2 = spec.code, spec.P1, spec.P2
    P3 = np.zeros((X0.shape[0], 1)) if spec.P3 is None else spec.P3
    rec_f, rec_cos, trajectory, batch = spec.rec_f, spec.rec_cos, spec.trajectory, spec.batch
    idx_rng, rec_var, progress = spec.idx_rng, spec.rec_var, spec.progress
    P, S, d = X0.shape
    X = X0.copy()
    Z = _init(code, X)
    alive = np.ones((P, S), dtype=bool)
    div = np.full((P, S), -1, dtype=np.int64)
    tot = np.zeros((P, S))
    rec = {k: np.zeros((P, steps)) for k in ("grad2", "f", "cos", "var")}
    count = np.zeros((P, steps), dtype=np.int64)
    var_max = np.zeros(P)
    traj = np.empty((steps + 1, P, S, d)) if trajectory else None
    with np.errstate(all="ignore"):
        for k in range(steps):
            Y = _point(code, X, Z, _col(P3, k))
            if traj is not None:
                traj[k] = Y
            G = obj.grad(Y)
            g2 = record(obj, Y, G, k, alive, div, tot, rec, count, blowup2, rec_f)
            if not alive.any():
                break
            if rec_cos:
                B = _buffer(code, X, Z)
                bg = np.sum(B * G, axis=-1)
                bb = np.sum(B * B, axis=-1)
                den = bb * g2
                cs = np.where(den > 0, bg / np.sqrt(np.where(den > 0, den, 1.0)), 0.0)
                rec["cos"][:, k] = np.sum(np.where(alive, cs, 0.0), axis=1)
            if batch is None:
                sig = _col(SIG, k)
                g = G + sig * normal_block(keys, k, d)[None] if np.any(sig) else G
            else:
                idx = idx_rng.integers(0, obj.n_samples, size=(S, batch))
                g = obj.grad_batch(Y, np.broadcast_to(idx, (P, S, batch)))
                if rec_var:
                    v = obj.minibatch_variance(Y, batch)
                    rec["var"][:, k] = np.sum(np.where(alive, v, 0.0), axis=1)
                    var_max = np.maximum(var_max, np.max(np.where(alive, v, 0.0), axis=1))
            Xn, Zn = _update(code, X, Z, g, _col(P1, k), _col(P2, k))
            live = alive[..., None]
            X = np.where(live, Xn, X)
            Z = np.where(live, Zn, Z)
            if progress is not None and ((k + 1) % max(1, -(-steps // 20)) == 0 or k + 1 == steps):
                progress(k + 1, steps)
        Y = _point(code, X, Z, _col(P3, steps - 1))
        if traj is not None:
            traj[steps] = Y
    run_g2 = np.where(div < 0, tot / steps, np.nan)
    return {
        "sums": rec,
        "count": count,
        "run_grad2": run_g2,
        "diverged_step": div,
        "x": Y,
        "state": Z,
        "x_eval": X,
        "trajectory": traj,
        "var_max": var_max if rec_var else None,
    }
