"""The chain of the GSPA family (Nesterov, QHM, GSPA, schedule-free SGD) whose weight of f may
fall: t P25b + (1 - t) P25c step by step (proofs/p25_gspa_chain_step.py), as the chain of
P24 and P10 for SPA (:mod:`.horizon_stepwise`, whose :func:`~.horizon_stepwise.certify` and
:func:`~.horizon_stepwise.run_chain` it uses: each step certified with its own rounding).

P25 is P12's step, so it needs the next coefficient b1 >= 0; a step whose B < 0 ends the
chain (inf). Its free weight s is taken where it maximises RHO and minimises NU together,
s = 1/(2 L eta c') (any s > 0 is valid: a choice, not a claim). On a short horizon the first
steps are paid by the lower bound of f instead of by a rate the method reaches only later: a
single step gets 2 L gap, the worst case, where P11's descent lemma gives gap / rho.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import sympy as sp

from .horizon_stepwise import certify, run_chain, with_errors

__all__ = ["family_chain", "FAMILY_CHAIN_STEPS"]

#: the constant calculators run this chain (O(steps) per point) up to this horizon
FAMILY_CHAIN_STEPS = 64


@cache
def _functions(module: str):
    """(eta, c, beta, L, a1, b1, s) -> P25's K, B, RHO, NU, each with a bound on its
    rounding, then P25c's RHO and NU; and c' = 1 - beta (1 - c) (P12's own expressions)."""
    from ..proofs import p12_gspa_schedule as p12
    from ..proofs import p25_gspa_chain_step as p

    args = (p.eta, p.c, p.beta, p.L, p.a1, p.b1, p.s)
    parts = with_errors([p.K, p.B, p.RHO, p.NU], args, module)
    star = sp.lambdify(args, [p.RHO_STAR, p.NU_STAR, p12.cb], module)

    def evaluate(*vals):
        return [*parts(*vals), *star(*vals)]

    return evaluate


def _step(fun, e, c, beta, L, target, theta1, a1, b1, maximum, select):
    """One backward step of the family's chain (:func:`~.horizon_stepwise.certify` of P25b +
    P25c), the rate -inf where the next coefficient b1 < 0 (outside P25's region)."""
    one = 1.0 + 0.0 * b1
    cb = fun(e, c, beta, L, a1, b1, one)[10]
    s = 1.0 / (2 * L * e * cb)
    K, eK, B, eB, R, eR, NU, eN, rho_star, nu_star, _ = fun(e, c, beta, L, a1, b1, s)
    parts = (K, eK, B, eB, R, eR, NU, eN, rho_star, nu_star)
    theta, a_k, b_k, rate, noise = certify(theta1, parts, L, target, maximum, select)
    ok = (b1 >= 0) & (s > 0) if hasattr(b1, "shape") else b1 >= 0 and s > 0
    return theta, a_k, b_k, select(ok, rate, -math.inf), noise, s


def family_chain(eta, c, beta, L, sigma2, gap, n, progress=None, trace=None) -> np.ndarray:
    """Certified bound on (1/n) sum_{k<n} E|grad f(y_k)|^2 of GSPA (eta_k, c_k, beta_k) by the
    chain of P25b and P25c (module docstring): ``eta``, ``c``, ``beta`` arrays (S, m) (row k
    step k; S = 1 constant), ``L``, ``sigma2``, ``gap``, ``n`` arrays (m,), validated by the
    caller; inf where the chain leaves P25's region (some b_k < 0) or overflows."""
    cols = [eta, c, beta]
    return run_chain(_step, _functions, cols, L, sigma2, gap, n, progress, trace)
