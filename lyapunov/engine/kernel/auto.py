"""What a proof file leaves for the synthesizer to find: ``AUTO`` and ``unknowns``.

* ``certificate=AUTO`` in a :class:`~lyapunov.engine.theorems.DescentLemma`: the multipliers
  of the facts are to be found (``function_class=`` names the class whose facts may be used);
* ``a, b = unknowns("a b")``: coefficients of the Lyapunov function (or of rho and nu) to be
  solved for, as exact rational functions of the parameters valid on the whole region. They
  must enter the theorem linearly (as the weights of a Lyapunov function do).

A theorem with either is *pending*: ``check()`` says "not proved: run lyapunov prove", never
certified. :func:`lyapunov.engine.synthesize` (and ``lyapunov prove``) fills it in, and the
filled theorem goes through the ordinary exact check.
"""

from __future__ import annotations

from collections.abc import Iterable

import sympy as sp

__all__ = ["AUTO", "Unknown", "unknowns", "unknowns_in"]


class _Auto:
    """The placeholder ``certificate=AUTO``: the synthesizer finds the multipliers."""

    _instance: _Auto | None = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "AUTO"

    def __reduce__(self):
        return (_Auto, ())


AUTO = _Auto()


class Unknown(sp.Symbol):
    """A coefficient the synthesizer solves for (a real symbol, told apart by its class)."""

    def __new__(cls, name: str):
        return super().__new__(cls, name, real=True)


def unknowns(names: str) -> tuple[Unknown, ...]:
    """``a, b = unknowns("a b")``: coefficients for ``lyapunov prove`` to solve for."""
    if not isinstance(names, str):
        raise TypeError(f"unknowns: names must be a string such as 'a b', got {names!r}")
    out = tuple(Unknown(n) for n in names.replace(",", " ").split())
    if not out:
        raise ValueError("unknowns: no names given (expected e.g. unknowns('a b'))")
    for u in out:
        if not u.name.isidentifier():
            raise ValueError(f"unknowns: {u.name!r} is not a valid name")
    return out


def unknowns_in(exprs: Iterable) -> tuple[Unknown, ...]:
    """The unknowns occurring in some sympy expressions, sorted by name."""
    found: set[Unknown] = set()
    for e in exprs:
        e = sp.sympify(e)
        found |= {s for s in e.free_symbols if isinstance(s, Unknown)}
    return tuple(sorted(found, key=lambda s: s.name))
