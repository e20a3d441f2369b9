"""Schedule-free SGD on smooth non-convex f at any horizon, in O(1): theorem P22.

P22 (proofs/p22_schedule_free_anytime.py) bounds, for schedulefree.SGDScheduleFree(lr,
momentum=beta) with constant lr, every n = steps >= k0 and f(x_0) - inf f <= gap,

    (1/n) sum_{k<n} E|grad f(y_k)|^2 <= (gap + sigma2 (N_head + N_tail(n))) / (n min(rho, r)),
    rho = lr (1 - beta) (1 - L lr (1 - beta) / 2),

with P22a from the step k0 on (k0 the least integer >= 1 in its region, N_tail(n) a closed
form in harmonic numbers) and P22b for the steps k0 - 1, ..., 0, run backwards at the rate r
(the first of r = q min(rho, lr (1 - L lr / 2)), q in ``_R_FRACTIONS``, whose every step is in
P22b's region); N_head sums P22b's nu_k. On L lr (5 - 2 beta) <= 5, k0 = 1 and r = rho: the
bound is O(1) to evaluate; k0 grows to ``_K0_MAX`` towards L lr (3 - 2 beta) = 3.

The expression is the proof module's own ``rate`` and coefficients (lambdified once), the
harmonic numbers evaluated as H_x = digamma(x + 1) + Euler's gamma and H^(2)_x = pi^2/6 -
trigamma(x + 1). Every region (P22a's at k0, P22b's at each step with its float weights, and
a_{k0} <= a' where the two meet: the float a' is rounded up) is tested exactly
(:class:`~lyapunov.bounds.compile.SafeRegion`); ``inf`` outside.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import sympy as sp
from scipy import special

from .compile import GAP, STEPS, SafeRegion

__all__ = ["p22_bound"]

#: the head rates tried, as fractions of min(rho, lr (1 - L lr / 2)), the first that works is used
_R_FRACTIONS = (1.0, 0.9, 0.75, 0.5, 0.25)
#: the most steps P22b is run backwards (beyond: no bound from P22)
_K0_MAX = 1000
#: a computed coefficient a_k is rounded up by this factor (its conditions are then tested exactly)
_UP = 1.0 + 2.0**-20


def _harmonic(x, p=1):
    """H^(p)_x = sum_{i=1}^{x} 1/i^p for p = 1, 2 (x >= 0), vectorised."""
    x = np.asarray(x, dtype=float)
    if p == 1:
        return special.digamma(x + 1.0) + np.euler_gamma
    if p == 2:
        return np.pi**2 / 6 - special.polygamma(1, x + 1.0)
    raise ValueError(f"p: must be 1 or 2, got {p!r}")


@dataclass(frozen=True)
class _Compiled:
    rate: object  # (lr, beta, L, sigma2, m, steps, gap, head_noise, head_rate) -> bound
    rho: object  # (lr, beta, L) -> rho
    a_k0: object  # (lr, beta, L, m) -> alpha / (k0 + 1)
    head: object  # (lr, beta, L, k, a1) -> (A'_k, B_k, R_k, nu_k)
    tail_region: SafeRegion  # P22a's, in (lr, beta, L, sigma2, m)
    head_region: SafeRegion  # P22b's, in (lr, beta, L, sigma2, k, a, a1, r)
    junction: SafeRegion  # alpha / (k0 + 1) <= a1, in (lr, beta, L, m, a1)


@cache
def _p22() -> _Compiled:
    from ..proofs import p22_schedule_free_anytime as p

    base = [p.lr, p.beta, p.L, p.sigma2]
    tail = []
    for cond in p.p22a.region.conditions:
        if p.j in cond.free_symbols:  # j = k - k0 >= 0: every step from k0 on
            if cond != (p.j >= 0):
                raise ValueError(f"P22a: unexpected condition on the step counter: {cond}")
            continue
        tail.append(cond)
    hn, hr = sp.Symbol("head_noise", real=True), sp.Symbol("head_rate", real=True)
    rate = p.rate(GAP, STEPS, hn, hr)
    mods = [{"harmonic": _harmonic}, "numpy"]
    three = [p.lr, p.beta, p.L]
    a_k0 = p.ALPHA / (p.k0 + 1)
    return _Compiled(
        rate=sp.lambdify([*base, p.m, STEPS, GAP, hn, hr], rate, mods, cse=True),
        rho=sp.lambdify(three, p.RHO, "numpy"),
        a_k0=sp.lambdify([*three, p.m], a_k0, "numpy"),
        head=sp.lambdify(
            [*three, p.k_, p.a1], [p.A_NEXT, p.B_NEXT, p.R_NEXT, p.NU_HEAD], "numpy", cse=True
        ),
        tail_region=SafeRegion(tail, [*base, p.m]),
        head_region=SafeRegion(p.p22b.region.conditions, [*base, p.k_, p.a, p.a1, p.r]),
        junction=SafeRegion([p.a1 - a_k0 >= 0], [*three, p.m, p.a1]),
    )


def _first_k0(lr, beta, L, sigma2) -> np.ndarray:
    """The least k0 >= 1 inside P22a's region (tested exactly), 0 where none up to _K0_MAX."""
    P = _p22()
    t = L * lr
    with np.errstate(all="ignore"):
        den = 3 - 3 * t + 2 * beta * t
        guess = np.where(t <= 1, 1.0, np.ceil(2 * (t - 1) / den))
    guess = np.where(np.isfinite(guess) & (den > 0), np.clip(guess, 1, _K0_MAX), _K0_MAX + 1)
    k0 = np.zeros(lr.shape)
    for shift in (-1.0, 0.0, 1.0):  # the float guess may be one off either way
        cand = guess + shift
        ok = (k0 == 0) & (cand >= 1) & (cand <= _K0_MAX)
        ok &= P.tail_region(lr, beta, L, sigma2, cand - 1)
        k0 = np.where(ok, cand, k0)
    return k0


def _head(lr, beta, L, sigma2, k0, r) -> tuple[np.ndarray, np.ndarray]:
    """P22b backwards over k = k0 - 1, ..., 0 at the rate r from a' = alpha / (k0 + 1) (rounded
    up): (every step and the junction inside the regions, N_head = sum of nu_k)."""
    P = _p22()
    with np.errstate(all="ignore"):
        a1 = np.asarray(P.a_k0(lr, beta, L, k0 - 1), dtype=float) * _UP
    ok = (k0 >= 1) & P.junction(lr, beta, L, k0 - 1, a1)
    noise = np.zeros(lr.shape)
    for k in range(int(k0.max(initial=0)) - 1, -1, -1):
        act = ok & (k < k0)
        if not act.any():
            continue
        x = [v[act] for v in (lr, beta, L, sigma2, a1, r)]
        with np.errstate(all="ignore"):
            A, B, R, N = (np.broadcast_to(v, x[0].shape) for v in P.head(*x[:3], k, x[4]))
            a = (A + B * B / (R - x[5])) * _UP
        inside = P.head_region(*x[:4], k, a, x[4], x[5]) & np.isfinite(N)
        ok[act] = inside
        noise[act] += N
        a1[act] = a
    return ok, noise


def p22_bound(lr, momentum, L, sigma2, steps, gap) -> np.ndarray:
    """P22's bound (module docstring) at every point of the broadcast arrays, ``inf`` outside
    its regions or where steps < k0; O(k0) per point at any ``steps``."""
    P = _p22()
    arrays = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (lr, momentum, L, sigma2)))
    shape = arrays[0].shape
    lr_, beta, L_, s2 = (v.ravel() for v in arrays)
    n = np.broadcast_to(np.asarray(steps, dtype=float), shape).ravel()
    gap_ = np.broadcast_to(np.asarray(gap, dtype=float), shape).ravel()
    k0 = _first_k0(lr_, beta, L_, s2)
    with np.errstate(all="ignore"):
        cap = np.minimum(P.rho(lr_, beta, L_), lr_ * (1 - L_ * lr_ / 2))
    out = np.full(lr_.shape, np.inf)
    todo = (k0 >= 1) & (n >= k0) & (cap > 0)
    for q in _R_FRACTIONS:
        if not todo.any():
            break
        x = [v[todo] for v in (lr_, beta, L_, s2, k0)]
        r = q * cap[todo]
        ok, noise = _head(*x, r)
        with np.errstate(all="ignore"):
            val = P.rate(*x[:4], x[4] - 1, n[todo], gap_[todo], noise, r)
        val = np.where(ok & np.isfinite(val) & (val >= 0), val, np.inf)
        out[todo] = val
        todo[todo] = ~np.isfinite(val)
    return out.reshape(shape)
