"""``lyapunov prove``: fill in the certificates of a proof file and write it out.

For every :class:`DescentLemma` of a file with ``certificate=AUTO`` or :func:`unknowns`, the
synthesizer (:func:`lyapunov.engine.synthesize`) finds exact multipliers and coefficients;
this module writes them back into a copy of the file, as a person would have typed them:

* ``a, b = unknowns("a b")`` becomes ``a = ...`` and ``b = ...``;
* ``certificate=AUTO`` becomes ``certificate={smooth.upper(step.x, step.x1): ..., ...}``,
  with the file's own names for the step and the function class;
* expressions use the file's named sub-expressions where they fit (``D`` rather than its
  expansion), and exact rationals (``Rational(1, 2)``, never a float).

Everything else in the file is kept verbatim. The written file is then loaded and checked by
the ordinary exact checker: only that check certifies.
"""

from __future__ import annotations

import ast
import time
from dataclasses import dataclass, field
from pathlib import Path

import sympy as sp
from sympy.printing.str import StrPrinter

from .engine.kernel.auto import Unknown
from .engine.kernel.region import MalformedError
from .engine.kernel.theorems import DescentLemma
from .engine.search.synthesis import SynthesisResult, equivalent_forms, synthesize
from .loader import ProofFileError, load_namespace

__all__ = ["FileResult", "prove_file", "output_path"]

#: the first lines of a written file (short: within any line length a linter asks for)
HEADER = (
    "# Certificates found by `lyapunov prove` from {src};\n# `lyapunov check` re-verifies them.\n"
)


@dataclass
class FileResult:
    """The outcome for one input file."""

    source: Path
    output: Path | None
    results: list[SynthesisResult] = field(default_factory=list)
    verdicts: dict[str, str] = field(default_factory=dict)  # theorem name -> check outcome
    seconds: float = 0.0

    @property
    def certified(self) -> bool:
        return all(self.verdicts.get(r.name) == "certified" for r in self.results)

    def to_json(self) -> dict:
        return {
            "input": str(self.source),
            "output": str(self.output) if self.output else None,
            "seconds": round(self.seconds, 3),
            "theorems": [
                {**r.to_json(), "check": self.verdicts.get(r.name, "not written")}
                for r in self.results
            ],
        }


def output_path(src: Path, out: Path | None, many: bool) -> Path:
    """Where the proved copy of ``src`` goes: next to it as ``<stem>_proved.py`` by default;
    ``out`` itself when it names a ``.py`` file (one input only); else into the folder
    ``out``, under the input's name (``<stem>_proved.py`` if that is the input's folder)."""
    if out is None:
        return src.with_name(f"{src.stem}_proved.py")
    if out.suffix == ".py" and not out.is_dir():
        if many:
            raise ProofFileError(f"{out}: several inputs need an output folder, not a file")
        return out
    if out.exists() and not out.is_dir():
        raise ProofFileError(f"{out}: the output must be a .py file or a folder")
    if out.resolve() == src.parent.resolve():
        return out / f"{src.stem}_proved.py"
    return out / src.name


# -- printing expressions as code -----------------------------------------------------------
class _CodePrinter(StrPrinter):
    """sympy's str printer, but a bare rational is Rational(p, q) (1/2 would be a float)."""

    def _print_Rational(self, expr):  # noqa: N802 - sympy's printer protocol
        if expr.q == 1:
            return str(expr.p)
        return f"Rational({expr.p}, {expr.q})"

    def _print_Half(self, expr):  # noqa: N802 - sympy's printer protocol
        return self._print_Rational(expr)

    def _print_Add(self, expr, order=None):  # noqa: N802 - sympy's printer protocol
        """Positive terms first: 2 - c - L*eta rather than -L*eta - c + 2."""
        terms = sorted(self._as_ordered_terms(expr, order=order), key=_is_negative)
        out = ""
        for t in terms:
            s = self._print(-t) if _is_negative(t) else self._print(t)
            if self._needs_paren(t, s):
                s = f"({s})"
            out += (
                (" - " if _is_negative(t) else " + ") + s
                if out
                else ("-" + s if _is_negative(t) else s)
            )
        return out

    def _needs_paren(self, term, text: str) -> bool:
        return isinstance(term, sp.Add)


def _is_negative(term: sp.Expr) -> bool:
    return bool(term.as_coeff_Mul()[0] < 0)


def _code(expr: sp.Expr) -> str:
    return _CodePrinter().doprint(expr)


def _named(ns: dict, params: set, before: dict[str, int], line: int) -> dict[str, sp.Expr]:
    """Module-level names bound (before ``line``) to rational functions of the parameters."""
    out = {}
    for name, lineno in before.items():
        if lineno >= line:
            continue
        val = ns.get(name)
        if not isinstance(val, sp.Expr) or isinstance(val, sp.Symbol) or val.is_number:
            continue
        syms = val.free_symbols
        if not syms or not syms <= params or any(isinstance(s, Unknown) for s in syms):
            continue
        out[name] = sp.cancel(val)
    return out


def _use_names(expr: sp.Expr, names: dict[str, sp.Expr], ref: dict) -> sp.Expr:
    """Rewrite ``expr`` with the file's named polynomials (``D = c (2 - c) + ...``) wherever
    one divides its numerator or denominator exactly; the rewrite is checked to be an
    identity."""
    expr = sp.cancel(expr)
    if expr == 0:
        return expr
    num, den = sp.fraction(expr)
    parts = [[num, sp.Integer(1)], [den, sp.Integer(1)]]  # (rest, product of named factors)
    subs = {}
    for name, val in names.items():
        vn, vd = sp.fraction(sp.cancel(val))
        if vd.free_symbols or not vn.free_symbols:
            continue
        gens = sorted(expr.free_symbols | vn.free_symbols, key=str)
        sym = sp.Symbol(name, real=True)
        for part in parts:
            while part[0].free_symbols:
                q, r = sp.div(part[0], vn, *gens)
                if r != 0 or q == 0:
                    break
                part[0] = sp.expand(q * vd)  # vn = vd * val
                part[1] *= sym
                subs[sym] = val
    core = parts[0][0] / parts[1][0]
    named = parts[0][1] / parts[1][1]
    result = min(
        (form * named for form in equivalent_forms(core, ref)),
        key=lambda e: (_code(e).count("-"), len(_code(e))),
    )
    return result if sp.cancel(result.subs(subs) - expr) == 0 else expr


# -- locating the places to rewrite ---------------------------------------------------------
def _call_name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _keyword(call: ast.Call, name: str) -> ast.keyword | None:
    return next((k for k in call.keywords if k.arg == name), None)


def _pending_calls(tree: ast.Module) -> list[ast.Call]:
    calls = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):  # DescentLemma(...), Potential(...), a subclass
            kw = _keyword(node, "certificate")
            if kw is not None and _call_name(kw.value) == "AUTO":
                calls.append(node)
    return sorted(calls, key=lambda n: (n.lineno, n.col_offset))


def _unknown_statements(tree: ast.Module) -> list[ast.Assign]:
    out = []
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Call)
            and _call_name(node.value.func) == "unknowns"
        ):
            out.append(node)
    return out


def _targets(stmt: ast.Assign) -> list[str]:
    tgt = stmt.targets[0]
    if isinstance(tgt, (ast.Tuple, ast.List)):
        return [e.id for e in tgt.elts if isinstance(e, ast.Name)]
    return [tgt.id] if isinstance(tgt, ast.Name) else []


def _first_use(tree: ast.Module, stmt: ast.stmt, names: set[str]) -> ast.stmt:
    """The first module-level statement after ``stmt`` that mentions one of ``names``."""
    after = False
    for node in tree.body:
        if node is stmt:
            after = True
            continue
        if after and any(isinstance(n, ast.Name) and n.id in names for n in ast.walk(node)):
            return node
    return stmt


def _module_names(tree: ast.Module) -> dict[str, int]:
    """Module-level names assigned exactly once, with the line of the assignment's end."""
    seen: dict[str, int] = {}
    twice: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Assign):
            for tgt in node.targets:
                names = (
                    [e for e in tgt.elts if isinstance(e, ast.Name)]
                    if isinstance(tgt, (ast.Tuple, ast.List))
                    else [tgt]
                )
                for n in names:
                    if isinstance(n, ast.Name):
                        if n.id in seen:
                            twice.add(n.id)
                        seen[n.id] = node.end_lineno or node.lineno
    return {k: v for k, v in seen.items() if k not in twice}


def _segment(src: str, node: ast.AST) -> str:
    seg = ast.get_source_segment(src, node)
    if seg is None:  # pragma: no cover - nodes from parsed source always have positions
        raise ProofFileError("cannot locate a piece of the source")
    return seg


def _fact_code(fact, step_code: str, class_code: str) -> str:
    if fact.name == "variance(xi)":
        return f"{step_code}.variance()"
    origin = fact.origin
    if origin is None:
        raise ProofFileError(f"cannot write the fact {fact.name} as code")
    _, kind, i, j = origin
    return f"{class_code}.{kind}({_point_code(step_code, i)}, {_point_code(step_code, j)})"


def _point_code(step_code: str, point) -> str:
    """A point of the step as code: ``step.x1``, or ``step.star`` for the minimiser x_*."""
    return f"{step_code}.{'star' if point.name == '*' else point.name}"


def rewrite(
    src: str, path: Path, ns: dict, solved: list[tuple[DescentLemma, SynthesisResult]]
) -> str:
    """The source with the found certificates and coefficients written in."""
    tree = ast.parse(src)
    calls = _pending_calls(tree)
    pending = [th for th, _ in solved]
    by_name = {}
    for call in calls:
        kw = _keyword(call, "name")
        if kw is not None and isinstance(kw.value, ast.Constant):
            by_name[kw.value.value] = call
    lines_before = _module_names(tree)
    edits: list[tuple[int, int, int, int, str]] = []  # (line, col, end_line, end_col, text)
    solution: dict[Unknown, sp.Expr] = {}
    ref: dict = {}
    for k, (th, res) in enumerate(solved):
        call = by_name.get(th.name) or (calls[k] if len(calls) == len(pending) else None)
        if call is None:
            raise ProofFileError(f"{path}: cannot find the {type(th).__name__}(...) of {th.name!r}")
        for u, v in res.solution.items():
            if u in solution and sp.cancel(solution[u] - v) != 0:
                raise ProofFileError(
                    f"{path}: the unknown {u} is shared by several theorems with different "
                    "solutions; give each theorem its own unknowns"
                )
            solution[u] = v
        if not res.certified:
            continue
        step_kw, cls_kw = _keyword(call, "step"), _keyword(call, "function_class")
        if step_kw is None or cls_kw is None:
            raise ProofFileError(f"{path}: {th.name}: step= and function_class= must be given")
        step_code, class_code = _segment(src, step_kw.value), _segment(src, cls_kw.value)
        params = set(th.region.symbols)
        names = _named(ns, params, lines_before, call.lineno)
        ref = res.reference
        kw = _keyword(call, "certificate")
        line = src.splitlines()[kw.lineno - 1]
        base = len(line) - len(line.lstrip())
        indent = " " * (base + 4)
        items = [
            f"{indent}{_fact_code(f, step_code, class_code)}: "
            f"{_code(_use_names(lam, names, ref))},\n"
            for f, lam in res.certificate.items()
        ]
        text = "{\n" + "".join(items) + " " * base + "}"
        v = kw.value
        edits.append((v.lineno, v.col_offset, v.end_lineno, v.end_col_offset, text))
        rho_kw = _keyword(call, "rho")
        if th.rate_unknown is not None and rho_kw is not None:
            v = rho_kw.value
            value = _code(_use_names(res.solution[th.rate_unknown], names, ref))
            edits.append((v.lineno, v.col_offset, v.end_lineno, v.end_col_offset, value))
    params = set().union(*(th.region.symbols for th in pending))
    known = {u.name: v for u, v in solution.items()}
    for stmt in _unknown_statements(tree):
        targets = _targets(stmt)
        if not targets or not all(t in known for t in targets):
            continue
        # the solved values go just before the first statement that uses them, so that they
        # may use every name defined up to there (D = ... after the unknowns line)
        use = _first_use(tree, stmt, set(targets))
        names = _named(ns, params, lines_before, use.lineno)
        text = "".join(f"{t} = {_code(_use_names(known[t], names, ref))}\n" for t in targets)
        edits.append((stmt.lineno, 0, stmt.end_lineno + 1, 0, ""))  # drop the line
        edits.append((use.lineno, 0, use.lineno, 0, text))
    out = _tidy_imports(src, _apply(src, edits))
    return HEADER.format(src=path.name) + out


# -- the imports: none left unused (AUTO, unknowns), Rational where a value needs it ---------
#: the modules whose ``from ... import`` may take ``Rational`` (lyapunov.engine re-exports it)
_RATIONAL_FROM = ("sympy", "lyapunov.engine")


def _used_names(tree: ast.Module) -> set[str]:
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}


def _tidy_imports(before: str, after: str) -> str:
    """``after`` (the rewritten ``before``) without the imported names the rewrite left unused
    (``AUTO``, ``unknowns``: ruff's F401 in the user's file) and, where a value is written
    ``Rational(p, q)``, with ``Rational`` imported: added to a ``from sympy import`` or
    ``from lyapunov.engine import`` line the file has, else a line of its own. A statement is
    rewritten in its own layout: one line, or one name per line in parentheses."""
    tree = ast.parse(after)
    used = _used_names(tree)
    dropped = _used_names(ast.parse(before)) - used  # used by the input, not by the output
    need = "Rational" in used and not _imports(tree, "Rational")  # a bare Rational(p, q)
    target = None
    if need:
        target = next((m for m in _RATIONAL_FROM for n in tree.body if _is_from(n, m)), None)
    edits = []
    for node in tree.body:
        if not isinstance(node, ast.ImportFrom):
            continue
        names = [a for a in node.names if (a.asname or a.name) not in dropped]
        add = need and target is not None and _is_from(node, target)
        if len(names) == len(node.names) and not add:
            continue
        text = _import_text(node, names, "Rational" if add else None, _segment(after, node))
        need = need and not add
        edits.append((node.lineno, 0, node.end_lineno + 1, 0, text))
    out = _apply(after, edits)
    return _add_import(out, "from sympy import Rational\n") if need else out


def _is_from(node: ast.stmt, module: str) -> bool:
    return isinstance(node, ast.ImportFrom) and node.module == module and node.level == 0


def _imports(tree: ast.Module, name: str) -> bool:
    """Whether ``name`` is bound by an import of the module (under its own name)."""
    return any(
        (a.asname or a.name) == name
        for node in tree.body
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for a in node.names
    )


def _isort_key(name: str) -> tuple:
    """isort's (and ruff's) order of imported names: CONSTANTS, Classes, then the rest."""
    kind = 0 if name.isupper() and len(name) > 1 else 1 if name[:1].isupper() else 2
    return kind, name.lower(), name


def _import_text(node: ast.ImportFrom, names: list[ast.alias], extra: str | None, old: str) -> str:
    """The statement ``node`` with ``names`` (and ``extra``), laid out like ``old``: one line
    if it was one line and still fits, else one name per line; "" when no name is left."""
    shown = [a.name + (f" as {a.asname}" if a.asname else "") for a in names]
    if extra is not None:
        shown = sorted([*shown, extra], key=_isort_key)
    if not shown:
        return ""
    head = f"from {node.module} import "
    line = head + ", ".join(shown)
    if "\n" not in old and len(line) <= max(len(old), 88):
        return line + "\n"
    return head + "(\n" + "".join(f"    {s},\n" for s in shown) + ")\n"


def _add_import(src: str, line: str) -> str:
    """Insert an import after the module docstring and the __future__ imports."""
    tree = ast.parse(src)
    after = 0
    for node in tree.body:
        if (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)) or (
            isinstance(node, ast.ImportFrom) and node.module == "__future__"
        ):
            after = node.end_lineno
        else:
            break
    lines = src.splitlines(keepends=True)
    return "".join(lines[:after]) + ("\n" if after else "") + line + "".join(lines[after:])


def _apply(src: str, edits: list) -> str:
    lines = src.splitlines(keepends=True)
    starts = [0]
    for ln in lines:
        starts.append(starts[-1] + len(ln))

    def pos(line: int, col: int) -> int:
        if line > len(lines):  # the end of a last line without a newline
            return len(src)
        # ast columns are UTF-8 byte offsets
        text = lines[line - 1].encode()[:col].decode()
        return starts[line - 1] + len(text)

    out = src
    for line, col, eline, ecol, text in sorted(edits, reverse=True):
        a, b = pos(line, col), pos(eline, ecol)
        out = out[:a] + text + out[b:]
    return out


# -- the command ----------------------------------------------------------------------------
def prove_file(
    src: Path,
    out: Path,
    timeout: float | None = 120.0,
    seed: int = 0,
    progress=None,
) -> FileResult:
    """Synthesize every pending theorem of ``src``, write the proved copy to ``out``, check it.

    Raises ProofFileError for files that cannot be loaded or written.
    """
    from .loader import load_file

    t0 = time.perf_counter()
    items, ns = load_namespace(src)
    pending = [
        it.theorem for it in items if isinstance(it.theorem, DescentLemma) and it.theorem.pending
    ]
    fr = FileResult(src, None)
    if not pending:
        fr.seconds = time.perf_counter() - t0
        return fr
    solved = []
    for th in pending:
        try:
            res = synthesize(th, timeout=timeout, seed=seed)
        except MalformedError as exc:  # e.g. an unknown the claim does not determine
            raise ProofFileError(f"{src}: {exc}") from None
        fr.results.append(res)
        solved.append((th, res))
        if progress is not None:
            progress(res)
    if any(r.certified for r in fr.results):
        text = rewrite(src.read_text(encoding="utf-8"), src, ns, solved)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        fr.output = out
        for item in load_file(out):
            th = item.theorem
            if any(th.name == r.name for r in fr.results):
                fr.verdicts[th.name] = th.check(timeout=timeout).outcome
    fr.seconds = time.perf_counter() - t0
    return fr
