"""Certified bounds for the momentum family: SGD+M, GSPA, Nesterov's SGD, QHM, schedule-free SGD.

Every method is generalized SPA (P9): y_k = (1 - beta) z_k + beta x_k (the gradient is taken
at y_k), z_{k+1} = z_k - eta g_k, x_{k+1} = (1 - c_k) x_k + c_k z_{k+1}. Each function bounds

    (1/steps) sum_{k < steps} E|grad f(p_k)|^2,     p_k = y_k (where the gradient is taken:
                                                    the optimizer's parameters in train mode),

for every L-smooth f with f(x_0) - inf f <= gap and gradient noise of variance <= sigma2, and
is ``inf`` where no certified theorem covers the parameters. The theorems:

* P4 / P4c (and the short-horizon chain of P8 and P10) for SGD+M, beta = 1 (then p_k = x_k):
  :func:`~lyapunov.bounds.spa` at the registry's (eta, c) (P1);
* P11 (constant eta, c, beta; free weights b, s chosen per point, :mod:`.p11_weights`), with P4 /
  P4c at beta = 1 and P3 at c = 1 or beta = 0 (then y_k = z_k: SGD with step eta);
* for schedule-free SGD (c_k = 1/(k + 1)) the least of P22 (an anytime O(1/n) rate in closed
  form, O(1) at any horizon, :mod:`.free_anytime`) and P12 (its one-step lemma run backwards
  from (a_n, b_n) = (0, 0) over the horizon, the free weight s chosen per step; up to 1000
  steps, or where P22 gives no bound).

Every map from a method's parameters to (eta, c, beta) is the registry's
(:func:`lyapunov.methods.registry.to_gspa`).
"""

from __future__ import annotations

import dataclasses
from functools import cache

import numpy as np

from ..methods.registry import to_gspa
from ..validate import check_range, constant_schedule, schedule_arrays
from .constant import (
    BoundResult,
    common_args,
    explained,
    finish,
    sgd,
    spa,
    spa_candidates,
    with_classes,
)
from .family_chain import FAMILY_CHAIN_STEPS, family_chain
from .free import FreeWeightRate, SafeRegion
from .free_anytime import p22_bound
from .p11_weights import ANCHOR, P11Search
from .why import OVERFLOW, coordinates, gspa_why

__all__ = ["sgdm", "gspa", "gspa_schedule", "nesterov", "qhm", "schedule_free"]

_B_GRID = np.concatenate([[0.0], np.geomspace(1e-4, 0.49, 60)])
_S_GRID = np.geomspace(1e-3, 1e3, 25)


@cache
def _p11() -> FreeWeightRate:
    from ..proofs import p11_gspa_descent as p

    args = {"eta": p.eta, "c": p.c, "beta": p.beta, "L": p.L, "sigma2": p.sigma2}
    free = {"b": (p.b, _B_GRID), "s": (p.s, _S_GRID)}
    search = P11Search(p.theorem, list(args.values()), p.b, p.s, p.sigma2)
    return FreeWeightRate("P11", p.theorem, args, free, search=search, anchor=ANCHOR)


def _gspa_candidates(eta, c, beta, args) -> list[tuple[str, np.ndarray]]:
    shape = np.broadcast(eta, c, beta, *args.values()).shape
    eta, c, beta = (np.broadcast_to(v, shape) for v in (eta, c, beta))
    out = []
    p11, _ = _p11()(
        eta=eta,
        c=c,
        beta=beta,
        L=args["L"],
        sigma2=args["sigma2"],
        steps=args["steps"],
        gap=args["gap"],
    )
    out.append(("P11", p11))
    # beta = 1 is SGD+M (P4 / P4c), c = 1 or beta = 0 is SGD with step eta (P3); each is
    # evaluated only when some point needs it (spa's detail costs its reasons and limits)
    if (beta == 1).any():
        res = spa(eta=eta, c=c, detail=True, **args)
        names = np.broadcast_to(np.asarray(res.theorem, dtype=object), shape)
        vals = np.where(beta == 1, np.asarray(res.value), np.inf)
        for name in set(names[np.isfinite(vals)].ravel()):
            out.append((str(name), np.where(names == name, vals, np.inf)))
    sgd_ok = (c == 1) | (beta == 0)
    if sgd_ok.any():
        out.append(("P3", np.where(sgd_ok, sgd(lr=eta, **args), np.inf)))
    out.append(("P25", _short_chain(eta, c, beta, args, shape)))
    return out


def _short_chain(eta, c, beta, args, shape) -> np.ndarray:
    """The family's chain P25 (:mod:`.family_chain`) where steps <= FAMILY_CHAIN_STEPS, inf
    elsewhere (O(steps) per point)."""
    e, cc, bb, L, s2, n, g = (
        np.broadcast_to(v, shape).ravel().astype(float)
        for v in (eta, c, beta, args["L"], args["sigma2"], args["steps"], args["gap"])
    )
    out = np.full(e.shape, np.inf)
    todo = (n <= FAMILY_CHAIN_STEPS) & np.isfinite(e)
    if todo.any():
        rows = [v[todo][None, :] for v in (e, cc, bb)]
        out[todo] = family_chain(*rows, L[todo], s2[todo], g[todo], n[todo].astype(np.int64))
    return out.reshape(shape)


def gspa(*, eta, c, beta, L, sigma2, steps, gap, detail: bool = False):
    """Certified bound for GSPA (eta, c, beta) with constant parameters.

    P11: for every (b, s) in its region, gap / (steps rho) + nu sigma2 / rho with

        rho = (1 + lam) eta c' - Lt eta^2 c'^2 - a (1 - c)^2 eta^2 beta^2 - kappa (1 + 1/(4s)),
        nu  = Lt eta^2 c'^2 + a (1 - c)^2 eta^2 beta^2 + kappa/(4s),   c' = 1 - beta (1 - c)

    (lam, kappa, Lt, a as in proofs/p11_gspa_descent.py), minimised over (b, s) (s in closed
    form, b by golden section: :mod:`.p11_weights`); also P4/P4c at beta = 1 and P3 at c = 1
    or beta = 0; the smallest certified value.
    """
    args = common_args(L, sigma2, steps, gap)
    e = check_range("eta", eta)
    cc = check_range("c", c)
    bb = check_range("beta", beta)
    return _gspa_bound("gspa", e, cc, bb, args, detail)


def _gspa_bound(method: str, eta, c, beta, args: dict, detail: bool):
    """The GSPA bound of ``method`` at its coordinates (eta, c, beta); inf where eta
    overflowed (lr near the largest float); with ``detail`` the reason wherever it is inf."""
    over = ~np.isfinite(eta)
    safe = np.where(over, 1.0, eta)  # any step: the value there is inf below
    out = [(name, np.where(over, np.inf, v)) for name, v in _gspa_candidates(safe, c, beta, args)]
    res = finish(out, detail)
    if not detail:
        return res
    finite = np.isfinite(np.asarray(res.value))
    covered = ~over & _p11().covered(eta=safe, c=c, beta=beta, L=args["L"], sigma2=args["sigma2"])
    reason = gspa_why(method, finite, covered, eta=eta, c=c, beta=beta, L=args["L"])
    return dataclasses.replace(res, reason=str(reason) if np.ndim(reason) == 0 else reason)


@with_classes("sgdm")
def sgdm(*, lr, momentum, L, sigma2, steps, gap, nesterov: bool = False, detail: bool = False):
    """Certified bound for ``torch.optim.SGD(lr, momentum, nesterov=nesterov)`` (dampening 0).

    The same method as SPA with c = 1 - momentum, eta = lr / (1 - momentum) (theorem P1, the
    registry's map), so this is :func:`~lyapunov.bounds.spa` at those parameters, on the
    average of |grad f(x_k)|^2. With ``nesterov=True`` (torch's flag) it is :func:`nesterov`
    (GSPA with beta = momentum, theorem P11), on the average of |grad f|^2 at torch's
    parameters.

    ``function_class="smooth_convex"`` (``distance`` = |x_0 - x_*|; ``gap`` defaults to
    L distance^2 / 2): the average gap (1/n) sum_{k<n} E f(x_k) - f_* (P17 at the same map),
    :func:`~.constant.with_classes`.
    """
    if nesterov is not False and nesterov is not True:
        raise TypeError(f"nesterov: must be True or False, got {nesterov!r}")
    if nesterov:
        return _via_registry(
            "nesterov", {"lr": lr, "momentum": momentum}, L, sigma2, steps, gap, detail
        )
    a = check_range("lr", lr)
    m = check_range("momentum", momentum)
    args = common_args(L, sigma2, steps, gap)
    eta, c, _ = coordinates("sgdm", lr=a, momentum=m)
    over = ~np.isfinite(eta)  # lr/(1 - momentum) beyond the largest float: inf, said why below
    out = spa_candidates(np.where(over, 1.0, eta), c, args)
    res = finish([(name, np.where(over, np.inf, v)) for name, v in out], detail)
    return explained(res, "sgdm", lr=a, momentum=m, L=args["L"]) if detail else res


def _via_registry(method: str, params: dict, L, sigma2, steps, gap, detail: bool):
    """The GSPA bound at the method's (eta, c, beta), from the one registry of methods."""
    eta, c, beta = coordinates(method, **params)
    return _gspa_bound(method, eta, c, beta, common_args(L, sigma2, steps, gap), detail)


def nesterov(*, lr, momentum, L, sigma2, steps, gap, detail: bool = False):
    """Certified bound for ``torch.optim.SGD(lr, momentum, nesterov=True)`` (dampening 0).

    GSPA with eta = lr / (1 - momentum), c = 1 - momentum, beta = momentum (P9a): the bound of
    :func:`gspa` there, on the average of |grad f|^2 at torch's parameters.
    """
    return _via_registry(
        "nesterov", {"lr": lr, "momentum": momentum}, L, sigma2, steps, gap, detail
    )


def qhm(*, lr, momentum, nu, L, sigma2, steps, gap, detail: bool = False):
    """Certified bound for quasi-hyperbolic momentum, qhoptim's ``QHM(lr, momentum, nu)``.

    GSPA with eta = lr, c = 1 - momentum, beta = nu (P9b): the bound of :func:`gspa` there.
    """
    return _via_registry(
        "qhm", {"lr": lr, "momentum": momentum, "nu": nu}, L, sigma2, steps, gap, detail
    )


# -- schedule-free SGD: P12 backwards over the horizon ----------------------------------------


#: the longest horizon at which schedule_free runs the O(steps) P12 chain where P22 applies
_SF_CHAIN_STEPS = 1000


def _sf_c(k: int) -> float:
    """Schedule-free SGD's c_k, from the registry (1/(k + 1); it does not depend on lr)."""
    return float(to_gspa("schedule_free", k, lr=1.0, momentum=0.0)[1])


@cache
def _p12():
    import sympy as sp

    from ..proofs import p12_gspa_schedule as p

    syms = [p.eta, p.c, p.beta, p.L, p.a1, p.b1, p.s]
    coeffs = sp.lambdify(syms, [p.A_COEF, p.B_COEF, p.RHO, p.NU], "numpy", cse=True)
    return coeffs, SafeRegion(p.theorem.region.conditions, [*syms, p.sigma2])


def _chain(eta_k, c_k, beta, L, sigma2, gap, n: int) -> tuple[np.ndarray, np.ndarray]:
    """P12 backwards over n steps from (a_n, b_n) = (0, 0), the weight s chosen per step to
    maximise rho_k; 1-D arrays of points (eta_k(k), c_k(k) give step k's values). The bound
    (gap + sigma2 sum_k nu_k) / (n min_k rho_k), inf where a step leaves P12's region, and
    where every step stayed inside it (min rho_k > 0: an inf there is beyond the floats)."""
    coeffs, region = _p12()
    S = _S_GRID[None, :]
    b_, L_, s2 = (v[:, None] for v in (beta, L, sigma2))
    m = beta.size
    shape = (m, S.shape[1])
    a1, b1 = np.zeros(m), np.zeros(m)
    ok = np.ones(m, dtype=bool)
    min_rho, sum_nu = np.full(m, np.inf), np.zeros(m)
    rows = np.arange(m)
    for k in range(n - 1, -1, -1):
        e = np.broadcast_to(eta_k(k), (m,))[:, None]
        c = np.broadcast_to(c_k(k), (m,))[:, None]
        with np.errstate(all="ignore"):
            A, B, R, N = (
                np.broadcast_to(v, shape) for v in coeffs(e, c, b_, L_, a1[:, None], b1[:, None], S)
            )
            inside = region(e, c, b_, L_, a1[:, None], b1[:, None], S, s2)
        if k > 0:  # b_k is the next coefficient of step k - 1: it must be >= 0 there
            inside = inside & (B >= 0)
        score = np.where(inside, R, -np.inf)
        i = np.argmax(score, axis=1)
        ok &= np.isfinite(score[rows, i])
        with np.errstate(all="ignore"):  # points with no certified choice are inf below
            min_rho = np.minimum(min_rho, R[rows, i])
            sum_nu = sum_nu + N[rows, i]
        a1, b1 = A[rows, i], B[rows, i]
    with np.errstate(all="ignore"):
        val = (gap + sigma2 * sum_nu) / (n * min_rho)
    covered = ok & (min_rho > 0)
    return np.where(covered & np.isfinite(val), val, np.inf), covered


#: why P12 gives no bound where it is inf, per point (1: every step inside its region)
_P12_WHY = (
    "P12 run backwards from the horizon found no weights (a_k, b_k, s) inside its region at "
    "some step (no certified bound for these parameters and horizon)",
    OVERFLOW.format(theorem="P12"),
)


def _p12_reason(val: np.ndarray, covered: np.ndarray) -> np.ndarray | str:
    why = np.where(covered, _P12_WHY[1], _P12_WHY[0])
    reason = np.where(np.isfinite(val), "", why)
    return str(reason) if reason.ndim == 0 else reason.astype(object)


def gspa_schedule(
    *, eta, c, beta, L, sigma2, gap, detail: bool = False, average: str = "uniform"
) -> float | BoundResult:
    """Certified bound for GSPA with a schedule (eta_k, c_k), k < n = len(eta), fixed beta:

        (gap + sigma2 sum_k nu_k) / (n min_k rho_k)     (theorem P12 run backwards),

    on (1/n) sum_{k<n} E|grad f(y_k)|^2; inf where a step leaves P12's region. ``eta`` and
    ``c`` are 1-D sequences of the same length, or one of them a number (the same at every
    step) (PyTorch schedules: see :mod:`.schedule`); a constant schedule gets at most
    :func:`gspa`'s bound (the same run: P11 with its weights searched, or P3).
    ``average``: only ``"uniform"`` (the keyword of the other schedule calculators; P12 gives
    no weighted average); ``detail=True``: a :class:`~lyapunov.bounds.BoundResult` (theorem
    ``"P12"``, ``""`` where inf).
    """
    if average != "uniform":
        raise ValueError(f"average: gspa_schedule bounds the uniform average only, got {average!r}")
    e = check_range("eta", eta)
    cc = check_range("c", c)
    e, cc = schedule_arrays(eta=e, c=cc)
    args = common_args(L, sigma2, len(e), gap)
    bb = check_range("beta", beta)
    if any(np.ndim(v) for v in (bb, *args.values())):
        raise ValueError("beta, L, sigma2, gap: must be numbers for a schedule")
    one = lambda v: np.atleast_1d(np.asarray(v, dtype=float))  # noqa: E731
    val, covered = _chain(lambda k: e[k], lambda k: cc[k], one(bb), one(args["L"]),
                          one(args["sigma2"]), one(args["gap"]), len(e))  # fmt: skip
    value = float(val[0])
    label = "P12" if np.isfinite(value) else ""
    cols = [e[:, None], cc[:, None], np.full((1, 1), float(bb))]
    rest = [one(args[k]) for k in ("L", "sigma2", "gap")]
    chain = float(family_chain(*cols, *rest, np.array([len(e)]))[0])
    if chain < value:  # the family's chain, whose weight of f may fall (P25)
        value, label = chain, "P25"
    if constant_schedule(e, cc):  # the same run as the constant calculator's: the least
        same = gspa(eta=float(e[0]), c=float(cc[0]), beta=float(bb), L=float(args["L"]),
                    sigma2=float(args["sigma2"]), steps=len(e), gap=float(args["gap"]),
                    detail=True)  # fmt: skip
        if same.value < value:
            value, label = float(same.value), same.theorem
    if detail:
        reason = "" if np.isfinite(value) else _p12_reason(val[0], covered[0])
        return BoundResult(value, label, reason)
    return value


@with_classes("schedule_free")
def schedule_free(*, lr, momentum, L, sigma2, steps, gap, detail: bool = False):
    """Certified bound for ``schedulefree.SGDScheduleFree(lr, momentum)`` (constant lr, no
    warm-up): GSPA with eta = lr, c_k = 1/(k + 1), beta = momentum (P9c), on the average of
    |grad f(y_k)|^2 at the train-mode parameters y_k.

    ``function_class="convex_lipschitz"`` (with ``G`` and ``distance`` = |x_0 - x_*|; P16) or
    ``"smooth_convex"`` (with ``L`` and ``distance``; P18): the last iterate E f(x_n) - f_*,
    any momentum in [0, 1], :func:`~.constant.with_classes`.

    The least of two certified bounds:

    * P22 (:mod:`.free_anytime`; O(1) at any horizon where L lr (5 - 2 momentum) <= 5, then
      (f(x_0) - inf f + sigma2 sum_{k<n} nu_k) / (steps rho) with rho = lr (1 - momentum)
      (1 - L lr (1 - momentum) / 2) and nu_k in closed form; beyond, up to L lr (3 - 2
      momentum) < 3, from a step k0 on with the first k0 steps backwards, O(k0));
    * P12 run backwards from (a_n, b_n) = (0, 0) with n = steps:
      (f(x_0) - inf f + sigma2 sum_k nu_k) / (steps min_k rho_k), every step's (a_k, b_k, s)
      checked inside P12's region (b_k >= 0 for k >= 1); O(steps) per distinct value of
      ``steps``, so it is run only up to ``steps`` = 1000 and, beyond, where P22 gives none.
    """
    args = common_args(L, sigma2, steps, gap)
    a = check_range("lr", lr)
    m = check_range("momentum", momentum)
    shape = np.broadcast(a, m, *args.values()).shape
    cols = [
        np.broadcast_to(v, shape).ravel()
        for v in (a, m, args["L"], args["sigma2"], args["gap"], args["steps"])
    ]
    anytime = p22_bound(*cols[:4], steps=cols[5], gap=cols[4])
    out = np.full(cols[0].shape, np.inf)
    p25 = np.full(cols[0].shape, np.inf)
    covered = np.zeros(cols[0].shape, dtype=bool)
    for n in np.unique(cols[5]):
        sel = (cols[5] == n) & ((n <= _SF_CHAIN_STEPS) | ~np.isfinite(anytime))
        if not sel.any():
            continue
        lr_, m_, L_, s2, gap_ = (v[sel] for v in cols[:5])
        out[sel], covered[sel] = _chain(lambda k, lr_=lr_: lr_, _sf_c, m_, L_, s2, gap_, int(n))
        c_k = np.array([[_sf_c(k)] for k in range(int(n))])
        steps_ = np.full(lr_.shape, int(n), dtype=np.int64)
        p25[sel] = family_chain(lr_[None, :], c_k, m_[None, :], L_, s2, gap_, steps_)
    candidates = [("P12", out), ("P25", p25), ("P22", anytime)]
    res = finish([(name, v.reshape(shape)) for name, v in candidates], detail)
    if not detail:
        return res
    return dataclasses.replace(res, reason=_p12_reason(res.value, covered.reshape(shape)))
