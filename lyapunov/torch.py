"""A PyTorch optimizer in SPA coordinates (optional: needs ``pip install lyapunov[torch]``).

    opt = lyapunov.torch.SPA(model.parameters(), eta=0.1, c=0.1)     # = SGD(lr=0.01, momentum=0.9)
    opt = lyapunov.torch.SPA(model.parameters(), eta=lambda k: 0.1 * 0.5 ** (k // 1000), c=0.1)

Each step k applies :func:`lyapunov.methods.spa_step` (the method's one definition):

    z_{k+1} = z_k - eta_k g_k,     x_{k+1} = (1 - c_k) x_k + c_k z_{k+1},     z_0 = x_0,

with eta_k, c_k constants, callables of k, or sequences indexed by k. For constant (eta, c) it
takes the same steps as ``torch.optim.SGD(lr=c*eta, momentum=1-c)`` (theorem P1).
:meth:`SPA.certified_bound` gives the certified bound for the schedule you plan to run.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import torch

from .methods import spa_step

__all__ = ["SPA"]

Schedule = float | Callable[[int], float] | Sequence[float]


def _value(name: str, sched: Schedule, k: int) -> float:
    if callable(sched):
        v = sched(k)
    elif isinstance(sched, (int, float)):
        v = sched
    else:
        if k >= len(sched):
            raise ValueError(f"{name}: schedule has {len(sched)} values, step {k} asked")
        v = sched[k]
    v = float(v)
    if not math.isfinite(v):
        raise ValueError(f"{name}: must be finite, got {v!r} at step {k}")
    if name == "eta" and v <= 0:
        raise ValueError(f"eta: must be > 0, got {v!r} at step {k}")
    if name == "c" and not 0 < v <= 1:
        raise ValueError(f"c: must be in (0, 1], got {v!r} at step {k}")
    return v


class SPA(torch.optim.Optimizer):
    """SGD with momentum in stochastic primal averaging form (parameters eta, c)."""

    def __init__(self, params, eta: Schedule, c: Schedule):
        if isinstance(eta, bool) or isinstance(c, bool):
            raise TypeError("eta, c: must be numbers, callables or sequences")
        _value("eta", eta, 0)
        _value("c", c, 0)
        super().__init__(params, {"eta": eta, "c": c})
        self.k = 0

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            eta = _value("eta", group["eta"], self.k)
            c = _value("c", group["c"], self.k)
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if "z" not in state:
                    state["z"] = p.detach().clone()
                x1, z1 = spa_step(p, state["z"], p.grad, eta, c)
                state["z"].copy_(z1)
                p.copy_(x1)
        self.k += 1
        return loss

    def schedule(self, steps: int, group: int = 0) -> tuple[list[float], list[float]]:
        """The (eta_k, c_k), k < steps, this optimizer will use (from step 0)."""
        g = self.param_groups[group]
        return (
            [_value("eta", g["eta"], k) for k in range(steps)],
            [_value("c", g["c"], k) for k in range(steps)],
        )

    def certified_bound(
        self, *, L: float, sigma2: float, gap: float, steps: int, group: int = 0
    ) -> float:
        """Certified bound on (1/steps) sum_k E|grad f(x_k)|^2 for the planned schedule
        (theorem P8; inf where no certified theorem covers it)."""
        from . import bounds
        from .validate import check_steps

        n = int(check_steps(steps))
        eta, c = self.schedule(n, group)
        return bounds.spa_schedule(eta=eta, c=c, L=L, sigma2=sigma2, gap=gap)
