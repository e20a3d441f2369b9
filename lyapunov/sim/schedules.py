"""Per-step schedules: a schedule is a 1-D array with one value per step (k = 0..steps-1).

Pass one as any parameter of :func:`lyapunov.sim.simulate` (``lr``, ``momentum``, ``eta``,
``c``, ``sigma2``) or of the schedule calculators (``bounds.sgdm_schedule``, ...); stack several
into a (P, steps) array for a grid of schedules. :func:`named` builds one by name (what
``lyapunov bound --schedule`` uses) and :func:`load` reads per-step values from a text file
(``lyapunov bound --schedule-file``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

__all__ = ["constant", "step_decay", "cosine", "linear", "momentum_drop", "named", "load", "NAMES"]

NAMES = ("constant", "cosine", "step", "linear")


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


def named(
    kind: str,
    value: float,
    steps: int,
    *,
    final: float | None = None,
    milestones=None,
    gamma: float = 0.1,
) -> np.ndarray:
    """The schedule ``kind`` starting at ``value``, one value per step:

    * ``"constant"``: value;
    * ``"cosine"``: :func:`cosine` from value to ``final`` (default 0; PyTorch's
      CosineAnnealingLR with T_max = steps, eta_min = final);
    * ``"step"``: :func:`step_decay`, value * gamma^(milestones passed) (PyTorch's MultiStepLR);
      ``milestones`` required (steps k where the value is multiplied by ``gamma``);
    * ``"linear"``: :func:`linear` from value to ``final`` (required) at the last step.
    """
    if kind not in NAMES:
        raise ValueError(f"schedule: must be one of {', '.join(NAMES)}, got {kind!r}")
    if kind == "constant":
        return constant(value, steps)
    if kind == "cosine":
        return cosine(value, steps, 0.0 if final is None else float(final))
    if kind == "linear":
        if final is None:
            raise ValueError("final: required by the linear schedule (the value at the last step)")
        return linear(value, steps, float(final))
    if milestones is None or np.size(milestones) == 0:
        raise ValueError("milestones: required by the step schedule (e.g. 500,750)")
    return step_decay(value, steps, milestones, gamma)


def load(path: str | Path) -> np.ndarray:
    """Per-step values from a text file: one line per step, one or two numbers per line
    (separated by spaces, tabs or a comma); ``#`` starts a comment, blank lines are skipped.
    Returns an array of shape (steps, columns). ValueError naming the file and line otherwise.
    """
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise ValueError(f"schedule file: cannot read {path}: {exc.strerror}") from None
    rows: list[list[float]] = []
    for i, line in enumerate(text.splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        fields = line.replace(",", " ").split()
        try:
            row = [float(x) for x in fields]
        except ValueError:
            raise ValueError(
                f"schedule file: {path} line {i}: expected 1 or 2 numbers, got {line!r}"
            ) from None
        if len(row) not in (1, 2) or (rows and len(row) != len(rows[0])):
            want = len(rows[0]) if rows else "1 or 2"
            raise ValueError(
                f"schedule file: {path} line {i}: expected {want} numbers, got {len(row)}"
            )
        rows.append(row)
    if not rows:
        raise ValueError(f"schedule file: {path} has no values (one line per step)")
    return np.asarray(rows, dtype=float)
