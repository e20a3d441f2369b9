"""One registry of the methods: each defined once (:class:`lyapunov.methods.Method`) by its
update rule, with its parameters and ranges, its PyTorch counterpart and, for the members of
generalized SPA (GSPA, :mod:`.gspa`),

    y_k = (1 - beta) z_k + beta x_k,  z_{k+1} = z_k - eta g_k(y_k),
    x_{k+1} = (1 - c_k) x_k + c_k z_{k+1},

their map ``gspa`` to (eta, c, beta) (numpy arrays, broadcasting over the inputs; ``c``
depends on the step for schedule-free SGD) and the theorem that certifies it. Triple momentum
and OGM lie outside GSPA. Adding a method means one entry here (or a :class:`Method` in a
file of your own, see :func:`lyapunov.methods.load`), plus its theorems in proofs/.
"""

from __future__ import annotations

import numpy as np

from ..validate import check_range
from .accelerated import ogm_step, tmm_output, tmm_point, tmm_step
from .gspa import gspa_point
from .heavy_ball import heavy_ball_step
from .method import Method
from .momentum_family import nesterov_step, qhm_step
from .pytorch import pytorch_sgd_step
from .sgd import sgd_step
from .spa import spa_step

__all__ = ["Method", "METHODS", "FAMILY", "get", "to_gspa"]


def _one(a):
    """1, shaped like ``a`` (works on numpy arrays and on sympy symbols alike)."""
    return 0 * a + 1


def _gspa_y(x, z, *, beta, **_):
    return gspa_point(x, z, beta)


METHODS: dict[str, Method] = {
    m.name: m
    for m in [
        Method(
            "sgd",
            ("x",),
            lambda x, g, *, lr: sgd_step(x, g, lr),
            ("lr",),
            title="SGD",
            gspa=lambda lr, k: (lr, _one(lr), _one(lr)),
            torch="torch.optim.SGD(params, lr=lr)",
            theorem="P1 (c = 1)",
        ),
        Method(
            "sgdm",
            ("x", "b"),
            lambda x, b, g, *, lr, momentum: pytorch_sgd_step(x, b, g, lr, momentum),
            ("lr", "momentum"),
            start=(1, 0),
            title="SGD with momentum (heavy ball)",
            gspa=lambda lr, momentum, k: (lr / (1 - momentum), 1 - momentum, _one(lr)),
            torch="torch.optim.SGD(params, lr=lr, momentum=momentum)",
            theorem="P1",
        ),
        Method(
            "heavy_ball",
            ("x", "x_prev"),
            lambda x, x_prev, g, *, lr, momentum: heavy_ball_step(x, x_prev, g, lr, momentum),
            ("lr", "momentum"),
            title="Polyak's heavy ball",
            gspa=lambda lr, momentum, k: (lr / (1 - momentum), 1 - momentum, _one(lr)),
            torch="torch.optim.SGD(params, lr=lr, momentum=momentum)",
            theorem="P1",
        ),
        Method(
            "spa",
            ("x", "z"),
            lambda x, z, g, *, eta, c: spa_step(x, z, g, eta, c),
            ("eta", "c"),
            title="stochastic primal averaging",
            gspa=lambda eta, c, k: (eta, c, _one(eta)),
            torch="lyapunov.torch.SPA(params, eta=eta, c=c)",
            theorem="P1",
        ),
        Method(
            "nesterov",
            ("p", "b"),
            lambda p, b, g, *, lr, momentum: nesterov_step(p, b, g, lr, momentum),
            ("lr", "momentum"),
            start=(1, 0),
            title="SGD with Nesterov momentum",
            gspa=lambda lr, momentum, k: (lr / (1 - momentum), 1 - momentum, momentum + 0 * lr),
            torch="torch.optim.SGD(params, lr=lr, momentum=momentum, nesterov=True)",
            iterate="y",
            theorem="P9a",
        ),
        Method(
            "qhm",
            ("p", "d"),
            lambda p, d, g, *, lr, momentum, nu: qhm_step(p, d, g, lr, momentum, nu),
            ("lr", "momentum", "nu"),
            start=(1, 0),
            title="quasi-hyperbolic momentum",
            gspa=lambda lr, momentum, nu, k: (
                lr + 0 * momentum,
                1 - momentum + 0 * lr,
                nu + 0 * lr,
            ),
            torch="qhoptim.pyt.QHM(params, lr=lr, momentum=momentum, nu=nu)",
            iterate="y",
            theorem="P9b",
        ),
        Method(
            "schedule_free",
            ("x", "z"),
            lambda x, z, g, *, lr, momentum, k: spa_step(x, z, g, lr, 1 / (k + 1)),
            ("lr", "momentum"),
            gradient_at=lambda x, z, *, lr, momentum: gspa_point(x, z, momentum),
            output="x",
            title="schedule-free SGD (constant lr, no warm-up)",
            gspa=lambda lr, momentum, k: (lr + 0 * k, 1 / (k + 1) + 0 * lr, momentum + 0 * k),
            torch="schedulefree.SGDScheduleFree(params, lr=lr, momentum=momentum, warmup_steps=0)",
            iterate="y (train mode), x (eval mode)",
            theorem="P9c",
        ),
        Method(
            "gspa",
            ("x", "z"),
            lambda x, z, g, *, eta, c, beta: spa_step(x, z, g, eta, c),
            ("eta", "c", "beta"),
            gradient_at=_gspa_y,
            output="x",
            title="generalized SPA",
            gspa=lambda eta, c, beta, k: (eta, c, beta),
            torch="(this toolkit's reference form)",
            iterate="y",
            theorem="P9d (beta = 1: SPA)",
        ),
        Method(
            "tmm",
            ("xi", "xi_prev"),
            tmm_step,
            ("rho",),
            gradient_at=tmm_point,
            output=tmm_output,
            title="triple momentum (Van Scoy, Freeman, Lynch 2018)",
            torch="",
            iterate="y",
        ),
        Method(
            "ogm",
            ("x", "y"),
            ogm_step,
            (),
            gradient_at="y",
            output="y",
            title="optimized gradient method (Kim and Fessler 2016), step 1/L",
            torch="",
            iterate="y",
        ),
    ]
}

#: the members of GSPA whose gradient is not taken at the averaged point x (beta < 1)
FAMILY = tuple(name for name, m in METHODS.items() if m.gspa is not None and m.iterate != "x")


def get(name: str) -> Method:
    """The method called ``name``; ValueError listing the choices otherwise."""
    if not isinstance(name, str) or name not in METHODS:
        raise ValueError(f"method: unknown method {name!r}, choose from {', '.join(METHODS)}")
    return METHODS[name]


def to_gspa(method: str, k=0, **params) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(eta, c, beta) of ``method`` at step ``k`` (arrays, broadcast over the inputs).

    >>> [float(v) for v in to_gspa("nesterov", lr=0.01, momentum=0.9)]
    [0.1, 0.1, 0.9]
    """
    m = get(method)
    if m.gspa is None:
        members = ", ".join(n for n, x in METHODS.items() if x.gspa is not None)
        raise ValueError(f"method: {method} is not a member of GSPA (members: {members})")
    missing = [p for p in m.params if p not in params]
    extra = [p for p in params if p not in m.params]
    if missing or extra:
        what = f"missing {', '.join(missing)}" if missing else f"unexpected {', '.join(extra)}"
        raise ValueError(f"{method}: {what} (its parameters are {', '.join(m.params)})")
    values = {p: check_range(p, params[p]) for p in m.params}
    k = np.asarray(k, dtype=float)
    if np.any(k < 0) or np.any(k != np.floor(k)):
        raise ValueError(f"k: must be an integer >= 0, got {k!r}")
    eta, c, beta = m.gspa(*(values[p] for p in m.params), k)
    return tuple(np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (eta, c, beta))))
