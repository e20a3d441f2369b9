"""The fused numba engine: gradient + noise + update in one pass, parallel over runs.

Same semantics as :mod:`lyapunov.sim.engine_numpy` (tested to agree to round-off): each run
keeps its row of x (and of the second state) in cache and loops over all steps; runs are
split into P x C chunks (C = min(S, 8) chunks of seed indices per configuration), ``prange``
over chunks, and each chunk accumulates its own per-step sums, added up at the end in a fixed
order (so the result does not depend on the number of threads). Noise is generated inside the
kernel by the counter-based generator of :mod:`lyapunov.sim.noise`: the same numbers as the
numpy engine. The method is the update rule of :mod:`lyapunov.methods`, compiled by
``numba.njit`` through :func:`lyapunov.sim.forms.make_forms`.

numba is optional: :func:`available` says whether it is installed.
"""

from __future__ import annotations

import math

import numpy as np

from . import noise

_KERNELS: dict = {}


def available() -> bool:
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True


def _build(f_row, grad_row):
    import numba
    from numba import prange

    from .forms import make_forms

    jit = numba.njit(cache=False)
    update, buffer, _, point = make_forms(jit)
    f_row, grad_row = jit(f_row), jit(grad_row)
    mix64, normal = noise.make_scalar(jit)
    G = noise._G

    @numba.njit(parallel=True)  # no cache=True: closures of one name would share a cache
    def kernel(
        code, X, Z, keys, P1, P2, P3, SIG, k0, k1, C, blowup2, rec_f, rec_cos, data, run_tot,
        div, acc,
    ):  # fmt: skip
        R, d = X.shape
        S = keys.shape[0]
        P = R // S
        du = np.uint64(d)
        for pc in prange(P * C):
            p = pc // C
            c = pc % C
            g = np.empty(d)
            yv = np.empty(d)  # GSPA: y_k = (1 - beta_k) z_k + beta_k x_k
            for s in range((c * S) // C, ((c + 1) * S) // C):
                r = p * S + s
                x = X[r]
                z = Z[r]
                key = keys[s]
                if div[r] >= 0:
                    continue
                tot = 0.0
                for k in range(k0, k1):
                    at = x
                    if code == 4:
                        e = P3[p, k if P3.shape[1] > 1 else 0]
                        for i in range(d):
                            yv[i] = point(code, x[i], z[i], e)
                        at = yv
                    grad_row(at, g, data)
                    g2 = 0.0
                    xx = 0.0
                    for i in range(d):
                        g2 += g[i] * g[i]
                        xx += at[i] * at[i]
                    if not (math.isfinite(g2) and xx <= blowup2):
                        div[r] = k
                        break
                    tot += g2
                    acc[0, pc, k] += g2
                    acc[3, pc, k] += 1.0
                    if rec_f:
                        acc[1, pc, k] += f_row(at, data)
                    if rec_cos:
                        bg = 0.0
                        bb = 0.0
                        for i in range(d):
                            bi = buffer(code, x[i], z[i])
                            bg += bi * g[i]
                            bb += bi * bi
                        den = bb * g2
                        if den > 0:
                            acc[2, pc, k] += bg / math.sqrt(den)
                    a = P1[p, k if P1.shape[1] > 1 else 0]
                    b = P2[p, k if P2.shape[1] > 1 else 0]
                    sig = SIG[p, k if SIG.shape[1] > 1 else 0]
                    if sig != 0.0:
                        base = np.uint64(k) * du
                        for i in range(d):
                            xi = sig * normal(mix64(key + (base + np.uint64(i)) * G))
                            xn, zn = update(code, x[i], z[i], g[i] + xi, a, b)
                            x[i] = xn
                            z[i] = zn
                    else:
                        for i in range(d):
                            xn, zn = update(code, x[i], z[i], g[i], a, b)
                            x[i] = xn
                            z[i] = zn
                run_tot[r] += tot

    return kernel


def run(spec) -> dict:
    """Simulate ``spec`` (:class:`lyapunov.sim.spec.Run`) with the fused kernel; the same dict
    as the numpy engine's ``run``.

    With a ``progress`` callable, the steps are run in about 20 blocks (the state persists
    between blocks) and ``progress(done_steps, steps)`` is called after each.
    """
    obj, code, P1, P2, P3, SIG, X0 = (
        spec.objective, spec.code, spec.P1, spec.P2, spec.P3, spec.SIG, spec.X0
    )  # fmt: skip
    steps, keys, blowup2, rec_f, rec_cos, progress = (
        spec.steps, spec.keys, spec.blowup2, spec.rec_f, spec.rec_cos, spec.progress
    )  # fmt: skip
    from .forms import make_forms

    f_row, grad_row, data = obj.kernel()
    key = (f_row, grad_row)
    if key not in _KERNELS:
        _KERNELS[key] = _build(f_row, grad_row)
    kernel = _KERNELS[key]
    P, S, d = X0.shape
    C = min(S, 8)
    X = np.ascontiguousarray(X0.reshape(P * S, d)).copy()
    _, _, init, point = make_forms()
    Z = init(code, X)
    run_tot = np.zeros(P * S)
    div = np.full(P * S, -1, dtype=np.int64)
    acc = np.zeros((4, P * C, steps))

    def f64(a):  # writeable C arrays: one compiled signature for every call
        return np.array(a, dtype=np.float64, order="C")

    P1, P2, SIG = f64(P1), f64(P2), f64(SIG)
    P3 = f64(np.zeros((P, 1)) if P3 is None else P3)
    block = steps if progress is None else max(1, -(-steps // 20))
    for k0 in range(0, steps, block):
        k1 = min(steps, k0 + block)
        kernel(code, X, Z, keys, P1, P2, P3, SIG, k0, k1, C, float(blowup2), bool(rec_f),
               bool(rec_cos), data, run_tot, div, acc)  # fmt: skip
        if progress is not None:
            progress(k1, steps)
    acc = acc.reshape(4, P, C, steps).sum(axis=2)
    run_g2 = np.where(div < 0, run_tot / steps, np.nan)
    beta = np.repeat(P3[:, -1], S)[:, None]  # the last step's beta for the final y_n
    Y = point(code, X, Z, beta)
    return {
        "sums": {"grad2": acc[0], "f": acc[1], "cos": acc[2], "var": np.zeros((P, steps))},
        "count": acc[3].astype(np.int64),
        "run_grad2": run_g2.reshape(P, S),
        "diverged_step": div.reshape(P, S),
        "x": Y.reshape(P, S, d),
        "state": Z.reshape(P, S, d),
        "x_eval": X.reshape(P, S, d),
        "trajectory": None,
        "var_max": None,
    }
