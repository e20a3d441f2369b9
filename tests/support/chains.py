"""The exact value of a chain the float calculators ran (lyapunov.bounds.horizon_stepwise and
family_chain): every step's lemma decided exactly at the floats it used, as rationals."""

from __future__ import annotations

from fractions import Fraction

from lyapunov.bounds.horizon_step import rational_function

_OPS = {
    ">": lambda v: v > 0,
    ">=": lambda v: v >= 0,
    "<=": lambda v: v <= 0,
    "<": lambda v: v < 0,
}


def exact_chain_value(rounded, star, step_symbols, extra_symbols, per_step, L, sigma2, gap, trace):
    """The bound of the chain a float run took, in exact arithmetic.

    ``rounded``: the one-step lemma with free current coefficients (P24b, P25b), whose region
    is decided exactly at every step where it enters (t > 0); ``star``: the bounded-below step
    (P10, P25c: its rho a function of L, its nu 0). ``step_symbols``: the lemma's symbols of
    the step's parameters and L, then (a1, b1), in the order of ``per_step(k)`` (the step's
    parameters as floats) followed by L and the next coefficients; ``extra_symbols``: those of
    the float run's extra outputs in ``trace`` (P24's p, r; P25's s), then the current (a, b).
    ``trace``: (theta_k, a_k, b_k, *extra) for k = n-1..0. Returns
    (theta_0 gap + sigma2 sum_k theta_{k+1} NU_k) / (n min_k rate_k) as a Fraction, with
    rate_k = theta_{k+1} RHO_k + (theta_k - theta_{k+1}) RHO_star."""
    sigma2_symbols = {s for s in rounded.region.symbols if s.name == "sigma2"}
    args = [*step_symbols, *extra_symbols]
    rho, nu = rational_function(rounded.rho, args), rational_function(rounded.nu, args)
    region = [q for q in rounded.region.conditions if not (q.free_symbols & sigma2_symbols)]
    conds = [(rational_function(q.lhs - q.rhs, args), q.rel_op) for q in region]
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
        if t > 0:  # the lemma with the current coefficients a = a_k / t, b = b_k / t
            step = [Fraction(float(v)) for v in per_step(k)]
            at = (*step, Lq, a1, b1, *extra, a_k / t, b_k / t)
            for fun, op in conds:
                assert _OPS[op](fun(*at)), (k, op)
            step_rate = theta1 * rho(*at) + (theta - theta1) * rho_star
            noise += theta1 * nu(*at)
        else:
            assert a_k == b_k == 0
            step_rate = theta * rho_star
        rate = step_rate if rate is None else min(rate, step_rate)
        theta1, a1, b1 = theta, a_k, b_k
    assert rate > 0
    return (theta1 * Fraction(gap) + Fraction(sigma2) * noise) / (n * rate)
