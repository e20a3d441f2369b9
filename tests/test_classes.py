"""Function classes, one module each: every fact holds on members of its class and fails on a
function outside it; the exact worst cases over each class agree with PEPit and with the
known constants (Drori-Teboulle, OGM, triple momentum); PL is a relaxation."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import sympy as sp

from lyapunov import pep
from lyapunov.engine.kernel import classes
from lyapunov.engine.kernel.classes import STAR
from lyapunov.engine.kernel.forms import Point, VecSymbol
from lyapunov.methods import get

# --- facts on concrete functions ------------------------------------------------------------


def value(form, vecs: dict, fvals: dict) -> float:
    """A form at concrete vectors (basis symbol -> array) and function values (name -> f)."""
    total = float(sp.N(form.const))
    for (a, b), c in form.quad.items():
        total += float(sp.N(c)) * float(np.dot(vecs[a], vecs[b]))
    for name, c in form.fvals.items():
        total += float(sp.N(c)) * fvals[name]
    return total


def points(k: int):
    return [Point(f"p{i}", VecSymbol(f"w{i}"), VecSymbol(f"g{i}")) for i in range(k)]


def quad(H):
    return lambda x: 0.5 * x @ H @ x, lambda x: H @ x


def logsumexp(A):
    def f(x):
        z = A @ x
        return float(np.log(np.sum(np.exp(z - z.max()))) + z.max())

    def g(x):
        z = A @ x
        p = np.exp(z - z.max())
        return A.T @ (p / p.sum())

    return f, g


def huber(delta=1.0):
    def f(x):
        a = np.abs(x)
        return float(np.sum(np.where(a <= delta, 0.5 * x * x, delta * (a - 0.5 * delta))))

    return f, lambda x: np.clip(x, -delta, delta)


def absval():
    return lambda x: float(np.sum(np.abs(x))), lambda x: np.sign(x)


RNG = np.random.default_rng(0)
D = 3
H_PSD = (lambda M: M @ M.T / np.linalg.norm(M @ M.T, 2))(RNG.standard_normal((D, D)))
H_SC = 0.2 * np.eye(D) + 0.8 * H_PSD  # spectrum in [0.2, 1]
A_LSE = RNG.standard_normal((4, D)) / 2
L_LSE = float(np.linalg.norm(A_LSE, 2) ** 2)  # log-sum-exp o A is |A|^2-smooth (1/2 suffices)

MEMBERS = [
    ("smooth_convex", {"L": 1.0}, quad(H_PSD)),
    ("smooth_convex", {"L": L_LSE}, logsumexp(A_LSE)),
    ("smooth_convex", {"L": 1.0}, huber()),
    ("smooth_strongly_convex", {"mu": 0.2, "L": 1.0}, quad(H_SC)),
    ("convex", {}, absval()),
    ("convex_lipschitz", {"G": math.sqrt(D)}, absval()),
    ("convex_lipschitz", {"G": math.sqrt(D)}, huber()),
    ("smooth", {"L": 1.0}, (lambda x: float(np.sum(np.cos(x))), lambda x: -np.sin(x))),
]


def fact_values(cls, fg, kinds, seed):
    """(kind, value) of the class's pairwise ``kinds`` and unary facts at 200 random pairs of
    points of the function ``fg`` = (f, grad f)."""
    fun, grad = fg
    pts = points(2)
    rng = np.random.default_rng(seed)
    for _ in range(200):
        X = rng.standard_normal((2, D)) * 2
        vecs = {p.pos: X[i] for i, p in enumerate(pts)} | {
            p.grad: grad(X[i]) for i, p in enumerate(pts)
        }
        fv = {p.name: fun(X[i]) for i, p in enumerate(pts)}
        for kind in kinds:
            yield kind, value(cls.fact(kind, pts[0], pts[1]).form, vecs, fv)
        for kind in cls.UNARY:
            yield kind, value(getattr(cls, kind)(pts[0]).form, vecs, fv)


@pytest.mark.parametrize("name, consts, fg", MEMBERS)
def test_every_fact_holds_on_members(name, consts, fg):
    cls = classes.get(name, **consts)
    for kind, v in fact_values(cls, fg, cls.KINDS, seed=1):
        assert v <= 1e-9, kind


NON_MEMBERS = [
    ("smooth_convex", {"L": 1.0}, quad(np.diag([1.0, -0.5, 0.3]))),  # not convex
    ("smooth_convex", {"L": 1.0}, quad(np.diag([2.0, 0.5, 0.3]))),  # not 1-smooth
    ("smooth_strongly_convex", {"mu": 0.5, "L": 1.0}, quad(np.diag([1.0, 0.3, 0.6]))),
    ("convex", {}, quad(np.diag([1.0, -1.0, 1.0]))),
    ("convex_lipschitz", {"G": 1.0}, absval()),  # |g| = sqrt(3) > 1
    ("smooth", {"L": 1.0}, quad(np.diag([3.0, 0.0, 0.0]))),
]


@pytest.mark.parametrize("name, consts, fg", NON_MEMBERS)
def test_some_fact_fails_outside_the_class(name, consts, fg):
    cls = classes.get(name, **consts)
    assert max(v for _, v in fact_values(cls, fg, cls.INTERPOLATION, seed=2)) > 1e-6


def test_pl_fact_holds_on_a_pl_function_and_fails_on_a_flat_one():
    """f = (mu/2)|x|^2 is mu-PL and L-smooth; cos is not PL (stationary points above inf)."""
    cls = classes.get("pl", L=1.0, mu=0.5)
    (p,) = points(1)
    rng = np.random.default_rng(3)
    for _ in range(100):
        x = rng.standard_normal(D)
        vecs = {p.pos: x, p.grad: 0.5 * x}
        assert value(cls.pl(p).form, vecs, {p.name: 0.25 * x @ x, STAR.name: 0.0}) <= 1e-12
    x = np.zeros(D)  # a stationary point of sum cos(x) at f = D, inf f = -D
    assert value(cls.pl(p).form, {p.pos: x, p.grad: x}, {p.name: D, STAR.name: -D}) > 0


# --- exact worst cases --------------------------------------------------------------------


def test_gradient_descent_is_drori_teboulle():
    """f(x_n) - f_* <= L|x_0 - x_*|^2 / (4nh + 2), exact, at step h/L."""
    for n, h in [(3, 1.0), (5, 1.0), (4, 0.5)]:
        res = pep.solve("sgd", lr=h, steps=n, function_class="smooth_convex", measure="last_gap",
                        distance=1.0)  # fmt: skip
        assert res.value == pytest.approx(1 / (4 * n * h + 2), rel=1e-6)


def test_ogm_is_kim_and_fessler():
    """OGM: f(y_n) - f_* <= L|x_0 - x_*|^2 / (2 theta_n^2), attained."""
    from lyapunov.methods.accelerated import ogm_theta

    for n in (2, 5):
        res = pep.solve("ogm", steps=n, function_class="smooth_convex", measure="last_gap",
                        distance=1.0)  # fmt: skip
        assert res.value == pytest.approx(1 / (2 * ogm_theta(n, n) ** 2), rel=1e-6)


def test_triple_momentum_rate():
    """Triple momentum at rho = 1 - sqrt(mu/L): f(x_n) - f_* <= rho^(2n) L kappa/2 |x_0 - x_*|^2
    (the constant PEPit quotes, attained)."""
    mu, n = 0.1, 5
    rho = 1 - math.sqrt(mu)
    res = pep.solve("tmm", rho=rho, steps=n, function_class="smooth_strongly_convex", mu=mu,
                    measure="last_gap", distance=1.0)  # fmt: skip
    assert res.value == pytest.approx(rho ** (2 * n) / (2 * mu), rel=1e-5)


def pepit_worst_case(method, values, *, steps, cls_name, consts, measure, R=1.0):
    """The same problem with PEPit's class: the method's rule on PEPit's points, the
    stationary point x_*, |x_0 - x_*|^2 <= R^2."""
    from PEPit import PEP, functions

    kind = {
        "smooth_convex": functions.SmoothConvexFunction,
        "smooth_strongly_convex": functions.SmoothStronglyConvexFunction,
        "convex_lipschitz": functions.ConvexLipschitzFunction,
    }[cls_name]
    problem = PEP()
    pep_consts = {"G": "M"}
    func = problem.declare_function(kind, **{pep_consts.get(k, k): v for k, v in consts.items()})
    xs = func.stationary_point()
    fs = func(xs)
    x0 = problem.set_initial_point()
    problem.set_initial_condition((x0 - xs) ** 2 <= R**2)
    zero = 0 * x0
    state = tuple(x0 if s else zero for s in method.start)
    L = consts.get("L")
    for k in range(steps):
        y = method.gradient_point(state, values, k=k, n=steps, L=L)
        state = method.apply(state, func.gradient(y), values, k=k, n=steps, L=L)
    out = method.output_point(state, values, k=steps, n=steps, L=L)
    if measure == "last_gap":
        problem.set_performance_metric(func(out) - fs)
    else:
        problem.set_performance_metric((out - xs) ** 2)
    return problem.solve(verbose=0, wrapper="cvxpy", solver="CLARABEL")


CROSS = [
    ("sgd", {"lr": 1.5}, "smooth_convex", {"L": 1.0}, "last_gap"),
    ("sgd", {"lr": 1.0}, "smooth_convex", {"L": 1.0}, "last_dist2"),
    ("sgdm", {"lr": 0.5, "momentum": 0.5}, "smooth_convex", {"L": 1.0}, "last_gap"),
    ("spa", {"eta": 1.0, "c": 0.5}, "smooth_convex", {"L": 1.0}, "last_gap"),
    (
        "nesterov",
        {"lr": 0.5, "momentum": 0.5},
        "smooth_strongly_convex",
        {"mu": 0.1, "L": 1.0},
        "last_dist2",
    ),  # fmt: skip
    (
        "heavy_ball",
        {"lr": 0.3, "momentum": 0.5},
        "smooth_strongly_convex",
        {"mu": 0.2, "L": 1.0},
        "last_gap",
    ),  # fmt: skip
    ("sgd", {"lr": 0.3}, "convex_lipschitz", {"G": 1.0}, "last_gap"),
    ("schedule_free", {"lr": 0.3, "momentum": 0.9}, "convex_lipschitz", {"G": 1.0}, "last_gap"),
    ("schedule_free", {"lr": 0.5, "momentum": 0.5}, "smooth_convex", {"L": 1.0}, "last_gap"),
]


@pytest.mark.parametrize("name, values, cls_name, consts, measure", CROSS)
def test_agrees_with_pepit(name, values, cls_name, consts, measure):
    pytest.importorskip("PEPit")
    n = 4
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = pepit_worst_case(get(name), values, steps=n, cls_name=cls_name, consts=consts,
                               measure=measure)  # fmt: skip
        ours = pep.solve(name, values, steps=n, function_class=cls_name, measure=measure,
                         distance=1.0, **consts).value  # fmt: skip
    assert ours == pytest.approx(ref, rel=1e-5, abs=1e-8)


def test_pl_relaxation_between_a_quadratic_and_the_karimi_rate():
    """GD at lr = 1/L under PL: f(x_n) - f_* <= (1 - mu/L)^n (f(x_0) - f_*) (Karimi, Nutini,
    Schmidt), from facts the relaxation contains, so its value is at most that; (mu/2)|x|^2
    reaches (1 - mu/L)^(2n), so the worst case is at least that."""
    mu, L, n = 0.25, 1.0, 4
    res = pep.solve("sgd", lr=1 / L, steps=n, function_class="pl", mu=mu, L=L,
                    measure="last_gap")  # fmt: skip
    assert res.condition == "lower_bound"
    assert (1 - mu / L) ** (2 * n) * (1 - 1e-6) <= res.value <= (1 - mu / L) ** n * (1 + 1e-6)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(function_class="smooth_strongly_convex", mu=1.0), r"mu: must be < L"),
        (dict(function_class="smooth_strongly_convex", mu=0.0), r"mu: must be > 0"),
        (dict(function_class="smooth_strongly_convex"), "needs the constant mu"),
        (dict(function_class="convex_lipschitz", G=-1.0), r"G: must be > 0"),
        (dict(function_class="convex_lipschitz"), "needs the constant G"),
        (dict(function_class="pl", mu=2.0), r"mu: must be <= L"),
        (dict(function_class="smooth_convex", measure="last_gap"), "needs |x_0 - x_*|"),
        (dict(function_class="smooth_convex", distance=-1.0), "distance: must be >= 0"),
        (dict(function_class="pl", mu=0.5, measure="last_dist2"), "needs a minimiser"),
        (dict(function_class="pl", mu=0.5, condition="iterates"), "use lower_bound"),
        (dict(condition="distance", distance=1.0), "distance needs a minimiser"),
        (dict(function_class="convex_lipschitz", G=1.0, L=None, distance=1.0), None),
    ],
)
def test_bad_class_input_is_named(kwargs, message):
    if message is None:  # a valid call: the class takes G, not L
        assert pep.solve("sgd", lr=0.1, steps=2, **kwargs).value > 0
        return
    with pytest.raises(ValueError, match=message):
        pep.solve("sgd", lr=0.1, steps=2, **kwargs)


def test_a_method_using_l_needs_a_class_with_l():
    with pytest.raises(ValueError, match="uses L"):
        pep.solve("ogm", steps=2, function_class="convex_lipschitz", G=1.0, distance=1.0)
