"""A certified DescentLemma's rate ``gap / (steps rho) + nu sigma2 / rho`` as a vectorised
numpy function of named calculator arguments (:class:`CompiledRate`: the theorem's own
expression, lambdified, the one source of the formula), ``inf`` outside its region, which is
tested exactly by :class:`~lyapunov.bounds.compile.SafeRegion`: no theorem, no number.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import sympy as sp

from .compile import GAP, STEPS, SafeRegion

__all__ = ["CompiledRate"]


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
    def region(self) -> SafeRegion:
        """The theorem's region, as the exact float test."""
        return SafeRegion(self.theorem.region.conditions, self._symbols[:-2])

    def inside(self, **values: np.ndarray) -> np.ndarray:
        """Boolean mask of the points (floats, taken exactly) in the theorem's region."""
        return self.region(*[values[a] for a in self.order])

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
