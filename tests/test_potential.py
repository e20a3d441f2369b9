"""Potential lemmas (last-iterate rates in the convex, strongly convex and PL classes): the
shipped theorems certify; wrong claims, wrong certificates and every broken side condition are
refused by the exact check; the bound formula is the chained claim."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import sympy as sp
from proofutil import load

from lyapunov.engine import (
    AUTO,
    Form,
    MalformedError,
    OneStep,
    Potential,
    Smooth,
    SmoothConvex,
    SmoothStronglyConvex,
    f,
    params,
    sqnorm,
    synthesize,
)

eta, L, mu, sigma2, k = params("eta L mu sigma2 k")
STEP = OneStep(("x",), lambda x, g: x - eta * g, sigma2)
SC = SmoothStronglyConvex(L, mu=mu)


@pytest.mark.parametrize("stem", ["p13_sgd_smooth_convex", "p14_sgd_strongly_convex", "p15_sgd_pl"])
def test_shipped_potentials_certify(stem):
    th, _ = load(stem)
    v = th.check(timeout=120)
    assert v.certified, v.reason


def _failed(th) -> str:
    v = th.check(timeout=120)
    assert not v.certified
    return v.failed.label


def test_p14_faster_contraction_is_rejected():
    th, _ = load("p14_sgd_strongly_convex")
    wrong = th.replace(contraction=(1 - mu * eta) ** 2 - mu * eta / 4)
    assert "NSD" in _failed(wrong) or "constant" in _failed(wrong)


def test_p14_smaller_noise_is_rejected():
    th, _ = load("p14_sgd_strongly_convex")
    assert "constant" in _failed(th.replace(nu=eta**2 / 2))


def test_p13_faster_growing_weight_has_no_certificate():
    """A_k = 2k (f - f_*) + |x - x_*|^2/(2 eta): the weight cannot grow by 2 per step."""
    th = Potential(
        name="too fast",
        step=STEP,
        region=[L > 0, eta > 0, L * eta <= 1, k >= 0, sp.Eq(sigma2, 0)],
        lyapunov=lambda x, s: 2 * k * (f(x) - f(s)) + sqnorm(x - s) / (2 * eta),
        counter=k,
        nu=0,
        certificate=AUTO,
        function_class=SmoothConvex(L),
    )
    r = synthesize(th, timeout=60)
    assert r.status == "infeasible", r.reason


def test_p13_weight_is_found_by_synthesis():
    th, _ = load("p13_sgd_smooth_convex")
    r = synthesize(th.replace(certificate=AUTO), timeout=60)
    assert r.status == "certified", r.reason


def _trivial(**kw) -> Potential:
    """A potential whose claim holds trivially; the side conditions are what is tested."""
    base = dict(
        name="side",
        step=STEP,
        region=[L > 0, eta > 0, L * eta < 2],
        lyapunov=lambda x, s: f(x) - f(s),
        nu=L * eta**2 / 2,
        function_class=Smooth(L),
        certificate={Smooth(L).upper(STEP.x, STEP.x1): 1, STEP.variance(): L * eta**2 / 2},
    )
    base.update(kw)
    return Potential(**base)


def test_trivial_potential_certifies():
    assert _trivial().check().certified


@pytest.mark.parametrize(
    "changes, label",
    [
        ({"contraction": -sp.Integer(1)}, "q >= 0"),
        ({"rho": -eta}, "rho >= 0"),
        ({"weight": -sp.Integer(1)}, "weight a_k >= 0"),
        ({"weight": sp.Integer(2)}, "weight of f(x) >= 0"),
        ({"lyapunov": lambda x, s: f(x) - f(s) + Form(const=-1)}, "constant term >= 0"),
    ],
)
def test_each_side_condition_can_fail(changes, label):
    if label == "q >= 0":  # A = 0: the claim holds for any q; only q >= 0 can fail
        changes = dict(changes, lyapunov=lambda x, s: Form(), weight=sp.Integer(0))
        changes["certificate"] = {STEP.variance(): L * eta**2 / 2}
    assert label in _failed(_trivial(**changes))


def test_measure_values_must_be_differences():
    th = _trivial(lyapunov=lambda x, s: f(x))
    assert "f(p) - f_*" in _failed(th)


def test_measure_quadratic_part_must_be_psd():
    th, _ = load("p14_sgd_strongly_convex")
    assert "PSD" in _failed(th.replace(weight=sp.Integer(2)))


def test_initial_potential_shape_and_signs():
    th = _trivial(lyapunov=lambda x, s: f(x) - f(s) + sqnorm(x.grad))
    with pytest.raises(ValueError, match="A_0"):
        th.initial_coefficients()
    # a negative initial coefficient: the check refuses it
    good = _trivial()
    for which in (0, 1):
        bad = dataclasses.replace(good)
        coeffs = [sp.Integer(1), sp.Integer(0)]
        coeffs[which] = -sp.Integer(1)
        bad.initial_coefficients = lambda c=tuple(coeffs): c
        v = bad.check()
        assert not v.certified and "A_0" in v.failed.label


def test_average_gap_needs_a_positive_rate():
    th, _ = load("p17_sgdm_smooth_convex")
    assert th.check(timeout=120).certified
    assert _trivial(measure="avg_gap", rho=sp.Integer(0)).check().failed.label == "rho > 0"
    faster = th.replace(rho=sp.Rational(101, 100))
    assert not faster.check(timeout=120).certified
    with pytest.raises(MalformedError, match="contraction 1"):
        th.replace(contraction=sp.Rational(1, 2))


def test_malformed_potentials():
    with pytest.raises(MalformedError, match="measure"):
        _trivial(measure="avg")
    with pytest.raises(MalformedError, match="output"):
        _trivial(output="z")
    with pytest.raises(MalformedError, match="needs weight"):
        _trivial(measure="last_dist2")
    with pytest.raises(MalformedError, match="counter"):
        _trivial(counter=k)  # k not in the region
    with pytest.raises(MalformedError, match="contraction may not depend"):
        _trivial(counter=k, region=[L > 0, eta > 0, L * eta < 2, k >= 0], contraction=1 / (k + 1))


def test_bound_is_the_chained_claim():
    """q^n A_0 + nu sigma2 sum q^j, divided by a_n; with a counter, nu_j summed exactly."""
    th, _ = load("p14_sgd_strongly_convex")
    gap, d2, n = sp.symbols("gap d2 n", positive=True)
    q = (1 - mu * eta) ** 2
    expected = q**n * d2 + eta**2 * sigma2 * (1 - q**n) / (1 - q)
    assert sp.simplify(th.bound(gap, d2, n) - expected) == 0
    th13, ns = load("p13_sgd_smooth_convex")
    for steps in (1, 2, 7):
        manual = (d2 / (2 * eta) + sum(eta * (j + 2) / 2 for j in range(steps)) * sigma2) / steps
        assert sp.simplify(th13.bound(gap, d2, steps) - manual) == 0


def test_star_is_known_before_the_noise():
    assert STEP.star.pos in STEP.known
    assert STEP.star.grad == 0


def test_p14_bound_is_attained_by_a_quadratic():
    """Without noise, f = mu x^2 / 2 meets P14's bound with equality at every n."""
    th, _ = load("p14_sgd_strongly_convex")
    vals = {L: 1, mu: sp.Rational(1, 10), eta: 1, sigma2: 0}
    x = 1.0
    for n in range(1, 6):
        x = x - 1.0 * 0.1 * x
        b = float(th.bound(0, 1, n).subs(vals))
        assert np.isclose(x * x, b, rtol=1e-12)
