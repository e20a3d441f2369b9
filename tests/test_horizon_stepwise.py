"""P24 (P8's step for every sign of b1) and the chain step by step in floats
(lyapunov.bounds.horizon_stepwise): every finite horizon gets a finite bound at every step
size, each float chain is checked against its exact value, and SGD's is the exact worst case
at every step size."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from proofutil import load
from support.chains import exact_chain_value

from lyapunov import bounds, pep
from lyapunov.bounds.horizon import horizon_bound, schedule_horizon_bound
from lyapunov.bounds.horizon_stepwise import chain_bound
from lyapunov.engine import CERTIFIED

# -- the theorems ---------------------------------------------------------------------------------


def test_p24_certifies_and_wrong_versions_are_refuted():
    th, ns = load("p24_spa_step_any_sign")
    assert th.check(timeout=120).status == CERTIFIED
    for extra in ns["theorems"][1:]:
        assert extra.check(timeout=120).status == CERTIFIED
    r, c, l = ns["r"], ns["c"], ns["l"]  # noqa: E741
    # r >= l instead of r >= c + l: the weight r - c - l of lower(x_k, x_{k+1}) may be < 0
    region = [cond for cond in ns["REGION"] if cond != (r >= c + l)] + [r >= l]
    assert th.replace(region=region).check(timeout=120).status == "refuted"
    # a larger rate, by a little
    assert th.replace(rho=th.rho + ns["eta"] ** 2 / 64).check(timeout=120).status == "refuted"
    # P24b: raising needs a > K (at a < K the form's first entry is negative)
    raising, a, k = ns["raising"], ns["a"], ns["k"]
    assert raising.replace(region=[a < k]).check(timeout=120).status == "refuted"


def test_a_one_step_lemma_claims_no_rate():
    """P24 with one_step=False claims a rate: refuted where rho < 0 (L eta > 2 at c = 1)."""
    th, _ = load("p24_spa_step_any_sign")
    v = th.replace(one_step=False).check(timeout=120)
    assert v.status == "refuted"
    assert "rho > 0" in v.counterexample()["condition"]


# -- every float chain is its exact chain, rounded up ----------------------------------------------


def exact_value(eta, c, L, sigma2, gap, trace) -> Fraction:
    """The bound of the chain a float run took (its weights theta_k, coefficients a_k, b_k and
    P24's weights p_k, r_k, as the rationals they are), in exact arithmetic from P24's (raised
    by P24b) and P10's own expressions, every region condition decided exactly."""
    _, ns = load("p24_spa_step_any_sign")
    p10, _ = load("p10_spa_horizon")
    symbols = [ns[k] for k in ("eta", "c", "L", "a1", "b1")]
    extra = [ns[k] for k in ("p", "r")]

    def per_step(k):
        return eta[min(k, len(eta) - 1)], c[min(k, len(c) - 1)]

    def lemma_for(b1):
        return ns["step_any_sign"], ns["A_COEF"], ns["B_COEF"]

    return exact_chain_value(lemma_for, p10, symbols, extra, per_step, L, sigma2, gap, trace)


POINTS = [  # (eta, c, n): inside P8's chain, beyond it, beyond P4's edge, unstable, SGD
    (0.5, 0.1, 12),
    (1.9, 0.1, 12),
    (1.95, 0.05, 30),
    (3.077, 0.7381, 18),
    (12.32, 0.1, 18),
    (2.2, 1.0, 9),
    (2.0, 1.0, 20),
    (1.5, 1.0, 7),
]


@pytest.mark.parametrize("eta,c,n", POINTS)
def test_float_chain_is_above_its_exact_value(eta, c, n):
    for sigma2 in (0.0, 0.3):
        trace = []
        one = np.ones(1)
        b = chain_bound([[eta]], [[c]], one, one * sigma2, one * 2.0, np.array([n]), trace=trace)
        q = exact_value([eta], [c], 1.0, sigma2, 2.0, trace)
        assert math.isfinite(b[0]) and Fraction(float(b[0])) >= q
        assert float(b[0]) <= float(q) * (1 + 1e-6)  # the rounding allowance, where it grows


def test_a_schedule_chain_is_above_its_exact_value():
    rng = np.random.default_rng(11)
    for _ in range(4):
        n = int(rng.integers(2, 25))
        eta = rng.uniform(0.05, 3.0, n)
        c = rng.choice([1.0, 0.5, 0.1, 0.03], n)
        trace = []
        one = np.ones(1)
        b = chain_bound(eta[:, None], c[:, None], one, one * 0.2, one, np.array([n]), trace=trace)
        q = exact_value(eta, c, 1.0, 0.2, 1.0, trace)
        assert Fraction(float(b[0])) >= q and float(b[0]) <= float(q) * (1 + 1e-9)


def test_vectorised_chain_is_the_one_point_chain():
    eta = np.array([0.5, 1.9, 3.077, 2.2, 2.0])
    c = np.array([0.1, 0.1, 0.7381, 1.0, 1.0])
    n = np.array([12, 3, 18, 9, 1])
    one = np.ones(5)
    vec = chain_bound(eta[None, :], c[None, :], one, one * 0.1, one, n)
    for i in range(5):
        single = chain_bound([[eta[i]]], [[c[i]]], one[:1], one[:1] * 0.1, one[:1], n[i : i + 1])
        assert vec[i] == pytest.approx(single[0], rel=1e-14)


# -- what it gives ------------------------------------------------------------------------------


def sgd_exact(lr, L, n, gap=1.0):
    """The average of |grad f|^2 over n steps of GD on f = L x^2/2 from f(x_0) = gap: the
    worst case of the relaxed PEP (2 L gap (1 - q^n) / (n (1 - q)), q = (1 - L lr)^2)."""
    q = (1 - L * lr) ** 2
    total = n if q == 1 else (1 - q**n) / (1 - q)
    return 2 * L * gap * total / n


@pytest.mark.parametrize("lr", [0.5, 1.5, 1.998, 2.0, 2.06, 2.2, 3.0])
def test_sgd_is_exact_at_every_step_size(lr):
    """SGD at every step size, beyond 2/L included (where no descent lemma exists): the bound
    is the average on the quadratic, the exact worst case (was inf at L lr >= 2, and up to
    84 times the worst case just below)."""
    for n in (1, 3, 12):
        b = bounds.sgd(lr=lr, L=1.0, sigma2=0.0, steps=n, gap=1.0)
        exact = sgd_exact(lr, 1.0, n)
        assert exact * (1 - 1e-12) <= b <= exact * (1 + 1e-6), (lr, n)


def test_sgd_beyond_two_over_l_is_above_the_worst_case():
    for lr, n in ((2.2, 9), (2.0, 5)):
        w = pep.solve("sgd", {"lr": lr}, steps=n, L=1.0, gap=1.0, condition="lower_bound")
        b = bounds.sgd(lr=lr, L=1.0, sigma2=0.0, steps=n, gap=1.0)
        assert w.value * (1 - 1e-6) <= b <= w.value * (1 + 1e-5)


def test_spa_at_the_edge_uses_the_chain():
    """Issue 20: spa(eta = 1.95, c = 0.05, n = 12) was P4's 1.709 (the chain stopped at
    L eta = 2 - c); now the chain's 0.869 (P24 where some b_k < 0)."""
    r = bounds.spa(eta=1.95, c=0.05, L=1.0, sigma2=0.0, steps=12, gap=1.0, detail=True)
    assert r.theorem == "P24+P10" and 0.86 < r.value < 0.87


def test_linear_decay_schedule_is_finite_and_close_to_its_worst_case():
    """Issue 20: spa_schedule(eta = linspace(1, 0.1, 12), c = 0.1) was inf (some b_k < 0);
    now within 4% of the exact worst case."""
    eta = np.linspace(1.0, 0.1, 12)
    b = bounds.spa_schedule(eta=eta, c=0.1, L=1.0, sigma2=0.0, gap=1.0)
    w = pep.solve(
        "spa",
        {"eta": eta, "c": np.full(12, 0.1)},
        steps=12,
        L=1.0,
        gap=1.0,
        condition="lower_bound",
    ).value
    assert w * (1 - 1e-6) <= b <= 1.04 * w


def test_every_step_size_gets_a_finite_bound_at_a_finite_horizon():
    eta, c = np.meshgrid(np.geomspace(0.01, 50, 40), np.linspace(0.02, 1.0, 15))
    b = horizon_bound(eta=eta, c=c, L=1.0, sigma2=0.1, steps=10, gap=1.0)
    assert np.all(np.isfinite(b)) and np.all(b > 0)
    sched = schedule_horizon_bound(np.geomspace(5.0, 0.1, 30), np.full(30, 0.2), 1.0, 0.1, 1.0)
    assert math.isfinite(sched)
