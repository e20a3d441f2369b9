"""P25 and the family's chain (lyapunov.bounds.family_chain): the weight of f may fall for
Nesterov, QHM, GSPA and schedule-free SGD too, so a short horizon is not paid by a rate the
method reaches only later; each float chain is checked against its exact value and every
bound against the exact worst case."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from proofutil import load
from support.chains import exact_chain_value

from lyapunov import bounds, pep
from lyapunov.bounds.family_chain import family_chain
from lyapunov.engine import CERTIFIED
from lyapunov.methods.registry import to_gspa


def test_p25_certifies_and_wrong_versions_are_refuted():
    _, ns = load("p25_gspa_chain_step")
    for th in ns["theorems"]:
        assert th.check(timeout=120).status == CERTIFIED, th.name
    chain_step, star = ns["chain_step"], ns["bounded_below_step"]
    # the bounded-below step gives |grad f|^2/(2L), not /L
    assert star.replace(rho=1 / ns["L"]).check(timeout=120).status == "refuted"
    # P12's step needs b1 >= 0 (its weights lam, kappa, mu >= 0): P26 is the other sign
    region = [q for q in ns["REGION"] if q != (ns["b1"] >= 0)]
    assert chain_step.replace(region=region).check(timeout=120).status == "refuted"


def exact_value(eta, c, beta, L, sigma2, gap, trace) -> Fraction:
    """The float chain's exact value: P25 where the next coefficient b1 >= 0, P26 below (each
    raised by P24b to the chain's rounded coefficients)."""
    _, ns = load("p25_gspa_chain_step")
    _, neg = load("p26_gspa_chain_step_negative")
    symbols = [ns[k] for k in ("eta", "c", "beta", "L", "a1", "b1")]
    extra = [ns["s"]]
    assert [neg[k] for k in ("eta", "c", "beta", "L", "a1", "s")] == symbols[:5] + extra

    def per_step(k):
        return eta[min(k, len(eta) - 1)], c[min(k, len(c) - 1)], beta

    def lemma_for(b1):
        if b1 >= 0:
            return ns["chain_step"], ns["K"], ns["B"]
        return neg["chain_step"], neg["K"], neg["B"], {neg["w"]: -ns["b1"]}

    star = ns["bounded_below_step"]
    return exact_chain_value(lemma_for, star, symbols, extra, per_step, L, sigma2, gap, trace)


POINTS = [  # (eta, c, beta, n): Nesterov, QHM at tiny steps, GSPA, a long one, b_k < 0 (P26)
    (1.0, 0.1, 0.9, 10),
    (0.14, 0.001, 0.999, 5),
    (0.5, 0.5, 0.5, 12),
    (0.05, 0.2, 0.3, 40),
    (1.17722, 0.999, 0.001, 20),
    (1.09533, 0.909729, 0.127595, 15),
]


@pytest.mark.parametrize("eta,c,beta,n", POINTS)
def test_float_chain_is_above_its_exact_value(eta, c, beta, n):
    one = np.ones(1)
    for sigma2 in (0.0, 0.2):
        trace = []
        b = family_chain(
            [[eta]], [[c]], [[beta]], one, one * sigma2, one, np.array([n]), trace=trace
        )
        q = exact_value([eta], [c], beta, 1.0, sigma2, 1.0, trace)
        assert math.isfinite(b[0]) and Fraction(float(b[0])) >= q
        assert float(b[0]) <= float(q) * (1 + 1e-6)


def test_a_schedule_free_chain_is_above_its_exact_value():
    n = 15
    c = np.array([[1.0 / (k + 1)] for k in range(n)])
    trace = []
    one = np.ones(1)
    b = family_chain([[0.5]], c, [[0.9]], one, one * 0.1, one, np.array([n]), trace=trace)
    q = exact_value([0.5], c[:, 0], 0.9, 1.0, 0.1, 1.0, trace)
    assert Fraction(float(b[0])) >= q and float(b[0]) <= float(q) * (1 + 1e-6)


def test_one_step_is_the_worst_case():
    """Issue 20: QHM at momentum = nu = 0.999, lr = 0.14, one step: 892 (P11's gap / rho,
    446 times the worst case 2 L gap); now 2 L gap."""
    r = bounds.qhm(lr=0.14, momentum=0.999, nu=0.999, L=1.0, sigma2=0.0, steps=1, gap=1.0,
                   detail=True)  # fmt: skip
    assert r.theorem == "P25" and r.value == pytest.approx(2.0, rel=1e-12)


@pytest.mark.parametrize(
    "method,params,n",
    [
        ("nesterov", {"lr": 0.1, "momentum": 0.9}, 10),
        ("qhm", {"lr": 0.1, "momentum": 0.9, "nu": 0.7}, 10),
        ("qhm", {"lr": 0.01, "momentum": 0.9, "nu": 0.7}, 20),
        ("gspa", {"eta": 0.5, "c": 0.5, "beta": 0.5}, 8),
        ("schedule_free", {"lr": 0.5, "momentum": 0.9}, 10),
    ],
)
def test_sound_and_close_to_the_worst_case(method, params, n):
    w = pep.solve(method, params, steps=n, L=1.0, gap=1.0, condition="lower_bound").value
    b = getattr(bounds, method)(**params, L=1.0, sigma2=0.0, steps=n, gap=1.0)
    assert w * (1 - 1e-6) <= b <= 1.5 * w


def test_schedule_is_sound_and_uses_the_chain():
    eta = np.linspace(1.0, 0.1, 12)
    r = bounds.gspa_schedule(eta=eta, c=0.5, beta=0.5, L=1.0, sigma2=0.0, gap=1.0, detail=True)
    w = pep.solve("gspa", {"eta": eta, "c": np.full(12, 0.5), "beta": 0.5}, steps=12, L=1.0,
                  gap=1.0, condition="lower_bound").value  # fmt: skip
    assert r.theorem == "P25" and w * (1 - 1e-6) <= r.value <= 1.5 * w


def test_p26_certifies_and_wrong_versions_are_refuted():
    _, ns = load("p26_gspa_chain_step_negative")
    for th in ns["theorems"]:
        assert th.check(timeout=120).status == CERTIFIED, th.name
    th, kappa, s = ns["chain_step"], ns["kappa"], ns["s"]
    # P12's multiplier of the zero-mean term, kappa (1 + 1/(2 s)), is wrong once kappa < 0
    cert = {**th.certificate}
    (zero_mean,) = [k for k in cert if "zero-mean" in k.name]
    cert[zero_mean] = kappa * (1 + 1 / (2 * s))
    assert th.replace(certificate=cert).check(timeout=120).status == "refuted"
    # without c + 2 b1 (1 - c) >= 0 (b1 = -w) the weight 1 + lam of upper(y_k, y_{k+1}) may be < 0
    region = [q for q in ns["REGION"] if q != (ns["c"] - 2 * ns["w"] * (1 - ns["c"]) >= 0)]
    assert len(region) == len(ns["REGION"]) - 1
    assert th.replace(region=region).check(timeout=120).status == "refuted"


def test_where_neither_p25_nor_p26_applies_the_chain_ends():
    """P26 needs c + 2 b1 (1 - c) >= 0: a step whose next coefficient is below that certifies
    nothing (its rate is -inf, so the chain's bound is inf and the calculators fall back to
    the other theorems); a point with some b_k < 0 inside P26 is certified."""
    from lyapunov.bounds.family_chain import _functions, _step

    fun = _functions("math")
    for b1, ok in ((-1.0, False), (-0.49, True), (0.3, True)):  # c + 2 b1 (1 - c) at c = 1/2
        rate = _step(fun, 0.5, 0.5, 0.5, 1.0, 0.1, 1.0, 0.1, b1, max, lambda q, x, y: x if q else y)
        assert (rate[3] > -math.inf) is ok, b1
    one = np.ones(1)
    e, c, beta = (float(v) for v in to_gspa("nesterov", lr=1.17605, momentum=0.001))
    trace = []
    b = family_chain([[e]], [[c]], [[beta]], one, 0 * one, one, np.array([20]), trace=trace)
    assert np.isfinite(b[0]) and min(step[2] for step in trace) < 0
