"""Per-step parameters of a method from a named schedule or a file: the input of the schedule
calculators (what ``lyapunov bound --schedule`` / ``--schedule-file`` reads).

    >>> from lyapunov.bounds.schedule_input import schedule_input
    >>> s = schedule_input("sgdm", {"lr": 0.1, "momentum": 0.9}, steps=1000, kind="cosine")
    >>> from lyapunov import bounds
    >>> bounds.certified_bound("sgdm", schedule=s.values, L=1, sigma2=0.01, gap=1)

The schedule varies the method's first parameter (its step: lr, or eta); the others are kept
constant, except that a file's second column gives the second parameter (momentum, or c) per
step. The schedules themselves are :mod:`lyapunov.sim.schedules`' (:func:`named`, :func:`load`).
Bad input raises ValueError naming the value and what is allowed; ``prefix`` spells the
parameters' names in the messages (the command line: ``"--"``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..methods.registry import get

__all__ = ["ScheduleInput", "schedule_input", "parse_milestones"]


@dataclass(frozen=True)
class ScheduleInput:
    """Every parameter of a method, one value per step, and where the values come from."""

    values: dict[str, np.ndarray]  # the method's parameters (registry names) -> (steps,) arrays
    label: str  # the schedule's name, or its file's path
    steps: int


def parse_milestones(text: str | None, prefix: str = "") -> list[int] | None:
    """``"500,750"`` -> [500, 750] (spaces and empty items ignored); ``None`` stays ``None``."""
    if text is None:
        return None
    try:
        return [int(x) for x in text.replace(" ", "").split(",") if x]
    except ValueError:
        raise ValueError(
            f"{prefix}milestones: must be whole steps separated by commas, got {text!r}"
        ) from None


def schedule_input(
    method: str,
    given: Mapping[str, float | None],
    *,
    steps: int | None = None,
    kind: str | None = None,
    final: float | None = None,
    milestones: str | list[int] | None = None,
    gamma: float = 0.1,
    path: str | Path | None = None,
    prefix: str = "",
) -> ScheduleInput:
    """The per-step parameters of ``method``: its first parameter from the schedule ``kind``
    (:func:`lyapunov.sim.schedules.named`: constant, cosine, step, linear, starting at its
    value in ``given``), or from the file ``path`` (:func:`lyapunov.sim.schedules.load`: one
    line per step, one or two columns); the other parameters from ``given`` (name -> number,
    ``None``: not given), repeated over the steps. ``steps`` is required with ``kind`` and,
    with a file, must equal its number of lines if given.
    """
    from ..sim import schedules as sch

    params = get(method).params
    first = params[0]
    second = params[1] if len(params) > 1 else None
    if path is not None:
        table = sch.load(path)
        if steps is not None and steps != table.shape[0]:
            raise ValueError(
                f"{prefix}steps: {steps} given but {path} has {table.shape[0]} rows (one per step)"
            )
        steps = table.shape[0]
        if given.get(first) is not None:
            raise ValueError(f"{prefix}{first} comes from {path}: do not give it too")
        values = {first: table[:, 0]}
        if table.shape[1] == 2:
            if second is None:
                raise ValueError(f"{path}: method {method} takes one value per line ({first})")
            if given.get(second) is not None:
                raise ValueError(f"{prefix}{second} comes from {path} (its second column)")
            values[second] = table[:, 1]
        label = str(path)  # "the lr.txt schedule"
    else:
        if given.get(first) is None:
            raise ValueError(f"{prefix}{first} is required: the schedule's first value")
        ms = parse_milestones(milestones, prefix) if isinstance(milestones, str) else milestones
        if steps is None or steps < 1:
            raise ValueError(f"steps: must be an integer >= 1, got {steps}")
        with np.errstate(over="ignore"):  # a value beyond the floats is refused just below
            built = sch.named(kind, given[first], steps, final=final, milestones=ms, gamma=gamma)
        if not np.all(np.isfinite(built)):
            raise ValueError(
                f"{prefix}{first}: the {kind} schedule from {given[first]:g} overflows a float "
                f"at step {int(np.argmin(np.isfinite(built)))}: give smaller values"
            )
        values = {first: built}
        label = str(kind)
    for name in params[1:]:
        if name not in values:
            if given.get(name) is None:
                raise ValueError(f"{prefix}{name} is required for method {method}")
            values[name] = np.full(steps, float(given[name]))
    return ScheduleInput(values, label, int(steps))
