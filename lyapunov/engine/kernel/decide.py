"""Exact decision of sign conditions over a region, by z3's nonlinear real arithmetic.

Every question is asked as "is there a point of the region where the condition fails?":

* ``unsat``   -> the condition holds on the whole region (proved);
* ``sat``     -> z3's model is a point where it fails; we turn it into an exact rational
  point, re-checked with sympy in exact arithmetic before it is reported (refuted);
* ``unknown`` -> the procedure gave up (timeout or incompleteness): never reported as proved.

A ``sat`` whose point does not re-verify exactly (e.g. an irrational model with no rational
point nearby that fails the condition) is reported as ``unknown`` with the reason, never as
refuted: a refutation always carries an exact rational point of the region where the
condition fails.

Rational expressions N/D are encoded without division: N/D >= 0 is D != 0 and N*D >= 0, and a
point where D = 0 counts as a failure (the expression is undefined there).

Inside :func:`cross_checking` every answer of z3 is re-decided by a second, independent
solver (cvc5, :mod:`lyapunov.engine.second_solver`); a disagreement makes the decision
``error`` (never proved), and an answer the second solver cannot confirm makes it ``unknown``.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from fractions import Fraction

import sympy as sp

from . import screen, structure
from .answer import Answer
from .region import NEGATION, OP_OF, MalformedError, Region

__all__ = ["CrossCheck", "Decision", "cross_checking", "decide", "find_point", "to_z3"]

_OPS = {
    ">": lambda a: a > 0,
    ">=": lambda a: a >= 0,
    "<": lambda a: a < 0,
    "<=": lambda a: a <= 0,
    "==": lambda a: a == 0,
    "!=": lambda a: a != 0,
}
_NEGATE = NEGATION
_REL_OP = OP_OF


@dataclass
class Decision:
    status: str  # "proved" | "refuted" | "unknown" | "error" (the two solvers disagree)
    point: dict[str, Fraction | str] | None = None
    reason: str = ""
    seconds: float = 0.0
    values: dict[str, str] = field(default_factory=dict)

    @property
    def proved(self) -> bool:
        return self.status == "proved"


def _z3():
    import z3  # imported lazily: keeps `import lyapunov` fast

    return z3


def _poly_to_z3(poly: sp.Expr, gens: tuple[sp.Symbol, ...], zvars: dict):
    z3 = _z3()
    p = sp.Poly(poly, *gens, domain="QQ") if gens else None
    if p is None:
        q = sp.Rational(poly)
        return z3.RealVal(f"{q.p}/{q.q}")
    terms = []
    for monom, coeff in p.terms():
        q = sp.Rational(coeff)
        t = z3.RealVal(f"{q.p}/{q.q}")
        for g, e in zip(gens, monom, strict=True):
            for _ in range(e):
                t = t * zvars[g]
        terms.append(t)
    if not terms:
        return z3.RealVal(0)
    return z3.Sum(terms) if len(terms) > 1 else terms[0]


def to_z3(expr: sp.Expr, zvars: dict) -> tuple:
    """Numerator and denominator of a rational expression as z3 polynomials."""
    expr = sp.together(sp.sympify(expr))
    num, den = sp.fraction(expr)
    gens = tuple(sorted((expr.free_symbols & set(zvars)), key=lambda s: s.name))
    missing = expr.free_symbols - set(zvars)
    if missing:
        raise MalformedError(f"undeclared symbol(s) {', '.join(map(str, missing))} in {expr}")
    try:
        return _poly_to_z3(sp.expand(num), gens, zvars), _poly_to_z3(sp.expand(den), gens, zvars)
    except (sp.PolynomialError, sp.CoercionFailed, TypeError) as exc:
        raise MalformedError(f"not a rational function with rational coefficients: {expr}") from exc


def _cond(expr: sp.Expr, op: str, zvars: dict):
    """z3 formula: expr op 0, with expr defined (denominator nonzero)."""
    z3 = _z3()
    n, d = to_z3(expr, zvars)
    if z3.is_rational_value(d) and d.as_fraction() != 0:
        sign = 1 if d.as_fraction() > 0 else -1
        return _OPS[op](n * sign)
    return z3.And(d != 0, _OPS[op](n * d))


def _region_formula(region: Region, zvars: dict):
    z3 = _z3()
    parts = []
    for c in region.conditions:
        parts.append(_cond(c.lhs - c.rhs, _REL_OP[type(c)], zvars))
    return z3.And(*parts) if parts else z3.BoolVal(True)


def _rational(val) -> Fraction | None:
    z3 = _z3()
    if z3.is_rational_value(val):
        return val.as_fraction()
    return None


def _solve_z3(region: Region, expr: sp.Expr | None, op: str | None, timeout) -> Answer:
    """Ask z3 for a point of the region where ``expr op 0`` fails (``expr=None``: any point)."""
    z3 = _z3()
    syms = set(region.symbols) | (expr.free_symbols if expr is not None else set())
    zvars = {s: z3.Real(s.name) for s in sorted(syms, key=lambda s: s.name)}
    solver = z3.SolverFor("QF_NRA")
    if timeout is not None:
        solver.set("timeout", max(1, int(timeout * 1000)))
    solver.add(_region_formula(region, zvars))
    if expr is not None:
        n, d = to_z3(expr, zvars)
        solver.add(z3.Or(d == 0, z3.And(d != 0, _OPS[_NEGATE[op]](n * d))))
    res = solver.check()
    if res == z3.unsat:
        return Answer("unsat")
    if res == z3.sat:
        model = solver.model()
        point: dict = {}
        algebraic = False
        for s, v in zvars.items():
            val = model.eval(v, model_completion=True)
            q = _rational(val)
            if q is None:
                algebraic = True
                q = Fraction(val.approx(30).as_fraction()).limit_denominator(10**12)
            point[s] = q
        return Answer("sat", point, algebraic)
    return Answer("unknown", reason=f"z3: {solver.reason_unknown()}")


def _exact_point(point: dict, algebraic: bool, check) -> tuple[dict, str]:
    """A rational point from a solver's model, verified exactly by ``check`` (a sympy
    predicate); the note is "" for a verified point, else says why it is not a witness."""

    def as_sympy(pt: dict) -> dict:
        return {s: sp.Rational(q.numerator, q.denominator) for s, q in pt.items()}

    if algebraic:
        # try progressively coarser rationals near the algebraic model until one is a witness
        for den in (10**12, 10**9, 10**6, 10**4, 10**3, 100):
            cand = {s: q.limit_denominator(den) for s, q in point.items()}
            if check(as_sympy(cand)):
                return cand, ""
        return point, "the model is irrational and no rational point near it re-verified"
    if not check(as_sympy(point)):
        return point, "the solver's point did not re-verify in exact arithmetic"
    return point, ""


def _holds_exactly(expr, op, region: Region, point: dict) -> bool:
    """True when ``point`` is in the region and (expr op 0) FAILS there (a genuine witness)."""
    try:
        if not region.contains(point):
            return False
        num, den = sp.fraction(sp.together(sp.sympify(expr)))
        num, den = sp.Rational(num.subs(point)), sp.Rational(den.subs(point))
        if den == 0:
            return True  # undefined at a point of the region: a failure
        v = num / den
    except (TypeError, ValueError, ZeroDivisionError):
        return False
    ok = {">": v > 0, ">=": v >= 0, "<": v < 0, "<=": v <= 0, "==": v == 0, "!=": v != 0}[op]
    return not bool(ok)


def _value_at(expr: sp.Expr, point: dict) -> str:
    num, den = sp.fraction(sp.together(sp.sympify(expr)))
    sub = {s: sp.Rational(q.numerator, q.denominator) for s, q in point.items()}
    n, d = num.subs(sub), den.subs(sub)
    return "undefined (division by zero)" if d == 0 else sp.sstr(sp.cancel(n / d))


def _interpret(ans: Answer, check, t0: float, expr: sp.Expr | None = None) -> Decision:
    """Decision from a solver's answer: "refuted" only with an exactly re-verified point."""
    secs = time.perf_counter() - t0
    if ans.result == "unsat":
        return Decision("proved", seconds=secs)
    if ans.result == "sat" and ans.point is not None:
        point, note = _exact_point(ans.point, ans.algebraic, check)
        named = {s.name: q for s, q in point.items()}
        if note:
            return Decision("unknown", point=named, reason=f"not refuted: {note}", seconds=secs)
        values = {"value": _value_at(expr, point)} if expr is not None else {}
        return Decision("refuted", point=named, seconds=secs, values=values)
    return Decision("unknown", reason=ans.reason or "z3: unknown", seconds=secs)


def decide(expr: sp.Expr, op: str, region: Region, timeout: float | None = 10.0) -> Decision:
    """Decide ``expr op 0`` for every point of ``region`` (exactly)."""
    t0 = time.perf_counter()
    if op not in _OPS:
        raise ValueError(f"op: {op!r} is not one of {sorted(_OPS)}")
    expr = sp.sympify(expr)
    # fast path: a constant is decided by exact arithmetic alone
    if not expr.free_symbols:
        q = sp.Rational(sp.cancel(expr)) if sp.cancel(expr).is_Rational else None
        if q is not None:
            ok = {">": q > 0, ">=": q >= 0, "<": q < 0, "<=": q <= 0, "==": q == 0, "!=": q != 0}
            if ok[op]:
                return Decision("proved", seconds=time.perf_counter() - t0)
            # fails everywhere in the region: any region point is a witness
            pt = find_point(region, timeout=timeout)
            if pt.status == "refuted":
                pt.reason = f"{sp.sstr(expr)} {op} 0 is false"
                pt.seconds = time.perf_counter() - t0
                return pt
            return Decision("unknown", reason="could not produce a point of the region")
    if op in (*_STRUCTURED, "!=") and _is_hypothesis(expr, op, region):
        return _confirmed(expr, op, region, timeout, t0)
    # a short direct attempt first (most conditions need no help); then a counterexample at
    # sampled points (a false claim is refuted at once); then, for a sum / product, the sign
    # of each term / factor: small decisions instead of one big one; then the whole, at length
    quick = QUICK if timeout is None else min(QUICK, timeout)
    dec = _decide_z3(expr, op, region, quick, final=False)
    if dec.status != "unknown" or (timeout is not None and timeout <= QUICK):
        return dec
    dec = _sampled_refutation(expr, op, region, t0)
    if dec is not None:
        return dec
    if op in _STRUCTURED and isinstance(expr, (sp.Add, sp.Mul, sp.Pow)):
        deadline = None if timeout is None else t0 + timeout
        leaf = lambda e, o: _leaf(e, o, region, deadline)  # noqa: E731
        hyp = lambda e, o: _is_hypothesis(e, o, region)  # noqa: E731
        if structure.proves(expr, op, region, leaf, hyp):
            return _confirmed(expr, op, region, timeout, t0)
    if timeout is not None:
        timeout = max(0.05, timeout - (time.perf_counter() - t0))
    return _decide_z3(expr, op, region, timeout)


#: random points of the region (and as many near its boundary) tried for a counterexample
SAMPLES = 12


def _sampled_refutation(expr: sp.Expr, op: str, region: Region, t0: float) -> Decision | None:
    """A counterexample at sampled points: random rational points of the region and points
    near its boundary are screened in floating point; a point where ``expr op 0`` looks
    false is proposed like a solver's model and accepted only if it re-verifies exactly
    (:func:`_holds_exactly`: in the region, and the condition fails there). ``None`` when no
    sampled point does (which proves nothing)."""
    from . import sampling

    syms = region.symbols
    if not expr.free_symbols <= set(syms):
        return None
    # candidates by the floating-point membership test; the exact test only where it matters
    points = sampling.region_candidates(region, SAMPLES)
    if not points:
        return None
    fn = sp.lambdify(syms, expr, "math")
    holds = _FLOAT_HOLDS[op]
    for p in points:
        try:
            v = float(fn(*[float(p[s]) for s in syms]))
        except (ZeroDivisionError, OverflowError, ValueError, TypeError):
            v = math.nan  # undefined there: maybe a genuine failure, let the exact test say
        if math.isfinite(v) and holds(v):
            continue
        point = {s: Fraction(int(q.p), int(q.q)) for s, q in p.items()}
        check = lambda pt: _holds_exactly(expr, op, region, pt)  # noqa: E731
        dec = _interpret(Answer("sat", point), check, t0, expr)
        if dec.status == "refuted":
            return dec
    return None


_FLOAT_HOLDS = {  # the condition looks true in floating point (a margin against round-off)
    ">": lambda v: v > 1e-12,
    ">=": lambda v: v >= -1e-12,
    "<": lambda v: v < -1e-12,
    "<=": lambda v: v <= 1e-12,
    "==": lambda v: abs(v) <= 1e-12,
    "!=": lambda v: abs(v) > 1e-12,
}


_STRUCTURED = (">", ">=", "<", "<=")
QUICK = 0.5  # seconds: the direct attempt at a composite condition before its structure


def _confirmed(expr: sp.Expr, op: str, region: Region, timeout, t0: float) -> Decision:
    """A condition proved without asking a solver about it as a whole: a hypothesis of the
    region (exact algebra), or by its sign structure, each part decided by z3 and, when
    cross-checking, confirmed by the second solver (so it is checked through its parts)."""
    del expr, op, region, timeout
    return Decision("proved", seconds=time.perf_counter() - t0)


def _decide_z3(
    expr: sp.Expr, op: str, region: Region, timeout: float | None, final: bool = True
) -> Decision:
    """z3's decision, cross-checked when active. ``final=False``: an attempt that another
    route may replace (the short first try, a part of a structured decision), so a second
    solver that gives up on it is not reported as unconfirmed (the final route is)."""
    t0 = time.perf_counter()
    ans = _solve_z3(region, expr, op, timeout)
    dec = _interpret(ans, lambda p: _holds_exactly(expr, op, region, p), t0, expr)
    return _cross_check(dec, region, expr, op, timeout, f"{sp.sstr(expr)} {op} 0", final)


def _leaf(expr: sp.Expr, op: str, region: Region, deadline: float | None = None) -> bool:
    """One part of a structured decision: proved by z3 (cross-checked when active), within
    :data:`structure.LEAF_SECONDS` and before ``deadline`` (a ``time.perf_counter()``; the
    whole decision's time limit)?"""
    if _is_hypothesis(expr, op, region):
        return True
    if screen.fails_at_a_sample(expr, op, region, SAMPLES):  # z3 could only fail: not asked
        return False

    def seconds() -> float:
        if deadline is None:
            return structure.LEAF_SECONDS
        return min(structure.LEAF_SECONDS, deadline - time.perf_counter())

    # first on the region's conditions that involve only the part's symbols: a larger set, so
    # a proof there is a proof here (a leaf is never refuted), and usually a much easier one
    syms = expr.free_symbols
    local = [c for c in region.conditions if c.free_symbols <= syms]
    tries = (
        [Region.of(local, region.symbols)] if local and len(local) < len(region.conditions) else []
    )
    for where in (*tries, region):
        left = seconds()
        if left <= 0:
            return False
        if _decide_z3(expr, op, where, left, final=False).proved:
            return True
    return False


def _is_hypothesis(expr: sp.Expr, op: str, region: Region) -> bool:
    """``expr op 0`` is, up to a positive constant factor, one of the region's conditions."""
    if op == "!=":  # nonzero where a condition says it is > 0 or < 0
        return _is_hypothesis(expr, ">", region) or _is_hypothesis(expr, "<", region)
    positive = structure.positive_symbols(region)
    for cond in region.conditions:
        if structure.implies(cond.lhs - cond.rhs, _REL_OP[type(cond)], expr, op, positive):
            return True
    return False


def find_point(region: Region, timeout: float | None = 10.0) -> Decision:
    """A rational point of the region ("refuted" carries the point; "proved" means empty)."""
    t0 = time.perf_counter()
    dec = _interpret(_solve_z3(region, None, None, timeout), region.contains, t0)
    if dec.status == "proved":
        dec.reason = "the region is empty"
    return _cross_check(dec, region, None, None, timeout, f"region {region} is empty")


# -- the second, independent decision ------------------------------------------------------


@dataclass
class CrossCheck:
    """Tally of the second solver's re-decisions inside :func:`cross_checking`."""

    solver: str = "cvc5"
    agreed: int = 0
    unconfirmed: list[str] = field(default_factory=list)  # the second solver gave up
    disagreements: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.disagreements and not self.unconfirmed

    def to_json(self) -> dict:
        return {
            "solver": self.solver,
            "agreed": self.agreed,
            "unconfirmed": list(self.unconfirmed),
            "disagreements": list(self.disagreements),
            "seconds": round(self.seconds, 4),
        }


_ACTIVE: CrossCheck | None = None


@contextlib.contextmanager
def cross_checking() -> Iterator[CrossCheck]:
    """Within this block every z3 decision is re-decided by cvc5 (raises ImportError naming
    the package when cvc5 is not installed). Yields the :class:`CrossCheck` tally."""
    global _ACTIVE
    from . import second_solver

    second_solver.require()
    previous, _ACTIVE = _ACTIVE, CrossCheck()
    try:
        yield _ACTIVE
    finally:
        _ACTIVE = previous


def _cross_check(
    dec: Decision, region, expr, op, timeout, what: str, final: bool = True
) -> Decision:
    """Confirm a proved/refuted decision with the second solver (when cross-checking)."""
    tally = _ACTIVE
    if tally is None or dec.status not in ("proved", "refuted"):
        return dec
    from . import second_solver

    t0 = time.perf_counter()
    second = second_solver.solve(region, expr, op, timeout)
    tally.seconds += time.perf_counter() - t0
    first = "unsat" if dec.status == "proved" else "sat"
    secs = dec.seconds + time.perf_counter() - t0
    if second.result == first:
        tally.agreed += 1
        return dec
    if second.result == "unknown":
        if final:
            tally.unconfirmed.append(what)
        return Decision(
            "unknown",
            point=dec.point,
            reason=f"cross-check: z3 says {dec.status} but {tally.solver} could not decide "
            f"({second.reason})",
            seconds=secs,
        )
    tally.disagreements.append(what)
    return Decision(
        "error",
        point=dec.point,
        reason=f"solvers disagree: z3 says {dec.status}, {tally.solver} says "
        f"{'proved' if second.result == 'unsat' else 'refuted'}",
        seconds=secs,
    )
