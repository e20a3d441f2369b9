"""Sphinx extension: the pages generated from the repository at build time.

A generated page is a short Markdown file in ``docs/`` (its introduction) to which the
extension appends Markdown computed from the repository when Sphinx reads it (the
``source-read`` event), so the generated part is parsed like any MyST text and is never
written to disk:

* ``catalogue``: every theorem of ``proofs/`` (:mod:`.catalogue`), checked by
  ``lyapunov check`` during the build (started, with the typesetting, before the other pages
  are read; the catalogue is read last);
* ``figures``: every committed figure of ``figures/`` with its caption (:mod:`.figures_page`).

It also lets autodoc read the package's plain-text norms (``|grad f|^2``) as text
(:mod:`.docstrings`).

These pages are rebuilt on every build (``env-get-outdated``), so an incremental build never
shows an old verdict or caption.

The index gets the toctree of ``docs/guide/`` (``guide/*``) in place of its marker comment when
that folder holds pages: a toctree glob that matches nothing is a warning, and the guide's
pages are written separately from this site's own.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from . import catalogue, docstrings, figures_page

__all__ = ["setup", "GENERATED"]

#: docname -> function(repository root) -> Markdown appended to the page
GENERATED: dict[str, Callable[[Path], str]] = {
    "catalogue": catalogue.markdown,
    "figures": figures_page.markdown,
}


def _root(app) -> Path:
    """The repository: the folder above ``docs/`` (the Sphinx source folder)."""
    return Path(app.srcdir).resolve().parent


#: the line of index.md that becomes the guide's toctree
GUIDE_MARKER = "<!-- guide: the pages of docs/guide/, if any (a toctree added at build time) -->"
GUIDE_TOCTREE = "```{toctree}\n:caption: Guide\n:maxdepth: 1\n:glob:\n\nguide/*\n```"


def _append_generated(app, docname: str, source: list[str]) -> None:
    make = GENERATED.get(docname)
    if make is not None:
        source[0] = source[0].rstrip("\n") + "\n\n" + make(_root(app))
    if docname == app.config.root_doc and any((Path(app.srcdir) / "guide").glob("*.md")):
        source[0] = source[0].replace(GUIDE_MARKER, GUIDE_TOCTREE)


def _catalogue_last(app, env, docnames: list[str]) -> None:
    """Start the catalogue's slow parts (``lyapunov check``, the typesetting) before Sphinx
    reads anything and read the catalogue last: they run while the other pages are read (the
    tutorials run on one core)."""
    if "catalogue" in docnames:
        catalogue.start(_root(app))
        docnames.remove("catalogue")
        docnames.append("catalogue")


def _always_outdated(app, env, added, changed, removed) -> list[str]:
    names = [*GENERATED, app.config.root_doc]  # the index: guide pages may come or go
    return [name for name in names if name in env.found_docs]


def setup(app) -> dict:
    app.setup_extension("sphinx.ext.autodoc")
    app.connect("autodoc-process-docstring", docstrings.process_docstring)
    app.connect("env-before-read-docs", _catalogue_last)
    app.connect("source-read", _append_generated)
    app.connect("env-get-outdated", _always_outdated)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
