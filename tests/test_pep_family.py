"""The PEP worst case of the whole momentum family (GSPA: Nesterov, QHM, schedule-free, ...).

Small horizons (n <= 8) keep every SDP well under a second; each is solved once (cached).
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest

pytest.importorskip("cvxpy")

from lyapunov.methods import (  # noqa: E402
    gspa_point,
    nesterov_step,
    qhm_step,
    schedule_free_step,
    spa_step,
)
from lyapunov.pep import (  # noqa: E402
    gspa_points,
    pep_gspa,
    pep_spa,
    worst_case,
    worst_case_gspa,
    worst_case_sgd,
    worst_case_spa,
)

N = 6


def schedule_free_c(k):
    return 1.0 / (k + 1)


@functools.cache
def gspa(eta, c, beta, steps=N, **kw):
    return pep_gspa(eta, c, beta, steps=steps, **kw)


# --- the points are the methods' own iterates -----------------------------------------------


def run_basis(step, state, steps, *args):
    """The parameters of a package-form step on the basis gradients g_k = e_k (k < steps)."""
    basis = np.eye(steps + 1)
    out = [state[0]]
    for k in range(steps):
        state = step(*state, basis[k], *args)
        out.append(state[0])
    return np.array(out)


def test_points_are_the_nesterov_and_qhm_parameters():
    # the gradient points y_k are the parameters of torch's Nesterov SGD and of QHM
    lr, mu, nu = 0.05, 0.9, 0.7
    zero = np.zeros(N + 1)
    labels, P = gspa_points(lr / (1 - mu), 1 - mu, mu, N)
    assert labels == tuple(f"y{k}" for k in range(N + 1))
    expected = run_basis(nesterov_step, (zero, zero), N, lr, mu)
    np.testing.assert_allclose(P[:, : N + 1], expected, atol=1e-12)
    _, P = gspa_points(lr, 1 - mu, nu, N)
    expected = run_basis(qhm_step, (zero, zero), N, lr, mu, nu)
    np.testing.assert_allclose(P[:, : N + 1], expected, atol=1e-12)


def test_points_are_the_schedule_free_iterates():
    # y_k: schedulefree's train-mode parameters; z_k its other state
    lr, mu = 0.8, 0.9
    labels, P = gspa_points(lr, schedule_free_c, mu, N, z_points=True)
    basis = np.eye(N + 1)
    y = z = np.zeros(N + 1)
    ys, zs = [y], []
    for k in range(N):
        y, z = schedule_free_step(y, z, basis[k], lr, mu, schedule_free_c(k))
        ys.append(y)
        zs.append(z)
    np.testing.assert_allclose(P[: N + 1, : N + 1], np.array(ys), atol=1e-12)
    # c_0 = 1 makes z_1 = x_1 = y_1: z_1 is not repeated, z_2..z_n follow the y's
    assert labels == tuple(f"y{k}" for k in range(N + 1)) + tuple(f"z{k}" for k in range(2, N + 1))
    np.testing.assert_allclose(P[N + 1 :, : N + 1], np.array(zs[1:]), atol=1e-12)


def test_x_points_and_duplicates():
    labels, _ = gspa_points(0.5, 0.5, 0.5, 3, z_points=True, x_points=True)
    assert labels == ("y0", "y1", "y2", "y3", "z1", "z2", "z3", "x1", "x2", "x3")
    labels, _ = gspa_points(0.5, 0.5, 1.0, 3, z_points=True, x_points=True)
    assert labels == ("y0", "y1", "y2", "y3", "z1", "z2", "z3")  # beta = 1: x = y
    labels, _ = gspa_points(0.5, 0.5, 0.0, 3, z_points=True, x_points=True)
    assert labels == ("y0", "y1", "y2", "y3", "x1", "x2", "x3")  # beta = 0: z = y


# --- special cases: SPA, GD, the registry's maps ---------------------------------------------


@pytest.mark.parametrize(
    "eta,c,z_points,metric",
    [(0.1, 0.1, True, "average"), (0.5, 0.5, False, "average"), (1.0, 0.2, True, "min")],
)
def test_beta_one_is_spa(eta, c, z_points, metric):
    ours = gspa(eta, c, 1.0, z_points=z_points, metric=metric).value
    spa = pep_spa(eta, c, steps=N, z_points=z_points, metric=metric).value
    assert ours == pytest.approx(spa, rel=1e-9)


@pytest.mark.parametrize("eta,c", [(0.5, 0.3), (1.0, 0.1), (0.25, 1.0)])
def test_beta_zero_is_gradient_descent(eta, c):
    # y_k = z_k and z_{k+1} = z_k - eta g(z_k): GD with step eta whatever c
    gd = worst_case_sgd(eta, steps=N)
    assert gspa(eta, c, 0.0).value == pytest.approx(gd, rel=1e-6)
    if c < 1:
        # the averages x_k as points too: a smaller class, a value no larger
        assert gspa(eta, c, 0.0, x_points=True).value <= gd * (1 + 1e-6)


@pytest.mark.parametrize("lr,momentum", [(0.1, 0.5), (0.05, 0.9)])
def test_sgdm_equals_spa_at_the_mapped_parameters(lr, momentum):
    eta, c = lr / (1 - momentum), 1 - momentum
    assert worst_case("sgdm", lr=lr, momentum=momentum, steps=N) == pytest.approx(
        worst_case_spa(eta, c, steps=N), rel=1e-6
    )


def test_methods_map_through_the_registry():
    assert worst_case("nesterov", lr=0.05, momentum=0.9, steps=N) == pytest.approx(
        gspa(0.5, 0.1, 0.9).value, rel=1e-6
    )
    assert worst_case("qhm", lr=0.5, momentum=0.9, nu=0.7, steps=N) == pytest.approx(
        gspa(0.5, 0.1, 0.7).value, rel=1e-6
    )
    assert worst_case("gspa", eta=0.5, c=0.1, beta=0.7, steps=N) == pytest.approx(
        gspa(0.5, 0.1, 0.7).value, rel=1e-6
    )
    assert worst_case("sgd", lr=0.5, steps=N) == pytest.approx(worst_case_sgd(0.5, steps=N))


def test_schedules_callable_sequence_and_method_agree():
    cs = tuple(schedule_free_c(k) for k in range(N))
    by_callable = gspa(1.0, schedule_free_c, 0.9).value
    assert gspa(1.0, cs, 0.9).value == pytest.approx(by_callable, rel=1e-9)
    assert worst_case("schedule_free", lr=1.0, momentum=0.9, steps=N) == pytest.approx(
        by_callable, rel=1e-9
    )
    # and a schedule is not a constant: c = 1/(k+1) differs from c = 1 and from c = 1/N
    assert abs(gspa(1.0, 1.0, 0.9).value - by_callable) > 1e-3 * by_callable
    assert abs(gspa(1.0, 1.0 / N, 0.9).value - by_callable) > 1e-3 * by_callable


# --- scaling laws -----------------------------------------------------------------------------


def test_linear_in_gap_and_scales_with_smoothness():
    base = gspa(0.8, 0.3, 0.5).value
    assert gspa(0.8, 0.3, 0.5, gap=2.5).value == pytest.approx(2.5 * base, rel=1e-4)
    # f -> f(sqrt(s) x) is sL-smooth with the same gap; eta / s takes the same path
    s = 4.0
    assert gspa(0.8 / s, 0.3, 0.5, L=s).value == pytest.approx(s * base, rel=1e-4)


def test_more_steps_smaller_worst_case_for_schedule_free():
    values = [worst_case("schedule_free", lr=0.5, momentum=0.9, steps=n) for n in (2, 4, 8)]
    assert values[0] > values[1] > values[2] > 0


def test_lower_bound_variant_is_smaller():
    it = gspa(0.8, 0.3, 0.5).value
    lb = gspa(0.8, 0.3, 0.5, condition="lower_bound").value
    assert 0 < lb <= it * (1 + 1e-6)


# --- concrete functions: lower bounds on the worst case ---------------------------------------


def ramp(R):
    """Huber-like, 1-smooth, bounded below: slope -1 up to R, then phi' rises to 0 at R + 1."""

    def dphi(x):
        return -1.0 if x <= R else min(0.0, -1.0 + (x - R))

    def phi(x):
        if x <= R:
            return -x
        y = min(x, R + 1.0) - R
        return -R - y + y * y / 2

    return phi, dphi


def instance_value(phi, dphi, eta, c, beta, steps, *, x0=0.0, inf_phi=None):
    """GSPA run on a 1-D function by the library's step functions: (1/n) sum_{k<n} phi'(y_k)^2
    divided by the gap max_p phi(x_0) - phi(p) over the PEP's points p = y_k, z_k (or
    phi(x_0) - inf phi). Scaling h(x) = a phi(x / sqrt(a)) keeps L = 1 and multiplies both by a,
    so an L-smooth function attains the ratio with gap 1: the PEP value must be >= it."""
    x = z = x0
    pts, grad2 = [], []
    for k in range(steps + 1):
        y = gspa_point(x, z, beta)
        pts += [y, z]
        if k < steps:
            g = dphi(y)
            grad2.append(g * g)
            x, z = spa_step(x, z, g, eta, c(k) if callable(c) else c)
    gap = phi(x0) - inf_phi if inf_phi is not None else max(phi(x0) - phi(p) for p in pts)
    return (sum(grad2) / steps) / gap


@pytest.mark.parametrize(
    "eta,c,beta", [(0.8, 0.3, 0.5), (0.5, 0.1, 0.9), (1.0, schedule_free_c, 0.9)]
)
def test_at_least_concrete_functions(eta, c, beta):
    value = gspa(eta, c, beta).value
    lin = instance_value(lambda x: -x, lambda x: -1.0, eta, c, beta, N)
    quad = instance_value(lambda x: -(x**2) / 2, lambda x: -x, eta, c, beta, N, x0=1.0)
    best = max(lin, quad)
    for R in np.linspace(0.0, 3.0, 13):
        best = max(best, instance_value(*ramp(R), eta, c, beta, N))
    assert 0 < best <= value * (1 + 1e-6)
    assert value < 2 * best  # and the worst case is not far above a simple instance


def test_bounded_below_instances_under_the_lower_bound_variant():
    lb = gspa(0.8, 0.3, 0.5, condition="lower_bound").value
    for R in (0.5, 1.0, 2.0):
        assert instance_value(*ramp(R), 0.8, 0.3, 0.5, N, inf_phi=-R - 0.5) <= lb * (1 + 1e-6)


def test_a_wrong_point_set_is_caught_by_the_instances():
    # the check above can fail: a PEP that took the gradients at z_k (beta = 0) instead of at
    # y_k is below what a ramp attains with the gradient at y_k (beta = 0.5)
    eta, c, beta = 0.5, 0.2, 0.5
    best = max(instance_value(*ramp(R), eta, c, beta, N) for R in np.linspace(0.0, 3.0, 13))
    assert gspa(eta, c, 0.0).value < best <= gspa(eta, c, beta).value * (1 + 1e-6)


# --- the certificate --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "eta,c,beta,metric",
    [(0.8, 0.3, 0.5, "average"), (1.0, schedule_free_c, 0.9, "min")],
)
def test_dual_multipliers_certify_the_value(eta, c, beta, metric):
    """The duals prove value <= gap * sum(mu): f values cancel, the Gram part is NSD."""
    r = gspa(eta, c, beta, metric=metric)
    m = len(r.labels)
    P, lam, mu = r.points, r.interp, r.initial
    assert lam.min() >= -1e-7 and mu.min() >= -1e-7 and r.perf.min() >= -1e-7
    assert r.perf.sum() == pytest.approx(1.0, abs=1e-6)
    assert r.value == pytest.approx(mu.sum(), rel=1e-5)
    e = np.eye(m)
    fcoef = np.zeros(m)
    S = np.diag(np.r_[r.perf, np.zeros(m - N)])
    for i in range(m):
        for j in range(m):
            if i != j:
                fcoef[j] += lam[i, j]
                fcoef[i] -= lam[i, j]
                u, v, w = e[i] + e[j], P[i] - P[j], e[i] - e[j]
                M = (np.outer(u, v) + np.outer(v, u)) / 4 + np.outer(w, w) / 4 - np.outer(v, v) / 4
                S -= lam[i, j] * M
    fcoef[0] += mu.sum()
    fcoef -= mu
    np.testing.assert_allclose(fcoef, 0.0, atol=1e-5)
    assert np.linalg.eigvalsh(S).max() <= 1e-5
    # and the primal worst case attains it
    grad2 = np.diag(r.gram)[:N]
    attained = grad2.mean() if metric == "average" else grad2.min()
    assert attained == pytest.approx(r.value, rel=1e-3)


# --- validation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args,kwargs,match",
    [
        ((0.5, 0.5, 1.5), {}, r"^beta: must be in \[0, 1\], got 1.5"),
        ((0.5, 0.5, float("nan")), {}, r"^beta: must be finite"),
        ((0.5, 0.0, 0.5), {}, r"^c: must be in \(0, 1\], got 0.0"),
        ((0.5, [0.5] * 3, 0.5), {}, r"^c: must have one value per step \(steps = 6\)"),
        ((0.5, lambda k: 1.0 - k / 3, 0.5), {}, r"^c: must be in \(0, 1\] at every step, got c_3"),
        ((0.5, "0.5", 0.5), {}, r"^c: must be a real number, a sequence or a callable"),
        ((-0.5, 0.5, 0.5), {}, r"^eta: must be > 0"),
        ((0.5, 0.5, 0.5), {"steps": 0}, r"^steps: must be >= 1"),
        ((0.5, 0.5, 0.5), {"L": -1.0}, r"^L: must be > 0"),
        ((0.5, 0.5, 0.5), {"metric": "max"}, r"^metric: must be"),
    ],
)
def test_validation_gspa(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        worst_case_gspa(*args, **{"steps": N, **kwargs})


@pytest.mark.parametrize(
    "method,kwargs,match",
    [
        ("adam", {"lr": 0.1}, r"^method: unknown method 'adam'"),
        ("nesterov", {"lr": 0.1}, r"^nesterov: missing momentum"),
        ("qhm", {"lr": 0.1, "momentum": 0.9, "nu": 0.5, "beta": 1.0}, r"^qhm: unexpected beta"),
        ("sgdm", {"lr": -0.1, "momentum": 0.9}, r"^lr: must be > 0, got -0.1"),
        ("schedule_free", {"lr": 1.0, "momentum": 1.0}, r"^momentum: must be in \[0, 1\)"),
        ("sgdm", {"lr": [0.1, 0.2], "momentum": 0.9}, r"^lr: must be one number"),
        ("sgdm", {"lr": 0.1, "momentum": 0.9, "steps": 2.5}, r"^steps: must be an integer"),
    ],
)
def test_validation_method(method, kwargs, match):
    with pytest.raises(ValueError, match=match):
        worst_case(method, **kwargs)


# --- cross-check against PEPit -----------------------------------------------------------------


def pepit_gspa(eta, c, beta, *, steps):
    """The same PEP written with PEPit: GSPA by the library's step functions on PEPit's points,
    f(x_0) - f(p) <= 1 at every y_k and z_k (z_1 = y_1 skipped when c_0 = 1), the average of
    |grad f(y_k)|^2, k < n; ``c`` a number or a callable k -> c_k."""
    from PEPit import PEP
    from PEPit.functions import SmoothFunction

    ck = c if callable(c) else (lambda k: c)
    problem = PEP()
    func = problem.declare_function(SmoothFunction, L=1.0)
    x0 = problem.set_initial_point()
    f0 = func(x0)
    x = z = x0
    grads = []
    for k in range(steps + 1):
        y = x0 if k == 0 else gspa_point(x, z, beta)
        g, fy = func.oracle(y)
        if k > 0:
            problem.set_initial_condition(f0 - fy <= 1.0)
            if not (k == 1 and ck(0) == 1):
                problem.set_initial_condition(f0 - func(z) <= 1.0)
        if k < steps:
            grads.append(g)
            x, z = spa_step(x, z, g, eta, ck(k))
    problem.set_performance_metric(sum(gk**2 for gk in grads) / steps)
    return problem.solve(verbose=0, wrapper="cvxpy", solver="CLARABEL")


@pytest.mark.parametrize("eta,c,beta", [(0.8, 0.3, 0.5), (1.0, schedule_free_c, 0.9)])
def test_agrees_with_pepit(eta, c, beta):
    pytest.importorskip("PEPit")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = pepit_gspa(eta, c, beta, steps=N)
    assert math.isfinite(ref)
    assert gspa(eta, c, beta).value == pytest.approx(ref, rel=1e-4)
