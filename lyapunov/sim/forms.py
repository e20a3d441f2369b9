"""The methods as the simulator runs them: a common state (x, s) and two parameters (p1, p2).

Each form is the update rule from :mod:`lyapunov.methods` (defined once there), adapted to the
state layout ``(x, s) -> (x_next, s_next)`` with the stochastic gradient ``g``:

=============  ==============  =====================  ==========================  ==========
method         (p1, p2)        s (second state)       s_0                         buffer
=============  ==============  =====================  ==========================  ==========
``sgd``        (lr, -)         unused                 x_0                         none
``sgdm``       (lr, momentum)  b_k (PyTorch buffer)   0                           b_k
``spa``        (eta, c)        z_k                    x_0                         x_k - z_k
``heavy_ball`` (lr, momentum)  x_{k-1}                x_0                         x_{k-1} - x_k
=============  ==============  =====================  ==========================  ==========

The "buffer" is a positive multiple of the PyTorch momentum buffer b_k (x_k - z_k =
momentum eta b_k, x_{k-1} - x_k = lr_{k-1} b_k), so its cosine with grad f(x_k) is the
momentum-gradient correlation of claim C4 in every form.

``make_forms(jit)`` builds the adapters around ``jit(step)`` for each rule: ``jit`` is the
identity for numpy and ``numba.njit`` inside the fused kernel, so the arithmetic is the same.
"""

from __future__ import annotations

from ..methods import heavy_ball_step, pytorch_sgd_step, sgd_step, spa_step
from ..methods.registry import METHODS as REGISTRY

__all__ = ["METHODS", "make_forms"]

#: method -> names of its two parameters (None: unused), from the registry of methods
METHODS: dict[str, tuple[str, str | None]] = {
    name: (*REGISTRY[name].params, None)[:2] for name in ("sgd", "sgdm", "spa", "heavy_ball")
}
CODES = {name: i for i, name in enumerate(METHODS)}


def make_forms(jit=lambda f: f):
    """``(update, buffer, init)`` dispatching on the method code (0..3, order of METHODS)."""
    sgd, pt, spa, hb = (jit(f) for f in (sgd_step, pytorch_sgd_step, spa_step, heavy_ball_step))

    def update(code, x, s, g, p1, p2):
        if code == 0:
            return sgd(x, g, p1), s
        if code == 1:
            return pt(x, s, g, p1, p2)
        if code == 2:
            return spa(x, s, g, p1, p2)
        return hb(x, s, g, p1, p2)

    def buffer(code, x, s):
        if code == 1:
            return s
        if code == 2:
            return x - s
        if code == 3:
            return s - x
        return 0.0 * x

    def init(code, x0):
        return 0.0 * x0 if code == 1 else x0 + 0.0

    return jit(update), jit(buffer), jit(init)
