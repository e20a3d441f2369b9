"""The calculators beyond P4: P4c's bound at searched weights, and why a point is not covered."""

from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from lyapunov import bounds
from lyapunov.bounds.horizon import horizon_bound
from lyapunov.bounds.large_step import p4c_rate
from lyapunov.convert import to_spa

ROOT = Path(__file__).resolve().parent.parent
ARGS = {"L": 1.0, "sigma2": 0.01, "steps": 1000, "gap": 1.0}
#: beyond the horizon of the chain step by step (256): inf outside every descent lemma
LONG = {**ARGS, "steps": 10**5}


def _exact(v: float) -> sp.Rational:
    f = Fraction(float(v))
    return sp.Rational(f.numerator, f.denominator)


def test_lr_03_momentum_09_is_certified_by_p4c():
    res = bounds.sgdm(lr=0.3, momentum=0.9, detail=True, **ARGS)
    assert np.isfinite(res.value) and res.value > 0
    assert res.theorem == "P4c" and res.reason == ""
    # P4 alone gives nothing there
    eta, c = to_spa(lr=0.3, momentum=0.9)
    assert not np.isfinite(bounds.rates()["P4"](eta=eta, c=c, **ARGS))


def test_p4c_value_is_the_theorems_bound_at_weights_inside_its_region():
    """At the weights found, the exact rational point is in P4c's region and the value is
    P4c's rate there (exact arithmetic)."""
    rate = p4c_rate()
    mod = rate.module
    eta = np.array([3.0, 2.5, 1.9, 3.5, 2.0])
    c = np.array([0.1, 0.5, 0.05, 0.2, 0.3])
    s2 = np.array([0.01, 0.0, 1.0, 0.1, 0.0])
    n = np.array([1000.0, 10.0, 10**6, 7.0, 100.0])
    value, b, t = rate.bounds(eta, c, np.ones(5), s2, n, np.ones(5))
    assert np.all(np.isfinite(value))
    from lyapunov.bounds.compile import GAP, STEPS

    for i in range(5):
        pt = {
            mod.eta: _exact(eta[i]),
            mod.c: _exact(c[i]),
            mod.L: sp.Integer(1),
            mod.b: _exact(b[i]),
            mod.t: _exact(t[i]),
            mod.sigma2: _exact(s2[i]),
        }
        assert mod.theorem.region.contains(pt), i
        exact = rate.expression.subs({**pt, GAP: 1, STEPS: _exact(n[i])})
        assert float(exact) == pytest.approx(value[i], rel=1e-12)


def _in_p4c(m, eta, c, L, b, t) -> bool:
    pt = {m.eta: _exact(eta), m.c: _exact(c), m.L: _exact(L), m.b: _exact(b), m.t: _exact(t)}
    return bool(m.theorem.region.contains({**pt, m.sigma2: 0}))


def test_float_region_test_is_exact_at_the_boundary():
    """Points on and within rounding of the boundary of P4c's region are decided exactly: the
    float test answers what the exact region answers at the float point."""
    rate = p4c_rate()
    m = rate.module
    eta, c, L = 3.0, 0.1, 1.0
    # t with rho = r0 - 2t = 0 up to rounding (S > 0 at this b)
    b = -0.02
    r0 = eta * (c / 2 + b * (2 - c))
    ts = [r0 / 2 * (1 + k * 1e-15) for k in range(-8, 9)] + [r0 / 2 * (1 - 1e-13), r0 / 4]
    ts += list(np.nextafter(r0 / 2, np.array([0.0, 1.0])))
    got = rate.inside(eta, c, L, 0.0, b, np.array(ts))
    want = [_in_p4c(m, eta, c, L, b, t) for t in ts]
    assert list(got) == want
    assert True in want and False in want  # both sides of the boundary are probed
    assert rate.inside(eta, c, L, 0.0, b, r0 / 4)  # well inside
    # random points accepted by the float test are in the exact region, refused ones are not
    rng = np.random.default_rng(7)
    E, C = rng.uniform(0.5, 4.0, 400), rng.uniform(0.01, 0.99, 400)
    B, T = rng.uniform(-0.3, 0.5, 400), rng.uniform(0, 0.05, 400) ** 2
    ok = rate.inside(E, C, 1.0, 0.0, B, T)
    assert 10 < ok.sum() < 400
    for i in list(np.flatnonzero(ok)[:40]) + list(np.flatnonzero(~ok)[:40]):
        assert _in_p4c(m, E[i], C[i], 1.0, B[i], T[i]) == ok[i], i


def test_vectorized_like_scalars_and_p4_unchanged():
    lr = np.array([[0.05, 0.18], [0.3, 0.39]])
    mom = np.array([0.9, 0.9])
    vec = bounds.sgdm(lr=lr, momentum=mom, detail=True, **ARGS)
    assert vec.value.shape == (2, 2)
    for i in np.ndindex(lr.shape):
        one = bounds.sgdm(lr=float(lr[i]), momentum=0.9, detail=True, **ARGS)
        assert one.value == pytest.approx(vec.value[i], rel=1e-9)
        assert one.theorem == vec.theorem[i]
    # where P4 covers: P4's value, or the horizon chain's where smaller; beyond: P4c
    assert list(vec.theorem[1]) == ["P4c", "P4c"]
    eta, c = to_spa(lr=lr[0], momentum=0.9)
    p4 = bounds.rates()["P4"](eta=eta, c=c, **ARGS)
    chain = horizon_bound(eta=eta, c=c, **ARGS)
    np.testing.assert_array_equal(vec.value[0], np.minimum(p4, chain))
    for j in range(2):
        assert vec.theorem[0, j] == ("P4" if p4[j] <= chain[j] else "P8+P10")
    # the same at every horizon (the chain has no cap): 10^8 steps
    long = {**ARGS, "steps": 10**8}
    far = bounds.sgdm(lr=lr[0], momentum=0.9, detail=True, **long)
    p4, chain = bounds.rates()["P4"](eta=eta, c=c, **long), horizon_bound(eta=eta, c=c, **long)
    np.testing.assert_array_equal(far.value, np.minimum(p4, chain))


def test_beyond_the_reach_the_reason_names_the_failing_condition():
    """Beyond P4c's reach only the chain step by step certifies (up to 256 steps): at 10^5
    steps the bound is inf, and the reason names the failing condition and that limit."""
    ARGS = LONG  # noqa: N806
    res = bounds.sgdm(lr=0.5, momentum=0.9, detail=True, **ARGS)
    assert res.value == np.inf and res.theorem == ""
    assert "L*eta < 4*(2 - c)**2/(c**2 + (2 - c)**2) fails" in res.reason
    assert "L*eta = 5 " in res.reason and "c = 0.1" in res.reason
    assert "up to 256 steps" in res.reason
    # the largest certified lr at momentum 0.9: c 4 (2-c)^2 / ((2-c)^2 + c^2) / L
    c = 0.1
    assert res.step_name == "lr"
    assert res.step_limit == pytest.approx(c * 4 * (2 - c) ** 2 / ((2 - c) ** 2 + c**2))
    inside = bounds.sgdm(lr=0.999 * res.step_limit, momentum=0.9, detail=True, **ARGS)
    assert np.isfinite(inside.value) and inside.reason == ""
    out = bounds.sgdm(lr=1.001 * res.step_limit, momentum=0.9, detail=True, **ARGS)
    assert out.value == np.inf and "fails" in out.reason
    # spa: in eta; at c = 1 (SGD) P4's own condition, limit 2/L
    s = bounds.spa(eta=2.5, c=1.0, detail=True, **ARGS)
    assert s.value == np.inf and "c*L*eta < 4 - 2*c" in s.reason.replace("L*c*eta", "c*L*eta")
    assert s.step_name == "eta" and s.step_limit == pytest.approx(2.0)
    g = bounds.sgd(lr=3.0, detail=True, **ARGS)
    assert "L*eta < 2 fails" in g.reason and g.step_limit == pytest.approx(2.0)
    # arrays: a reason exactly where the bound is inf
    arr = bounds.spa(eta=np.array([1.0, 3.0, 5.0]), c=0.1, detail=True, **ARGS)
    assert [bool(r) for r in arr.reason] == [False, False, True]
    np.testing.assert_allclose(arr.step_limit, 4 * 1.9**2 / (1.9**2 + 0.01))


def test_best_step_searches_up_to_p4cs_reach():
    """The best eta is at least as good as every eta of a grid reaching into P4c's region."""
    for c, s2, n in ((0.1, 0.01, 10), (0.5, 0.0, 5), (0.2, 1.0, 1000)):
        best = bounds.best_spa_eta(c=c, L=1.0, sigma2=s2, steps=n, gap=1.0)
        limit = 4 * (2 - c) ** 2 / ((2 - c) ** 2 + c**2)
        grid = np.linspace(0.01, 0.999 * limit, 300)
        vals = bounds.spa(eta=grid, c=c, L=1.0, sigma2=s2, steps=n, gap=1.0)
        assert np.isfinite(vals[grid > 2 - c]).all()  # P4c covers beyond P4
        assert best.bound <= vals.min() * (1 + 1e-6)
        assert best.bound == bounds.spa(eta=best.step, c=c, L=1.0, sigma2=s2, steps=n, gap=1.0)


def _cli(*args: str):
    return subprocess.run(
        [sys.executable, "-m", "lyapunov.cli", "bound", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )


COMMON = ["--L", "1", "--sigma2", "0.01", "--steps", "1000", "--gap", "1"]
#: beyond the horizon of the chain step by step
FAR = ["--L", "1", "--sigma2", "0.01", "--steps", "100000", "--gap", "1"]


def test_cli_says_why_on_one_line():
    r = _cli("sgdm", "--lr", "0.5", "--momentum", "0.9", *FAR)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.strip().splitlines()
    assert len(lines) == 1
    assert "bound = inf" in lines[0] and "Why: L*eta < 4*(2 - c)**2" in lines[0]
    assert "Certified at every horizon: lr < 0.398895 at momentum=0.9" in lines[0]
    short = _cli(
        "sgdm", "--lr", "0.5", "--momentum", "0.9", "--L", "1", "--steps", "100", "--gap", "1"
    )
    assert short.returncode == 0 and "[theorem P24+P10]" in short.stdout
    ok = _cli("sgdm", "--lr", "0.3", "--momentum", "0.9", *COMMON)
    assert ok.returncode == 0 and "[theorem P4c]" in ok.stdout


def test_cli_json_has_reason_and_step_limit():
    r = _cli("spa", "--eta", "5", "--c", "0.1", *FAR, "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["bound"] == "inf" and out["theorem"] is None
    assert out["reason"].startswith("L*eta < 4*(2 - c)**2/(c**2 + (2 - c)**2) fails: L*eta = 5")
    assert out["step_limit"]["name"] == "eta"
    assert out["step_limit"]["value"] == pytest.approx(4 * 1.9**2 / (1.9**2 + 0.01))
    fin = json.loads(_cli("sgdm", "--lr", "0.3", "--momentum", "0.9", *COMMON, "--json").stdout)
    assert fin["theorem"] == "P4c" and fin["reason"] is None
    assert fin["step_limit"] == {"name": "lr", "value": pytest.approx(0.398895, rel=1e-5)}


def test_cli_bad_input_still_one_line_exit_2():
    r = _cli("sgdm", "--lr", "0.3", "--momentum", "1.5", *COMMON)
    assert r.returncode == 2
    assert len(r.stdout.strip().splitlines() + r.stderr.strip().splitlines()) == 1
    assert "momentum" in r.stdout + r.stderr


def test_notebook_display_says_why():
    out = bounds.sgdm(lr=0.5, momentum=0.9, detail=True, **LONG)
    html = out._repr_html_()
    assert "<th style='text-align:left'>why</th>" in html and "fails" in html
    assert "certified at every horizon for lr &lt; 0.3989" in html
    assert r"\infty" in out._repr_latex_() and "lr < 0.3989" in out._repr_latex_()
    ok = bounds.sgdm(lr=0.3, momentum=0.9, detail=True, **ARGS)
    assert "why" not in ok._repr_html_() and "P4c" in ok._repr_latex_()
