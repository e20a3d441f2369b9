"""A second, independent decision procedure: cvc5's nonlinear real arithmetic.

Used by :func:`lyapunov.engine.decide.cross_checking` (``lyapunov check --cross-check``) to
re-decide every question z3 answered. The question is the same -- "is there a point of the
region where the condition fails?" -- but it is encoded here independently of the z3 encoding:
a rational function N/D is compared with 0 by cases on the sign of D,

    N/D op 0   <=>   (D > 0 and N op 0)  or  (D < 0 and -N op 0),

(z3 is given D != 0 and N*D op 0), and it is decided by cvc5's cylindrical algebraic coverings
(``nl-cov``), a complete procedure for nonlinear real arithmetic. Needs the ``cvc5`` package
(in the ``crosscheck`` and ``dev`` extras).
"""

from __future__ import annotations

import multiprocessing
import os
from fractions import Fraction

import sympy as sp

from .answer import Answer
from .region import NEGATION, OP_OF, MalformedError, Region

__all__ = ["available", "require", "solve"]

_REL = OP_OF
_FAILS = NEGATION


def available() -> bool:
    """True when the cvc5 package can be imported."""
    try:
        import cvc5  # noqa: F401
    except ImportError:
        return False
    return True


def require() -> None:
    """Raise ImportError with the install hint when cvc5 is missing."""
    if not available():
        raise ImportError(
            "the cross-check needs cvc5: pip install cvc5 (or the 'crosscheck' extra)"
        )


class _Encoder:
    """sympy rational functions -> cvc5 terms over one TermManager."""

    def __init__(self, symbols):
        import cvc5

        self.cvc5 = cvc5
        self.K = cvc5.Kind
        self.tm = cvc5.TermManager()
        real = self.tm.getRealSort()
        self.vars = {s: self.tm.mkConst(real, s.name) for s in symbols}

    def const(self, q: sp.Rational):
        return self.tm.mkReal(int(q.p), int(q.q))

    def poly(self, expr: sp.Expr):
        expr = sp.expand(expr)
        gens = sorted(expr.free_symbols, key=lambda s: s.name)
        missing = set(gens) - set(self.vars)
        if missing:
            raise MalformedError(f"undeclared symbol(s) {', '.join(map(str, missing))}")
        if not gens:
            return self.const(sp.Rational(expr))
        terms = []
        for monom, coeff in sp.Poly(expr, *gens, domain="QQ").terms():
            factors = [self.const(sp.Rational(coeff))]
            for g, e in zip(gens, monom, strict=True):
                factors += [self.vars[g]] * e
            terms.append(factors[0] if len(factors) == 1 else self.tm.mkTerm(self.K.MULT, *factors))
        if not terms:
            return self.const(sp.Integer(0))
        return terms[0] if len(terms) == 1 else self.tm.mkTerm(self.K.ADD, *terms)

    def compare(self, t, op: str):
        """The term ``t op 0``."""
        zero = self.const(sp.Integer(0))
        K = self.K
        if op == "!=":
            return self.tm.mkTerm(K.NOT, self.tm.mkTerm(K.EQUAL, t, zero))
        kind = {">": K.GT, ">=": K.GEQ, "<": K.LT, "<=": K.LEQ, "==": K.EQUAL}[op]
        return self.tm.mkTerm(kind, t, zero)

    def relation(self, expr: sp.Expr, op: str):
        """``expr op 0`` with ``expr`` defined, by cases on the sign of its denominator."""
        num, den = sp.fraction(sp.together(sp.sympify(expr)))
        n, d = self.poly(num), self.poly(den)
        K = self.K
        neg_n = self.tm.mkTerm(K.NEG, n)
        pos = self.tm.mkTerm(K.AND, self.compare(d, ">"), self.compare(n, op))
        neg = self.tm.mkTerm(K.AND, self.compare(d, "<"), self.compare(neg_n, op))
        return self.tm.mkTerm(K.OR, pos, neg)

    def undefined(self, expr: sp.Expr):
        _, den = sp.fraction(sp.together(sp.sympify(expr)))
        return self.compare(self.poly(den), "==")

    def value(self, term) -> Fraction | None:
        return Fraction(term.getRealValue()) if term.isRealValue() else None


#: seconds allowed beyond the time limit before a cvc5 call is stopped from outside
GRACE = 2.0


def solve(region: Region, expr: sp.Expr | None, op: str | None, timeout: float | None):
    """cvc5's answer to "is there a point of ``region`` where ``expr op 0`` fails?"
    (``expr=None``: "is there a point of the region?"), as an :class:`Answer`.

    cvc5 checks its time limit only now and then (its nonlinear procedure can run far past
    it), so a call with a time limit runs in a forked child process that is stopped
    ``timeout + GRACE`` seconds in: the answer is then "unknown"."""
    if timeout is None or not hasattr(os, "fork"):
        return _solve(region, expr, op, timeout)
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(send, region, expr, op, timeout), daemon=True)
    child.start()
    send.close()
    try:
        if receive.poll(timeout + GRACE):
            return receive.recv()
        return Answer("unknown", reason=f"cvc5: no answer within {timeout:g} s (stopped)")
    except EOFError:  # the child died without answering
        return Answer("unknown", reason="cvc5: the solver process ended without an answer")
    finally:
        receive.close()
        if child.is_alive():
            child.kill()
        child.join()


def _child(send, region, expr, op, timeout) -> None:
    try:
        send.send(_solve(region, expr, op, timeout))
    except Exception as exc:  # noqa: BLE001 - reported as "unknown" by the parent
        send.send(Answer("unknown", reason=f"cvc5: {type(exc).__name__}: {exc}"))
    finally:
        send.close()


def _solve(region: Region, expr: sp.Expr | None, op: str | None, timeout: float | None):
    """:func:`solve` in this process."""

    syms = set(region.symbols) | (set(sp.sympify(expr).free_symbols) if expr is not None else set())
    enc = _Encoder(sorted(syms, key=lambda s: s.name))
    solver = enc.cvc5.Solver(enc.tm)
    solver.setLogic("QF_NRA")
    solver.setOption("produce-models", "true")
    solver.setOption("nl-cov", "true")
    if timeout is not None:
        solver.setOption("tlimit-per", str(max(1, int(timeout * 1000))))
    for cnd in region.conditions:
        solver.assertFormula(enc.relation(cnd.lhs - cnd.rhs, _REL[type(cnd)]))
    if expr is not None:
        fails = enc.tm.mkTerm(enc.K.OR, enc.undefined(expr), enc.relation(expr, _FAILS[op]))
        solver.assertFormula(fails)
    res = solver.checkSat()
    if res.isUnsat():
        return Answer("unsat")
    if res.isSat():
        point = {s: enc.value(solver.getValue(v)) for s, v in enc.vars.items()}
        if any(q is None for q in point.values()):
            return Answer("sat", None, True)
        return Answer("sat", point)
    return Answer("unknown", reason=f"cvc5: {res.getUnknownExplanation()}")
