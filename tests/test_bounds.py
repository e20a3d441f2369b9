"""Bound calculators: values from the certified expressions, validation, broadcasting, soundness."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from lyapunov.proofs import p3_sgd_descent as p3
from lyapunov.proofs import p4_spa_descent as p4
from lyapunov.proofs import p4b_spa_descent_primal_family as p4b

from lyapunov import bounds
from lyapunov.methods import spa_step

COMMON = dict(L=1.0, sigma2=0.0, steps=12, gap=1.0)


def exact_rate(th, subs, gap, steps):
    return float(th.rate(sp.Rational(gap), sp.Integer(steps)).subs(subs))


@pytest.mark.parametrize("eta,c", [(0.1, 0.1), (0.5, 0.5), (0.25, 0.2), (1.0, 1.0), (1.2, 0.8)])
@pytest.mark.parametrize("sigma2", [0.0, 0.3])
def test_spa_matches_the_certified_expression(eta, c, sigma2):
    got = bounds.spa(eta=eta, c=c, L=2.0, sigma2=sigma2, steps=50, gap=3.0)
    subs = {
        p4.eta: sp.nsimplify(eta),
        p4.c: sp.nsimplify(c),
        p4.L: 2,
        p4.sigma2: sp.nsimplify(sigma2),
    }
    from lyapunov.bounds.horizon import horizon_bound

    # the horizon-aware chain (P8 + P10, tests/test_horizon.py) where it is smaller
    hz = horizon_bound(eta=eta, c=c, L=2.0, sigma2=sigma2, steps=50, gap=3.0)
    inside = p4.theorem.region.contains(subs)
    if inside:
        want = exact_rate(p4.theorem, subs, 3, 50)
        assert got == pytest.approx(min(want, hz), rel=1e-12) and got <= want * (1 + 1e-12)
    else:  # beyond P4: P4c's bound at its searched weights (tests/test_bounds_large_step.py)
        from lyapunov.bounds.large_step import p4c_rate

        want = p4c_rate().bounds(eta, c, 2.0, sigma2, 50, 3.0)[0]
        assert got == min(want, hz) and np.isfinite(want) == (
            2 * eta < 4 * (2 - c) ** 2 / ((2 - c) ** 2 + c**2)
        )


def test_sgd_formula_and_sgdm_conversion():
    lr, L, s2, n, gap = 0.3, 2.0, 0.5, 100, 2.0
    want = 2 * gap / (n * lr * (2 - L * lr)) + L * lr * s2 / (2 - L * lr)
    p3 = bounds.rates()["P3"](eta=lr, L=L, sigma2=s2, steps=n, gap=gap)
    assert p3 == pytest.approx(want, rel=1e-12)
    # SGD+M with momentum 0 is SGD; SPA at c = 1 is SGD: P3's value or the horizon chain's
    # (P8 + P10), which is smaller at a finite horizon
    from lyapunov.bounds.horizon import horizon_bound

    hz = horizon_bound(eta=lr, c=1.0, L=L, sigma2=s2, steps=n, gap=gap)
    assert hz < want
    for got in (
        bounds.sgd(lr=lr, L=L, sigma2=s2, steps=n, gap=gap),
        bounds.sgdm(lr=lr, momentum=0.0, L=L, sigma2=s2, steps=n, gap=gap),
        bounds.spa(eta=lr, c=1.0, L=L, sigma2=s2, steps=n, gap=gap),
    ):
        assert got == pytest.approx(min(want, hz), rel=1e-12)
    # torch parameters: lr = c eta, momentum = 1 - c
    a = bounds.sgdm(lr=0.02, momentum=0.8, L=1.0, sigma2=0.1, steps=10, gap=1.0)
    b = bounds.spa(eta=0.1, c=0.2, L=1.0, sigma2=0.1, steps=10, gap=1.0)
    assert a == pytest.approx(b, rel=1e-12)


def test_outside_every_region_is_inf_not_a_number():
    """Beyond every descent lemma (P3, P4, P4c) only the chain of P24 and P10 certifies, up to
    256 steps (finite, growing with the horizon); beyond that the bound is inf."""
    long = {**COMMON, "steps": 10**5}
    assert bounds.sgd(lr=2.5, **long) == np.inf
    assert bounds.spa(eta=3.7, c=0.5, **long) == np.inf  # L eta > 4(2-c)^2/((2-c)^2 + c^2)
    assert bounds.sgdm(lr=0.5, momentum=0.9, **long) == np.inf
    for b in (
        bounds.sgd(lr=2.5, **COMMON),
        bounds.spa(eta=3.7, c=0.5, **COMMON),
        bounds.sgdm(lr=0.5, momentum=0.9, **COMMON),
    ):
        assert np.isfinite(b) and b > 2  # above 2 L gap, the worst case of the first step


def test_broadcasting_and_shapes():
    eta = np.array([0.05, 0.1, 0.5])
    c = np.array([[1.0], [0.5], [0.1]])
    out = bounds.spa(eta=eta, c=c, L=1.0, sigma2=np.array([0.0, 0.1, 0.2]), steps=[[10]], gap=1.0)
    assert out.shape == (3, 3)
    for i in range(3):
        for j in range(3):
            one = bounds.spa(
                eta=eta[j], c=c[i, 0], L=1.0, sigma2=[0.0, 0.1, 0.2][j], steps=10, gap=1.0
            )
            assert out[i, j] == pytest.approx(one, rel=1e-14)
    assert isinstance(bounds.sgd(lr=0.1, **COMMON), float)
    long = {**COMMON, "steps": 10_000}  # beyond the horizon chains' reach
    res = bounds.spa(eta=eta, c=0.5, detail=True, **long)
    assert list(res.theorem) == ["P4", "P4", "P4"]
    assert list(bounds.spa(eta=eta, c=0.5, detail=True, **COMMON).theorem) == ["P8+P10"] * 3
    assert bounds.spa(eta=3.0, c=0.5, detail=True, **long).theorem == "P4c"  # beyond P4
    assert bounds.spa(eta=3.7, c=0.5, detail=True, **long).theorem == ""  # beyond P4c


def test_monotone_in_gap_steps_and_noise():
    base = dict(eta=0.2, c=0.3, L=1.0)
    b1 = bounds.spa(**base, sigma2=0.1, steps=100, gap=1.0)
    assert bounds.spa(**base, sigma2=0.1, steps=100, gap=2.0) > b1
    assert bounds.spa(**base, sigma2=0.1, steps=200, gap=1.0) < b1
    assert bounds.spa(**base, sigma2=0.2, steps=100, gap=1.0) > b1


BAD = [
    (dict(lr=float("nan")), "lr: must be finite"),
    (dict(lr=float("inf")), "lr: must be finite"),
    (dict(lr=-0.1), "lr: must be > 0"),
    (dict(lr=0.0), "lr: must be > 0"),
    (dict(momentum=1.0), "momentum: must be in [0, 1)"),
    (dict(momentum=-0.1), "momentum: must be in [0, 1)"),
    (dict(L=0.0), "L: must be > 0"),
    (dict(sigma2=-1e-3), "sigma2: must be >= 0"),
    (dict(steps=0), "steps: must be an integer >= 1"),
    (dict(steps=2.5), "steps: must be an integer >= 1"),
    (dict(gap=-1.0), "gap: must be >= 0"),
    (dict(lr=np.array([0.1, np.nan])), "lr: must be finite"),
]


@pytest.mark.parametrize("change,msg", BAD)
def test_invalid_input_raises_value_error_naming_parameter(change, msg):
    args = dict(lr=0.1, momentum=0.9, L=1.0, sigma2=0.0, steps=10, gap=1.0)
    args.update(change)
    with pytest.raises(
        ValueError, match=msg.replace("[", r"\[").replace("(", r"\(").replace(")", r"\)")
    ):
        bounds.sgdm(**args)


@pytest.mark.parametrize(
    "change,msg",
    [
        (dict(c=0.0), "c: must be in (0, 1]"),
        (dict(c=1.5), "c: must be in (0, 1]"),
        (dict(eta=-1.0), "eta: must be > 0"),
    ],
)
def test_invalid_spa_input(change, msg):
    args = dict(eta=0.1, c=0.5, L=1.0, sigma2=0.0, steps=10, gap=1.0)
    args.update(change)
    with pytest.raises(ValueError, match=msg.replace("(", r"\(").replace("]", r"\]")):
        bounds.spa(**args)


def test_type_errors():
    with pytest.raises(TypeError, match="lr"):
        bounds.sgd(lr="0.1", **COMMON)
    with pytest.raises(TypeError, match="lr"):
        bounds.sgd(lr=None, **COMMON)
    with pytest.raises(TypeError):
        bounds.sgd(0.1, **COMMON)  # keyword-only


def test_p4b_never_beats_p4_on_random_points():
    """Why the calculators skip P4b: where P4b holds, P4 is never larger (random sample)."""
    gap_s, n_s = sp.symbols("gap n")
    f4b = sp.lambdify(
        [p4b.eta, p4b.c, p4b.L, p4b.sigma2, n_s, gap_s, p4b.p],
        p4b.theorem.rate(gap_s, n_s),
        "numpy",
    )
    rho4b = sp.lambdify([p4b.eta, p4b.c, p4b.L, p4b.p], p4b.theorem.rho, "numpy")
    rng = np.random.default_rng(3)
    N = 20000
    eta = 10 ** rng.uniform(-3, 0.5, N)
    c = 10 ** rng.uniform(-3, -1e-6, N)
    s2 = 10 ** rng.uniform(-6, 2, N)
    n = np.round(10 ** rng.uniform(0, 6, N))
    for p in np.linspace(0.02, 1, 50):
        with np.errstate(all="ignore"):
            v = f4b(eta, c, 1.0, s2, n, 1.0, p)
            ok = (eta < 2 - c) & (c * eta <= 1) & (rho4b(eta, c, 1.0, p) > 0)
        v4 = bounds.spa(eta=eta, c=c, L=1.0, sigma2=s2, steps=n, gap=1.0)
        assert np.all(v4[ok] <= v[ok] * (1 + 1e-9))


# --- soundness: never below what the method really does ---------------------------------


def _run_average(grad, eta, c, n, x0, noise=None):
    """(1/n) sum_k |grad f(x_k)|^2 along SPA, optional noise sequence."""
    x = z = np.asarray(x0, dtype=float)
    total = 0.0
    for k in range(n):
        g = grad(x)
        total += float(g @ g)
        gs = g + (noise[k] if noise is not None else 0.0)
        x, z = spa_step(x, z, gs, eta, c)
    return total / n


def _ramp(L, gap, slope):
    """1-D L-smooth function, f(0) - inf f = gap: slope `slope` then a quadratic cap."""
    # f'(x) = -slope for x <= x1, then rises linearly with slope L to 0 at x2 = x1 + slope/L
    # f(0) - f(x2) = slope * x1 + slope^2/(2L) = gap
    x1 = max((gap - slope**2 / (2 * L)) / slope, 0.0)
    slope = min(slope, np.sqrt(2 * L * gap))

    def grad(x):
        x = np.atleast_1d(x)
        return np.where(x <= x1, -slope, np.minimum(-slope + L * (x - x1), 0.0))

    return grad


@pytest.mark.parametrize("eta", [0.05, 0.1, 0.25, 0.5, 1.0])
@pytest.mark.parametrize("c", [1.0, 0.5, 0.2, 0.1])
def test_bound_above_concrete_hard_instances(eta, c):
    n, L, gap = 12, 1.0, 1.0
    b = bounds.spa(eta=eta, c=c, L=L, sigma2=0.0, steps=n, gap=gap)
    worst = 0.0
    for slope in np.linspace(0.05, np.sqrt(2 * L * gap), 40):
        worst = max(worst, _run_average(_ramp(L, gap, slope), eta, c, n, [0.0]))
    # the quadratic L/2 (x - x*)^2 with f(0) - inf f = gap
    xstar = np.sqrt(2 * gap / L)
    worst = max(worst, _run_average(lambda x: L * (x - xstar), eta, c, n, [0.0]))
    assert worst > 0
    assert b >= worst * (1 - 1e-12)


def test_stochastic_bound_above_exact_expectation():
    """Two-point noise +-s, all 2^n paths averaged exactly, on the quadratic L/2 x^2."""
    import itertools

    L, n, s, gap = 1.0, 8, 0.7, 0.5
    x0 = np.sqrt(2 * gap / L)
    for eta, c in [(0.3, 0.5), (0.5, 1.0), (0.2, 0.2)]:
        total = 0.0
        for signs in itertools.product((-1.0, 1.0), repeat=n):
            total += _run_average(
                lambda x: L * x, eta, c, n, [x0], noise=[np.array([sg * s]) for sg in signs]
            )
        mean = total / 2**n
        b = bounds.spa(eta=eta, c=c, L=L, sigma2=s**2, steps=n, gap=gap)
        assert b >= mean


def test_p3_module_expressions_are_what_sgd_uses():
    """One source of truth: the calculator's expression is the theorem's, symbol for symbol."""
    r = bounds.rates()["P3"]
    assert (
        sp.simplify(
            r.expression
            - p3.theorem.rate(sp.Symbol("gap", real=True), sp.Symbol("steps", real=True))
        )
        == 0
    )


@pytest.mark.parametrize("eta,c", [(0.1, 0.1), (0.5, 0.5), (0.1, 1.0), (0.25, 0.2)])
def test_bound_never_below_pep_worst_case(eta, c):
    pytest.importorskip("cvxpy")
    from lyapunov.pep import worst_case_spa

    b = bounds.spa(eta=eta, c=c, **COMMON)
    # the PEP over f(x_0) - inf f <= gap (condition "lower_bound"); the "iterates" class
    # (f(x_0) - f <= gap at every iterate) is larger, and the horizon-aware bound (exact for the
    # calculators' class at n = 12, tests/test_horizon.py) may sit below its worst case
    w = worst_case_spa(eta, c, L=1.0, steps=12, gap=1.0, condition="lower_bound")
    assert b >= w * (1 - 1e-6), (b, w)


def test_best_sgd_lr_matches_dense_search_and_is_certified_at_its_step():
    res = bounds.best_sgd_lr(L=2.0, sigma2=0.05, steps=500, gap=3.0)
    lrs = np.linspace(1e-5, 0.99999, 400001)
    dense = bounds.sgd(lr=lrs, L=2.0, sigma2=0.05, steps=500, gap=3.0)
    assert res.bound <= dense.min() * (1 + 1e-6)
    assert res.bound == bounds.sgd(lr=res.step, L=2.0, sigma2=0.05, steps=500, gap=3.0)


def test_best_steps_vectorized_and_consistent():
    m = np.array([0.0, 0.5, 0.9])
    res = bounds.best_sgdm_lr(momentum=m, L=1.0, sigma2=0.01, steps=1000, gap=1.0)
    assert res.step.shape == (3,)
    again = bounds.sgdm(lr=res.step, momentum=m, L=1.0, sigma2=0.01, steps=1000, gap=1.0)
    np.testing.assert_allclose(again, res.bound, rtol=1e-12)
    sgd_best = bounds.best_sgd_lr(L=1.0, sigma2=0.01, steps=1000, gap=1.0)
    # momentum 0 is SGD; its calculator may also use the (smaller) horizon-aware chain
    assert res.bound[0] <= sgd_best.bound * (1 + 1e-6)
    # deterministic: the best SPA step at c = 0.1 sits at the region's edge L eta = 2 - c
    edge = bounds.best_spa_eta(c=0.1, L=1.0, sigma2=0.0, steps=10_000, gap=1.0)  # P4 alone
    assert edge.step == pytest.approx(1.9, rel=1e-6)


@pytest.mark.parametrize(
    "best, extra",
    [
        (bounds.best_sgd_lr, {}),
        (bounds.best_sgdm_lr, {"momentum": 0.9}),
        (bounds.best_nesterov_lr, {"momentum": 0.5}),
    ],
)
def test_best_at_extreme_smoothness_and_gap_is_the_unit_problem_scaled_and_certified(best, extra):
    # every bound here is L gap phi(L lr, sigma2 / (L gap)): at L = gap = 2^-70 and
    # sigma2 = 0.01 * 2^-140 the best L lr and the bound / (L gap) are those of L = gap = 1
    unit = best(**extra, L=1.0, sigma2=0.01, steps=100, gap=1.0)
    s = 2.0**-70
    res = best(**extra, L=s, sigma2=0.01 * s * s, steps=100, gap=s)
    assert np.isfinite(unit.bound) and res.step * s == pytest.approx(unit.step, rel=1e-9)
    assert res.bound / (s * s) == pytest.approx(unit.bound, rel=1e-9)
    calc = getattr(bounds, best.__name__.removeprefix("best_").removesuffix("_lr"))
    assert res.bound == calc(lr=res.step, **extra, L=s, sigma2=0.01 * s * s, steps=100, gap=s)
