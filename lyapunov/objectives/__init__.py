r"""Synthetic objectives: non-convex ones with a known smoothness constant and a known floor, and
members of the convex, strongly convex, Lipschitz and PL classes with x_* and f_* known.

Every objective works in any dimension ``dim`` and exposes

* ``f(X)`` and ``grad(X)`` for ``X`` of shape ``(..., dim)`` (any leading batch axes, e.g.
  ``(runs, dim)``): ``f`` returns shape ``(...)``, ``grad`` shape ``(..., dim)``;
* ``L``: a proved smoothness constant, |grad f(x) - grad f(y)| <= L |x - y| for all x, y
  (``L_exact`` says whether it is the best constant, i.e. attained by the Hessian spectrum);
* ``inf_f`` (the infimum, or the best known value) and ``f_lower`` (a certified lower bound,
  ``f_lower <= inf f``; ``inf_exact`` says whether ``inf_f`` is exact). The confirmation uses
  ``gap = f(x_0) - f_lower``, which can only over-estimate f(x_0) - inf f (the bound is monotone
  in the gap, so this is conservative);
* ``x0()``: a default starting point (not a stationary point);
* ``kernel()``: ``(f_row, grad_row, data)``, plain-Python loops on one row ``x`` of shape
  ``(dim,)`` (``f_row(x, data) -> float``, ``grad_row(x, g, data)`` writes ``g``), which
  ``lyapunov.sim`` compiles with ``numba.njit`` into its fused step. They compute the same
  numbers as ``f`` / ``grad`` (tested to round-off).

Finite sums (``RegularizedLeastSquares``, ``TwoLayerNet``) also expose ``n_samples``,
``grad_batch(X, idx)`` (the minibatch gradient, ``idx`` of shape ``(..., m)``) and
``minibatch_variance(X, m)``, the exact variance E|g_B - grad f|^2 of a minibatch of m samples
drawn uniformly *with replacement*:

    Var = (1/m) ((1/n) sum_j |grad f_j(x)|^2 - |grad f(x)|^2).

The L proofs are in the class docstrings; ``tests/test_objectives.py`` checks every L against
the Hessian spectrum at random points and every gradient against finite differences.

``CLASS_OBJECTIVES`` are the members of the convex, strongly convex, Lipschitz and PL classes
(:class:`ClassObjective`: each declares its classes with their constants, x_* and f_*; the
facts of each class are checked on them in ``tests/test_objectives_classes.py``):
``convex_quadratic`` (chosen spectrum in [mu, L]), ``logistic`` (logistic regression),
``huber``, ``l1`` (weighted l1 distance, non-smooth) and ``pl_sine`` (x^2 + 3 sin^2 x, PL and
non-convex). ``make`` builds any objective of either registry by name.
"""

from __future__ import annotations

from .base import Objective
from .classes import ClassObjective
from .convex_quadratic import ConvexQuadratic
from .huber import Huber
from .l1 import WeightedL1
from .least_squares import RegularizedLeastSquares
from .logistic import LogisticRegression
from .net import TwoLayerNet
from .pl_sine import SineSquaredPL
from .quadratic import CosineQuadratic, Quadratic
from .rosenbrock import SmoothRosenbrock

__all__ = [
    "Objective",
    "Quadratic",
    "CosineQuadratic",
    "RegularizedLeastSquares",
    "SmoothRosenbrock",
    "TwoLayerNet",
    "ClassObjective",
    "ConvexQuadratic",
    "LogisticRegression",
    "Huber",
    "WeightedL1",
    "SineSquaredPL",
    "OBJECTIVES",
    "CLASS_OBJECTIVES",
    "make",
]


OBJECTIVES: dict[str, type[Objective]] = {
    c.name: c for c in (CosineQuadratic, RegularizedLeastSquares, SmoothRosenbrock, TwoLayerNet)
}
OBJECTIVES["quadratic"] = Quadratic

#: members of the convex, strongly convex, Lipschitz and PL classes (x_* and f_* known)
CLASS_OBJECTIVES: dict[str, type[ClassObjective]] = {
    c.name: c for c in (ConvexQuadratic, LogisticRegression, Huber, WeightedL1, SineSquaredPL)
}


def make(name: str, dim: int = 10, **kwargs) -> Objective:
    """The objective called ``name`` (of ``OBJECTIVES`` or ``CLASS_OBJECTIVES``) in dimension
    ``dim``."""
    every = {**OBJECTIVES, **CLASS_OBJECTIVES}
    if not isinstance(name, str) or name not in every:
        raise ValueError(f"objective: unknown name {name!r}, choose from {sorted(every)}")
    return every[name](dim, **kwargs)
