"""The horizon-aware bound (theorem P10 chained over the horizon, lyapunov.bounds.horizon).

Soundness: the bound is never below the average of |grad f(x_k)|^2 of concrete L-smooth
functions with f(x_0) - inf f <= gap (quadratics and Huber functions, with and without noise);
the float calculator agrees with the exact-arithmetic verification of the same chain; wrong
chains (weights that grow, a wrong formula) are rejected or caught.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from proofutil import load

from lyapunov import bounds
from lyapunov.bounds import horizon
from lyapunov.bounds.horizon import (
    horizon_bound,
    horizon_certificate,
    search_theta,
    verify_chain,
)
from lyapunov.engine import CERTIFIED

CURVATURES = np.linspace(1e-3, 1, 400)
RADII = np.linspace(0.02, 1, 60)


def quadratic_average(eta, c, L, sigma2, steps, gap, curvatures=CURVATURES):
    """max over f = lam x^2/2 (lam = L * curvatures), x_0 = sqrt(2 gap/lam) (so
    f(x_0) - inf f = gap), Gaussian noise of variance sigma2, of the exact expectation
    (1/n) sum_{k<n} E|f'(x_k)|^2 (second moments of the linear recursion of (x, z))."""
    lam = L * np.asarray(curvatures)
    x0 = np.sqrt(2 * gap / lam)
    # second moments of (x, z): S = [[xx, xz], [xz, zz]]
    xx, xz, zz = x0**2, x0**2, x0**2
    total = np.zeros_like(lam)
    m11, m12 = (1 - c) - c * eta * lam, c  # x' = m11 x + m12 z - c eta xi
    m21, m22 = -eta * lam, 1.0  # z' = m21 x + m22 z - eta xi
    for _ in range(steps):
        total += lam**2 * xx
        nxx = m11**2 * xx + 2 * m11 * m12 * xz + m12**2 * zz + sigma2 * (c * eta) ** 2
        nxz = m11 * m21 * xx + (m11 * m22 + m12 * m21) * xz + m12 * m22 * zz + sigma2 * c * eta**2
        nzz = m21**2 * xx + 2 * m21 * m22 * xz + m22**2 * zz + sigma2 * eta**2
        xx, xz, zz = nxx, nxz, nzz
    return float(np.max(total / steps))


def huber_average(eta, c, L, steps, gap, radii=RADII):
    """max over the Huber functions f(x) = L x^2/2 (|x| <= r), L r |x| - L r^2/2 (else),
    inf f = 0, started where f(x_0) = gap, of (1/n) sum_{k<n} |f'(x_k)|^2 (deterministic)."""
    best = 0.0
    for r in np.sqrt(2 * gap / L) * np.asarray(radii):
        x = z = (gap + L * r * r / 2) / (L * r)
        s = 0.0
        for _ in range(steps):
            g = L * min(max(x, -r), r)
            s += g * g
            z = z - eta * g
            x = (1 - c) * x + c * z
        best = max(best, s / steps)
    return best


POINTS = [  # eta, c, L, sigma2, steps, gap
    (0.5, 0.05, 1.0, 0.0, 12, 1.0),
    (1.0, 0.05, 1.0, 0.0, 12, 1.0),
    (0.1, 0.05, 1.0, 0.0, 12, 1.0),
    (1.0, 0.1, 1.0, 0.0, 12, 1.0),
    (0.05, 1.0, 1.0, 0.0, 12, 1.0),
    (0.3, 0.2, 2.0, 0.0, 7, 3.0),
    (0.02, 0.01, 5.0, 0.0, 40, 0.5),
    (1.2, 0.3, 1.0, 0.0, 3, 1.0),
    (0.7, 0.5, 1.0, 0.0, 1, 1.0),
    (0.5, 0.05, 1.0, 0.1, 12, 1.0),
    (0.2, 0.1, 3.0, 1.0, 25, 2.0),
    (1.0, 0.9, 0.5, 0.3, 60, 1.0),
]


@pytest.mark.parametrize("eta,c,L,sigma2,steps,gap", POINTS)
def test_bound_is_above_concrete_functions(eta, c, L, sigma2, steps, gap):
    b = horizon_bound(eta=eta, c=c, L=L, sigma2=sigma2, steps=steps, gap=gap)
    assert np.isfinite(b)
    assert b >= quadratic_average(eta, c, L, sigma2, steps, gap) * (1 - 1e-12)
    if sigma2 == 0:
        assert b >= huber_average(eta, c, L, steps, gap) * (1 - 1e-12)


def test_bound_is_above_random_nonconvex_runs():
    """Seeded sums of cosines f(x) = sum_i a_i cos(<w_i, x> + b_i) in R^3 (L-smooth with
    L = sum_i |a_i| |w_i|^2, inf f >= -sum_i |a_i|, so f(x_0) - inf f <= f(x_0) + sum_i |a_i|),
    deterministic SPA from random starts: the average never exceeds the bound."""
    rng = np.random.default_rng(2024)
    finite = 0
    for _ in range(30):
        W = rng.standard_normal((5, 3)) * rng.uniform(0.3, 3)
        a, b = rng.standard_normal(5), rng.uniform(0, 2 * np.pi, 5)
        L = float(np.sum(np.abs(a) * np.sum(W**2, axis=1)))
        eta, c = rng.uniform(0.05, 1.5) / L, rng.choice([1.0, 0.5, 0.2, 0.1, 0.05])
        steps = int(rng.integers(1, 30))
        x = z = rng.standard_normal(3) * 2
        gap = float(np.sum(a * np.cos(W @ x + b)) + np.abs(a).sum())
        total = 0.0
        for _ in range(steps):
            g = -(a * np.sin(W @ x + b)) @ W
            total += g @ g
            z = z - eta * g
            x = (1 - c) * x + c * z
        bound = horizon_bound(eta=eta, c=c, L=L, sigma2=0.0, steps=steps, gap=gap)
        assert total / steps <= bound
        finite += bool(np.isfinite(bound))
    assert finite >= 20


@pytest.mark.parametrize("eta,c,L,sigma2,steps,gap", POINTS)
def test_float_bound_agrees_with_exact_chain(eta, c, L, sigma2, steps, gap):
    b = horizon_bound(eta=eta, c=c, L=L, sigma2=sigma2, steps=steps, gap=gap)
    q = horizon_certificate(eta=eta, c=c, L=L, sigma2=sigma2, steps=steps, gap=gap)
    assert isinstance(q, Fraction)
    assert Fraction(b) >= q  # the float is rounded up, never below the exact value
    assert b <= float(q) * (1 + 1e-11)


def p4_only(**kw):
    """Theorem P4 alone (bounds.spa now takes the smaller of P4, P4c and this bound)."""
    return float(bounds.rates()["P4"](**{k: np.asarray(v, dtype=float) for k, v in kw.items()}))


def test_spa_calculator_uses_the_horizon_bound():
    kw = {"eta": 0.5, "c": 0.05, "L": 1.0, "sigma2": 0.0, "steps": 12, "gap": 1.0}
    res = bounds.spa(**kw, detail=True)
    assert res.theorem == "P8+P10" and res.value == horizon_bound(**kw) < p4_only(**kw)


@pytest.mark.parametrize(
    "eta,c,factor", [(0.5, 0.05, 0.5), (1.0, 0.05, 0.45), (1.0, 0.1, 0.8), (0.25, 0.05, 0.65)]
)
def test_tight_where_p4_is_loose(eta, c, factor):
    """At n = 12 the bound equals the average on f = L x^2/2 (so it is the exact worst case)
    and is well below P4's (less than ``factor`` times it)."""
    kw = {"L": 1.0, "sigma2": 0.0, "steps": 12, "gap": 1.0}
    b = horizon_bound(eta=eta, c=c, **kw)
    lower = quadratic_average(eta, c, 1.0, 0.0, 12, 1.0, curvatures=[1.0])
    assert lower <= b <= lower * (1 + 1e-9)
    p4 = p4_only(eta=eta, c=c, **kw)
    assert b < factor * p4


def test_long_horizon_approaches_p4_from_below():
    """The chain never stops (it used to at 4096 steps): below P4 and approaching it."""
    kw = {"eta": 0.5, "c": 0.2, "L": 1.0, "sigma2": 0.01, "gap": 1.0}
    for steps in (2000, 4097, 10**5, 10**8):
        b = horizon_bound(steps=steps, **kw)
        p4 = p4_only(steps=steps, **kw)
        assert 0.99 * p4 <= b <= p4


def test_where_some_b_k_is_negative_the_chain_goes_on():
    """L eta = 1.9 at c = 0.1: over 12 steps some coefficient b_k < 0, where P8 (and the
    closed form) stop; P24 takes that step, so the bound is finite, above the average on the
    quadratic, and the float value is the exact chain's (verified step by step) to 1e-9."""
    kw = {"eta": 1.9, "c": 0.1, "L": 1.0, "sigma2": 0.1, "gap": 1.0}
    for steps in (2, 12):
        b, q = horizon_bound(steps=steps, **kw), horizon_certificate(steps=steps, **kw)
        assert q is not None and np.isfinite(b) and abs(b - float(q)) <= 1e-9 * float(q)
        assert b >= quadratic_average(1.9, 0.1, 1.0, 0.1, steps, 1.0)


def test_broadcasting_and_scalars():
    eta = np.array([0.1, 0.5, 1.0])[:, None]
    c = np.array([1.0, 0.1])
    out = horizon_bound(eta=eta, c=c, L=1.0, sigma2=0.0, steps=[[12], [12], [5]], gap=1.0)
    assert out.shape == (3, 2)
    one = horizon_bound(eta=1.0, c=0.1, L=1.0, sigma2=0.0, steps=5, gap=1.0)
    assert isinstance(one, float) and out[2, 1] == one
    assert out[1, 1] == horizon_bound(eta=0.5, c=0.1, L=1.0, sigma2=0.0, steps=12, gap=1.0)


def test_homogeneity():
    """(L, eta) -> (s L, eta / s) multiplies the worst case by s; gap enters linearly."""
    a = horizon_bound(eta=0.5, c=0.1, L=1.0, sigma2=0.0, steps=12, gap=1.0)
    b = horizon_bound(eta=0.25, c=0.1, L=2.0, sigma2=0.0, steps=12, gap=3.0)
    assert b == pytest.approx(6 * a, rel=1e-12)


# -- wrong chains are rejected ------------------------------------------------------------------

ONE = {"eta": 0.5, "c": 0.05, "L": 1.0, "sigma2": 0.0, "gap": 1.0}


def test_searched_weights_verify_and_reproduce_the_bound():
    theta = search_theta(eta=0.5, c=0.05, L=1.0, steps=12)
    assert len(theta) == 12 and all(a >= b > 0 for a, b in zip(theta[:-1], theta[1:], strict=True))
    q = verify_chain(theta=theta, **ONE)
    assert q is not None and float(q) == pytest.approx(horizon_bound(steps=12, **ONE), rel=1e-12)


def test_growing_or_nonpositive_weights_are_rejected():
    theta = search_theta(eta=0.5, c=0.05, L=1.0, steps=12)
    grow = list(theta)
    grow[5] = grow[6] / 2  # theta_5 < theta_6: t = theta_6/theta_5 = 2 > 1 at step 5
    assert verify_chain(theta=grow, **ONE) is None
    assert verify_chain(theta=[*theta[:-1], 0.0], **ONE) is None
    assert verify_chain(theta=[*theta[:-1], -1.0], **ONE) is None
    with pytest.raises(ValueError, match="theta"):
        verify_chain(theta=[], **ONE)


def test_every_verified_chain_is_above_the_quadratic():
    """Random non-increasing weights: whatever the chain, a verified bound is sound."""
    rng = np.random.default_rng(7)
    lower = quadratic_average(0.5, 0.05, 1.0, 0.0, 12, 1.0)
    verified = 0
    for _ in range(40):
        theta = np.sort(rng.uniform(0.05, 2.0, 12))[::-1]
        q = verify_chain(theta=theta, **ONE)
        if q is not None:
            verified += 1
            assert float(q) >= lower
    assert verified >= 20


def test_a_wrong_rate_formula_would_be_caught(monkeypatch):
    """The soundness test is not vacuous: with RHO's (1 - t)/(2L) read as (1 - t)/L, the
    exact chain's bound falls below the average on f = x^2/2."""
    num, num_conds, exact, exact_conds = horizon.step_functions()
    wrong = dict(exact)
    wrong["RHO"] = lambda e, c, L, s2, t, a1, b1, p, r: (
        exact["RHO"](e, c, L, s2, t, a1, b1, p, r) + (1 - t) / (2 * L)
    )
    monkeypatch.setattr(horizon, "step_functions", lambda: (num, num_conds, wrong, exact_conds))
    theta = search_theta(eta=0.5, c=0.05, L=1.0, steps=12)
    q = verify_chain(theta=theta, **ONE)
    assert q is not None and float(q) < quadratic_average(0.5, 0.05, 1.0, 0.0, 12, 1.0)


def test_engine_refutes_p10_with_a_larger_rate():
    th, ns = load("p10_spa_horizon")
    assert th.check(timeout=300).status == CERTIFIED
    v = th.replace(rho=1 / ns["L"]).check(timeout=120)
    assert v.status == "refuted"
    assert "residual" in v.counterexample()["condition"]


# -- bad input ----------------------------------------------------------------------------------

GOOD = {"eta": 0.5, "c": 0.1, "L": 1.0, "sigma2": 0.0, "steps": 12, "gap": 1.0}


@pytest.mark.parametrize(
    "name,value,message",
    [
        ("eta", 0.0, "eta: must be > 0"),
        ("eta", float("nan"), "eta: must be finite"),
        ("c", 1.5, "c: must be in (0, 1]"),
        ("c", 0.0, "c: must be in (0, 1]"),
        ("L", -1.0, "L: must be > 0"),
        ("sigma2", -0.1, "sigma2: must be >= 0"),
        ("steps", 0, "steps: must be an integer >= 1"),
        ("steps", 2.5, "steps: must be an integer >= 1"),
        ("gap", -1.0, "gap: must be >= 0"),
    ],
)
def test_bad_input_names_the_parameter(name, value, message):
    for fun in (horizon_bound, horizon_certificate):
        with pytest.raises(ValueError) as err:
            fun(**{**GOOD, name: value})
        assert message in str(err.value)


def test_non_numeric_input_is_a_type_error():
    with pytest.raises(TypeError, match="eta"):
        horizon_bound(**{**GOOD, "eta": "fast"})


def test_certificate_takes_one_point():
    with pytest.raises(ValueError, match="eta: horizon_certificate takes one point"):
        horizon_certificate(**{**GOOD, "eta": [0.1, 0.2]})
