"""Certified bounds for schedules, from theorem P8 (and P2 for PyTorch schedules).

P8 gives, for one SPA step with parameters (eta_k, c_k) and the next Lyapunov coefficients
(a_{k+1}, b_{k+1}) (b_{k+1} >= 0, a_{k+1} >= 2 L b_{k+1}^2), the current coefficients
(a_k, b_k) = (A_COEF, B_COEF) and E[A_{k+1}] - A_k <= -rho_k E|g_k|^2 + nu_k sigma2, valid when
b_k >= 0. Running it backwards from terminal coefficients (P4's at the last step's parameters,
or a_n = b_n = 0, whichever certifies the smaller bound) and summing:

    (1/n) sum_{k<n} E|grad f(x_k)|^2 <= (gap + sigma2 sum_k nu_k) / (n min_k rho_k),
    sum_k w_k E|grad f(x_k)|^2       <= (gap + sigma2 sum_k nu_k) / sum_k rho_k,
                                        w_k = rho_k / sum_j rho_j  (``average="weighted"``).

A schedule where some b_k < 0 is not covered by P8: its bound is inf.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import sympy as sp

__all__ = ["p8_bound"]


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
        a_k, b_k = A(e, cc, L, a, b), B(e, cc, L, a, b)
        rho, nu = R(e, cc, L, a, b), N(e, cc, L, a, b)
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
    from . import rates

    f = _p8()
    out = [(0.0, 0.0)]
    e, cc = eta_last, c_last
    if rates()["P4"].inside(
        eta=np.float64(e), c=np.float64(cc), L=np.float64(L), sigma2=np.float64(0.0)
    ):
        out.append((f["A_P4"](e, cc, L), f["B_P4"](e, cc, L)))
    return out


def p8_bound(
    eta: np.ndarray, c: np.ndarray, L: float, sigma2: float, gap: float, average: str = "uniform"
) -> float:
    """The P8 bound for one SPA schedule (validated 1-D arrays) and scalar L, sigma2, gap.

    ``average="uniform"``: bound on (1/n) sum_k E|g_k|^2, i.e. (gap + sigma2 sum nu)/(n min rho);
    ``average="weighted"``: bound on sum_k w_k E|g_k|^2 with w_k = rho_k / sum_j rho_j, i.e.
    (gap + sigma2 sum nu)/(sum rho) -- the natural average for a decaying schedule.
    """
    n = len(eta)
    el, cl = [float(x) for x in eta], [float(x) for x in c]
    best = math.inf
    for a, b in _terminals(el[-1], cl[-1], L):
        res = _run(el, cl, L, a, b)
        if res is None:
            continue
        rho_min, rho_sum, nu_sum = res
        denom = n * rho_min if average == "uniform" else rho_sum
        best = min(best, (gap + sigma2 * nu_sum) / denom)
    return best
