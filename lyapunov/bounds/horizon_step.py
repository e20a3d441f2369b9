"""The step of the horizon chain (:mod:`.horizon`): t P24 + (1 - t) P10 as functions of
(eta, c, L, sigma2, t, a1, b1, p, r), built once from the two certified theorems' own
expressions, in floats and exactly (Fractions).

P24 is P8's step for every sign of the next coefficient b1, with two free weights p, r; the
chain takes them at their smallest K, :func:`smallest_weights`. Where b1 >= 0 that is P8's
step (P24a), the regime of the closed form at constant parameters (:func:`step_parts`,
:mod:`.horizon_structure`). Every condition of P24's region holds by construction of the
chain (a1 = t K >= 0 with K >= L c^2/2 > 0, and the weights' rule); :func:`~.horizon.
verify_chain` still decides each one exactly.
"""

from __future__ import annotations

from fractions import Fraction
from functools import cache

import sympy as sp

__all__ = [
    "step_parts",
    "step_functions",
    "smallest_weights",
    "rational_function",
    "p24_parts",
]


_STEP_PARTS: list = []  # (args, exprs, conds) of the chain step, filled by _build


def smallest_weights(c, b1):
    """P24's free weights at the smallest K: p = max(l, 0), r = max(c + l, 0), l = 2 b1 (1 - c)
    (floats or Fractions). They satisfy P24's p >= 0, p >= l, r >= 0, r >= c + l exactly (in
    the arithmetic they are computed in)."""
    l = _p24_l()(c, b1)  # noqa: E741 - P24's letter
    return max(l, 0 * l), max(c + l, 0 * l)


@cache
def _p24_l():
    """P24's l = 2 b1 (1 - c) as a function of (c, b1), from its own expression."""
    from ..proofs import p24_spa_step_any_sign as p24

    return rational_function(p24.l, [p24.c, p24.b1])


def step_parts() -> tuple[list, dict]:
    """(args, exprs) of the chain step where b1 >= 0 (P24 at p = l, r = c + l, which is P8's
    step by P24a): args = (eta, c, L, sigma2, t, a1, b1), exprs A_COEF, B_COEF, RHO, NU; the
    regime of the closed form (:mod:`.horizon_structure`)."""
    from ..proofs import p24_spa_step_any_sign as p24

    _build()
    args, exprs, _ = _STEP_PARTS
    at = {args[7]: p24.l, args[8]: p24.c + p24.l}
    return args[:7], {k: sp.expand(v.subs(at)) for k, v in exprs.items()}


@cache
def p24_parts():
    """P24's own outputs K (= A_COEF), B_COEF, RHO, NU and l as polynomials in (eta, c, L, a1,
    b1, p, r), with P10's RHO and NU (functions of L): what the float chain
    (:mod:`.horizon_stepwise`) evaluates, with its error analysis."""
    from ..proofs import p10_spa_horizon as p10
    from ..proofs import p24_spa_step_any_sign as p24

    args = (p24.eta, p24.c, p24.L, p24.a1, p24.b1, p24.p, p24.r)
    outs = {k: sp.expand(getattr(p24, k)) for k in ("A_COEF", "B_COEF", "RHO", "NU", "l")}
    p10_at = {p10.L: p24.L}
    p10_parts = {k: sp.sympify(getattr(p10, k)).subs(p10_at) for k in ("RHO", "NU")}
    extra = {s for e in p10_parts.values() for s in e.free_symbols} - {p24.L}
    if extra:  # pragma: no cover - P10 changed
        raise RuntimeError(f"P10's rate depends on {sorted(map(str, extra))}, not on L alone")
    return args, outs, p10_parts


@cache
def _build():
    """The chain step t P24 + (1 - t) P10 as functions of (eta, c, L, sigma2, t, a1, b1, p, r):

        A = t A_P24,   B = t B_P24,
        RHO = t RHO_P24 + (1 - t) RHO_P10,   NU = t NU_P24 + (1 - t) NU_P10,

    built from the two certified theorems' own expressions, with their region conditions: P24's
    are needed only where t > 0 (at t = 0 the step is P10 alone), P10's always, and
    0 <= t <= 1. Returns (numpy functions, their conditions, exact rational functions, their
    conditions)."""
    from ..proofs import p10_spa_horizon as p10
    from ..proofs import p24_spa_step_any_sign as p24

    t = sp.Symbol("t", real=True)
    args = [p24.eta, p24.c, p24.L, p24.sigma2, t, p24.a1, p24.b1, p24.p, p24.r]
    rename = {p10.eta: p24.eta, p10.c: p24.c, p10.L: p24.L, p10.sigma2: p24.sigma2}
    exprs = {
        "A_COEF": t * p24.A_COEF,
        "B_COEF": t * p24.B_COEF,
        "RHO": t * p24.RHO + (1 - t) * sp.sympify(p10.RHO).subs(rename),
        "NU": t * p24.NU + (1 - t) * sp.sympify(p10.NU).subs(rename),
    }
    # P10's lower bound fstar = -m of f is not a coefficient of the chain (any m will do)
    p10_conds = [c.subs(rename) for c in p10.theorem.region.conditions]
    conds = [(c, False) for c in [t >= 0, t <= 1, *p10_conds]]
    conds += [(c, True) for c in p24.step_any_sign.region.conditions]
    names = {a.name for a in args}
    extra = {s.name for c, _ in conds for s in c.free_symbols} - names
    if extra:  # pragma: no cover - the proof files and this module disagree
        raise RuntimeError(f"the chain's regions use symbols {sorted(extra)} it does not set")
    _STEP_PARTS[:] = [args, exprs, conds]
    num = {name: sp.lambdify(args, e, "numpy") for name, e in exprs.items()}
    num_conds = [
        (sp.lambdify(args, c.lhs - c.rhs, "numpy"), type(c), p24_only) for c, p24_only in conds
    ]
    exact = {name: rational_function(e, args) for name, e in exprs.items()}
    exact_conds = [
        (rational_function(c.lhs - c.rhs, args), type(c), p24_only) for c, p24_only in conds
    ]
    return num, num_conds, exact, exact_conds


def step_functions():
    """The chain step's functions (:func:`_build`): (numpy functions, their conditions, exact
    rational functions, their conditions), each of (eta, c, L, sigma2, t, a1, b1, p, r); the
    exact ones are what :func:`~lyapunov.bounds.horizon.verify_chain` trusts."""
    return _build()


def rational_function(expr, args):
    """An exact evaluator of a rational function of ``args`` on Fractions."""
    top, bottom = sp.fraction(sp.together(sp.sympify(expr)))
    polys = [sp.Poly(p, *args) for p in (top, bottom)]
    terms = [
        [(m, Fraction(int(sp.numer(q)), int(sp.denom(q)))) for m, q in p.terms()] for p in polys
    ]

    def evaluate(*vals: Fraction) -> Fraction:
        out = []
        for ts in terms:
            s = Fraction(0)
            for mono, coef in ts:
                term = coef
                for v, e in zip(vals, mono, strict=True):
                    if e:
                        term *= v**e
                s += term
            out.append(s)
        if out[1] == 0:
            raise ZeroDivisionError("chain formula: zero denominator")
        return out[0] / out[1]

    return evaluate
