"""Hyper-parameters of a simulation: constants, schedules and grids, as (P, T) arrays.

A parameter value is

* a number: the same constant for every step and configuration;
* a 1-D array of length ``steps``: a schedule (value at step k used by step k);
* a 2-D array of shape ``(P, steps)`` or ``(P, 1)``: P configurations (a grid), each a
  schedule or a constant. Build grids of constants with :func:`grid`.

All parameters of a call broadcast over the configuration axis (P equal or 1). Validation
follows :mod:`lyapunov.validate`: ``ValueError`` naming the parameter.
"""

from __future__ import annotations

import itertools

import numpy as np

from ..validate import check_range

__all__ = ["as_param", "grid", "broadcast_configs"]


def as_param(name: str, value, steps: int, rule: str | None = None) -> np.ndarray:
    """``value`` validated and shaped (P, T) with T in {1, steps}."""
    a = check_range(name, value, rule)
    if a.ndim == 0:
        return a.reshape(1, 1)
    if a.ndim == 1:
        if a.shape[0] != steps:
            raise ValueError(
                f"{name}: a schedule must have one value per step (steps = {steps}), "
                f"got length {a.shape[0]}"
            )
        return a.reshape(1, steps)
    if a.ndim == 2:
        if a.shape[1] not in (1, steps):
            raise ValueError(
                f"{name}: a grid of schedules must have shape (P, {steps}) or (P, 1), got {a.shape}"
            )
        return a
    raise ValueError(f"{name}: must be a number, a schedule or a (P, T) grid, got shape {a.shape}")


def broadcast_configs(params: dict[str, np.ndarray]) -> int:
    """The common number of configurations P of (P, T) arrays (each P equal or 1)."""
    sizes = {k: v.shape[0] for k, v in params.items()}
    big = {s for s in sizes.values() if s != 1}
    if len(big) > 1:
        desc = ", ".join(f"{k} has {v}" for k, v in sizes.items())
        raise ValueError(f"numbers of configurations differ: {desc}")
    return big.pop() if big else 1


def grid(**values) -> dict[str, np.ndarray]:
    """The cartesian product of constant values, as (P, 1) arrays, in C order.

    >>> g = grid(lr=[0.01, 0.1], momentum=[0.0, 0.9])   # P = 4
    >>> g["lr"].ravel().tolist(), g["momentum"].ravel().tolist()
    ([0.01, 0.01, 0.1, 0.1], [0.0, 0.9, 0.0, 0.9])
    """
    names = list(values)
    lists = [np.atleast_1d(np.asarray(values[n], dtype=float)).ravel() for n in names]
    rows = list(itertools.product(*lists))
    return {n: np.array([r[i] for r in rows]).reshape(-1, 1) for i, n in enumerate(names)}
