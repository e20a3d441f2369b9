"""P11's weights (b, s) chosen per point by a search (lyapunov/bounds/p11_weights.py) instead
of the 61 x 25 grid: never looser than the grid (up to 1e-3) on random and edge points, never
inf where the grid is finite, the same ``covered`` mask, and sound (the theorem's value at
weights the exact region test accepts; the grid where the searched weights fail it)."""

import dataclasses

import numpy as np
import pytest
import sympy as sp

from lyapunov.bounds import family
from lyapunov.bounds.compile import GAP, STEPS
from lyapunov.methods.registry import to_gspa


@pytest.fixture(scope="module")
def rate():
    return family._p11()


def _random_points(seed: int, n: int) -> dict:
    """Nesterov, QHM and GSPA points (L = 1, steps 10 .. 1e6, sigma2 0 .. 1), in GSPA's
    coordinates."""
    rng = np.random.default_rng(seed)
    lr, m, nu = 10 ** rng.uniform(-3, 0.5, n), rng.uniform(0, 1, n), rng.uniform(0, 1, n)
    sigma2 = np.where(rng.random(n) < 0.2, 0.0, rng.uniform(0, 1, n))
    steps = np.round(10 ** rng.uniform(1, 6, n))
    e1, c1, b1 = (np.asarray(v, dtype=float) for v in to_gspa("nesterov", lr=lr, momentum=m))
    e2, c2, b2 = (np.asarray(v, dtype=float) for v in to_gspa("qhm", lr=lr, momentum=m, nu=nu))
    k = np.arange(n) % 3
    eta = np.choose(k, [e1, e2, 5 * lr])
    c, beta = np.choose(k, [c1, c2, m]), np.choose(k, [b1, b2, nu])
    return {"eta": eta, "c": c, "beta": beta, "L": 1.0, "sigma2": sigma2, "steps": steps,
            "gap": 1.0}  # fmt: skip


def _edge_points(seed: int, n: int) -> dict:
    """c, beta at and near 0 and 1, L eta c' at and near P11's reach 1, L far from 1."""
    rng = np.random.default_rng(seed)
    c = rng.choice([1e-9, 1e-3, 0.5, 1 - 1e-3, 1 - 1e-9, 1.0], n) * rng.uniform(0.5, 1, n)
    beta = rng.choice([0.0, 1e-12, 1e-4, 0.5, 1 - 1e-6, 1.0], n)
    L = rng.choice([1.0, 1e-3, 1e3], n)
    reach = L * (1 - beta * (1 - c))  # L c'
    eta = rng.choice([1.0, 1 - 1e-12, 1 - 1e-6, 0.999, 0.9, 0.5, 1e-3], n) / reach
    return {"eta": eta, "c": c, "beta": beta, "L": L, "sigma2": rng.choice([0.0, 1e-6, 1.0], n),
            "steps": rng.choice([10, 1000, 10**6, 10**8], n), "gap": 1.0}  # fmt: skip


@pytest.mark.parametrize("points", [_random_points(0, 600), _edge_points(1, 600)])
def test_search_is_as_tight_as_the_grid(rate, points):
    new, _ = rate(**points)
    old, _ = rate.grid(**points)
    finite = np.isfinite(old)
    assert finite.sum() > 100  # the comparison is not vacuous
    assert np.array_equal(np.isfinite(new), finite)  # the grid finds nothing the search misses
    ratio = new[finite] / old[finite]
    assert np.mean(ratio <= 1 + 1e-3) >= 0.99
    assert np.mean(ratio < 1 - 1e-3) > 0.1  # and often strictly tighter (s in closed form)


def test_covered_is_the_grids(rate):
    pts = {k: v for k, v in _edge_points(2, 400).items() if k in rate.order}
    grid_only = dataclasses.replace(rate, search=None, anchor=None)
    covered = rate.covered(**pts)
    assert 50 < covered.sum() < covered.size
    assert np.array_equal(covered, grid_only.covered(**pts))


def test_values_are_the_theorem_at_weights_in_its_exact_region(rate):
    from lyapunov.proofs import p11_gspa_descent as p

    pts = _random_points(3, 30)
    val, w = rate(**pts)
    checked = 0
    for i in np.flatnonzero(np.isfinite(val) & (w["b"] > 0))[:6]:
        point = {p.eta: pts["eta"][i], p.c: pts["c"][i], p.beta: pts["beta"][i], p.L: 1,
                 p.sigma2: pts["sigma2"][i], p.b: w["b"][i], p.s: w["s"][i]}  # fmt: skip
        exact = {k: sp.Rational(float(v)) for k, v in point.items()}
        assert p.theorem.region.contains(exact)
        bound = p.theorem.rate(GAP, STEPS).subs(exact).subs({GAP: 1, STEPS: pts["steps"][i]})
        assert float(bound) == pytest.approx(float(val[i]), rel=1e-12)
        checked += 1
    assert checked >= 3


def test_s_is_the_maximiser_of_rho_at_fixed_b(rate):
    search = rate.search
    xs = [np.array([v]) for v in (0.8, 0.3, 0.6, 1.0, 0.5)]  # eta, c, beta, L, sigma2
    coeffs = search._coefficients(xs)
    rho = sp.lambdify(
        [*search.symbols, search.b, search.s], search.theorem.rho, "numpy"
    )  # fmt: skip
    b = np.array([1e-3])
    s = search.s_of(coeffs, b)
    assert s[0] == pytest.approx(1 / (2 * 0.8 * np.sqrt(0.58 * 0.4)))  # 1/(2 L eta sqrt(c'(1-b)))
    here = rho(*xs, b, s)
    for other in (0.5 * s, 0.9 * s, 1.1 * s, 2 * s):
        assert rho(*xs, b, other) < here


def test_grid_is_the_fallback_where_searched_weights_fail(rate):
    pts = {**_random_points(4, 200), "steps": 1000.0}
    old, _ = rate.grid(**pts)
    outside = dataclasses.replace(
        rate, search=lambda xs, steps, gap: {"b": 0.75 + 0 * steps, "s": 1.0 + 0 * steps}
    )
    val, _ = outside(**pts)  # b = 3/4 is never in the region (X >= 0 needs b < 1/2)
    assert np.isfinite(old).sum() > 20
    assert np.array_equal(val, old)
    nowhere = dataclasses.replace(
        rate, search=lambda xs, steps, gap: {"b": np.nan * steps, "s": np.nan * steps}
    )
    assert np.isinf(nowhere(**pts)[0]).all()  # nan: the search says the region is empty
