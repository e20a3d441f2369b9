"""A PyTorch optimizer in SPA coordinates (optional: needs ``pip install lyapunov[torch]``).

    opt = lyapunov.torch.SPA(model.parameters(), eta=0.1, c=0.1)     # = SGD(lr=0.01, momentum=0.9)
    opt = lyapunov.torch.SPA(model.parameters(), eta=lambda k: 0.1 * 0.5 ** (k // 1000), c=0.1)
    opt = lyapunov.torch.SPA(model.parameters(), eta=0.1, c=0.1, beta=0.9)  # Nesterov, lr=0.01

Each step k applies :func:`lyapunov.methods.spa_step` (the method's one definition):

    z_{k+1} = z_k - eta_k g_k,     x_{k+1} = (1 - c_k) x_k + c_k z_{k+1},     z_0 = x_0,

with eta_k, c_k constants, callables of k, or sequences indexed by k. For constant (eta, c) it
takes the same steps as ``torch.optim.SGD(lr=c*eta, momentum=1-c)`` (theorem P1).
:meth:`SPA.certified_bound` gives the certified bound for the schedule you plan to run.

**beta: generalized SPA (GSPA).** With ``beta`` in [0, 1] (a constant, default 1) the
gradient is taken at y_k = (1 - beta) z_k + beta x_k and the parameters are y_k; each step is
:func:`lyapunov.methods.gspa_yz_step` on (y_k, z_k),

    y_{k+1} = (1 - c_k) y_k + c_k z_k - eta_k (1 - beta (1 - c_k)) g_k,   z_{k+1} = z_k - eta_k g_k,

the same recursion as GSPA's (x, z) form for any eta_k, c_k (theorem P9d). beta = 1 is SPA
(the same code path as without beta, bit for bit); beta = momentum, eta = lr/(1 - momentum),
c = 1 - momentum is ``torch.optim.SGD(lr, momentum, nesterov=True)``; beta = nu, eta = lr,
c = 1 - momentum is qhoptim's QHM (theorem P9, :mod:`lyapunov.methods.registry`).
:meth:`SPA.averaged` returns x_k (e.g. to evaluate, as schedule-free SGD's eval mode).

**lr and torch.optim.lr_scheduler.** Every param group has PyTorch's ``lr``, set to
lr_0 = c_0 eta_0 (P1: lr = c eta), so any ``torch.optim.lr_scheduler`` works::

    opt = SPA(model.parameters(), eta=0.1, c=0.1)        # lr = 0.01
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=1000)

A scheduler (or you) changing ``lr`` scales SPA's step at fixed averaging weight:

    eta_k = eta(k) * lr / lr_0,    c_k = c(k);    for constant (eta, c):  eta_k = lr_k / c,

so lr_k = c eta_k stays PyTorch's learning rate. This is *not* the same run as
``SGD(lr, momentum=1-c)`` under the same scheduler: by the exact map P2a it is SGD with lr_k and
momentum_{k+1} = (1 - c) eta_k / eta_{k+1} (``convert.schedule_to_pytorch``); with the lr fixed
the two are the same method (P1). The bound of a scheduled run: ``certified_bound(...,
lr=[lr_0, ..., lr_{n-1}])`` with the values the scheduler will set.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import torch

from .methods import gspa_yz_step, spa_step

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


def _beta(beta) -> float:
    """GSPA's beta: a number in [0, 1]; TypeError/ValueError naming it otherwise."""
    if isinstance(beta, bool) or not isinstance(beta, (int, float)):
        raise TypeError(f"beta: must be a number in [0, 1], got {beta!r}")
    if not math.isfinite(beta):
        raise ValueError(f"beta: must be finite, got {beta!r}")
    if not 0 <= beta <= 1:
        raise ValueError(f"beta: must be in [0, 1], got {beta!r}")
    return float(beta)


def _lr(group: dict) -> float:
    """The group's lr, validated (a scheduler may have set it)."""
    lr = group["lr"]
    if isinstance(lr, torch.Tensor):
        lr = lr.item()
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not math.isfinite(lr) or lr <= 0:
        raise ValueError(f"lr: must be a finite number > 0 (SPA's eta = lr/c > 0), got {lr!r}")
    return float(lr)


class SPA(torch.optim.Optimizer):
    """SGD with momentum in stochastic primal averaging form (parameters eta, c), and its
    generalization GSPA (parameter beta, default 1 = SPA).

    Param groups carry ``eta``, ``c``, ``beta``, PyTorch's ``lr`` (= c_0 eta_0 at the start,
    what lr schedulers read and set) and ``lr0`` (that starting value); step k uses
    eta_k = eta(k) lr / lr0 and c_k = c(k) (see the module docstring).
    """

    def __init__(self, params, eta: Schedule, c: Schedule, beta: float = 1.0):
        self.k = 0
        super().__init__(params, {"eta": eta, "c": c, "beta": beta})

    def add_param_group(self, param_group: dict) -> None:
        eta = param_group.get("eta", self.defaults.get("eta"))
        c = param_group.get("c", self.defaults.get("c"))
        if isinstance(eta, bool) or isinstance(c, bool):
            raise TypeError("eta, c: must be numbers, callables or sequences")
        param_group["beta"] = _beta(param_group.get("beta", self.defaults.get("beta", 1.0)))
        lr0 = _value("c", c, 0) * _value("eta", eta, 0)
        param_group.setdefault("lr", lr0)
        param_group.setdefault("lr0", lr0)
        super().add_param_group(param_group)

    def step_parameters(self, group: int = 0) -> tuple[float, float]:
        """(eta_k, c_k) the next step will use: eta(k) lr / lr0 and c(k)."""
        g = self.param_groups[group]
        scale = _lr(g) / g["lr0"]
        return _value("eta", g["eta"], self.k) * scale, _value("c", g["c"], self.k)

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for i, group in enumerate(self.param_groups):
            eta, c = self.step_parameters(i)
            beta = _beta(group.get("beta", 1.0))
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if "z" not in state:
                    state["z"] = p.detach().clone()
                if beta == 1:
                    x1, z1 = spa_step(p, state["z"], p.grad, eta, c)
                else:  # GSPA on (y_k, z_k): the parameters are y_k
                    x1, z1 = gspa_yz_step(p, state["z"], p.grad, eta, c, beta)
                state["z"].copy_(z1)
                p.copy_(x1)
        self.k += 1
        return loss

    @torch.no_grad()
    def averaged(self, group: int = 0) -> list[torch.Tensor]:
        """GSPA's x_k for the parameters of ``group`` (copies; the parameters are y_k):
        x_k = (y_k - (1 - beta) z_k) / beta, and x_k = y_k before the first step or at
        beta = 1. ValueError at beta = 0, where y_k = z_k and x_k is not determined by them."""
        g = self.param_groups[group]
        beta = _beta(g.get("beta", 1.0))
        out = []
        for p in g["params"]:
            z = self.state[p].get("z") if p in self.state else None
            if z is None or beta == 1:
                out.append(p.detach().clone())
            elif beta == 0:
                raise ValueError("beta: x_k is not determined by y_k = z_k at beta = 0")
            else:
                out.append((p.detach() - (1 - beta) * z) / beta)
        return out

    def schedule(
        self, steps: int, group: int = 0, lr: Sequence[float] | None = None
    ) -> tuple[list[float], list[float]]:
        """The (eta_k, c_k), k < steps, this optimizer will use from step 0: eta(k) lr_k / lr0
        with ``lr`` the planned per-step lr (default: the lr it has now, for every step)."""
        g = self.param_groups[group]
        if lr is None:
            scale = [_lr(g) / g["lr0"]] * steps
        else:
            from .validate import check_range

            a = check_range("lr", lr)
            if a.ndim != 1 or a.shape[0] != steps:
                raise ValueError(
                    f"lr: must have one value per step (steps = {steps}), got shape {a.shape}"
                )
            scale = (a / g["lr0"]).tolist()
        return (
            [_value("eta", g["eta"], k) * scale[k] for k in range(steps)],
            [_value("c", g["c"], k) for k in range(steps)],
        )

    def certified_bound(
        self,
        *,
        L: float,
        sigma2: float,
        gap: float,
        steps: int,
        group: int = 0,
        average: str = "uniform",
        lr: Sequence[float] | None = None,
    ) -> float:
        """Certified bound for the planned schedule (theorem P8; inf where no certified theorem
        covers it), from step 0 over ``steps`` steps, by
        :func:`lyapunov.bounds.dispatch.certified_bound`: method ``spa`` (``spa_schedule``) at
        beta = 1. With beta != 1 (method ``gspa``): on (1/steps) sum_k E|grad f(y_k)|^2,
        ``lyapunov.bounds.gspa`` (P11) for constant eta and c, ``lyapunov.bounds.gspa_schedule``
        (P12) for a schedule (the uniform average, whatever ``average``).

        ``average="uniform"``: on (1/steps) sum_k E|grad f(x_k)|^2; ``"weighted"``: on the
        average weighted by the certified per-step rates rho_k (use it for decaying schedules,
        see ``bounds.spa_schedule``). ``lr``: the per-step lr an lr scheduler will set
        (required when one drives this optimizer: its future values are not known here).
        """
        from .bounds.dispatch import certified_bound
        from .validate import check_steps

        n = int(check_steps(steps))
        g = self.param_groups[group]
        if lr is None and ("initial_lr" in g or _lr(g) != g["lr0"]):
            raise ValueError(
                "lr: an lr scheduler (or a changed lr) drives this optimizer and its future "
                "values are not known here: pass lr=[lr_0, ..., lr_{steps-1}]"
            )
        eta, c = self.schedule(n, group, lr)
        beta = _beta(g.get("beta", 1.0))
        common = {"L": L, "sigma2": sigma2, "gap": gap}
        if beta == 1:  # SPA
            return certified_bound("spa", schedule={"eta": eta, "c": c}, average=average, **common)
        if len(set(eta)) == 1 and len(set(c)) == 1:  # GSPA, constant eta and c: P11
            return float(certified_bound("gspa", eta=eta[0], c=c[0], beta=beta, steps=n, **common))
        return certified_bound("gspa", schedule={"eta": eta, "c": c}, beta=beta, **common)  # P12
