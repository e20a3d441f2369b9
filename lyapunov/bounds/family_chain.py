"""The chain of the GSPA family (Nesterov, QHM, GSPA, schedule-free SGD) whose weight of f may
fall: t P25 + (1 - t) P25c step by step (proofs/p25_gspa_chain_step.py; P25 and P26 raised
by P24b to the chain's rounded coefficients), as the chain of
P24 and P10 for SPA (:mod:`.horizon_stepwise`, whose :func:`~.horizon_stepwise.certify` and
:func:`~.horizon_stepwise.run_chain` it uses: each step certified with its own rounding).

P25 is P12's step, for a next coefficient b1 >= 0; P26 (proofs/p26_gspa_chain_step_negative.py)
the same step for b1 < 0 with c + 2 b1 (1 - c) >= 0; the chain takes the one of the sign of b1
at each step and ends (inf) where neither applies. The free weight s is taken where it
maximises RHO and minimises NU together, s = 1/(2 L eta c') (any s > 0 is valid: a choice,
not a claim). On a short horizon the first
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
    """Two functions, from the theorems' own expressions: c' = 1 - beta (1 - c) of (eta, c,
    beta) (P12's), which sets the weight s; and of (eta, c, beta, L, a1, b1, s): P25's K, B,
    RHO, NU (b1 >= 0), each with a bound on its rounding, then P25c's RHO and NU, the same
    four of P26 (b1 < 0), and P26's condition c + 2 b1 (1 - c) with a bound on its rounding."""
    from ..proofs import p12_gspa_schedule as p12
    from ..proofs import p25_gspa_chain_step as p
    from ..proofs import p26_gspa_chain_step_negative as n

    args = (p.eta, p.c, p.beta, p.L, p.a1, p.b1, p.s)
    if (n.eta, n.c, n.beta, n.L, n.a1, n.s) != args[:5] + args[6:]:  # pragma: no cover
        raise RuntimeError("P25 and P26 name their parameters differently")
    parts = with_errors([p.K, p.B, p.RHO, p.NU], args, module)
    star = sp.lambdify(args, [p.RHO_STAR, p.NU_STAR], module)
    c_prime = sp.lambdify(args[:3], p12.cb, module)
    # P26 states b1 = -w, w >= 0; its condition c - 2 w (1 - c) >= 0
    (cond,) = [q for q in n.REGION if n.w in q.free_symbols and q.lhs != n.w]
    at = {n.w: -p.b1}
    negative = with_errors([e.subs(at) for e in (n.K, n.B, n.RHO, n.NU, cond.lhs)], args, module)

    def evaluate(*vals):
        return [*parts(*vals), *star(*vals), *negative(*vals)]

    return c_prime, evaluate


def _step(fun, e, c, beta, L, target, theta1, a1, b1, maximum, select):
    """One backward step of the family's chain (:func:`~.horizon_stepwise.certify` of P25 or
    P26, raised by P24b, + P25c), the rate -inf where neither applies."""
    c_prime, fun = fun
    s = 1.0 / (2 * L * e * c_prime(e, c, beta))
    v = fun(e, c, beta, L, a1, b1, s)
    up = b1 >= 0  # P25; else P26, where its condition holds beyond its rounding
    parts = [select(up, x, y) for x, y in zip(v[:8], v[10:18], strict=True)] + v[8:10]
    theta, a_k, b_k, rate, noise = certify(theta1, parts, target, maximum, select)
    ok = (up | (v[18] - v[19] >= 0)) & (s > 0)  # bools or arrays alike
    return theta, a_k, b_k, select(ok, rate, -math.inf), noise, s


def family_chain(eta, c, beta, L, sigma2, gap, n, progress=None, trace=None) -> np.ndarray:
    """Certified bound on (1/n) sum_{k<n} E|grad f(y_k)|^2 of GSPA (eta_k, c_k, beta_k) by the
    chain of P25/P26 and P25c (module docstring): ``eta``, ``c``, ``beta`` arrays (S, m) (row k
    step k; S = 1 constant), ``L``, ``sigma2``, ``gap``, ``n`` arrays (m,), validated by the
    caller; inf where the chain leaves P25's region (some b_k < 0) or overflows."""
    cols = [eta, c, beta]
    return run_chain(_step, _functions, cols, L, sigma2, gap, n, progress, trace)
