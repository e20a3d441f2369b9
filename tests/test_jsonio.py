"""One JSON convention everywhere: inf -> "inf", -inf -> "-inf", NaN -> null; strict JSON."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from lyapunov import confirm
from lyapunov.jsonio import dumps, jsonable


def test_convention():
    obj = {
        "a": math.inf,
        "b": -math.inf,
        "c": math.nan,
        "d": [1.0, np.float64(np.inf), np.int64(3)],
        "e": np.array([[0.5, np.nan]]),
        "f": (None, "x"),
    }
    text = dumps(obj)
    back = json.loads(text)
    assert back == {"a": "inf", "b": "-inf", "c": None, "d": [1.0, "inf", 3],
                    "e": [[0.5, None]], "f": [None, "x"]}  # fmt: skip
    assert float(back["a"]) == math.inf and float(back["b"]) == -math.inf
    with pytest.raises(ValueError):
        json.dumps({"x": math.inf}, allow_nan=False)  # what the convention avoids


def test_confirm_uses_the_same_function():
    assert confirm.jsonable is jsonable


def test_guide_documents_the_convention():
    from pathlib import Path

    guide = Path(__file__).resolve().parent.parent / "docs" / "guide" / "cli.md"
    text = guide.read_text()
    assert 'is the string `"inf"`' in text and "`null`" in text
