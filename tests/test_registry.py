"""The method registry: its GSPA maps are exactly the certified ones (P1, P9), its ranges are
enforced, and every method steps like GSPA with those coordinates."""

from __future__ import annotations

import runpy

import numpy as np
import pytest
import sympy as sp
from proofutil import PROOFS

from lyapunov.methods import gspa_point, pytorch_sgd_step, spa_step
from lyapunov.methods.momentum_family import nesterov_step, qhm_step, schedule_free_step
from lyapunov.methods.registry import METHODS, get, to_gspa


def test_maps_are_the_certified_expressions():
    p9 = runpy.run_path(str(PROOFS / "p9_gspa_family.py"))
    lr, mu = p9["lr"], p9["mu"]
    eta, c, beta = METHODS["nesterov"].gspa(lr, mu, 0)
    assert sp.simplify(eta - p9["eta_n"]) == 0 and sp.simplify(c - p9["c_n"]) == 0
    assert beta == mu
    alpha, b, nu = p9["alpha"], p9["b"], p9["nu"]
    eta, c, beta = METHODS["qhm"].gspa(alpha, b, nu, 0)
    assert (eta, sp.expand(c), beta) == (alpha, 1 - b, nu)
    k = sp.Symbol("k")
    eta, c, beta = METHODS["schedule_free"].gspa(p9["gamma"], p9["beta"], k)
    assert sp.simplify(c - 1 / (k + 1)) == 0 and beta == p9["beta"]
    p1 = runpy.run_path(str(PROOFS / "p1_spa_equivalence.py"))
    e, cc = p1["eta"], p1["c"]
    eta, c, beta = METHODS["sgdm"].gspa(p1["lr"], p1["momentum"], 0)
    assert sp.simplify(eta - e) == 0 and sp.simplify(c - cc) == 0


RULES = {
    "sgdm": lambda s, g, lr, momentum: pytorch_sgd_step(s[0], s[1], g, lr, momentum),
    "nesterov": lambda s, g, lr, momentum: nesterov_step(s[0], s[1], g, lr, momentum),
    "qhm": lambda s, g, lr, momentum, nu: qhm_step(s[0], s[1], g, lr, momentum, nu),
}


@pytest.mark.parametrize(
    "name, params",
    [
        ("sgdm", dict(lr=0.05, momentum=0.9)),
        ("nesterov", dict(lr=0.05, momentum=0.9)),
        ("qhm", dict(lr=0.1, momentum=0.9, nu=0.7)),
    ],
)
def test_each_method_steps_like_gspa_with_its_coordinates(name, params):
    rng = np.random.default_rng(1)
    H = rng.standard_normal((4, 4))
    H = (H + H.T) / 8
    p0 = rng.standard_normal(4)
    eta, c, beta = (float(v) for v in to_gspa(name, **params))
    state = (p0.copy(), np.zeros(4))
    x, z = p0.copy(), p0.copy()
    for _ in range(25):
        y = gspa_point(x, z, beta)
        np.testing.assert_allclose(y, state[0], atol=1e-12)
        g = H @ y
        state = RULES[name](state, g, **params)
        x, z = spa_step(x, z, g, eta, c)


def test_schedule_free_c_follows_the_step():
    _, c, beta = to_gspa("schedule_free", k=np.arange(4), lr=0.1, momentum=0.9)
    np.testing.assert_allclose(c, [1, 1 / 2, 1 / 3, 1 / 4])
    np.testing.assert_allclose(beta, 0.9)
    y, z = np.ones(2), np.ones(2)
    y1, z1 = schedule_free_step(y, z, np.ones(2), 0.1, 0.9, 1.0)
    assert np.allclose(z1, 0.9) and np.allclose(y1, 0.9)


def test_broadcasting():
    eta, c, beta = to_gspa("sgdm", lr=[0.01, 0.1], momentum=[[0.0], [0.9]])
    assert eta.shape == c.shape == beta.shape == (2, 2)
    np.testing.assert_allclose(eta[1], [0.1, 1.0])


@pytest.mark.parametrize(
    "name, params, message",
    [
        ("adam", dict(lr=0.1), "unknown method 'adam'"),
        ("sgdm", dict(lr=0.1), "missing momentum"),
        ("sgd", dict(lr=0.1, momentum=0.9), "unexpected momentum"),
        ("sgdm", dict(lr=-0.1, momentum=0.9), "lr: must be > 0"),
        ("sgdm", dict(lr=0.1, momentum=1.0), "momentum: must be in [0, 1)"),
        ("qhm", dict(lr=0.1, momentum=0.5, nu=1.5), "nu: must be in [0, 1]"),
        ("nesterov", dict(lr=float("nan"), momentum=0.5), "lr: must be finite"),
        ("gspa", dict(eta=0.1, c=0.0, beta=0.5), "c: must be in (0, 1]"),
    ],
)
def test_bad_input_is_named(name, params, message):
    with pytest.raises(ValueError) as exc:
        to_gspa(name, **params)
    assert message in str(exc.value)


def test_every_method_is_complete():
    for m in METHODS.values():
        assert get(m.name) is m
        assert set(m.ranges) == set(m.params) and m.title and m.iterate
        if m.gspa is not None:  # a member of GSPA: its package call and the certified map
            assert m.torch and m.theorem
