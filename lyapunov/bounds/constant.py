"""Certified bounds for constant hyper-parameters: SGD (theorem P3) and SPA (P4, and P4c beyond
P4's region); SGD+M, which is SPA in other coordinates, is in :mod:`.family` with the rest of
the momentum family (it imports this module, never the reverse).

Every function returns an upper bound on (1/steps) sum_{k < steps} E|grad f(x_k)|^2 for every
L-smooth f with f(x_0) - inf f <= gap and unbiased gradient noise of variance at most sigma2,
the buffer starting at zero; ``inf`` where no certified theorem covers the parameters. With
``detail=True`` the :class:`BoundResult` also says why a point is not covered (the condition
that fails, :mod:`.why`) and the limit of the certified steps at the other parameters.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
from functools import cache

import numpy as np

from ..validate import check_range, check_steps
from .display import BoundResult
from .rate import CompiledRate
from .why import step_limit, why_not

__all__ = [
    "sgd",
    "spa",
    "BoundResult",
    "rates",
    "common_args",
    "finish",
    "spa_candidates",
    "explained",
    "smooth_only",
    "with_classes",
]


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


def smooth_only(measure: str | None, **consts) -> None:
    """ValueError for a measure or class constant that the class "smooth" does not have."""
    if measure not in (None, "avg_grad2"):
        raise ValueError(
            f"measure: must be avg_grad2 for function_class='smooth', got {measure!r} (last_gap, "
            "avg_gap and last_dist2 need a convex or PL class)"
        )
    for name, v in consts.items():
        if v is not None:
            raise ValueError(f"{name}: not a constant of function_class='smooth'")


#: the keywords every calculator with a class takes (:func:`with_classes`), and their defaults
CLASS_KEYWORDS = {
    "function_class": "smooth",
    "measure": None,
    "mu": None,
    "G": None,
    "distance": None,
}


def with_classes(method: str):
    """Decorator: the calculator of ``method`` in the class "smooth" also takes, keyword-only,
    ``function_class`` (default "smooth"), ``measure``, ``mu``, ``G`` and ``distance`` =
    |x_0 - x_*|, and ``L`` and ``gap`` become optional. Another class goes to
    :func:`.classes.class_bound` (its certified last-iterate and average-gap bounds; SGD+M with
    ``nesterov=True`` as method nesterov); "smooth" to the calculator, after checking it was
    given none of the other classes' keywords and has ``L`` and ``gap`` (ValueError naming the
    first that is wrong)."""

    def wrap(fun):
        own = inspect.signature(fun).parameters

        @functools.wraps(fun)
        def calculator(**kw):
            cls = {name: kw.pop(name, default) for name, default in CLASS_KEYWORDS.items()}
            if cls["function_class"] != "smooth":
                from .classes import class_bound

                unknown = [name for name in kw if name not in own]
                if unknown:
                    raise TypeError(f"{method}: unexpected keyword argument {unknown[0]!r}")

                nesterov = kw.pop("nesterov", False)
                if nesterov is not False and nesterov is not True:
                    raise TypeError(f"nesterov: must be True or False, got {nesterov!r}")
                name = "nesterov" if nesterov else method
                return class_bound(name, **cls, **kw)
            smooth_only(cls["measure"], mu=cls["mu"], G=cls["G"], distance=cls["distance"])
            for name in ("L", "gap"):
                if kw.get(name) is None:
                    raise ValueError(f"{name}: required for function_class='smooth'")
            return fun(**kw)

        sig = inspect.signature(fun)
        params = [
            p.replace(default=None) if p.name in ("L", "gap") else p
            for p in sig.parameters.values()
        ]
        extra = [inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, default=d)
                 for n, d in CLASS_KEYWORDS.items()]  # fmt: skip
        calculator.__signature__ = sig.replace(parameters=params + extra)
        return calculator

    return wrap


def common_args(L, sigma2, steps, gap) -> dict[str, np.ndarray]:
    """L, sigma2, steps and gap validated (ValueError naming the bad one), as arrays."""
    for name, v in (("L", L), ("gap", gap)):
        if v is None:
            raise ValueError(f"{name}: required for function_class='smooth'")
    return {
        "L": check_range("L", L),
        "sigma2": check_range("sigma2", sigma2),
        "steps": check_steps(steps),
        "gap": check_range("gap", gap),
    }


def finish(candidates: list[tuple[str, np.ndarray]], detail: bool):
    """The smallest of the (theorem, values) ``candidates`` per point: a float or an array, or
    with ``detail`` a :class:`BoundResult` naming the theorem of each point."""
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


#: appended to the reason of an inf bound of SGD, SPA and SGD+M
HORIZON_NOTE = (
    "; the chain of P24 and P10, which certifies every step size, runs step by step only up to "
    "{steps} steps there, or its weights overflowed"
)


def explained(res: BoundResult, method: str, **values: np.ndarray) -> BoundResult:
    """``res`` with the reason where it is inf and the limit of the certified steps."""
    limit, name = step_limit(method, **values)
    reason = why_not(method, np.isfinite(np.asarray(res.value)), **values)
    if method in ("sgd", "spa", "sgdm"):  # the chain step by step covers short horizons
        from .horizon import STEPWISE_STEPS

        note = HORIZON_NOTE.format(steps=STEPWISE_STEPS)
        if isinstance(reason, str):
            reason = reason + note if reason else reason
        else:
            reason = np.array([r + note if r else r for r in reason.ravel()], dtype=object)
            reason = reason.reshape(np.shape(res.value))
    if np.ndim(res.value) == 0:
        return dataclasses.replace(res, reason=str(reason), step_limit=float(limit), step_name=name)
    return dataclasses.replace(res, reason=reason, step_limit=limit, step_name=name)


@with_classes("sgd")
def sgd(*, lr, L, sigma2, steps, gap, detail: bool = False):
    """Certified bound for SGD, x_{k+1} = x_k - lr (grad f(x_k) + xi_k)  (theorem P3):

    2 gap / (steps lr (2 - L lr)) + L lr sigma2 / (2 - L lr)      for 0 < L lr < 2, else inf;

    and the chain of P8 and P10 at c = 1 over the horizon where it is smaller
    (SGD is SPA with c = 1: :func:`spa` at c = 1 gives the same value).

    Other classes (``function_class`` "smooth_convex", "smooth_strongly_convex" with ``mu``,
    "pl" with ``mu``; ``distance`` = |x_0 - x_*|): last-iterate bounds, :func:`with_classes`.
    """
    args = common_args(L, sigma2, steps, gap)
    eta = check_range("lr", lr)
    r = rates()["P3"]
    res = finish([("P3", r(eta=eta, **args)), *_horizon(eta, np.ones_like(eta), args)], detail)
    return explained(res, "sgd", lr=eta, L=args["L"]) if detail else res


def spa_candidates(eta: np.ndarray, c: np.ndarray, args: dict) -> list[tuple[str, np.ndarray]]:
    """P4 everywhere; P4c (its weights searched, :mod:`.large_step`) where P4 gives inf; the
    horizon-aware chain of P8 and P10 (:mod:`.horizon`)."""
    p4 = rates()["P4"](eta=eta, c=c, **args)
    out = [("P4", p4)]
    e, cc, L, s2, n, g = np.broadcast_arrays(
        eta, c, args["L"], args["sigma2"], args["steps"], args["gap"]
    )
    with np.errstate(all="ignore"):
        todo = ~np.isfinite(np.broadcast_to(p4, e.shape)) & (cc < 1) & (L * e < 4)
    p4c = np.full(e.shape, np.inf)
    if todo.any():
        from .large_step import p4c_rate

        rate = p4c_rate()
        todo &= L * e < rate.limit(cc)
        if todo.any():
            p4c[todo] = rate.bounds(e[todo], cc[todo], L[todo], s2[todo], n[todo], g[todo])[0]
    out.append(("P4c", p4c))
    return out + _horizon(eta, c, args)


def _horizon(eta: np.ndarray, c: np.ndarray, args: dict) -> list[tuple[str, np.ndarray]]:
    """The chain of P8 and P10 over the horizon in closed form (:mod:`.horizon`, exact on
    quadratics; O(1) per point for every horizon, never above P4), and where some b_k < 0 the
    chain of P24 and P10 step by step (finite at every step size up to its horizon limit)."""
    from .horizon import horizon_parts

    with np.errstate(all="ignore"):  # beyond the floats the chain's value is inf (not a bound)
        closed, stepwise = horizon_parts(eta=eta, c=c, **args)
    return [
        ("P8+P10", np.where(np.isfinite(closed), closed, np.inf)),
        ("P24+P10", np.where(np.isfinite(stepwise), stepwise, np.inf)),
    ]


@with_classes("spa")
def spa(*, eta, c, L, sigma2, steps, gap, detail: bool = False):
    """Certified bound for SPA (eta, c), i.e. SGD+M with lr = c eta, momentum = 1 - c.

    Theorem P4 where it covers (L eta <= 2 - c for c < 1, L eta < 2 at c = 1):

        2 D gap / (steps c eta (4 - 2c - c L eta)) + L eta (2 - c) sigma2 / (4 - 2c - c L eta),
        D = c (2 - c) + 2 L eta (1 - c);

    beyond it, for c < 1 and L eta < 4 (2 - c)^2 / ((2 - c)^2 + c^2), theorem P4c's bound
    gap / (steps rho) + nu sigma2 / rho at free weights (b, t) searched numerically and accepted
    only inside P4c's region (:mod:`.large_step`). At c = 1 this is the SGD bound (P3).

    ``function_class="smooth_convex"`` (``distance`` = |x_0 - x_*|; ``gap`` defaults to
    L distance^2 / 2): the average gap (1/n) sum_{k<n} E f(x_k) - f_* (P17), :func:`with_classes`.
    """
    args = common_args(L, sigma2, steps, gap)
    e = check_range("eta", eta)
    cc = check_range("c", c)
    res = finish(spa_candidates(e, cc, args), detail)
    return explained(res, "spa", eta=e, c=cc, L=args["L"]) if detail else res
