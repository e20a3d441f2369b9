"""Mutants of a descent lemma: small changes that should make the checker refuse it.

Used by the tests and by the mutation benchmark. Each mutant is (description, theorem).
"""

from __future__ import annotations

from collections.abc import Iterator

import sympy as sp

from lyapunov.engine.kernel.potential import Potential
from lyapunov.engine.kernel.theorems import DescentLemma, Identities, Inequalities

__all__ = [
    "descent_mutants",
    "region_mutants",
    "identity_mutants",
    "inequality_mutants",
    "mutants_of",
]


ONE_PERCENT = sp.Rational(1, 100)


def descent_mutants(th: DescentLemma, factor=ONE_PERCENT) -> Iterator[tuple[str, object]]:
    """Rate up, noise term down, and for each multiplier: negated, its smooth fact moved to
    the swapped pair of points, or the fact dropped."""
    if isinstance(th, Potential) and th.measure != "avg_gap":  # a faster contraction, less drift
        yield f"contraction * (1 - {factor})", th.replace(contraction=th.contraction * (1 - factor))
        if th.drift != 0:
            yield f"drift * (1 - {factor})", th.replace(drift=th.drift * (1 - factor))
    else:
        yield f"rho * (1 + {factor})", th.replace(rho=th.rho * (1 + factor))
    if th.nu != 0:
        yield f"nu * (1 - {factor})", th.replace(nu=th.nu * (1 - factor))
    cert = dict(th.certificate)
    for fact, lam in cert.items():
        if lam == 0:
            continue
        flipped = dict(cert)
        flipped[fact] = -lam
        yield f"multiplier of {fact.name} negated", th.replace(certificate=flipped)
        if fact.origin is not None:
            cls, kind, i, j = fact.origin
            # lipschitz(i,j) = lipschitz(j,i); a one-point fact (pl(p), bounded(p)) has no swap
            if i.name != j.name and kind != "lipschitz" and kind not in cls.UNARY:
                moved = {k: v for k, v in cert.items() if k != fact}
                moved[getattr(cls, kind)(j, i)] = lam
                yield f"{fact.name} moved to ({j.name},{i.name})", th.replace(certificate=moved)
        if len(cert) > 1:
            dropped = {k: v for k, v in cert.items() if k != fact}
            yield f"{fact.name} dropped", th.replace(certificate=dropped)


def identity_mutants(th: Identities):
    one = sp.Rational(1, 100)
    p = th.region.symbols[0]
    for i, (label, lhs, rhs) in enumerate(th.equations):
        if sp.simplify(sp.sympify(lhs) - sp.sympify(rhs)) == 0 and lhs == rhs:
            continue
        eqs = list(th.equations)
        eqs[i] = (label, lhs, rhs * (1 + one * p) if rhs != 0 else one * p)
        yield f"{label}: rhs perturbed", lambda eqs=eqs: th.replace(equations=eqs)


def inequality_mutants(th: Inequalities):
    for i, (label, rel) in enumerate(th.claims):
        scale = sp.Rational(1, 100)
        lhs, rhs = rel.lhs, rel.rhs
        # move the claim against its direction by 1% of |lhs| + 1 (always strictly stronger)
        bump = scale * (1 + lhs**2)
        if isinstance(rel, (sp.GreaterThan, sp.StrictGreaterThan)):
            new = type(rel)(lhs, rhs + bump)
        elif isinstance(rel, (sp.LessThan, sp.StrictLessThan)):
            new = type(rel)(lhs, rhs - bump)
        else:
            new = sp.Eq(lhs, rhs + bump)
        claims = list(th.claims)
        claims[i] = (label, new)
        yield f"{label}: tightened", lambda claims=claims: th.replace(claims=claims)


def region_mutants(th):
    """Widen the region: drop one condition at a time (sigma2 >= 0 is part of the model)."""
    conds = list(th.region.conditions)
    for i, cnd in enumerate(conds):
        if str(cnd) == "sigma2 >= 0":
            continue
        rest = conds[:i] + conds[i + 1 :]
        yield f"region without {cnd}", lambda rest=rest: th.replace(region=rest)


def mutants_of(th):
    """Every mutant of a theorem as (description, thunk building it); building may raise
    MalformedError (a mutant rejected as stated)."""
    yield from region_mutants(th)
    if isinstance(th, DescentLemma):
        for desc, m in descent_mutants(th):
            yield desc, lambda m=m: m
    elif isinstance(th, Identities):
        yield from identity_mutants(th)
    elif isinstance(th, Inequalities):
        yield from inequality_mutants(th)
