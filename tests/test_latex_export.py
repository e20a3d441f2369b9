"""LaTeX export: upright multi-letter names (\\mathrm{lr}), indices written out, labels typeset."""

from __future__ import annotations

import re

import pytest
from proofutil import PROOFS

from lyapunov.engine.present.latex import (
    document_latex,
    label_latex,
    symbol_latex,
    theorem_latex,
    title_latex,
)
from lyapunov.loader import load_file


@pytest.mark.parametrize(
    "name,want",
    [
        ("lr_k", r"\mathrm{lr}_{k}"),
        ("lr_k1", r"\mathrm{lr}_{k+1}"),
        ("eta_k2", r"\eta_{k+2}"),
        ("m_k1", "m_{k+1}"),
        ("c_k", "c_{k}"),
        ("sigma2", r"\sigma^2"),
        ("gap", r"\mathrm{gap}"),
        ("eta", None),  # sympy's own \eta
        ("L", None),
    ],
)
def test_symbol_names(name, want):
    assert symbol_latex(name) == want


@pytest.mark.parametrize(
    "label,want",
    [
        ("step: x_{k+1} (SPA) = x_{k+1} (PyTorch)", r"\text{step: }x_{k+1} (\text{SPA}) = x_{k+1}"),
        ("round trip: c_k eta_k = lr_k", r"\text{round trip: }c_{k} \eta_{k} = \mathrm{lr}_{k}"),
        ("c_k <= 1", r"c_{k} \le 1"),
        ("F >= 1", r"F \ge 1"),
        ("fixed point: a_k = a*", r"\text{fixed point: }a_{k} = a^*"),
        ("base: heavy-ball invariant", r"\text{base: heavy-ball invariant}"),
        ("100% & #1", r"\text{100\% \& \#1}"),
    ],
)
def test_labels(label, want):
    assert want in label_latex(label)


def test_title_keeps_text_and_puts_math_in_dollars():
    t = title_latex(
        "P2c PyTorch step decay (lr -> gamma lr at T, momentum beta) in SPA coordinates"
    )
    assert t.startswith("P2c PyTorch step decay") and r"\to" in t and r"$\beta" in t
    assert t.count("$") % 2 == 0


def _doc(name):
    return document_latex([item.theorem for item in load_file(PROOFS / name)])


def test_schedule_map_export_has_no_escaped_labels_and_upright_lr():
    tex = _doc("p2_schedule_map.py")
    assert r"\mathrm{lr}_{k}" in tex and r"\eta_{k+1}" in tex and "m_{k+1}" in tex
    assert "lr_{k}" not in tex.replace(r"\mathrm{lr}_{k}", "")  # never l r_k in italics
    assert r"x\_\{k+1\}" not in tex and r"\_" not in tex  # labels are typeset, not escaped
    assert r"x_{k+1} (\text{SPA})" in tex
    assert tex.count("{") == tex.count("}")
    for line in tex.splitlines():  # inline math is balanced on every line
        assert line.count("$") % 2 == 0, line


def test_every_shipped_theorem_exports_balanced_latex():
    for path in sorted(PROOFS.glob("p*.py")):
        for item in load_file(path):
            tex = theorem_latex(item.theorem)
            assert tex.count("{") == tex.count("}"), path
            assert not re.search(r"\\text\{[^}]*\\_", tex), path
