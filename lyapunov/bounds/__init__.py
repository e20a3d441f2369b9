"""Certified bound calculators: the numbers that were proved, for your hyper-parameters.

Every function returns an upper bound on

    (1/steps) * sum_{k < steps} E|grad f(x_k)|^2

valid for every L-smooth f with f(x_0) - inf f <= gap and unbiased gradient noise of variance
at most sigma2, the momentum buffer starting at zero (z_0 = x_0). The formulas are generated
from the certified theorems in ``proofs/`` (lambdified once, cached); where no certified theorem
covers the parameters the value is ``inf``. All arguments are keyword-only and broadcast like
numpy; a scalar call returns a float.

    >>> from lyapunov import bounds
    >>> bounds.sgdm(lr=0.01, momentum=0.9, L=1.0, sigma2=0.01, steps=1000, gap=1.0)

Theorems used: P3 (SGD, 0 < L lr < 2) and P4 (SGD+M in SPA form, L eta <= 2 - c for c < 1).
P4b (the primal-averaging family) is not used: on its whole region it is never smaller than P4
(checked on random points by the tests), so it would only cost time.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from ..validate import check_range, check_steps, same_length
from .compile import CompiledRate

__all__ = [
    "sgd",
    "spa",
    "sgdm",
    "spa_schedule",
    "sgdm_schedule",
    "best_sgd_lr",
    "best_spa_eta",
    "best_sgdm_lr",
    "BoundResult",
    "BestStep",
    "rates",
]


@dataclass(frozen=True)
class BoundResult:
    """A bound and, per point, the theorem it comes from (``""`` where the bound is inf)."""

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


def _common(L, sigma2, steps, gap) -> dict[str, np.ndarray]:
    return {
        "L": check_range("L", L),
        "sigma2": check_range("sigma2", sigma2),
        "steps": check_steps(steps),
        "gap": check_range("gap", gap),
    }


def _finish(candidates: list[tuple[str, np.ndarray]], detail: bool):
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
    args = _common(L, sigma2, steps, gap)
    eta = check_range("lr", lr)
    r = rates()["P3"]
    return _finish([("P3", r(eta=eta, **args))], detail)


def spa(*, eta, c, L, sigma2, steps, gap, detail: bool = False):
    """Certified bound for SPA (eta, c), i.e. SGD+M with lr = c eta, momentum = 1 - c  (P4):

        2 D gap / (steps c eta (4 - 2c - c L eta)) + L eta (2 - c) sigma2 / (4 - 2c - c L eta),
        D = c (2 - c) + 2 L eta (1 - c),    for L eta <= 2 - c (c < 1), L eta < 2 (c = 1).

    At c = 1 this is the SGD bound with step eta (P3).
    """
    args = _common(L, sigma2, steps, gap)
    e = check_range("eta", eta)
    cc = check_range("c", c)
    r = rates()["P4"]
    return _finish([("P4", r(eta=e, c=cc, **args))], detail)


def sgdm(*, lr, momentum, L, sigma2, steps, gap, detail: bool = False):
    """Certified bound for ``torch.optim.SGD(lr, momentum)`` (dampening 0, no Nesterov).

    The same method as SPA with c = 1 - momentum, eta = lr / (1 - momentum) (theorem P1), so
    this is :func:`spa` at those parameters.
    """
    a = check_range("lr", lr)
    m = check_range("momentum", momentum)
    return spa(eta=a / (1 - m), c=1 - m, L=L, sigma2=sigma2, steps=steps, gap=gap, detail=detail)


@dataclass(frozen=True)
class BestStep:
    """The step (``lr`` for SGD / SGD+M, ``eta`` for SPA) minimising a certified bound."""

    step: np.ndarray | float
    bound: np.ndarray | float


def _best(fun, hi, shape_args: list[np.ndarray]) -> BestStep:
    from .optimize import argmin_step

    shape = np.broadcast(*shape_args, hi).shape
    step, val = argmin_step(fun, np.broadcast_to(hi, shape))
    if step.ndim == 0:
        return BestStep(float(step), float(val))
    return BestStep(step, val)


def best_sgd_lr(*, L, sigma2, steps, gap) -> BestStep:
    """argmin over lr of :func:`sgd` (searched in (0, 2/L)); the bound is certified at it."""
    a = _common(L, sigma2, steps, gap)
    ex = {k: v[..., None] for k, v in a.items()}
    return _best(lambda lr: sgd(lr=lr, **ex), 2.0 / a["L"], list(a.values()))


def best_spa_eta(*, c, L, sigma2, steps, gap) -> BestStep:
    """argmin over eta of :func:`spa` at fixed c (searched up to the region's edge)."""
    a = _common(L, sigma2, steps, gap)
    cc = check_range("c", c)
    ex = {k: v[..., None] for k, v in a.items()}
    hi = np.where(cc < 1, (2 - cc) / a["L"], 2.0 / a["L"])
    return _best(lambda eta: spa(eta=eta, c=cc[..., None], **ex), hi, [*a.values(), cc])


def best_sgdm_lr(*, momentum, L, sigma2, steps, gap) -> BestStep:
    """argmin over lr of :func:`sgdm` at fixed momentum (lr = c eta, c = 1 - momentum)."""
    m = check_range("momentum", momentum)
    res = best_spa_eta(c=1 - m, L=L, sigma2=sigma2, steps=steps, gap=gap)
    return BestStep(
        res.step * (1 - m) if np.ndim(res.step) else float(res.step * (1 - m)), res.bound
    )


def _schedule_batch(fun, L, sigma2, gap, detail: bool, name: str):
    Ls = check_range("L", L)
    s2 = check_range("sigma2", sigma2)
    g = check_range("gap", gap)
    Lb, sb, gb = np.broadcast_arrays(Ls, s2, g)
    out = np.empty(Lb.shape)
    for idx in np.ndindex(Lb.shape):
        out[idx] = fun(float(Lb[idx]), float(sb[idx]), float(gb[idx]))
    if detail:
        which = np.where(np.isfinite(out), name, "")
        if out.ndim == 0:
            return BoundResult(float(out), str(which))
        return BoundResult(out, which.astype(object))
    return float(out) if out.ndim == 0 else out


def _average(average: str) -> str:
    if average not in ("uniform", "weighted"):
        raise ValueError(f"average: must be 'uniform' or 'weighted', got {average!r}")
    return average


def spa_schedule(*, eta, c, L, sigma2, gap, detail: bool = False, average: str = "uniform"):
    """Certified bound for SPA with a schedule: step k uses eta[k], c[k] (theorem P8),

        (1/n) sum_{k<n} E|grad f(x_k)|^2 <= (gap + sigma2 sum_k nu_k) / (n min_k rho_k),

    with rho_k, nu_k from P8's backward recursion of Lyapunov coefficients; inf where P8 does
    not cover the schedule (too sudden a change: some coefficient b_k < 0). ``eta`` and ``c``
    are 1-D arrays of equal length n = steps; L, sigma2 and gap may be arrays (broadcast).
    A constant schedule gives exactly :func:`spa`. ``average="weighted"`` bounds instead the
    average weighted by the certified per-step rates rho_k, (gap + sigma2 sum_k nu_k)/sum_k rho_k,
    which does not let the smallest step dominate (for decaying schedules).
    """
    from .schedule import p8_bound

    e = check_range("eta", eta)
    cc = check_range("c", c)
    same_length(eta=e, c=cc)
    avg = _average(average)
    return _schedule_batch(
        lambda L_, s_, g_: p8_bound(e, cc, L_, s_, g_, avg), L, sigma2, gap, detail, "P8"
    )


def sgdm_schedule(*, lr, momentum, L, sigma2, gap, detail: bool = False, average: str = "uniform"):
    """Certified bound for torch.optim.SGD with per-step lr[k], momentum[k] (P2 then P8).

    The PyTorch schedule is mapped exactly to SPA coordinates (P2b, backwards from the
    horizon, with both terminal choices, which give the same iterates); the smaller P8 bound is
    returned.
    """
    from ..convert import schedule_to_spa
    from .schedule import p8_bound

    a = check_range("lr", lr)
    m = check_range("momentum", momentum)
    same_length(lr=a, momentum=m)
    forms = [schedule_to_spa(lr=a, momentum=m, terminal=t) for t in ("steady", "sgd")]

    avg = _average(average)

    def one(L_, s_, g_):
        return min(p8_bound(e, cc, L_, s_, g_, avg) for e, cc in forms)

    return _schedule_batch(one, L, sigma2, gap, detail, "P2+P8")
