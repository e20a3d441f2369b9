"""Certified rates with free weights: a theorem that holds for *every* weight in its region
(P11's b, s; P12's s) is evaluated at weights found by a numerical search.

The search only picks the weights; the number returned is the theorem's own expression at
those weights, and only where the exact point (the floats as the binary fractions they are) is
inside the certified region (:class:`~lyapunov.bounds.compile.SafeRegion`, the one float test of
regions, re-exported here). An imprecise search costs tightness, never soundness.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import sympy as sp

from .compile import GAP, STEPS, SafeRegion

__all__ = ["FreeWeightRate", "SafeRegion"]


@dataclass
class FreeWeightRate:
    """A certified DescentLemma's rate, minimised over its free weights on a grid.

    ``args``: calculator argument -> theorem symbol (every region symbol but the free ones);
    ``free``: weight name -> (symbol, grid of values tried).
    """

    label: str
    theorem: object
    args: Mapping[str, sp.Symbol]
    free: Mapping[str, tuple[sp.Symbol, np.ndarray]]
    order: tuple[str, ...] = field(default=())

    def __post_init__(self):
        known = set(self.args.values()) | {s for s, _ in self.free.values()}
        missing = set(self.theorem.region.symbols) - known
        if missing:
            raise ValueError(f"{self.label}: region symbols {sorted(map(str, missing))} unmapped")
        self.order = tuple(self.args)

    @cached_property
    def _symbols(self) -> list[sp.Symbol]:
        return [self.args[a] for a in self.order] + [s for s, _ in self.free.values()]

    @cached_property
    def region(self) -> SafeRegion:
        return SafeRegion(self.theorem.region.conditions, self._symbols)

    @cached_property
    def expression(self) -> sp.Expr:
        """The certified bound on (1/steps) sum_k E|grad f(p_k)|^2, as the theorem states it."""
        return self.theorem.rate(GAP, STEPS)

    @cached_property
    def _value(self):
        return sp.lambdify([*self._symbols, STEPS, GAP], self.expression, "numpy", cse=True)

    def _mesh(self, arrays: list) -> tuple[tuple[int, ...], list[np.ndarray], list[np.ndarray]]:
        """(batch shape, ``arrays`` broadcast with a trailing axis per free weight, the grids
        shaped to broadcast against them)."""
        shape = np.broadcast(*arrays).shape
        k = len(self.free)
        ex = [np.reshape(v, v.shape + (1,) * k) for v in np.broadcast_arrays(*arrays)]
        grids = []
        for i, (_, g) in enumerate(self.free.values()):
            grids.append(np.reshape(g, (1,) * (len(shape) + i) + (-1,) + (1,) * (k - i - 1)))
        return shape, ex, grids

    def covered(self, **values) -> np.ndarray:
        """Where some weight of the grid lies in the region (then an inf bound is an overflow:
        the value there exceeds the largest float)."""
        shape, pts, grids = self._mesh([np.asarray(values[a], dtype=float) for a in self.order])
        sizes = tuple(len(g) for _, g in self.free.values())
        with np.errstate(all="ignore"):
            inside = np.broadcast_to(self.region(*pts, *grids), shape + sizes)
        return inside.reshape(shape + (-1,)).any(axis=-1)

    def __call__(self, *, steps, gap, **values) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """(bound, weights at which it is attained); inf where no grid weight is in the region."""
        xs = [np.asarray(values[a], dtype=float) for a in self.order]
        shape, ex, grids = self._mesh([*xs, steps, gap])
        pts, steps_, gap_ = ex[: len(xs)], ex[-2], ex[-1]
        with np.errstate(all="ignore"):
            val = np.asarray(self._value(*pts, *grids, steps_, gap_), dtype=float)
            val = np.broadcast_to(val, shape + tuple(len(g) for _, g in self.free.values()))
            ok = self.region(*pts, *grids) & np.isfinite(val) & (val >= 0)
        val = np.where(ok, val, np.inf).reshape(shape + (-1,))
        idx = np.argmin(val, axis=-1)
        best = np.take_along_axis(val, idx[..., None], axis=-1)[..., 0]
        mesh = np.meshgrid(*[g for _, g in self.free.values()], indexing="ij")
        weights = {
            name: np.where(np.isfinite(best), m.ravel()[idx], np.nan)
            for name, m in zip(self.free, mesh, strict=True)
        }
        return best, weights
