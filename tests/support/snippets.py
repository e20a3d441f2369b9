"""Run the samples of a Markdown page (the README, docs/guide/*.md) and compare what they print.

A page's fenced blocks, by language:

* ``python``: runs. The blocks of a page run in order in one namespace, in a scratch folder
  that stands for the repository's root (``proofs`` there is the repository's proofs/). A line
  ending in ``# prints X`` must print ``X``: the block is cut after that line, and what the
  lines since the previous cut print is compared with ``X``.
* ``pycon``: a doctest (``>>>`` and ``...`` prompts) in the same namespace; what each prompt
  prints is compared with the lines under it.
* ``console``: ``$ lyapunov ...`` lines, each followed by what it prints (stdout and stderr
  as a terminal shows them); each must exit 0 (or the code of an ``exit`` marker), and one
  with no output lines only has to exit.
* ``bash``: ``lyapunov ...`` lines without output; each runs and must exit 0. Other commands
  (``pip``, ``pytest``, ``python -m sphinx``) are never run.
* other languages (``text``, ...) are not run; with a ``file`` marker they are files the
  samples read.

The ``lyapunov`` commands run in this process (``lyapunov.cli.main``), which is what makes a
page's samples cheap enough to run in the suite; a command that only prints (``bound``,
``pep``, ``simulate``) runs once per process for the same arguments and method files, so the
README and a guide page quoting the same command share one run.

Compared output: whitespace runs count as one space, ``...`` on a line of its own stands for
any number of lines (``...`` inside a line for any text), a number followed by `` s`` (a
time) matches any number, and every other number matches at the precision it is quoted:
``0.0200191`` matches ``0.020019122674173166``, ``654`` only ``654``.

A marker, an HTML comment on the line before a block (invisible on GitHub and in the docs):

* ``<!-- file: NAME -->``: the block is written to NAME in the scratch folder (not run);
* ``<!-- exit: N -->``: a console block's commands exit with code N;
* ``<!-- tested-in: tests/test_x.py -->``: the block is run by that test module (which must
  name the page), not here; for blocks that need a dask cluster or minutes;
* ``<!-- skip: REASON -->``: not run at all (kept few: the tests count them).

When a change of the toolkit moves a quoted number, the tests fail naming it;
``python tests/support/snippets.py --update README.md docs/guide/*.md`` rewrites the numbers
that drifted (at their quoted precision, nothing else) for review in the diff.
"""

from __future__ import annotations

import contextlib
import doctest
import io
import os
import re
import shlex
import warnings
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "Block",
    "blocks",
    "matches",
    "mismatch",
    "run_cli",
    "run_key",
    "run_page",
    "ROOT",
]

ROOT = Path(__file__).resolve().parents[2]

_FENCE = re.compile(
    r"(?:^<!--\s*(?P<marker>[\w-]+):\s*(?P<arg>.*?)\s*-->\n)?"
    r"^(?P<fence>```+)(?P<lang>[\w-]*)[^\n]*\n(?P<body>.*?)^(?P=fence)\s*$",
    re.M | re.S,
)
NUMBER = r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?"
_TOKEN = re.compile(rf"(?P<ell>\.\.\.)|(?P<num>{NUMBER})(?P<time>\s*s\b)?|(?P<ws>\s+)")
_ANY_LINES = r"(?:[^\n]*\n)*?"


@dataclass(frozen=True)
class Block:
    """A fenced block of a page: its language, text, marker (name, argument) and line."""

    page: Path
    line: int
    lang: str
    text: str
    marker: str = ""
    arg: str = ""

    @property
    def where(self) -> str:
        page = self.page.relative_to(ROOT) if self.page.is_relative_to(ROOT) else self.page
        return f"{page}:{self.line}"


def blocks(page: Path) -> list[Block]:
    """The fenced blocks of ``page`` in order, each with the marker comment just above it."""
    text = page.read_text()
    return [
        Block(
            page,
            text.count("\n", 0, m.start("fence")) + 1,
            m["lang"],
            m["body"],
            m["marker"] or "",
            m["arg"] or "",
        )
        for m in _FENCE.finditer(text)
    ]


# -- comparing printed output ---------------------------------------------------------------
@dataclass(frozen=True)
class Stale:
    """A quoted number that the sample no longer prints: where it is in the quoted text (line
    index, column), what the page quotes and what the sample printed."""

    line: int
    column: int
    quoted: str
    printed: str

    def requoted(self) -> str:
        """What the page should quote: the printed number at the quoted precision."""
        mantissa, _, exponent = self.quoted.lower().lstrip("+-").partition("e")
        if "." not in mantissa:
            return self.printed
        decimals = len(mantissa.split(".")[1])
        value = float(self.printed)
        if exponent:
            return f"{value:.{decimals}e}"
        printed = self.printed.lower().lstrip("+-").partition("e")
        if not printed[2] and len(printed[0].partition(".")[2]) <= decimals:
            return self.printed
        return f"{value:.{decimals}f}"


def _pattern(want: str) -> tuple[re.Pattern, list[tuple[int, int, str]]]:
    """A regex for ``want`` and the quoted numbers its groups capture, in order, each as
    (line index in ``want``, column, text)."""
    parts, quoted = [], []
    lines = want.splitlines()
    for index, line in enumerate(lines):
        if not line.strip() and not (
            "".join(lines[:index]).strip() and "".join(lines[index:]).strip()
        ):
            continue  # blank lines before or after the quote
        if line.strip() == "...":
            parts.append(_ANY_LINES)
            continue
        body, indent = line.strip(), len(line) - len(line.lstrip())
        regex, pos = [], 0
        for m in _TOKEN.finditer(body):
            regex.append(re.escape(body[pos : m.start()]))
            pos = m.end()
            if m["ell"]:
                regex.append(r"[^\n]*?")
            elif m["ws"]:
                regex.append(r"[ \t]+")
            elif m["time"]:
                regex.append(rf"{NUMBER}[ \t]*s\b")
            else:
                regex.append(rf"({NUMBER})")
                quoted.append((index, indent + m.start(), m["num"]))
        regex.append(re.escape(body[pos:]))
        parts.append(r"[ \t]*" + "".join(regex) + r"[ \t]*\n")
    return re.compile("".join(parts)), quoted


def _same_number(quoted: str, got: str) -> bool:
    """``got`` rounds to ``quoted`` at the precision ``quoted`` is written with."""
    q, g = float(quoted), float(got)
    mantissa, _, exponent = quoted.lower().lstrip("+-").partition("e")
    if "." not in mantissa:
        return q == g
    decimals = len(mantissa.split(".")[1]) - int(exponent or 0)
    return abs(q - g) <= 0.5 * 10.0**-decimals * (1 + 1e-9) + 1e-12 * abs(q)


def compare(want: str, got: str) -> list[Stale] | None:
    """None when ``got`` does not read as ``want`` at all (other text, lines); otherwise the
    numbers of ``want`` that ``got`` does not print at their quoted precision (empty: a match)."""
    pattern, quoted = _pattern(want)
    text = "\n".join(line.rstrip() for line in got.strip("\n").splitlines()) + "\n"
    m = pattern.fullmatch(text)
    if m is None:
        return None
    return [
        Stale(line, column, q, g)
        for (line, column, q), g in zip(quoted, m.groups(), strict=True)
        if not _same_number(q, g)
    ]


def mismatch(want: str, got: str) -> str | None:
    """None when ``got`` reads as ``want``; otherwise what differs, for the failure message."""
    stale = compare(want, got)
    if stale is None:
        return f"the page quotes\n{want.strip()}\n--- but it printed ---\n{got.strip()}"
    if stale:
        pairs = ", ".join(f"{s.quoted} (printed {s.printed})" for s in stale)
        hint = "(`python tests/support/snippets.py --update PAGE` rewrites them)"
        return f"stale numbers: {pairs} {hint}\n--- it printed ---\n{got.strip()}"
    return None


def matches(want: str, got: str) -> bool:
    """Whether ``got`` (what a sample printed) reads as ``want`` (what the page quotes)."""
    return mismatch(want, got) is None


# -- running ------------------------------------------------------------------------------
@contextlib.contextmanager
def _inside(folder: Path):
    """Work in ``folder``; warnings shown again (as in a fresh process)."""
    old = os.getcwd()
    os.chdir(folder)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("default")
            yield
    finally:
        os.chdir(old)


#: commands that only print (no file written), so that a run can stand for a later, equal one
_PURE = frozenset({"bound", "pep", "simulate"})
_WRITES = frozenset({"-o", "--out", "--latex"})
_runs: dict[tuple, tuple[int, str]] = {}


def run_key(argv: list[str], folder: Path) -> tuple | None:
    """What a pure command's output depends on: its arguments and the files of ``folder`` it
    names (a method file); None for a command that may write files or read others."""
    if not argv or argv[0] not in _PURE or _WRITES & set(argv):
        return None
    files = tuple((folder / a).read_text() for a in argv if (folder / a).is_file())
    return (*argv, *files)


def run_cli(argv: list[str], folder: Path) -> tuple[int, str]:
    """``lyapunov *argv`` in this process, in ``folder``: (exit code, stdout and stderr as one
    stream, in the order a terminal shows them). A command that only prints runs once per
    test process: the README and the guide quote some of the same commands."""
    key = run_key(argv, folder)
    if key is not None and key in _runs:
        return _runs[key]
    from lyapunov.cli import main

    out = io.StringIO()
    code = 0
    with _inside(folder), contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        try:
            main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    if key is not None:
        _runs[key] = code, out.getvalue()
    return code, out.getvalue()


def _lyapunov_args(line: str) -> list[str] | None:
    """The arguments after ``lyapunov`` of a shell line (comments dropped), or None for any
    other command."""
    args = shlex.split(line, comments=True)
    if not args or args[0] != "lyapunov":
        return None
    return args[1:]


_PRINTS = re.compile(r"#\s*prints\s+(?P<want>.+?)\s*$")


class _Run:
    """The samples of one page run in order in ``folder``, sharing one namespace. With
    ``update``, stale numbers are collected as edits of the page instead of failing."""

    def __init__(self, page: Path, folder: Path, update: bool):
        self.page, self.folder, self.update = page, folder, update
        self.namespace: dict = {"__name__": "__main__"}
        self.edits: list[tuple[int, Stale]] = []  # (page line index, stale number)

    def check(self, want: str, got: str, first_line: int, where: str) -> None:
        """Compare ``got`` with ``want``, quoted from the page's line index ``first_line``."""
        stale = compare(want, got)
        if stale and self.update:
            self.edits += [(first_line + s.line, s) for s in stale]
            return
        problem = mismatch(want, got)
        assert problem is None, f"{where}: {problem}"

    def console(self, block: Block) -> None:
        """Each ``$ lyapunov ...`` of a console block, its exit code and its output."""
        expected_code = int(block.arg) if block.marker == "exit" else 0
        commands: list[tuple[str, int, list[str]]] = []
        for index, line in enumerate(block.text.splitlines()):
            if line.startswith("$ "):
                commands.append((line[2:], block.line + index + 1, []))
            else:
                assert commands, f"{block.where}: output before any `$ ` command"
                commands[-1][2].append(line)
        for line, at, output in commands:
            args = _lyapunov_args(line)
            assert args is not None, f"{block.where}: only lyapunov commands are re-run: {line}"
            code, got = run_cli(args, self.folder)
            assert code == expected_code, f"{block.where}: `{line}` exited {code}:\n{got}"
            if "".join(output).strip():
                self.check("\n".join(output), got, at, f"{block.where}: `{line}`")

    def bash(self, block: Block) -> None:
        for line in block.text.splitlines():
            args = _lyapunov_args(line)
            if args is not None:
                code, got = run_cli(args, self.folder)
                assert code == 0, f"{block.where}: `{line.strip()}` exited {code}:\n{got}"

    def python(self, block: Block) -> None:
        """A python block, cut after each ``# prints`` line, each part's output compared."""
        part: list[str] = []
        first = block.line + 1  # the page's line number of the part's first line
        lines = block.text.splitlines()
        for i, line in enumerate(lines):
            part.append(line)
            m = _PRINTS.search(line)
            if m is None and i < len(lines) - 1:
                continue
            out = io.StringIO()
            source = "\n".join([""] * (first - 1) + part)  # line numbers as in the page
            code = compile(source, str(block.page), "exec")
            with _inside(self.folder), contextlib.redirect_stdout(out):
                exec(code, self.namespace)  # noqa: S102 - the page's own sample
            if m is not None:
                at = first + len(part) - 1
                want = " " * m.start("want") + m["want"]  # columns as in the page's line
                self.check(want, out.getvalue(), at - 1, f"{block.where} (line {at})")
            first += len(part)
            part = []

    def pycon(self, block: Block) -> None:
        """A doctest; with ``update``, an example whose output differs only in its numbers
        is an edit, not a failure."""
        run = self

        class Runner(doctest.DocTestRunner):
            def report_failure(self, out, test, example, got):
                at = block.line + example.lineno + len(example.source.splitlines())
                stale = compare(example.want, got) if run.update else None
                if stale:
                    run.edits += [(at + s.line, s) for s in stale]
                    self.fixed += 1
                else:
                    super().report_failure(out, test, example, got)

        test = doctest.DocTestParser().get_doctest(
            block.text, self.namespace, block.where, str(block.page), block.line
        )
        report = io.StringIO()
        runner = Runner(checker=_Checker(), optionflags=doctest.ELLIPSIS)
        runner.fixed = 0
        with _inside(self.folder):
            runner.run(test, out=report.write, clear_globs=False)
        self.namespace.update(test.globs)  # the DocTest ran on a copy; later blocks see them
        assert runner.failures == runner.fixed, report.getvalue()

    def rewrite(self) -> int:
        """Write the collected edits into the page (right to left on each line); returns
        how many numbers changed."""
        lines = self.page.read_text().splitlines(keepends=True)
        for at, s in sorted(self.edits, key=lambda e: (e[0], -e[1].column)):
            line = lines[at]
            assert line[s.column :].startswith(s.quoted), (at, line, s)
            lines[at] = line[: s.column] + s.requoted() + line[s.column + len(s.quoted) :]
        self.page.write_text("".join(lines))
        return len(self.edits)


class _Checker(doctest.OutputChecker):
    """doctest's checker with :func:`matches`' rules for numbers, ellipses and spaces."""

    def check_output(self, want, got, optionflags):
        return matches(want, got) if want.strip() else not got.strip()


def run_page(page: Path, folder: Path, update: bool = False) -> list[Block]:
    """Run every sample of ``page`` in ``folder`` (a scratch folder: ``proofs`` links to the
    repository's proofs); returns the blocks that were run. ``update``: rewrite the numbers
    that went stale in the page instead of failing (any other difference still fails)."""
    link = folder / "proofs"
    if not link.exists():
        link.symlink_to(ROOT / "proofs", target_is_directory=True)
    run = _Run(page, folder, update)
    ran = []
    for block in blocks(page):
        if block.marker == "file":
            (folder / block.arg).write_text(block.text)
        elif block.marker not in ("skip", "tested-in") and hasattr(run, block.lang):
            getattr(run, block.lang)(block)
            ran.append(block)
    if update and run.edits:
        run.rewrite()
    return ran


def main(argv: list[str] | None = None) -> None:
    """``python tests/support/snippets.py [--update] PAGE...``: run the pages' samples; with
    ``--update``, rewrite the quoted numbers that drifted (at their quoted precision) and say
    how many. Review the diff: a drift may also be a bug."""
    import argparse
    import tempfile

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--update", action="store_true")
    parser.add_argument("pages", nargs="+", type=Path)
    args = parser.parse_args(argv)
    for page in args.pages:
        before = page.read_text()
        with tempfile.TemporaryDirectory() as folder:
            run_page(page.resolve(), Path(folder), update=args.update)
        after = page.read_text().splitlines()
        changed = sum(a != b for a, b in zip(before.splitlines(), after, strict=True))
        print(f"{page}: samples ok" + (f", {changed} lines updated" if changed else ""))


if __name__ == "__main__":
    main()
