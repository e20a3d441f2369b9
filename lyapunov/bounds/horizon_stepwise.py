"""The chain of :mod:`.horizon` step by step in floating point, every step certified with its
own rounding: for schedules, and at constant parameters where the closed form does not hold
(some b_k < 0).

The chain is run backwards from theta_n = 0, a_n = b_n = 0; each weight theta_k is chosen as
small as keeps the step's rate theta_k RHO_k at least 1/n (any choice with
theta_k >= theta_{k+1} > 0 is a valid chain: the choice is a search, not a claim). Step k is
t P24 + (1 - t) P10, t = theta_{k+1}/theta_k, P24 (P8's step for every sign of b1) raised by
P24b to current coefficients a > K at the price (b - B)^2/(a - K) of rate. So the
chain's coefficients a_k, b_k are the floats computed here, exactly as they are: the next
step's (a1, b1) are exact inputs, and each step needs only its own rounding, never the
accumulated one (which a step that does not descend would amplify):

* P24's free weights p, r rounded up from their smallest (so p >= l, r >= c + l exactly);
* K, B, RHO, NU of P24 at these exact inputs, each with the bound gamma_K A of its rounding
  (:func:`~lyapunov.bounds.rounding.magnitude`);
* a_k = t (K + its error) (1 + SLACK) rounded, so that a = a_k/t > K exactly, with a lower
  bound on a - K; b_k = t B rounded, with a bound on |b_k - t B|;
* the step's rate theta_{k+1} RHO_P24 + (theta_k - theta_{k+1}) RHO_P10 - theta_k
  (b_k - t B)^2/(a_k - t K) bounded below, its noise theta_{k+1} NU_P24 above.

The bound, (theta_0 gap + sigma2 sum_k noise_k) / (n min_k rate_k), is rounded up.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import sympy as sp

from .horizon_step import p24_parts
from .rounding import UNIT, magnitude

__all__ = ["chain_bound", "run_chain", "certify", "with_errors", "SLACK"]

#: up to this many points a chain runs point by point on Python floats
_FEW_POINTS = 4
#: relative allowance for the few roundings of a combination of two products
_FEW = 8 * UNIT
#: relative amount by which a_k exceeds t K (P24b's a > K); its price in rate is
#: (error of B)^2 / (SLACK K), far below the rounding
SLACK = 2.0**-40


def with_errors(exprs, args, module: str):
    """One function of ``args`` -> for each rational expression of ``exprs``: its float value
    and a bound on its rounding at exact (float) inputs: numerator and denominator each err
    by at most gamma_K times their absolute-value trees
    (:func:`~lyapunov.bounds.rounding.magnitude`), and the quotient by that, to first order,
    plus its own rounding."""
    outs, counts = [], []
    for e in exprs:
        num, den = sp.fraction(sp.together(sp.sympify(e)))
        num, den = sp.expand(num), sp.expand(den)
        (a_num, k_num), (a_den, k_den) = magnitude(num), magnitude(den)
        outs += [num, den, a_num, a_den]
        counts.append(max(k_num, k_den) + 2)
    raw = sp.lambdify(args, outs, module, cse=True)
    gammas = [k * UNIT / (1 - k * UNIT) for k in counts]

    def evaluate(*vals):
        r = raw(*vals)
        res = []
        for i, g in enumerate(gammas):
            num, den, a_num, a_den = r[4 * i : 4 * i + 4]
            val = num / den
            err = g * (a_num + abs(val) * a_den) / abs(den) * (1 + _FEW) + 2 * UNIT * abs(val)
            res += [val, err]
        return res

    return evaluate


@cache
def _functions(module: str):
    """One function (eta, c, L, a1, b1, p, r) -> for each of P24's K, B, RHO, NU, l: its value
    and a bound on its rounding at exact inputs (:func:`with_errors`); then P10's RHO and NU
    (functions of L). Built from the theorems' own expressions."""
    args, outs, p10 = p24_parts()
    parts = with_errors([outs[k] for k in ("A_COEF", "B_COEF", "RHO", "NU", "l")], args, module)
    star = sp.lambdify(args, [p10["RHO"], p10["NU"]], module)

    def evaluate(*vals):
        return [*parts(*vals), *star(*vals)]

    return evaluate


def _step(fun, e, c, L, target, theta1, a1, b1, maximum, select):
    """One backward step of the P24 chain at step parameters (e, c) from the next weight
    theta1 and coefficients (a1, b1) (floats or arrays; ``maximum`` and ``select`` the
    matching max and where): :func:`certify` of P24 (raised by P24b) + P10 at P24's weights
    (p, r) rounded up from their smallest, and (p, r)."""
    zero = 0.0 * b1
    l_f, l_err = fun(e, c, L, a1, b1, zero, zero)[8:10]
    # P24's weights, rounded up: p >= l and r >= c + l for the exact l
    up = 2 * l_err + 4 * UNIT * abs(l_f) + 1e-300
    p = maximum(l_f + up, zero)
    r = maximum(c + l_f + up + 4 * UNIT * abs(c + l_f), zero)
    K, eK, B, eB, R, eR, NU, eN, _, _, rho10, nu10 = fun(e, c, L, a1, b1, p, r)
    parts = (K, eK, B, eB, R, eR, NU, eN, rho10, nu10)
    return (*certify(theta1, parts, target, maximum, select), p, r)


def certify(theta1, parts, target, maximum, select):
    """One backward step of a chain t S_b + (1 - t) S_star (S_b a one-step lemma whose current
    coefficients may be raised to any a > K at the price (b - B)^2/(a - K) by P24b: P24, P25,
    P26; S_star the bounded-below step, P10 or P25c), from the next weight theta1: ``parts`` =
    (K, B, RHO, NU of S at the exact next coefficients, each followed by a bound on its
    rounding; then S_star's RHO and NU). Returns (theta, a_k, b_k, a lower bound on the step's
    rate, an upper bound on its noise), the rate -inf where a > K is not certain (module
    docstring)."""
    K, eK, B, eB, R, eR, NU, eN, rho_star, nu_star = parts
    zero = 0.0 * theta1
    # the search: each weight as small as keeps the rate >= 1/n, with room for the rounding
    # of the rate (below), which cancels theta1 RHO against the drop where RHO < 0
    need = maximum(zero, (target - theta1 * (R - eR)) / rho_star) * (1 + 64 * UNIT)
    theta = theta1 + need + 64 * UNIT * theta1 * (abs(R) + eR) / rho_star
    used = theta1 > 0  # t > 0: S_b enters the step
    t = theta1 / theta  # t_exact <= t (1 + u)
    # the chain's coefficients, exactly these floats: a_k > t K with a margin (the price of
    # b_k's rounding, theta (b_k - t B)^2 / (a_k - t K), is paid below)
    k_up = (K + eK) * (1 + 4 * UNIT)
    b_k = t * B
    b_err = t * (eB + 4 * UNIT * abs(B))  # >= |b_k - t_exact B|
    a_k = t * k_up * (1 + SLACK)
    margin = a_k - t * k_up * (1 + 4 * UNIT) - 2 * UNIT * a_k  # <= a_k - t_exact K
    margin = select(used, margin, 1.0)  # t = 0: no S_b in the step, nothing to pay
    loss = theta * b_err**2 / margin
    drop = theta - theta1
    size = theta1 * (abs(R) + eR) + drop * abs(rho_star) + loss
    rate = theta1 * (R - eR) + drop * rho_star - loss - 2 * _FEW * size
    rate = select(margin > 0, rate, -math.inf)
    noise = (theta1 * (NU + eN) + drop * nu_star) * (1 + 2 * _FEW)
    return theta, a_k, b_k, rate, noise


def _pick(cond, x, y):
    return x if cond else y


def chain_bound(eta, c, L, sigma2, gap, n, progress=None, trace: list | None = None):
    """Certified bound on (1/n) sum_{k<n} E|grad f(x_k)|^2 of the P24 chain (module docstring).

    ``eta`` and ``c``: arrays of shape (S, m), row k the parameters of step k (S = 1: the same
    at every step; S >= max n: a schedule); ``L``, ``sigma2``, ``gap``, ``n``: arrays of shape
    (m,) (validated by the caller: eta > 0, 0 < c <= 1, L > 0, sigma2, gap >= 0, n >= 1).
    ``inf`` where the chain's value overflows. One point (m = 1) runs on Python floats.
    ``progress(k)``, if given, is called every 65536 steps with the steps left. ``trace`` (one
    point only), if given, receives the chain: (theta_k, a_k, b_k, p_k, r_k) for k = n-1..0."""
    return run_chain(_step, _functions, [eta, c], L, sigma2, gap, n, progress, trace)


def run_chain(step, functions, columns, L, sigma2, gap, n, progress=None, trace=None):
    """A chain backwards over the steps: ``step(fun, *params of step k, L, target, theta1, a1,
    b1, maximum, select)`` -> (theta, a_k, b_k, rate, noise, *extra) (:func:`_step`),
    ``functions(module)`` its ``fun`` (whatever the step takes); ``columns`` the per-step
    parameters, arrays (S, m) as in :func:`chain_bound`; the bound (theta_0 gap + sigma2 sum
    noise) / (n min rate), rounded up, inf where some rate is not > 0 or the value overflows.
    ``trace`` (one point) receives (theta_k, a_k, b_k, *extra) for k = n-1..0."""
    cols = [np.asarray(x, float) for x in columns]
    L, s2, gap = (np.asarray(x, float) for x in (L, sigma2, gap))
    n = np.asarray(n, np.int64)
    if n.shape[0] <= _FEW_POINTS:  # Python floats, point by point: no per-step numpy overhead
        out = []
        for i in range(n.shape[0]):
            args = (float(L[i]), float(s2[i]), float(gap[i]), int(n[i]))
            col = [x[:, min(i, x.shape[1] - 1)] for x in cols]
            out.append(_one_point(step, functions, col, *args, progress, trace))
        return np.array(out)
    fun = functions("numpy")
    m = n.shape[0]
    theta1, a1, b1, noise = (np.zeros(m) for _ in range(4))
    rate = np.full(m, np.inf)
    target = 1.0 / n
    with np.errstate(all="ignore"):
        for k in range(int(n.max()) - 1, -1, -1):
            if progress is not None and k % 65536 == 0:
                progress(k)
            on = k < n
            at = [x[min(k, x.shape[0] - 1)] for x in cols]
            out = step(fun, *at, L, target, theta1, a1, b1, np.maximum, np.where)
            theta, a_k, b_k, step_rate, step_noise = out[:5]
            rate = np.where(on, np.minimum(rate, step_rate), rate)
            noise = np.where(on, noise + step_noise, noise)
            a1, b1 = np.where(on, a_k, a1), np.where(on, b_k, b1)
            theta1 = np.where(on, theta, theta1)
        value = _value(theta1, gap, s2, noise, n, rate)
    ok = (rate > 0) & np.isfinite(value)
    return np.where(ok, value, math.inf)


def _value(theta0, gap, s2, noise, n, rate):
    """The bound, rounded up: (theta_0 gap + sigma2 sum noise) / (n min rate)."""
    total = (theta0 * gap + s2 * noise) * (1 + UNIT * (n + 8))
    return total / (n * rate) * (1 + _FEW)


def _one_point(step, functions, cols, L, s2, gap, n, progress, trace) -> float:
    """:func:`run_chain` at one point, on Python floats (a schedule of 10^6 steps in
    seconds)."""
    fun = functions("math")
    lists = [x.tolist() for x in cols]
    theta1 = a1 = b1 = noise = 0.0
    rate = math.inf
    target = 1.0 / n
    try:
        for k in range(n - 1, -1, -1):
            if progress is not None and k % 65536 == 0:
                progress(k)
            at = [x[min(k, len(x) - 1)] for x in lists]
            theta1, a1, b1, step_rate, step_noise, *extra = step(
                fun, *at, L, target, theta1, a1, b1, max, _pick
            )
            if trace is not None:
                trace.append((theta1, a1, b1, *extra))
            rate = min(rate, step_rate)
            noise += step_noise
        value = _value(theta1, gap, s2, noise, n, rate)
    except (OverflowError, ZeroDivisionError, ValueError):
        return math.inf
    return value if rate > 0 and math.isfinite(value) else math.inf
