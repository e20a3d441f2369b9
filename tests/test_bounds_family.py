"""Calculators for the momentum family (GSPA, Nesterov, QHM, schedule-free): the certified
theorems' own numbers, the maps of the registry, and never below a concrete run."""

import math

import numpy as np
import pytest
import sympy as sp

from lyapunov import bounds
from lyapunov.bounds import family
from lyapunov.methods.registry import to_gspa

KW = {"L": 1.0, "sigma2": 0.0, "steps": 50, "gap": 1.0}


def run_gspa(grad, x0, eta, c_of_k, beta, steps):
    """Deterministic GSPA on a 1-D function: the gradients at y_k."""
    x = z = float(x0)
    out = []
    for k in range(steps):
        y = (1 - beta) * z + beta * x
        g = grad(y)
        out.append(g)
        z = z - eta * g
        c = c_of_k(k)
        x = (1 - c) * x + c * z
    return np.array(out)


# f(x) = 1 - cos(x): 1-smooth, not convex, inf f = 0; and f(x) = x^2 / 2
FUNCS = [
    (lambda x: math.sin(x), lambda x: 1 - math.cos(x)),
    (lambda x: x, lambda x: x * x / 2),
]


def test_p11_reduces_to_p4_at_beta_one_and_p3_at_c_one():
    e, c = np.array([0.3, 0.9, 1.5]), np.array([0.5, 0.2, 0.3])
    spa = bounds.spa(eta=e, c=c, **KW)
    assert np.allclose(bounds.gspa(eta=e, c=c, beta=1.0, **KW), spa, rtol=0, atol=0)
    sgd = bounds.sgd(lr=e, **KW)
    assert np.array_equal(bounds.gspa(eta=e, c=1.0, beta=0.4, **KW), sgd)
    assert np.array_equal(bounds.gspa(eta=e, c=0.3, beta=0.0, **KW) <= sgd, np.ones(3, bool))


def test_p11_value_is_the_theorem_at_weights_inside_its_exact_region():
    from lyapunov.proofs import p11_gspa_descent as p

    rate = family._p11()
    for eta, c, beta in [(0.5, 0.5, 0.5), (1.0, 0.1, 0.9), (0.05, 0.3, 0.7)]:
        val, w = rate(eta=eta, c=c, beta=beta, L=1.0, sigma2=0.01, steps=100, gap=1.0)
        assert np.isfinite(val)
        pt = {
            p.eta: sp.Rational(eta), p.c: sp.Rational(c), p.beta: sp.Rational(beta),
            p.L: 1, p.sigma2: sp.Rational(0.01), p.b: sp.Rational(float(w["b"])),
            p.s: sp.Rational(float(w["s"])),
        }  # fmt: skip
        assert p.theorem.region.contains(pt)
        exact = p.theorem.rate(sp.Integer(1), sp.Integer(100)).subs(pt)
        assert float(exact) == pytest.approx(float(val), rel=1e-12)


def test_registry_maps_nesterov_and_qhm():
    lr, m, nu = np.array([0.01, 0.05]), 0.9, 0.7
    eta, c, beta = to_gspa("nesterov", lr=lr, momentum=m)
    assert np.array_equal(
        bounds.nesterov(lr=lr, momentum=m, **KW), bounds.gspa(eta=eta, c=c, beta=beta, **KW)
    )
    assert np.array_equal(
        bounds.qhm(lr=lr, momentum=m, nu=nu, **KW),
        bounds.gspa(eta=lr, c=1 - m, beta=nu, **KW),
    )
    assert np.array_equal(
        bounds.sgdm(lr=lr, momentum=m, nesterov=True, **KW),
        bounds.nesterov(lr=lr, momentum=m, **KW),
    )


@pytest.mark.parametrize("eta, c, beta", [(0.5, 0.5, 0.5), (1.0, 0.1, 0.9), (0.2, 0.3, 0.0)])
@pytest.mark.parametrize("grad, f", FUNCS)
def test_gspa_bound_above_concrete_runs(eta, c, beta, grad, f):
    x0 = 2.0
    n = 40
    g = run_gspa(grad, x0, eta, lambda k: c, beta, n)
    b = bounds.gspa(eta=eta, c=c, beta=beta, L=1.0, sigma2=0.0, steps=n, gap=f(x0))
    assert np.isfinite(b)
    assert np.mean(g**2) <= b


@pytest.mark.parametrize("lr, momentum", [(1.0, 0.9), (0.5, 0.5), (1.5, 0.9)])
@pytest.mark.parametrize("grad, f", FUNCS)
def test_schedule_free_bound_above_concrete_runs(lr, momentum, grad, f):
    x0 = 2.5
    for n in (5, 30):
        g = run_gspa(grad, x0, lr, lambda k: 1 / (k + 1), momentum, n)
        b = bounds.schedule_free(lr=lr, momentum=momentum, L=1.0, sigma2=0.0, steps=n, gap=f(x0))
        assert np.isfinite(b)
        assert np.mean(g**2) <= b


def test_schedule_free_bound_decays_like_one_over_n():
    n = np.array([25, 100, 400])
    b = bounds.schedule_free(lr=1.0, momentum=0.5, L=1.0, sigma2=0.0, steps=n, gap=1.0)
    assert np.all(np.diff(b) < 0)
    nb = n * b
    assert nb[-1] < 1.2 * nb[-2]  # n * bound levels off: O(1/n), not O(1/log n)


def test_schedule_free_noise_term_and_broadcasting():
    lr = np.array([[0.5], [1.0]])
    b0 = bounds.schedule_free(lr=lr, momentum=0.9, L=1.0, sigma2=0.0, steps=[10, 20], gap=1.0)
    b1 = bounds.schedule_free(lr=lr, momentum=0.9, L=1.0, sigma2=0.5, steps=[10, 20], gap=1.0)
    assert b0.shape == (2, 2) and np.all(b1 > b0)


def test_outside_every_region_is_inf():
    """Beyond P11's region only the family's chain P25 certifies, up to 64 steps (a bound that
    grows with the horizon); beyond that the bound is inf."""
    far = {**KW, "steps": 100}
    assert bounds.gspa(eta=50.0, c=0.5, beta=0.5, **far) == math.inf
    assert bounds.schedule_free(lr=50.0, momentum=0.9, **KW) == math.inf
    r = bounds.gspa(eta=50.0, c=0.5, beta=0.5, detail=True, **far)
    assert r.value == math.inf and r.theorem == ""
    short = bounds.gspa(eta=50.0, c=0.5, beta=0.5, detail=True, **KW)
    assert math.isfinite(short.value) and short.theorem == "P25"


@pytest.mark.parametrize(
    "fn, kw, name",
    [
        (bounds.qhm, {"lr": 0.1, "momentum": 0.9, "nu": 1.5}, "nu"),
        (bounds.qhm, {"lr": 0.1, "momentum": 1.0, "nu": 0.5}, "momentum"),
        (bounds.nesterov, {"lr": -0.1, "momentum": 0.9}, "lr"),
        (bounds.nesterov, {"lr": float("nan"), "momentum": 0.9}, "lr"),
        (bounds.gspa, {"eta": 0.1, "c": 0.5, "beta": -0.1}, "beta"),
        (bounds.gspa, {"eta": 0.1, "c": 0.0, "beta": 0.5}, "c"),
        (bounds.schedule_free, {"lr": float("inf"), "momentum": 0.9}, "lr"),
        (bounds.schedule_free, {"lr": 0.1, "momentum": 1.2}, "momentum"),
    ],
)
def test_bad_input_names_the_parameter(fn, kw, name):
    with pytest.raises(ValueError, match=f"^{name}: "):
        fn(**kw, **KW)


def test_sgdm_nesterov_flag_is_torch_nesterov():
    lr, m = np.array([0.01, 0.05]), 0.9
    assert np.array_equal(
        bounds.sgdm(lr=lr, momentum=m, nesterov=True, **KW),
        bounds.nesterov(lr=lr, momentum=m, **KW),
    )
    assert not np.array_equal(
        bounds.sgdm(lr=lr, momentum=m, **KW), bounds.nesterov(lr=lr, momentum=m, **KW)
    )
    with pytest.raises(TypeError, match="^nesterov: "):
        bounds.sgdm(lr=0.1, momentum=0.9, nesterov="yes", **KW)


def test_cli_bound_for_the_family():
    import json

    from support.fuzzing import run_cli_in_process

    common = ["--L", "1", "--sigma2", "0.01", "--steps", "100", "--gap", "1", "--json"]
    code, out, _ = run_cli_in_process(
        ["bound", "qhm", "--lr", "0.1", "--momentum", "0.9", "--nu", "0.7", *common]
    )
    doc = json.loads(out)
    assert code == 0 and doc["theorem"] == "P11"
    want = bounds.qhm(lr=0.1, momentum=0.9, nu=0.7, L=1.0, sigma2=0.01, steps=100, gap=1.0)
    assert doc["bound"] == pytest.approx(want, rel=1e-12)
    code, out, _ = run_cli_in_process(
        ["bound", "schedule_free", "--lr", "1", "--momentum", "0.9", *common]
    )
    assert code == 0 and json.loads(out)["theorem"] == "P22"  # smaller than P12's chain here
    code, out, err = run_cli_in_process(
        ["bound", "qhm", "--lr", "0.1", "--momentum", "0.9", "--nu", "1.5", *common]
    )
    assert code == 2 and "nu: must be in [0, 1]" in err and len(err.strip().splitlines()) == 1
    code, out, err = run_cli_in_process(["bound", "nesterov", "--momentum", "0.9", "--best",
                                         *common])  # fmt: skip
    assert code == 0 and json.loads(out)["best"]["name"] == "lr"  # issue 21, defect 6


def test_schedule_free_near_two_over_l_is_a_number_with_its_reason():
    """lr 1.84-1.95 with momentum up to 0.12 used to raise 'cannot convert NaN to integer
    ratio'; now every point is a number (inf where P12's backward chain finds no weights),
    with no warning, and detail says why where it is inf."""
    import warnings

    lr = np.linspace(1.84, 1.95, 5)[:, None]
    mom = np.linspace(0.0, 0.12, 4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        vals = bounds.schedule_free(lr=lr, momentum=mom, L=1.0, sigma2=0.0, steps=200, gap=1.0)
        one = bounds.schedule_free(
            lr=1.9, momentum=0.0, L=1.0, sigma2=0.0, steps=50, gap=1.0, detail=True
        )
    assert vals.shape == (5, 4) and not np.isnan(vals).any()
    # beyond P22 and P12 the family's chain P25 certifies these 50 steps (a large number)
    assert np.isfinite(one.value) and one.theorem == "P25" and one.reason == ""
    far = bounds.schedule_free(
        lr=1.9, momentum=0.0, L=1.0, sigma2=0.0, steps=1000, gap=1.0, detail=True
    )
    assert far.value == np.inf and "P12" in far.reason
    ok = bounds.schedule_free(
        lr=0.1, momentum=0.9, L=1.0, sigma2=0.0, steps=50, gap=1.0, detail=True
    )
    assert np.isfinite(ok.value) and ok.reason == ""
