"""The best step for a budget: argmin over lr (or eta) of a certified bound (P3, P4, P4c).

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
from .optimize import argmin_step
from .why import p4_edge, step_limit

__all__ = ["BestStep", "best_sgd_lr", "best_spa_eta", "best_sgdm_lr"]


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


def _best(fun, hi, shape_args: list[np.ndarray], name: str) -> BestStep:
    shape = np.broadcast(*shape_args, hi).shape
    step, val = argmin_step(fun, np.broadcast_to(hi, shape))
    if step.ndim == 0:
        return BestStep(float(step), float(val), name)
    return BestStep(step, val, name)


def best_sgd_lr(*, L, sigma2, steps, gap) -> BestStep:
    """argmin over lr of :func:`sgd` (searched in (0, 2/L)); the bound is certified at it."""
    a = common_args(L, sigma2, steps, gap)
    ex = {k: v[..., None] for k, v in a.items()}
    return _best(lambda lr: sgd(lr=lr, **ex), 2.0 / a["L"], list(a.values()), "lr")


def best_spa_eta(*, c, L, sigma2, steps, gap) -> BestStep:
    """argmin over eta of :func:`spa` at fixed c, searched up to the limit of the certified
    steps (P4c's reach L eta < 4 (2-c)^2 / ((2-c)^2 + c^2) for c < 1, L eta < 2 at c = 1)."""
    a = common_args(L, sigma2, steps, gap)
    cc = check_range("c", c)
    ex = {k: v[..., None] for k, v in a.items()}
    hi, _ = step_limit("spa", eta=np.ones(()), c=cc, L=a["L"])
    res = _best(lambda eta: spa(eta=eta, c=cc[..., None], **ex), hi, [*a.values(), cc], "eta")
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
