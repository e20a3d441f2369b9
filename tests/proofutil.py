"""Shared helpers: the shipped proof files and their theorems."""

from __future__ import annotations

from pathlib import Path

from lyapunov.loader import load_file

ROOT = Path(__file__).resolve().parent.parent
PROOFS = ROOT / "proofs"


def load(stem: str):
    """The (first) theorem and the namespace of proofs/<stem>.py."""
    import runpy

    path = PROOFS / f"{stem}.py"
    ns = runpy.run_path(str(path))
    return load_file(path)[0].theorem, ns
