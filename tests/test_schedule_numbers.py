"""A schedule next to a number: the number is the same at every step (numpy's broadcasting of
a scalar), for every schedule calculator and conversion; two numbers, a 2-D array or schedules
of different lengths are refused with a message naming the parameters."""

from __future__ import annotations

import numpy as np
import pytest

from lyapunov import bounds
from lyapunov.convert import schedule_to_pytorch, schedule_to_spa

ETA = np.linspace(1.0, 0.5, 12)
LR = np.linspace(0.1, 0.05, 12)
MOM = np.linspace(0.5, 0.9, 12)
COMMON = dict(L=1.0, sigma2=0.01, gap=1.0)


def _full(v):
    return np.full(12, v)


@pytest.mark.parametrize(
    "fn,number,schedule",
    [
        (bounds.spa_schedule, dict(eta=ETA, c=0.3), dict(eta=ETA, c=_full(0.3))),
        (bounds.spa_schedule, dict(eta=0.8, c=MOM), dict(eta=_full(0.8), c=MOM)),
        (bounds.sgdm_schedule, dict(lr=LR, momentum=0.9), dict(lr=LR, momentum=_full(0.9))),
        (bounds.sgdm_schedule, dict(lr=0.1, momentum=MOM), dict(lr=_full(0.1), momentum=MOM)),
        (bounds.gspa_schedule, dict(eta=ETA, c=0.5, beta=0.5), dict(eta=ETA, c=_full(.5), beta=.5)),
    ],
)  # fmt: skip
def test_a_number_is_the_same_at_every_step(fn, number, schedule):
    got = fn(**number, **COMMON)
    assert np.isfinite(got) and got > 0
    assert got == fn(**schedule, **COMMON)


def test_conversions_take_a_number_next_to_a_schedule():
    lr, mom = schedule_to_pytorch(eta=ETA, c=0.3)
    lr2, mom2 = schedule_to_pytorch(eta=ETA, c=np.full(12, 0.3))
    np.testing.assert_array_equal(lr, lr2)
    np.testing.assert_array_equal(mom, mom2)
    eta, c = schedule_to_spa(lr=LR, momentum=0.9)
    eta2, c2 = schedule_to_spa(lr=LR, momentum=np.full(12, 0.9))
    np.testing.assert_array_equal(eta, eta2)
    np.testing.assert_array_equal(c, c2)


@pytest.mark.parametrize(
    "call,message",
    [
        (lambda: bounds.spa_schedule(eta=0.5, c=0.3, **COMMON), "eta or c: give a schedule"),
        (lambda: bounds.sgdm_schedule(lr=0.1, momentum=0.9, **COMMON), "lr or momentum: give"),
        (lambda: bounds.spa_schedule(eta=[[0.5, 0.4]], c=0.3, **COMMON), "eta: a schedule must"),
        (lambda: bounds.spa_schedule(eta=ETA, c=[0.3, 0.2], **COMMON), "schedule lengths differ"),
        (lambda: bounds.gspa_schedule(eta=0.5, c=0.5, beta=0.5, **COMMON), "eta or c: give a"),
        (lambda: schedule_to_spa(lr=0.1, momentum=0.9), "lr or momentum: give a schedule"),
    ],
)  # fmt: skip
def test_what_is_not_a_schedule_is_refused(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# -- a constant schedule is a run at constant parameters ---------------------------------------


@pytest.mark.parametrize(
    "schedule_fn,constant_fn,params,n",
    [
        # past L eta = 2 - c over 17 steps: both are the chain of P24 and P10, the same numbers
        (bounds.spa_schedule, bounds.spa, dict(eta=1.515, c=0.5), 17),
        (bounds.sgdm_schedule, bounds.sgdm, dict(lr=1.03, momentum=0.001), 17),
        # tiny steps: P11 with its weights searched per point, far below P12's chain
        (bounds.gspa_schedule, bounds.gspa, dict(eta=0.004, c=0.5, beta=0.7), 17),
    ],
)
def test_a_constant_schedule_gets_the_constant_calculators_bound(
    schedule_fn, constant_fn, params, n
):
    first, *rest = params
    per_step = {first: np.full(n, params[first]), **{k: params[k] for k in rest}}
    got = schedule_fn(**per_step, **COMMON, detail=True)
    same = constant_fn(**params, **COMMON, steps=n, detail=True)
    assert np.isfinite(same.value)
    assert got.value == same.value and got.reason == ""
    assert got.theorem == same.theorem or got.theorem.endswith(same.theorem)  # P2+ for sgdm
    # a schedule that changes is not a constant run: the schedule's own theorem, never the
    # constant calculator's label (unless both are the chain)
    changing = {**per_step, first: np.linspace(params[first], params[first] / 2, n)}
    other = schedule_fn(**changing, **COMMON, detail=True)
    assert other.theorem != same.theorem or other.theorem in ("P24+P10", "P25")


def test_a_long_constant_schedule_takes_the_smaller_of_the_two():
    """Over 5000 steps past L eta = 2 - c the constant calculator has P4c (the chain step by
    step stops at 4096 steps there) and the schedule its own chain, which is smaller here."""
    n = 5000
    got = bounds.spa_schedule(eta=np.full(n, 1.515), c=0.5, **COMMON, detail=True)
    same = bounds.spa(eta=1.515, c=0.5, **COMMON, steps=n, detail=True)
    assert same.theorem == "P4c" and got.theorem == "P24+P10" and got.value < same.value


def test_a_constant_schedule_is_never_looser_than_before():
    """Where P8's own chain is the smaller, it stays (the least of the two is taken)."""
    per_step = dict(eta=np.full(12, 0.5), c=0.5)
    got = bounds.spa_schedule(**per_step, L=np.array([1.0, 2.0]), sigma2=0.1, gap=1.0, detail=True)
    const = bounds.spa(eta=0.5, c=0.5, L=np.array([1.0, 2.0]), sigma2=0.1, gap=1.0, steps=12)
    assert np.all(got.value <= const) and np.all(np.isfinite(got.value))
