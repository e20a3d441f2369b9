"""LaTeX for a theorem and its certificate, to paste into a paper.

Only the exact objects are printed (sympy's LaTeX printer on the certified expressions): the
region, the Lyapunov function, rho and nu, and the multipliers of the certificate; identities
and inequalities are printed as they are checked.
"""

from __future__ import annotations

import re

import sympy as sp

from .forms import Form
from .theorems import DescentLemma, Identities, Inequalities, Theorem

__all__ = ["theorem_latex", "document_latex"]

_VEC_NAMES = {"xi": r"\xi"}


def _vec(name: str) -> str:
    m = re.fullmatch(r"\((\w+)-(\w+)\)", name)
    if m:
        return f"({_pt(m.group(1))} - {_pt(m.group(2))})"
    m = re.fullmatch(r"g\((\w+)\)", name)
    if m:
        return rf"\nabla f({_pt(m.group(1))})"
    return _VEC_NAMES.get(name, name)


def _pt(name: str) -> str:
    m = re.fullmatch(r"([a-z]+)(\d*)", name)
    if not m:
        return name
    base, idx = m.groups()
    return (
        f"{base}_{{k+{idx}}}"
        if idx and idx != "0"
        else (f"{base}_0" if idx == "0" else f"{base}_k")
    )


def _num(e) -> str:
    """e as LaTeX: as the author wrote it, unless a normal form is much shorter."""
    e = sp.sympify(e)
    names = {s: r"\sigma^2" for s in e.free_symbols if s.name == "sigma2"}
    raw = sp.latex(e, symbol_names=names)
    forms = {sp.cancel(e), sp.factor(e)}
    short = min((sp.latex(f, symbol_names=names) for f in forms), key=len)
    return raw if len(raw) <= 1.3 * len(short) else short


def _coef(c, term: str) -> str:
    c = sp.cancel(sp.sympify(c))
    if c == 1:
        return term
    if c == -1:
        return "-" + term
    return rf"\left({_num(c)}\right) {term}"


def _text(label: str) -> str:
    for a, b in (
        ("\\", r"\textbackslash "),
        ("_", r"\_"),
        ("{", r"\{"),
        ("}", r"\}"),
        ("&", r"\&"),
        ("%", r"\%"),
        ("^", r"\^{}"),
        ("#", r"\#"),
    ):
        label = label.replace(a, b)
    return label


def form_latex(form: Form) -> str:
    """A form as a LaTeX sum."""
    parts = []
    for name, c in form.fvals.items():
        parts.append(_coef(c, f"f({_pt(name)})"))
    for (a, b), c in form.quad.items():
        if a == b:
            parts.append(_coef(c, rf"\|{_vec(a.name)}\|^2"))
        else:
            parts.append(_coef(c, rf"\langle {_vec(a.name)}, {_vec(b.name)} \rangle"))
    if form.const != 0:
        parts.append(_num(form.const))
    return " + ".join(parts) if parts else "0"


def _region(th: Theorem) -> str:
    names = {s: r"\sigma^2" for s in th.region.symbols if s.name == "sigma2"}
    return r",\; ".join(sp.latex(c, symbol_names=names) for c in th.region.conditions)


def _fact(name: str) -> str:
    m = re.fullmatch(r"(\w+)\((\w+),(\w+)\)", name)
    if m:
        kind, i, j = m.groups()
        return rf"\text{{{kind}}}({_pt(i)}, {_pt(j)})"
    if name == "variance(xi)":
        return r"\mathbb{E}\|\xi_k\|^2 \le \sigma^2"
    return rf"\text{{{_text(name)}}}"


def theorem_latex(th: Theorem) -> str:
    """One theorem as a LaTeX ``theorem`` environment followed by its certificate."""
    title = _text(th.name)
    lines = [rf"\begin{{theorem}}[{title}]", rf"For all parameters with ${_region(th)}$:"]
    if isinstance(th, DescentLemma):
        lines += [
            r"\[ \mathbb{E}[A_{k+1}] - A_k \le -\rho\, \|\nabla f(x_k)\|^2 + \nu\, \sigma^2, \]",
            rf"where $A_k = {form_latex(th.A_now.simplified())}$,",
            rf"$\rho = {_num(th.rho)}$ and $\nu = {_num(th.nu)}$.",
        ]
        if th.gain is not None:
            lines.append(rf"The decrease includes the term $-{form_latex(th.G.simplified())}$.")
        lines.append(r"\end{theorem}")
        lines.append(r"\begin{proof}[Certificate (checked exactly)]")
        lines.append(r"Sum of the following inequalities ($F \le 0$) with the multipliers shown;")
        lines.append(r"the residual is a negative semidefinite quadratic form.")
        lines.append(r"\begin{align*}")
        rows = [rf"  {_fact(f.name)} &: \quad {_num(lam)}" for f, lam in th.certificate.items()]
        lines.append(" \\\\\n".join(rows))
        lines.append(r"\end{align*}")
        lines.append(r"\end{proof}")
    elif isinstance(th, Identities):
        lines.append(r"\begin{align*}")
        rows = []
        for label, lhs, rhs in th.equations:
            rows.append(rf"  & \text{{{_text(label)}}}: && {sp.latex(lhs)} = {sp.latex(rhs)}")
        lines.append(" \\\\\n".join(rows))
        lines.append(r"\end{align*}")
        lines.append(r"\end{theorem}")
    elif isinstance(th, Inequalities):
        lines.append(r"\begin{align*}")
        ops = {">": ">", ">=": r"\ge", "<": "<", "<=": r"\le", "==": "="}
        rows = [
            rf"  & \text{{{_text(label)}}}: && {_num(e)} {ops[op]} 0" for label, e, op in th._claims
        ]
        lines.append(" \\\\\n".join(rows))
        lines.append(r"\end{align*}")
        lines.append(r"\end{theorem}")
    else:  # pragma: no cover - future theorem kinds
        lines.append(r"\end{theorem}")
    return "\n".join(lines) + "\n"


def document_latex(theorems: list[Theorem]) -> str:
    """A standalone LaTeX document with every theorem."""
    head = [
        r"\documentclass{article}",
        r"\usepackage{amsmath,amssymb,amsthm}",
        r"\newtheorem{theorem}{Theorem}",
        r"\begin{document}",
    ]
    body = [theorem_latex(t) for t in theorems]
    return "\n".join(head) + "\n" + "\n".join(body) + r"\end{document}" + "\n"
