"""Calculators in the convex, strongly convex and PL classes: every certified bound is at least
the exact worst case over its class (lyapunov.pep, its own facts), P14 meets it, and bad input
gets a ValueError naming the value and what is allowed."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lyapunov import bounds, pep
from lyapunov.bounds import best_step, certified_bound, dispatch
from lyapunov.bounds.classes import CLASSES, MEASURES, class_bound, class_theorems

CASES = [
    # (function_class, measure, extra class constants, initial condition)
    ("smooth_convex", "last_gap", {}, {"distance": 1.0}),
    ("smooth_strongly_convex", "last_dist2", {"mu": 0.1}, {"distance": 1.0}),
    ("pl", "last_gap", {"mu": 0.1}, {"gap": 1.0}),
]


@pytest.mark.parametrize("lr, momentum", [(0.05, 0.5), (0.3, 0.5), (0.5, 0.1), (0.2, 0.3)])
def test_sgdm_average_gap_is_at_least_the_exact_worst_case(lr, momentum):
    """P17 in the optimizer's (lr, momentum), against the worst case of the same average."""
    kw = dict(lr=lr, momentum=momentum, L=1.0, steps=8, distance=1.0)
    b = class_bound("sgdm", function_class="smooth_convex", measure="avg_gap", sigma2=0, **kw)
    w = pep.solve("sgdm", function_class="smooth_convex", measure="avg_gap", **kw).value
    assert np.isfinite(b) and b >= w * (1 - 1e-6), (b, w)
    # the same theorem in SPA coordinates
    spa = class_bound(
        "spa",
        function_class="smooth_convex",
        measure="avg_gap",
        eta=lr / (1 - momentum),
        c=1 - momentum,
        L=1.0,
        sigma2=0,
        steps=8,
        distance=1.0,
    )
    assert spa == pytest.approx(b, rel=1e-12)


@pytest.mark.parametrize(
    "cls, consts", [("smooth_convex", {"L": 1.0}), ("convex_lipschitz", {"G": 1.0})]
)
@pytest.mark.parametrize("lr, momentum, steps", [(1.0, 0.0, 4), (0.5, 0.9, 6), (0.8, 1.0, 5)])
def test_schedule_free_last_iterate_is_at_least_the_exact_worst_case(
    cls, consts, lr, momentum, steps
):
    """P16 (Lipschitz) and P18 (smooth) for every momentum in [0, 1], 1 included (P16b, P18b)."""
    kw = dict(lr=lr, momentum=momentum, steps=steps, distance=1.0, **consts)
    b = class_bound("schedule_free", function_class=cls, sigma2=0, detail=True, **kw)
    assert b.theorem.endswith("b" if momentum == 1 else "a")
    if momentum == 1:  # the exact worst case of SPA with c_k = 1/(k + 1): the same method
        return
    w = pep.solve("schedule_free", function_class=cls, measure="last_gap", **kw).value
    assert b.value >= w * (1 - 1e-6), (b.value, w)


def test_sgdm_outside_its_region_says_why():
    r = class_bound(
        "sgdm",
        function_class="smooth_convex",
        measure="avg_gap",
        lr=0.1,
        momentum=0.9,
        L=1,
        sigma2=0,
        steps=10,
        distance=1,
        detail=True,
    )
    assert r.value == math.inf and "lr/(1 - momentum)" in r.reason


@pytest.mark.parametrize("cls, measure, consts, init", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("lr, steps", [(1.0, 5), (0.5, 10), (0.9, 3)])
def test_bound_is_at_least_the_exact_worst_case(cls, measure, consts, init, lr, steps):
    b = class_bound(
        "sgd",
        function_class=cls,
        measure=measure,
        lr=lr,
        L=1,
        sigma2=0,
        steps=steps,
        **consts,
        **init,
    )
    w = pep.solve(
        "sgd", steps=steps, L=1, function_class=cls, measure=measure, lr=lr, **consts, **init
    ).value
    assert b >= w * (1 - 1e-6), (b, w)
    if cls == "smooth_strongly_convex":  # P14 is exact without noise
        assert b == pytest.approx(w, rel=1e-5)
    if cls == "smooth_convex" and lr == 1.0:  # L D^2/(2n) against Drori-Teboulle L D^2/(4n+2)
        assert b / w == pytest.approx((4 * steps + 2) / (2 * steps), rel=1e-5)


def test_bounds_sgd_takes_a_class():
    v = bounds.sgd(
        lr=1.0, L=1.0, sigma2=0.0, steps=10, function_class="smooth_convex", distance=2.0
    )
    assert v == pytest.approx(4.0 / 20)
    r = bounds.sgd(
        lr=[0.5, 3.0],
        L=1.0,
        sigma2=0.1,
        steps=10,
        function_class="pl",
        mu=0.5,
        gap=1.0,
        detail=True,
    )
    assert np.isfinite(r.value[0]) and r.value[1] == math.inf
    assert r.theorem[0] == "P15" and r.reason[1] == "P15: L*lr < 2 fails: L*lr = 3"
    assert r.measure == "last_gap"


def test_noise_floor_of_pl_and_strongly_convex():
    """n -> infinity: the floors L lr sigma2/(2 mu (2 - L lr)) and lr sigma2/(mu (2 - mu lr))."""
    pl = class_bound("sgd", function_class="pl", lr=0.5, L=1, mu=0.2, sigma2=1, steps=10**6, gap=1)
    assert pl == pytest.approx(0.5 / (2 * 0.2 * 1.5))
    sc = class_bound(
        "sgd",
        function_class="smooth_strongly_convex",
        lr=0.5,
        L=1,
        mu=0.2,
        sigma2=1,
        steps=10**6,
        distance=1,
    )
    assert sc == pytest.approx(0.5 / (0.2 * (2 - 0.2 * 0.5)))


@pytest.mark.parametrize(
    "kw, match",
    [
        ({"function_class": "convex_quadratic"}, "function_class: must be one of"),
        (
            {"function_class": "pl", "mu": 0.1, "gap": 1, "measure": "last_dist2"},
            "measure: must be",
        ),
        ({"function_class": "smooth_strongly_convex", "distance": 1}, "mu: required"),
        ({"function_class": "smooth_strongly_convex", "mu": 1.0, "distance": 1}, "mu: must be <"),
        ({"function_class": "smooth_strongly_convex", "mu": 0.0, "distance": 1}, "mu: must be > 0"),
        ({"function_class": "pl", "mu": 2.0, "gap": 1}, "mu: must be <="),
        ({"function_class": "smooth_convex"}, "distance: required"),
        ({"function_class": "smooth_convex", "distance": -1.0}, "distance: must be >= 0"),
        ({"function_class": "smooth_convex", "distance": float("nan")}, "distance"),
        ({"function_class": "pl", "mu": 0.1}, "gap: required"),
        ({"function_class": "smooth_convex", "distance": 1, "G": 1.0}, "G: not a constant"),
        ({"function_class": "smooth_convex", "distance": 1, "mu": 0.1}, "mu: not a constant"),
        ({"function_class": "smooth_convex", "distance": 1, "gap": -1.0}, "gap: must be >= 0"),
        ({"function_class": "pl", "mu": 0.1, "gap": 1, "distance": -1}, "distance: must be >= 0"),
        (
            {"function_class": "smooth_strongly_convex", "mu": 0.1, "distance": 1, "measure": "x"},
            "measure: must be last_dist2",
        ),
        ({"function_class": "convex_lipschitz", "G": 1.0, "distance": 1}, "no certified theorem"),
    ],
)
def test_bad_input(kw, match):
    with pytest.raises(ValueError, match=match):
        class_bound("sgd", lr=0.5, L=1.0, sigma2=0.0, steps=10, **kw)


def test_a_method_without_a_theorem_in_the_class_is_refused_naming_what_is_certified():
    with pytest.raises(ValueError) as exc:
        class_bound(
            "schedule_free",
            function_class="pl",
            lr=0.1,
            momentum=0.5,
            L=1,
            mu=0.1,
            sigma2=0,
            steps=10,
        )
    msg = str(exc.value)
    assert msg.startswith("function_class: no certified theorem for schedule_free in class 'pl'")
    assert "certified there: sgd, sgdm, spa;" in msg
    assert "classes with a theorem for schedule_free: smooth, " in msg
    # a class with a theorem for the method, but on another measure: the measure is named
    with pytest.raises(ValueError, match=r"^measure: .* sgdm .*\(there it bounds: last_gap\)"):
        class_bound(
            "sgdm",
            function_class="smooth_strongly_convex",
            measure="last_dist2",
            lr=0.1,
            momentum=0.5,
            L=1,
            mu=0.1,
            sigma2=0,
            steps=10,
            distance=1,
        )


# -- the calculators and the dispatcher take the class keywords uniformly ----------------------
SGDM_CONVEX = dict(L=1.0, sigma2=0.01, steps=20, function_class="smooth_convex", distance=1.0)


@pytest.mark.parametrize("measure, theorem", [("avg_gap", "P17"), ("last_gap", "P21a")])
def test_sgdm_and_spa_take_a_class_and_agree_with_the_theorem_in_either_coordinates(
    measure, theorem
):
    kw = dict(**SGDM_CONVEX, measure=measure)
    r = bounds.sgdm(lr=0.3, momentum=0.5, **kw, detail=True)  # eta = 0.6, c = 0.5
    assert r.theorem == theorem and r.measure == measure
    same = bounds.spa(eta=0.6, c=0.5, **kw)
    assert same == pytest.approx(r.value, rel=1e-12)
    assert r.value == class_bound("sgdm", lr=0.3, momentum=0.5, **kw)
    with_gap = bounds.sgdm(lr=0.3, momentum=0.5, **kw, gap=0.1)  # f(x_0) - f_* given
    assert with_gap < r.value  # the default gap is L distance^2 / 2 = 0.5


def test_sgdm_in_smooth_convex_bounds_the_last_iterate_by_default():
    """Like sgd and schedule_free there: last_gap, from P21 (P21b, w = 0, at small steps)."""
    r = bounds.sgdm(lr=0.1, momentum=0.5, **SGDM_CONVEX, detail=True)  # L eta = 0.2
    assert r.theorem == "P21b" and r.measure == "last_gap"
    # w = 0: D^2 / (2 eta n) + noise, whatever f(x_0) - f_* is
    assert r.value == bounds.sgdm(lr=0.1, momentum=0.5, **SGDM_CONVEX, gap=0.01)
    assert r.value > 1.0 / (2 * 0.2 * 20)


@pytest.mark.parametrize(
    "method, params",
    [
        ("sgd", {"lr": 0.5}),
        ("sgdm", {"lr": 0.1, "momentum": 0.5}),
        ("heavy_ball", {"lr": 0.1, "momentum": 0.5}),
        ("spa", {"eta": 0.2, "c": 0.5}),
        ("schedule_free", {"lr": 0.5, "momentum": 0.9}),
    ],
)
def test_certified_bound_routes_a_class_to_the_class_calculator(method, params):
    got = certified_bound(method, **params, **SGDM_CONVEX, detail=True)
    name = "sgdm" if method == "heavy_ball" else method
    want = class_bound(name, **params, **SGDM_CONVEX, detail=True)
    assert got == want and np.isfinite(got.value) and got.measure in MEASURES["smooth_convex"]
    assert got.value == getattr(bounds, name)(**params, **SGDM_CONVEX)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: bounds.sgdm(lr=0.1, momentum=0.5, L=1, sigma2=0, steps=9, gap=1, mu=0.1), "^mu: "),
        (lambda: bounds.spa(eta=0.1, c=0.5, L=1, sigma2=0, steps=9, gap=1, G=1), "^G: "),
        (
            lambda: bounds.spa(eta=0.1, c=0.5, L=1, sigma2=0, steps=9, gap=1, measure="last_gap"),
            "^measure: must be avg_grad2 for function_class='smooth'",
        ),
        (
            lambda: bounds.sgd(lr=0.1, L=1, sigma2=0, steps=9, gap=1, distance=1),
            "^distance: not a constant of function_class='smooth'",
        ),
        (
            lambda: bounds.schedule_free(
                lr=0.1, momentum=0.5, L=1, sigma2=0, steps=9, function_class="pl", mu=0.1, gap=1
            ),
            "^function_class: no certified theorem for schedule_free in class 'pl'",
        ),
        (
            lambda: bounds.sgdm(lr=0.1, momentum=0.5, nesterov=True, **SGDM_CONVEX),
            "^function_class: no certified theorem for nesterov in class 'smooth_convex'",
        ),
        (
            lambda: certified_bound("qhm", lr=0.1, momentum=0.5, nu=0.5, **SGDM_CONVEX),
            "classes with a theorem for qhm: smooth\\)$",
        ),
        (
            lambda: certified_bound("sgd", schedule={"lr": [0.1, 0.2]}, **SGDM_CONVEX),
            "^schedule: no certified calculator for a schedule in function_class=",
        ),
        (
            lambda: best_step("sgd", L=1, sigma2=0, steps=9, gap=1, function_class="pl"),
            "^function_class: no best-step search in 'pl'",
        ),
        (
            lambda: certified_bound("sgd", lr=0.1, **{**SGDM_CONVEX, "function_class": "convex"}),
            "^function_class: unknown function class 'convex'",
        ),
    ],
)
def test_bad_class_requests_name_the_keyword_and_what_is_available(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_the_start_may_be_described_in_full_where_the_bound_needs_less():
    """distance and gap describe x_0, not the class: given both, each theorem uses its own."""
    both = {"distance": 1.0, "gap": 0.5, "L": 1.0, "sigma2": 0.0, "steps": 10, "lr": 0.5}
    for cls, consts in (("smooth_convex", {}), ("pl", {"mu": 0.1})):
        need = {"smooth_convex": {"distance": 1.0}, "pl": {"gap": 0.5}}[cls]
        alone = {k: v for k, v in both.items() if k not in ("distance", "gap")} | need
        assert class_bound("sgd", function_class=cls, **both, **consts) == class_bound(
            "sgd", function_class=cls, **alone, **consts
        )


def test_every_class_and_measure_is_described_once_in_the_dispatcher():
    assert set(dispatch.FUNCTION_CLASSES) == set(CLASSES)
    assert {m for ms in MEASURES.values() for m in ms} <= set(dispatch.MEASURES)
    for method, cls, measure in class_theorems():
        assert method in dispatch.methods(function_class=cls, measure=measure)


@pytest.mark.parametrize(
    "calculator,step,mix,sgd_at",
    [(bounds.sgdm, "lr", "momentum", 0.0), (bounds.spa, "eta", "c", 1.0)],
)
def test_sgd_inside_sgdm_and_spa_on_smooth_convex_is_p13(calculator, step, mix, sgd_at):
    # momentum 0 (c = 1) is SGD, outside P21's region: the calculator falls back to P13, the
    # same number as bounds.sgd at lr = step, only there, with P13's reason where it fails
    kw = dict(L=1.0, sigma2=0.01, steps=10, function_class="smooth_convex", distance=1.0)
    near = 1e-12 if sgd_at == 0.0 else 1 - 1e-12
    res = calculator(**{step: 0.5, mix: np.array([sgd_at, near, 0.5])}, **kw, detail=True)
    assert list(res.theorem) == ["P13", "P21b", "P21a"]
    assert res.value[0] == bounds.sgd(lr=0.5, **kw)
    assert np.isfinite(res.value).all()
    off = calculator(**{step: 1.5, mix: sgd_at}, **kw, detail=True)
    assert off.value == np.inf and f"P13: L*{step} <= 1 fails" in off.reason


def test_one_theorem_behind_two_calculators_keeps_their_argument_names():
    kw = dict(L=1.0, sigma2=0.01, steps=10, function_class="smooth_convex", distance=1.0)
    assert bounds.sgdm(lr=0.3, momentum=0.0, **kw) == bounds.spa(eta=0.3, c=1.0, **kw)
