"""A screen of the parts of a structured decision (:mod:`.structure`), in floating point: a part
that fails clearly at a sample point of the region is not asked of the solver, as it could
only fail there. Never a verdict: a skipped part is merely not proved by its parts, and the
condition is then decided as a whole; a screen that skipped every part would cost time, never
soundness."""

from __future__ import annotations

import math

import sympy as sp

from . import sampling
from .region import Region

__all__ = ["fails_at_a_sample", "points", "SCREEN_MARGIN"]

#: relative margin of the screen of :func:`fails_at_a_sample` (far above round-off)
SCREEN_MARGIN = 1e-6


def fails_at_a_sample(expr: sp.Expr, op: str, region: Region, samples: int) -> bool:
    """A screen of a structured decision's part (never a verdict: a part that is skipped is
    merely not proved by its parts, and the whole condition is then decided as a whole):
    ``expr op 0`` fails clearly, in floating point, at one of the sample points of the region
    (:func:`points`, ``samples`` of them and as many near its boundary): expr = N / D with N
    and D each farther from 0 than :data:`SCREEN_MARGIN` of the size of its terms, and the
    sign of N / D the wrong one."""
    at = points(region, samples)
    syms = region.symbols
    if not at or not expr.free_symbols <= set(syms) or op not in (">", ">=", "<", "<="):
        return False
    parts = []
    for part in sp.fraction(sp.together(expr)):
        terms = sp.Add.make_args(sp.expand(part))
        parts.append(sp.lambdify(syms, [part, sum(abs(t) for t in terms)], "math"))
    sign = 1.0 if op in (">", ">=") else -1.0
    for p in at:
        try:
            (n, n_size), (d, d_size) = (f(*p) for f in parts)
        except (ZeroDivisionError, OverflowError, ValueError, TypeError):
            continue
        clear = all(
            math.isfinite(v) and abs(v) > SCREEN_MARGIN * (1.0 + size)
            for v, size in ((n, n_size), (d, d_size))
        )
        if clear and sign * n * d < 0:
            return True
    return False


def points(region: Region, samples: int) -> list[tuple[float, ...]]:
    """The sample points of the region's decisions in floats
    (:func:`~.sampling.region_candidates`: random and near its boundary, by the float
    membership test)."""
    syms = region.symbols
    return [tuple(float(p[s]) for s in syms) for p in sampling.region_candidates(region, samples)]
