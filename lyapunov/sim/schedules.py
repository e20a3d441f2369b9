"""Per-step schedules: a schedule is a 1-D array with one value per step (k = 0..steps-1).

Pass one as any parameter of :func:`lyapunov.sim.simulate` (``lr``, ``momentum``, ``eta``,
``c``, ``sigma2``); stack several into a (P, steps) array for a grid of schedules.
"""

from __future__ import annotations

import numpy as np

__all__ = ["constant", "step_decay", "cosine", "linear", "momentum_drop"]


def _k(steps: int) -> np.ndarray:
    if isinstance(steps, bool) or int(steps) != steps or steps < 1:
        raise ValueError(f"steps: must be an integer >= 1, got {steps!r}")
    return np.arange(int(steps), dtype=float)


def constant(value: float, steps: int) -> np.ndarray:
    """value at every step."""
    return np.full(int(steps), float(value)) + 0 * _k(steps)


def step_decay(value: float, steps: int, at, factor: float = 0.1) -> np.ndarray:
    """value * factor^(number of milestones in ``at`` that are <= k)  (PyTorch MultiStepLR)."""
    k = _k(steps)
    at = np.atleast_1d(np.asarray(at, dtype=float))
    return float(value) * float(factor) ** np.sum(k[:, None] >= at[None, :], axis=1)


def cosine(value: float, steps: int, final: float = 0.0) -> np.ndarray:
    """final + (value - final)(1 + cos(pi k / steps))/2  (cosine annealing, no restart)."""
    k = _k(steps)
    return final + (float(value) - final) * (1 + np.cos(np.pi * k / int(steps))) / 2


def linear(value: float, steps: int, final: float) -> np.ndarray:
    """From value at k = 0 to final at k = steps - 1, linearly."""
    k = _k(steps)
    t = k / max(int(steps) - 1, 1)
    return (1 - t) * float(value) + t * float(final)


def momentum_drop(momentum: float, steps: int, at: int, after: float = 0.0) -> np.ndarray:
    """momentum for k < at, then ``after`` (claim C5: drop momentum after the start)."""
    k = _k(steps)
    return np.where(k < at, float(momentum), float(after))
