r"""Synthetic non-convex objectives with a known smoothness constant and a known floor.

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
"""

from __future__ import annotations

from .base import Objective
from .least_squares import RegularizedLeastSquares
from .net import TwoLayerNet
from .quadratic import CosineQuadratic, Quadratic
from .rosenbrock import SmoothRosenbrock

__all__ = [
    "Objective",
    "Quadratic",
    "CosineQuadratic",
    "RegularizedLeastSquares",
    "SmoothRosenbrock",
    "TwoLayerNet",
    "OBJECTIVES",
    "make",
]


OBJECTIVES: dict[str, type[Objective]] = {
    c.name: c for c in (CosineQuadratic, RegularizedLeastSquares, SmoothRosenbrock, TwoLayerNet)
}
OBJECTIVES["quadratic"] = Quadratic


def make(name: str, dim: int = 10, **kwargs) -> Objective:
    """The objective called ``name`` (one of ``OBJECTIVES``) in dimension ``dim``."""
    if not isinstance(name, str) or name not in OBJECTIVES:
        raise ValueError(f"objective: unknown name {name!r}, choose from {sorted(OBJECTIVES)}")
    return OBJECTIVES[name](dim, **kwargs)
