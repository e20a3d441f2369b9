"""Rational sample points of a region (for searches and numeric cross-checks, never verdicts).

Rejection sampling in a box: a floating-point pre-filter keeps it fast, the exact membership
test :meth:`Region.contains` decides. Points near the boundary (where certificates tend to
break) come from walking from an interior point towards the boundary along a random direction.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import sympy as sp

from .region import Region

__all__ = ["sample_region", "near_boundary", "candidates", "region_candidates"]

# parameters of a method range over (0, 4]; any other (e.g. a Lyapunov weight) over (0, 1]
_WIDE = ("eta", "L", "sigma2", "c", "lr", "gamma", "alpha")

_OPS = {
    sp.StrictGreaterThan: lambda v: v > -1e-9,
    sp.GreaterThan: lambda v: v >= -1e-9,
    sp.StrictLessThan: lambda v: v < 1e-9,
    sp.LessThan: lambda v: v <= 1e-9,
    sp.Eq: lambda v: abs(v) < 1e-9,
}


def _rough(region: Region):
    """A float test of membership (necessary, up to round-off), or None if it cannot be built."""
    return _rough_of(region.symbols, region.conditions)


@functools.lru_cache(maxsize=64)
def _rough_of(syms: tuple, conditions: tuple):
    region = Region(syms, conditions)
    tests = [
        (sp.lambdify(syms, c.lhs - c.rhs, "math"), _OPS.get(type(c), lambda v: True))
        for c in region.conditions
    ]

    def inside(vals) -> bool:
        try:
            return all(op(fn(*vals)) for fn, op in tests)
        except (ZeroDivisionError, OverflowError, ValueError):
            return False

    return inside


def _fixed(region: Region) -> dict[sp.Symbol, sp.Rational]:
    """Parameters the region pins to a number (``L == 1``)."""
    out = {}
    for c in region.conditions:
        if isinstance(c, sp.Eq):
            lhs, rhs = c.lhs, c.rhs
            if lhs.is_Symbol and rhs.is_Rational:
                out[lhs] = rhs
            elif rhs.is_Symbol and lhs.is_Rational:
                out[rhs] = lhs
    return out


def sample_region(
    region: Region,
    rng: np.random.Generator,
    n: int,
    skip: tuple[sp.Symbol, ...] = (),
    tries: int = 2000,
    exact: bool = True,
) -> list[dict[sp.Symbol, sp.Rational]]:
    """Up to ``n`` random rational points of the region (fewer if it is too thin to hit).

    Parameters in ``skip`` are left out of the points (e.g. sigma2, which a certificate must
    not depend on); the region is then tested at sigma2 = 1 for them. ``exact=False`` keeps
    the points that pass the floating-point test only (candidates: a caller that relies on
    one must test it with :meth:`Region.contains`).
    """
    syms = region.symbols
    fixed = _fixed(region)
    inside = _rough(region)
    out: list[dict] = []
    c_sym = next((s for s in syms if s.name == "c"), None)
    for _ in range(tries * n):
        if len(out) >= n:
            break
        pt = {}
        for s in syms:
            if s in fixed:
                pt[s] = fixed[s]
            elif s in skip:
                pt[s] = sp.Integer(1)
            else:
                top = 4000 if s.name in _WIDE else 1000
                pt[s] = sp.Rational(int(rng.integers(1, top)), 1000)
        if c_sym is not None and c_sym not in fixed and rng.random() < 0.2:
            pt[c_sym] = sp.Integer(1)
        if inside([float(pt[s]) for s in syms]) and (not exact or region.contains(pt)):
            out.append({s: v for s, v in pt.items() if s not in skip})
    return out


def near_boundary(
    region: Region,
    point: dict[sp.Symbol, sp.Rational],
    rng: np.random.Generator,
    fraction: float = 0.95,
    skip: tuple[sp.Symbol, ...] = (),
    exact: bool = True,
) -> dict[sp.Symbol, sp.Rational] | None:
    """A rational point of the region ``fraction`` of the way from ``point`` to the boundary
    along a random direction (None if none is found). ``exact=False``: a candidate that
    passes the floating-point test only (see :func:`sample_region`)."""
    syms = [s for s in region.symbols if s not in _fixed(region) and s not in skip]
    if not syms:
        return None
    inside = _rough(region)
    base = {s: point.get(s, sp.Integer(1)) for s in region.symbols}
    x0 = np.array([float(base[s]) for s in region.symbols])
    d_free = rng.standard_normal(len(syms))
    d = np.zeros(len(region.symbols))
    for s, v in zip(syms, d_free, strict=True):
        d[region.symbols.index(s)] = v * max(abs(x0[region.symbols.index(s)]), 0.1)
    lo, hi = 0.0, 1.0
    while inside(x0 + hi * d) and hi < 1e3:
        lo, hi = hi, 2 * hi
    if hi >= 1e3:
        return None
    for _ in range(40):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if inside(x0 + mid * d) else (lo, mid)
    t = fraction * lo
    for den in (10**3, 10**4, 10**6):
        cand = dict(base)
        for s in syms:
            i = region.symbols.index(s)
            v = x0[i] + t * d[i]
            if not math.isfinite(v):
                return None
            cand[s] = sp.Rational(round(v * den), den)
        if region.contains(cand) if exact else inside([float(cand[s]) for s in region.symbols]):
            return {s: v for s, v in cand.items() if s not in skip}
    return None


def candidates(region: Region, n: int, seed: int = 0) -> list[dict[sp.Symbol, sp.Rational]]:
    """Up to ``n`` random rational points and as many near the boundary (95% -> 99% of the way
    along a random direction), tested by the floating-point membership test only: candidates
    for a counterexample search, each of which the caller must test exactly
    (:meth:`Region.contains`) before relying on it."""
    if n <= 0:
        return []
    rng = np.random.default_rng(seed)
    points = sample_region(region, rng, n, tries=200, exact=False)
    return points + [
        q
        for p in points
        if (q := near_boundary(region, p, rng, fraction=0.99, exact=False)) is not None
    ]


def region_candidates(region: Region, n: int) -> tuple[dict[sp.Symbol, sp.Rational], ...]:
    """:func:`candidates` with seed 0, computed once per region and ``n`` (the sampled
    counterexamples of a decision and the screen of its parts ask for the same points many
    times); read-only."""
    return _region_candidates(tuple(region.symbols), tuple(region.conditions), n)


@functools.lru_cache(maxsize=64)
def _region_candidates(syms: tuple, conditions: tuple, n: int) -> tuple:
    return tuple(candidates(Region(syms, conditions), n))
