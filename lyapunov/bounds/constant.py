"""Certified bounds for constant hyper-parameters: SGD (theorem P3) and SPA / SGD+M (P4).

Every function returns an upper bound on (1/steps) sum_{k < steps} E|grad f(x_k)|^2 for every
L-smooth f with f(x_0) - inf f <= gap and unbiased gradient noise of variance at most sigma2,
the buffer starting at zero; ``inf`` where no certified theorem covers the parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from ..validate import check_range, check_steps
from .compile import CompiledRate
from .display import BoundDisplay

__all__ = ["sgd", "spa", "sgdm", "BoundResult", "rates", "common_args", "finish"]


@dataclass(frozen=True)
class BoundResult(BoundDisplay):
    """A bound and, per point, the theorem it comes from (``""`` where the bound is inf).

    In a notebook it renders as a small table (``_repr_html_``) or as LaTeX (``_repr_latex_``).
    """

    value: np.ndarray | float
    theorem: np.ndarray | str


@cache
def rates() -> dict[str, CompiledRate]:
    """The certified rates the calculators use, compiled on first use."""
    from ..proofs import p3_sgd_descent as p3
    from ..proofs import p4_spa_descent as p4

    return {
        "P3": CompiledRate("P3", p3.theorem, {"eta": p3.eta, "L": p3.L, "sigma2": p3.sigma2}),
        "P4": CompiledRate(
            "P4", p4.theorem, {"eta": p4.eta, "c": p4.c, "L": p4.L, "sigma2": p4.sigma2}
        ),
    }


def common_args(L, sigma2, steps, gap) -> dict[str, np.ndarray]:
    return {
        "L": check_range("L", L),
        "sigma2": check_range("sigma2", sigma2),
        "steps": check_steps(steps),
        "gap": check_range("gap", gap),
    }


def finish(candidates: list[tuple[str, np.ndarray]], detail: bool):
    names = [n for n, _ in candidates]
    vals = np.broadcast_arrays(*[v for _, v in candidates])
    stack = np.stack(vals)
    best = np.min(stack, axis=0)
    if detail:
        which = np.asarray(names, dtype=object)[np.argmin(stack, axis=0)]
        which = np.where(np.isfinite(best), which, "")
        if best.ndim == 0:
            return BoundResult(float(best), str(which))
        return BoundResult(best, which)
    return float(best) if best.ndim == 0 else best


def sgd(*, lr, L, sigma2, steps, gap, detail: bool = False):
    """Certified bound for SGD, x_{k+1} = x_k - lr (grad f(x_k) + xi_k)  (theorem P3):

    2 gap / (steps lr (2 - L lr)) + L lr sigma2 / (2 - L lr)      for 0 < L lr < 2, else inf.
    """
    args = common_args(L, sigma2, steps, gap)
    eta = check_range("lr", lr)
    r = rates()["P3"]
    return finish([("P3", r(eta=eta, **args))], detail)


def spa(*, eta, c, L, sigma2, steps, gap, detail: bool = False):
    """Certified bound for SPA (eta, c), i.e. SGD+M with lr = c eta, momentum = 1 - c  (P4):

        2 D gap / (steps c eta (4 - 2c - c L eta)) + L eta (2 - c) sigma2 / (4 - 2c - c L eta),
        D = c (2 - c) + 2 L eta (1 - c),    for L eta <= 2 - c (c < 1), L eta < 2 (c = 1).

    At c = 1 this is the SGD bound with step eta (P3).
    """
    args = common_args(L, sigma2, steps, gap)
    e = check_range("eta", eta)
    cc = check_range("c", c)
    r = rates()["P4"]
    return finish([("P4", r(eta=e, c=cc, **args))], detail)


def sgdm(*, lr, momentum, L, sigma2, steps, gap, detail: bool = False):
    """Certified bound for ``torch.optim.SGD(lr, momentum)`` (dampening 0, no Nesterov).

    The same method as SPA with c = 1 - momentum, eta = lr / (1 - momentum) (theorem P1), so
    this is :func:`spa` at those parameters.
    """
    a = check_range("lr", lr)
    m = check_range("momentum", momentum)
    return spa(eta=a / (1 - m), c=1 - m, L=L, sigma2=sigma2, steps=steps, gap=gap, detail=detail)
