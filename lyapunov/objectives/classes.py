"""Objectives in the convex, strongly convex, Lipschitz and PL classes, with x_* and f_* known.

A :class:`ClassObjective` is an :class:`~.base.Objective` that also declares

* ``classes``: every function class it belongs to (a name of
  :data:`lyapunov.engine.kernel.classes.CLASSES`) with that class's constants, e.g.
  ``{"smooth_convex": {"L": 1.0}, "convex_lipschitz": {"G": 2.0}}``; the first is its main
  class (``function_class``);
* ``x_star``, a minimiser, and ``f_star = f(x_star)``, the minimum (exact, or computed to
  round-off where the docstring says so);
* :meth:`distance` = |x_0 - x_*| and :meth:`gap` = f(x_0) - f_*, the initial quantities of the
  certified class bounds (:mod:`lyapunov.bounds.classes`).

``grad`` is a (sub)gradient. The tests evaluate each class's facts (its interpolation
conditions) on the function at random points and at x_* (``tests/test_objectives_classes.py``).
"""

from __future__ import annotations

import math

import numpy as np

from .base import Objective

__all__ = ["ClassObjective", "positive"]


def positive(name: str, value) -> float:
    """``value`` as a float; ValueError unless it is finite and > 0."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name}: must be a number, got {value!r}")
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name}: must be > 0, got {value!r}")
    return float(value)


class ClassObjective(Objective):
    """Base of the class objectives: subclasses set ``classes``, ``x_star`` and ``f_star`` (and
    ``dim, L, f, grad, kernel`` as every objective)."""

    classes: dict[str, dict[str, float]]
    x_star: np.ndarray
    f_star: float

    @property
    def function_class(self) -> str:
        """The main class (the first of ``classes``)."""
        return next(iter(self.classes))

    def constants(self, function_class: str | None = None) -> dict[str, float]:
        """The constants of ``function_class`` (default the main class), e.g. {"L": 1.0}."""
        name = self.function_class if function_class is None else function_class
        if name not in self.classes:
            raise ValueError(
                f"function_class: {self.name} is declared in {', '.join(self.classes)}, "
                f"got {name!r}"
            )
        return dict(self.classes[name])

    def member(self, function_class: str | None = None):
        """The class as the kernel defines it (its facts), with this objective's constants."""
        from ..engine.kernel import classes

        name = self.function_class if function_class is None else function_class
        return classes.get(name, **self.constants(name))

    def _start(self, x0) -> np.ndarray:
        return np.asarray(self.x0() if x0 is None else x0, dtype=float)

    def distance(self, x0=None) -> float:
        """|x_0 - x_*| (x_0 default ``x0()``)."""
        return float(np.linalg.norm(self._start(x0) - self.x_star))

    def gap(self, x0=None) -> float:
        """f(x_0) - f_* (x_0 default ``x0()``)."""
        return float(self.f(self._start(x0))) - self.f_star

    def _set_minimum(self, x_star: np.ndarray, f_star: float, exact: bool = True) -> None:
        self.x_star = np.asarray(x_star, dtype=float)
        self.f_star = float(f_star)
        self.inf_f = self.f_lower = self.f_star
        self.inf_exact = exact

    def __repr__(self) -> str:
        consts = ", ".join(f"{k}={v:.6g}" for k, v in self.constants().items())
        return f"{type(self).__name__}(dim={self.dim}, {self.function_class}: {consts})"
