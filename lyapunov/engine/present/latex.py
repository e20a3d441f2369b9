r"""LaTeX for a theorem and its certificate, to paste into a paper.

Only the exact objects are printed (sympy's LaTeX printer on the certified expressions): the
region, the Lyapunov function, rho and nu, and the multipliers of the certificate; identities
and inequalities are printed as they are checked.

Typesetting: parameter names of several letters are upright (``lr_k`` -> \mathrm{lr}_{k},
``gap`` -> \mathrm{gap}), step indices are written out (``eta_k1`` -> \eta_{k+1}, ``m_k2`` ->
m_{k+2}), ``sigma2`` -> \sigma^2; in labels and titles the mathematical words (``x_{k+1}``,
``eta_k``, ``<=``, greek names) are set in math mode and the rest as text.
"""

from __future__ import annotations

import re

import sympy as sp

from ..kernel.forms import Form
from ..kernel.theorems import DescentLemma, Identities, Inequalities, Theorem
from ..kernel.verdict import Verdict

__all__ = [
    "theorem_latex",
    "document_latex",
    "symbol_latex",
    "label_latex",
    "title_latex",
    "verdict_latex",
]

_VEC_NAMES = {"xi": r"\xi"}
_GREEK = frozenset(
    [
        "alpha",
        "beta",
        "gamma",
        "delta",
        "epsilon",
        "zeta",
        "eta",
        "theta",
        "iota",
        "kappa",
        "lambda",
        "mu",
        "nu",
        "xi",
        "pi",
        "rho",
        "sigma",
        "tau",
        "upsilon",
        "phi",
        "chi",
        "psi",
        "omega",
    ]
)
_OPS = {"<=": r"\le", ">=": r"\ge", "->": r"\to", "!=": r"\ne", "==": "=", "*": r"\,"}


def _base(name: str) -> str:
    if name in _GREEK:
        return "\\" + name
    return rf"\mathrm{{{name}}}" if len(name) > 1 else name


def symbol_latex(name: str) -> str:
    r"""LaTeX of a parameter name: ``lr_k1`` -> \mathrm{lr}_{k+1}, ``eta_k`` -> \eta_{k},
    ``sigma2`` -> \sigma^2, ``gap`` -> \mathrm{gap}; None to keep sympy's own rendering."""
    if name == "sigma2":
        return r"\sigma^2"
    m = re.fullmatch(r"([A-Za-z]+)_k(\d*)", name)
    if m:
        base, idx = m.groups()
        return f"{_base(base)}_{{k+{idx}}}" if idx else f"{_base(base)}_{{k}}"
    if re.fullmatch(r"[A-Za-z]{2,}", name) and name not in _GREEK:
        return _base(name)
    return None


def _names(symbols) -> dict:
    out = {}
    for sym in symbols:
        tex = symbol_latex(sym.name)
        if tex is not None:
            out[sym] = tex
    return out


_TOKEN = re.compile(
    r"(?P<id>[A-Za-z][A-Za-z0-9]*(?:_(?:\{[^{}]*\}|[A-Za-z0-9]+))?\*?)"
    r"|(?P<op><=|>=|->|!=|==|[=<>+*/()^-]|\d+(?:\.\d+)?)"
    r"|(?P<sp>\s+)"
    r"|(?P<other>.)"
)
# single letters that are words here ("a", "SGD's", "SGD+M"), not variables
_NOT_MATH = frozenset(["a", "A", "I", "M", "s"])


def _sub(sub: str) -> str:
    inner = sub[1:-1] if sub.startswith("{") else sub
    if re.fullmatch(r"[A-Za-z]{2,}\d*", inner):
        return rf"\mathrm{{{inner}}}"
    return inner


def _identifier(raw: str) -> str | None:
    """LaTeX of a mathematical word (``x_{k+1}``, ``eta_k``, ``eta1``, ``lr``, ``F``, ``a*``),
    None for an ordinary word."""
    star = raw.endswith("*")
    word = raw[:-1] if star else raw
    base, _, sub = word.partition("_")
    m = re.fullmatch(r"([A-Za-z]+?)(\d+)", base)
    if not sub and m and m.group(1) in _GREEK:
        base, sub = m.groups()
    single = len(base) == 1 and (base not in _NOT_MATH or star)
    if not (sub or base in _GREEK or base == "lr" or single):
        return None
    return _base(base) + (f"_{{{_sub(sub)}}}" if sub else "") + ("^*" if star else "")


def _segments(label: str) -> list[tuple[bool, str]]:
    """The label as (is_math, piece) runs: mathematical words are math, and so are operators,
    numbers and brackets next to math; everything else is text."""
    toks: list[list] = []  # [kind, text, is_math]
    for m in _TOKEN.finditer(label):
        kind, raw = m.lastgroup, m.group()
        tex = _identifier(raw) if kind == "id" else None
        if kind == "op" and raw in ("<=", ">=", "->", "!="):  # always mathematical
            tex = _OPS[raw]
        toks.append([kind, tex if tex is not None else raw, tex is not None])
    solid = [i for i, t in enumerate(toks) if t[0] != "sp"]
    changed = True
    while changed:  # an operator, number or bracket next to math is math
        changed = False
        for j, i in enumerate(solid):
            if toks[i][0] != "op" or toks[i][2]:
                continue
            near = [toks[solid[n]] for n in (j - 1, j + 1) if 0 <= n < len(solid)]
            if any(t[2] for t in near):
                toks[i][1], toks[i][2] = _OPS.get(toks[i][1], toks[i][1]), True
                changed = True
    for i, t in enumerate(toks):  # a space between math is math
        if t[0] == "sp" and 0 < i < len(toks) - 1 and toks[i - 1][2] and toks[i + 1][2]:
            t[1], t[2] = " ", True
    runs: list[tuple[bool, str]] = []
    for _, raw, math in toks:
        if runs and runs[-1][0] == math:
            runs[-1] = (math, runs[-1][1] + raw)
        else:
            runs.append((math, raw))
    return runs


def label_latex(label: str) -> str:
    """A label for math mode: text runs in \text{...}, mathematical words as math."""
    return "".join(
        piece if math else rf"\text{{{_text(piece)}}}" for math, piece in _segments(label)
    )


def title_latex(label: str) -> str:
    """A label for text mode (a theorem's title): mathematical words in $...$."""
    return "".join(f"${piece}$" if math else _text(piece) for math, piece in _segments(label))


def _vec(name: str) -> str:
    m = re.fullmatch(r"\(([\w*]+)-([\w*]+)\)", name)
    if m:
        return f"({_pt(m.group(1))} - {_pt(m.group(2))})"
    m = re.fullmatch(r"g\((\w+)\)", name)
    if m:
        return rf"\nabla f({_pt(m.group(1))})"
    return _VEC_NAMES.get(name, name)


def _pt(name: str) -> str:
    if name == "*":  # the minimiser (or the infimum's pseudo-point) of a potential
        return "x_*"
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
    names = _names(e.free_symbols)
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
        ("<", r"\textless{}"),
        (">", r"\textgreater{}"),
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
    return " + ".join(parts).replace("+ -", "- ") if parts else "0"


def _region(th: Theorem) -> str:
    names = _names(th.region.symbols)
    return r",\; ".join(sp.latex(c, symbol_names=names) for c in th.region.conditions)


def _fact(name: str) -> str:
    m = re.fullmatch(r"(\w+)\(([\w*]+),([\w*]+)\)", name)
    if m:
        kind, i, j = m.groups()
        return rf"\text{{{kind}}}({_pt(i)}, {_pt(j)})"
    if name == "variance(xi)":
        return r"\mathbb{E}\|\xi_k\|^2 \le \sigma^2"
    return label_latex(name)


def theorem_latex(th: Theorem) -> str:
    """One theorem as a LaTeX ``theorem`` environment followed by its certificate."""
    title = title_latex(th.name)
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
            names = _names(sp.sympify(lhs).free_symbols | sp.sympify(rhs).free_symbols)
            lt, rt = sp.latex(lhs, symbol_names=names), sp.latex(rhs, symbol_names=names)
            rows.append(rf"  & {label_latex(label)}: && {lt} = {rt}")
        lines.append(" \\\\\n".join(rows))
        lines.append(r"\end{align*}")
        lines.append(r"\end{theorem}")
    elif isinstance(th, Inequalities):
        lines.append(r"\begin{align*}")
        ops = {">": ">", ">=": r"\ge", "<": "<", "<=": r"\le", "==": "="}
        rows = [
            rf"  & {label_latex(label)}: && {_num(e)} {ops[op]} 0" for label, e, op in th.conditions
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


def theorem_math(th: Theorem) -> str:
    r"""One theorem as display math for a notebook (MathJax: ``$$\begin{aligned}...$$``, no
    theorem environment): its name, region and statement (rho, nu and A_k for a descent
    lemma; the equations or inequalities otherwise)."""
    rows = [rf"&{label_latex(th.name)}", rf"&\text{{for }} {_region(th)}:"]
    if isinstance(th, DescentLemma):
        rows += [
            r"&\mathbb{E}[A_{k+1}] - A_k \le -\rho\, \|\nabla f(x_k)\|^2 + \nu\, \sigma^2,",
            rf"&A_k = {form_latex(th.A_now.simplified())},",
            rf"&\rho = {_num(th.rho)}, \quad \nu = {_num(th.nu)}",
        ]
    elif isinstance(th, Identities):
        for label, lhs, rhs in th.equations:
            names = _names(sp.sympify(lhs).free_symbols | sp.sympify(rhs).free_symbols)
            lt, rt = sp.latex(lhs, symbol_names=names), sp.latex(rhs, symbol_names=names)
            rows.append(rf"&{label_latex(label)}: \quad {lt} = {rt}")
    elif isinstance(th, Inequalities):
        ops = {">": ">", ">=": r"\ge", "<": "<", "<=": r"\le", "==": "="}
        rows += [
            rf"&{label_latex(lab)}: \quad {_num(e)} {ops[op]} 0" for lab, e, op in th.conditions
        ]
    return "$$\\begin{aligned}" + r" \\ ".join(rows) + r"\end{aligned}$$"


def _name_latex(name: str) -> str:
    """A parameter's name in math: ``sigma2`` -> \\sigma^2, ``eta`` -> \\eta, ``L`` -> L."""
    return symbol_latex(name) or _identifier(name) or rf"\mathrm{{{_text(name)}}}"


def verdict_latex(v: Verdict) -> str:
    r"""A verdict as math for a notebook or a paper: the theorem, its outcome in words
    (certified, rejected certificate, refuted claim, not proved) and, for a refutation, the
    failing condition, the exact point and the value there, e.g. ``$\text{P3}:
    \textbf{rejected certificate},\ \text{constant term} \le 0\ \text{fails at } L = 1,
    \eta = \frac{1}{2},\ \text{value there } \frac{1}{8}$``; otherwise the reason."""
    parts = [rf"\text{{{_text(v.name)}}}: \textbf{{{v.headline}}}"]
    cex = v.counterexample()
    if cex:
        fails = rf"{label_latex(cex['condition'])}\ \text{{fails}}"
        if cex.get("point"):
            at = ", ".join(
                f"{_name_latex(k)} = {sp.latex(sp.Rational(x))}" for k, x in cex["point"].items()
            )
            fails += rf"\ \text{{at }} {at}"
        parts.append(fails)
        if cex.get("value"):
            parts.append(rf"\text{{value there }} {sp.latex(sp.Rational(cex['value']))}")
    elif v.reason:
        parts.append(rf"\text{{{_text(v.reason)}}}")
    return "$" + r",\ ".join(parts) + "$"
