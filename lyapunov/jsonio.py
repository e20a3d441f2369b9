"""The JSON convention of every ``--json`` output (``bound``, ``simulate``, ``check``, ...).

Strict JSON has no inf or NaN, so every output goes through :func:`jsonable`:

* ``+inf`` -> the string ``"inf"``, ``-inf`` -> ``"-inf"`` (e.g. ``"bound": "inf"`` where no
  certified theorem covers the parameters); ``float("inf")`` in Python and
  ``numpy.float64("inf")`` read them back;
* NaN (a mean over no run) -> ``null``;
* numpy scalars and arrays -> numbers and nested lists.
"""

from __future__ import annotations

import json
import math

import numpy as np

__all__ = ["jsonable", "dumps"]


def jsonable(obj):
    """``obj`` with inf -> "inf"/"-inf", NaN -> None, numpy -> Python, recursively."""
    if isinstance(obj, dict):
        return {k: jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return jsonable(obj.tolist())
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None if math.isnan(obj) else ("inf" if obj > 0 else "-inf")
    return obj


def dumps(obj, indent: int | None = 2) -> str:
    """Strict JSON (``allow_nan=False``) of ``jsonable(obj)``."""
    return json.dumps(jsonable(obj), indent=indent, allow_nan=False)
