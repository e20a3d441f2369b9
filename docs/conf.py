"""Sphinx configuration of the lyapunov documentation (MyST Markdown, notebooks run at build).

Build (offline: nothing is fetched while building):

    python -m sphinx -W --keep-going -b html docs docs/_build/html
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "_ext"))

import lyapunov  # noqa: E402 - after the path set-up above

project = "lyapunov"
author = "the lyapunov authors"
copyright = "the lyapunov authors, MIT licence"  # noqa: A001 - Sphinx's setting name
release = version = lyapunov.__version__

extensions = [
    "myst_nb",  # MyST Markdown (myst-parser) and notebooks executed at build time
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "lyapunov_docs",  # docs/_ext: the theorem catalogue and the figures page
]

exclude_patterns = ["_build", "_ext", "jupyter_execute", "**.ipynb_checkpoints"]

# -- MyST and notebooks ---------------------------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
nb_execution_mode = "force"  # every build runs every notebook: what they show is today's code
nb_execution_timeout = 300
nb_execution_raise_on_error = True  # a failing cell fails the build
nb_execution_in_temp = True  # files a tutorial writes land in a temporary folder
nb_merge_streams = True

# -- API reference --------------------------------------------------------------------------
autodoc_default_options = {"members": True, "member-order": "bysource"}
autodoc_typehints = "signature"
napoleon_google_docstring = False
napoleon_numpy_docstring = True
# lyapunov.torch needs torch (the torch extra): without it, its page is built from autodoc's
# stand-in for torch, so the reference still documents the optimizer
if importlib.util.find_spec("torch") is None:
    autodoc_mock_imports = ["torch"]

# -- HTML -----------------------------------------------------------------------------------
html_theme = "furo" if importlib.util.find_spec("furo") else "alabaster"
html_title = f"lyapunov {release}"
smartquotes = False  # theorem names and code read exactly as written
