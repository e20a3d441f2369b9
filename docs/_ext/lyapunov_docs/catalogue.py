"""The theorem catalogue: every theorem of ``proofs/``, typeset from its certified objects.

For each proof file: its statement (the module docstring); for each of its theorems: the
verdict and check time of ``lyapunov check`` (run once per build, as a subprocess: the very
command a user runs), the region, and, for a descent lemma, the Lyapunov function, rho, nu and
the certificate's multipliers, each typeset by :mod:`lyapunov.engine.present.latex` from the
exact objects the checker verified (identities and inequalities: the exact claims).
"""

from __future__ import annotations

import ast
import json
import multiprocessing
import os
import re
import subprocess
import sys
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

import sympy as sp
from sphinx.errors import ExtensionError

from lyapunov.engine import DescentLemma, Form, Identities, Inequalities
from lyapunov.engine.present.latex import _fact, _names, _num, _region, form_latex, label_latex
from lyapunov.loader import load_file, proof_files

__all__ = ["markdown", "start", "typeset", "run_checker", "Checker", "escape", "anchor"]

#: seconds allowed for the whole ``lyapunov check`` run (from when the build asks for it)
CHECK_SECONDS = 1800

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
_OPS = {">": ">", ">=": r"\ge", "<": "<", "<=": r"\le", "==": "="}


def escape(text: str) -> str:
    """``text`` as literal Markdown: every ASCII punctuation character backslash-escaped."""
    return _PUNCTUATION.sub(r"\\\1", " ".join(text.split()))


def ordered_files(proofs: Path) -> list[Path]:
    """The proof files (the loader's list) in natural order: p1, p2, ..., p4, p4b, ..., p10."""
    key = lambda p: [int(t) if t.isdigit() else t for t in re.findall(r"\d+|\D+", p.stem)]  # noqa: E731
    return sorted(proof_files([proofs]), key=key)


def anchor(path: Path, index: int) -> str:
    """The page target of theorem ``index`` of a proof file, e.g. ``thm-p4-spa-descent-0``."""
    return "thm-" + re.sub(r"[^a-z0-9]+", "-", path.stem.lower()) + f"-{index}"


class Checker:
    """``lyapunov check --json proofs`` run in ``root`` as a subprocess, started at once (so
    that it runs while Sphinx reads the other pages); :meth:`report` waits for it."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.pid = os.getpid()
        cmd = [sys.executable, "-m", "lyapunov.cli", "check", "--json", "proofs"]
        self.proc = subprocess.Popen(
            cmd, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )

    def report(self) -> dict:
        """Its report, with each theorem's result keyed by (file name, theorem name)."""
        try:
            out, err = self.proc.communicate(timeout=CHECK_SECONDS)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise ExtensionError(f"lyapunov check: no answer within {CHECK_SECONDS} s") from None
        try:  # exit 1 with a report: a theorem not certified (shown on the page)
            report = json.loads(out)
        except json.JSONDecodeError:
            tail = "\n".join(err.strip().splitlines()[-20:])
            raise ExtensionError(
                f"lyapunov check failed (exit {self.proc.returncode}), no report:\n{tail}"
            ) from None
        report["by_key"] = {(Path(r["file"]).name, r["name"]): r for r in report["theorems"]}
        return report


#: the run started for a repository (:func:`start`), taken by :func:`run_checker`
_STARTED: dict[Path, Checker] = {}


def run_checker(root: Path) -> dict:
    """The report of ``lyapunov check`` on ``root/proofs``: of the run started for it in this
    process, else of a run started now."""
    started = _STARTED.pop(Path(root), None)
    if started is None or started.pid != os.getpid():  # none, or a parent's (parallel read)
        started = Checker(root)
    return started.report()


def _math(tex: str) -> str:
    return f"```{{math}}\n{tex}\n```\n"


def _rows(rows: list[str]) -> str:
    """Display math, one aligned row per entry (``aligned``: Sphinx wraps several rows in
    ``split``, which MathJax accepts around it, and leaves a single row bare)."""
    return _math("\\begin{aligned}\n" + " \\\\\n".join(rows) + "\n\\end{aligned}")


_DESCENT = r"$\mathbb{E}[A_{k+1}] - A_k \le -\rho\,\|\nabla f\|^2 + \nu\,\sigma^2$"
_POTENTIAL = (
    r"$\mathbb{E}[A_{k+1}] \le q\,A_k - \rho\,\|\nabla f\|^2 + \nu\,\sigma^2 + \delta$"
    r" and $A_k \ge a_k M_k$"
)
#: a potential for the average gap: summed, (1/n) sum_k E M_k <= (A_0 + ...) / (n rho)
_AVERAGE = r"$\mathbb{E}[A_{k+1}] - A_k \le -\rho\,M_k + \nu\,\sigma^2 + \delta$ and $A_k \ge 0$"


def _descent_lemma(th: DescentLemma) -> list[str]:
    """A descent lemma, or a potential (a descent lemma with a contraction q, a drift delta
    and a measure M_k that the potential bounds: at the last iterate, or on average)."""
    potential = hasattr(th, "contraction")
    average = potential and getattr(th, "measure", "") == "avg_gap"
    rows = [rf"A_k &= {form_latex(th.A_now.simplified())}"]
    after = _next_lyapunov(th, potential)
    if after is not None:
        rows.append(rf"A_{{k+1}} &= {after}")
    if potential and not average:
        rows.append(rf"q &= {_num(th.contraction)}")
    rows += [rf"\rho &= {_num(th.rho)}", rf"\nu &= {_num(th.nu)}"]
    if potential:
        rows.append(rf"\delta &= {_num(-th.G.const)}")
        if not average:
            rows.append(rf"a_k &= {_num(th.weight)}")
        rows.append(rf"M_k &= {form_latex(th.measure_form().simplified())}")
    claim = _AVERAGE if average else _POTENTIAL if potential else _DESCENT
    out = [f"Lyapunov function and rate: {claim} with", _rows(rows)]
    if th.gain is not None:
        out += ["The decrease includes the gain term", _math(form_latex(th.G.simplified()))]
    out += [
        "Certificate: the facts ($F \\le 0$) and their multipliers; the residual "
        "$S - \\sum_i \\lambda_i F_i$ is checked to be a negative semidefinite quadratic form "
        "on the whole region.",
        _certificate(th.certificate),
    ]
    if getattr(th, "initial", None):
        out += [
            "The start, $A_0 \\le B_0$ with",
            _math(rf"B_0 = {form_latex(th.B_init.simplified())}"),
            "by the facts and multipliers",
            _certificate(th.initial),
        ]
    return out


def _next_lyapunov(th: DescentLemma, potential: bool) -> str | None:
    """A_{k+1} where its coefficients differ from A_k's (``lyapunov_next``, or a potential's
    step counter k -> k + 1), as the same function of the next state: the theorem's own
    Lyapunov function evaluated at the current points, the points then renamed k -> k + 1
    (the checker's A_{k+1} is that form with the next points substituted)."""
    counter = getattr(th, "counter", None)
    if th.lyapunov_next is None and counter is None:
        return None
    points = (*th.step.current, th.step.star) if potential else th.step.current
    form = Form.lift((th.lyapunov_next or th.lyapunov)(*points))
    if th.lyapunov_next is None:
        form = form.subs({counter: counter + 1})
    return _AT_NEXT.sub(r"\1_{k+1}", form_latex(form.simplified()))


#: a point at step k in :func:`form_latex`'s output (``x_k``; parameters are braced: ``\eta_{k}``)
_AT_NEXT = re.compile(r"(?<![A-Za-z\\])([a-z])_k(?![A-Za-z0-9{])")


def _certificate(multipliers) -> str:
    return _rows([rf"{_fact(fact.name)} &: \quad {_num(lam)}" for fact, lam in multipliers.items()])


def _identities(th: Identities) -> list[str]:
    rows = []
    for label, lhs, rhs in th.equations:
        names = _names(sp.sympify(lhs).free_symbols | sp.sympify(rhs).free_symbols)
        lt, rt = sp.latex(lhs, symbol_names=names), sp.latex(rhs, symbol_names=names)
        rows += [rf"&{label_latex(label)}:", rf"&\qquad {lt} = {rt}"]
    return ["Identities, each checked exactly on the region:", _rows(rows)]


def _inequalities(th: Inequalities) -> list[str]:
    rows = []
    for label, e, op in th.conditions:
        rows += [rf"&{label_latex(label)}:", rf"&\qquad {_num(e)} {_OPS[op]} 0"]
    return ["Claims, each decided exactly on the region:", _rows(rows)]


def _kind(th) -> str:
    if hasattr(th, "contraction"):
        return "potential: a last-iterate bound"
    kinds = {DescentLemma: "descent lemma", Identities: "identities", Inequalities: "inequalities"}
    return next((k for cls, k in kinds.items() if isinstance(th, cls)), type(th).__name__)


#: a refutation's ``outcome`` in the report, in words
_OUTCOMES = {"rejected": "rejected certificate", "refuted": "refuted claim"}


def _outcome(result: dict) -> str:
    """The verdict in words: ``outcome`` (a rejected certificate or a refuted claim) where the
    report has it, else ``status``."""
    outcome = result.get("outcome", result["status"])
    return _OUTCOMES.get(outcome, outcome)


def _verdict(result: dict | None) -> str:
    if result is None:
        return "**not checked** (missing from the report of `lyapunov check`)"
    line = f"**{_outcome(result)}** in {result['seconds']:.2f} s"
    if result["status"] != "certified":
        line += f": {escape(result['reason'])}"
    return line


def _objects(th) -> list[str]:
    """A theorem's region and certified objects, typeset."""
    out = ["Region:", _math(_region(th))]
    if isinstance(th, DescentLemma):
        out += _descent_lemma(th)
    elif isinstance(th, Identities):
        out += _identities(th)
    elif isinstance(th, Inequalities):
        out += _inequalities(th)
    return out


def typeset(root: Path) -> list[dict]:
    """Every proof file of ``root/proofs``: ``heading`` (its title and statement, Markdown)
    and ``theorems``, each with its ``file``, ``name``, ``anchor``, ``kind`` and ``body`` (the
    typeset objects). Plain data: it may be computed in another process."""
    files = []
    for path in ordered_files(Path(root) / "proofs"):
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        title, _, statement = doc.partition("\n")
        head = [f"## {escape(title)}", "", f"File: `proofs/{path.name}`", ""]
        if statement.strip():
            head += ["```text", statement.strip("\n"), "```", ""]
        theorems = [
            {
                "file": path.name,
                "name": item.theorem.name,
                "anchor": anchor(path, item.index),
                "kind": _kind(item.theorem),
                "body": "\n".join(_objects(item.theorem)),
            }
            for item in load_file(path)
        ]
        files.append({"heading": "\n".join(head), "theorems": theorems})
    return files


#: the typesetting started for a repository (:func:`start`): (process id, future)
_TYPESETTING: dict[Path, tuple[int, Future]] = {}


def start(root: Path) -> None:
    """Start the catalogue's two slow parts for ``root`` now, each in a process of its own, so
    that they run while Sphinx reads the other pages: ``lyapunov check`` (:class:`Checker`)
    and the typesetting (:func:`typeset`; sympy's normal forms of every expression)."""
    root = Path(root)
    _STARTED[root] = Checker(root)
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    pool = ProcessPoolExecutor(max_workers=1, mp_context=context)
    _TYPESETTING[root] = (os.getpid(), pool.submit(typeset, root))
    pool.shutdown(wait=False)


def _typeset(root: Path) -> list[dict]:
    """:func:`typeset`'s result: of the process started for ``root``, else computed now."""
    pid, future = _TYPESETTING.pop(Path(root), (None, None))
    return future.result() if pid == os.getpid() else typeset(root)


def _summary(theorems: list[dict], results: dict) -> list[str]:
    lines = ["```{list-table}", ":header-rows: 1", ":widths: 74 14 12", ""]
    lines += ["* - Theorem", "  - Verdict", "  - Time"]
    for th in theorems:
        result = results.get((th["file"], th["name"]))
        lines += [
            f"* - [{escape(th['name'])}](#{th['anchor']})",
            f"  - {_outcome(result) if result else 'not checked'}",
            f"  - {result['seconds']:.2f} s" if result else "  -",
        ]
    return lines + ["```", ""]


def markdown(root: Path) -> str:
    """The generated part of the catalogue page."""
    files = _typeset(root)
    report = run_checker(root)
    results = report["by_key"]
    sections = []
    for f in files:
        sections += [f["heading"]]
        for th in f["theorems"]:
            result = results.get((th["file"], th["name"]))
            sections += [
                f"({th['anchor']})=",
                f"### {escape(th['name'])}",
                "",
                f"Verdict: {_verdict(result)} ({th['kind']}).",
                "",
                th["body"],
            ]
    head = [
        f"**{report['certified']} of {report['total']} theorems certified** by "
        f"`lyapunov check`, run when this page was built (times are that run's, "
        f"{sum(r['seconds'] for r in report['theorems']):.1f} s of checking in all).",
        "",
    ]
    theorems = [th for f in files for th in f["theorems"]]
    return "\n".join(head + _summary(theorems, results) + sections) + "\n"
