"""How theorems and verdicts show in a notebook (``_repr_html_`` / ``_repr_latex_``).

A :class:`~lyapunov.engine.verdict.Verdict` is an HTML table (outcome in colour, seconds,
region, the failing condition and its exact point, one row per checked condition); a
:class:`~lyapunov.engine.theorems.Theorem` is display math (its name, region and statement,
from :func:`lyapunov.engine.latex.theorem_math`).
"""

from __future__ import annotations

import html

__all__ = ["verdict_html", "theorem_latex_repr"]

_COLOURS = {
    "certified": "#1a7f37",
    "rejected": "#cf222e",
    "refuted": "#cf222e",
    "not proved": "#9a6700",
}
_CHECK_COLOURS = {"proved": "#1a7f37", "refuted": "#cf222e", "unknown": "#9a6700"}


def _cell(text: str, colour: str | None = None) -> str:
    style = "text-align:left" + (f";color:{colour};font-weight:bold" if colour else "")
    return f"<td style='{style}'>{html.escape(str(text))}</td>"


def verdict_html(v) -> str:
    """A verdict as an HTML table: the theorem, its outcome (certified, rejected certificate,
    refuted claim, not proved), time, region, the reason and the point where a condition
    fails, then one row per checked condition."""
    head = [
        ("theorem", _cell(v.name)),
        ("outcome", _cell(v.headline, _COLOURS.get(v.outcome))),
        ("seconds", _cell(f"{v.seconds:.2f}")),
        ("region", _cell(v.region)),
    ]
    if v.reason:
        head.append(("reason", _cell(v.reason)))
    cex = v.counterexample()
    if cex and cex.get("point"):
        pt = ", ".join(f"{k} = {x}" for k, x in cex["point"].items())
        head.append(("fails at" if v.outcome == "rejected" else "counterexample", _cell(pt)))
    if cex and cex.get("value"):
        head.append(("value there", _cell(cex["value"])))
    rows = "".join(f"<tr><th style='text-align:left'>{k}</th>{c}</tr>" for k, c in head)
    checks = "".join(
        f"<tr>{_cell(c.label)}{_cell(c.status, _CHECK_COLOURS.get(c.status))}"
        f"{_cell(f'{c.seconds:.3f} s')}</tr>"
        for c in v.checks
    )
    table = f"<table>{rows}</table>"
    if checks:
        table += (
            "<details><summary>conditions checked</summary><table>"
            "<tr><th>condition</th><th>status</th><th>time</th></tr>"
            f"{checks}</table></details>"
        )
    return table


def theorem_latex_repr(th) -> str:
    """A theorem as display math (``$$...$$``) for a notebook."""
    from .latex import theorem_math

    return theorem_math(th)
