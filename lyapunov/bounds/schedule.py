"""Certified bounds for schedules, from theorem P8 (and P2 for PyTorch schedules).

P8 gives, for one SPA step with parameters (eta_k, c_k) and the next Lyapunov coefficients
(a_{k+1}, b_{k+1}) (b_{k+1} >= 0, a_{k+1} >= 2 L b_{k+1}^2), the current coefficients
(a_k, b_k) = (A_COEF, B_COEF) and E[A_{k+1}] - A_k <= -rho_k E|g_k|^2 + nu_k sigma2, valid when
b_k >= 0. Running it backwards from terminal coefficients (P4's at the last step's parameters,
or a_n = b_n = 0, whichever certifies the smaller bound) and summing:

    (1/n) sum_{k<n} E|grad f(x_k)|^2 <= (gap + sigma2 sum_k nu_k) / (n min_k rho_k),
    sum_k w_k E|grad f(x_k)|^2       <= (gap + sigma2 sum_k nu_k) / sum_k rho_k,
                                        w_k = rho_k / sum_j rho_j  (``average="weighted"``).

For the uniform average, the chain of P24 with P10 (the weight of f(x_k) may drop, paid by
inf f <= f(x_k) - |grad f(x_k)|^2/(2L); P24 is P8's step for every sign of b_k, so no step
leaves its region; :mod:`.horizon`) is used where it is smaller (theorem label "P24+P10"): it
is what :func:`~lyapunov.bounds.spa` uses for short horizons, so a constant schedule gives the
constant bound, and every schedule gets a finite bound (a step that does not descend raises
the weights before it).

A schedule where some b_k < 0 is not covered by P8 alone (its own bounds are inf there).

Which average? ``average="uniform"`` (the default) bounds the plain mean over the steps. P8
alone gives it the denominator n min_k rho_k, set by the *smallest* certified rate: for a
schedule that decays towards 0 (cosine or linear annealing) that collapses (cosine annealing of
lr from 0.1 to 0 over 1000 steps, momentum 0.9, L = 1, sigma2 = 0.01, gap = 1: 496.6); the
chain with P10 does not (the same run: 0.1306). ``average="weighted"`` bounds the average
weighted by P8's certified rates rho_k (the same run: 0.0170); the final steps, where rho_k is
tiny, weigh little. When the uniform bound is more than :data:`COLLAPSE` times the weighted
one (the same cosine over 20000 steps: 0.194 against 0.0038), the calculators warn
(:class:`UniformAverageWarning`) and name the weighted value.
"""

from __future__ import annotations

import contextlib
import math
import warnings
from functools import cache

import numpy as np
import sympy as sp

from ..validate import check_range, constant_schedule, schedule_arrays
from .constant import BoundResult, rates

__all__ = [
    "spa_schedule",
    "sgdm_schedule",
    "p8_bound",
    "p8_bounds",
    "UniformAverageWarning",
    "COLLAPSE",
    "AVERAGES",
]

#: the uniform bound "collapses" when it exceeds the weighted one by this factor (a warning)
COLLAPSE = 10.0
AVERAGES = ("uniform", "weighted")


class UniformAverageWarning(UserWarning):
    """The uniform-average schedule bound is far above the weighted one: say which to use."""


@cache
def _p8():
    from ..proofs import p4_spa_descent as p4
    from ..proofs import p8_schedule_descent as p8

    args = list(p8.SYMBOLS)  # (eta, c, L, a1, b1)
    lam = {
        name: sp.lambdify(args, getattr(p8, name), "math")
        for name in ("A_COEF", "B_COEF", "RHO", "NU")
    }
    p4_args = [p4.eta, p4.c, p4.L]
    lam["A_P4"] = sp.lambdify(p4_args, p4.a, "math")
    lam["B_P4"] = sp.lambdify(p4_args, p4.b, "math")
    return lam


def _run(eta: list[float], c: list[float], L: float, a: float, b: float, trace: list | None = None):
    """Backward recursion; returns (min rho, sum rho, sum nu) or None when P8 does not apply.
    With ``trace`` (a list), appends (k, rho_k, nu_k) for every step."""
    f = _p8()
    A, B, R, N = f["A_COEF"], f["B_COEF"], f["RHO"], f["NU"]
    rho_min, rho_sum, nu_sum = math.inf, 0.0, 0.0
    for k in range(len(eta) - 1, -1, -1):
        if not (b >= 0 and a >= 2 * L * b * b):
            return None
        e, cc = eta[k], c[k]
        try:
            a_k, b_k = A(e, cc, L, a, b), B(e, cc, L, a, b)
            rho, nu = R(e, cc, L, a, b), N(e, cc, L, a, b)
        except OverflowError:  # beyond the floats (math's power raises): no bound from here
            return None
        if not (b_k >= 0 and rho > 0 and math.isfinite(rho) and math.isfinite(nu)):
            return None
        rho_min, rho_sum, nu_sum = min(rho_min, rho), rho_sum + rho, nu_sum + nu
        if trace is not None:
            trace.append((k, rho, nu))
        a, b = a_k, b_k
    return rho_min, rho_sum, nu_sum


def _terminals(eta_last: float, c_last: float, L: float):
    """Terminal coefficients: a_n = b_n = 0, and P4's at the last parameters when P4's own
    region (the compiled one the calculators use) contains them."""
    f = _p8()
    out = [(0.0, 0.0)]
    e, cc = eta_last, c_last
    if rates()["P4"].inside(
        eta=np.float64(e), c=np.float64(cc), L=np.float64(L), sigma2=np.float64(0.0)
    ):
        with contextlib.suppress(OverflowError):  # beyond the floats: (0, 0) only
            out.append((f["A_P4"](e, cc, L), f["B_P4"](e, cc, L)))
    return out


def p8_bounds(
    eta: np.ndarray, c: np.ndarray, L: float, sigma2: float, gap: float
) -> tuple[float, float]:
    """The P8 bounds (uniform, weighted) for one SPA schedule (validated 1-D arrays) and scalar
    L, sigma2, gap, from one backward pass per terminal choice:

    uniform: bound on (1/n) sum_k E|g_k|^2, (gap + sigma2 sum nu)/(n min rho);
    weighted: bound on sum_k w_k E|g_k|^2 with w_k = rho_k / sum_j rho_j,
    (gap + sigma2 sum nu)/(sum rho) -- the natural average for a decaying schedule.
    """
    n = len(eta)
    el, cl = [float(x) for x in eta], [float(x) for x in c]
    uniform = weighted = math.inf
    for a, b in _terminals(el[-1], cl[-1], L):
        res = _run(el, cl, L, a, b)
        if res is None:
            continue
        rho_min, rho_sum, nu_sum = res
        top = gap + sigma2 * nu_sum
        uniform = min(uniform, top / (n * rho_min))
        weighted = min(weighted, top / rho_sum)
    return uniform, weighted


def _with_chain(eta, c, L: float, sigma2: float, gap: float) -> tuple[float, float, bool]:
    """:func:`p8_bounds`, the uniform one improved by the chain of P8 and P10
    (:func:`~lyapunov.bounds.horizon.schedule_horizon_bound`) where smaller (short horizons,
    decaying schedules); and whether it was. The weighted average comes from P8 alone."""
    from .horizon import schedule_horizon_bound

    uniform, weighted = p8_bounds(eta, c, L, sigma2, gap)
    chain = schedule_horizon_bound(eta, c, L, sigma2, gap)
    return min(uniform, chain), weighted, chain < uniform


def p8_bound(
    eta: np.ndarray, c: np.ndarray, L: float, sigma2: float, gap: float, average: str = "uniform"
) -> float:
    """One of :func:`p8_bounds`: ``average`` is ``"uniform"`` or ``"weighted"``."""
    return p8_bounds(eta, c, L, sigma2, gap)[AVERAGES.index(_average(average))]


def _average(average: str) -> str:
    if average not in AVERAGES:
        raise ValueError(f"average: must be 'uniform' or 'weighted', got {average!r}")
    return average


def _schedule_batch(fun, L, sigma2, gap, detail: bool, name: str, average: str, constant=None):
    """Evaluate ``fun(L, sigma2, gap) -> (uniform, weighted, uniform from the P10 chain)`` on
    the broadcast grid; warn when the uniform bound collapses. ``constant(L, sigma2, gap)``:
    for a constant schedule, the constant calculator's BoundResult on the same uniform
    average (the same run), taken where smaller."""
    Ls = check_range("L", L)
    s2 = check_range("sigma2", sigma2)
    g = check_range("gap", gap)
    Lb, sb, gb = np.broadcast_arrays(Ls, s2, g)
    uni = np.empty(Lb.shape)
    wei = np.empty(Lb.shape)
    chained = np.zeros(Lb.shape, dtype=bool)
    label = np.full(Lb.shape, "", dtype=object)  # the constant calculator's theorem, if used
    for idx in np.ndindex(Lb.shape):
        args = float(Lb[idx]), float(sb[idx]), float(gb[idx])
        uni[idx], wei[idx], chained[idx] = fun(*args)
        if constant is not None and average == "uniform":
            res = constant(*args)
            if res.value < uni[idx]:
                uni[idx], label[idx] = res.value, res.theorem
    if average == "uniform":
        collapsed = np.isfinite(wei) & (uni > COLLAPSE * wei)
        if collapsed.any():
            i = np.unravel_index(np.argmax(np.where(collapsed, uni / wei, 0.0)), uni.shape)
            warnings.warn(
                f"average='uniform' bounds the plain average, which the schedule's final small "
                f"steps keep large (bound {uni[i]:.4g}); average='weighted' bounds the "
                f"rho_k-weighted average of E|grad f(x_k)|^2 instead: {wei[i]:.4g}",
                UniformAverageWarning,
                stacklevel=3,
            )
    out = uni if average == "uniform" else wei
    if detail:
        chain = name.replace("P8", "P24") + "+P10"
        names = np.where(chained, chain, name) if average == "uniform" else name
        names = np.where(label != "", label, names)
        which = np.where(np.isfinite(out), names, "")
        why = np.where(np.isfinite(out), "", SCHEDULE_WHY)
        if out.ndim == 0:
            return BoundResult(float(out), str(which), str(why))
        return BoundResult(out, which.astype(object), why.astype(object))
    return float(out) if out.ndim == 0 else out


#: why a schedule's bound is inf (``BoundResult.reason``)
SCHEDULE_WHY = (
    "P8 run backwards over the schedule leaves its region at some step (a step too large, or "
    "too sudden a change of it: a coefficient b_k < 0 or rho_k <= 0), and for the uniform "
    "average the chain of P24 and P10 overflows the floats (steps that do not descend "
    "multiply its weights)"
)


def spa_schedule(*, eta, c, L, sigma2, gap, detail: bool = False, average: str = "uniform"):
    """Certified bound for SPA with a schedule: step k uses eta[k], c[k] (theorem P8).

    ``average="uniform"`` (default): a bound on the plain average over the n steps,

        (1/n) sum_{k<n} E|grad f(x_k)|^2 <= (gap + sigma2 sum_k nu_k) / (n min_k rho_k),

    or the chain of P24 with P10 where smaller (label "P24+P10"; module docstring);
    ``average="weighted"``: a bound on the average weighted by the certified rates rho_k,

        sum_{k<n} w_k E|grad f(x_k)|^2 <= (gap + sigma2 sum_k nu_k) / sum_k rho_k,
        w_k = rho_k / sum_j rho_j,

    which is not dominated by the smallest step: use it for long decaying schedules (cosine
    or linear annealing), where the uniform bound is much larger (a
    :class:`UniformAverageWarning` says so and gives the weighted value). rho_k, nu_k come
    from P8's backward recursion of Lyapunov coefficients; inf where P8 does not cover the
    schedule (too sudden a change: some coefficient b_k < 0), where the uniform average still
    has the chain of P24 and P10. ``eta`` and ``c`` are 1-D
    arrays of equal length n = steps (or one of them a number, the same at every step); L,
    sigma2 and gap may be arrays (broadcast). A constant schedule is a run at constant
    (eta, c): its uniform bound is at most :func:`~lyapunov.bounds.spa`'s (P4, the P8 + P10
    chain, or P4c beyond L eta = 2 - c), with that theorem's label where it is the smaller.
    """
    e = check_range("eta", eta)
    cc = check_range("c", c)
    e, cc = schedule_arrays(eta=e, c=cc)
    avg = _average(average)
    constant = None
    if constant_schedule(e, cc):
        from .constant import spa

        one = dict(eta=float(e[0]), c=float(cc[0]), steps=len(e), detail=True)
        constant = lambda L_, s_, g_: spa(L=L_, sigma2=s_, gap=g_, **one)  # noqa: E731
    return _schedule_batch(
        lambda L_, s_, g_: _with_chain(e, cc, L_, s_, g_), L, sigma2, gap, detail, "P8", avg,
        constant,
    )  # fmt: skip


def sgdm_schedule(*, lr, momentum, L, sigma2, gap, detail: bool = False, average: str = "uniform"):
    """Certified bound for torch.optim.SGD with per-step lr[k], momentum[k] (P2 then P8).

    The PyTorch schedule is mapped exactly to SPA coordinates (P2b, backwards from the
    horizon, with both terminal choices, which give the same iterates); the smaller P8 bound is
    returned (``lr`` or ``momentum`` may be a number, the same at every step; a constant
    schedule gets at most :func:`~lyapunov.bounds.sgdm`'s uniform bound). ``average``:
    ``"uniform"`` or ``"weighted"``, as in :func:`spa_schedule` (use
    ``"weighted"`` for a decaying lr, e.g. cosine annealing). A momentum of 0 followed later
    by a nonzero one is refused: torch.optim.SGD neither updates nor resets its buffer at a
    step with momentum 0 and resumes the stale buffer (or starts a new one) afterwards, which
    is not the SGD+M recursion P2 maps. Zeros to the end (momentum dropped) are the same run
    in both, and allowed.
    """
    from ..convert import schedule_to_spa

    a = check_range("lr", lr)
    m = check_range("momentum", momentum)
    a, m = schedule_arrays(lr=a, momentum=m)
    zero = np.flatnonzero(m == 0)
    if zero.size and np.any(m[zero[0] :] != 0):
        raise ValueError(
            f"momentum: a momentum of 0 may only end a schedule (momentum dropped for good), got "
            f"momentum[{zero[0]}] = 0 before nonzero values (torch.optim.SGD skips its buffer "
            "at a step with momentum 0 and resumes it later, which the certified map P2 does "
            "not model)"
        )
    avg = _average(average)
    forms = [schedule_to_spa(lr=a, momentum=m, terminal=t) for t in ("steady", "sgd")]

    def one(L_, s_, g_):
        both = [_with_chain(e, cc, L_, s_, g_) for e, cc in forms]
        best = min(both, key=lambda r: r[0])
        return best[0], min(w for _, w, _ in both), best[2]

    constant = None
    if constant_schedule(a, m):
        from .family import sgdm

        same = dict(lr=float(a[0]), momentum=float(m[0]), steps=len(a), detail=True)
        constant = lambda L_, s_, g_: sgdm(L=L_, sigma2=s_, gap=g_, **same)  # noqa: E731
    return _schedule_batch(one, L, sigma2, gap, detail, "P2+P8", avg, constant)
