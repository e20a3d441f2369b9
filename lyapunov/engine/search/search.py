"""Certificate search: floating point *finds* multipliers, exact checking *accepts* them.

At one parameter point, the best certificate for a descent-lemma shape is a small semidefinite
program: the multipliers (and any unknown coefficients of the Lyapunov function, the rate...)
enter the residual linearly, function values must cancel, the constant term must be <= 0 for
every sigma2 >= 0, and the residual quadratic form must be negative semidefinite.
:func:`search` solves it with cvxpy (optional dependency: ``pip install lyapunov[search]``);
:func:`rationalize` rounds the solution to rationals and :func:`check_at` checks it *exactly*
at that point, so a search result is never trusted on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

import sympy as sp

from ..kernel.facts import Fact
from ..kernel.forms import Form
from ..kernel.setting import OneStep

__all__ = ["SearchResult", "search", "rationalize", "check_at"]


@dataclass
class SearchResult:
    status: str  # cvxpy status
    objective: float | None
    unknowns: dict[sp.Symbol, float]
    multipliers: dict[Fact, float]


def search(
    step: OneStep,
    lyapunov: Callable[..., Form],
    rho: sp.Expr,
    nu: sp.Expr,
    facts: Sequence[Fact],
    point: Mapping[sp.Symbol, object],
    unknowns: Sequence[sp.Symbol] = (),
    maximize: sp.Expr | None = None,
    constraints: Sequence[sp.Basic] = (),
    lyapunov_next: Callable[..., Form] | None = None,
) -> SearchResult:
    """Best multipliers at one parameter point (numerical SDP).

    ``unknowns`` are symbols that may appear linearly in the Lyapunov function, rho or nu
    (e.g. its weights, or rho itself); ``maximize`` is a linear objective in them;
    ``constraints`` are linear inequalities in them (e.g. ``[p >= 0, p <= 1, a >= 0]``);
    ``lyapunov_next`` gives A_{k+1} when its coefficients differ from A_k's (schedules).
    The SDP is the synthesizer's (:mod:`.linear`, :mod:`.sdp`) at the single point.
    """
    from ..kernel.auto import Unknown
    from ..kernel.linear import Affine, LinearResidual, split_affine
    from ..kernel.theorems import DescentLemma
    from .sdp import solve_at

    subs = {u: Unknown(u.name) for u in unknowns}

    def lifted(fn):
        return None if fn is None else (lambda *pts: Form.lift(fn(*pts)).subs(subs))

    pt = {k: v if isinstance(v, sp.Basic) else sp.nsimplify(v) for k, v in point.items()}
    th = DescentLemma(
        name="search",
        step=step,
        region=[sp.Eq(s, v) for s, v in pt.items()],
        lyapunov=lifted(lyapunov),
        lyapunov_next=lifted(lyapunov_next),
        rho=sp.sympify(rho).subs(subs),
        nu=sp.sympify(nu).subs(subs),
        certificate=dict.fromkeys(facts, sp.Integer(0)),  # not read: the facts are the pool
    )
    lin = LinearResidual(th, list(facts), side=False)
    names = list(subs.values())

    def affine(expr) -> Affine:
        return Affine(split_affine(sp.sympify(expr).subs(subs), names))

    extra, at_least = [], []
    for c in constraints:
        diff = affine(c.lhs - c.rhs)
        if isinstance(c, (sp.GreaterThan, sp.StrictGreaterThan)):
            at_least.append((diff, 0.0))
        elif isinstance(c, (sp.LessThan, sp.StrictLessThan)):
            at_least.append((Affine({k: -v for k, v in diff.coeffs.items()}), 0.0))
        elif isinstance(c, sp.Eq):
            extra.append(diff)
        else:
            raise ValueError(f"search: unsupported constraint {c}")
    res = solve_at(
        lin.numeric(pt),
        pt,
        set(facts),
        extra=extra,
        at_least=at_least,
        maximize=None if maximize is None else affine(maximize),
    )
    if not res.feasible:
        return SearchResult(res.status, None, {}, {})
    back = {v: u for u, v in subs.items()}
    values = dict(zip(lin.variables, res.values, strict=True))
    return SearchResult(
        res.status,
        res.best,
        {back[u]: float(values[u]) for u in names},
        {f: max(0.0, float(values[f])) for f in facts},
    )


def rationalize(x: float, max_den: int = 10**6) -> sp.Rational:
    """The rational with denominator at most ``max_den`` closest to x."""
    q = Fraction(x).limit_denominator(max_den)
    return sp.Rational(q.numerator, q.denominator)


def check_at(
    theorem_factory: Callable[..., object], point: Mapping[sp.Symbol, object], timeout: float = 30.0
):
    """Check exactly, at a single rational point, a theorem built by ``theorem_factory``.

    ``theorem_factory(region)`` must return a theorem for the given region; the region used is
    ``[s == value for each parameter]``, so the verdict is exact for that point only.
    """
    region = [sp.Eq(s, sp.nsimplify(v)) for s, v in point.items()]
    return theorem_factory(region).check(timeout=timeout)
