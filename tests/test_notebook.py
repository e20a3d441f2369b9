"""Jupyter: bound results, best steps, theorems and verdicts render as HTML / LaTeX."""

from __future__ import annotations

import numpy as np
import pytest
from proofutil import PROOFS

from lyapunov import bounds
from lyapunov.engine.present.latex import theorem_math
from lyapunov.loader import load_file


def test_bound_result_reprs():
    r = bounds.sgdm(lr=0.01, momentum=0.9, L=1.0, sigma2=0.01, steps=5000, gap=1.0, detail=True)
    tex = r._repr_latex_()
    assert tex.startswith("$") and tex.endswith("$") and f"{r.value:.4g}" in tex
    assert r.theorem.startswith("P") and r.theorem in tex  # the theorem that gave the value
    html = r._repr_html_()
    assert "<table>" in html and f"{r.value:.6g}" in html and r.theorem in html
    out = bounds.sgd(lr=3.0, L=1.0, sigma2=0.0, steps=10**5, gap=1.0, detail=True)
    assert r"\infty" in out._repr_latex_() and "inf" in out._repr_html_()
    many = bounds.spa(
        eta=[0.1, 0.5, 5.0], c=0.5, L=1.0, sigma2=0.0, steps=5000, gap=1.0, detail=True
    )
    html = many._repr_html_()
    labels = {str(label) for label in many.theorem} - {""}
    assert "shape (3,)" in html and "1 inf" in html and labels and all(x in html for x in labels)


def test_best_step_reprs_and_dict():
    b = bounds.best_sgdm_lr(momentum=0.9, L=1.0, sigma2=0.01, steps=1000, gap=1.0)
    assert b.name == "lr" and b.to_dict() == {"name": "lr", "step": b.step, "bound": b.bound}
    assert r"\mathrm{lr}^*" in b._repr_latex_() and f"{b.step:.6g}" in b._repr_html_()
    e = bounds.best_spa_eta(c=0.1, L=1.0, sigma2=0.01, steps=1000, gap=1.0)
    assert e.name == "eta" and r"\eta^*" in e._repr_latex_()
    arr = bounds.best_sgd_lr(L=[1.0, 2.0], sigma2=0.01, steps=1000, gap=1.0)
    assert arr.name == "lr" and "shape (2,)" in arr._repr_html_()
    assert isinstance(arr.to_dict()["step"], list)


def test_theorem_and_verdict_in_an_ipython_formatter():
    formatters = pytest.importorskip("IPython.core.formatters")
    from lyapunov.notebook import register, verdict_html

    f = formatters.DisplayFormatter()
    register(f)
    th = load_file(PROOFS / "p3_sgd_descent.py")[0].theorem
    data, _ = f.format(th)
    tex = data["text/latex"]
    assert tex.startswith("$$\\begin{aligned}") and tex.endswith("\\end{aligned}$$")
    assert r"\rho =" in tex and "P3 SGD descent lemma" in tex
    assert tex.count("{") == tex.count("}")
    v = th.check(timeout=60)
    data, _ = f.format(v)
    assert "certified" in data["text/html"] and "#1a7f37" in data["text/html"]
    assert data["text/html"] == verdict_html(v)
    bad = th.replace(rho=th.rho * 2)  # a wrong rate: its certificate rejected, where shown
    v = bad.check(timeout=60)
    html = verdict_html(v)
    assert v.status == "refuted" and v.outcome == "rejected"
    assert "rejected certificate" in html and "fails at" in html and "counterexample" not in html


def test_register_outside_ipython_is_a_clear_error():
    pytest.importorskip("IPython")
    from lyapunov.notebook import register

    with pytest.raises(ValueError, match="register: not running inside IPython"):
        register()


def test_identities_and_inequalities_as_math():
    for name in ("p2_schedule_map.py", "p6_momentum_vs_sgd_ratio.py"):
        for item in load_file(PROOFS / name):
            tex = theorem_math(item.theorem)
            assert tex.count("{") == tex.count("}") and r"\_" not in tex
            assert np.all([s not in tex for s in ("lr_{k}", "x\\_")])


def test_theorems_and_verdicts_render_without_registering():
    from lyapunov.notebook import verdict_html

    th = load_file(PROOFS / "p3_sgd_descent.py")[0].theorem
    tex = th._repr_latex_()
    assert tex.startswith("$$") and "P3 SGD descent lemma" in tex
    v = th.check(timeout=60)
    assert v._repr_html_() == verdict_html(v) and "certified" in v._repr_html_()
