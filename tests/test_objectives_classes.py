"""Objectives of the convex, strongly convex, Lipschitz and PL classes: every fact of each
declared class holds on the objective at random points and at x_*, a function outside a class
fails one, the declared constants are attained, x_* and f_* are right, and Karimi et al.'s
PL constants of x^2 + 3 sin^2 x check out numerically."""

from __future__ import annotations

import math

import numpy as np
import pytest
import test_objectives
from support.instances import evaluate_form

from lyapunov import objectives as objs
from lyapunov.engine.kernel import classes
from lyapunov.engine.kernel.classes import STAR
from lyapunov.engine.kernel.forms import Point, VecSymbol

DIM = 6
NAMES = sorted(objs.CLASS_OBJECTIVES)
MEMBERSHIPS = [(n, c) for n in NAMES for c in objs.make(n, DIM).classes]


def _points(obj, n: int, seed: int, scales=(0.3, 1.0, 3.0)) -> np.ndarray:
    """n random points around x_* at mixed scales."""
    rng = np.random.default_rng(seed)
    return obj.x_star + rng.standard_normal((n, obj.dim)) * rng.choice(scales, size=(n, 1))


def fact_values(obj, cls, seed: int, scales=(0.3, 1.0, 3.0), pairs: int = 60):
    """(fact name, value F) of every fact F <= 0 of ``cls`` on the function ``obj``: the
    pairwise kinds over ordered pairs of {two random points, x_*}, the unary facts at each."""
    pts = [Point(f"p{i}", VecSymbol(f"w{i}"), VecSymbol(f"g{i}")) for i in range(3)]
    facts = [cls.fact(k, i, j) for k in cls.KINDS for i in pts for j in pts if i is not j]
    facts += [getattr(cls, k)(p) for k in cls.UNARY for p in pts]
    for X in _points(obj, 2 * pairs, seed, scales).reshape(pairs, 2, obj.dim):
        X = np.vstack([X, obj.x_star])
        values = {p.pos: X[i] for i, p in enumerate(pts)}
        values |= {p.grad: obj.grad(X[i]) for i, p in enumerate(pts)}
        fvals = {p.name: float(obj.f(X[i])) for i, p in enumerate(pts)} | {STAR.name: obj.f_star}
        for fact in facts:
            yield fact.name, evaluate_form(fact.form, fvals, values, {})


@pytest.mark.parametrize("name, cls_name", MEMBERSHIPS)
def test_every_fact_of_every_declared_class_holds(name, cls_name):
    obj = objs.make(name, DIM)
    cls = obj.member(cls_name)
    assert cls.name == cls_name
    worst = max(v for _, v in fact_values(obj, cls, seed=1))
    assert worst <= 1e-9


# (objective, class, constants, scales of the random points): a function outside the class
OUTSIDE = [
    ("pl_sine", "smooth_convex", {"L": 8.0}, (0.3, 1.0, 3.0)),  # not convex
    ("huber", "smooth_strongly_convex", {"mu": 0.05, "L": 1.0}, (1.0, 3.0)),  # linear growth
    ("convex_quadratic", "convex_lipschitz", {"G": 1.0}, (1.0, 3.0)),  # gradient unbounded
    ("huber", "pl", {"mu": 1 / 32, "L": 1.0}, (30.0,)),  # f grows, |grad f| stays bounded
    ("l1", "smooth", {"L": 1.0}, (0.3, 1.0)),  # subgradient jumps
    ("logistic", "smooth_convex", {"L": 0.5}, (0.3, 1.0)),  # curvature L = 1 near x = 0
    ("convex_quadratic", "smooth_strongly_convex", {"mu": 0.2, "L": 1.0}, (1.0,)),  # mu = 0.1
    ("l1", "convex_lipschitz", {"G": 1.5}, (1.0,)),  # G = |w| ~ 1.88
    ("pl_sine", "smooth", {"L": 4.0}, (0.3,)),  # phi''(0) = 8
]


@pytest.mark.parametrize("name, cls_name, consts, scales", OUTSIDE)
def test_some_fact_fails_outside_the_class(name, cls_name, consts, scales):
    obj = objs.make(name, DIM)
    cls = classes.get(cls_name, **consts)
    assert max(v for _, v in fact_values(obj, cls, seed=2, scales=scales)) > 1e-6


def test_declared_constants_are_attained():
    """The Hessian spectrum reaches L (and mu), the subgradient norm reaches G."""
    q = objs.make("convex_quadratic", DIM, mu=0.2, L=3.0)
    ev = np.linalg.eigvalsh(q.hess(q.x0()))
    assert ev.min() == pytest.approx(0.2, rel=1e-6) and ev.max() == pytest.approx(3.0, rel=1e-6)
    assert q.constants() == {"mu": 0.2, "L": 3.0}
    lg = objs.make("logistic", DIM)
    assert np.linalg.eigvalsh(lg.hess(np.zeros(DIM))).max() == pytest.approx(lg.L, rel=1e-6)
    hu = objs.make("huber", DIM, delta=0.5)
    assert np.linalg.eigvalsh(hu.hess(hu.x_star)).max() == pytest.approx(2.0, rel=1e-6)
    assert np.linalg.norm(hu.grad(hu.x_star + 10.0)) == pytest.approx(hu.G)
    l1 = objs.make("l1", DIM)
    assert np.linalg.norm(l1.grad(l1.x_star + 0.1)) == pytest.approx(l1.G)
    pl = objs.make("pl_sine", DIM, a=0.125)
    assert np.linalg.eigvalsh(pl.hess(np.zeros(DIM))).max() == pytest.approx(1.0, rel=1e-6)
    assert pl.constants() == {"mu": 0.125 / 32, "L": 1.0}


@pytest.mark.parametrize("name", NAMES)
def test_minimiser_minimum_and_start(name):
    obj = objs.make(name, DIM)
    assert float(obj.f(obj.x_star)) == pytest.approx(obj.f_star, abs=1e-15)
    assert np.linalg.norm(obj.grad(obj.x_star)) <= 1e-12
    X = _points(obj, 200, seed=3)
    assert np.all(obj.f(X) >= obj.f_star - 1e-12)
    assert obj.distance() == pytest.approx(np.linalg.norm(obj.x0() - obj.x_star))
    assert obj.gap() == pytest.approx(float(obj.f(obj.x0())) - obj.f_star)
    assert obj.distance() > 0.1 and obj.gap() > 1e-2


def test_logistic_minimiser_to_high_precision():
    """Newton's x_*: a gradient at round-off and no better point nearby, on non-separable data
    (both labels appear, and the minimiser is finite)."""
    lg = objs.make("logistic", 10)
    assert np.linalg.norm(lg.grad(lg.x_star)) <= 1e-14
    rng = np.random.default_rng(0)
    near = lg.x_star + 1e-4 * rng.standard_normal((500, 10))
    assert np.all(lg.f(near) >= lg.f_star)
    assert set(lg.y) == {-1.0, 1.0} and np.linalg.norm(lg.x_star) < 10


@pytest.mark.parametrize("name", [n for n in NAMES if n != "l1"])
def test_gradient_finite_differences(name):
    obj = objs.make(name, DIM)
    h = 1e-6
    for x in _points(obj, 5, seed=4):
        fd = np.array([(obj.f(x + h * e) - obj.f(x - h * e)) / (2 * h) for e in np.eye(DIM)])
        np.testing.assert_allclose(obj.grad(x), fd, atol=1e-6 * (1 + np.abs(fd).max()))


def test_l1_subgradient():
    """w * sign(x - c) is a subgradient: f(y) >= f(x) + <g, y - x> (and the slope away from c)."""
    l1 = objs.make("l1", DIM)
    X, Y = _points(l1, 50, seed=5), _points(l1, 50, seed=6)
    lin = l1.f(X) + np.sum(l1.grad(X) * (Y - X), axis=-1)
    assert np.all(l1.f(Y) >= lin - 1e-12)
    assert np.all(l1.grad(l1.x_star) == 0)


@pytest.fixture(scope="module", params=NAMES)
def obj(request):
    """Each class objective, for the test shared with tests/test_objectives.py."""
    return objs.make(request.param, test_objectives.DIM)


test_batched_and_row_kernels_agree = test_objectives.test_batched_and_row_kernels_agree


def test_karimi_pl_constants_numerically():
    """phi(t) = t^2 + 3 sin^2 t: phi'^2 / (2 phi) >= 1/32 (Karimi et al.'s mu; its minimum is
    about 0.1755 near t = 2.20, as the docstring says), |phi''| <= 8 = L attained at 0,
    phi'' = -4 somewhere (not convex), and the step of the proof: sinc > -1/4."""
    t = np.linspace(-60, 60, 2_400_001)
    t = t[t != 0]
    phi = t**2 + 3 * np.sin(t) ** 2
    ratio = (2 * t + 3 * np.sin(2 * t)) ** 2 / (2 * phi)
    assert ratio.min() >= 1 / 32
    assert ratio.min() == pytest.approx(0.1755, abs=1e-3)
    assert abs(abs(t[np.argmin(ratio)]) - 2.20) < 0.01
    d2 = 2 + 6 * np.cos(2 * t)
    assert np.abs(d2).max() <= 8 and d2.max() == pytest.approx(8, abs=1e-6)
    assert d2.min() == pytest.approx(-4, abs=1e-6)
    assert (np.sin(t) / t).min() > -0.25
    pl = objs.make("pl_sine", 10)
    X = _points(pl, 2000, seed=8, scales=(0.1, 1.0, 3.0, 30.0))
    g2 = np.sum(pl.grad(X) ** 2, axis=-1)
    assert np.all(pl.f(X) - pl.f_star <= g2 / (2 * pl.mu) * (1 + 1e-12))


def test_make_by_name_and_bad_input():
    assert isinstance(objs.make("huber", 3), objs.Huber)
    assert set(objs.CLASS_OBJECTIVES).isdisjoint(objs.OBJECTIVES)
    with pytest.raises(ValueError, match="mu: must satisfy 0 <= mu < L"):
        objs.ConvexQuadratic(3, mu=1.0, L=1.0)
    with pytest.raises(ValueError, match="spectrum: must be 3"):
        objs.ConvexQuadratic(3, spectrum=[1.0, 2.0])
    with pytest.raises(ValueError, match="delta: must be > 0"):
        objs.Huber(3, delta=0.0)
    with pytest.raises(ValueError, match="a: must be > 0"):
        objs.SineSquaredPL(3, a=-1.0)
    with pytest.raises(ValueError, match="scale: must be > 0"):
        objs.WeightedL1(3, scale=math.inf)
    with pytest.raises(ValueError, match="m: must be an integer >= 2"):
        objs.LogisticRegression(3, m=1)
    with pytest.raises(ValueError, match="function_class: huber is declared in"):
        objs.make("huber", 3).constants("pl")


def test_a_chosen_spectrum_sets_mu_and_l():
    q = objs.ConvexQuadratic(4, spectrum=[0.0, 0.5, 2.0, 1.0])
    assert (q.mu, q.L) == (0.0, 2.0) and list(q.classes) == ["smooth_convex"]
    ev = np.linalg.eigvalsh(q.H)
    np.testing.assert_allclose(ev, [0.0, 0.5, 1.0, 2.0], atol=1e-12)
