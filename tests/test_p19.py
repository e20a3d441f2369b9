"""P19 (SGD+M on smooth strongly convex f, a linear rate): its bound is never below the exact
worst case of the same method over the same class, and a faster claimed contraction is
rejected by the checker."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from proofutil import PROOFS

from lyapunov.engine import CERTIFIED
from lyapunov.loader import load_file

pytest.importorskip("cvxpy")


def _theorem():
    return load_file(PROOFS / "p19_sgdm_strongly_convex.py")[0].theorem


def _inside(th, values) -> bool:
    sub = {s: sp.Rational(str(values[s.name])) for s in th.region.symbols if s.name in values}
    return all(bool(cond.subs(sub)) for cond in th.region.conditions)


@pytest.mark.parametrize(
    "eta,c,mu,steps", [(0.5, 0.5, 0.1, 8), (1.0, 0.3, 0.05, 10), (0.25, 0.9, 0.2, 6)]
)
def test_bound_is_at_least_the_exact_worst_case(eta, c, mu, steps):
    from lyapunov import pep

    th = _theorem()
    vals = {"t": eta, "c": c, "m": mu, "L": 1.0, "sigma2": 0.0}  # t = L eta, m = mu / L
    assert _inside(th, vals)
    # every f of the class with |x_0 - x_*| <= 1 has f(x_0) - f_* <= L/2
    expr = th.bound(sp.Rational(1, 2), 1, steps)
    b = float(expr.subs({s: sp.Rational(str(vals[s.name])) for s in expr.free_symbols}))
    w = pep.solve(
        "spa",
        eta=eta,
        c=c,
        steps=steps,
        L=1.0,
        mu=mu,
        function_class="smooth_strongly_convex",
        measure="last_gap",
        distance=1.0,
    ).value
    assert np.isfinite(b) and b >= w * (1 - 1e-6), (b, w)
    assert b <= 50 * w  # and not vacuous: within a modest factor of the worst case


def test_a_faster_contraction_is_rejected():
    th = _theorem()
    t, m = (next(s for s in th.region.symbols if s.name == n) for n in ("t", "m"))
    v = th.replace(contraction=1 - m * t).check(timeout=120)
    assert v.status != CERTIFIED


def test_calculator_is_the_theorem_in_the_optimizers_coordinates():
    from lyapunov import bounds

    th = _theorem()
    lr, momentum, mu, L = 0.05, 0.9, 0.1, 2.0
    eta, c = lr / (1 - momentum), 1 - momentum
    # the same class, measure and initial conditions for every call below
    common = dict(
        L=L,
        mu=mu,
        steps=40,
        distance=1.0,
        function_class="smooth_strongly_convex",
        measure="last_gap",
    )
    got = bounds.sgdm(lr=lr, momentum=momentum, sigma2=0.01, gap=0.5, **common, detail=True)
    vals = {"t": L * eta, "c": c, "m": mu / L, "L": L, "sigma2": 0.01}
    expr = th.bound(sp.Rational(1, 2), 1, 40)
    want = float(expr.subs({s: sp.Rational(str(vals[s.name])) for s in expr.free_symbols}))
    assert got.theorem == "P19" and got.measure == "last_gap"
    assert got.value == pytest.approx(want, rel=1e-9)
    same = bounds.spa(eta=eta, c=c, sigma2=0.01, gap=0.5, **common)
    assert same == pytest.approx(want, rel=1e-9)
    # outside the region (L eta = 4): inf, with the failing condition named
    out = bounds.sgdm(lr=0.2, momentum=0.9, sigma2=0, **common, detail=True)
    assert out.value == np.inf and out.reason.startswith("P19: ") and "fails" in out.reason
