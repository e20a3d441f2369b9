"""Methods defined once (lyapunov.methods.Method): the registry's definitions, a user's own
method file, and the checks that refuse a rule that is not a linear first-order method."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest
import sympy as sp

from lyapunov.methods import METHODS, Method, get, load, to_gspa
from lyapunov.pep.points import run

GSPA = METHODS["gspa"]


def sgd_like(**kw):
    base = dict(name="m", state=("x",), step=lambda x, g, *, lr: x - lr * g, params=("lr",))
    return Method(**{**base, **kw})


@pytest.mark.parametrize(
    "kw, message",
    [
        (dict(step=lambda x, g, *, lr: (x - lr * g, x)), "one value per state variable"),
        (dict(step=lambda x, g, *, lr: x - lr * g * g), "not linear in the vectors"),
        (dict(step=lambda x, g, *, lr: x - lr**0.5 * g), "not a rational function"),
        (dict(step=lambda x, g, *, lr: x - np.exp(lr) * g), "rational functions"),
        (dict(step=lambda x, g, *, lr: 2 * x - lr * g), "not translation-equivariant"),
        (dict(gradient_at=lambda x: 2 * x), "gradient at an undefined point"),
        (dict(output=lambda x: 0 * x), "output is not a point"),
        (dict(gradient_at="z"), "'z' is not a state variable"),
        (dict(params=("foo",), step=lambda x, g, *, foo: x - foo * g), "needs a range"),
        (dict(ranges={"lr": "between 0 and 1"}), "cannot read"),
        (dict(ranges={"lr": "> 0", "eta": "> 0"}), "unknown parameters eta"),
        (dict(name="my method"), "identifier"),
        (dict(state=("x", "x")), "distinct"),
        (dict(start=(2,)), "start"),
        (dict(step=lambda x, g, *, lr: x - lr / (lr - 1) * g), "non-finite"),
        (dict(params=("k",), step=lambda x, g, *, k: x - g), "clashes"),
        (dict(step=lambda x, g, *, lr: x - lr * g[0]), "linear"),
    ],
)
def test_a_rule_that_is_not_a_method_is_refused(kw, message):
    with pytest.raises(ValueError, match=message):
        sgd_like(**kw)


def test_parameters_are_validated_by_name_and_range():
    m = get("sgdm")
    with pytest.raises(ValueError, match=r"unknown parameter 'lrr' \(its parameters are lr"):
        m.check_params({"lrr": 0.1, "momentum": 0.5})
    with pytest.raises(ValueError, match="missing parameter 'momentum'"):
        m.check_params({"lr": 0.1})
    with pytest.raises(ValueError, match=r"momentum: must be in \[0, 1\), got 1.0"):
        m.check_params({"lr": 0.1, "momentum": 1.0})
    with pytest.raises(ValueError, match="lr: must be finite"):
        m.check_params({"lr": float("nan"), "momentum": 0.5})
    with pytest.raises(ValueError, match="rho: must be in"):
        get("tmm").check_params({"rho": 1.0})


@pytest.mark.parametrize("name", [n for n, m in METHODS.items() if m.gspa is not None])
def test_each_gspa_member_runs_like_gspa_at_its_coordinates(name):
    """The method's own rule and GSPA at the registry's (eta, c, beta): the same gradient
    points, coefficient by coefficient, for 6 steps (so the map P1/P9 certifies is the one the
    tools use)."""
    m = get(name)
    values = m.example()
    if "lr" in values:
        values["lr"] = 0.3
    n = 6
    eta, c, beta = (np.broadcast_to(v, (n,)) for v in to_gspa(name, np.arange(n), **values))
    own = run(m, values, n, L=1.0)
    ref = run(GSPA, {"eta": eta, "c": c, "beta": beta[0]}, n, L=1.0)
    np.testing.assert_allclose(own.pos[: n + 1], ref.pos[: n + 1], rtol=1e-12, atol=1e-12)


def test_state_space_matrices_are_the_rule():
    A, B, C, E = get("sgdm").symbolic()
    lr, mu = sp.symbols("lr momentum", real=True)
    assert sp.Matrix([[1, -lr * mu], [0, mu]]) == A and sp.Matrix([-lr, 1]) == B
    assert sp.Matrix([[1, 0]]) == C and E == C
    A, B, C, E = get("tmm").matrices({"rho": 0.5}, L=2.0)
    beta, gamma, delta = 0.25 / 1.5, 0.25 / (1.5 * 1.5), 0.25 / 0.75
    np.testing.assert_allclose(A, [[1 + beta, -beta], [1, 0]])
    np.testing.assert_allclose(B, [-(1.5) / 2.0, 0])
    np.testing.assert_allclose(C, [1 + gamma, -gamma])
    np.testing.assert_allclose(E, [1 + delta, -delta])


def test_batched_matrices_broadcast_over_parameters():
    lr = np.array([[0.1], [0.2]])
    mom = np.array([0.0, 0.5, 0.9])
    A, B, C, E = get("sgdm").matrices({"lr": lr, "momentum": mom})
    assert A.shape == (2, 3, 2, 2) and B.shape == (2, 3, 2)
    np.testing.assert_allclose(A[1, 2], [[1, -0.2 * 0.9], [0, 0.9]])


def test_ogm_thetas_follow_kim_and_fessler():
    from lyapunov.methods.accelerated import ogm_theta

    t = [ogm_theta(k, 4) for k in range(5)]
    assert t[0] == 1 and t[1] == pytest.approx((1 + 5**0.5) / 2)
    assert t[4] == pytest.approx((1 + (8 * t[3] ** 2 + 1) ** 0.5) / 2)
    assert t[3] == pytest.approx((1 + (4 * t[2] ** 2 + 1) ** 0.5) / 2)


@pytest.mark.parametrize("n", [1, 2, 5])
def test_ogm_exact_thetas_are_the_float_ones(n):
    from lyapunov.methods.accelerated import ogm_theta, ogm_theta_exact

    for k in range(n + 1):
        exact = ogm_theta_exact(k, n)
        assert not exact.has(sp.Float)
        assert float(exact) == pytest.approx(ogm_theta(k, n), rel=1e-14)
    # theta_k^2 - theta_k = theta_{k-1}^2 (k < n) and 2 theta_{k-1}^2 (k = n), exactly
    t = [ogm_theta_exact(k, n) for k in range(n + 1)]
    for k in range(1, n + 1):
        assert sp.simplify(t[k] ** 2 - t[k] - (2 if k == n else 1) * t[k - 1] ** 2) == 0
    with pytest.raises(ValueError, match="k: must be in"):
        ogm_theta_exact(n + 1, n)


MY_METHOD = textwrap.dedent(
    """
    from lyapunov.methods import Method

    def step(x, b, d, g, *, lr, momentum):
        # two momentum buffers, averaged
        b1 = momentum * b + g
        d1 = momentum * momentum * d + g
        return x - lr * (b1 + d1) / 2, b1, d1

    method = Method("two_buffers", state=("x", "b", "d"), step=step,
                    params=("lr", "momentum"), start=(1, 0, 0))
    """
)


def test_a_method_file_loads(tmp_path):
    path = tmp_path / "my_method.py"
    path.write_text(MY_METHOD)
    m = load(str(path))
    assert m.name == "two_buffers" and m.params == ("lr", "momentum")
    # at momentum 0 both buffers are the gradient: plain gradient descent
    traj = run(m, {"lr": 0.1, "momentum": 0.0}, 3, L=1.0)
    ref = run(get("sgd"), {"lr": 0.1}, 3, L=1.0)
    np.testing.assert_allclose(traj.pos[:4], ref.pos[:4])


@pytest.mark.parametrize(
    "text, message",
    [
        ("x = 1\n", r"must define `method = Method\(\.\.\.\)`"),
        ("method = 3\n", "got a int"),
        ("def f(:\n", "syntax error"),
        ("raise RuntimeError('boom')\n", "boom"),
        (
            "from lyapunov.methods import Method\n"
            "method = Method('m', ('x',), lambda x, g, *, lr: x - lr * g * g, ('lr',))\n",
            "not linear",
        ),
    ],
)
def test_a_bad_method_file_is_one_line(tmp_path, text, message):
    path = tmp_path / "bad.py"
    path.write_text(text)
    with pytest.raises(ValueError, match=message) as exc:
        load(str(path))
    assert "\n" not in str(exc.value) and str(path) in str(exc.value)


def test_unknown_method_names_the_choices(tmp_path):
    with pytest.raises(ValueError, match="unknown method 'adam', choose from sgd"):
        load("adam")
    with pytest.raises(ValueError, match="no such method file"):
        load(str(tmp_path / "missing.py"))
