"""Any method, simulated from its one definition: the state-space matrices of its rule.

For a :class:`lyapunov.methods.Method` with s state vectors, the state of P configurations x
S runs is an array (P, S, s, d). Step k (the order of :mod:`.engine_numpy`):

1. Y_k = C_k X_k, the gradient point; G = grad f(Y_k); runs whose |G|^2 is not finite or
   whose |Y_k|^2 exceeds ``blowup2`` are marked diverged at step k and frozen;
2. the live runs' |G|^2 and f(Y_k) are added to the records;
3. g = G + xi_k (the counter-based Gaussian of :mod:`.noise`, the same numbers as every other
   engine) and X_{k+1} = A_k X_k + B_k g.

(A_k, B_k, C_k, E_k) come from :meth:`Method.matrices` per configuration (and per step where
a parameter is a schedule or the rule uses k); E_n X_n is the output the method returns.
"""

from __future__ import annotations

import numpy as np

from .engine_numpy import record
from .noise import normal_block

__all__ = ["matrices", "run"]


def matrices(method, params: dict[str, np.ndarray], steps: int, L: float) -> tuple:
    """(A, B, C, E) as arrays (P, T, s, s), (P, T, s) x 3, T = 1 or ``steps + 1`` (one per
    step, and one more for the final gradient point and output), for parameters given as
    (P, T') arrays (T' in {1, steps})."""
    s = len(method.state)
    P = max((v.shape[0] for v in params.values()), default=1)
    varying = any(v.shape[1] > 1 for v in params.values()) or bool({"k", "n"} & set(method.needs()))
    out: list[list[np.ndarray]] = [[], [], [], []]
    for k in range(steps + 1) if varying else (None,):
        col = 0 if k is None else k
        vals = {p: np.broadcast_to(v[:, min(col, v.shape[1] - 1)], (P,)) for p, v in params.items()}
        A, B, C, E = method.matrices(vals, k=min(col, steps - 1), n=steps, L=L)
        if k == steps:  # the final gradient point and output, at k = n
            C, E = _points_at_end(method, vals, steps, L)
        shapes = ((P, s, s), (P, s), (P, s), (P, s))
        for i, (M, shape) in enumerate(zip((A, B, C, E), shapes, strict=True)):
            out[i].append(np.broadcast_to(M, shape)[:, None])
    return tuple(np.concatenate(o, axis=1) for o in out)


def _points_at_end(method, vals, steps, L):
    s = len(method.state)
    eye = np.eye(s)
    units = tuple(eye[i] for i in range(s))
    v = {p: np.asarray(x, dtype=float)[..., None] for p, x in vals.items()}
    C = np.asarray(method.gradient_point(units, v, k=steps, n=steps, L=L), dtype=float)
    E = np.asarray(method.output_point(units, v, k=steps, n=steps, L=L), dtype=float)
    return C, E


def _col(M: np.ndarray, k: int) -> np.ndarray:
    return M[:, k if M.shape[1] > 1 else 0]


def run(spec) -> dict:
    """Simulate ``spec`` (:class:`lyapunov.sim.spec.Run`, with ``mats`` and ``start``);
    returns the records of :class:`lyapunov.sim.SimResult` (no ``cos``: a general method has
    no designated momentum buffer)."""
    obj, X0, steps, keys, SIG, blowup2 = (
        spec.objective, spec.X0, spec.steps, spec.keys, spec.SIG, spec.blowup2
    )  # fmt: skip
    rec_f, start, progress = spec.rec_f, spec.start, spec.progress
    A, B, C, E = spec.mats
    P, S, d = X0.shape
    X = np.stack([X0 * s for s in start], axis=2)  # (P, S, s, d)
    alive = np.ones((P, S), dtype=bool)
    div = np.full((P, S), -1, dtype=np.int64)
    tot = np.zeros((P, S))
    rec = {k: np.zeros((P, steps)) for k in ("grad2", "f")}
    count = np.zeros((P, steps), dtype=np.int64)
    with np.errstate(all="ignore"):
        for k in range(steps):
            Y = np.einsum("pj,psjd->psd", _col(C, k), X)
            G = obj.grad(Y)
            record(obj, Y, G, k, alive, div, tot, rec, count, blowup2, rec_f)
            if not alive.any():
                break
            sig = SIG[:, k if SIG.shape[1] > 1 else 0][:, None, None]
            g = G + sig * normal_block(keys, k, d)[None] if np.any(sig) else G
            Xn = np.einsum("pij,psjd->psid", _col(A, k), X) + np.einsum(
                "pi,psd->psid", _col(B, k), g
            )
            X = np.where(alive[..., None, None], Xn, X)
            if progress is not None and ((k + 1) % max(1, -(-steps // 20)) == 0 or k + 1 == steps):
                progress(k + 1, steps)
        Y = np.einsum("pj,psjd->psd", _col(C, steps), X)
        out = np.einsum("pj,psjd->psd", _col(E, steps), X)
    return {
        "sums": rec,
        "count": count,
        "run_grad2": np.where(div < 0, tot / steps, np.nan),
        "diverged_step": div,
        "x": Y,
        "state": X,
        "x_eval": out,
        "trajectory": None,
        "var_max": None,
    }
