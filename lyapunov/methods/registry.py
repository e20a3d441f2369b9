"""One registry of the methods: their parameters and ranges, their map to GSPA, their torch
counterpart and the theorem that certifies the map.

Every method of the toolkit is a member of generalized SPA (GSPA, :mod:`.gspa`),

    y_k = (1 - beta) z_k + beta x_k,  z_{k+1} = z_k - eta g_k(y_k),
    x_{k+1} = (1 - c_k) x_k + c_k z_{k+1},

so a method is described by its parameters and ``to_gspa``, which returns (eta, c, beta) as
numpy arrays (broadcasting over its inputs; ``c`` depends on the step for schedule-free SGD).
Adding a method means one entry here (its parameters' ranges live in :mod:`lyapunov.validate`),
plus its theorems in proofs/.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..validate import check_range

__all__ = ["Method", "METHODS", "get", "to_gspa"]


@dataclass(frozen=True)
class Method:
    """A method: its parameters, its GSPA coordinates, its PyTorch counterpart."""

    name: str
    title: str
    params: tuple[str, ...]
    gspa: Callable[..., tuple]  # (params..., k) -> (eta, c, beta)
    torch: str  # the PyTorch (or reference package) call it equals
    iterate: str  # which GSPA point the optimizer's parameters are (x or y)
    theorem: str  # the certified map


def _one(a):
    """1, shaped like ``a`` (works on numpy arrays and on sympy symbols alike)."""
    return 0 * a + 1


METHODS: dict[str, Method] = {
    m.name: m
    for m in [
        Method(
            "sgd",
            "SGD",
            ("lr",),
            lambda lr, k: (lr, _one(lr), _one(lr)),
            "torch.optim.SGD(params, lr=lr)",
            "x",
            "P1 (c = 1)",
        ),
        Method(
            "sgdm",
            "SGD with momentum (heavy ball)",
            ("lr", "momentum"),
            lambda lr, momentum, k: (lr / (1 - momentum), 1 - momentum, _one(lr)),
            "torch.optim.SGD(params, lr=lr, momentum=momentum)",
            "x",
            "P1",
        ),
        Method(
            "heavy_ball",
            "Polyak's heavy ball",
            ("lr", "momentum"),
            lambda lr, momentum, k: (lr / (1 - momentum), 1 - momentum, _one(lr)),
            "torch.optim.SGD(params, lr=lr, momentum=momentum)",
            "x",
            "P1",
        ),
        Method(
            "spa",
            "stochastic primal averaging",
            ("eta", "c"),
            lambda eta, c, k: (eta, c, _one(eta)),
            "lyapunov.torch.SPA(params, eta=eta, c=c)",
            "x",
            "P1",
        ),
        Method(
            "nesterov",
            "SGD with Nesterov momentum",
            ("lr", "momentum"),
            lambda lr, momentum, k: (lr / (1 - momentum), 1 - momentum, momentum + 0 * lr),
            "torch.optim.SGD(params, lr=lr, momentum=momentum, nesterov=True)",
            "y",
            "P9a",
        ),
        Method(
            "qhm",
            "quasi-hyperbolic momentum",
            ("lr", "momentum", "nu"),
            lambda lr, momentum, nu, k: (lr + 0 * momentum, 1 - momentum + 0 * lr, nu + 0 * lr),
            "qhoptim.pyt.QHM(params, lr=lr, momentum=momentum, nu=nu)",
            "y",
            "P9b",
        ),
        Method(
            "schedule_free",
            "schedule-free SGD (constant lr, no warm-up)",
            ("lr", "momentum"),
            lambda lr, momentum, k: (lr + 0 * k, 1 / (k + 1) + 0 * lr, momentum + 0 * k),
            "schedulefree.SGDScheduleFree(params, lr=lr, momentum=momentum, warmup_steps=0)",
            "y (train mode), x (eval mode)",
            "P9c",
        ),
        Method(
            "gspa",
            "generalized SPA",
            ("eta", "c", "beta"),
            lambda eta, c, beta, k: (eta, c, beta),
            "(this toolkit's reference form)",
            "y",
            "P9d (beta = 1: SPA)",
        ),
    ]
}


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
