"""Certified rates with free weights: a theorem that holds for *every* weight in its region
(P11's b, s; P12's s) is evaluated at weights found by a numerical search.

The search only picks the weights; the number returned is the theorem's own expression at
those weights, and only where the exact point (the floats as the binary fractions they are) is
inside the certified region (:class:`~lyapunov.bounds.compile.SafeRegion`, the one float test of
regions, re-exported here). An imprecise search costs tightness, never soundness.

The search is a grid of weights (every combination tried at every point), or a per-point
``search`` (one proposal per point, e.g. :class:`~lyapunov.bounds.p11_weights.P11Search`)
with the grid tried only where the proposal fails the exact test and the region holds at the
``anchor`` weights (weights in the region wherever any weight is).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import sympy as sp

from .compile import GAP, STEPS, SafeRegion

__all__ = ["FreeWeightRate", "SafeRegion"]

#: points per call of the exact region test on searched weights (:meth:`FreeWeightRate._inside`)
_CHUNK = 4096


@dataclass
class FreeWeightRate:
    """A certified DescentLemma's rate, minimised over its free weights on a grid, or at the
    weights a per-point ``search`` proposes (the grid where they fail the exact test).

    ``args``: calculator argument -> theorem symbol (every region symbol but the free ones);
    ``free``: weight name -> (symbol, grid of values tried); ``search``: (point coordinates as
    1-D arrays in the order of ``args``, steps, gap) -> weight name -> proposed weight per point
    (None: the grid everywhere); ``anchor``: weight name -> value, in the region at every point
    where some weight is (None: unknown; then the grid is tried wherever the proposal fails).
    """

    label: str
    theorem: object
    args: Mapping[str, sp.Symbol]
    free: Mapping[str, tuple[sp.Symbol, np.ndarray]]
    search: Callable | None = None
    anchor: Mapping[str, float] | None = None
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
        the value there exceeds the largest float): with an ``anchor``, where the anchor does
        (the anchor is in the grid, and in the region wherever any weight is)."""
        if self.anchor is not None:
            xs = np.broadcast_arrays(*[np.asarray(values[a], dtype=float) for a in self.order])
            flat = [np.ravel(x) for x in xs]
            with np.errstate(all="ignore"):
                return self._inside(flat, list(self.anchor.values())).reshape(xs[0].shape)
        shape, pts, grids = self._mesh([np.asarray(values[a], dtype=float) for a in self.order])
        sizes = tuple(len(g) for _, g in self.free.values())
        with np.errstate(all="ignore"):
            inside = np.broadcast_to(self.region(*pts, *grids), shape + sizes)
        return inside.reshape(shape + (-1,)).any(axis=-1)

    def __call__(self, *, steps, gap, **values) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """(bound, weights at which it is attained; nan where inf): the theorem at the searched
        weights where they are in the region, else the least over the grid (tried only where
        the anchor is in the region); inf where no weight tried is in the region."""
        if self.search is None:
            return self.grid(steps=steps, gap=gap, **values)
        cols = [np.asarray(values[a], dtype=float) for a in self.order]
        arrays = np.broadcast_arrays(*cols, np.asarray(steps, dtype=float), np.asarray(gap, float))
        shape = arrays[0].shape
        flat = [np.ravel(a) for a in arrays]
        xs, steps_, gap_ = flat[:-2], flat[-2], flat[-1]
        with np.errstate(all="ignore"):
            weights = {
                n: np.array(np.broadcast_to(w, steps_.shape), dtype=float)
                for n, w in self.search(xs, steps_, gap_).items()
            }
            ws = list(weights.values())
            have = np.logical_and.reduce([np.isfinite(w) for w in ws])  # nan: region empty
            val = np.full(steps_.shape, np.inf)
            val[have] = self._at([x[have] for x in xs], [w[have] for w in ws], steps_[have],
                                 gap_[have])  # fmt: skip
            rest = have & ~np.isfinite(val)
            if rest.any() and self.anchor is not None:
                rest[rest] = self._inside([x[rest] for x in xs], list(self.anchor.values()))
        if rest.any():
            sub = {a: x[rest] for a, x in zip(self.order, xs, strict=True)}
            g_val, g_w = self.grid(steps=steps_[rest], gap=gap_[rest], **sub)
            val[rest] = g_val
            for name, w in weights.items():
                w[rest] = g_w[name]
        found = np.isfinite(val)
        out = {name: np.where(found, w, np.nan).reshape(shape) for name, w in weights.items()}
        return val.reshape(shape), out

    def _inside(self, xs: list, weights: list) -> np.ndarray:
        """The exact region test at 1-D points, in chunks of points of similar magnitude (the
        float stage of :class:`SafeRegion` bounds rounding by the largest coordinates of a
        chunk: mixing magnitudes sends more points to its slower stages)."""
        cols = [*xs, *(np.broadcast_to(w, xs[0].shape) for w in weights)]
        size = np.sum([np.log1p(np.abs(x)) for x in cols], axis=0)
        order = np.argsort(size, kind="stable")
        ok = np.empty(order.shape, dtype=bool)
        for lo in range(0, order.size, _CHUNK):
            idx = order[lo : lo + _CHUNK]
            ok[idx] = self.region(*[x[idx] for x in cols])
        return ok

    def _at(self, xs: list, weights: list, steps, gap) -> np.ndarray:
        """The theorem's bound at per-point weights (1-D arrays); inf where the exact point is
        outside the region or the value is not a finite number >= 0."""
        val = np.asarray(self._value(*xs, *weights, steps, gap), dtype=float)
        val = np.broadcast_to(val, steps.shape)
        ok = np.isfinite(val) & (val >= 0)
        ok[ok] = self._inside([x[ok] for x in xs], [w[ok] for w in weights])
        return np.where(ok, val, np.inf)

    def grid(self, *, steps, gap, **values) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """(least bound over the grid, weights at which it is attained); inf where no grid
        weight is in the region."""
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
