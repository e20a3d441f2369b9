"""P4c: SPA descent lemma for large steps (free weights b, t), and its reach."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from proofutil import PROOFS, instance_value, load
from support.instances import FAMILIES

from lyapunov.engine import CERTIFIED
from lyapunov.loader import load_file

STEM = "p4c_spa_descent_large_step"


def _bstar(c: float, h: float) -> float:
    """Larger root of S(b) = c^2 (2-c)(1-2b) - 2 h (c^2/4 + (2b(1-c) + c/2)^2), h = L eta."""
    A = -8 * h * (1 - c) ** 2
    B = -2 * c**2 * (2 - c) - 4 * h * c * (1 - c)
    C = c**2 * (2 - c) - h * c**2
    return (-B - math.sqrt(B * B - 4 * A * C)) / (2 * A)


def _points():
    """Rational points of the region with 2 - c < L eta (beyond P4), several L."""
    th, ns = load(STEM)
    eta, c, L, b, t = (ns[k] for k in ("eta", "c", "L", "b", "t"))
    pts = []
    for cv in (sp.Rational(1, 2), sp.Rational(1, 5), sp.Rational(1, 10)):
        hmax = 4 * (2 - cv) ** 2 / ((2 - cv) ** 2 + cv**2)
        for frac in (sp.Rational(1, 10), sp.Rational(1, 2), sp.Rational(9, 10)):
            h = (2 - cv) + frac * (hmax - (2 - cv))
            for Lv in (sp.Rational(1, 3), sp.Integer(1), sp.Integer(5)):
                bs = _bstar(float(cv), float(h))
                bv = sp.nsimplify(round(bs - 1e-3 * abs(bs) - 1e-5, 7), rational=True)
                for tv in (sp.Rational(1, 10**4) / Lv, sp.Rational(1, 10**7) / Lv):
                    pt = {eta: h / Lv, c: cv, L: Lv, b: bv, t: tv, ns["sigma2"]: sp.Integer(1)}
                    pt = {s: pt[s] for s in th.region.symbols}
                    if th.region.contains(pt):
                        pts.append(pt)
                        break
    return th, ns, pts


def test_p4c_and_its_reach_certified():
    loaded = load_file(PROOFS / f"{STEM}.py")
    assert len(loaded) == 3  # the lemma, `reach`, `nonempty`
    for item in loaded:
        v = item.theorem.check(timeout=300)
        assert v.status == CERTIFIED, (item.theorem.name, v.reason)
        assert all(chk.status == "proved" for chk in v.checks)


@pytest.mark.parametrize("what", ["rho", "nu"])
def test_wrong_p4c_refuted(what):
    """nu is the smallest noise weight (the residual is singular): 1% less, or a 1% larger
    rate, is refuted at an exact point of the region."""
    th, ns = load(STEM)
    wrong = (
        th.replace(rho=ns["RHO"] * sp.Rational(101, 100))
        if what == "rho"
        else th.replace(nu=ns["NU"] * sp.Rational(99, 100))
    )
    v = wrong.check(timeout=300)
    assert v.status == "refuted", v.reason
    point = {k: sp.Rational(x) for k, x in v.counterexample()["point"].items()}
    assert wrong.region.contains({s: point[s.name] for s in wrong.region.symbols})


def test_reach_claim_beyond_the_limit_refuted():
    """`reach` is tight: claiming a 1% smaller limit is refuted."""
    loaded = load_file(PROOFS / f"{STEM}.py")
    reach = loaded[1].theorem
    _, ns = load(STEM)
    eta, c, L = ns["eta"], ns["c"], ns["L"]
    tighter = reach.replace(
        claims=[
            ("1% less", L * eta * ((2 - c) ** 2 + c**2) < sp.Rational(99, 100) * 4 * (2 - c) ** 2)
        ]
    )
    assert tighter.check(timeout=120).status == "refuted"


def test_p4c_region_reaches_beyond_p4():
    """Points with L eta up to near 4 (2-c)^2 / ((2-c)^2 + c^2) are in the region."""
    th, ns, pts = _points()
    assert len(pts) >= 20
    L, eta, c = ns["L"], ns["eta"], ns["c"]
    for pt in pts:
        assert pt[L] * pt[eta] > 2 - pt[c]
        assert th.rho.subs(pt) > 0


def test_p4c_holds_on_random_instances():
    th, ns, pts = _points()
    rng = np.random.default_rng(2026)
    used, worst = 0, -np.inf
    for pt in pts:
        for family in FAMILIES:
            for _ in range(3):
                val = instance_value(th, pt, rng, family)
                if val is None:
                    continue
                used += 1
                worst = max(worst, val)
                # the claim is scaled by nu ~ 1/t: allow float rounding relative to its size
                assert val <= 1e-9 * (1 + float(th.nu.subs(pt))), (pt, family, val)
    assert used >= 60 and np.isfinite(worst)
