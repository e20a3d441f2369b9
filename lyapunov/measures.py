r"""Performance measures, each defined once as forms over a run's points.

A run of n steps has gradient points y_0, ..., y_{n-1} (where the method takes its
gradients), an output x_n (the iterate it returns) and, for the classes that have one, a
minimiser x_* with grad f(x_*) = 0 and f(x_*) = f_* (else f_* is a lower bound on inf f).

=============  =====================================  ========================================
name           the measure                            needs
=============  =====================================  ========================================
avg_grad2      (1/n) sum_{k<n} |grad f(y_k)|^2        --
min_grad2      min_{k<n} |grad f(y_k)|^2              --
last_gap       f(x_n) - f_*                           --
avg_gap        (1/n) sum_{k<n} f(y_k) - f_*           --
last_dist2     |x_n - x_*|^2                          a class with a minimiser (convex ones)
=============  =====================================  ========================================

Each measure is the minimum of its :meth:`Measure.terms` (one term but for ``min_grad2``),
forms built with the engine's ``f``, ``sqnorm``: the exact worst case (:mod:`lyapunov.pep`)
maximises that minimum, and a theorem's rate bounds it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import sympy as sp

from .engine.kernel.forms import Form, Point, f, sqnorm

__all__ = ["MEASURES", "Measure", "get"]


@dataclass(frozen=True)
class Measure:
    """A performance measure: its name, formula and the forms whose minimum it is."""

    name: str
    formula: str
    needs_minimizer: bool
    _terms: Callable[[Sequence[Point], Point, Point], list[Form]]

    def terms(self, grads: Sequence[Point], output: Point, star: Point) -> list[Form]:
        """The forms whose minimum is the measure, for gradient points ``grads`` (y_0..y_{n-1}),
        the ``output`` x_n and the minimiser / infimum ``star``."""
        return self._terms(grads, output, star)


def _avg(grads, output, star):
    total = Form()
    for p in grads:
        total = total + sqnorm(p.grad)
    return [total / sp.Integer(len(grads))]


MEASURES: dict[str, Measure] = {
    m.name: m
    for m in (
        Measure("avg_grad2", "(1/n) sum_{k<n} |grad f(y_k)|^2", False, _avg),
        Measure(
            "min_grad2",
            "min_{k<n} |grad f(y_k)|^2",
            False,
            lambda grads, output, star: [sqnorm(p.grad) for p in grads],
        ),
        Measure(
            "last_gap", "f(x_n) - f_*", False, lambda grads, output, star: [f(output) - f(star)]
        ),
        Measure(
            "avg_gap",
            "(1/n) sum_{k<n} f(y_k) - f_*",
            False,
            lambda grads, output, star: [
                sum((f(p) - f(star) for p in grads), Form()) / sp.Integer(len(grads))
            ],
        ),
        Measure(
            "last_dist2",
            "|x_n - x_*|^2",
            True,
            lambda grads, output, star: [sqnorm(output - star)],
        ),
    )
}


def get(name: str) -> Measure:
    """The measure called ``name``; ValueError listing the choices otherwise."""
    if not isinstance(name, str) or name not in MEASURES:
        raise ValueError(f"measure: unknown measure {name!r}, choose from {', '.join(MEASURES)}")
    return MEASURES[name]
