"""Exact positive-semidefiniteness of a symbolic matrix over a region.

A symmetric matrix M(params) is PSD at a point iff *all* its principal minors are >= 0 there.
We first try a symbolic LDL^T whose pivots are decided one by one (:mod:`.ldl`), then
Sylvester's sufficient test (leading minors 1..n-1 strictly positive and det >= 0),
which needs only n decisions; if any of those cannot be proved we fall back to the complete
test over all 2^n - 1 principal minors, which is exact in both directions.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import sympy as sp
from sympy.polys.matrices import DomainMatrix

from .decide import Decision, decide
from .ldl import ldl_psd
from .region import Region

__all__ = ["decide_nsd", "decide_psd", "indefinite_witness", "PSDResult"]


@dataclass
class PSDResult:
    decision: Decision
    minor: tuple[int, ...] | None = None  # indices of the failing principal minor
    witness: list[Fraction] | None = None  # v with v^T M v < 0 at the counterexample point


def _nonzero_indices(M: sp.Matrix) -> list[int]:
    n = M.shape[0]
    return [i for i in range(n) if any(M[i, j] != 0 for j in range(n))]


def _minor(M: sp.Matrix, idx: tuple[int, ...]) -> sp.Expr:
    """Exact principal minor, computed over the field of rational functions (fast)."""
    sub = M.extract(list(idx), list(idx))
    if len(idx) == 1:
        return sub[0, 0]
    dM = DomainMatrix.from_Matrix(sub)
    if dM.domain.is_EX:  # pragma: no cover - only non-rational entries end up here
        return sp.cancel(sub.det(method="berkowitz"))
    dM = dM.to_field()
    return dM.domain.to_sympy(dM.det())


def _quadratic_value(M: sp.Matrix, v: list[Fraction]) -> sp.Rational:
    """v^T M v, exactly, for a rational matrix M."""
    vec = sp.Matrix([sp.Rational(q.numerator, q.denominator) for q in v])
    return sp.Rational((vec.T * M * vec)[0, 0])


def _signed(q: sp.Rational) -> str:
    return f"+{sp.sstr(q)}" if q > 0 else sp.sstr(q)


def decide_nsd(
    Q: sp.Matrix,
    region: Region,
    timeout: float | None = 30.0,
    names: list[str] | None = None,
    what: str = "quadratic form",
) -> PSDResult:
    """Decide Q(params) <= 0 (negative semidefinite) on the whole region, i.e. -Q PSD.

    A counterexample names the form with its real sign: ``values["value"]`` reads
    ``"residual = +1/2 > 0 at g(x) = 1"`` (v^T Q v at the witness v), not the value of a
    minor of -Q.
    """
    res = decide_psd(-Q, region, timeout, names=names, what=what)
    dec = res.decision
    if res.witness is not None and dec.status == "refuted":
        Qnum = Q.subs(_rational_point(region, dec.point))
        val = _quadratic_value(Qnum, res.witness)
        dec.values["value"] = f"{what} = {_signed(val)} > 0 at {_at(res.witness, names)}"
    return res


def _at(v: list[Fraction], names: list[str] | None) -> str:
    names = names or [f"v{i}" for i in range(len(v))]
    return ", ".join(
        f"{n} = {sp.sstr(sp.Rational(q.numerator, q.denominator))}"
        for n, q in zip(names, v, strict=True)
    )


def _rational_point(region: Region, point: dict | None) -> dict:
    return {
        s: sp.Rational(point[s.name].numerator, point[s.name].denominator)
        for s in region.symbols
        if point is not None and s.name in point and isinstance(point[s.name], Fraction)
    }


def decide_psd(
    M: sp.Matrix,
    region: Region,
    timeout: float | None = 30.0,
    names: list[str] | None = None,
    what: str = "quadratic form",
) -> PSDResult:
    """Decide M(params) >= 0 (PSD) on the whole region.

    A refutation carries the failing principal minor and an exact witness v with
    v^T M v < 0 at the counterexample point (re-verified; ``values["value"]`` reads
    ``"quadratic form = -1/2 < 0 at v0 = 1"``, with ``names`` for the coordinates).
    """
    t0 = time.perf_counter()
    M = M.applyfunc(sp.cancel)
    keep = _nonzero_indices(M)
    if not keep:
        return PSDResult(Decision("proved", seconds=time.perf_counter() - t0))
    Mk = M.extract(keep, keep)
    n = Mk.shape[0]

    cache: dict[tuple[int, ...], sp.Expr] = {}

    def minor(idx: tuple[int, ...]) -> sp.Expr:
        if idx not in cache:
            cache[idx] = _minor(Mk, idx)
        return cache[idx]

    # the sufficient tests (LDL, Sylvester) may use a quarter of the budget: the complete
    # test, which also finds counterexamples (often fast on small minors), keeps the rest
    reserve = {"share": 0.75}

    def remaining() -> float | None:
        if timeout is None:
            return None
        return max(0.05, timeout * (1 - reserve["share"]) - (time.perf_counter() - t0))

    # symbolic LDL^T with decided pivots: sufficient, and usually far cheaper than minors
    if ldl_psd(Mk, region, remaining):
        return PSDResult(Decision("proved", seconds=time.perf_counter() - t0))

    # a counterexample at a sampled point (floating point searches, exact arithmetic decides)
    found = _sampled_refutation(M, region, what, names, t0)
    if found is not None:
        return found

    # Sylvester's sufficient test
    fast_ok = True
    for k in range(1, n + 1):
        m = minor(tuple(range(k)))
        dec = decide(m, ">" if k < n else ">=", region, timeout=remaining())
        if not dec.proved:
            fast_ok = False
            break
    if fast_ok:
        return PSDResult(Decision("proved", seconds=time.perf_counter() - t0))

    # complete test: every principal minor >= 0
    reserve["share"] = 0.0
    unknown: Decision | None = None
    for size in range(1, n + 1):
        for idx in itertools.combinations(range(n), size):
            m = minor(idx)
            dec = decide(m, ">=", region, timeout=remaining())
            if dec.status == "refuted":
                orig = tuple(keep[i] for i in idx)
                witness = None
                Mnum = M.subs(_rational_point(region, dec.point))
                if all(e.is_Rational for e in Mnum):
                    witness = indefinite_witness(Mnum)
                    # keep a witness only if it re-verifies exactly: v^T M v < 0
                    if witness is not None and not _quadratic_value(Mnum, witness) < 0:
                        witness = None
                dec.values["minor"] = dec.values.pop("value", "")
                if witness is not None:
                    val = _quadratic_value(Mnum, witness)
                    dec.values["value"] = f"{what} = {sp.sstr(val)} < 0 at {_at(witness, names)}"
                elif dec.values["minor"]:
                    dec.values["value"] = f"principal minor = {dec.values['minor']}"
                dec.seconds = time.perf_counter() - t0
                return PSDResult(dec, minor=orig, witness=witness)
            if dec.status != "proved" and unknown is None:  # unknown or error: never proved
                unknown = dec
            if timeout is not None and time.perf_counter() - t0 > timeout:
                return PSDResult(
                    Decision("unknown", reason="timeout", seconds=time.perf_counter() - t0)
                )
    if unknown is not None:
        unknown.seconds = time.perf_counter() - t0
        return PSDResult(unknown)
    return PSDResult(Decision("proved", seconds=time.perf_counter() - t0))


#: random points of the region (and as many near its boundary) tried for a counterexample
SAMPLES = 12


def _sampled_refutation(
    M: sp.Matrix, region: Region, what: str, names: list[str] | None, t0: float
) -> PSDResult | None:
    """A refutation found by sampling: at random rational points of the region (and points
    near its boundary, where certificates tend to break) the smallest eigenvalue of M is
    computed in floating point; where it looks negative, the point's membership of the region
    is decided exactly (:meth:`Region.contains`), M is evaluated *exactly* there and an exact
    witness v with v^T M v < 0 is built and re-verified (:func:`indefinite_witness`). Only
    those exact checks make it a refutation; ``None`` when no sampled point gives one (which
    proves nothing)."""
    from . import sampling

    syms = region.symbols
    if not M.free_symbols <= set(syms):
        return None
    # candidates by the floating-point membership test; the exact test only where it matters
    points = sampling.candidates(region, SAMPLES)
    if not points:
        return None
    fn = sp.lambdify(syms, M, "numpy", cse=True)
    for p in points:
        try:
            with np.errstate(all="ignore"):
                A = np.asarray(fn(*[float(p[s]) for s in syms]), dtype=float)
        except (ZeroDivisionError, OverflowError, ValueError, TypeError):
            continue
        if A.shape != M.shape or not np.all(np.isfinite(A)):
            continue
        eig = np.linalg.eigvalsh((A + A.T) / 2)
        if eig[0] >= -1e-9 * max(1.0, float(np.abs(eig).max())):
            continue
        if not region.contains(p):
            continue
        exact = M.subs(p)
        if not all(e.is_Rational for e in exact):
            continue
        witness = indefinite_witness(exact)
        if witness is None or not _quadratic_value(exact, witness) < 0:
            continue
        val = _quadratic_value(exact, witness)
        minor, minor_value = _negative_minor(exact)
        point = {s.name: Fraction(int(q.p), int(q.q)) for s, q in p.items()}
        dec = Decision("refuted", point=point, seconds=time.perf_counter() - t0)
        dec.values["minor"] = sp.sstr(minor_value) if minor is not None else ""
        dec.values["value"] = f"{what} = {sp.sstr(val)} < 0 at {_at(witness, names)}"
        return PSDResult(dec, minor=minor, witness=witness)
    return None


def _negative_minor(M: sp.Matrix) -> tuple[tuple[int, ...] | None, sp.Rational | None]:
    """A principal minor of the rational matrix M that is < 0, smallest first (one exists
    whenever M is not PSD) and its value; (None, None) if there is none (reporting only)."""
    subsets = (
        idx
        for k in range(1, M.shape[0] + 1)
        for idx in itertools.combinations(range(M.shape[0]), k)
    )
    for idx in subsets:
        det = sp.Rational(M.extract(list(idx), list(idx)).det(method="bareiss"))
        if det < 0:
            return idx, det
    return None, None


def indefinite_witness(M: sp.Matrix) -> list[Fraction] | None:
    """Exact rational v with v^T M v < 0 for a rational symmetric M, or None if M is PSD.

    Symmetric Gaussian elimination over the rationals: a negative pivot gives v directly by
    back-substitution; a zero pivot with a nonzero entry in its row gives a 2-D witness.
    """
    n = M.shape[0]
    A = [
        [Fraction(int(sp.numer(M[i, j])), int(sp.denom(M[i, j]))) for j in range(n)]
        for i in range(n)
    ]
    # T accumulates the row operations: current A = T M T^T (T lower-unitriangular)
    T = [[Fraction(int(i == j)) for j in range(n)] for i in range(n)]
    for k in range(n):
        p = A[k][k]
        if p < 0:
            return T[k]
        if p == 0:
            for j in range(k + 1, n):
                if A[k][j] != 0:
                    # on span(e_k, e_j) in the current coordinates: choose t with t^2 a_jj +
                    # 2 t a_kj < 0, i.e. v = e_j + t e_k
                    t = -Fraction(A[j][j] + 1, 2 * A[k][j]) if A[k][j] != 0 else Fraction(0)
                    v = [T[j][i] + t * T[k][i] for i in range(n)]
                    return v
            continue
        for i in range(k + 1, n):
            r = A[i][k] / p
            if r == 0:
                continue
            for j in range(n):
                A[i][j] -= r * A[k][j]
            for j in range(n):
                A[j][i] -= r * A[j][k]
            for j in range(n):
                T[i][j] -= r * T[k][j]
    return None
