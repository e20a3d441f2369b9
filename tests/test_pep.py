"""The PEP worst case of deterministic SPA / GD on L-smooth non-convex functions.

Every SDP is solved once (cached); about 30 SDPs in all, a few seconds. ``solve`` defaults to
the min metric (the older tests); the average metric is the library's default.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest

pytest.importorskip("cvxpy")

from lyapunov.methods import spa_step  # noqa: E402
from lyapunov.pep import pep_spa, spa_points, worst_case_sgd, worst_case_spa  # noqa: E402

N = 12


@functools.cache
def solve(
    eta,
    c,
    L=1.0,
    steps=N,
    gap=1.0,
    condition="iterates",
    z_points=False,
    metric="min",
    solver=None,
):
    return pep_spa(
        eta,
        c,
        L=L,
        steps=steps,
        gap=gap,
        condition=condition,
        z_points=z_points,
        metric=metric,
        solver=solver,
    )


# --- concrete 1-D instances: lower bounds on the worst case --------------------------------


def run_spa_1d(dphi, eta, c, steps, x0=0.0):
    """SPA on a 1-D function with derivative dphi: returns (x_0..x_n, z_1..z_n)."""
    x = z = x0
    xs, zs = [x0], []
    for _ in range(steps):
        x, z = spa_step(x, z, dphi(x), eta, c)
        xs.append(x)
        zs.append(z)
    return np.array(xs), np.array(zs)


def instance_value(phi, dphi, eta, c, steps, *, x0=0.0, z_points=False, inf_phi=None, metric="min"):
    """min_{k<n} phi'(x_k)^2 (or, ``metric="average"``, (1/n) sum_{k<n} phi'(x_k)^2) divided by
    the initial gap: the value of this instance scaled to gap 1.

    Gap: max over the PEP's points p of phi(x_0) - phi(p) (condition "iterates"), or
    phi(x_0) - inf phi if ``inf_phi`` is given. Scaling h(x) = a phi(x / sqrt(a)) keeps L and
    the iterates' pattern and multiplies gap and |grad|^2 by a, so the ratio is attained with
    gap 1 by an L-smooth function: the PEP value must be >= it.
    """
    xs, zs = run_spa_1d(dphi, eta, c, steps, x0)
    grad2 = [dphi(x) ** 2 for x in xs[:steps]]
    perf = min(grad2) if metric == "min" else sum(grad2) / steps
    if inf_phi is not None:
        gap = phi(xs[0]) - inf_phi
    else:
        pts = np.concatenate([xs, zs]) if z_points else xs
        gap = max(phi(xs[0]) - phi(p) for p in pts)
    return perf / gap


def linear():
    return (lambda x: -x), (lambda x: -1.0)


def ramp(R, L=1.0):
    """Huber-like, L-smooth, bounded below: slope -1 up to R, then phi' rises to 0 at R + 1/L.

    inf phi = phi(R + 1/L) = -R - 1/(2L)."""

    def dphi(x):
        return -1.0 if x <= R else min(0.0, -1.0 + L * (x - R))

    def phi(x):
        if x <= R:
            return -x
        y = min(x, R + 1 / L) - R
        return -R - y + L * y * y / 2

    return phi, dphi, -R - 1 / (2 * L)


def best_ramp_value(eta, c, steps, L=1.0, **kw):
    best = 0.0
    for R in np.linspace(0.0, 3.0, 61):
        phi, dphi, inf_phi = ramp(R, L)
        best = max(best, instance_value(phi, dphi, eta, c, steps, **kw, inf_phi=inf_phi))
    return best


# --- known values ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "eta,c,z_points,expected",
    [
        # the PEP as specified: x_0..x_n only
        (0.1, 0.1, False, 1.8467),
        (0.5, 0.5, False, 0.2292),
        (0.1, 1.0, False, 0.8565),
        # z_1..z_n as points too: the reference values 1.09, 0.22 (GD unchanged: z = x)
        (0.1, 0.1, True, 1.09),
        (0.5, 0.5, True, 0.22),
    ],
)
def test_known_values(eta, c, z_points, expected):
    assert solve(eta, c, z_points=z_points).value == pytest.approx(expected, rel=0.02)


def test_public_functions_agree_with_pep_spa():
    # the default metric is the average
    assert worst_case_sgd(0.1) == pytest.approx(solve(0.1, 1.0, metric="average").value, rel=1e-6)
    assert worst_case_sgd(0.1, metric="min") == pytest.approx(solve(0.1, 1.0).value, rel=1e-6)
    assert worst_case_spa(0.5, 0.5, z_points=False) == pytest.approx(
        solve(0.5, 0.5, metric="average").value, rel=1e-6
    )
    assert pep_spa(0.5, 0.5, z_points=False).metric == "average"


# --- the average metric: the quantity the calculators bound ---------------------------------


@pytest.mark.parametrize(
    "eta,c,z_points,expected",
    [
        # PEPit's setup (f(x_0) - f(y) <= 1 at every x_k and z_k): the values of issue 12
        (0.1, 0.1, True, 1.3986),
        (1.0, 0.05, True, 0.8689),
        (0.1, 0.05, True, 1.6280),
        (0.1, 0.1, False, 1.8909),
        (0.5, 0.5, False, 0.3030),
    ],
)
def test_average_known_values(eta, c, z_points, expected):
    assert solve(eta, c, z_points=z_points, metric="average").value == pytest.approx(
        expected, rel=2e-3
    )


@pytest.mark.parametrize("eta,c,z_points", [(0.1, 0.1, True), (0.5, 0.5, False), (1.0, 0.05, True)])
def test_average_at_least_min(eta, c, z_points):
    avg = solve(eta, c, z_points=z_points, metric="average").value
    low = solve(eta, c, z_points=z_points).value
    assert avg >= low * (1 - 1e-6)
    assert avg > 1.05 * low  # and strictly larger here: the min metric understates the worst case


@pytest.mark.parametrize("eta", [0.1, 0.5, 1.0])
def test_gd_average_worst_case_equals_the_certified_bound(eta):
    # at c = 1 P3 is exact for the average over the "iterates" class; the calculators' bound
    # (with the chain of P8 and P10, which uses inf f) is exact for the "lower_bound" class
    from lyapunov import bounds

    p3 = bounds.rates()["P3"](eta=eta, L=1.0, sigma2=0.0, steps=N, gap=1.0)
    assert solve(eta, 1.0, metric="average").value == pytest.approx(p3, rel=1e-4)
    b = bounds.spa(eta=eta, c=1.0, L=1.0, sigma2=0.0, steps=N, gap=1.0)
    lower = solve(eta, 1.0, metric="average", condition="lower_bound").value
    assert lower == pytest.approx(b, rel=1e-4)


@pytest.mark.parametrize("eta,c", [(0.1, 0.1), (0.5, 0.5), (0.1, 1.0)])
def test_average_at_least_concrete_instances(eta, c):
    value = solve(eta, c, metric="average").value
    assert value >= instance_value(*linear(), eta, c, N, metric="average") * (1 - 1e-6)
    for R in (0.3, 1.0, 2.0):
        phi, dphi, _ = ramp(R)
        assert value >= instance_value(phi, dphi, eta, c, N, metric="average") * (1 - 1e-6)


def test_linear_function_shows_1_09_is_not_the_x_only_value():
    # on f(x) = -x, x_12 moves only 0.554 (SPA eta = c = 0.1): min |f'|^2 / gap = 1.80 > 1.09
    lower = instance_value(*linear(), 0.1, 0.1, N)
    assert lower == pytest.approx(1.0 / 0.5539, rel=1e-3)
    assert solve(0.1, 0.1).value >= lower - 1e-6
    assert solve(0.1, 0.1, z_points=True).value < lower  # z_12 moves 1.2: a smaller class


@pytest.mark.parametrize("eta,c", [(0.1, 0.1), (0.5, 0.5), (0.1, 1.0)])
def test_at_least_concrete_instances(eta, c):
    value = solve(eta, c).value
    lin = instance_value(*linear(), eta, c, N)
    assert value >= lin * (1 - 1e-6)
    for R in (0.3, 1.0, 2.0):
        phi, dphi, _ = ramp(R)
        assert value >= instance_value(phi, dphi, eta, c, N) * (1 - 1e-6)
    # concave quadratic -x^2/2 from x_0 = 1: gradients grow, small but nonzero value
    quad = instance_value(lambda x: -(x**2) / 2, lambda x: -x, eta, c, N, x0=1.0)
    assert 0 < quad <= value


def test_gd_linear_function_is_nearly_worst():
    # GD, eta = 0.1: a linear function gives 1/(12 * 0.1) = 0.8333, the PEP 0.8565
    assert instance_value(*linear(), 0.1, 1.0, N) == pytest.approx(1 / 1.2)
    assert 0.8333 < solve(0.1, 1.0).value < 0.8333 * 1.03


# --- scaling laws and monotonicity ---------------------------------------------------------


def test_linear_in_gap():
    base = solve(0.5, 0.5).value
    assert solve(0.5, 0.5, gap=2.5).value == pytest.approx(2.5 * base, rel=1e-4)


def test_scales_with_smoothness():
    # f -> f(sqrt(s) x) is sL-smooth, same gap; SPA with eta/s takes the same path
    s = 4.0
    base = solve(0.5, 0.5).value
    assert solve(0.5 / s, 0.5, L=s).value == pytest.approx(s * base, rel=1e-4)


def test_gd_decreases_with_steps():
    values = [solve(0.1, 1.0, steps=k).value for k in (3, 6, N)]
    assert values[0] > values[1] > values[2]
    assert values[0] > 2 * values[2]  # roughly 1/n


def test_gd_step_beyond_two_over_l_is_unbounded():
    # GD on x^2/2 with eta = 2.5 moves uphill forever: f(x_0) - f(x_k) <= 0 always
    assert solve(2.5, 1.0, steps=3).value == math.inf
    # with a lower bound on f the worst case is finite: |g_0|^2 <= 2L (f_0 - f_*)
    assert solve(2.5, 1.0, steps=3, condition="lower_bound").value == pytest.approx(2.0, rel=1e-4)


# --- the lower-bound variant ---------------------------------------------------------------


@pytest.mark.parametrize("eta,c", [(0.1, 0.1), (0.1, 1.0)])
def test_lower_bound_variant_between_ramp_and_iterates(eta, c):
    lb = solve(eta, c, condition="lower_bound").value
    assert lb <= solve(eta, c).value * (1 + 1e-6)  # a smaller class
    ramp_value = best_ramp_value(eta, c, N)  # bounded-below instances
    assert ramp_value <= lb * (1 + 1e-6)
    assert lb <= 1.05 * ramp_value  # close to tight on these two


# --- the certificate ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "eta,c,z_points,metric",
    [(0.1, 0.1, False, "min"), (0.5, 0.5, True, "min"), (0.1, 0.1, True, "average")],
)
def test_dual_multipliers_certify_the_value(eta, c, z_points, metric):
    """The duals prove value <= gap * sum(mu): f values cancel, the Gram part is NSD."""
    r = solve(eta, c, z_points=z_points, metric=metric)
    if metric == "average":
        np.testing.assert_allclose(r.perf, 1.0 / N, rtol=1e-5)
    m = len(r.labels)
    P, lam, mu = r.points, r.interp, r.initial
    assert lam.min() >= -1e-7 and mu.min() >= -1e-7 and r.perf.min() >= -1e-7
    assert r.perf.sum() == pytest.approx(1.0, abs=1e-6)
    assert r.value == pytest.approx(mu.sum(), rel=1e-5)
    e = np.eye(m)
    fcoef = np.zeros(m)
    S = np.zeros((m, m))
    for i in range(m):
        S[i, i] += r.perf[i] if i < N else 0.0
    for i in range(m):
        for j in range(m):
            if i == j:
                continue
            # lam_ij * (f_j - f_i + <g_i+g_j, x_i-x_j>/2 + |g_i-g_j|^2/(4L) - L|x_i-x_j|^2/4)
            fcoef[j] += lam[i, j]
            fcoef[i] -= lam[i, j]
            u, v, w = e[i] + e[j], P[i] - P[j], e[i] - e[j]
            M = (np.outer(u, v) + np.outer(v, u)) / 4 + np.outer(w, w) / 4 - np.outer(v, v) / 4
            S -= lam[i, j] * M
    fcoef[0] += mu.sum()
    fcoef -= mu
    np.testing.assert_allclose(fcoef, 0.0, atol=1e-5)
    assert np.linalg.eigvalsh(S).max() <= 1e-5


def test_solvers_agree():
    assert solve(0.5, 0.5, solver="SCS").value == pytest.approx(solve(0.5, 0.5).value, rel=2e-3)


def test_interpolation_matrix_is_the_condition():
    """The sparse rows, applied to a random Gram matrix and values, give the interpolation
    condition of every ordered pair written out directly."""
    from lyapunov.engine.kernel.classes import Smooth
    from lyapunov.pep.forms import Template
    from lyapunov.pep.points import Trajectory

    rng = np.random.default_rng(0)
    L = 2.0
    labels, P = spa_points(0.5, 0.3, 4, z_points=True)
    m = len(P)
    root = rng.standard_normal((m, m))
    G, F = root.T @ root, rng.standard_normal(m)
    pairs = [(i, j) for i in range(m) for j in range(m) if i != j]
    traj = Trajectory(labels, P, np.arange(m), -1, 4, False)
    A, B, c = Template(lambda i, j: Smooth(L).interp(i, j).form, 2).rows(traj, np.array(pairs))
    got = A @ G.ravel() + B @ F + c
    e = np.eye(m)
    want = []
    for i, j in pairs:
        u, v, w = e[i] + e[j], P[i] - P[j], e[i] - e[j]
        want.append(F[j] - F[i] + u @ G @ v / 2 + w @ G @ w / (4 * L) - L * (v @ G @ v) / 4)
    assert len(pairs) == m * (m - 1)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_spa_points_use_the_method():
    labels, P = spa_points(0.5, 0.5, 3, z_points=True)
    assert labels == ("x0", "x1", "x2", "x3", "z1", "z2", "z3")
    # x_1 = c z_1 = -c eta g_0 ; z_2 = -eta (g_0 + g_1)
    np.testing.assert_allclose(P[1, :2], [-0.25, 0.0])
    np.testing.assert_allclose(P[5, :3], [-0.5, -0.5, 0.0])
    labels, P = spa_points(0.5, 1.0, 3, z_points=True)
    assert labels == ("x0", "x1", "x2", "x3")  # c = 1: z = x, nothing added


# --- validation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs,name",
    [
        ({"eta": float("nan")}, "eta"),
        ({"eta": 0.0}, "eta"),
        ({"eta": -1.0}, "eta"),
        ({"eta": float("inf")}, "eta"),
        ({"c": 0.0}, "c"),
        ({"c": 1.5}, "c"),
        ({"c": float("nan")}, "c"),
        ({"L": 0.0}, "L"),
        ({"L": float("inf")}, "L"),
        ({"steps": 0}, "steps"),
        ({"steps": 2.5}, "steps"),
        ({"steps": True}, "steps"),
        ({"gap": -1.0}, "gap"),
        ({"gap": float("nan")}, "gap"),
        ({"condition": "optimal"}, "condition"),
        ({"metric": "max"}, "metric"),
        ({"metric": None}, "metric"),
    ],
)
def test_validation(kwargs, name):
    args = {"eta": 0.1, "c": 0.5, **kwargs}
    with pytest.raises(ValueError, match=rf"^{name}: "):
        worst_case_spa(args.pop("eta"), args.pop("c"), **args)


def test_solver_options_and_a_failed_solve():
    with pytest.raises(TypeError, match="^solver_options: must be a dict"):
        pep_spa(0.1, 0.5, steps=3, solver_options=[("max_iter", 1)])
    # a solve stopped after one iteration is an error naming its status, never a value
    with pytest.raises(RuntimeError, match="status 'user_limit'"):
        pep_spa(0.1, 0.5, steps=3, solver_options={"max_iter": 1})


def test_validation_sgd():
    with pytest.raises(ValueError, match="^eta: "):
        worst_case_sgd(-0.1)
    with pytest.raises(ValueError, match="^L: "):
        worst_case_sgd(0.1, L=-1.0)


# --- cross-check against PEPit ---------------------------------------------------------------


def pepit_spa(eta, c, *, steps, z_points, metric):
    """The same PEP written with PEPit: SPA on PEPit's SmoothFunction, f(x_0) - f(y) <= 1."""
    from PEPit import PEP
    from PEPit.functions import SmoothFunction

    problem = PEP()
    func = problem.declare_function(SmoothFunction, L=1.0)
    x0 = problem.set_initial_point()
    g, f0 = func.oracle(x0)
    x = z = x0
    grads = [g]
    for k in range(steps):
        x, z = spa_step(x, z, g, eta, c)  # the library's update rule, on PEPit's points
        g, fk = func.oracle(x)
        problem.set_initial_condition(f0 - fk <= 1.0)
        if z_points and c < 1:
            problem.set_initial_condition(f0 - func(z) <= 1.0)
        if k < steps - 1:
            grads.append(g)
    if metric == "average":
        problem.set_performance_metric(sum(gk**2 for gk in grads) / steps)
    else:  # PEPit maximises the minimum of several metrics
        for gk in grads:
            problem.set_performance_metric(gk**2)
    return problem.solve(verbose=0, wrapper="cvxpy", solver="CLARABEL")


@pytest.mark.parametrize(
    "eta,c,z_points,metric",
    [
        (1.0, 0.05, True, "average"),
        (0.1, 0.1, False, "average"),
        (0.5, 0.5, False, "min"),
    ],
)
def test_agrees_with_pepit(eta, c, z_points, metric):
    pytest.importorskip("PEPit")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = pepit_spa(eta, c, steps=N, z_points=z_points, metric=metric)
    ours = solve(eta, c, z_points=z_points, metric=metric).value
    assert ours == pytest.approx(ref, rel=1e-4)
