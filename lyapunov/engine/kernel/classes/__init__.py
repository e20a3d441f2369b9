"""Function classes, one module each: the facts of the class, defined once.

``CLASSES`` maps a class's name to its type; :func:`get` builds one from its constants.
Adding a class is one module here (a :class:`FunctionClass` with its facts) plus its tests.
"""

from __future__ import annotations

from .base import STAR, FunctionClass
from .convex import Convex, ConvexLipschitz, SmoothConvex, SmoothStronglyConvex
from .pl import SmoothPL
from .smooth import Smooth

__all__ = [
    "CLASSES",
    "STAR",
    "Convex",
    "ConvexLipschitz",
    "FunctionClass",
    "Smooth",
    "SmoothConvex",
    "SmoothPL",
    "SmoothStronglyConvex",
    "get",
]

CLASSES: dict[str, type[FunctionClass]] = {
    cls.name: cls
    for cls in (Smooth, SmoothConvex, SmoothStronglyConvex, Convex, ConvexLipschitz, SmoothPL)
}


def get(name: str, **constants) -> FunctionClass:
    """The class called ``name`` with its constants, e.g. ``get("smooth", L=1)``.

    ValueError naming the class and what is allowed for an unknown name or a missing or
    unexpected constant.
    """
    if not isinstance(name, str) or name not in CLASSES:
        raise ValueError(
            f"function_class: unknown class {name!r}, choose from {', '.join(CLASSES)}"
        )
    cls = CLASSES[name]
    fields = list(cls.__dataclass_fields__)
    missing = [k for k in fields if k not in constants]
    extra = [k for k in constants if k not in fields]
    if missing or extra:
        what = f"missing {', '.join(missing)}" if missing else f"unexpected {', '.join(extra)}"
        raise ValueError(f"function_class {name}: {what} (its constants are {', '.join(fields)})")
    return cls(**constants)
