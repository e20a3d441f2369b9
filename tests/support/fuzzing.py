"""Input generators for fuzzing the command line and the proof-file loader (tests, benchmarks).

Needs hypothesis (a dev dependency).
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

from hypothesis import strategies as st

__all__ = ["cli_argv", "mutated_proof", "run_cli_in_process", "try_load"]

_TEMPLATE = Path(__file__).resolve().parents[2] / "proofs" / "p3_sgd_descent.py"
_COMMANDS = ["check", "bound", "simulate", "figures", "frobnicate", ""]
_OPTIONS = [
    "--lr",
    "--momentum",
    "--eta",
    "--c",
    "--L",
    "--sigma2",
    "--steps",
    "--gap",
    "--json",
    "--best",
    "--timeout",
    "--jobs",
    "--objective",
    "--runs",
    "--seed",
    "--method",
    "--only",
    "--latex",
    "--cross-check",
    "--dim",
    "--help",
    "-j",
    "--bogus",
]
_VALUES = [
    "0",
    "1",
    "-1",
    "0.5",
    "1e9",
    "nan",
    "inf",
    "-inf",
    "abc",
    "",
    "sgd",
    "sgdm",
    "spa",
    "cosine",
    "1.0000001",
    "2",
    "/nonexistent",
    "10",
    "1e-300",
]


@st.composite
def cli_argv(draw) -> list[str]:
    """A random command line built from the real vocabulary (and junk)."""
    cmd = draw(st.sampled_from(_COMMANDS))
    argv = [cmd] if cmd else []
    if cmd == "bound":
        argv.append(draw(st.sampled_from(["sgd", "sgdm", "spa", "adam"])))
    for _ in range(draw(st.integers(0, 7))):
        argv.append(draw(st.sampled_from(_OPTIONS)))
        if draw(st.booleans()):
            argv.append(draw(st.one_of(st.sampled_from(_VALUES), st.text(max_size=5))))
    # never run the slow commands in full: simulate and figures get tiny or invalid sizes
    if cmd == "figures" and "--help" not in argv:
        argv += ["--only", "nope"]
    if cmd == "simulate":
        argv += ["--steps", "5", "--runs", draw(st.sampled_from(["2", "0", "x"]))]
    if cmd == "check":
        argv.append(draw(st.sampled_from(["/nonexistent.py", str(_TEMPLATE)])))
    return argv


@contextlib.contextmanager
def _chdir(path: str):
    """contextlib.chdir for Python 3.10."""
    import os

    old = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def run_cli_in_process(argv: list[str]) -> tuple[int, str, str]:
    """Run ``lyapunov`` in this process, in a scratch working directory (so that options such
    as ``--latex NAME`` or ``--out NAME`` write nothing elsewhere); returns (exit code, stdout,
    stderr)."""
    import tempfile

    from lyapunov.cli import main

    out, err = io.StringIO(), io.StringIO()
    code = 0
    with (
        tempfile.TemporaryDirectory() as scratch,
        _chdir(scratch),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        try:
            main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException as exc:  # noqa: BLE001 - a crash is what the fuzzer reports
            import traceback

            err.write("Traceback (crash)\n" + "".join(traceback.format_exception(exc)))
            code = 99
    return code, out.getvalue(), err.getvalue()


@st.composite
def mutated_proof(draw) -> str:
    """A shipped proof file with random line deletions, duplications and token swaps."""
    lines = _TEMPLATE.read_text().splitlines()
    body_start = next(i for i, ln in enumerate(lines) if ln.startswith("from "))
    lines = lines[body_start:]
    tokens = [
        "1.0",
        "eta",
        "L",
        "sigma2",
        "None",
        "[]",
        "{}",
        "'x'",
        "-1",
        "step.x",
        "smooth.upper(step.x1, step.x)",
        "0",
        "(",
        ")",
        "eta > 1",
        "theorem = 3",
    ]
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["delete", "duplicate", "replace", "insert"]))
        i = draw(st.integers(0, len(lines) - 1))
        if op == "delete" and len(lines) > 1:
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "replace":
            words = lines[i].split(" ")
            j = draw(st.integers(0, len(words) - 1))
            words[j] = draw(st.sampled_from(tokens))
            lines[i] = " ".join(words)
        else:
            lines.insert(i, draw(st.sampled_from(tokens)))
    return "\n".join(lines) + "\n"


def try_load(src: str, folder: Path) -> str:
    """Load ``src`` as a proof file: "loaded", "rejected" (ProofFileError), or a crash."""
    from lyapunov.engine.kernel.region import MalformedError
    from lyapunov.loader import ProofFileError, load_file

    path = folder / "fuzzed.py"
    path.write_text(src)
    try:
        for item in load_file(path):
            item.theorem.check(timeout=5)  # a verdict, or a malformed-theorem error
    except (ProofFileError, MalformedError):
        return "rejected"
    except BaseException as exc:  # noqa: BLE001
        return f"crash: {type(exc).__name__}: {exc}"
    return "loaded"
