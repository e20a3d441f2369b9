"""Docstrings as reStructuredText: the package writes norms as plain text, ``|grad f(x)|^2``.

In reST a bar starts a substitution reference (``|name|``), so autodoc would warn on (or
drop) every norm. :func:`escape_bars` escapes each bar of the prose (``\\|`` reads ``|``) and
leaves alone what reST takes literally: inline literals (````...````), interpreted text
(```...```), literal blocks (the indented block after a paragraph ending in ``::``) and
doctest blocks (``>>>`` up to the next blank line).
"""

from __future__ import annotations

import re

__all__ = ["escape_bars", "process_docstring"]

_LITERAL = re.compile(r"(``.+?``|`[^`]+`)")


def _escape_prose(line: str) -> str:
    parts = _LITERAL.split(line)  # odd indices: literal pieces
    return "".join(p if i % 2 else p.replace("|", r"\|") for i, p in enumerate(parts))


def escape_bars(lines: list[str]) -> list[str]:
    """``lines`` with the bars of the prose escaped (see the module docstring)."""
    out: list[str] = []
    opener: int | None = None  # indent of a paragraph that ended in "::"
    literal: int | None = None  # the literal block lasts while lines are indented beyond this
    doctest = False
    for line in lines:
        text = line.strip()
        indent = len(line) - len(line.lstrip())
        if not text:
            doctest = False
            out.append(line)
            continue
        if literal is not None and indent > literal:
            out.append(line)
            continue
        literal = None
        if opener is not None:
            literal, opener = (opener, None) if indent > opener else (None, None)
            if literal is not None:
                out.append(line)
                continue
        doctest = doctest or text.startswith(">>>")
        out.append(line if doctest else _escape_prose(line))
        if text.endswith("::"):
            opener = indent
    return out


def process_docstring(app, what, name, obj, options, lines: list[str]) -> None:
    """The ``autodoc-process-docstring`` handler: escapes the bars in place."""
    lines[:] = escape_bars(lines)
