"""The methods as the simulator runs them: a common state (x, s) and parameters (p1, p2, p3).

Each form is the update rule from :mod:`lyapunov.methods` (defined once there), adapted to the
state layout ``(x, s) -> (x_next, s_next)`` with the stochastic gradient ``g`` taken at the
point ``point(code, x, s, p3)``:

=================  ===============  ===================  ======  ==========  ===============
method             (p1, p2, p3)     s (second state)     s_0     buffer      gradient at
=================  ===============  ===================  ======  ==========  ===============
``sgd``            (lr, -, -)       unused               x_0     none        x_k
``sgdm``           (lr, momentum)   b_k (PyTorch buffer) 0       b_k         x_k
``spa``            (eta, c)         z_k                  x_0     x_k - z_k   x_k
``heavy_ball``     (lr, momentum)   x_{k-1}              x_0     x_{k-1}-x_k x_k
GSPA (code 4)      (eta, c, beta)   z_k                  x_0     x_k - z_k   y_k
=================  ===============  ===================  ======  ==========  ===============

The "buffer" is a positive multiple of the PyTorch momentum buffer b_k (x_k - z_k =
momentum eta b_k, x_{k-1} - x_k = lr_{k-1} b_k), so its cosine with grad f(x_k) is the
momentum-gradient correlation of claim C4 in every form.

GSPA (:mod:`lyapunov.methods.gspa`) runs every other member of the family -- ``nesterov``,
``qhm``, ``schedule_free`` and ``gspa`` itself -- through one kernel: the state is SPA's
(x_k, z_k), the gradient is taken at y_k = (1 - beta_k) z_k + beta_k x_k
(:func:`lyapunov.methods.gspa_point`) and the step is SPA's,
z_{k+1} = z_k - eta_k g_k, x_{k+1} = (1 - c_k) x_k + c_k z_{k+1} (:func:`spa_step`). The
coordinates (eta_k, c_k, beta_k) of a member come from the registry of methods
(:func:`gspa_coordinates`).

``make_forms(jit)`` builds the adapters around ``jit(step)`` for each rule: ``jit`` is the
identity for numpy and ``numba.njit`` inside the fused kernel, so the arithmetic is the same.
"""

from __future__ import annotations

import numpy as np

from ..methods import gspa_point, heavy_ball_step, pytorch_sgd_step, sgd_step, spa_step
from ..methods.registry import METHODS as REGISTRY
from ..methods.registry import to_gspa

__all__ = ["METHODS", "CODES", "GSPA", "GSPA_METHODS", "make_forms", "gspa_coordinates"]

#: the forms run by their own update rule (codes 0..3)
OWN_FORMS = ("sgd", "sgdm", "spa", "heavy_ball")
#: the members run through the GSPA kernel, in the coordinates (eta_k, c_k, beta_k)
GSPA_METHODS = ("nesterov", "qhm", "schedule_free", "gspa")
#: the code of the GSPA kernel
GSPA = 4
#: method -> names of its parameters, from the registry of methods
METHODS: dict[str, tuple[str, ...]] = {
    name: REGISTRY[name].params for name in OWN_FORMS + GSPA_METHODS
}
CODES = {**{name: i for i, name in enumerate(OWN_FORMS)}, **dict.fromkeys(GSPA_METHODS, GSPA)}


def make_forms(jit=lambda f: f):
    """``(update, buffer, init, point)`` dispatching on the method code (0..4, see the table)."""
    sgd, pt, spa, hb, at = (
        jit(f) for f in (sgd_step, pytorch_sgd_step, spa_step, heavy_ball_step, gspa_point)
    )

    def update(code, x, s, g, p1, p2):
        if code == 0:
            return sgd(x, g, p1), s
        if code == 1:
            return pt(x, s, g, p1, p2)
        if code == 2 or code == 4:
            return spa(x, s, g, p1, p2)
        return hb(x, s, g, p1, p2)

    def buffer(code, x, s):
        if code == 1:
            return s
        if code == 2 or code == 4:
            return x - s
        if code == 3:
            return s - x
        return 0.0 * x

    def init(code, x0):
        return 0.0 * x0 if code == 1 else x0 + 0.0

    def point(code, x, s, p3):
        """Where the gradient is taken: y = (1 - beta) z + beta x for GSPA, x otherwise."""
        return at(x, s, p3) if code == 4 else x

    return jit(update), jit(buffer), jit(init), jit(point)


def _schedule_free_c(lr: np.ndarray) -> np.ndarray:
    """schedulefree.SGDScheduleFree's averaging weights for per-step lr_k (default
    weight_lr_power = 2, r = 0): c_k = m_k^2 / sum_{i<=k} m_i^2 with m_k = max_{i<=k} lr_i,
    summed in the package's order (its running ``weight_sum``)."""
    w = np.maximum.accumulate(lr, axis=1) ** 2
    return w / np.cumsum(w, axis=1)


def gspa_coordinates(
    method: str, params: dict[str, np.ndarray], steps: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(eta_k, c_k, beta_k) as (P, T) arrays (T in {1, steps}) of a member of GSPA_METHODS,
    from its parameters as (P, T) arrays (:func:`lyapunov.sim.params.as_param`).

    * ``gspa``: eta, c, beta as given (numbers, schedules or grids);
    * ``nesterov``, ``qhm``: constants only (grids of constants allowed); the registry's map.
      torch's Nesterov and QHM under an lr scheduler are not GSPA with the per-step map
      (their momentum buffer keeps the old lr), so schedules are refused: run ``gspa`` with
      eta, c, beta schedules instead;
    * ``schedule_free``: constant momentum; with a constant lr the registry's map
      (eta = lr, c_k = 1/(k + 1), beta = momentum); with an lr schedule (e.g. the package's
      warm-up, lr_k = lr (k + 1)/warmup_steps for k < warmup_steps) eta_k = lr_k and the
      package's weights c_k = m_k^2 / sum_{i<=k} m_i^2, m_k = max_{i<=k} lr_i (exact: the
      (y, z) recursion the package runs is GSPA's for time-varying eta_k, c_k).
    """
    if method == "gspa":
        return params["eta"], params["c"], params["beta"]
    scheduled = [n for n in REGISTRY[method].params if params[n].shape[1] > 1]
    allowed = ("lr",) if method == "schedule_free" else ()
    for name in scheduled:
        if name not in allowed:
            raise ValueError(
                f"{name}: {method} takes a constant {name} here (a number or a (P, 1) grid): "
                "its map to GSPA holds for constants; run method 'gspa' with eta, c, beta "
                "schedules instead"
            )
    if method == "schedule_free" and params["lr"].shape[1] > 1:
        lr = params["lr"]
        beta = np.broadcast_to(params["momentum"], lr.shape)
        return lr, _schedule_free_c(lr), np.ascontiguousarray(beta)
    k = np.arange(steps, dtype=float)[None, :] if method == "schedule_free" else 0
    return to_gspa(method, k=k, **{n: params[n] for n in REGISTRY[method].params})
