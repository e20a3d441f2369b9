"""L-smooth (possibly non-convex) functions: the facts a certificate may use.

Each fact is a form F with F <= 0 for every L-smooth f, at any two points i, j with gradients
g_i, g_j:

* upper(i, j):      f_j - f_i - <g_i, x_j - x_i> - (L/2)|x_j - x_i|^2                <= 0
* lower(i, j):      f_i + <g_i, x_j - x_i> - (L/2)|x_j - x_i|^2 - f_j                <= 0
* lipschitz(i, j):  |g_i - g_j|^2 - L^2 |x_i - x_j|^2                               <= 0
* interp(i, j):     f_j - f_i + (1/2)<g_i + g_j, x_i - x_j> + (1/(4L))|g_i - g_j|^2
                    - (L/4)|x_i - x_j|^2                                            <= 0

The last is the tight interpolation condition of Taylor, Hendrickx and Glineur (2017,
Theorem 3.10) for the class of L-smooth functions: a finite set of triples (x_i, g_i, f_i) is
interpolable by such an f iff it holds for every ordered pair. Below: f(p) - inf f >=
|g_p|^2/(2L) (the descent lemma at the point p - g_p/L), a necessary condition only.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ..facts import Fact
from ..forms import Form, Point, f, inner, sqnorm
from .base import FunctionClass, check_constant

__all__ = ["Smooth"]


@dataclass(frozen=True)
class Smooth(FunctionClass):
    """The class of L-smooth functions on R^d (no convexity)."""

    L: sp.Expr

    name = "smooth"
    title = "L-smooth (possibly non-convex)"
    KINDS = ("upper", "lower", "lipschitz", "interp")
    SYMMETRIC = ("lipschitz",)
    INTERPOLATION = ("interp",)
    EXACT = True
    MINIMIZER = False

    def __post_init__(self):
        check_constant(self.name, "L", self.L, 0.0)

    def constants(self) -> dict[str, sp.Expr]:
        return {"L": self.L}

    def upper(self, i: Point, j: Point) -> Fact:
        form = f(j) - f(i) - inner(i.grad, j - i) - self.L / 2 * sqnorm(j - i)
        return Fact(f"upper({i.name},{j.name})", form, origin=(self, "upper", i, j))

    def lower(self, i: Point, j: Point) -> Fact:
        form = f(i) + inner(i.grad, j - i) - self.L / 2 * sqnorm(j - i) - f(j)
        return Fact(f"lower({i.name},{j.name})", form, origin=(self, "lower", i, j))

    def lipschitz(self, i: Point, j: Point) -> Fact:
        form = sqnorm(i.grad - j.grad) - self.L**2 * sqnorm(i - j)
        return Fact(f"lipschitz({i.name},{j.name})", form, origin=(self, "lipschitz", i, j))

    def interp(self, i: Point, j: Point) -> Fact:
        form = (
            f(j)
            - f(i)
            + sp.Rational(1, 2) * inner(i.grad + j.grad, i - j)
            + 1 / (4 * self.L) * sqnorm(i.grad - j.grad)
            - self.L / 4 * sqnorm(i - j)
        )
        return Fact(f"interp({i.name},{j.name})", form, origin=(self, "interp", i, j))

    def lower_slack(self, p: Point) -> Form:
        """f(p) - inf f >= |g_p|^2 / (2L)."""
        return 1 / (2 * self.L) * sqnorm(p.grad)
