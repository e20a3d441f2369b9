"""Parameters and the regions over which theorems are stated.

A region is a conjunction of polynomial or rational inequalities in the parameters, such as
``[eta > 0, c > 0, c <= 1, L > 0, L*eta <= 1]``. Parameters are plain real sympy symbols (no
sympy assumptions), so nothing is ever simplified using a fact that the region does not state.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sympy as sp

from .forms import VecSymbol

__all__ = ["params", "Region", "MalformedError", "check_rational", "OP_OF", "NEGATION"]

_RELATIONS = (sp.StrictGreaterThan, sp.GreaterThan, sp.StrictLessThan, sp.LessThan, sp.Eq, sp.Ne)


#: sympy relation -> the operator the deciders use, and each operator's negation
OP_OF = {
    sp.StrictGreaterThan: ">",
    sp.GreaterThan: ">=",
    sp.StrictLessThan: "<",
    sp.LessThan: "<=",
    sp.Eq: "==",
    sp.Ne: "!=",
}
NEGATION = {">": "<=", ">=": "<", "<": ">=", "<=": ">", "==": "!=", "!=": "=="}


class MalformedError(ValueError):
    """A theorem, certificate or region that is not well formed (not a failed proof)."""


def params(names: str) -> tuple[sp.Symbol, ...]:
    """``params("eta c L sigma2")`` -> real parameter symbols."""
    out = tuple(sp.Symbol(n, real=True) for n in names.replace(",", " ").split())
    return out


def check_rational(expr, allowed: Iterable[sp.Symbol], what: str) -> sp.Expr:
    """Validate that ``expr`` is an exact rational function of the ``allowed`` symbols."""
    try:
        expr = sp.sympify(expr)
    except (sp.SympifyError, TypeError) as exc:
        raise MalformedError(f"{what}: not a symbolic expression ({exc})") from None
    if not isinstance(expr, sp.Expr):
        raise MalformedError(f"{what}: expected an expression, got {expr!r}")
    if expr.has(sp.Float):
        raise MalformedError(
            f"{what}: contains the float {next(iter(expr.atoms(sp.Float)))}; "
            "use exact numbers such as sympy.Rational(1, 10)"
        )
    allowed = set(allowed)
    extra = {s for s in expr.free_symbols if s not in allowed}
    if extra:
        names = ", ".join(sorted(str(s) for s in extra))
        known = ", ".join(sorted(str(s) for s in allowed)) or "none"
        raise MalformedError(f"{what}: uses undeclared symbol(s) {names} (allowed here: {known})")
    if not expr.is_rational_function(*sorted(allowed, key=str)):
        raise MalformedError(f"{what}: {expr} is not a rational function of the parameters")
    return expr


@dataclass(frozen=True)
class Region:
    """Conjunction of inequalities over the parameter symbols."""

    symbols: tuple[sp.Symbol, ...]
    conditions: tuple[sp.Basic, ...]

    @classmethod
    def of(cls, conditions: Sequence, symbols: Iterable[sp.Symbol] | None = None) -> Region:
        if isinstance(conditions, sp.Basic) or not isinstance(conditions, Sequence):
            raise MalformedError(
                "region: expected a list of inequalities such as [eta > 0, c <= 1]"
            )
        conds = []
        for i, c in enumerate(conditions):
            if c is sp.true or c is True:
                continue
            if c is sp.false or c is False:
                raise MalformedError(f"region: condition {i} is identically false (empty region)")
            if isinstance(c, sp.And):
                conds.extend(c.args)
                continue
            if not isinstance(c, _RELATIONS):
                raise MalformedError(
                    f"region: condition {i} ({c!r}) is not an inequality between expressions"
                )
            conds.append(c)
        syms: set[sp.Symbol] = set()
        for c in conds:
            syms |= c.free_symbols
        if symbols is not None:
            syms |= set(symbols)
        if any(isinstance(s, VecSymbol) for s in syms):
            raise MalformedError("region: conditions may only involve parameters, not vectors")
        ordered = tuple(sorted(syms, key=lambda s: s.name))
        for c in conds:
            check_rational(c.lhs - c.rhs, ordered, f"region condition {c}")
        return cls(ordered, tuple(conds))

    def contains(self, point: dict) -> bool:
        """Exact membership test at a rational point."""
        for c in self.conditions:
            val = c.subs(point)
            if val is not sp.true:
                return False
        return True

    def __str__(self) -> str:
        return ", ".join(sp.sstr(c) for c in self.conditions)
