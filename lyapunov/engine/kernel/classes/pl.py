"""L-smooth functions under the Polyak-Lojasiewicz inequality (Karimi, Nutini, Schmidt 2016).

The class: L-smooth f (the facts of :class:`.smooth.Smooth`) with

    pl(p):  f(p) - f_* - |g_p|^2 / (2 mu) <= 0       (f_* = inf f, mu > 0, mu <= L)

at every point. The PL inequality is necessary, not an interpolation condition: a set of
points meeting these facts need not come from a member of the class, so a worst case over
them is an upper bound on the true worst case (a relaxation), never claimed exact.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ..facts import Fact
from ..forms import Form, Point, f, sqnorm
from .base import STAR, check_below, check_constant
from .smooth import Smooth

__all__ = ["SmoothPL"]


@dataclass(frozen=True)
class SmoothPL(Smooth):
    """L-smooth functions with f(x) - inf f <= |grad f(x)|^2 / (2 mu), 0 < mu <= L."""

    mu: sp.Expr = sp.Integer(1)

    name = "pl"
    title = "L-smooth, mu-Polyak-Lojasiewicz"
    UNARY = ("pl",)
    EXACT = False
    MINIMIZER = False

    def __post_init__(self):
        check_constant(self.name, "L", self.L, 0.0)
        check_constant(self.name, "mu", self.mu, 0.0)
        check_below(self.name, self.mu, self.L, strict=False)

    def constants(self) -> dict[str, sp.Expr]:
        return {"mu": self.mu, "L": self.L}

    def pl(self, p: Point) -> Fact:
        form = f(p) - f(STAR) - 1 / (2 * self.mu) * sqnorm(p.grad)
        return Fact(f"pl({p.name})", form, origin=(self, "pl", p, STAR))

    def lower_slack(self, p: Point) -> Form:
        """f(p) - inf f >= |g_p|^2 / (2L), as for every L-smooth f."""
        return super().lower_slack(p)
