"""The best step for a budget: argmin over lr (or eta) of a certified bound (P3, P4, P4c; P11
for the GSPA family: Nesterov's SGD, QHM, GSPA).

The minimiser is searched numerically (:mod:`.optimize`); the bound returned is the certified
bound *at* the returned step, so an imprecise search costs tightness, never soundness.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..methods.registry import to_gspa
from ..validate import check_range
from .constant import common_args, sgd, spa
from .display import BestDisplay
from .family import gspa, nesterov, qhm
from .optimize import argmin_step
from .why import coordinates, gspa_reach, p4_edge, step_limit

__all__ = [
    "BestStep",
    "best_sgd_lr",
    "best_spa_eta",
    "best_sgdm_lr",
    "best_gspa_eta",
    "best_nesterov_lr",
    "best_qhm_lr",
]


@dataclass(frozen=True)
class BestStep(BestDisplay):
    """The step minimising a certified bound, and the bound there.

    ``step`` is the step size in the method's own coordinates, named by ``name``: ``"lr"`` for
    SGD / SGD+M (PyTorch's lr), ``"eta"`` for SPA. ``lyapunov bound --best --json`` prints the
    same fields under ``"best"``: ``{"name": ..., "step": ..., "bound": ...}``.
    """

    step: np.ndarray | float
    bound: np.ndarray | float
    name: str = "lr"

    def to_dict(self) -> dict:
        """``{"name", "step", "bound"}`` (arrays as nested lists): the JSON of ``--best``."""

        def plain(v):
            return v.tolist() if isinstance(v, np.ndarray) else v

        return {"name": self.name, "step": plain(self.step), "bound": plain(self.bound)}


#: L and gap outside [1/_TAME, _TAME] are searched on the problem scaled to L = gap = 1
_TAME = 2.0**60


def _unit_problem(a: dict[str, np.ndarray]) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """(the search's arguments, step per unit step): where L or gap is extreme, L = gap = 1 and
    sigma2 / (L gap) (every bound here is L gap phi(L step, sigma2 / (L gap)), so the argmin in
    L step is the same), and the step is the unit problem's divided by L; elsewhere as given.
    The search only picks the step: the bound is the calculator's at the true arguments."""
    L, gap = a["L"], a["gap"]
    wild = ~((L >= 1 / _TAME) & (L <= _TAME) & (gap >= 1 / _TAME) & (gap <= _TAME))
    if not wild.any():
        return a, np.ones(())
    with np.errstate(all="ignore"):
        s2 = np.minimum(a["sigma2"] / L / gap, 1e300)
        per = np.where(wild, 1.0 / L, 1.0)
    unit = {
        "L": np.where(wild, 1.0, L),
        "sigma2": np.where(wild, np.nan_to_num(s2, nan=1e300), a["sigma2"]),
        "steps": a["steps"],
        "gap": np.where(wild, 1.0, gap),
    }
    return unit, per


def _best(fun, reach, a: dict, name: str, *others: np.ndarray) -> BestStep:
    """argmin over the step of ``fun(step, **args)`` (args with a trailing search axis) up to
    ``reach(L)``, searched on :func:`_unit_problem`; the bound is ``fun`` at the true args.
    ``others``: the method's own arrays (c, beta), broadcast with ``a``'s."""
    unit, per = _unit_problem(a)
    trail = lambda d: {k: v[..., None] for k, v in d.items()}  # noqa: E731
    hi = reach(unit["L"])
    shape = np.broadcast(*a.values(), *others, hi, per).shape
    hi = np.minimum(hi, np.finfo(float).max)  # 2/L is inf for L near the smallest float
    ex = trail(unit)
    step, val = argmin_step(lambda s: fun(s, ex), np.broadcast_to(hi, shape))
    if unit is not a:  # the bound at the true arguments, at the step found
        with np.errstate(all="ignore"):
            step = np.minimum(step * per, np.finfo(float).max)
        val = fun(step[..., None], trail(a))[..., 0]
    if step.ndim == 0:
        return BestStep(float(step), float(val), name)
    return BestStep(step, val, name)


def best_sgd_lr(*, L, sigma2, steps, gap) -> BestStep:
    """argmin over lr of :func:`sgd` (searched in (0, 2/L)); the bound is certified at it."""
    a = common_args(L, sigma2, steps, gap)

    def reach(L):
        with np.errstate(over="ignore"):
            return 2.0 / L

    return _best(lambda lr, ex: sgd(lr=lr, **ex), reach, a, "lr")


def best_spa_eta(*, c, L, sigma2, steps, gap) -> BestStep:
    """argmin over eta of :func:`spa` at fixed c, searched up to the limit of the certified
    steps (P4c's reach L eta < 4 (2-c)^2 / ((2-c)^2 + c^2) for c < 1, L eta < 2 at c = 1)."""
    a = common_args(L, sigma2, steps, gap)
    cc = check_range("c", c)
    res = _best(
        lambda eta, ex: spa(eta=eta, c=cc[..., None], **ex),
        lambda L: step_limit("spa", eta=np.ones(()), c=cc, L=L)[0],
        a,
        "eta",
        cc,
    )
    # the edge of P4's region is often the minimiser (the bound jumps up to P4c's beyond it):
    # compare with it exactly rather than up to the grid's resolution
    edge = np.broadcast_to(p4_edge(cc, a["L"]), np.shape(res.step))
    at_edge = spa(eta=np.where(np.isfinite(edge) & (edge > 0), edge, 1.0), c=cc, **a)
    at_edge = np.where(np.isfinite(edge) & (edge > 0), at_edge, np.inf)
    better = at_edge < res.bound
    if np.ndim(res.step) == 0:
        return BestStep(float(edge), float(at_edge), "eta") if better else res
    return BestStep(np.where(better, edge, res.step), np.where(better, at_edge, res.bound), "eta")


def best_sgdm_lr(*, momentum, L, sigma2, steps, gap) -> BestStep:
    """argmin over lr of :func:`sgdm` at fixed momentum: :func:`best_spa_eta` at the c of the
    registry's map (P1: c = 1 - momentum, whatever lr), then lr = c eta."""
    m = check_range("momentum", momentum)
    _, c, _ = to_gspa("sgdm", lr=np.ones_like(m), momentum=m)  # c does not depend on lr
    res = best_spa_eta(c=c, L=L, sigma2=sigma2, steps=steps, gap=gap)
    lr = res.step * c if np.ndim(res.step) else float(res.step * c)
    return BestStep(lr, res.bound, "lr")


def best_gspa_eta(*, c, beta, L, sigma2, steps, gap) -> BestStep:
    """argmin over eta of :func:`~lyapunov.bounds.gspa` at fixed c and beta, searched up to
    the reach of the theorems that may cover it (:func:`~lyapunov.bounds.why.gspa_reach`:
    P11's L eta c' < 1, P3's L eta < 2 at c = 1 or beta = 0, P4c's limit at beta = 1)."""
    a = common_args(L, sigma2, steps, gap)
    cc = check_range("c", c)
    bb = check_range("beta", beta)
    return _best(
        lambda eta, ex: gspa(eta=eta, c=cc[..., None], beta=bb[..., None], **ex),
        lambda L: gspa_reach(cc, bb, L),
        a,
        "eta",
        cc,
        bb,
    )


def _best_lr(method: str, calculator, others: dict, common: dict) -> BestStep:
    """argmin over lr for a member of GSPA whose eta is proportional to lr and whose c and beta
    do not depend on it (the registry's map): :func:`best_gspa_eta` at its (c, beta), then
    lr = eta / (eta at lr = 1); the bound is the method's own calculator at that lr."""
    vals = {name: check_range(name, v) for name, v in others.items()}
    one = np.ones(np.broadcast(*vals.values()).shape)
    per_lr, c, beta = coordinates(method, lr=one, **vals)
    res = best_gspa_eta(c=c, beta=beta, **common)
    lr = np.asarray(res.step) / per_lr
    bound = calculator(lr=lr, **vals, **common)
    if np.ndim(bound) == 0:
        return BestStep(float(lr), float(bound), "lr")
    return BestStep(lr, bound, "lr")


def best_nesterov_lr(*, momentum, L, sigma2, steps, gap) -> BestStep:
    """argmin over lr of :func:`~lyapunov.bounds.nesterov` at fixed momentum (GSPA with
    eta = lr/(1 - momentum), c = 1 - momentum, beta = momentum)."""
    common = {"L": L, "sigma2": sigma2, "steps": steps, "gap": gap}
    return _best_lr("nesterov", nesterov, {"momentum": momentum}, common)


def best_qhm_lr(*, momentum, nu, L, sigma2, steps, gap) -> BestStep:
    """argmin over lr of :func:`~lyapunov.bounds.qhm` at fixed momentum and nu (GSPA with
    eta = lr, c = 1 - momentum, beta = nu)."""
    common = {"L": L, "sigma2": sigma2, "steps": steps, "gap": gap}
    return _best_lr("qhm", qhm, {"momentum": momentum, "nu": nu}, common)
