"""The figures page: every committed figure (``figures/NAME.png``) with the title and caption
its module defines (``lyapunov.figures``: ``TITLE``, ``CAPTION``) and the command that
regenerates it. A committed PNG without a figure module, or a figure without its committed
PNG, stops the build: the page shows exactly what the repository holds.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.errors import ExtensionError

from lyapunov.figures import FIGURES, figure_module

from .catalogue import escape

__all__ = ["markdown"]


def markdown(root: Path) -> str:
    """The generated part of the figures page."""
    folder = root / "figures"
    committed = {p.stem for p in folder.glob("*.png")}
    if committed != set(FIGURES):
        extra = ", ".join(sorted(committed - set(FIGURES))) or "none"
        missing = ", ".join(sorted(set(FIGURES) - committed)) or "none"
        raise ExtensionError(
            f"figures/: PNG files without a figure module: {extra}; "
            f"figures without a committed PNG: {missing}"
        )
    out = []
    for name in FIGURES:
        mod = figure_module(name)
        out += [
            f"## {escape(mod.TITLE)}",
            "",
            f"![{escape(mod.TITLE)}](../figures/{name}.png)",
            "",
            mod.CAPTION.strip(),
            "",
            f"Regenerate: `lyapunov figures --only {name}` (writes `figures/{name}.png` and "
            f"`figures/{name}.pdf`; `lyapunov figures` regenerates them all).",
            "",
        ]
    return "\n".join(out)
