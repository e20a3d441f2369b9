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
    rounded, star = ns["rounded"], ns["bounded_below_step"]
    # P25b pays the whole price (b - B)^2 / (a - K), not half of it
    half = ns["RHO"] - ns["LOSS"] / 2
    assert rounded.replace(rho=half).check(timeout=120).status == "refuted"
    # the bounded-below step gives |grad f|^2/(2L), not /L
    assert star.replace(rho=1 / ns["L"]).check(timeout=120).status == "refuted"
    # P12's step needs b1 >= 0 (its weights lam, kappa, mu >= 0)
    chain_step = ns["chain_step"]
    region = [q for q in ns["REGION"] if q != (ns["b1"] >= 0)]
    assert chain_step.replace(region=region).check(timeout=120).status == "refuted"


def exact_value(eta, c, beta, L, sigma2, gap, trace) -> Fraction:
    _, ns = load("p25_gspa_chain_step")
    symbols = [ns[k] for k in ("eta", "c", "beta", "L", "a1", "b1")]
    extra = [ns[k] for k in ("s", "a", "b")]

    def per_step(k):
        return eta[min(k, len(eta) - 1)], c[min(k, len(c) - 1)], beta

    star = ns["bounded_below_step"]
    return exact_chain_value(ns["rounded"], star, symbols, extra, per_step, L, sigma2, gap, trace)


POINTS = [  # (eta, c, beta, n): Nesterov, QHM at tiny steps, GSPA, a long one
    (1.0, 0.1, 0.9, 10),
    (0.14, 0.001, 0.999, 5),
    (0.5, 0.5, 0.5, 12),
    (0.05, 0.2, 0.3, 40),
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


def test_a_negative_coefficient_ends_the_chain():
    """P25 needs b1 >= 0: where the backward recursion makes some b_k < 0 (a large step), the
    chain certifies nothing (inf), and the calculators fall back to the other theorems."""
    one = np.ones(1)
    assert family_chain([[9.0]], [[0.1]], [[0.5]], one, one * 0, one, np.array([12]))[0] == np.inf
    e, c, beta = (float(v) for v in to_gspa("nesterov", lr=0.01, momentum=0.9))
    assert np.isfinite(family_chain([[e]], [[c]], [[beta]], one, 0 * one, one, np.array([12]))[0])
