"""The best step size for a budget: argmin over the step of a certified bound.

The minimiser is found numerically by nested log-spaced grids (each pass zooms into the
bracket around the best point of the previous one), vectorized over every other argument.
Whatever step is returned, the bound returned with it is the certified bound *at that step*,
so an imprecise minimiser can only cost tightness, never soundness.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["argmin_step"]


def argmin_step(
    bound: Callable[[np.ndarray], np.ndarray],
    hi: np.ndarray,
    *,
    decades: float = 9.0,
    points: tuple[int, ...] = (181, 41, 41, 41),
) -> tuple[np.ndarray, np.ndarray]:
    """Minimise ``bound(step)`` over step in [hi * 10**-decades, hi], elementwise.

    ``bound`` maps an array of steps, whose trailing axis is the search axis, to bounds of the
    same shape; ``hi`` has the batch shape. Returns (best step, bound there).
    """
    hi = np.asarray(hi, dtype=float)
    lo_log = np.log(hi) - decades * np.log(10.0)
    hi_log = np.log(hi)
    best_s = best_v = None
    for n in points:
        t = np.linspace(0.0, 1.0, n)
        logs = lo_log[..., None] + (hi_log - lo_log)[..., None] * t
        logs = np.minimum(logs, np.log(hi)[..., None])
        vals = bound(np.exp(logs))
        i = np.argmin(vals, axis=-1)[..., None]
        s = np.exp(np.take_along_axis(logs, i, -1))[..., 0]
        v = np.take_along_axis(vals, i, -1)[..., 0]
        if best_v is None:
            best_s, best_v = s, v
        else:
            better = v < best_v
            best_s, best_v = np.where(better, s, best_s), np.where(better, v, best_v)
        width = (hi_log - lo_log) / (n - 1)
        centre = np.log(best_s)
        lo_log, hi_log = centre - width, np.minimum(centre + width, np.log(hi))
    return best_s, best_v
