"""The exact value of a chain the float calculators ran (lyapunov.bounds.horizon_stepwise and
family_chain): every step's lemma decided exactly at the floats it used, as rationals."""

from __future__ import annotations

from fractions import Fraction

import sympy as sp

from lyapunov.bounds.horizon_step import rational_function

_OPS = {
    ">": lambda v: v > 0,
    ">=": lambda v: v >= 0,
    "<=": lambda v: v <= 0,
    "<": lambda v: v < 0,
}


def exact_chain_value(
    lemma_for, star, step_symbols, extra_symbols, per_step, L, sigma2, gap, trace
):
    """The bound of the chain a float run took, in exact arithmetic.

    ``lemma_for(b1)``: (the exact one-step lemma for that next coefficient, its K, its B[, the
    substitution of its own symbols by ``args``'s])
    (P24; P25 for b1 >= 0, P26 below); its region is decided exactly at every step where it
    enters (t > 0), with the current coefficients a = a_k / t > K raised by P24b at the
    price (b - B)^2/(a - K). ``star``: the bounded-below step (P10, P25c: its rho a function of
    L, its nu 0). ``step_symbols``: the lemma's symbols of the step's parameters and L, then
    (a1, b1), in the order of ``per_step(k)`` (the step's parameters as floats) followed by L
    and the next coefficients; ``extra_symbols``: its free weights, the float run's extra
    outputs in ``trace`` (P24's p, r; P25's s). ``trace``: (theta_k, a_k, b_k, *extra) for
    k = n-1..0. Returns (theta_0 gap + sigma2 sum_k theta_{k+1} NU_k) / (n min_k rate_k) as a
    Fraction, rate_k = theta_{k+1} (RHO_k - price_k) + (theta_k - theta_{k+1}) RHO_star."""
    args = [*step_symbols, *extra_symbols]
    compiled = {}

    def functions(lemma, K, B, subs=None):
        """The lemma's rho, nu, K, B and region conditions on ``args`` (``subs``: its own
        symbols in terms of them, e.g. P26's w = -b1)."""
        subs = subs or {}
        if id(lemma) not in compiled:
            sigma2 = {s for s in lemma.region.symbols if s.name == "sigma2"}
            region = [q for q in lemma.region.conditions if not (q.free_symbols & sigma2)]
            compiled[id(lemma)] = [
                rational_function(sp.sympify(e).subs(subs), args)
                for e in (lemma.rho, lemma.nu, K, B)
            ] + [[(rational_function((q.lhs - q.rhs).subs(subs), args), q.rel_op) for q in region]]
        return compiled[id(lemma)]

    Lq = Fraction(L)
    (L_star,) = star.rho.free_symbols
    rho_star = Fraction(str(star.rho.subs(L_star, 1))) / Lq  # rho_star = const / L
    assert star.nu == 0
    n = len(trace)
    theta1 = a1 = b1 = Fraction(0)
    rate, noise = None, Fraction(0)
    for i, (theta, a_k, b_k, *extra) in enumerate(trace):
        k = n - 1 - i
        theta, a_k, b_k = (Fraction(x) for x in (theta, a_k, b_k))
        extra = [Fraction(x) for x in extra]
        assert theta > 0 and theta >= theta1
        t = theta1 / theta
        if t > 0:  # the lemma, raised by P24b to the current coefficients a_k / t, b_k / t
            rho, nu, K, B, conds = functions(*lemma_for(b1))
            step = [Fraction(float(v)) for v in per_step(k)]
            at = (*step, Lq, a1, b1, *extra)
            for fun, op in conds:
                assert _OPS[op](fun(*at)), (k, op)
            a, b = a_k / t, b_k / t
            assert a > K(*at), k
            price = (b - B(*at)) ** 2 / (a - K(*at))
            step_rate = theta1 * (rho(*at) - price) + (theta - theta1) * rho_star
            noise += theta1 * nu(*at)
        else:
            assert a_k == b_k == 0
            step_rate = theta * rho_star
        rate = step_rate if rate is None else min(rate, step_rate)
        theta1, a1, b1 = theta, a_k, b_k
    assert rate > 0
    return (theta1 * Fraction(gap) + Fraction(sigma2) * noise) / (n * rate)
