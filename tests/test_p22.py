"""P22 (schedule-free SGD on smooth non-convex f, an anytime O(1/n) rate): it certifies, wrong
variants are refuted, its bound is above the exact worst case (performance estimation) and
above seeded runs on non-convex functions, its closed-form noise sum is the sum, and
``bounds.schedule_free`` uses it at any horizon."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from proofutil import PROOFS

from lyapunov import bounds
from lyapunov.bounds.free_anytime import p22_bound
from lyapunov.engine import CERTIFIED
from lyapunov.loader import load_namespace
from lyapunov.objectives import make
from lyapunov.pep import worst_case
from lyapunov.sim import simulate


def _ns():
    return load_namespace(PROOFS / "p22_schedule_free_anytime.py")[1]


def test_both_lemmas_certify():
    for th in _ns()["theorems"]:
        v = th.check(timeout=120)
        assert v.status == CERTIFIED, v.reason


def test_a_faster_rate_is_refuted():
    ns = _ns()
    for th in ns["theorems"]:
        v = th.replace(rho=th.rho * sp.Rational(101, 100)).check(timeout=120)
        assert v.status == "refuted", v.reason


def test_larger_regions_are_refuted():
    """Without its reach condition P22a fails at some step k >= k0; without the determinant
    condition of its 2 x 2 residual, P22b fails."""
    ns = _ns()
    beta, m, j, t = ns["beta"], ns["m"], ns["j"], ns["t"]
    k, a, a1, r = ns["k_"], ns["a"], ns["a1"], ns["r"]
    A, B, R = ns["A_NEXT"], ns["B_NEXT"], ns["R_NEXT"]
    cases = [
        (ns["p22a"], [*ns["BASE"], t * (3 - 2 * beta) <= 3, m >= 0, j >= 0], ns["REACH"]),
        (ns["p22b"], [*ns["BASE"], k >= 0, a1 >= 0, r > 0, R - r > 0, a - A > 0],
         (a - A) * (R - r) - B**2),
    ]  # fmt: skip
    for th, wide, dropped in cases:
        v = th.replace(region=wide).check(timeout=120)
        assert v.status == "refuted", v.reason
        pt = {s: sp.Rational(x) for s, x in v.counterexample()["point"].items()}
        assert dropped.subs({s: pt[s.name] for s in dropped.free_symbols}) < 0


def test_tail_noise_is_the_sum_of_p22a_nu():
    ns = _ns()
    n = sp.Symbol("n")
    closed = ns["tail_noise"](n)
    rng = np.random.default_rng(1)
    for k0 in (1, 2, 4):
        vals = {
            ns["lr"]: sp.Rational(int(rng.integers(1, 9)), 8),
            ns["beta"]: sp.Rational(int(rng.integers(1, 10)), 10),
            ns["L"]: sp.Rational(int(rng.integers(1, 5)), 2),
            ns["m"]: k0 - 1,
        }
        nu = ns["NU"].subs(vals)
        for steps in (k0, k0 + 1, k0 + 6):
            direct = sum(nu.subs(ns["j"], k - k0) for k in range(k0, steps))
            exact = sp.nsimplify(closed.subs(vals).subs(n, steps).doit())
            assert sp.simplify(exact - direct) == 0


def test_calculator_matches_the_certified_expression():
    """Where k0 = 1 and P22b's first step runs at rho: the proof's rate with N_head = nu_0."""
    ns = _ns()
    gap, n = sp.Symbol("gap"), sp.Symbol("n")
    expr = ns["rate"](gap, n, ns["NU_HEAD"].subs(ns["k_"], 0), ns["RHO"]).subs(ns["m"], 0)
    vals = {ns["lr"]: 0.75, ns["beta"]: 0.6, ns["L"]: 1.5, ns["sigma2"]: 0.3, gap: 2.0}
    for steps in (1, 7, 40):
        exact = float(expr.subs(vals).subs(n, steps).doit())
        ours = float(p22_bound(0.75, 0.6, 1.5, 0.3, steps=steps, gap=2.0))
        assert ours == pytest.approx(exact, rel=1e-12)


def test_the_first_steps_extend_the_region():
    # L lr (5 - 2 beta) = 5 exactly: k0 = 1, a bound from n = 1 on
    assert np.isfinite(p22_bound(1.25, 0.5, 1.0, 0.0, steps=1, gap=1.0))
    # a hair above: P22a from k0 = 2 on, P22b for the steps 1 and 0
    above = np.nextafter(1.25, 2)
    assert p22_bound(above, 0.5, 1.0, 0.0, steps=1, gap=1.0) == np.inf
    assert np.isfinite(p22_bound(above, 0.5, 1.0, 0.0, steps=2, gap=1.0))
    # L lr (3 - 2 beta) > 3, beta = 0 or 1: no bound
    assert p22_bound(1.51, 0.5, 1.0, 0.0, steps=10**6, gap=1.0) == np.inf
    assert p22_bound(0.5, 0.0, 1.0, 0.0, steps=10, gap=1.0) == np.inf
    assert p22_bound(0.5, 1.0, 1.0, 0.0, steps=10, gap=1.0) == np.inf


@pytest.mark.parametrize(
    "lr,momentum", [(0.5, 0.9), (1.0, 0.5), (1.2, 0.5), (1.5, 0.9), (1.4, 0.5), (1.8, 0.9)]
)
def test_bound_is_above_the_exact_worst_case(lr, momentum):
    """The exact worst case over L-smooth f with f(x_0) - f <= 1 at the points of the run (a
    class containing f(x_0) - inf f <= 1; P22's proof uses only f(y_n) >= inf f)."""
    for n in (4, 6, 8):
        w = worst_case("schedule_free", lr=lr, momentum=momentum, steps=n, L=1.0, gap=1.0)
        b = float(p22_bound(lr, momentum, 1.0, 0.0, steps=n, gap=1.0))
        assert w <= b * (1 + 1e-6), (n, w, b)


@pytest.mark.parametrize("name", ["cosine", "rosenbrock"])
@pytest.mark.parametrize(
    "lr,momentum,sigma2", [(1.0, 0.5, 0.0), (1.2, 0.5, 0.0), (0.5, 0.9, 0.5), (1.8, 0.9, 0.2)]
)
def test_bound_holds_along_seeded_runs(name, lr, momentum, sigma2):
    ob = make(name, dim=10)
    steps = 150
    res = simulate(ob, "schedule_free", steps=steps, runs=32, seed=7, lr=lr / ob.L,
                   momentum=momentum, sigma2=sigma2, engine="numpy")  # fmt: skip
    gap = float(np.max(res.f0)) - ob.f_lower
    b = float(p22_bound(lr / ob.L, momentum, ob.L, sigma2, steps=steps, gap=gap))
    observed = float(np.mean(res.run_grad2))
    assert np.isfinite(observed) and observed <= b, (observed, b)


def test_schedule_free_answers_at_any_horizon_with_p22():
    r = bounds.schedule_free(lr=0.5, momentum=0.9, L=1, sigma2=0.1, steps=10**8, gap=1,
                             detail=True)  # fmt: skip
    assert np.isfinite(r.value) and r.theorem == "P22"
    # at sigma2 = 0 the bound is gap / (n rho): n * bound does not grow with n
    vals = bounds.schedule_free(lr=1.0, momentum=0.5, L=1, sigma2=0, steps=[10**4, 10**8], gap=1)
    assert vals[1] * 10**8 == pytest.approx(vals[0] * 10**4, rel=1e-9)


def test_schedule_free_keeps_the_chain_where_it_is_tighter():
    """At short horizons the chains (P12's, P25's whose weight of f may fall) are used where
    smaller, P22 elsewhere: the result is the least of them."""
    r = bounds.schedule_free(lr=0.5, momentum=0.9, L=1, sigma2=0, steps=10, gap=1, detail=True)
    assert r.theorem == "P25" and r.value < float(p22_bound(0.5, 0.9, 1.0, 0.0, steps=10, gap=1))
    r = bounds.schedule_free(lr=1.0, momentum=0.5, L=1, sigma2=0, steps=10, gap=1, detail=True)
    assert r.theorem == "P22" and r.value == float(p22_bound(1.0, 0.5, 1.0, 0.0, steps=10, gap=1))
