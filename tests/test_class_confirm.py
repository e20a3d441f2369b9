"""Monte-Carlo confirmation of the certified class bounds (lyapunov.studies.classes): each
class's simulated mean and its interval lie under the bound, the seed reproduces the numbers,
a "bound" ten times too small is caught, and the simulated measure is the right one."""

from __future__ import annotations

import numpy as np
import pytest

from lyapunov import objectives as objs
from lyapunov.studies.classes import confirm_class, worst_cases

RUNS = 400
# (objective, method, parameters, sigma2): one member of each class with a certified bound
CASES = {
    "smooth_convex": ("logistic", "sgd", {"lr": 1 / objs.make("logistic").L}, 1e-3),
    "smooth_strongly_convex": ("convex_quadratic", "sgd", {"lr": 1.0}, 1e-2),
    "pl": (objs.SineSquaredPL(10, a=0.125), "sgd", {"lr": 1.0}, 1e-3),
    "convex_lipschitz": ("l1", "schedule_free", {"lr": 0.1, "momentum": 0.9}, 0.1),
}
# where the members above stay far below the bound (logistic regression and x^2 + 3 sin^2 x are
# easy instances), a strongly convex quadratic with much noise comes within 10x of it
CLOSE = {
    **CASES,
    "smooth_convex": ("convex_quadratic", "sgd", {"lr": 1.0}, 1.0),
    "pl": ("convex_quadratic", "sgd", {"lr": 1.0}, 1.0),
}


def _run(cls_name, steps=(1, 5, 20), seed=0, cases=CASES, **kw):
    obj, method, params, sigma2 = cases[cls_name]
    return confirm_class(obj, method, steps=list(steps), sigma2=sigma2, runs=RUNS, seed=seed,
                         function_class=cls_name, **params, **kw)  # fmt: skip


@pytest.fixture(scope="module")
def results():
    return {c: _run(c) for c in CASES}


@pytest.mark.parametrize("cls_name", list(CASES))
def test_simulated_mean_and_interval_under_the_bound(results, cls_name):
    r = results[cls_name]
    assert r.function_class == cls_name and list(r.n) == [1, 5, 20]
    assert np.all(np.isfinite(r.bound)) and np.all(r.diverged == 0)
    assert np.all(r.ci_low <= r.mean) and np.all(r.mean <= r.ci_high)
    assert np.all(r.ci_high <= r.bound), (r.ci_high, r.bound)
    assert r.outcomes() == ["confirmed"] * 3 and r.confirmed


@pytest.mark.parametrize("cls_name", list(CLOSE))
def test_a_bound_ten_times_too_small_is_caught(results, cls_name):
    """Where the simulation comes closest to the bound (within 10x), the bound / 10 is
    detected as violated: the check can fail, in every class."""
    r = results[cls_name] if CLOSE[cls_name] is CASES[cls_name] else _run(cls_name, cases=CLOSE)
    assert r.confirmed
    i = int(np.argmax(r.mean / r.bound))
    assert r.ci_low[i] > r.bound[i] / 10
    verdicts = r.outcomes(r.bound / 10)
    assert verdicts[i] == "violated"


def test_seed_reproduces_the_numbers():
    a, b = _run("convex_lipschitz", seed=3), _run("convex_lipschitz", seed=3)
    for k in ("bound", "mean", "ci_low", "ci_high"):
        np.testing.assert_array_equal(getattr(a, k), getattr(b, k))
    c = _run("convex_lipschitz", seed=4)
    np.testing.assert_array_equal(a.bound, c.bound)
    assert not np.array_equal(a.mean, c.mean)


def test_horizons_share_their_random_numbers():
    """The run of n steps is the start of every longer run: one horizon alone gives the same."""
    both = _run("smooth_strongly_convex", steps=(3, 8))
    alone = _run("smooth_strongly_convex", steps=(8,))
    assert both.mean[1] == alone.mean[0] and both.ci_high[1] == alone.ci_high[0]


def test_simulated_distance_matches_the_exact_expectation_on_the_quadratic():
    """SGD on (1/2) e^T H e: E|x_n - x_*|^2 = sum_i (1 - lr l_i)^(2n) e_i^2
    + (sigma2/d) lr^2 sum_i sum_{j<n} (1 - lr l_i)^(2j); it lies in the 99% interval."""
    obj = objs.ConvexQuadratic(10, mu=0.1, L=1.0)
    lr, sigma2, ns = 0.5, 0.05, [2, 10, 40]
    r = confirm_class(obj, "sgd", steps=ns, lr=lr, sigma2=sigma2, runs=2000, seed=1)
    e = obj.Q.T @ (obj.x0() - obj.x_star)
    q = (1 - lr * obj.spectrum) ** 2
    for i, n in enumerate(ns):
        exact = np.sum(q**n * e**2) + sigma2 / obj.dim * lr**2 * np.sum((1 - q**n) / (1 - q))
        assert r.ci_low[i] <= exact <= r.ci_high[i]


def test_exact_worst_cases_under_the_deterministic_bound():
    """The class's exact worst case (PEP) is at most the certified bound at sigma2 = 0, and
    equals it for P14 (exact without noise) and Drori-Teboulle's L D^2/(4n + 2) for SGD at
    lr = 1/L on smooth convex f."""
    q = objs.make("convex_quadratic")
    ns = [2, 5]
    det = confirm_class(q, "sgd", steps=ns, lr=1.0, runs=2)
    wc = worst_cases(q, "sgd", steps=ns, lr=1.0)
    np.testing.assert_allclose(wc, det.bound, rtol=1e-5)
    lg = objs.make("logistic")
    wc = worst_cases(lg, "sgd", steps=ns, lr=1 / lg.L)
    np.testing.assert_allclose(wc, lg.L * lg.distance() ** 2 / (4 * np.array(ns) + 2), rtol=1e-5)
    det = confirm_class(lg, "sgd", steps=ns, lr=1 / lg.L, runs=2)
    assert np.all(wc <= det.bound)


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="objective: must be a ClassObjective"):
        confirm_class("cosine", steps=2, lr=0.1)
    with pytest.raises(ValueError, match="function_class: l1 is declared in convex_lipschitz"):
        confirm_class("l1", "sgd", steps=2, lr=0.1, function_class="smooth_convex")
    with pytest.raises(ValueError, match="measure: no certified theorem bounds avg_gap of sgd "):
        confirm_class("logistic", "sgd", steps=2, lr=0.1, measure="avg_gap")
    with pytest.raises(ValueError, match="function_class: must be a class with a last-iterate"):
        confirm_class("pl_sine", "sgd", steps=2, lr=0.1, function_class="smooth")
    with pytest.raises(ValueError, match="level: must be a float in"):
        confirm_class("logistic", "sgd", steps=2, lr=0.1, level=99)
    with pytest.raises(ValueError, match="steps: must be an integer >= 1"):
        confirm_class("logistic", "sgd", steps=[0, 2], lr=0.1)
