"""Region widenings of the shipped theorems that stay certified (mutation survivors).

Every wrong variant of every theorem is rejected (benchmarks/mutation.py) except some region
widenings: dropping a condition can leave a true, stronger theorem. :data:`EXPECTED` lists
exactly which widenings may be certified, with the reason; :func:`confirm_survivor` confirms a
certified one *numerically*, without the exact checker: on points of the wider region where
the dropped condition fails, the claim is evaluated in floating point (descent lemmas on random
smooth instances, identities on random vectors, inequalities directly); where no such point
exists, the dropped condition must be implied (decided exactly) and documented so.

Used by tests/test_mutation_survivors.py (a seeded sample of the widenings) and by
benchmarks/mutation_survivors.py (every widening).
"""

from __future__ import annotations

import zlib

import sympy as sp
from proofutil import PROOFS, instance_value, sample_region

from lyapunov.engine import (
    DescentLemma,
    Identities,
    Inequalities,
    MalformedError,
    decide,
    vector_coefficients,
)
from lyapunov.loader import load_file, proof_files

__all__ = [
    "EXPECTED",
    "WIDENING_SECONDS",
    "shipped",
    "widenings",
    "documented",
    "widening_id",
    "widening_seed",
    "check_widening",
    "confirm_survivor",
]

# (theorem name prefix, dropped condition) -> why the wider theorem is still true
EXPECTED = {
    ("P1 ", "eta > 0"): "the identities are polynomial in eta: they hold for every eta",
    ("P1 ", "c <= 1"): "the identities hold for every c != 0 (only c appears in denominators)",
    ("P2a", "eta_k > 0"): "the map is an identity for every nonzero eta_k, eta_k1",
    ("P2a", "eta_k1 > 0"): "the map is an identity for every nonzero eta_k, eta_k1",
    ("P2a", "c_k > 0"): "the map is an identity for every c_k",
    ("P2a", "c_k <= 1"): "the map is an identity for every c_k",
    ("P4 ", "c <= 1"): "the certificate is an identity whose multipliers stay >= 0 for c > 1 "
    "on the rest of the region",
    ("P4b", "L*c*eta <= 1"): "implied by L eta < 2 - c: L c eta < c (2 - c) <= 1",
    ("P5 ", "c > 0"): "A = f(z) does not involve c: the lemma holds for any averaging weight",
    ("P5 ", "c <= 1"): "A = f(z) does not involve c: the lemma holds for any averaging weight",
    ("P6b", "eta > 0"): "the claim is about kappa only",
    ("P6b", "L > 0"): "the claim is about kappa only",
    ("P6b", "c > 0"): "implied by L eta (1 - c) <= t c with L eta > 0 and t > 0",
    ("P6b", "c <= 1"): "the claim is about kappa only",
    ("P6d", "L > 0"): "the deterministic ratio 1/(c(2 - c)) does not involve L",
    ("P6d", "c <= 1"): "its claims stay true for c > 1 on the rest of the region",
    ("P7 ", "L*eta <= 2 - c"): "implied by 0 <= b <= b4 (b4 >= 0 needs L eta <= 2 - c)",
    ("P9a", "mu >= 0"): "the identities are rational in mu with only 1 - mu in denominators",
    ("P9b", "b >= 0"): "the identities are rational in b with only 1 - b in denominators",
    ("P9b", "nu >= 0"): "the identities are polynomial in nu",
    ("P9b", "nu <= 1"): "the identities are polynomial in nu",
    ("P9c", "gamma > 0"): "the identities are polynomial in gamma",
    ("P9c", "c > 0"): "the identities are polynomial in c",
    ("P9c", "c <= 1"): "the identities are polynomial in c",
    ("P9c", "beta <= 1"): "only beta itself appears in denominators (beta > 0 stays)",
    ("P9c", "w > 0"): "w/((k + 1) w) is the rational function 1/(k + 1)",
    ("P9d", "gamma > 0"): "the identities are polynomial in gamma and c",
    ("P9d", "c > 0"): "the identities are polynomial in gamma and c",
    ("P9d", "c <= 1"): "the identities are polynomial in gamma and c",
    ("P4c reach: below", "c > 0"): "the identities are rational with only 2 - c in denominators",
    ("P4c reach: every", "eta > 0"): "for L eta <= 0 the claim's left side is <= 0 < 4 (2 - c)^2; "
    "the rest of the region keeps it otherwise",
    ("P4c reach: every", "L > 0"): "for L eta <= 0 the claim's left side is <= 0 < 4 (2 - c)^2; "
    "the rest of the region keeps it otherwise",
    ("P4c reach: every", "c > 0"): "the rest of the region keeps the claim for c <= 0 too "
    "(certified by the checker, confirmed at points with c <= 0 here)",
    ("P12", "beta >= 0"): "the certificate's multipliers and residual stay valid for beta < 0 "
    "(extrapolation past z): certified by the checker, confirmed on random instances here",
    ("P24 ", "c <= 1"): "the four multipliers p/c, (p - l)/c, r/c, (r - c - l)/c and the "
    "variance's stay >= 0 for c > 1 on the rest of the region (the residual is identically 0)",
    ("P24a", "c > 0"): "the identities are polynomial in c: they hold for every c",
    ("P24a", "c <= 1"): "the identities are polynomial in c: they hold for every c",
    ("P25 ", "beta >= 0"): "as P12 (its certificate): the multipliers and residual stay valid "
    "for beta < 0 (extrapolation past z)",
    ("P26 ", "beta >= 0"): "as P12 (its certificate with the signs of lam and kappa turned): "
    "the multipliers and residual stay valid for beta < 0 (extrapolation past z)",
    ("P14 ", "mu > 0"): "for mu <= 0 the interpolation conditions describe the L-smooth f of "
    "curvature >= mu, x_* a stationary point, and the rate (1 - mu eta)^2 >= 1 still holds: "
    "certified by the checker, confirmed on random quadratics of spectrum [mu, L] here",
    ("P17 ", "c > 0"): "implied by c ((2 - c)(1 + t) - t^2)^2 >= 4 (1 - c)^2 (1 + t) t^2 > 0",
    ("P19 ", "c > 0"): "implied by 2 c (1 - m)(1 - c t) >= m t > 0 with m < 1 (c <= 0 makes the "
    "left side <= 0)",
    ("P19 ", "m < 1"): "implied by the two conditions on (c, m, t) (decided exactly: no point "
    "with m >= 1 satisfies both)",
    ("P19 ", "m*t < 2"): "implied by 2 c (1 - m)(1 - c t) >= m t with 0 < c < 1, 0 < m < 1 "
    "(then m t <= 2 c (1 - m) < 2); stated so that the second solver decides q >= 0 at once",
    ("P23 ", "m < 1"): "implied by the conditions on (c, m, t) (decided exactly: no point with "
    "m >= 1 satisfies them)",
    ("P23 ", "2*c >= 3*m*t"): "implied by the other conditions (decided exactly); stated as it is "
    "p >= 0, the potential's weight of |x - x_*|^2",
    (
        "P23 ",
        "24*c**2*m*t + 12*c**2*m - 4*c**2 - 18*c*m**2*t - 18*c*m*t - 18*c*m + 27*m**2*t <= 0",
    ): "implied by the other conditions (decided exactly); stated so that the residual's pivot "
    "t K / (-4 L D) is >= 0 by the region's own conditions (the second solver cannot decide it "
    "from the others)",
    ("P21b", "t < 2"): "implied by Q = c (1 + 4t - t^2) - 3t >= 0 with 0 < c < 1: for "
    "t >= (1 + sqrt 5)/2, c (1 + 4t - t^2) < max(0, 1 + 4t - t^2) <= 3t",
    ("P21b", "c > 0"): "implied by Q >= 0 with 0 < t < 2: c <= 0 gives c (1 + 4t - t^2) <= 0 < 3t",
    ("P22a", "m >= 0"): "the descent holds at every real step counter k = m + 1 + j the other "
    "conditions allow (m >= 0 only says k0 >= 1): certified by the checker, confirmed on random "
    "instances here",
    ("P22a", "L*lr*(3 - 2*beta) <= 3"): "implied by the reach condition: with k0 = m + 1 >= 1 "
    "and 0 < beta < 1 it says L lr <= (3 k0 + 2)/(3 k0 + 2 - 2 beta k0) <= 3/(3 - 2 beta)",
    ("P22b", "lr > 0"): "implied by r > 0 and R_k - r > 0 (R_k > 0 needs lr > 0 there; decided "
    "exactly)",
    ("P22b", "beta > 0"): "the conditions are the minors of the residual for any beta: at "
    "beta <= 0 the lemma still holds where they do (certified by the checker, confirmed on "
    "random instances here)",
    ("P22b", "k >= 0"): "the lemma is one step with c = 1/(k + 1): the minors decide it for any "
    "real k > -1 (certified by the checker, confirmed on random instances here)",
    ("P22b", "-L/(2*(k + 1)**2) + a - a1*(1 - 1/(k + 1))**2 > 0"): "a - A'_k >= 0 is implied by "
    "the determinant condition with R_k - r > 0; only a = A'_k (then B_k = 0) is added, where "
    "the residual is still NSD",
    ("P22b", "beta < 1"): "the conditions are the minors of the residual for any beta: at "
    "beta >= 1 (y beyond x) the lemma still holds where they do (certified by the checker, "
    "confirmed on random instances here)",
    (
        "P22b",
        "-L*lr**2*(-beta*(1 - 1/(k + 1)) + 1)**2/2 - a1*beta**2*lr**2*(1 - 1/(k + 1))**2 "
        "+ lr*(-beta*(1 - 1/(k + 1)) + 1) - r > 0",
    ): "R_k - r >= 0 is implied by the determinant condition with a - A'_k > 0; only R_k = r "
    "(then B_k = 0) is added, where the residual is still NSD",
    ("P20 ", "m <= 1"): "for mu > L only constant functions are L-smooth and mu-PL "
    "(f - f_* <= |g|^2/(2 mu) <= L (f - f_*)/mu): the claim holds vacuously (certified by the "
    "checker; no member to confirm it on)",
    (
        "P11",
        "-4*L*b**2*beta*eta*(1 - c)**2 + c*(-2*b - eta*(-beta*(1 - c) + 1)*(4*L**2*b*eta*s*"
        "(1 - beta)*(1 - c)/c + L*(4*b*(1 - c)/c + 1)) + 1) >= 0",
    ): "not needed by the lemma as certified (the other conditions keep the multipliers >= 0 "
    "and the residual NSD): certified by the checker (~25 s); implied by the other conditions "
    "(decided exactly in ~25 s: no point of the wider region violates it)",
}
#: seconds per widening not documented in EXPECTED: such a widening must not be certified, and
#: one that times out is not (a documented one gets more: P11's check takes ~25 s)
WIDENING_SECONDS = 8


def shipped() -> list:
    """Every theorem in proofs/, in file order."""
    return [item.theorem for p in proof_files([PROOFS]) for item in load_file(p)]


def widenings(theorems) -> list[tuple]:
    """(theorem, condition) for every condition of every theorem's region but sigma2 >= 0."""
    return [
        (th, cond) for th in theorems for cond in th.region.conditions if str(cond) != "sigma2 >= 0"
    ]


def documented(th, cond) -> tuple[str, str] | None:
    """The key of :data:`EXPECTED` that documents this widening, or None."""
    for prefix, c in EXPECTED:
        if th.name.startswith(prefix) and str(cond) == c:
            return prefix, c
    return None


def widening_id(th, cond) -> str:
    """A short readable test id: the theorem's label and the dropped condition."""
    return f"{th.name.split(' ')[0]} without {str(cond)[:40]}"


def widening_seed(th, cond) -> int:
    """A seed of its own for each widening (stable across processes, unlike ``hash``)."""
    return zlib.crc32(f"{th.name}|{cond}".encode())


def check_widening(th, cond, timeout: float = WIDENING_SECONDS):
    """(the widened theorem, its verdict's status); (None, "malformed") when the widening is
    rejected as stated (e.g. a symbol no longer declared)."""
    rest = [c for c in th.region.conditions if c is not cond]
    try:
        m = th.replace(region=rest)
        return m, m.check(timeout=timeout).status
    except MalformedError:
        return None, "malformed"


def _float(expr, pt) -> float:
    return float(sp.sympify(expr).subs(pt))


def _confirm_identities(m: Identities, pt) -> None:
    for label, lhs, rhs in m.equations:
        diff = sp.sympify(lhs) - sp.sympify(rhs)
        try:
            coeffs = vector_coefficients(diff)
        except ValueError:
            coeffs = {None: diff}
        for c in coeffs.values():
            assert abs(_float(c, pt)) < 1e-9, (m.name, label, pt)


def _rough_outside(m, cond):
    """A float pre-filter for "in the wider region and outside the dropped condition": False
    only where every condition can be evaluated and one clearly fails (by more than 1e-9);
    the exact test decides every point that passes it."""
    syms = tuple(sorted(set(m.region.symbols) | cond.free_symbols, key=str))
    ops = {
        sp.StrictGreaterThan: lambda v: v > -1e-9,
        sp.GreaterThan: lambda v: v >= -1e-9,
        sp.StrictLessThan: lambda v: v < 1e-9,
        sp.LessThan: lambda v: v <= 1e-9,
    }
    negated = {
        sp.StrictGreaterThan: ops[sp.LessThan],
        sp.GreaterThan: ops[sp.StrictLessThan],
        sp.StrictLessThan: ops[sp.GreaterThan],
        sp.LessThan: ops[sp.StrictGreaterThan],
    }
    tests = []
    for c, table in [(c, ops) for c in m.region.conditions] + [(cond, negated)]:
        if type(c) not in table or not c.free_symbols <= set(syms):
            continue  # no float test for it: the exact test alone decides
        tests.append((sp.lambdify(syms, c.lhs - c.rhs, "math"), table[type(c)]))

    def maybe(p) -> bool:
        try:
            vals = [float(p[s]) for s in syms]
            return all(op(fn(*vals)) for fn, op in tests)
        except (KeyError, ZeroDivisionError, OverflowError, ValueError, TypeError):
            return True

    return maybe


def _outside_points(m, cond, pts, rng, n: int = 8) -> list[dict]:
    """Points of the wider region where the dropped condition fails: among the samples, else
    by moving the dropped condition's symbols of a sample anywhere in [-4, 4] (the sampler
    draws positive values only, which would make e.g. `c_k > 0` look implied)."""
    out = [p for p in pts if not bool(cond.subs(p))]
    syms = sorted(cond.free_symbols, key=str)
    maybe = _rough_outside(m, cond)
    for tries in range(4000):
        if len(out) >= n:
            break
        p = dict(pts[tries % len(pts)])
        for s in syms:
            p[s] = sp.Rational(int(rng.integers(-4000, 4001)), 1000)
        if maybe(p) and m.region.contains(p) and not bool(cond.subs(p)):
            out.append(p)
    return out


_OPS = {
    sp.StrictGreaterThan: ">",
    sp.GreaterThan: ">=",
    sp.StrictLessThan: "<",
    sp.LessThan: "<=",
    sp.Eq: "==",
}


def confirm_survivor(th, cond, m, rng, decide_seconds: float = 300.0) -> str:
    """Confirm a certified widening ``m`` (``th`` without ``cond``) numerically; returns
    "confirmed" (checked at points where ``cond`` fails) or "implied" (no such point: ``cond``
    is decided to follow from the rest of the region, and documented so). Asserts."""
    pts = sample_region(m, rng, 20)
    free = sorted(cond.free_symbols - set(m.region.symbols), key=str)
    for p in pts:  # a symbol only the dropped condition constrained: any real value
        p.update({s: sp.Rational(int(rng.integers(-4000, 4000)), 1000) for s in free})
    outside = _outside_points(m, cond, pts, rng)
    if not outside:
        # no sampled point of the wider region violates the dropped condition: decide it
        # exactly on the wider region; a counterexample is a point to confirm the claim at,
        # a proof means it is implied by the others (and must be documented so)
        dec = decide(cond.lhs - cond.rhs, _OPS[type(cond)], m.region, timeout=decide_seconds)
        if dec.status == "refuted":
            outside = [{s: sp.Rational(dec.point[s.name]) for s in m.region.symbols}]
        else:
            assert "implied" in EXPECTED[documented(th, cond)], (m.name, str(cond))
            assert dec.status == "proved", (m.name, str(cond))
            return "implied"
    for pt in outside[:8]:
        if isinstance(m, DescentLemma):
            for fam in ("quadratic", "cosines", "logcosh", "double-well"):
                val = instance_value(m, pt, rng, fam)
                assert val is None or val <= 1e-8, (m.name, str(cond), pt, fam, val)
        elif isinstance(m, Identities):
            _confirm_identities(m, pt)
        elif isinstance(m, Inequalities):
            for label, expr, op in m.conditions:
                v = _float(expr, pt)
                ok = {
                    ">": v > -1e-12,
                    ">=": v >= -1e-12,
                    "<": v < 1e-12,
                    "<=": v <= 1e-12,
                    "==": abs(v) < 1e-12,
                }[op]
                assert ok, (m.name, label, pt, v)
        else:
            raise AssertionError(f"{m.name}: no numeric confirmation for {type(m).__name__}")
    return "confirmed"
