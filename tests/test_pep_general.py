"""The one PEP entry point (lyapunov.pep.solve) for any method, class and measure: against
PEPit on the same problem written with the method's own rule, on 22 points across methods,
and its measures and inputs."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from lyapunov import pep
from lyapunov.methods import get

N = 5

# (method, parameters, metric): 22 points across the registry, the two accelerated methods
# outside GSPA included
POINTS = [
    ("sgd", {"lr": 0.5}, "avg_grad2"),
    ("sgd", {"lr": 1.5}, "min_grad2"),
    ("sgdm", {"lr": 0.1, "momentum": 0.5}, "avg_grad2"),
    ("sgdm", {"lr": 0.3, "momentum": 0.9}, "avg_grad2"),
    ("sgdm", {"lr": 0.2, "momentum": 0.3}, "min_grad2"),
    ("heavy_ball", {"lr": 0.1, "momentum": 0.5}, "avg_grad2"),
    ("heavy_ball", {"lr": 0.4, "momentum": 0.2}, "min_grad2"),
    ("spa", {"eta": 0.5, "c": 0.5}, "avg_grad2"),
    ("spa", {"eta": 1.0, "c": 0.1}, "avg_grad2"),
    ("nesterov", {"lr": 0.1, "momentum": 0.9}, "avg_grad2"),
    ("nesterov", {"lr": 0.3, "momentum": 0.5}, "min_grad2"),
    ("qhm", {"lr": 0.5, "momentum": 0.9, "nu": 0.7}, "avg_grad2"),
    ("qhm", {"lr": 1.0, "momentum": 0.5, "nu": 0.3}, "avg_grad2"),
    ("schedule_free", {"lr": 0.5, "momentum": 0.9}, "avg_grad2"),
    ("schedule_free", {"lr": 1.0, "momentum": 0.5}, "min_grad2"),
    ("gspa", {"eta": 0.5, "c": 0.5, "beta": 0.5}, "avg_grad2"),
    ("gspa", {"eta": 1.0, "c": 0.3, "beta": 0.0}, "avg_grad2"),
    ("tmm", {"rho": 0.2}, "avg_grad2"),
    ("tmm", {"rho": 0.5}, "min_grad2"),
    ("tmm", {"rho": 0.0}, "avg_grad2"),
    ("ogm", {}, "avg_grad2"),
    ("ogm", {}, "min_grad2"),
]


def pepit_worst_case(method, values, *, steps, metric, L=1.0, gap=1.0):
    """The same problem written with PEPit: the method's own rule steps PEPit's points (its
    gradient points, every state point and the output), f(x_0) - f(p) <= gap at each."""
    from PEPit import PEP
    from PEPit.functions import SmoothFunction

    problem = PEP()
    func = problem.declare_function(SmoothFunction, L=L)
    x0 = problem.set_initial_point()
    f0 = func(x0)
    zero = 0 * x0
    state = tuple(x0 if s else zero for s in method.start)
    points = [i for i, s in enumerate(method.start) if s]
    grads = []
    for k in range(steps + 1):
        y = method.gradient_point(state, values, k=k, n=steps, L=L)
        g, fy = func.oracle(y)
        problem.set_initial_condition(f0 - fy <= gap)
        if k > 0:
            for i in points:
                problem.set_initial_condition(f0 - func(state[i]) <= gap)
            problem.set_initial_condition(
                f0 - func(method.output_point(state, values, k=k, n=steps, L=L)) <= gap
            )
        if k < steps:
            grads.append(g)
            state = method.apply(state, g, values, k=k, n=steps, L=L)
    if metric == "avg_grad2":
        problem.set_performance_metric(sum(gk**2 for gk in grads) / steps)
    else:
        for gk in grads:
            problem.set_performance_metric(gk**2)
    return problem.solve(verbose=0, wrapper="cvxpy", solver="CLARABEL")


@pytest.mark.parametrize("name, values, metric", POINTS)
def test_agrees_with_pepit(name, values, metric):
    pytest.importorskip("PEPit")
    method = get(name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = pepit_worst_case(method, values, steps=N, metric=metric)
        ours = pep.solve(name, values, steps=N, measure=metric, condition="iterates").value
    assert math.isfinite(ours) and ours > 0
    assert ours == pytest.approx(ref, rel=1e-6, abs=1e-8)


def test_twenty_points_across_methods():
    assert len(POINTS) >= 20
    assert {"tmm", "ogm"} <= {p[0] for p in POINTS}


def test_default_is_the_calculators_class_and_below_pepits():
    """lower_bound (f(x_0) - inf f <= gap, the calculators' class) is the default. PEPit's
    'iterates' class (f(x_0) - f(p) <= gap at the points) contains it, so its value is never
    smaller; the legacy entry point gives the same number."""
    lb = pep.solve("sgdm", lr=0.1, momentum=0.5, steps=N)
    it = pep.solve("sgdm", lr=0.1, momentum=0.5, steps=N, condition="iterates")
    assert lb.condition == "lower_bound" and lb.value <= it.value * (1 + 1e-6)
    legacy = pep.worst_case("sgdm", lr=0.1, momentum=0.5, steps=N, condition="lower_bound")
    assert lb.value == pytest.approx(legacy, rel=1e-5)


def test_min_never_above_average():
    for name, values, _ in POINTS[:6]:
        avg = pep.solve(name, values, steps=N).value
        low = pep.solve(name, values, steps=N, measure="min_grad2").value
        assert low <= avg * (1 + 1e-6)


def test_last_gap_of_gradient_descent_is_the_gap():
    """GD with lr <= 2/L never increases f, and f can be flat at x_0: the worst case of
    f(x_n) - f_* given f(x_0) - f_* <= gap is gap itself."""
    res = pep.solve("sgd", lr=0.5, steps=4, measure="last_gap", gap=2.0)
    assert res.value == pytest.approx(2.0, rel=1e-6)
    assert res.measure == "last_gap" and "x4" in res.labels


def test_last_gap_can_exceed_the_gap_with_momentum():
    res = pep.solve("sgdm", lr=1.5, momentum=0.9, steps=4, measure="last_gap")
    assert res.value > 1.0


def test_schedules_step_by_step():
    """A schedule of lr: one value per step; a constant schedule is the constant."""
    const = pep.solve("sgdm", lr=0.1, momentum=0.5, steps=4).value
    sched = pep.solve("sgdm", lr=np.full(4, 0.1), momentum=0.5, steps=4).value
    assert sched == pytest.approx(const, rel=1e-7)
    decay = pep.solve("sgdm", lr=np.array([0.4, 0.3, 0.2, 0.1]), momentum=0.5, steps=4).value
    assert decay != pytest.approx(const, rel=1e-3)


def test_result_as_json():
    out = pep.solve("tmm", rho=0.3, steps=3).as_dict()
    assert set(out) >= {"worst_case", "method", "params", "steps", "measure", "condition"}
    assert out["method"] == "tmm" and out["params"] == {"rho": 0.3}


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(method="sgdm", lr=0.1), "missing parameter 'momentum'"),
        (dict(method="sgdm", lr=0.1, momentum=0.5, mom=1), "unknown parameter 'mom'"),
        (dict(method="sgdm", lr=-0.1, momentum=0.5), r"lr: must be > 0"),
        (dict(method="sgd", lr=0.1, measure="last_dist2"), "needs a minimiser"),
        (dict(method="sgd", lr=0.1, measure="nope"), "unknown measure 'nope'"),
        (dict(method="sgd", lr=0.1, function_class="concave"), "unknown class 'concave'"),
        (dict(method="sgd", lr=0.1, condition="nope"), "condition: must be one of"),
        (dict(method="sgd", lr=0.1, steps=0), "steps: must be an integer >= 1"),
        (dict(method="sgd", lr=0.1, L=float("inf")), "L: must be finite"),
        (dict(method="sgd", lr=[0.1, 0.2], steps=3), "one value per step"),
        (dict(method="adam", lr=0.1), "unknown method 'adam'"),
        (dict(method="sgd", lr=0.1, measure="last_gap", condition="iterates"), "f_*"),
    ],
)
def test_bad_input_is_named(kwargs, message):
    method = kwargs.pop("method")
    with pytest.raises(ValueError, match=message):
        pep.solve(method, **kwargs)
