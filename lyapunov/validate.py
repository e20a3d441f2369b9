"""Input validation shared by the calculators, the converters and the command line.

Every message names the parameter, says what is allowed and shows the bad value, e.g.
``momentum: must be in [0, 1), got 1.5``. The Python API raises ValueError (TypeError for a
non-numeric value); the CLI prints the same message on one line and exits 2.
"""

from __future__ import annotations

import math
import numbers
import re
from dataclasses import dataclass

import numpy as np

__all__ = ["RANGES", "Range", "as_array", "real", "check_range", "check_steps", "same_length"]


@dataclass(frozen=True)
class Range:
    """An interval of allowed values, written as users read it: ``"> 0"``, ``">= 0"``,
    ``"in [0, 1)"``, ``"in (0, 1]"``, ``"in [0, 1]"`` or ``"real"``.

    ``ok(a)`` tests values (vectorised); ``relations(x)`` gives the same conditions on a
    sympy symbol, for a theorem's region.
    """

    text: str
    lo: float = -math.inf
    hi: float = math.inf
    lo_closed: bool = False
    hi_closed: bool = False

    @classmethod
    def parse(cls, text: str) -> Range:
        if not isinstance(text, str):
            raise TypeError(f"range: must be a string such as 'in [0, 1)', got {text!r}")
        t = " ".join(text.split())
        if t == "real":
            return cls(t)
        m = re.fullmatch(r"(>=|>|<=|<) *([-+0-9.eE]+)", t)
        if m:
            op, v = m.group(1), float(m.group(2))
            if op[0] == ">":
                return cls(t, lo=v, lo_closed=op == ">=")
            return cls(t, hi=v, hi_closed=op == "<=")
        m = re.fullmatch(r"in *([\[(]) *([-+0-9.eE]+) *, *([-+0-9.eE]+) *([\])])", t)
        if m and float(m.group(2)) < float(m.group(3)):
            return cls(
                t,
                lo=float(m.group(2)),
                hi=float(m.group(3)),
                lo_closed=m.group(1) == "[",
                hi_closed=m.group(4) == "]",
            )
        raise ValueError(
            f"range: cannot read {text!r} (write e.g. '> 0', '>= 0', 'in [0, 1)' or 'real')"
        )

    def ok(self, a):
        """True where ``a`` lies in the range (numpy arrays elementwise)."""
        lo = (a >= self.lo) if self.lo_closed else (a > self.lo)
        hi = (a <= self.hi) if self.hi_closed else (a < self.hi)
        return lo & hi

    def relations(self, x) -> list:
        """The range as sympy relations on the symbol ``x``."""
        import sympy as sp

        out = []
        if math.isfinite(self.lo):
            lo = sp.nsimplify(self.lo)
            out.append(x >= lo if self.lo_closed else x > lo)
        if math.isfinite(self.hi):
            hi = sp.nsimplify(self.hi)
            out.append(x <= hi if self.hi_closed else x < hi)
        return out

    def example(self) -> float:
        """A value inside the range (its middle, or a unit away from its one end)."""
        if math.isfinite(self.lo) and math.isfinite(self.hi):
            return (self.lo + self.hi) / 2
        if math.isfinite(self.lo):
            return self.lo + 1
        if math.isfinite(self.hi):
            return self.hi - 1
        return 0.0


#: the allowed range of every parameter the toolkit knows by name
RANGES: dict[str, Range] = {
    name: Range.parse(text)
    for name, text in {
        "lr": "> 0",
        "eta": "> 0",
        "L": "> 0",
        "momentum": "in [0, 1)",
        "c": "in (0, 1]",
        "beta": "in [0, 1]",  # GSPA: where the gradient is taken
        "nu": "in [0, 1]",  # QHM
        "rho": "in [0, 1)",  # a contraction factor (triple momentum)
        "sigma2": ">= 0",
        "gap": ">= 0",
    }.items()
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


def real(name: str, value: object) -> float:
    """One finite real number (not a boolean); ValueError naming ``name`` otherwise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name}: must be a real number, got {value!r}")
    out = float(value)
    if not math.isfinite(out):
        raise ValueError(f"{name}: must be finite, got {value!r}")
    return out


def check_range(name: str, value, rule: str | Range | None = None) -> np.ndarray:
    """Validate ``value`` against the allowed range of parameter ``name`` (or ``rule``: the
    name of another parameter whose range applies, or a :class:`Range`)."""
    a = as_array(name, value)
    r = rule if isinstance(rule, Range) else RANGES[rule or name]
    bad = ~r.ok(a)
    if bad.any():
        raise ValueError(f"{name}: must be {r.text}, got {_show(a, bad)}")
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


def schedule_arrays(**arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    """Schedules given together: the 1-D arrays (one value per step) of the same length, and
    a number given for one of them repeated at every step (at least one must be 1-D)."""
    per_step = {k: a for k, a in arrays.items() if np.ndim(a) != 0}
    if not per_step:
        names = " or ".join(arrays)
        raise ValueError(f"{names}: give a schedule (a 1-D array, one value per step), got numbers")
    n = same_length(**per_step)
    return tuple(np.full(n, float(a)) if np.ndim(a) == 0 else a for a in arrays.values())


def constant_schedule(*schedules: np.ndarray) -> bool:
    """Every schedule the same value at every step (then it is a run at constant parameters,
    which the constant calculators bound: the same iterates)."""
    return all(bool(np.all(a == a[0])) for a in schedules)


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
