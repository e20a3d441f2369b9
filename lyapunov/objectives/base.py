"""The objective interface (see :mod:`lyapunov.objectives`)."""

from __future__ import annotations

import numpy as np


class Objective:
    """Base class: subclasses set ``dim, L, inf_f, f_lower`` and implement ``f, grad``."""

    name: str = ""
    dim: int
    L: float
    L_exact: bool = True
    inf_f: float
    f_lower: float
    inf_exact: bool = True
    n_samples: int | None = None  # finite sums only

    def f(self, X: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def grad(self, X: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def x0(self) -> np.ndarray:
        """The default starting point."""
        return np.ones(self.dim)

    def hess(self, x: np.ndarray, h: float = 1e-5) -> np.ndarray:
        """Hessian at one point by central differences of the exact gradient (tests only)."""
        x = np.asarray(x, dtype=float)
        E = np.eye(self.dim) * h
        G = (self.grad(x + E) - self.grad(x - E)) / (2 * h)  # row i: d grad / d x_i
        return (G + G.T) / 2

    def kernel(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}(dim={self.dim}, L={self.L:.6g})"


def check_dim(dim) -> int:
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)) or dim < 1:
        raise ValueError(f"dim: must be an integer >= 1, got {dim!r}")
    return int(dim)


# --------------------------------------------------------------------------- quadratic
