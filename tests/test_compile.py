"""The one float test of certified regions (lyapunov.bounds.compile.SafeRegion), tested like a
theorem: at every point, including points on the boundary, within rounding of it, where the
float evaluation cancels catastrophically, overflows or underflows, and at nan / inf, its
answer is the exact answer at the float point (the floats as the binary fractions they are)."""

from __future__ import annotations

import ast
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from lyapunov.bounds import compile as compile_mod
from lyapunov.bounds.compile import MARGIN, RELATIONS, SafeRegion

ROOT = Path(__file__).resolve().parent.parent
x, y, z, w = sp.symbols("x y z w", real=True)


def exact_inside(conditions, symbols, point) -> bool:
    """The reference: every condition decided in sympy's exact rationals (undefined: outside)."""
    sub = {s: sp.Rational(Fraction(float(v))) for s, v in zip(symbols, point, strict=True)}
    for cond in conditions:
        diff = (cond.lhs - cond.rhs).subs(sub, simultaneous=True)
        if diff.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
            return False
        if not RELATIONS[type(cond)](diff, 0):
            return False
    return True


def check_exact(conditions, symbols, *coords) -> np.ndarray:
    """The region's mask at the points, asserted equal to the exact reference; returns it."""
    got = SafeRegion(conditions, symbols)(*coords)
    cols = np.broadcast_arrays(*[np.asarray(c, dtype=float) for c in coords])
    want = np.array(
        [exact_inside(conditions, symbols, [c[i] for c in cols]) for i in np.ndindex(got.shape)]
    ).reshape(got.shape)
    bad = np.argwhere(got != want)
    assert bad.size == 0, [(tuple(i), [c[tuple(i)] for c in cols]) for i in bad[:5]]
    return got


# --- the boundary -----------------------------------------------------------------------------


def test_single_parameter_bounds_with_thresholds_that_are_not_floats():
    """c <= 1/10 at the float 0.1 (which is above 1/10) and its neighbours, every relation."""
    tenth = 0.1
    assert Fraction(tenth) > Fraction(1, 10)
    pts = np.array([np.nextafter(tenth, 0), tenth, np.nextafter(tenth, 1), 0.0, -0.0, 1.0])
    r = sp.Rational(1, 10)
    for cond in (x <= r, x < r, x >= r, x > r, sp.Eq(x, r), sp.Ne(x, r), 10 * x - 1 <= 0):
        check_exact([cond], [x], pts)
    got = SafeRegion([x <= r], [x])(pts)
    assert list(got) == [True, False, False, True, True, False]


def test_points_on_and_next_to_a_curved_boundary():
    """x y <= 1/3 at y = fl(1/(3x)) and its float neighbours: inside and outside alternate
    with the rounding; x y <= 1 exactly on the boundary at powers of two."""
    xs = np.geomspace(1e-3, 1e3, 60)
    ys = 1 / (3 * xs)
    cand = np.concatenate([np.nextafter(ys, 0), ys, np.nextafter(ys, np.inf)])
    xx = np.tile(xs, 3)
    got = check_exact([x > 0, x * y <= sp.Rational(1, 3)], [x, y], xx, cand)
    assert got.any() and not got.all()  # both sides are probed
    p = 2.0 ** np.arange(-20, 21)
    assert SafeRegion([x * y <= 1], [x, y])(p, 1 / p).all()  # on the boundary: inside
    assert not SafeRegion([x * y < 1], [x, y])(p, 1 / p).any()  # on the boundary: outside


def test_a_product_with_an_exactly_zero_factor_is_zero():
    """(1 - c)(2 - c - L eta) >= 0 (P4's) at c = 1: holds for every eta, even where the other
    factor is within rounding of 0; and c just above 1 flips it."""
    c, L, eta = sp.symbols("c L eta", real=True)
    cond = (1 - c) * (2 - c - L * eta) >= 0
    etas = np.concatenate([np.linspace(0.0, 5.0, 101), [1.0, np.nextafter(1.0, 2)]])
    assert SafeRegion([cond], [c, L, eta])(1.0, 1.0, etas).all()
    check_exact([cond], [c, L, eta], np.nextafter(1.0, 2), 1.0, etas)
    check_exact([cond], [c, L, eta], np.nextafter(1.0, 0), 1.0, etas)


def test_denominators_even_powers_and_equalities():
    conds = [
        [1 / (x - 1) > 0],
        [x / (x - 1) >= 0],
        [(x - 1) ** 2 > 0],
        [(x - 1) ** 2 * y >= 0],
        [(x - 1) ** 3 * (y + 2) <= 0],
        [sp.Eq(x * y, 1)],
        [sp.Ne(x * y - y, 0)],
        [x**2 / (y - x) < 1],
    ]
    pts = np.array([-1.0, 0.0, 0.5, 1.0, np.nextafter(1.0, 2), 2.0, 3.0])
    X, Y = np.meshgrid(pts, pts)
    for cs in conds:
        check_exact(cs, [x, y], X, Y)
    # the condition is undefined where a denominator vanishes: outside, whatever the relation
    assert not SafeRegion([x / (x - 1) >= 0], [x])(1.0)
    assert SafeRegion([x / (x - 1) >= 0], [x])(0.0)


# --- where floats are wrong -------------------------------------------------------------------


#: exactly y z > 0, written so that its float evaluation at large x cancels catastrophically
CANCEL = (x + y) ** 2 - x**2 - 2 * x * y - y**2 + y * z > 0


def _cancelling_points(n: int = 300):
    rng = np.random.default_rng(3)
    X = rng.uniform(1e7, 1e9, n)
    Y = rng.choice([-1.0, 1.0], n) * 10.0 ** rng.uniform(-4, 0, n)
    Z = rng.choice([-1.0, 1.0], n) * 10.0 ** rng.uniform(-6, -1, n)
    return X, Y, Z, (Y > 0) == (Z > 0)


def test_catastrophic_cancellation_is_decided_exactly():
    X, Y, Z, exact = _cancelling_points()
    naive = sp.lambdify([x, y, z], CANCEL.lhs)(X, Y, Z) > 0
    assert (naive != exact).sum() > 50  # the float evaluation is wrong at many points
    got = SafeRegion([CANCEL], [x, y, z])(X, Y, Z)
    np.testing.assert_array_equal(got, exact)


def test_without_the_margin_the_test_fails(monkeypatch):
    """The margin is what makes the float test sound: with MARGIN = 0 (every nonzero float
    value trusted) the cancelling condition is answered wrongly, so the test above would fail."""
    X, Y, Z, exact = _cancelling_points()
    region = SafeRegion([CANCEL], [x, y, z])
    np.testing.assert_array_equal(region(X, Y, Z), exact)
    monkeypatch.setattr(compile_mod, "MARGIN", 0.0)
    assert (region(X, Y, Z) != exact).sum() > 50


def test_underflow_and_overflow_inside_the_evaluation():
    """x y z - w > 0 with x y underflowing (or overflowing) while the exact value does not."""
    cond = [x * y * z - w > 0]
    X = np.array([1e-200, 1e-200, 1e200, 1e200, 1e-170, 3.0])
    Y = np.array([1e-200, 1e-200, 1e200, 1e200, 1e-170, 5.0])
    Z = np.array([1e300, 1e300, 1e-300, 1e-300, 1e300, 7.0])
    W = np.array([0.5e-100, 2e-100, 0.5e100, 2e100, 1e-41, 105.0])
    assert list(check_exact(cond, [x, y, z, w], X, Y, Z, W)) == [1, 0, 1, 0, 1, 0]
    for i in range(len(X)):  # one point at a time: the largest |x| are the point's own
        check_exact(cond, [x, y, z, w], X[i], Y[i], Z[i], W[i])
    # subnormal coordinates and tiny products
    tiny = np.array([5e-324, 1e-310, 2.0**-1074 * 3, 1e-160])
    check_exact([x * y - z * z > 0, x + y > 0], [x, y, z], tiny, tiny[::-1], tiny / 7)


def test_nan_and_inf_coordinates_are_outside():
    bad = np.array([np.nan, np.inf, -np.inf, 1.0])
    for conds in ([sp.Ne(x, 2)], [x > 0], [sp.Ne(x * y - 1, 0)], [x * y - 1 >= -5]):
        got = SafeRegion(conds, [x, y])(bad, 2.0)
        assert list(got) == [False, False, False, True], conds
        got = SafeRegion(conds, [x, y])(3.0, bad)
        assert list(got[:3]) == [False, False, False], conds


# --- every condition counts -----------------------------------------------------------------


def test_every_condition_counts_and_points_failing_one_condition_are_outside():
    """On a sample where every condition is the only failing one at some points, the test
    agrees with the exact reference: dropping any condition would be seen."""
    conds = [x > 0, y >= -1, x * y < 2, x + y**2 - z <= 3, sp.Ne(z, 0)]
    rng = np.random.default_rng(11)
    X, Y, Z = (rng.choice([-2.0, -1.0, 0.0, 0.5, 1.0, 2.0, 4.0], 800) for _ in range(3))
    got = check_exact(conds, [x, y, z], X, Y, Z)
    for k in range(len(conds)):
        others = [c for j, c in enumerate(conds) if j != k]
        alone = SafeRegion(others, [x, y, z])(X, Y, Z)
        assert (alone & ~got).any(), f"no point fails only condition {k}"


# --- the certified regions the calculators use ----------------------------------------------


def _near_boundary(region: SafeRegion, lo: np.ndarray, hi: np.ndarray, n: int, seed: int):
    """Points within a few ulps of the region's boundary: bisection in floats on segments from
    a point inside (lo) to points outside (hi), to adjacent floats."""
    rng = np.random.default_rng(seed)
    a = np.broadcast_to(lo, (n, len(lo))).copy()
    b = a + rng.uniform(0.2, 1.0, (n, len(lo))) * (hi - lo)
    for _ in range(80):
        mid = (a + b) / 2
        inside = region(*mid.T)
        a[inside], b[~inside] = mid[inside], mid[~inside]
    return np.concatenate([a, b])


@pytest.mark.parametrize("name", ["P3", "P4", "P4c", "P11", "P12"])
def test_theorem_regions_at_random_and_boundary_points(name):
    from lyapunov.proofs import p3_sgd_descent as p3
    from lyapunov.proofs import p4_spa_descent as p4
    from lyapunov.proofs import p4c_spa_descent_large_step as p4c
    from lyapunov.proofs import p11_gspa_descent as p11
    from lyapunov.proofs import p12_gspa_schedule as p12

    mod = {"P3": p3, "P4": p4, "P4c": p4c, "P11": p11, "P12": p12}[name]
    th = mod.theorem
    syms = list(th.region.symbols)
    region = SafeRegion(th.region.conditions, syms)
    inside = {
        "P3": {"eta": 0.5, "L": 1.0},
        "P4": {"eta": 0.5, "c": 0.5, "L": 1.0},
        "P4c": {"eta": 1.6, "c": 0.5, "L": 1.0, "b": -0.165, "t": 1e-9},
        "P11": {"eta": 0.1, "c": 0.5, "beta": 0.5, "L": 1.0, "b": 0.01, "s": 1.0},
        "P12": {"eta": 0.1, "c": 0.5, "beta": 0.5, "L": 1.0, "a1": 0.1, "b1": 0.01, "s": 1.0},
    }[name]
    lo = np.array([inside.get(s.name, 0.1) for s in syms])  # sigma2 = 0.1
    assert region(*lo)
    hi = lo * 6 + 1
    pts = _near_boundary(region, lo, hi, 20, seed=len(name))
    rng = np.random.default_rng(5)
    pts = np.concatenate([pts, lo * rng.uniform(0, 3, (20, len(lo)))])
    got = region(*pts.T)
    want = [th.region.contains(dict(zip(syms, map(sp.Rational, p), strict=True))) for p in pts]
    assert list(got) == want
    assert 0 < sum(want) < len(want)


def test_the_calculators_use_the_one_region_test():
    from lyapunov import bounds
    from lyapunov.bounds.large_step import p4c_rate

    assert isinstance(bounds.rates()["P4"].region, SafeRegion)
    assert isinstance(bounds.rates()["P3"].region, SafeRegion)
    assert isinstance(p4c_rate().region, SafeRegion)
    # P4's region at its edge L eta = 2 - c, in floats: exactly
    c = np.linspace(0.01, 0.99, 200)
    eta = (2 - c) / 1.0
    for e in (np.nextafter(eta, 0), eta, np.nextafter(eta, 9)):
        got = bounds.rates()["P4"].inside(eta=e, c=c, L=1.0, sigma2=0.0)
        want = [Fraction(float(ei)) <= 2 - Fraction(float(ci)) for ei, ci in zip(e, c, strict=True)]
        assert list(got) == want


# --- compile-time errors and the one definition ---------------------------------------------


def test_what_is_not_a_polynomial_region_is_refused():
    for conds, syms in (
        ([sp.sqrt(x) > 1], [x]),
        ([x > y], [x]),
        ([x > sp.Float(0.1)], [x]),
        ([sp.And(x > 0, x < 1)], [x]),
    ):
        with pytest.raises(ValueError):
            SafeRegion(conds, syms)(np.ones(3))


def test_large_arrays_and_grids_agree_with_point_by_point():
    """Large inputs (evaluated in blocks) and broadcast grids: the same answers as 1-D."""
    rng = np.random.default_rng(2)
    n = 150_000
    X = rng.uniform(0.1, 10.0, n)
    Y = rng.uniform(0.0, 1.0, n)
    edge = rng.choice(n, 300, replace=False)
    Y[edge] = np.nextafter(1 / (3 * X[edge]), rng.choice([0.0, 1.0], 300))
    conds = [x > 0, x * y <= sp.Rational(1, 3)]
    got = SafeRegion(conds, [x, y])(X, Y)
    far = np.ones(n, dtype=bool)
    far[edge] = False
    np.testing.assert_array_equal(got[far], (X * Y <= 1 / 3)[far])  # far from the edge
    want = [Fraction(X[i]) * Fraction(Y[i]) <= Fraction(1, 3) for i in edge]
    assert list(got[edge]) == want and 0 < sum(want) < len(want)
    gx, gy = rng.uniform(0.1, 10.0, (3000, 1)), rng.uniform(0.0, 1.0, (1, 50))
    grid = SafeRegion(conds, [x, y])(gx, gy)
    flat = SafeRegion(conds, [x, y])(*[a.ravel() for a in np.broadcast_arrays(gx, gy)])
    np.testing.assert_array_equal(grid.ravel(), flat)


def test_shapes_broadcast_and_scalars_give_0d():
    reg = SafeRegion([x > 0, x * y < 1], [x, y])
    assert reg(0.5, 1.0).shape == () and bool(reg(0.5, 1.0))
    assert reg(np.ones((3, 1)), np.zeros((1, 4))).shape == (3, 4)
    assert reg(np.ones(0), 1.0).shape == (0,)


def test_margin_and_relations_are_defined_once():
    """One MARGIN and one table of relations (sympy relation -> comparison) in the calculators,
    the figures and the studies: compile.py's."""
    assert 0 < MARGIN < 1e-6
    relations = {"StrictGreaterThan", "GreaterThan", "StrictLessThan", "LessThan"}
    margins, tables = [], []
    for sub in ("bounds", "figures", "studies"):
        for path in sorted((ROOT / "lyapunov" / sub).glob("*.py")):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Assign | ast.AnnAssign):
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    names = [t.id for t in targets if isinstance(t, ast.Name)]
                    margins += [path.name for n in names if n == "MARGIN"]
                if isinstance(node, ast.Dict):
                    keys = {k.attr for k in node.keys if isinstance(k, ast.Attribute)}
                    if keys & relations:
                        tables.append(path.name)
    assert margins == ["compile.py"] and tables == ["compile.py"]
