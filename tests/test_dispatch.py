"""The calculator dispatcher: every method of the registry with a certified map gets, through
``bounds.certified_bound``, exactly the number of its own calculator, constant and scheduled;
bad requests are one ValueError naming the value and the choices."""

from __future__ import annotations

import ast
import warnings
from pathlib import Path

import numpy as np
import pytest

from lyapunov import bounds
from lyapunov.bounds import dispatch
from lyapunov.bounds.schedule_input import parse_milestones, schedule_input
from lyapunov.methods.registry import FAMILY, METHODS

G = dict(L=1.0, sigma2=0.05, gap=2.0)
N = 40

#: the direct calculator of each method, written out here independently of the dispatcher's
#: table (heavy ball is SGD+M: theorem P1), at points inside and outside the certified regions
#: (for SGD, SGD+M and SPA the chain of P24 and P10 covers every step size over 40 steps: only
#: a step so large that its weights overflow is inf)
CONSTANT = {
    "sgd": (bounds.sgd, dict(lr=np.array([0.05, 0.5, 1.9, 2.5, 1e150]))),
    "sgdm": (bounds.sgdm, dict(lr=np.array([0.01, 0.1, 0.39, 0.5, 1e150]), momentum=0.9)),
    "heavy_ball": (bounds.sgdm, dict(lr=np.array([0.01, 0.1, 0.39, 0.5, 1e150]), momentum=0.9)),
    "spa": (bounds.spa, dict(eta=np.array([[0.1], [3.4], [1e150]]), c=np.array([0.1, 0.5, 1.0]))),
    "nesterov": (bounds.nesterov, dict(lr=np.array([0.01, 0.1, 1e150]), momentum=0.9)),
    "qhm": (bounds.qhm, dict(lr=np.array([0.01, 0.1, 1e150]), momentum=0.9, nu=0.7)),
    "schedule_free": (bounds.schedule_free, dict(lr=np.array([0.05, 0.1, 5.0]), momentum=0.9)),
    "gspa": (bounds.gspa, dict(eta=np.array([0.1, 0.5, 1e150]), c=0.1,
                               beta=np.array([0.0, 0.5, 1.0]))),
}  # fmt: skip

DECAY = np.linspace(1.0, 0.2, N)


def _quiet(fun, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", bounds.UniformAverageWarning)
        return fun(**kw)


#: the per-step calculator of each method with one, and its arguments for the same schedule
SCHEDULED = {
    "sgd": (
        dict(lr=0.5 * DECAY),
        lambda: (bounds.spa_schedule, dict(eta=0.5 * DECAY, c=np.ones(N))),
    ),
    "sgdm": (
        dict(lr=0.05 * DECAY, momentum=0.9),
        lambda: (bounds.sgdm_schedule, dict(lr=0.05 * DECAY, momentum=np.full(N, 0.9))),
    ),
    "heavy_ball": (
        dict(lr=0.05 * DECAY, momentum=np.linspace(0.9, 0.5, N)),
        lambda: (bounds.sgdm_schedule, dict(lr=0.05 * DECAY, momentum=np.linspace(0.9, 0.5, N))),
    ),
    "spa": (
        dict(eta=0.5 * DECAY, c=0.1),
        lambda: (bounds.spa_schedule, dict(eta=0.5 * DECAY, c=np.full(N, 0.1))),
    ),
    "gspa": (
        dict(eta=0.5, c=np.linspace(0.5, 0.1, N), beta=0.5),
        lambda: (bounds.gspa_schedule, dict(eta=np.full(N, 0.5), c=np.linspace(0.5, 0.1, N),
                                            beta=0.5)),
    ),
}  # fmt: skip


def test_every_method_with_a_certified_map_has_a_calculator():
    certified = [name for name, m in METHODS.items() if m.theorem]
    assert certified and set(certified) <= set(dispatch.methods())
    assert set(CONSTANT) == set(dispatch.methods())  # and the test covers each of them
    for name in dispatch.methods():
        assert name in METHODS  # the table names registered methods only


@pytest.mark.parametrize("method", sorted(CONSTANT))
@pytest.mark.parametrize("detail", [False, True])
def test_constant_parameters_give_the_calculators_number(method, detail):
    fun, params = CONSTANT[method]
    want = fun(**params, steps=N, detail=detail, **G)
    got = dispatch.certified_bound(method, **params, steps=N, detail=detail, **G)
    if detail:
        np.testing.assert_array_equal(got.value, want.value)
        np.testing.assert_array_equal(got.theorem, want.theorem)
        np.testing.assert_array_equal(got.reason, want.reason)
    else:
        np.testing.assert_array_equal(got, want)  # bit for bit, inf where inf
    values = np.asarray(want.value if detail else want)
    assert np.isfinite(values).any() and np.isinf(values).any()  # both kinds of point tested
    assert dispatch.calculator(method) is fun


@pytest.mark.parametrize("method", sorted(SCHEDULED))
@pytest.mark.parametrize("average", ["uniform", "weighted"])
def test_schedules_give_the_calculators_number(method, average):
    per_step, direct = SCHEDULED[method]
    fun, args = direct()
    if method == "gspa" and average == "weighted":
        with pytest.raises(ValueError, match="average: gspa_schedule bounds the uniform average"):
            dispatch.certified_bound(method, schedule={"c": per_step["c"]}, eta=0.5, beta=0.5,
                                     average=average, **G)  # fmt: skip
        return
    want = _quiet(fun, **args, average=average, detail=True, **G)
    schedule = {k: v for k, v in per_step.items() if np.ndim(v)}
    numbers = {k: v for k, v in per_step.items() if not np.ndim(v)}
    got = _quiet(dispatch.certified_bound, method=method, schedule=schedule, average=average,
                 detail=True, **numbers, **G)  # fmt: skip
    assert got.value == want.value and np.isfinite(got.value) and got.theorem == want.theorem
    assert dispatch.calculator(method, schedule=schedule) is fun
    # the whole schedule per step, and steps agreeing with it, give the same number
    full = {k: np.full(N, v) if not np.ndim(v) else v for k, v in per_step.items()}
    if method == "gspa":
        full["beta"] = 0.5
        del numbers
    kept = {k: v for k, v in full.items() if np.ndim(v)}
    rest = {k: v for k, v in full.items() if not np.ndim(v)}
    again = _quiet(dispatch.certified_bound, method=method, schedule=kept, steps=N,
                   average=average, **rest, **G)  # fmt: skip
    assert again == want.value


@pytest.mark.parametrize("method", sorted(set(CONSTANT) - set(SCHEDULED)))
def test_a_schedule_without_calculator_names_the_method_and_the_choices(method):
    with pytest.raises(dispatch.NoCalculatorError, match=f"no calculator for {method} with a "
                       r"schedule \(schedules: sgd, sgdm, heavy_ball, spa, gspa\)"):  # fmt: skip
        dispatch.certified_bound(method, schedule={"lr": DECAY}, momentum=0.9, nu=0.7, **G)


def test_gspa_schedule_of_beta_has_no_calculator():
    with pytest.raises(ValueError, match="no calculator for gspa with a schedule of beta"):
        dispatch.certified_bound("gspa", schedule={"beta": DECAY}, eta=0.1, c=0.5, **G)


@pytest.mark.parametrize(
    "kw,match",
    [
        (dict(method="adam"), r"method: unknown method 'adam', choose from sgd, sgdm, heavy_ball"),
        (dict(method=None), r"method: unknown method None, choose from sgd, "),
        (
            dict(function_class="convex"),
            r"function_class: unknown function class 'convex', "
            r"choose from smooth",
        ),
        (
            dict(measure="last_iterate"),
            r"measure: unknown measure 'last_iterate', choose from "
            r"avg_grad2",
        ),
        (dict(average="max"), r"average: must be one of uniform, weighted, got 'max'"),
        (dict(average="weighted"), r"average: 'weighted' applies to a schedule"),
        (dict(momentum=0.9), r"momentum does not apply to method sgd \(it takes lr\)"),
        (dict(lr=None), r"lr is required for method sgd"),
        (dict(steps=None), r"steps: required with constant parameters"),
        (dict(lr=-1.0), r"lr: must be > 0, got -1.0"),
        (dict(schedule={"lr": [0.1, 0.2]}), r"lr: given both as a number and in schedule"),
    ],
)
def test_bad_requests_raise_one_value_error_naming_the_value(kw, match):
    args = dict(method="sgd", lr=0.1, steps=10, **G)
    args.update(kw)
    if args["lr"] is None:
        del args["lr"]
    with pytest.raises(ValueError, match=match):
        dispatch.certified_bound(args.pop("method"), **args)


def test_registered_method_without_calculator():
    others = [name for name, m in METHODS.items() if name not in dispatch.methods()]
    for name in others:  # methods outside GSPA (no certified bound yet)
        with pytest.raises(dispatch.NoCalculatorError, match=f"no certified calculator for "
                           f"method '{name}', choose from sgd, "):  # fmt: skip
            dispatch.certified_bound(name, steps=10, **G)


@pytest.mark.parametrize(
    "schedule,extra,match",
    [
        (
            {"lr": DECAY},
            dict(steps=N + 1, momentum=0.9),
            rf"steps: {N + 1} given but the schedule has {N} ",
        ),
        ({"lr": DECAY, "momentum": DECAY[:-1] / 2}, {}, "schedule lengths differ"),
        ({"lr": [[0.1, 0.2]]}, dict(momentum=0.9), "lr: a schedule must be a 1-D array"),
        ({"lr": DECAY}, dict(momentum=[0.9, 0.5]), "momentum: must be a number next to a "),
        ({}, dict(lr=0.1, momentum=0.9), "schedule: give at least one parameter per step"),
        ({"lr": DECAY, "nu": DECAY}, dict(momentum=0.9), "nu does not apply to method sgdm"),
        ({"lr": DECAY}, {}, "momentum is required for method sgdm"),
    ],
)
def test_bad_schedules(schedule, extra, match):
    with pytest.raises(ValueError, match=match):
        dispatch.certified_bound("sgdm", schedule=schedule, **extra, **G)


@pytest.mark.parametrize(
    "method,params,fun",
    [
        ("sgd", {}, lambda: bounds.best_sgd_lr(steps=N, **G)),
        ("sgdm", dict(momentum=0.9), lambda: bounds.best_sgdm_lr(momentum=0.9, steps=N, **G)),
        ("heavy_ball", dict(momentum=0.5), lambda: bounds.best_sgdm_lr(momentum=0.5, steps=N, **G)),
        ("spa", dict(c=0.3), lambda: bounds.best_spa_eta(c=0.3, steps=N, **G)),
    ],
)
def test_best_step_is_the_search_of_the_method(method, params, fun):
    got, want = dispatch.best_step(method, steps=N, **params, **G), fun()
    assert (got.step, got.bound, got.name) == (want.step, want.bound, want.name)
    at = dispatch.certified_bound(method, **{want.name: got.step}, **params, steps=N, **G)
    assert at == got.bound  # the bound returned is the certified bound at the step


def test_best_step_bad_requests():
    with pytest.raises(ValueError, match="no best-step search for schedule_free"):
        dispatch.best_step("schedule_free", momentum=0.9, steps=N, **G)
    with pytest.raises(ValueError, match="lr: best_step finds it"):
        dispatch.best_step("sgdm", lr=0.1, momentum=0.9, steps=N, **G)
    with pytest.raises(ValueError, match="momentum is required for method sgdm"):
        dispatch.best_step("sgdm", steps=N, **G)


def test_gradient_point_and_family_are_the_registrys():
    assert FAMILY == ("nesterov", "qhm", "schedule_free", "gspa")
    assert [dispatch.gradient_point(m) for m in ("sgd", "sgdm", "spa", "nesterov", "gspa")] == [
        "x", "x", "x", "y", "y"
    ]  # fmt: skip
    from lyapunov import confirm

    assert confirm.FAMILY is FAMILY


def test_a_function_class_or_measure_is_a_table_entry(monkeypatch):
    """A new class is one entry of FUNCTION_CLASSES and one of CALCULATORS: nothing else."""
    monkeypatch.setitem(dispatch.FUNCTION_CLASSES, "toy", "a class for this test")
    with pytest.raises(dispatch.NoCalculatorError, match="no calculators for function_class='toy'"):
        dispatch.certified_bound("sgd", lr=0.1, steps=10, function_class="toy", **G)
    toy = dispatch.Calculator(lambda *, lr, L, sigma2, steps, gap, detail: 42.0)
    monkeypatch.setitem(dispatch.CALCULATORS, ("toy", "avg_grad2"), {"sgd": toy})
    assert dispatch.certified_bound("sgd", lr=0.1, steps=10, function_class="toy", **G) == 42.0
    assert dispatch.methods(function_class="toy") == ("sgd",)


def test_schedule_input_from_a_name_and_a_file(tmp_path):
    s = schedule_input("sgdm", {"lr": 0.1, "momentum": 0.9}, steps=6, kind="step",
                       milestones="2, 4", gamma=0.5)  # fmt: skip
    np.testing.assert_allclose(s.values["lr"], [0.1, 0.1, 0.05, 0.05, 0.025, 0.025])
    np.testing.assert_array_equal(s.values["momentum"], np.full(6, 0.9))
    assert (s.label, s.steps, list(s.values)) == ("step", 6, ["lr", "momentum"])
    f = tmp_path / "s.txt"
    f.write_text("0.1, 0.9\n0.05 0.5\n")
    s = schedule_input("spa", {}, path=f)
    assert s.steps == 2 and s.label == str(f) and s.values["c"].tolist() == [0.9, 0.5]
    with pytest.raises(ValueError, match=r"^c comes from .*s.txt \(its second column\)"):
        schedule_input("spa", {"c": 0.5}, path=f)
    with pytest.raises(ValueError, match=r"^--eta is required: the schedule's first value"):
        schedule_input("spa", {"c": 0.5}, steps=3, kind="cosine", prefix="--")
    assert parse_milestones(None) is None and parse_milestones("3,,5") == [3, 5]
    with pytest.raises(ValueError, match="milestones: must be whole steps"):
        parse_milestones("a,b")


def test_bounds_modules_keep_one_direction():
    """constant <- family (SGD+M with the rest of the family): constant imports no sibling that
    imports it back, and the conversions lr, momentum -> (eta, c) are the registry's."""
    root = Path(dispatch.__file__).parent
    tree = ast.parse((root / "constant.py").read_text())
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level}
    assert not {"family", "best", "schedule", "dispatch"} & imported
    for name in ("constant.py", "why.py", "best.py", "family.py"):
        assert "(1 - m)" not in (root / name).read_text(), name
