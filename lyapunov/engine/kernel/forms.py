"""Symbolic vectors, points and scalar forms.

A *vector* is a sympy expression that is linear and homogeneous in basis vectors
(:class:`VecSymbol`), with coefficients that are rational functions of the parameters.
Because every method we study is linear in its vectors, identities between vectors can be
checked componentwise, and inner products expand into a quadratic form over the basis.

A *form* is a scalar of the kind that appears in a performance-estimation certificate::

    sum_i  alpha_i f(p_i)  +  sum_{a<=b} beta_ab <e_a, e_b>  +  gamma

with alpha, beta, gamma rational functions of the parameters (gamma may contain sigma2).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import sympy as sp

__all__ = [
    "VecSymbol",
    "vectors",
    "Point",
    "Form",
    "f",
    "inner",
    "sqnorm",
    "vector_coefficients",
]


class VecSymbol(sp.Symbol):
    """A basis vector (an element of R^d, d arbitrary). Commutes with scalars."""

    def __new__(cls, name: str):
        return super().__new__(cls, name, commutative=True)


def vectors(names: str) -> tuple[VecSymbol, ...]:
    """``vectors("x z g")`` -> basis vectors named x, z, g."""
    out = tuple(VecSymbol(n) for n in names.replace(",", " ").split())
    return out


def _vec_syms(expr: sp.Expr) -> list[VecSymbol]:
    return sorted((s for s in expr.free_symbols if isinstance(s, VecSymbol)), key=lambda s: s.name)


def vector_coefficients(v: sp.Expr) -> dict[VecSymbol, sp.Expr]:
    """Coefficients of a vector expression in its basis vectors.

    Raises ValueError when ``v`` is not linear and homogeneous in the basis vectors.
    """
    v = sp.sympify(v)
    basis = _vec_syms(v)
    if not basis:
        if v == 0:
            return {}
        raise ValueError(f"expected a vector expression, got the scalar {v}")
    expanded = sp.expand(v)
    coeffs: dict[VecSymbol, sp.Expr] = {}
    rest = expanded
    for b in basis:
        cb = expanded.coeff(b, 1)
        if any(isinstance(s, VecSymbol) for s in cb.free_symbols):
            raise ValueError(f"vector expression {v} is not linear in the basis vectors")
        coeffs[b] = cb
        rest = rest - cb * b
    rest = sp.expand(rest)
    if rest != 0:
        raise ValueError(f"vector expression {v} has a non-vector part {rest}")
    return {b: c for b, c in coeffs.items() if c != 0}


@dataclass(frozen=True)
class Point:
    """A point of the method's trajectory: a position and the gradient of f there."""

    name: str
    pos: sp.Expr
    grad: sp.Expr

    def __sub__(self, other: Point) -> sp.Expr:
        return self.pos - other.pos

    def __repr__(self) -> str:
        return self.name


def _key(a: VecSymbol, b: VecSymbol) -> tuple[VecSymbol, VecSymbol]:
    return (a, b) if a.name <= b.name else (b, a)


@dataclass
class Form:
    """Linear combination of function values, inner products of basis vectors and scalars."""

    fvals: dict[str, sp.Expr] = field(default_factory=dict)
    quad: dict[tuple[VecSymbol, VecSymbol], sp.Expr] = field(default_factory=dict)
    const: sp.Expr = sp.Integer(0)

    # -- arithmetic -------------------------------------------------------------------------
    @staticmethod
    def lift(x: Form | sp.Expr | int) -> Form:
        if isinstance(x, Form):
            return x
        x = sp.sympify(x)
        if _vec_syms(x):
            raise ValueError(
                f"cannot use the vector {x} as a scalar; take inner(...) or sqnorm(...)"
            )
        return Form(const=x)

    def _combine(self, other: Form, sign: int) -> Form:
        fv = dict(self.fvals)
        for k, v in other.fvals.items():
            fv[k] = fv.get(k, 0) + sign * v
        qd = dict(self.quad)
        for k, v in other.quad.items():
            qd[k] = qd.get(k, 0) + sign * v
        return Form(fv, qd, self.const + sign * other.const)

    def __add__(self, other):
        return self._combine(Form.lift(other), 1)

    __radd__ = __add__

    def __sub__(self, other):
        return self._combine(Form.lift(other), -1)

    def __rsub__(self, other):
        return Form.lift(other)._combine(self, -1)

    def __neg__(self):
        return self * -1

    def __mul__(self, s):
        if isinstance(s, Form):
            raise TypeError("a form can only be multiplied by a scalar")
        s = sp.sympify(s)
        if _vec_syms(s):
            raise ValueError(f"cannot multiply a form by the vector {s}")
        return Form(
            {k: s * v for k, v in self.fvals.items()},
            {k: s * v for k, v in self.quad.items()},
            s * self.const,
        )

    __rmul__ = __mul__

    def __truediv__(self, s):
        return self * (1 / sp.sympify(s))

    # -- inspection -------------------------------------------------------------------------
    def simplified(self) -> Form:
        """Cancel every coefficient and drop the zero ones."""
        fv = {k: sp.cancel(v) for k, v in self.fvals.items()}
        qd = {k: sp.cancel(v) for k, v in self.quad.items()}
        return Form(
            {k: v for k, v in fv.items() if v != 0},
            {k: v for k, v in qd.items() if v != 0},
            sp.cancel(self.const),
        )

    def basis(self) -> list[VecSymbol]:
        seen: set[VecSymbol] = set()
        for a, b in self.quad:
            seen.update((a, b))
        return sorted(seen, key=lambda s: s.name)

    def matrix(self, basis: Iterable[VecSymbol]) -> sp.Matrix:
        """Symmetric matrix M with  quad part = sum_ab M_ab <e_a, e_b>."""
        basis = list(basis)
        idx = {b: i for i, b in enumerate(basis)}
        M = sp.zeros(len(basis), len(basis))
        for (a, b), v in self.quad.items():
            i, j = idx[a], idx[b]
            if i == j:
                M[i, i] += v
            else:
                M[i, j] += v / 2
                M[j, i] += v / 2
        return M.applyfunc(sp.cancel)

    def drop_cross(self, noise: Iterable[VecSymbol], known: Iterable[VecSymbol]) -> Form:
        """Expectation over noise independent of ``known``: E<xi, v> = 0 drops those terms."""
        noise, known = set(noise), set(known)
        qd = {
            (a, b): v
            for (a, b), v in self.quad.items()
            if not ((a in noise and b in known) or (b in noise and a in known))
        }
        return Form(dict(self.fvals), qd, self.const)

    def subs(self, mapping: Mapping) -> Form:
        return Form(
            {k: sp.sympify(v).subs(mapping) for k, v in self.fvals.items()},
            {k: sp.sympify(v).subs(mapping) for k, v in self.quad.items()},
            sp.sympify(self.const).subs(mapping),
        )

    def scalars(self) -> list[sp.Expr]:
        """Every scalar coefficient (for validation)."""
        return [*self.fvals.values(), *self.quad.values(), self.const]

    def __str__(self) -> str:
        parts = [f"({sp.sstr(v)})*f({k})" for k, v in self.fvals.items()]
        for (a, b), v in self.quad.items():
            parts.append(f"({sp.sstr(v)})*|{a}|^2" if a == b else f"({sp.sstr(v)})*<{a},{b}>")
        if self.const != 0:
            parts.append(f"({sp.sstr(self.const)})")
        return " + ".join(parts) if parts else "0"


def f(p: Point) -> Form:
    """The function value f(p) as a form."""
    if not isinstance(p, Point):
        raise TypeError(f"f(...) takes a Point, got {type(p).__name__}")
    return Form(fvals={p.name: sp.Integer(1)})


def inner(u: sp.Expr, v: sp.Expr) -> Form:
    """<u, v> expanded over the basis vectors."""
    cu, cv = vector_coefficients(u), vector_coefficients(v)
    quad: dict[tuple[VecSymbol, VecSymbol], sp.Expr] = {}
    for a, x in cu.items():
        for b, y in cv.items():
            k = _key(a, b)
            quad[k] = quad.get(k, 0) + x * y
    return Form(quad=quad)


def sqnorm(u: sp.Expr) -> Form:
    """|u|^2 expanded over the basis vectors."""
    return inner(u, u)
