"""Objectives: L against the Hessian spectrum, gradients against finite differences, floors."""

import numpy as np
import pytest

from lyapunov import objectives as objs

NAMES = sorted(objs.OBJECTIVES)
DIM = 6


@pytest.fixture(scope="module", params=NAMES)
def obj(request):
    return objs.make(request.param, DIM)


def _points(n=60, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, DIM)) * rng.choice([0.3, 1.0, 3.0], size=(n, 1))


def test_smoothness_bounds_hessian_spectrum(obj):
    top, low = 0.0, np.inf
    for x in _points():
        ev = np.linalg.eigvalsh(obj.hess(x))
        top = max(top, np.abs(ev).max())
        low = min(low, ev.min())
    assert top <= obj.L * (1 + 1e-6)
    if obj.name != "quadratic":
        assert top >= 0.25 * obj.L  # the stated L is not loose by more than 4x
    if obj.name == "net":
        return
    # non-convex: some Hessian eigenvalue is negative (quadratic excepted)
    assert (low < 0) == (obj.name != "quadratic")


def test_smoothness_attained_where_claimed():
    c = objs.make("cosine", DIM)
    x = np.full(DIM, np.pi / c.w)
    assert np.linalg.eigvalsh(c.hess(x)).max() == pytest.approx(c.L, rel=1e-6)
    ls = objs.make("lsq", DIM)
    assert np.linalg.eigvalsh(ls.hess(np.zeros(DIM))).max() == pytest.approx(ls.L, rel=1e-6)
    assert ls.L_exact and c.L_exact


def test_net_nonconvex():
    net = objs.make("net", DIM)
    rng = np.random.default_rng(3)
    low = min(np.linalg.eigvalsh(net.hess(3 * rng.standard_normal(DIM))).min() for _ in range(40))
    assert low < 0


def test_gradient_finite_differences(obj):
    h = 1e-6
    for x in _points(5, seed=1):
        fd = np.array([(obj.f(x + h * e) - obj.f(x - h * e)) / (2 * h) for e in np.eye(DIM)])
        np.testing.assert_allclose(obj.grad(x), fd, atol=1e-7 * (1 + np.abs(fd).max()))


def test_batched_and_row_kernels_agree(obj):
    X = _points(8, seed=2).reshape(2, 4, DIM)
    G = obj.grad(X)
    F = obj.f(X)
    assert G.shape == X.shape and F.shape == (2, 4)
    f_row, grad_row, data = obj.kernel()
    g = np.empty(DIM)
    for x, gx, fx in zip(X.reshape(-1, DIM), G.reshape(-1, DIM), F.ravel(), strict=True):
        grad_row(x, g, data)
        np.testing.assert_allclose(g, gx, rtol=1e-12, atol=1e-14)
        assert f_row(x, data) == pytest.approx(fx, rel=1e-12, abs=1e-14)


def test_floors(obj):
    assert obj.f_lower <= obj.inf_f
    assert np.all(obj.f(_points(200, seed=4)) >= obj.f_lower)
    assert obj.f(obj.x0()) > obj.inf_f
    assert np.linalg.norm(obj.grad(obj.x0())) > 1e-3


def test_exact_floors():
    c = objs.make("cosine", DIM)
    assert c.f(np.full(DIM, c.t_star)) == pytest.approx(c.inf_f, abs=1e-12)
    assert c.inf_f - c.f_lower < 1e-6
    rb = objs.make("rosenbrock", DIM)
    assert rb.f(rb.xbar) == 0.0 and np.all(rb.grad(rb.xbar) == 0)


@pytest.mark.parametrize("name", ["lsq", "net"])
def test_minibatch_gradient_and_variance(name):
    ob = objs.make(name, DIM)
    x = _points(2, seed=5)
    full = np.broadcast_to(np.arange(ob.n_samples), (2, ob.n_samples))
    np.testing.assert_allclose(ob.grad_batch(x, full), ob.grad(x), atol=1e-12)
    rng = np.random.default_rng(0)
    m = 2
    idx = rng.integers(0, ob.n_samples, size=(20000, 2, m))
    gb = ob.grad_batch(np.broadcast_to(x, (20000, 2, DIM)), idx)
    mc = np.mean(np.sum((gb - ob.grad(x)) ** 2, axis=-1), axis=0)
    np.testing.assert_allclose(mc, ob.minibatch_variance(x, m), rtol=0.05)


def test_unknown_objective_and_bad_dim():
    with pytest.raises(ValueError, match="objective"):
        objs.make("nope", 3)
    with pytest.raises(ValueError, match="dim"):
        objs.make("cosine", 0)
