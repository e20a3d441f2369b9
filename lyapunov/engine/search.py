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

from .forms import Form, sqnorm
from .setting import OneStep
from .smooth import Fact

__all__ = ["SearchResult", "search", "rationalize", "check_at"]


@dataclass
class SearchResult:
    status: str  # cvxpy status
    objective: float | None
    unknowns: dict[sp.Symbol, float]
    multipliers: dict[Fact, float]


def _claim(step: OneStep, lyapunov: Callable, rho, nu, lyapunov_next=None) -> Form:
    a_next = Form.lift((lyapunov_next or lyapunov)(*step.next))
    a_now = Form.lift(lyapunov(*step.current))
    g = step.rate_point.grad
    return a_next - a_now + rho * sqnorm(g) - Form(const=nu * step.sigma2)


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
    solver: str | None = None,
    lyapunov_next: Callable[..., Form] | None = None,
) -> SearchResult:
    """Best multipliers at one parameter point (numerical SDP).

    ``unknowns`` are symbols that may appear linearly in the Lyapunov function, rho or nu
    (e.g. its weights, or rho itself); ``maximize`` is a linear objective in them;
    ``constraints`` are linear inequalities in them (e.g. ``[p >= 0, p <= 1, a >= 0]``);
    ``lyapunov_next`` gives A_{k+1} when its coefficients differ from A_k's (schedules).
    """
    import cvxpy as cp  # optional dependency, imported on use
    import numpy as np

    unknowns = list(unknowns)
    pt = {k: v if isinstance(v, sp.Basic) else sp.nsimplify(v) for k, v in point.items()}
    sigma2 = step.sigma2
    free_sigma2 = sigma2 not in pt

    def split(expr) -> dict:
        """expr (affine in the unknowns) -> {source: number}; source 1 is the constant."""
        expr = sp.expand(sp.sympify(expr).subs(pt))
        out = {}
        rest = expr
        for u in unknowns:
            c = expr.coeff(u)
            if c.free_symbols:
                raise ValueError(f"search: {expr} is not linear in the unknown {u}")
            if c != 0:
                out[u] = float(c)
            rest = rest - c * u
        rest = sp.expand(rest)
        if rest.free_symbols:
            raise ValueError(f"search: {expr} depends on {sorted(map(str, rest.free_symbols))}")
        if rest != 0:
            out[1] = float(rest)
        return out

    # the residual is  claim - sum_i lam_i F_i : a linear combination of "sources"
    terms: list[tuple[object, Form]] = [(None, _claim(step, lyapunov, rho, nu, lyapunov_next))]
    terms += [(fact, -1 * fact.form) for fact in facts]
    terms = [(src, form.drop_cross([step.xi], step.known)) for src, form in terms]
    fnames = sorted({n for _, form in terms for n in form.fvals})
    basis = sorted({b for _, form in terms for k in form.quad for b in k}, key=lambda s: s.name)
    idx = {b: i for i, b in enumerate(basis)}
    n = len(basis)
    var = {u: cp.Variable(name=u.name) for u in unknowns}
    lam = {fact: cp.Variable(nonneg=True, name=fact.name) for fact in facts}

    def value(src, key):
        if src is not None:
            return lam[src]
        return 1.0 if key == 1 else var[key]

    fcons = {name: 0 for name in fnames}
    const_parts = {0: 0, 1: 0} if free_sigma2 else {None: 0}
    M = 0
    for src, form in terms:
        for name, coef in form.fvals.items():
            for key, x in split(coef).items():
                fcons[name] = fcons[name] + x * value(src, key)
        const = sp.expand(sp.sympify(form.const))
        for pw in const_parts:
            # sigma2 free: the constant is c0 + c1 sigma2 and both must be <= 0
            part = (
                const
                if pw is None
                else (const.subs(sigma2, 0) if pw == 0 else const.coeff(sigma2, 1))
            )
            for key, x in split(part).items():
                const_parts[pw] = const_parts[pw] + x * value(src, key)
        for (a, b), coef in form.quad.items():
            E = np.zeros((n, n))
            i, j = idx[a], idx[b]
            if i == j:
                E[i, i] = 1.0
            else:
                E[i, j] = E[j, i] = 0.5
            for key, x in split(coef).items():
                M = M + (x * E) * value(src, key)
    cons = [e == 0 for e in fcons.values() if not isinstance(e, int)]
    cons += [e <= 0 for e in const_parts.values() if not isinstance(e, int)]
    if n:
        cons.append(-M >> 0)
    for c in constraints:
        parts = split(c.lhs - c.rhs)
        lhs = sum(x * value(None, key) for key, x in parts.items())
        op = type(c)
        if op in (sp.GreaterThan, sp.StrictGreaterThan):
            cons.append(lhs >= 0)
        elif op in (sp.LessThan, sp.StrictLessThan):
            cons.append(lhs <= 0)
        elif op is sp.Eq:
            cons.append(lhs == 0)
        else:
            raise ValueError(f"search: unsupported constraint {c}")
    if maximize is not None:
        obj = cp.Maximize(sum(x * value(None, k) for k, x in split(maximize).items()))
    else:
        obj = cp.Minimize(0)
    prob = cp.Problem(obj, cons)
    prob.solve(solver=solver or ("CLARABEL" if "CLARABEL" in cp.installed_solvers() else None))
    ok = prob.status in ("optimal", "optimal_inaccurate")
    return SearchResult(
        prob.status,
        float(prob.value) if ok and maximize is not None else None,
        {u: float(v.value) for u, v in var.items()} if ok else {},
        {f: max(0.0, float(v.value)) for f, v in lam.items()} if ok else {},
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
