"""Mutants of a descent lemma: small changes that should make the checker refuse it.

Used by the tests and by the mutation benchmark. Each mutant is (description, theorem).
"""

from __future__ import annotations

from collections.abc import Iterator

import sympy as sp

from .theorems import DescentLemma

__all__ = ["descent_mutants"]


ONE_PERCENT = sp.Rational(1, 100)


def descent_mutants(th: DescentLemma, factor=ONE_PERCENT) -> Iterator[tuple[str, object]]:
    """Rate up, noise term down, and for each multiplier: negated, its smooth fact moved to
    the swapped pair of points, or the fact dropped."""
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
            if i.name != j.name and kind != "lipschitz":  # lipschitz(i,j) = lipschitz(j,i)
                moved = {k: v for k, v in cert.items() if k != fact}
                moved[getattr(cls, kind)(j, i)] = lam
                yield f"{fact.name} moved to ({j.name},{i.name})", th.replace(certificate=moved)
        if len(cert) > 1:
            dropped = {k: v for k, v in cert.items() if k != fact}
            yield f"{fact.name} dropped", th.replace(certificate=dropped)
