"""A method by name, or from a Python file of your own.

A method file defines ``method``, a :class:`lyapunov.methods.Method`::

    # my_method.py
    from lyapunov.methods import Method

    def step(x, b, g, *, lr, momentum):
        b1 = momentum * b + g
        return x - lr * b1, b1

    method = Method("my_sgdm", state=("x", "b"), step=step, params=("lr", "momentum"),
                    start=(1, 0))

Method files are *executed*: load only files you trust, as with running any script. Anything
wrong with a file becomes a ValueError whose message is one line naming the file.
"""

from __future__ import annotations

import runpy
from pathlib import Path

from .method import Method
from .registry import METHODS

__all__ = ["load"]


def _one_line(exc: BaseException) -> str:
    msg = str(exc).strip().splitlines()
    return msg[0] if msg else type(exc).__name__


def load(spec: str | Path | Method) -> Method:
    """The method ``spec``: a :class:`Method`, a built-in name (``"sgdm"``) or the path of a
    Python file that defines ``method``."""
    if isinstance(spec, Method):
        return spec
    if isinstance(spec, str) and spec in METHODS:
        return METHODS[spec]
    if not isinstance(spec, (str, Path)):
        raise TypeError(f"method: must be a name or a file, got {type(spec).__name__}")
    path = Path(spec)
    if path.suffix != ".py":
        raise ValueError(
            f"method: unknown method {str(spec)!r}, choose from {', '.join(METHODS)} "
            "or give a Python file that defines `method`"
        )
    if not path.is_file():
        raise ValueError(f"{path}: no such method file")
    try:
        ns = runpy.run_path(str(path), run_name="__lyapunov_method__")
    except SyntaxError as exc:
        raise ValueError(f"{path}:{exc.lineno}: syntax error: {exc.msg}") from None
    except Exception as exc:  # noqa: BLE001 - any failure of user code is reported, not raised
        raise ValueError(f"{path}: {_one_line(exc)}") from None
    method = ns.get("method")
    if not isinstance(method, Method):
        got = "nothing" if method is None else f"a {type(method).__name__}"
        raise ValueError(
            f"{path}: must define `method = Method(...)` (lyapunov.methods.Method), got {got}"
        )
    if method.name in METHODS and method is not METHODS[method.name]:
        raise ValueError(
            f"{path}: the name {method.name!r} is a built-in method's; give yours another name "
            "(the tools would take the built-in's certified bounds for it)"
        )
    return method
