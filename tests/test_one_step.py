"""The symbolic step of a proof, from each method's definition (Method.one_step).

Where a method takes its gradient at a combination y of its state (GSPA, schedule-free SGD,
triple momentum), the step is on (y, the other variables but one): these tests check, exactly,
that its points are the method's own rule (Method.apply, Method.gradient_point) after that
change of state, at several steps for the time-varying methods, and that GSPA's automatic step
is the hand-written one the proofs P11 and P12 used."""

from __future__ import annotations

from pathlib import Path

import pytest
import sympy as sp

from lyapunov.engine import OneStep, VecSymbol, params, vector_coefficients
from lyapunov.methods import METHODS, Method, get, gspa_yz_step
from lyapunov.methods.proof_step import gradient_state

L = sp.Symbol("L", positive=True)
SIGMA2 = sp.Symbol("sigma2", positive=True)
PROOFS = Path(__file__).resolve().parents[1] / "proofs"
N = 3  # the horizon, for the methods whose rule depends on it (OGM)


def _steps(method: Method) -> tuple[int, ...]:
    return (0, 1, 2) if {"k", "n"} & set(method.needs()) else (0,)


CASES = [(name, k) for name, m in METHODS.items() for k in _steps(m)]


def _defaults(method: Method) -> dict:
    """The symbols one_step uses when no values are given."""
    return {p: sp.Symbol(p, positive=True) for p in method.params}


def _matches_rule(method: Method, step: OneStep, values: dict, k: int, L=L) -> None:
    """Assert that the step's points are the rule's, exactly.

    The step's coordinates are relative to its gradient point y_k (positions (s-y) of the
    points, buffers as they are); the method's state is s, y_k its gradient point there."""
    k = sp.Integer(k)
    s = sp.symbols(" ".join(f"S_{v}" for v in method.state))
    s = s if isinstance(s, tuple) else (s,)
    G, XI = sp.symbols("G XI")
    point = dict(zip(method.state, method.start, strict=True))
    y = method.gradient_point(s, values, k=k, n=N, L=L)
    nxt = dict(zip(method.state, method.apply(s, G + XI, values, k=k, n=N, L=L), strict=True))
    new = step.state_names
    grad_at = step.rate_point.name
    ours = dict(zip(method.state, s, strict=True))
    if grad_at in method.state:
        assert new == method.state
        assert sp.expand(ours[grad_at] - y) == 0
    else:  # y replaced one state variable
        assert new[0] == grad_at == "y" and set(new[1:]) < set(method.state)
        ours[grad_at] = y
        point[grad_at] = 1
        nxt[grad_at] = method.gradient_point(tuple(nxt.values()), values, k=k + 1, n=N, L=L)
    subs = {VecSymbol(f"g({grad_at})"): G, VecSymbol("xi"): XI}
    for v in new:
        if v != grad_at:
            subs[VecSymbol(f"({v}-{grad_at})")] = ours[v] - point[v] * y
    for v in new:
        got = getattr(step, f"{v}1").pos.xreplace(subs) + point[v] * y
        assert sp.simplify(sp.expand(got - nxt[v])) == 0, (method.name, int(k), v)


@pytest.mark.parametrize("name, k", CASES)
def test_every_method_gives_an_exact_step_equal_to_its_rule(name, k):
    method = get(name)
    step = method.one_step(SIGMA2, k=k, n=N, L=L)
    for p in (*step.current, *step.next):
        assert not sp.sympify(p.pos).has(sp.Float), (name, p)
    _matches_rule(method, step, _defaults(method), k)


@pytest.mark.parametrize("name", ["gspa", "schedule_free", "tmm"])
def test_gradient_point_replaces_the_first_variable_with_a_nonzero_weight(name):
    method = get(name)
    step = method.one_step(SIGMA2, k=1, n=N, L=L)
    assert step.state_names == ("y", *method.state[1:])
    assert step.rate_point is step.y


def test_gspa_automatic_step_is_the_hand_written_one():
    eta, c, beta, sigma2 = params("eta c beta sigma2")
    auto = get("gspa").one_step(sigma2, {"eta": eta, "c": c, "beta": beta})
    hand = OneStep(["y", "z"], lambda y, z, g: gspa_yz_step(y, z, g, eta, c, beta), sigma2)
    assert auto.state_names == hand.state_names and auto.rate_point.name == "y"
    for a, h in zip((*auto.current, *auto.next), (*hand.current, *hand.next), strict=True):
        assert a.name == h.name and a.grad == h.grad
        ca, ch = vector_coefficients(a.pos), vector_coefficients(h.pos)
        assert set(ca) == set(ch)
        assert all(sp.cancel(ca[v] - ch[v]) == 0 for v in ca)
    _matches_rule(get("gspa"), auto, {"eta": eta, "c": c, "beta": beta}, 0)


def test_p11_and_p12_take_gspa_from_its_definition():
    from lyapunov.loader import load_file

    eta, c, beta, sigma2 = params("eta c beta sigma2")
    auto = get("gspa").one_step(sigma2, {"eta": eta, "c": c, "beta": beta})
    for name in ("p11_gspa_descent", "p12_gspa_schedule"):
        step = load_file(PROOFS / f"{name}.py")[0].theorem.step
        assert step.state_names == auto.state_names
        assert [p.pos for p in step.next] == [p.pos for p in auto.next]


def _run(method: Method, values: dict, steps: int, h: sp.Rational):
    """y_k for f(x) = h x^2 / 2 from x_0 = 1, exactly: by the rule and by the proof step."""
    x0 = sp.Integer(1)
    s = tuple(x0 if st else sp.Integer(0) for st in method.start)
    by_rule = []
    for k in range(steps):
        y = method.gradient_point(s, values, k=sp.Integer(k), n=N, L=1)
        by_rule.append(sp.nsimplify(y))
        s = method.apply(s, h * y, values, k=sp.Integer(k), n=N, L=sp.Integer(1))
    s = tuple(x0 if st else sp.Integer(0) for st in method.start)
    st = gradient_state(method, values, k=0, n=N, L=1)
    keep = [method.state.index(v) for v in st.names[1:]]
    t = sp.Matrix([by_rule[0], *(s[i] for i in keep)])
    by_step = []
    for k in range(steps):
        st = gradient_state(method, values, k=k, n=N, L=1)
        by_step.append(t[0])
        t = st.M * t + st.N * h * t[0]
    return by_rule, [sp.nsimplify(v) for v in by_step]


def _moving_point():
    """SPA with c_k = 1/(k + 1), the gradient at y_k = (1 - w_k) z_k + w_k x_k with
    w_k = (k + 1)/(k + 2): the gradient point's weights change with k."""
    return Method(
        "moving",
        ("x", "z"),
        lambda x, z, g, *, lr, k: ((1 - 1 / (k + 1)) * x + (z - lr * g) / (k + 1), z - lr * g),
        ("lr",),
        gradient_at=lambda x, z, *, lr, k: (k + 1) / (k + 2) * x + (1 - (k + 1) / (k + 2)) * z,
        output="x",
    )


@pytest.mark.parametrize("k", [0, 1, 2])
def test_a_gradient_point_moving_with_k_is_stepped_with_next_steps_weights(k):
    m = _moving_point()
    step = m.one_step(SIGMA2, k=k)
    _matches_rule(m, step, _defaults(m), k)


@pytest.mark.parametrize(
    "name, values",
    [
        ("moving", {"lr": sp.Rational(1, 3)}),
        ("tmm", {"rho": sp.Rational(1, 2)}),
        ("schedule_free", {"lr": sp.Rational(1, 3), "momentum": sp.Rational(9, 10)}),
        ("gspa", {"eta": sp.Rational(1, 2), "c": sp.Rational(1, 4), "beta": sp.Rational(1, 3)}),
    ],
)
def test_chained_steps_reproduce_the_trajectory_exactly(name, values):
    method = _moving_point() if name == "moving" else get(name)
    by_rule, by_step = _run(method, values, 4, sp.Rational(3, 2))
    assert by_rule == by_step
    assert len(set(by_rule)) > 2  # the run moves


def test_tmm_step_builds_on_symbols_and_matches_its_rule():
    rho, Ls, sigma2 = params("rho L sigma2")
    tmm = get("tmm")
    step = tmm.one_step(sigma2, {"rho": rho}, L=Ls)
    assert step.state_names == ("y", "xi_prev")
    _matches_rule(tmm, step, {"rho": rho}, 0, L=Ls)
    s = gradient_state(tmm, {"rho": rho}, L=Ls)
    A, B, C, _ = tmm.symbolic({"rho": rho}, L=Ls)
    T = sp.Matrix([C, [0, 1]])
    assert (s.M * T - T * A).applyfunc(sp.cancel) == sp.zeros(2, 2)
    assert (s.N - T * B).applyfunc(sp.cancel) == sp.zeros(2, 1)


# -- choosing the variable that y replaces, and bad input -------------------------------------
def _mixing(**kw):
    """x_{k+1} = z_k - g_k, z_{k+1} = x_k, the gradient at a x + (1 - a) z: eliminating either
    variable leaves a denominator (a or 1 - a) that vanishes on a in [0, 1]."""
    return Method(
        "mixing",
        ("x", "z"),
        lambda x, z, g, *, a: (z - g, x),
        ("a",),
        ranges={"a": "in [0, 1]"},
        gradient_at=lambda x, z, *, a: a * x + (1 - a) * z,
        **kw,
    )


def test_a_weight_that_may_vanish_everywhere_is_refused_naming_it():
    (a,) = params("a")
    with pytest.raises(ValueError, match=r"mixing: .*weights a \(of x\), 1 - a \(of z\) can"):
        _mixing().one_step(SIGMA2, {"a": a})


@pytest.mark.parametrize(
    "value, names",
    [
        (sp.Rational(1, 2), ("y", "z")),
        (sp.Symbol("a", positive=True), ("y", "z")),  # a > 0: x's weight a is nonzero
        (0, ("y", "x")),  # y = z: only z can go
    ],
)
def test_values_that_fix_a_weight_nonzero_are_accepted(value, names):
    m = _mixing()
    step = m.one_step(SIGMA2, {"a": value})
    assert step.state_names == names
    _matches_rule(m, step, {"a": value}, 0)


def test_gspa_beta_in_zero_one_keeps_x_out_by_continuity_but_not_z():
    eta, c, beta = params("eta c beta")
    values = {"eta": eta, "c": c, "beta": beta}
    st = gradient_state(get("gspa"), values)
    assert st.eliminated == "x" and all(sp.denom(e) == 1 for e in st.M)
    with pytest.raises(ValueError, match=r"gspa: .*weight 1 - beta \(of z\) can vanish"):
        get("gspa").one_step(SIGMA2, values, eliminate="z")
    half = {**values, "beta": sp.Rational(1, 2)}
    step = get("gspa").one_step(SIGMA2, half, eliminate="z")
    assert step.state_names == ("y", "x")
    _matches_rule(get("gspa"), step, half, 0)


@pytest.mark.parametrize(
    "name, kw, message",
    [
        ("gspa", dict(eliminate="w"), r"eliminate: must be a state variable of gspa \(x, z\)"),
        ("sgd", dict(eliminate="x"), "sgd takes its gradient at the state variable x"),
        ("gspa", dict(values={"eta": 1, "c": 1, "beta": 0}, eliminate="x"), "not depend on x"),
        ("gspa", dict(values={"eta": 1, "c": 1, "beta": 2}), r"beta: must be in \[0, 1\]"),
        ("sgd", dict(values={"lr": 0.1}), "lr: must be exact"),
        ("sgd", dict(values={"eta": 1}), "unknown parameter 'eta'"),
        ("sgdm", dict(values={"lr": 1}), "missing parameter 'momentum'"),
        ("ogm", dict(n=3, L=0.5), "L: must be exact"),
    ],
)
def test_bad_input_is_one_value_error_naming_it(name, kw, message):
    with pytest.raises(ValueError, match=message):
        get(name).one_step(SIGMA2, **kw)
