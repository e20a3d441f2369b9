"""Input validation shared by the calculators, the converters and the command line.

Every message names the parameter, says what is allowed and shows the bad value, e.g.
``momentum: must be in [0, 1), got 1.5``. The Python API raises ValueError (TypeError for a
non-numeric value); the CLI prints the same message on one line and exits 2.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["as_array", "check_range", "check_steps", "same_length"]

_RANGES = {
    "lr": ("> 0", lambda a: a > 0),
    "eta": ("> 0", lambda a: a > 0),
    "L": ("> 0", lambda a: a > 0),
    "momentum": ("in [0, 1)", lambda a: (a >= 0) & (a < 1)),
    "c": ("in (0, 1]", lambda a: (a > 0) & (a <= 1)),
    "beta": ("in [0, 1]", lambda a: (a >= 0) & (a <= 1)),  # GSPA: where the gradient is taken
    "nu": ("in [0, 1]", lambda a: (a >= 0) & (a <= 1)),  # QHM
    "sigma2": (">= 0", lambda a: a >= 0),
    "gap": (">= 0", lambda a: a >= 0),
}


def _show(a: np.ndarray, bad: np.ndarray) -> str:
    v = a[bad].ravel()[0] if a.ndim else a
    return repr(float(v))


def as_array(name: str, value) -> np.ndarray:
    """A float array from a number or array-like; TypeError/ValueError naming ``name``."""
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name}: must be a number or an array of numbers, got {value!r}")
    if isinstance(value, bool) or (isinstance(value, np.ndarray) and value.dtype == bool):
        raise TypeError(f"{name}: must be a number, got a boolean")
    try:
        a = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(
            f"{name}: must be a number or an array of numbers, got {type(value).__name__}"
        ) from None
    if a.size == 0:
        raise ValueError(f"{name}: must not be empty")
    bad = ~np.isfinite(a)
    if bad.any():
        raise ValueError(f"{name}: must be finite, got {_show(a, bad)}")
    return a


def check_range(name: str, value, rule: str | None = None) -> np.ndarray:
    """Validate ``value`` against the allowed range of parameter ``name``."""
    a = as_array(name, value)
    text, ok = _RANGES[rule or name]
    bad = ~ok(a)
    if bad.any():
        raise ValueError(f"{name}: must be {text}, got {_show(a, bad)}")
    return a


def check_steps(value, name: str = "steps") -> np.ndarray:
    """Positive whole numbers of steps."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        if value < 1:
            raise ValueError(f"{name}: must be an integer >= 1, got {value}")
        return np.asarray(float(value))
    a = as_array(name, value)
    bad = (a < 1) | (a != np.floor(a))
    if bad.any():
        raise ValueError(f"{name}: must be an integer >= 1, got {_show(a, bad)}")
    return a


def same_length(**arrays: np.ndarray) -> int:
    """Schedules: every array 1-D and of the same length."""
    lengths = {}
    for name, a in arrays.items():
        if a.ndim != 1:
            raise ValueError(
                f"{name}: a schedule must be a 1-D array (one value per step), got shape {a.shape}"
            )
        lengths[name] = a.shape[0]
    if len(set(lengths.values())) > 1:
        desc = ", ".join(f"{k} has {v}" for k, v in lengths.items())
        raise ValueError(f"schedule lengths differ: {desc}")
    return next(iter(lengths.values()))
