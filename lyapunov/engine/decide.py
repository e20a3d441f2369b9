"""Exact decision of sign conditions over a region, by z3's nonlinear real arithmetic.

Every question is asked as "is there a point of the region where the condition fails?":

* ``unsat``   -> the condition holds on the whole region (proved);
* ``sat``     -> z3's model is a point where it fails; we turn it into an exact rational
  point, re-checked with sympy in exact arithmetic before it is reported (refuted);
* ``unknown`` -> the procedure gave up (timeout or incompleteness): never reported as proved.

Rational expressions N/D are encoded without division: N/D >= 0 is D != 0 and N*D >= 0, and a
point where D = 0 counts as a failure (the expression is undefined there).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from fractions import Fraction

import sympy as sp

from .region import MalformedError, Region

__all__ = ["Decision", "decide", "find_point", "to_z3"]

_OPS = {
    ">": lambda a: a > 0,
    ">=": lambda a: a >= 0,
    "<": lambda a: a < 0,
    "<=": lambda a: a <= 0,
    "==": lambda a: a == 0,
    "!=": lambda a: a != 0,
}
_NEGATE = {">": "<=", ">=": "<", "<": ">=", "<=": ">", "==": "!=", "!=": "=="}
_REL_OP = {
    sp.StrictGreaterThan: ">",
    sp.GreaterThan: ">=",
    sp.StrictLessThan: "<",
    sp.LessThan: "<=",
    sp.Eq: "==",
    sp.Ne: "!=",
}


@dataclass
class Decision:
    status: str  # "proved" | "refuted" | "unknown"
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


def _exact_point(model, zvars: dict, check) -> tuple[dict, str]:
    """Rational point from a z3 model, verified exactly by ``check`` (a sympy predicate)."""
    z3 = _z3()
    exact: dict = {}
    algebraic = False
    for s, v in zvars.items():
        val = model.eval(v, model_completion=True)
        q = _rational(val)
        if q is None:
            algebraic = True
            q = Fraction(val.approx(30).as_fraction()).limit_denominator(10**12)
        exact[s] = q
    if algebraic:
        # try progressively coarser rationals near the algebraic model until one is a witness
        for den in (10**12, 10**9, 10**6, 10**4, 10**3, 100):
            cand = {s: q.limit_denominator(den) for s, q in exact.items()}
            if check({s: sp.Rational(q.numerator, q.denominator) for s, q in cand.items()}):
                return cand, ""
        return exact, "z3 model is algebraic; the rational approximation shown was not re-verified"
    sp_point = {s: sp.Rational(q.numerator, q.denominator) for s, q in exact.items()}
    if not check(sp_point):
        return exact, "internal: the solver's point did not re-verify exactly"
    del z3
    return exact, ""


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


def decide(expr: sp.Expr, op: str, region: Region, timeout: float | None = 10.0) -> Decision:
    """Decide ``expr op 0`` for every point of ``region`` (exactly)."""
    z3 = _z3()
    t0 = time.perf_counter()
    expr = sp.sympify(expr)
    syms = set(region.symbols) | expr.free_symbols
    zvars = {s: z3.Real(s.name) for s in sorted(syms, key=lambda s: s.name)}
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
    solver = z3.SolverFor("QF_NRA")
    if timeout is not None:
        solver.set("timeout", max(1, int(timeout * 1000)))
    solver.add(_region_formula(region, zvars))
    n, d = to_z3(expr, zvars)
    fail = z3.Or(d == 0, z3.And(d != 0, _OPS[_NEGATE[op]](n * d)))
    solver.add(fail)
    res = solver.check()
    secs = time.perf_counter() - t0
    if res == z3.unsat:
        return Decision("proved", seconds=secs)
    if res == z3.sat:
        point, note = _exact_point(
            solver.model(), zvars, lambda p: _holds_exactly(expr, op, region, p)
        )
        return Decision(
            "refuted",
            point={s.name: q for s, q in point.items()},
            reason=note,
            seconds=secs,
            values={"value": _value_at(expr, point)},
        )
    return Decision("unknown", reason=f"z3: {solver.reason_unknown()}", seconds=secs)


def find_point(region: Region, timeout: float | None = 10.0) -> Decision:
    """A rational point of the region ("refuted" carries the point; "proved" means empty)."""
    z3 = _z3()
    t0 = time.perf_counter()
    zvars = {s: z3.Real(s.name) for s in region.symbols}
    solver = z3.SolverFor("QF_NRA")
    if timeout is not None:
        solver.set("timeout", max(1, int(timeout * 1000)))
    solver.add(_region_formula(region, zvars))
    res = solver.check()
    secs = time.perf_counter() - t0
    if res == z3.unsat:
        return Decision("proved", reason="the region is empty", seconds=secs)
    if res == z3.sat:
        point, note = _exact_point(solver.model(), zvars, region.contains)
        return Decision(
            "refuted", point={s.name: q for s, q in point.items()}, reason=note, seconds=secs
        )
    return Decision("unknown", reason=f"z3: {solver.reason_unknown()}", seconds=secs)
