"""L-smooth (possibly non-convex) functions: the facts a certificate may use.

Each fact is a form F with F <= 0 for every L-smooth f, at any two points i, j with gradients
g_i, g_j:

* upper(i, j):      f_j - f_i - <g_i, x_j - x_i> - (L/2)|x_j - x_i|^2                <= 0
* lower(i, j):      f_i + <g_i, x_j - x_i> - (L/2)|x_j - x_i|^2 - f_j                <= 0
* lipschitz(i, j):  |g_i - g_j|^2 - L^2 |x_i - x_j|^2                               <= 0
* interp(i, j):     f_j - f_i + (1/2)<g_i + g_j, x_i - x_j> + (1/(4L))|g_i - g_j|^2
                    - (L/4)|x_i - x_j|^2                                            <= 0

The last is the tight interpolation condition of Taylor, Hendrickx and Glineur (2017) for the
class of L-smooth functions: a finite set of triples (x_i, g_i, f_i) is interpolable by such an
f iff it holds for every ordered pair.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from .forms import Form, Point, f, inner, sqnorm

__all__ = ["Fact", "Smooth", "assumption"]


@dataclass(frozen=True)
class Fact:
    """A named inequality ``form <= 0`` (in expectation where ``expected`` is True)."""

    name: str
    form: Form
    expected: bool = False  # holds in expectation only (noise facts)
    origin: tuple | None = None  # (function class, kind, i, j): lets tools rebuild the fact
    zero_mean: bool = False  # E[form] = 0 (an equality): its multiplier may have either sign

    def __hash__(self) -> int:
        return hash(self.name)

    def __eq__(self, other) -> bool:
        return isinstance(other, Fact) and other.name == self.name

    def __repr__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Smooth:
    """The class of L-smooth functions on R^d (no convexity)."""

    L: sp.Expr

    def upper(self, i: Point, j: Point) -> Fact:
        form = f(j) - f(i) - inner(i.grad, j - i) - self.L / 2 * sqnorm(j - i)
        return Fact(f"upper({i.name},{j.name})", form, origin=(self, "upper", i, j))

    def lower(self, i: Point, j: Point) -> Fact:
        form = f(i) + inner(i.grad, j - i) - self.L / 2 * sqnorm(j - i) - f(j)
        return Fact(f"lower({i.name},{j.name})", form, origin=(self, "lower", i, j))

    def lipschitz(self, i: Point, j: Point) -> Fact:
        form = sqnorm(i.grad - j.grad) - self.L**2 * sqnorm(i - j)
        return Fact(f"lipschitz({i.name},{j.name})", form, origin=(self, "lipschitz", i, j))

    KINDS = ("upper", "lower", "lipschitz", "interp")

    def facts(self, points, kinds=KINDS) -> list[Fact]:
        """Every fact of the class between every ordered pair of distinct points.

        The pool a synthesized certificate draws from; ``lipschitz`` is symmetric, so it is
        taken once per unordered pair.
        """
        points = list(points)
        out = []
        for kind in kinds:
            if kind not in self.KINDS:
                raise ValueError(f"facts: unknown kind {kind!r} (allowed: {', '.join(self.KINDS)})")
            for a, i in enumerate(points):
                for b, j in enumerate(points):
                    if a == b or (kind == "lipschitz" and b < a):
                        continue
                    out.append(getattr(self, kind)(i, j))
        return out

    def interp(self, i: Point, j: Point) -> Fact:
        form = (
            f(j)
            - f(i)
            + sp.Rational(1, 2) * inner(i.grad + j.grad, i - j)
            + 1 / (4 * self.L) * sqnorm(i.grad - j.grad)
            - self.L / 4 * sqnorm(i - j)
        )
        return Fact(f"interp({i.name},{j.name})", form, origin=(self, "interp", i, j))


def assumption(name: str, form: Form) -> Fact:
    """A hypothesis ``E[form] <= 0`` of a theorem, usable in its certificate like a fact.

    Its name is shown as ``assume: name``, so a verdict makes plain that the theorem is
    conditional on it.
    """
    if not isinstance(form, Form):
        raise TypeError("assumption: form must be a Form (e.g. -inner(g, x - z))")
    if form.fvals:
        raise ValueError("assumption: a hypothesis on function values is not supported")
    return Fact(f"assume: {name}", form, expected=True)
