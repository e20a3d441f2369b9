"""Any method simulated from its one definition (lyapunov.sim.engine_method): the same numbers
as the fused kernels for the built-in methods, the rule itself for the others, a user's file."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from lyapunov.methods import get
from lyapunov.objectives import make
from lyapunov.sim import simulate

KW = dict(steps=120, runs=8, sigma2=0.1, seed=3)


@pytest.mark.parametrize(
    "name, params",
    [
        ("sgd", dict(lr=0.1)),
        ("sgdm", dict(lr=0.05, momentum=0.9)),
        ("spa", dict(eta=0.5, c=0.1)),
        ("heavy_ball", dict(lr=0.05, momentum=0.8)),
        ("nesterov", dict(lr=0.05, momentum=0.9)),
        ("qhm", dict(lr=0.1, momentum=0.9, nu=0.7)),
        ("schedule_free", dict(lr=0.5, momentum=0.9)),
        ("gspa", dict(eta=0.5, c=0.3, beta=0.6)),
    ],
)
def test_the_definition_simulates_like_the_fused_kernel(name, params):
    """Passing the Method object (not its name) runs the generic engine on the matrices of
    its rule: the same averages as the built-in kernel, with the same noise, to round-off."""
    ref = simulate("cosine", name, engine="numpy", **KW, **params)
    got = simulate("cosine", get(name), params=params, **KW)
    np.testing.assert_allclose(got.run_grad2, ref.run_grad2, rtol=1e-10)
    np.testing.assert_allclose(got.f, ref.f, rtol=1e-10)
    assert got.cos is None and got.method == name


def test_schedules_and_grids():
    lr = np.linspace(0.1, 0.01, KW["steps"])
    ref = simulate("cosine", "sgdm", lr=lr, momentum=[[0.0], [0.9]], engine="numpy", **KW)
    got = simulate("cosine", get("sgdm"), params=dict(lr=lr, momentum=[[0.0], [0.9]]), **KW)
    assert got.configs == 2
    np.testing.assert_allclose(got.run_grad2, ref.run_grad2, rtol=1e-10)


def _by_hand(method, values, objective, steps, L):
    """The rule applied to numpy vectors step by step (no matrices): deterministic runs."""
    x0 = objective.x0()
    state = tuple(x0 * s for s in method.start)
    grads = []
    for k in range(steps):
        y = method.gradient_point(state, values, k=k, n=steps, L=L)
        g = objective.grad(y[None, None])[0, 0]
        grads.append(float(g @ g))
        state = method.apply(state, g, values, k=k, n=steps, L=L)
    return np.array(grads), method.output_point(state, values, k=steps, n=steps, L=L)


@pytest.mark.parametrize("name, values", [("tmm", {"rho": 0.5}), ("ogm", {})])
def test_methods_outside_gspa_follow_their_rule(name, values):
    obj = make("quadratic", 6)
    res = simulate(obj, name, params=values, steps=30, runs=2)
    grads, out = _by_hand(get(name), values, obj, 30, obj.L)
    np.testing.assert_allclose(res.grad2[0], grads, rtol=1e-9, atol=1e-300)
    np.testing.assert_allclose(res.x_eval[0, 0], out, rtol=1e-9, atol=1e-12)


def test_same_seed_same_numbers_and_divergence_reported():
    a = simulate("cosine", "tmm", params={"rho": 0.3}, **KW)
    b = simulate("cosine", "tmm", params={"rho": 0.3}, **KW)
    assert np.array_equal(a.run_grad2, b.run_grad2)
    obj = make("quadratic", 4)
    big = simulate(obj, get("sgd"), params={"lr": 3.0}, steps=200, runs=2, blowup=1e3)
    assert big.diverged.all() and np.isnan(big.run_grad2).all()


MY_METHOD = textwrap.dedent(
    """
    from lyapunov.methods import Method

    def step(x, b, g, *, lr, damp):
        b1 = (1 - damp) * b + damp * g
        return x - lr * b1, b1

    method = Method("ema_sgd", state=("x", "b"), step=step, params=("lr", "damp"),
                    ranges={"damp": "in (0, 1]"}, start=(1, 0))
    """
)


def test_a_method_file_simulates(tmp_path):
    path = tmp_path / "ema.py"
    path.write_text(MY_METHOD)
    res = simulate("cosine", str(path), params=dict(lr=0.1, damp=1.0), **KW)
    ref = simulate("cosine", "sgd", lr=0.1, engine="numpy", **KW)  # damp = 1: plain SGD
    np.testing.assert_allclose(res.run_grad2, ref.run_grad2, rtol=1e-10)
    assert res.method == "ema_sgd"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(method="tmm", params={"rho": 1.5}), r"rho: must be in \[0, 1\)"),
        (dict(method="tmm", params={"rh": 0.5}), "unknown parameter 'rh'"),
        (dict(method="tmm", params={}), "missing parameter 'rho'"),
        (dict(method="tmm", rho=0.5, engine="numba"), "numpy engine"),
        (dict(method="sgdm", lr=0.1, momentum=0.5, rho=0.5), "rho: not a parameter"),
        (dict(method="tmm", params={"rho": 0.5}, trajectory=True), "without trajectory"),
        (dict(method="sgdm", params={"lr": 0.1}), "takes its parameters as keywords"),
        (dict(method="adam", params={}), "unknown method 'adam'"),
    ],
)
def test_bad_input_is_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        simulate("cosine", steps=5, runs=1, **kwargs)
