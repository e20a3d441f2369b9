"""The step of the P8 + P10 chain (:mod:`.horizon`): t P8 + (1 - t) P10 as functions of
(eta, c, L, sigma2, t, a1, b1), built once from the two certified theorems' own expressions,
in floats (numpy, fused with the error sizes of their conditions) and exactly (Fractions).
Both chains use it: a schedule's step by step (:mod:`.horizon`) and the constant one in
closed form (:mod:`.horizon_constant`)."""

from __future__ import annotations

from fractions import Fraction
from functools import cache

import sympy as sp

from .rounding import magnitude

__all__ = ["step_parts", "step_functions", "fused_step", "rational_function"]


_STEP_PARTS: list = []  # (args, exprs, conds) of the chain step, filled by _build


def step_parts() -> tuple[list, dict]:
    """(args, exprs) of the chain step: args = (eta, c, L, sigma2, t, a1, b1), exprs the
    combined step's A_COEF, B_COEF, RHO, NU (from the two theorems' own expressions)."""
    _build()
    return _STEP_PARTS[0], _STEP_PARTS[1]


@cache
def fused_step(module: str):
    """One function per step: (eta, c, L, sigma2, t, a1, b1) -> (A, B, RHO, NU, RHO at t = 1,
    then for each region condition that involves (a1, b1): lhs - rhs and its size, the
    absolute-value tree of :func:`~lyapunov.bounds.rounding.magnitude`), common subexpressions
    shared; and those conditions' relations. They are P8's: needed only where t > 0 (0 <= t
    <= 1 holds by construction of the weights; the other conditions are on the validated
    inputs eta > 0, L > 0, 0 < c <= 1)."""
    _build()
    args, exprs, conds = _STEP_PARTS
    t, a1, b1 = args[4:]
    outs = [exprs[k] for k in ("A_COEF", "B_COEF", "RHO", "NU")] + [exprs["RHO"].subs(t, 1)]
    rels = []
    for cond, p8_only in conds:
        if cond.free_symbols & {a1, b1}:
            if not p8_only or t in cond.free_symbols:  # pragma: no cover - proofs changed
                raise RuntimeError(f"chain condition {cond} is not one of P8's on (a1, b1)")
            e = sp.expand(cond.lhs - cond.rhs)
            outs += [e, magnitude(e)[0]]
            rels.append(type(cond))
    return sp.lambdify(args, outs, module, cse=True), rels


@cache
def _build():
    """The chain step t P8 + (1 - t) P10 as functions of (eta, c, L, sigma2, t, a1, b1):

        A = t A_P8,  B = t B_P8,  RHO = t RHO_P8 + (1 - t) RHO_P10,  NU = t NU_P8 + (1 - t) NU_P10,

    built from the two certified theorems' own expressions, with their region conditions: P8's
    are needed only where t > 0 (at t = 0 the step is P10 alone), P10's always, and
    0 <= t <= 1. Returns (numpy functions, their conditions, exact rational functions, their
    conditions)."""
    from ..proofs import p8_schedule_descent as p8
    from ..proofs import p10_spa_horizon as p10

    t = sp.Symbol("t", real=True)
    args = [p8.eta, p8.c, p8.L, p8.sigma2, t, p8.a1, p8.b1]
    exprs = {
        "A_COEF": t * p8.A_COEF,
        "B_COEF": t * p8.B_COEF,
        "RHO": t * p8.RHO + (1 - t) * p10.RHO,
        "NU": t * p8.NU + (1 - t) * p10.NU,
    }
    # P10's lower bound fstar = -m of f is not a coefficient of the chain (any m will do)
    p10_conds = [
        c.subs({p10.eta: p8.eta, p10.c: p8.c, p10.L: p8.L, p10.sigma2: p8.sigma2})
        for c in p10.theorem.region.conditions
    ]
    conds = [(c, False) for c in [t >= 0, t <= 1, *p10_conds]]
    conds += [(c, True) for c in p8.descent.region.conditions]
    names = {a.name for a in args}
    extra = {s.name for c, _ in conds for s in c.free_symbols} - names
    if extra:  # pragma: no cover - the proof files and this module disagree
        raise RuntimeError(f"the chain's regions use symbols {sorted(extra)} it does not set")
    _STEP_PARTS[:] = [args, exprs, conds]
    num = {name: sp.lambdify(args, e, "numpy") for name, e in exprs.items()}
    num_conds = [
        (sp.lambdify(args, c.lhs - c.rhs, "numpy"), type(c), p8_only) for c, p8_only in conds
    ]
    exact = {name: rational_function(e, args) for name, e in exprs.items()}
    exact_conds = [
        (rational_function(c.lhs - c.rhs, args), type(c), p8_only) for c, p8_only in conds
    ]
    return num, num_conds, exact, exact_conds


def step_functions():
    """The chain step's functions (:func:`_build`): (numpy functions, their conditions, exact
    rational functions, their conditions); the exact ones are what
    :func:`~lyapunov.bounds.horizon.verify_chain` trusts."""
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
