"""Bound results (:class:`BoundResult`) and how they look in a Jupyter notebook:
``_repr_html_`` and ``_repr_latex_``.

Mixins for :class:`~lyapunov.bounds.BoundResult` and :class:`~lyapunov.bounds.BestStep`: a
scalar result renders as one line of LaTeX or a two-row HTML table; an array result as its
shape and the range of its finite values (the full array is ``.value`` / ``.step``).
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

import numpy as np

__all__ = ["BoundDisplay", "BestDisplay", "BoundResult", "number_latex"]


def number_latex(x: float) -> str:
    """x as LaTeX: ``\\infty`` for inf, 4 significant digits, powers of ten as 10^{e}."""
    x = float(x)
    if math.isnan(x):
        return r"\mathrm{NaN}"
    if math.isinf(x):
        return r"\infty" if x > 0 else r"-\infty"
    text = f"{x:.4g}"
    if "e" in text:
        mant, exp = text.split("e")
        return rf"{mant} \times 10^{{{int(exp)}}}"
    return text


def _summary(a: np.ndarray) -> str:
    fin = a[np.isfinite(a)]
    if fin.size == 0:
        return f"array of shape {a.shape}, every value inf"
    return f"array of shape {a.shape}: {fin.min():.4g} to {fin.max():.4g}" + (
        f" ({a.size - fin.size} inf)" if fin.size < a.size else ""
    )


def _table(rows: list[tuple[str, str]], title: str) -> str:
    body = "".join(
        f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
        f"<td style='text-align:left'>{html.escape(v)}</td></tr>"
        for k, v in rows
    )
    return f"<table><caption>{html.escape(title)}</caption>{body}</table>"


#: what a bound is on, by measure: (text, LaTeX)
MEASURE_TEXT = {
    "avg_grad2": (
        "(1/n) sum_k E|grad f(x_k)|^2",
        r"\frac{1}{n}\sum_{k<n} \mathbb{E}\|\nabla f(x_k)\|^2",
    ),
    "last_gap": ("E f(x_n) - f_*", r"\mathbb{E} f(x_n) - f_*"),
    "last_dist2": ("E|x_n - x_*|^2", r"\mathbb{E}\|x_n - x_*\|^2"),
}


class BoundDisplay:
    """Notebook display of a bound with its theorem (``value``, ``theorem`` attributes)."""

    value: np.ndarray | float
    theorem: np.ndarray | str
    reason: np.ndarray | str = ""
    step_limit: np.ndarray | float = float("nan")
    step_name: str = ""
    measure: str = "avg_grad2"

    def _limit_text(self) -> str:
        """ "certified at every horizon for lr < 0.3989" (scalar results with a known limit),
        else ""."""
        if np.ndim(self.step_limit) or not math.isfinite(self.step_limit) or not self.step_name:
            return ""
        return f"certified at every horizon for {self.step_name} < {self.step_limit:.4g}"

    def _repr_latex_(self) -> str:
        if np.ndim(self.value):
            return rf"$\text{{certified bound: {_summary(np.asarray(self.value))}}}$"
        if not math.isfinite(self.value):
            limit = self._limit_text()
            extra = rf"\quad\text{{({limit})}}" if limit else ""
            return (
                r"$\text{no certified theorem covers these parameters: bound } = \infty"
                + extra
                + "$"
            )
        return (
            rf"${MEASURE_TEXT[self.measure][1]} \le "
            rf"{number_latex(self.value)}\quad\text{{(theorem {self.theorem})}}$"
        )

    def _repr_html_(self) -> str:
        if np.ndim(self.value):
            theorems = sorted({str(t) for t in np.ravel(self.theorem) if t})
            rows = [
                ("bound", _summary(np.asarray(self.value))),
                ("theorems", ", ".join(theorems) or "none"),
            ]
        else:
            finite = math.isfinite(self.value)
            rows = [
                ("bound", f"{self.value:.6g}" if finite else "inf (no certified theorem)"),
                ("theorem", str(self.theorem) or "none"),
            ]
            if not finite and self.reason:
                rows.append(("why", str(self.reason)))
            if self._limit_text():
                rows.append(("steps", self._limit_text()))
        return _table(rows, f"certified bound on {MEASURE_TEXT[self.measure][0]}")


class BestDisplay:
    """Notebook display of a best step (``step``, ``bound``, ``name`` attributes)."""

    step: np.ndarray | float
    bound: np.ndarray | float
    name: str

    def _symbol(self) -> str:
        return r"\mathrm{lr}" if self.name == "lr" else rf"\{self.name}"

    def _repr_latex_(self) -> str:
        if np.ndim(self.step):
            return (
                rf"$\text{{best {self.name}: {_summary(np.asarray(self.step))}; "
                rf"bound: {_summary(np.asarray(self.bound))}}}$"
            )
        return (
            rf"${self._symbol()}^* = {number_latex(self.step)},\quad "
            rf"\text{{certified bound there}} = {number_latex(self.bound)}$"
        )

    def _repr_html_(self) -> str:
        if np.ndim(self.step):
            rows = [
                (f"best {self.name}", _summary(np.asarray(self.step))),
                ("bound", _summary(np.asarray(self.bound))),
            ]
        else:
            rows = [(f"best {self.name}", f"{self.step:.6g}"), ("bound", f"{self.bound:.6g}")]
        return _table(rows, f"the {self.name} minimising the certified bound")


@dataclass(frozen=True)
class BoundResult(BoundDisplay):
    """A bound and, per point, the theorem it comes from (``""`` where the bound is inf).

    ``reason``: where the bound is inf, the condition that fails, e.g. ``"L*eta < ... fails
    (P4c ...): L*eta = 4.5"`` (``""`` where it is finite); ``step_limit``: every step
    (``step_name``: ``"lr"`` or ``"eta"``) below it is certified at the other parameters, and
    none at or above it (a supremum: not itself certified). ``lyapunov bound --json`` prints
    them as ``"reason"`` and ``"step_limit"``. ``measure``: what is bounded (``"avg_grad2"``;
    ``"last_gap"`` or ``"last_dist2"`` in the convex and PL classes, :mod:`.classes`).

    In a notebook it renders as a small table (``_repr_html_``) or as LaTeX (``_repr_latex_``).
    """

    value: np.ndarray | float
    theorem: np.ndarray | str
    reason: np.ndarray | str = ""
    step_limit: np.ndarray | float = float("nan")
    step_name: str = ""
    measure: str = "avg_grad2"
