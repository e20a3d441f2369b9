"""Jupyter display of theorems and verdicts.

Theorems and verdicts render by themselves (their ``_repr_latex_`` / ``_repr_html_``, given
by :mod:`lyapunov.engine.present`): a theorem as typeset mathematics (name, region,
statement), a verdict as a table (status in colour, seconds, region, the failing condition
and its exact counterexample, one row per condition). This module registers the same
renderings with a given IPython formatter (``register``, or ``%load_ext
lyapunov.notebook``), for front ends that ignore ``_repr_*``. Bound results
(:class:`lyapunov.bounds.BoundResult`, :class:`lyapunov.bounds.BestStep`) have their own
reprs.
"""

from __future__ import annotations

from .engine.kernel.theorems import Theorem
from .engine.kernel.verdict import Verdict
from .engine.present.display import theorem_latex_repr, verdict_html

__all__ = ["verdict_html", "theorem_latex_repr", "register", "load_ipython_extension"]


def register(formatter=None) -> None:
    """Register the renderings with an IPython display formatter (default: the running
    kernel's). ValueError when there is no IPython kernel and no formatter is given."""
    if formatter is None:
        try:
            from IPython import get_ipython
        except ImportError:
            raise ValueError("register: IPython is not installed") from None
        ip = get_ipython()
        if ip is None:
            raise ValueError("register: not running inside IPython / Jupyter")
        formatter = ip.display_formatter
    formatter.formatters["text/html"].for_type(Verdict, verdict_html)
    formatter.formatters["text/latex"].for_type(Theorem, theorem_latex_repr)


def load_ipython_extension(ip) -> None:
    """``%load_ext lyapunov.notebook``."""
    register(ip.display_formatter)
