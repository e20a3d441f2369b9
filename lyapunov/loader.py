"""Load theorems from proof files.

A proof file is a Python file that defines ``theorem`` (one :class:`Theorem`) or ``theorems``
(a list of them). Proof files are *executed*: check only files you trust, as with running any
script. Anything wrong with a file (syntax, missing theorem, malformed certificate, an
exception while building it) becomes a :class:`ProofFileError` naming the file.
"""

from __future__ import annotations

import re
import runpy
from dataclasses import dataclass
from pathlib import Path

from .engine.kernel.region import MalformedError
from .engine.kernel.theorems import Theorem

__all__ = [
    "ProofFileError",
    "LoadedTheorem",
    "default_proofs_dir",
    "proof_files",
    "load_file",
    "load_namespace",
]


class ProofFileError(ValueError):
    """A proof file that cannot be loaded; the message is one line naming the file."""


@dataclass
class LoadedTheorem:
    path: Path
    index: int
    theorem: Theorem


def default_proofs_dir() -> Path:
    """``./proofs`` when it exists, else the shipped theorems (package ``lyapunov.proofs``)."""
    here = Path.cwd() / "proofs"
    if here.is_dir():
        return here
    import lyapunov.proofs

    return Path(lyapunov.proofs.__file__).resolve().parent


def natural_key(name: str) -> tuple:
    """Sort key reading the numbers in ``name`` as numbers: p1, p2, ..., p9, p10, and a letter
    after its number (p4, p4b, p4c, p5)."""
    parts = re.split(r"(\d+)", name.lower())
    return tuple((0, int(t), "") if t.isdigit() else (1, 0, t) for t in parts if t)


def proof_files(paths: list[str | Path]) -> list[Path]:
    """Expand files and folders into the list of proof files (``*.py``, not ``_*.py``; a
    folder's files in the order of their numbers, :func:`natural_key`)."""
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = sorted(
                (q for q in p.glob("*.py") if not q.name.startswith("_")),
                key=lambda q: natural_key(q.name),
            )
            if not found:
                raise ProofFileError(f"{p}: folder contains no proof files (*.py)")
            out.extend(found)
        elif p.is_file():
            if p.suffix != ".py":
                raise ProofFileError(f"{p}: not a proof file (expected a .py file)")
            out.append(p)
        else:
            raise ProofFileError(f"{p}: no such file or folder")
    return out


def _one_line(exc: BaseException) -> str:
    msg = str(exc).strip().splitlines()
    return msg[0] if msg else type(exc).__name__


def load_file(path: Path) -> list[LoadedTheorem]:
    """Execute a proof file and return its theorems."""
    return load_namespace(path)[0]


def load_namespace(path: Path) -> tuple[list[LoadedTheorem], dict]:
    """Execute a proof file; its theorems and its module namespace."""
    try:
        ns = runpy.run_path(str(path), run_name="__lyapunov_proof__")
    except SyntaxError as exc:
        raise ProofFileError(f"{path}:{exc.lineno}: syntax error: {exc.msg}") from None
    except MalformedError as exc:
        raise ProofFileError(f"{path}: malformed theorem: {_one_line(exc)}") from None
    except Exception as exc:  # noqa: BLE001 - any failure of user code is reported, not raised
        raise ProofFileError(
            f"{path}: error while loading: {type(exc).__name__}: {_one_line(exc)}"
        ) from None
    if "theorems" in ns:
        items = ns["theorems"]
        if not isinstance(items, (list, tuple)):
            raise ProofFileError(f"{path}: `theorems` must be a list of theorems")
    elif "theorem" in ns:
        items = [ns["theorem"]]
    else:
        raise ProofFileError(
            f"{path}: defines no theorem (expected a variable `theorem` or `theorems`)"
        )
    out = []
    for i, th in enumerate(items):
        if not isinstance(th, Theorem):
            raise ProofFileError(
                f"{path}: theorem {i} is a {type(th).__name__}, not a lyapunov Theorem"
            )
        out.append(LoadedTheorem(path, i, th))
    if not out:
        raise ProofFileError(f"{path}: `theorems` is empty")
    return out, ns
