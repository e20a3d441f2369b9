"""Convex functions, smooth or Lipschitz: the interpolation conditions of Taylor, Hendrickx
and Glineur (2017), each class's facts defined once.

For points i, j with (sub)gradients g_i, g_j and values f_i, f_j, each fact is F <= 0:

* ``Convex``:  convex(i, j): f_j - f_i + <g_j, x_i - x_j> <= 0                 (Theorem 3.4)
* ``ConvexLipschitz(G)``: convex(i, j) and bounded(i): |g_i|^2 - G^2 <= 0       (Theorem 3.5)
* ``SmoothStronglyConvex(mu, L)``, 0 <= mu < L:                                 (Theorem 4)
      interp(i, j): f_j - f_i + <g_j, x_i - x_j> + |g_i - g_j|^2 / (2L)
                    + mu / (2 (1 - mu/L)) |x_i - x_j - (g_i - g_j)/L|^2 <= 0
* ``SmoothConvex(L)``: the same at mu = 0.

The smooth classes also offer ``upper(i, j)``, the descent lemma of :mod:`.smooth` (implied by
the interpolation conditions, not one of them).

Each set, over every ordered pair (and every point for ``bounded``), is necessary and
sufficient for the points to be interpolated by a member of the class, so worst cases over
them are exact. Every member has a minimiser x_* (grad f(x_*) = 0), the point ``STAR``.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ..facts import Fact
from ..forms import Form, Point, f, inner, sqnorm
from .base import FunctionClass, check_below, check_constant
from .smooth import Smooth

__all__ = ["Convex", "ConvexLipschitz", "SmoothConvex", "SmoothStronglyConvex"]


def _convex(cls, i: Point, j: Point) -> Fact:
    form = f(j) - f(i) + inner(j.grad, i - j)
    return Fact(f"convex({i.name},{j.name})", form, origin=(cls, "convex", i, j))


@dataclass(frozen=True)
class Convex(FunctionClass):
    """Convex functions (closed, proper) with a minimiser; subgradients at the points."""

    name = "convex"
    title = "convex"
    KINDS = ("convex",)
    INTERPOLATION = ("convex",)
    EXACT = True
    MINIMIZER = True

    def constants(self) -> dict[str, sp.Expr]:
        return {}

    def convex(self, i: Point, j: Point) -> Fact:
        return _convex(self, i, j)

    def lower_slack(self, p: Point) -> Form:
        """f(p) - f_* >= 0."""
        return Form()


@dataclass(frozen=True)
class ConvexLipschitz(Convex):
    """Convex G-Lipschitz functions (subgradients bounded by G) with a minimiser."""

    G: sp.Expr

    name = "convex_lipschitz"
    title = "convex, G-Lipschitz"
    UNARY = ("bounded",)

    def __post_init__(self):
        check_constant(self.name, "G", self.G, 0.0)

    def constants(self) -> dict[str, sp.Expr]:
        return {"G": self.G}

    def bounded(self, p: Point) -> Fact:
        form = sqnorm(p.grad) - Form(const=sp.sympify(self.G) ** 2)
        return Fact(f"bounded({p.name})", form, origin=(self, "bounded", p, p))


def _interp(cls, mu, L, i: Point, j: Point) -> Fact:
    form = (
        f(j)
        - f(i)
        + inner(j.grad, i - j)
        + 1 / (2 * L) * sqnorm(i.grad - j.grad)
        + mu / (2 * (1 - mu / L)) * sqnorm(i - j - (i.grad - j.grad) / L)
    )
    return Fact(f"interp({i.name},{j.name})", form, origin=(cls, "interp", i, j))


@dataclass(frozen=True)
class SmoothConvex(FunctionClass):
    """L-smooth convex functions (mu = 0)."""

    L: sp.Expr

    name = "smooth_convex"
    title = "L-smooth convex"
    KINDS = ("interp", "upper")
    INTERPOLATION = ("interp",)
    EXACT = True
    MINIMIZER = True

    def __post_init__(self):
        check_constant(self.name, "L", self.L, 0.0)

    def constants(self) -> dict[str, sp.Expr]:
        return {"L": self.L}

    def interp(self, i: Point, j: Point) -> Fact:
        return _interp(self, getattr(self, "mu", sp.Integer(0)), self.L, i, j)

    #: the descent lemma of every L-smooth f: implied by the interpolation conditions (so not
    #: in a worst case's constraints), but not a nonnegative combination of two of them, so a
    #: certificate may want it
    upper = Smooth.upper

    def lower_slack(self, p: Point) -> Form:
        """f(p) - f_* >= |g_p|^2 / (2L)."""
        return 1 / (2 * self.L) * sqnorm(p.grad)


@dataclass(frozen=True)
class SmoothStronglyConvex(SmoothConvex):
    """L-smooth, mu-strongly convex functions, 0 < mu < L (constants by keyword)."""

    mu: sp.Expr = sp.Integer(0)

    name = "smooth_strongly_convex"
    title = "L-smooth, mu-strongly convex"

    def __post_init__(self):
        check_constant(self.name, "L", self.L, 0.0)
        check_constant(self.name, "mu", self.mu, 0.0)
        check_below(self.name, self.mu, self.L, strict=True)

    def constants(self) -> dict[str, sp.Expr]:
        return {"mu": self.mu, "L": self.L}
