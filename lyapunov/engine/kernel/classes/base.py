"""What a function class is to the toolkit: its facts, defined once.

A class module (one per class, e.g. :mod:`.smooth`) defines each *fact* of the class as a
symbolic form ``F <= 0`` between points (a position and the gradient of f there). The same
definitions serve the exact checker and the certificate search (:mod:`lyapunov.engine`), which
use them symbolically, and the exact worst cases (:mod:`lyapunov.pep`), which instantiate them
numerically over every pair of points of a trajectory; no tool writes a fact a second time.

A class declares

* ``KINDS``: the names of its pairwise facts (``upper``, ``interp``, ...), each a method
  ``kind(i, j) -> Fact``;
* ``INTERPOLATION``: the kinds whose instances over every ordered pair of a finite set of
  points are the class's interpolation conditions (Taylor, Hendrickx, Glineur 2017): the
  constraints of an exact worst case;
* ``EXACT``: whether those conditions are also *sufficient* (then a worst case is exact; a
  class without interpolation conditions gives a relaxation, an upper bound);
* ``lower_slack(p)``: a form S with f(p) - inf f >= S(p) for every member f and point p;
* ``MINIMIZER``: whether every member has a minimiser x_* with grad f(x_*) = 0 (convex
  classes), which measures such as |x_n - x_*|^2 need;
* ``UNARY``: facts of one point (and the minimiser or the infimum, the point :data:`STAR`),
  each a method ``kind(p) -> Fact``, e.g. a bounded subgradient |g_p|^2 <= G^2 or the
  Polyak-Lojasiewicz inequality f(p) - f_* <= |g_p|^2 / (2 mu).

The constants of a class are validated when they are numbers (a symbol stands for any value
of its range in a theorem's region).
"""

from __future__ import annotations

import math
from typing import ClassVar

import sympy as sp

from ..facts import Fact
from ..forms import Form, Point

__all__ = ["FunctionClass", "STAR", "check_constant", "check_below"]

#: the minimiser x_* (classes with ``MINIMIZER``) or the infimum's pseudo-point: position 0,
#: gradient 0 and value f_* (translated to 0 in an exact worst case)
STAR = Point("*", sp.Integer(0), sp.Integer(0))


def check_constant(cls: str, name: str, value, low: float, low_open: bool = True) -> None:
    """ValueError if the number ``value`` is not finite or not above ``low`` (symbols pass)."""
    if isinstance(value, sp.Basic) and not value.is_number:
        return
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{cls}: {name} must be a number or a symbol, got {value!r}") from None
    if not math.isfinite(v) or (v <= low if low_open else v < low):
        op = ">" if low_open else ">="
        raise ValueError(f"{name}: must be {op} {low:g} for class {cls}, got {value!r}")


def check_below(cls: str, mu, L, strict: bool) -> None:
    """ValueError unless mu < L (``strict``) or mu <= L, where both are numbers."""
    if not (sp.sympify(mu).is_number and sp.sympify(L).is_number):
        return
    if float(mu) > float(L) or (strict and float(mu) == float(L)):
        op = "<" if strict else "<="
        raise ValueError(f"mu: must be {op} L for class {cls}, got mu = {mu}, L = {L}")


class FunctionClass:
    """Base of the function classes: pairwise facts by kind, and their pool."""

    name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    KINDS: ClassVar[tuple[str, ...]] = ()
    SYMMETRIC: ClassVar[tuple[str, ...]] = ()  # kinds with fact(i, j) == fact(j, i)
    INTERPOLATION: ClassVar[tuple[str, ...]] = ()
    UNARY: ClassVar[tuple[str, ...]] = ()
    EXACT: ClassVar[bool] = False
    MINIMIZER: ClassVar[bool] = False

    def constants(self) -> dict[str, sp.Expr]:
        """The class's constants by name (e.g. ``{"L": L}``)."""
        raise NotImplementedError

    def fact(self, kind: str, i: Point, j: Point) -> Fact:
        """The fact ``kind`` between the points i and j (ValueError for an unknown kind)."""
        if kind not in self.KINDS:
            raise ValueError(
                f"facts: unknown kind {kind!r} of class {self.name} "
                f"(allowed: {', '.join(self.KINDS)})"
            )
        return getattr(self, kind)(i, j)

    def facts(self, points, kinds=None) -> list[Fact]:
        """Every fact of the class between every ordered pair of distinct points.

        The pool a synthesized certificate draws from; a symmetric kind is taken once per
        unordered pair.
        """
        points = list(points)
        out = []
        for kind in self.KINDS if kinds is None else kinds:
            if kind not in self.KINDS:
                raise ValueError(f"facts: unknown kind {kind!r} (allowed: {', '.join(self.KINDS)})")
            for a, i in enumerate(points):
                for b, j in enumerate(points):
                    if a == b or (kind in self.SYMMETRIC and b < a):
                        continue
                    out.append(self.fact(kind, i, j))
        return out

    def lower_slack(self, p: Point) -> Form:
        """A form S(p) with f(p) - inf f >= S(p) for every member f of the class."""
        raise NotImplementedError
