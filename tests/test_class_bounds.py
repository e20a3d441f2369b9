"""Calculators in the convex, strongly convex and PL classes: every certified bound is at least
the exact worst case over its class (lyapunov.pep, its own facts), P14 meets it, and bad input
gets a ValueError naming the value and what is allowed."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lyapunov import bounds, pep
from lyapunov.bounds.classes import class_bound

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
    assert r.theorem[0] == "P15" and "region" in r.reason[1]
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
        ({"function_class": "convex_lipschitz", "G": 1.0, "distance": 1}, "no certified theorem"),
    ],
)
def test_bad_input(kw, match):
    with pytest.raises(ValueError, match=match):
        class_bound("sgd", lr=0.5, L=1.0, sigma2=0.0, steps=10, **kw)


def test_a_method_without_a_theorem_in_the_class_is_refused():
    with pytest.raises(ValueError, match="no certified theorem for sgdm"):
        class_bound(
            "sgdm", function_class="smooth_convex", lr=0.1, L=1, sigma2=0, steps=10, distance=1
        )
