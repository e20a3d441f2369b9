"""GSPA contains Nesterov, QHM and schedule-free SGD: the certified maps (P9) against the real
packages, step by step (floating point: a cross-check of the statement, not its proof)."""

from __future__ import annotations

import numpy as np
import pytest

from lyapunov.methods import gspa_point, gspa_yz_step, spa_step

torch = pytest.importorskip("torch")

STEPS, DIM = 30, 5


def quadratic_grad(rng):
    """grad of a non-convex quadratic f(w) = w^T H w / 2 with eig(H) in [-1, 1]."""
    A = rng.standard_normal((DIM, DIM))
    H = (A + A.T) / 2
    H /= np.max(np.abs(np.linalg.eigvalsh(H)))
    return lambda w: H @ w


def gspa_y(grad, y0, eta, cs, beta, noise):
    """GSPA's y_k (where the gradient is taken) on the state (x, z), in numpy."""
    x, z = y0.copy(), y0.copy()
    ys = []
    for k in range(STEPS):
        y = gspa_point(x, z, beta)
        ys.append(y)
        x, z = spa_step(x, z, grad(y) + noise[k], eta, cs[k])
    return np.array(ys)


def run_torch(opt_factory, grad, y0, noise, train=True):
    p = torch.nn.Parameter(torch.tensor(y0, dtype=torch.float64))
    opt = opt_factory([p])
    if hasattr(opt, "train"):
        opt.train()
    ys = []
    for k in range(STEPS):
        ys.append(p.detach().numpy().copy())
        p.grad = torch.tensor(grad(p.detach().numpy()) + noise[k], dtype=torch.float64)
        opt.step()
    return np.array(ys)


@pytest.fixture
def problem():
    rng = np.random.default_rng(7)
    return quadratic_grad(rng), rng.standard_normal(DIM), 0.1 * rng.standard_normal((STEPS, DIM))


@pytest.mark.parametrize("lr, mu", [(0.05, 0.9), (0.3, 0.5)])
def test_torch_nesterov_is_gspa(problem, lr, mu):
    grad, y0, noise = problem
    ref = run_torch(
        lambda ps: torch.optim.SGD(ps, lr=lr, momentum=mu, nesterov=True), grad, y0, noise
    )
    ours = gspa_y(grad, y0, lr / (1 - mu), [1 - mu] * STEPS, mu, noise)
    np.testing.assert_allclose(ours, ref, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("lr, b, nu", [(0.1, 0.9, 0.7), (0.5, 0.999, 0.7), (0.2, 0.5, 0.0)])
def test_qhm_is_gspa(problem, lr, b, nu):
    qhoptim = pytest.importorskip("qhoptim.pyt")
    grad, y0, noise = problem
    ref = run_torch(lambda ps: qhoptim.QHM(ps, lr=lr, momentum=b, nu=nu), grad, y0, noise)
    ours = gspa_y(grad, y0, lr, [1 - b] * STEPS, nu, noise)
    np.testing.assert_allclose(ours, ref, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("lr, beta", [(0.1, 0.9), (0.5, 0.5)])
def test_schedule_free_is_gspa(problem, lr, beta):
    schedulefree = pytest.importorskip("schedulefree")
    grad, y0, noise = problem
    ref = run_torch(
        lambda ps: schedulefree.SGDScheduleFree(ps, lr=lr, momentum=beta, warmup_steps=0),
        grad,
        y0,
        noise,
    )
    cs = [1 / (k + 1) for k in range(STEPS)]
    ours = gspa_y(grad, y0, lr, cs, beta, noise)
    np.testing.assert_allclose(ours, ref, rtol=1e-9, atol=1e-12)
    # and the (y, z) form the package implements is the same recursion
    y, z = y0.copy(), y0.copy()
    for k in range(STEPS):
        np.testing.assert_allclose(y, ref[k], rtol=1e-9, atol=1e-12)
        y, z = gspa_yz_step(y, z, grad(y) + noise[k], lr, cs[k], beta)


def test_a_wrong_map_is_detected(problem):
    """The cross-check can fail: Nesterov is not GSPA with beta = 1 (plain heavy ball)."""
    grad, y0, noise = problem
    lr, mu = 0.05, 0.9
    ref = run_torch(
        lambda ps: torch.optim.SGD(ps, lr=lr, momentum=mu, nesterov=True), grad, y0, noise
    )
    wrong = gspa_y(grad, y0, lr / (1 - mu), [1 - mu] * STEPS, 1.0, noise)
    assert np.max(np.abs(wrong - ref)) > 1e-3
