"""Numerical functions generated from certified theorems (the one source of the formulas).

A :class:`CompiledRate` turns a certified :class:`~lyapunov.engine.DescentLemma` into a
vectorized numpy function of calculator arguments: the theorem's own rate expression
``gap / (steps * rho) + nu * sigma2 / rho`` and its own region, lambdified once and cached.
Outside the region the value is ``inf``: no theorem, no number.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import sympy as sp

__all__ = ["CompiledRate", "GAP", "STEPS"]

GAP = sp.Symbol("gap", real=True)
STEPS = sp.Symbol("steps", real=True)

_OPS = {
    sp.StrictGreaterThan: operator.gt,
    sp.GreaterThan: operator.ge,
    sp.StrictLessThan: operator.lt,
    sp.LessThan: operator.le,
    sp.Eq: operator.eq,
    sp.Ne: operator.ne,
}


@dataclass
class CompiledRate:
    """A certified rate as a numpy function of named calculator arguments.

    ``theorem``: a DescentLemma; ``args``: calculator argument name -> the theorem's symbol
    (every symbol of its region must be mapped); ``label``: short name shown to users.
    """

    label: str
    theorem: object
    args: Mapping[str, sp.Symbol]
    order: tuple[str, ...] = field(default=())

    def __post_init__(self):
        missing = set(self.theorem.region.symbols) - set(self.args.values())
        if missing:
            raise ValueError(
                f"{self.label}: region symbols {sorted(map(str, missing))} are not "
                "calculator arguments"
            )
        self.order = tuple(self.args)

    @cached_property
    def _symbols(self) -> list[sp.Symbol]:
        return [self.args[a] for a in self.order] + [STEPS, GAP]

    @cached_property
    def expression(self) -> sp.Expr:
        """The certified bound on (1/steps) sum_k E|grad f(x_k)|^2, as the theorem states it."""
        return self.theorem.rate(GAP, STEPS)

    @cached_property
    def _value(self):
        return sp.lambdify(self._symbols, self.expression, modules="numpy", cse=True)

    @cached_property
    def _rho(self):
        return sp.lambdify(self._symbols[:-2], self.theorem.rho, modules="numpy", cse=True)

    @cached_property
    def _conditions(self):
        out = []
        for c in self.theorem.region.conditions:
            fn = sp.lambdify(self._symbols[:-2], c.lhs - c.rhs, modules="numpy", cse=True)
            out.append((fn, _OPS[type(c)]))
        return out

    def inside(self, **values: np.ndarray) -> np.ndarray:
        """Boolean mask of the points where the theorem's region holds."""
        xs = [values[a] for a in self.order]
        mask = np.ones(np.broadcast(*xs).shape, dtype=bool)
        with np.errstate(all="ignore"):
            for fn, op in self._conditions:
                mask &= op(fn(*xs), 0)
        return mask

    def __call__(self, *, steps: np.ndarray, gap: np.ndarray, **values: np.ndarray) -> np.ndarray:
        xs = [values[a] for a in self.order]
        mask = self.inside(**values)
        with np.errstate(all="ignore"):
            val = np.asarray(self._value(*xs, steps, gap), dtype=float)
        val = np.broadcast_to(val, np.broadcast(mask, val).shape)
        mask = np.broadcast_to(mask, val.shape)
        # float evaluation at the very edge of a region must never produce a negative number
        return np.where(mask & np.isfinite(val) & (val >= 0), val, np.inf)

    def rho(self, **values: np.ndarray) -> np.ndarray:
        xs = [values[a] for a in self.order]
        with np.errstate(all="ignore"):
            return np.asarray(self._rho(*xs), dtype=float)
