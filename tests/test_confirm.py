"""Confirmation: Monte-Carlo means and intervals under the certified bounds."""

import json
import math

import numpy as np
import pytest

from lyapunov import bounds
from lyapunov.confirm import confirm, format_rows, jsonable, suite

KEYS = {"empirical", "ci_low", "ci_high", "bound", "diverged", "passed", "ratio", "gap"}


def test_confirm_one_configuration():
    r = confirm(
        "cosine",
        "sgdm",
        lr=0.05,
        momentum=0.9,
        steps=100,
        runs=40,
        sigma2=0.1,
        dim=8,
        engine="numpy",
    )
    assert set(r) >= KEYS
    assert r["ci_low"] < r["empirical"] < r["ci_high"] < r["bound"] < math.inf
    assert r["passed"] is True and r["diverged"] == 0
    ref = bounds.sgdm(lr=0.05, momentum=0.9, L=1.0, sigma2=0.1, steps=100, gap=r["gap"])
    assert r["bound"] == pytest.approx(ref)


def test_confirm_spa_sgd_and_minibatch():
    r = confirm(
        "rosenbrock", "spa", eta=0.5, c=0.1, steps=60, runs=20, sigma2=0.05, dim=6, engine="numpy"
    )
    assert r["passed"] is True and r["calculator"] == "spa"
    r = confirm("lsq", "sgd", lr=0.3, steps=60, runs=20, sigma2=0.05, dim=6, engine="numpy")
    assert r["passed"] is True and r["calculator"] == "sgd"
    r = confirm("lsq", "sgdm", lr=0.05, momentum=0.5, steps=60, runs=20, batch=1, dim=6)
    assert r["passed"] is True and r["sigma2"] > 0 and "note" in r


def test_divergence_is_reported_not_averaged():
    r = confirm("quadratic", "sgd", lr=10.0, steps=50, runs=5, sigma2=0.01, dim=3, engine="numpy")
    assert r["diverged"] == 5 and math.isnan(r["empirical"]) and r["passed"] is None
    # the chain of P24 and P10 certifies this run (its bound ~ (L lr - 1)^100 / 50 allows runs
    # far beyond the blow-up threshold): not a violation
    assert math.isfinite(r["bound"]) and r["bound"] > 1e80 and r["outcome"] == "inconclusive"
    r = confirm("quadratic", "sgd", lr=10.0, steps=5000, runs=5, sigma2=0.01, dim=3, engine="numpy")
    assert r["diverged"] == 5 and r["passed"] is None and r["bound"] == math.inf
    text = json.dumps(jsonable(r), allow_nan=False)
    assert '"empirical": null' in text and '"bound": "inf"' in text


def test_a_divergence_is_an_alarm_only_below_the_blow_up_scale():
    from lyapunov.confirm import outcome

    assert outcome(1.0, 2.0, 3.0, diverged=1, alarm=1e12) == ("violated", False)
    assert outcome(1.0, 2.0, 1e20, diverged=1, alarm=1e12) == ("inconclusive", None)
    assert outcome(1.0, 2.0, 1e20, diverged=0, alarm=1e12) == ("confirmed", True)


def test_a_schedule_without_calculator_is_skipped():
    lr = np.linspace(0.05, 0.01, 30)
    r = confirm(
        "cosine", "schedule_free", lr=lr, momentum=0.5, steps=30, runs=5, sigma2=0.1, dim=4,
        engine="numpy",
    )  # fmt: skip
    assert r["bound"] is None and r["passed"] is None and r["outcome"] == "no bound"
    why = r["calculator"]
    assert why.startswith("no calculator for schedule_free with a schedule (schedules: ")


def test_the_calculator_is_the_dispatchers():
    """Heavy ball is SGD+M (P1); schedules use the schedule calculators, the same numbers."""
    from lyapunov.confirm import certified_bound

    g = dict(L=1.0, sigma2=0.1, steps=30, gap=2.0)
    one = {"lr": np.array([0.05]), "momentum": np.array([0.9])}
    assert certified_bound("heavy_ball", one, **g) == (
        bounds.sgdm(lr=0.05, momentum=0.9, **g),
        "sgdm",
    )
    lr = np.linspace(0.05, 0.01, 30)
    value, name = certified_bound("sgdm", {"lr": lr, "momentum": np.array([0.9])}, **g)
    g.pop("steps")
    assert name == "sgdm_schedule"
    assert value == bounds.sgdm_schedule(lr=lr, momentum=np.full(30, 0.9), **g)
    c = np.linspace(0.5, 0.1, 30)
    gs = {"eta": np.array([0.5]), "c": c, "beta": np.array([0.5])}
    assert certified_bound("gspa", gs, steps=30, **g) == (
        bounds.gspa_schedule(eta=np.full(30, 0.5), c=c, beta=0.5, **g),
        "gspa_schedule",
    )
    gs["beta"] = c
    value, why = certified_bound("gspa", gs, steps=30, **g)
    assert value is None and why.startswith("no calculator for gspa with a schedule of beta")


def test_suite_every_interval_under_its_bound():
    rows = suite(
        ("cosine", "lsq", "rosenbrock", "net"),
        dim=6,
        steps=60,
        runs=24,
        sigma2s=(0.0, 0.1),
        engine="numpy",
    )
    assert len(rows) >= 4 * 2 * 6
    assert not [r for r in rows if r["passed"] is False], format_rows(rows)
    checked = [r for r in rows if r["passed"]]
    assert len(checked) >= 4 * 2 * 6  # every constant configuration has a finite bound
    assert all(r["ci_high"] <= r["bound"] for r in checked)
    assert "ok" in format_rows(rows)


@pytest.mark.parametrize(
    "kw,match",
    [(dict(runs=1), "runs"), (dict(level=1.5), "level"), (dict(lr=[[0.1], [0.2]]), "lr")],
)
def test_confirm_validation(kw, match):
    args = dict(lr=0.1, momentum=0.5, steps=10, runs=4, sigma2=0.1, engine="numpy")
    args.update(kw)
    with pytest.raises(ValueError, match=match):
        confirm("cosine", "sgdm", **args)
