"""The simulator: reproducibility, divergence, the three forms, numba = numpy, torch, checks."""

import numpy as np
import pytest

from lyapunov.methods import pytorch_sgd_step
from lyapunov.objectives import make
from lyapunov.sim import grid, schedules, simulate
from lyapunov.sim.engine_numba import available as numba_available
from lyapunov.sim.noise import _G, mix64, normal_block, normal_from_hash, run_keys

KW = dict(steps=40, runs=6, sigma2=0.1, seed=3, engine="numpy")


def test_same_seed_bit_identical_other_seed_differs():
    a = simulate("cosine", "sgdm", lr=0.05, momentum=0.9, **KW)
    b = simulate("cosine", "sgdm", lr=0.05, momentum=0.9, **KW)
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_array_equal(a.run_grad2, b.run_grad2)
    np.testing.assert_array_equal(a.grad2, b.grad2)
    c = simulate("cosine", "sgdm", lr=0.05, momentum=0.9, **{**KW, "seed": 4})
    assert not np.any(c.x == a.x)


def test_run_does_not_depend_on_number_of_runs_or_configs():
    a = simulate("cosine", "sgdm", lr=0.05, momentum=0.9, **KW)
    b = simulate("cosine", "sgdm", lr=0.05, momentum=0.9, **{**KW, "runs": 3})
    np.testing.assert_array_equal(a.x[:, :3], b.x)
    g = grid(lr=[0.01, 0.05], momentum=[0.9])
    c = simulate("cosine", "sgdm", **g, **KW)
    np.testing.assert_array_equal(c.x[1], a.x[0])  # common random numbers across configs


def test_noise_exact_variance_and_scalar_form():
    keys = run_keys(7, 4000)
    N = normal_block(keys, 2, 50)
    xi = np.sqrt(0.3 / 50) * N  # what simulate adds: E|xi|^2 = sigma2 in total
    assert np.mean(np.sum(xi * xi, axis=1)) == pytest.approx(0.3, rel=0.02)
    assert abs(N.mean()) < 0.01
    from scipy import stats

    assert stats.kstest(N.ravel(), "norm").pvalue > 1e-4  # a standard normal
    assert stats.kurtosis(N.ravel()) == pytest.approx(0.0, abs=0.05)
    with np.errstate(over="ignore"):  # uint64 arithmetic wraps mod 2^64 by design
        h = mix64(keys[11] + (np.uint64(2) * np.uint64(50) + np.uint64(13)) * _G)
    assert normal_from_hash(h) == N[11, 13]


def test_divergence_detected_frozen_and_not_averaged():
    q = make("quadratic", 4)
    res = simulate(q, "sgd", lr=[[0.5], [10.0]], steps=200, runs=5, sigma2=0.01, engine="numpy")
    assert not res.diverged[0].any() and res.diverged[1].all()
    assert np.all(np.isnan(res.run_grad2[1])) and np.all(np.isfinite(res.run_grad2[0]))
    k = res.diverged_step[1, 0]
    assert 0 < k < 200 and np.all(res.alive[1, k:] == 0) and np.all(res.alive[0] == 5)
    assert np.all(np.isnan(res.grad2[1, k:])) and np.all(np.isfinite(res.grad2[0]))
    assert np.all(np.isfinite(res.x[1]))  # frozen before the blow-up, not NaN


@pytest.mark.parametrize("eta,c", [(0.5, 0.2), (1.0, 1.0), (0.3, 0.9)])
def test_spa_pytorch_heavy_ball_same_iterates(eta, c):
    kw = dict(steps=30, runs=3, sigma2=0.2, seed=1, engine="numpy", trajectory=True)
    s = simulate("rosenbrock", "spa", eta=eta, c=c, **kw)
    p = simulate("rosenbrock", "sgdm", lr=c * eta, momentum=1 - c, **kw)
    h = simulate("rosenbrock", "heavy_ball", lr=c * eta, momentum=1 - c, **kw)
    np.testing.assert_allclose(s.trajectory, p.trajectory, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(s.trajectory, h.trajectory, rtol=1e-10, atol=1e-12)
    if c < 1:  # at c = 1 the SPA buffer x - z is 0; PyTorch's b_k is then g_{k-1}
        np.testing.assert_allclose(s.cos, p.cos, atol=1e-9)
    # z_n = x_n - momentum eta b_n
    np.testing.assert_allclose(s.state, p.x - (1 - c) * eta * p.state, atol=1e-10)


def test_schedule_matches_a_hand_loop():
    steps = 25
    lr = schedules.step_decay(0.1, steps, [10, 20])
    mom = schedules.momentum_drop(0.9, steps, 15)
    ob = make("cosine", 5)
    res = simulate(
        ob,
        "sgdm",
        lr=lr,
        momentum=mom,
        steps=steps,
        runs=2,
        sigma2=0.5,
        seed=2,
        engine="numpy",
        trajectory=True,
    )
    keys = run_keys(2, 2)
    x = np.tile(ob.x0(), (2, 1))
    b = np.zeros_like(x)
    for k in range(steps):
        g = ob.grad(x) + np.sqrt(0.5 / 5) * normal_block(keys, k, 5)
        x, b = pytorch_sgd_step(x, b, g, lr[k], mom[k])
    np.testing.assert_array_equal(res.x[0], x)


def test_minibatch_noise_records_variance():
    res = simulate(
        "lsq",
        "sgdm",
        lr=0.05,
        momentum=0.5,
        steps=20,
        runs=4,
        batch=2,
        dim=6,
        record_variance=True,
        seed=0,
    )
    assert res.engine == "numpy" and res.var_max[0] > 0
    assert np.all(np.isfinite(res.var_mean)) and np.all(res.var_mean <= res.var_max[:, None])


@pytest.mark.skipif(not numba_available(), reason="numba not installed")
@pytest.mark.parametrize("name", ["cosine", "net"])  # ~4 s of compiling per objective
def test_numba_engine_agrees_with_numpy(name):
    g = grid(lr=[0.02, 0.1], momentum=[0.0, 0.9])
    cases = [
        ("sgdm", g),
        ("spa", dict(eta=0.2, c=[[0.1], [1.0]])),
        ("heavy_ball", g),
        ("sgd", dict(lr=0.1)),
        ("sgdm", dict(lr=schedules.cosine(0.1, 30), momentum=0.9)),
    ]
    for method, kw in cases if name == "cosine" else cases[:1]:
        a = simulate(name, method, steps=30, runs=5, sigma2=0.3, dim=6, engine="numpy", **kw)
        b = simulate(name, method, steps=30, runs=5, sigma2=0.3, dim=6, engine="numba", **kw)
        np.testing.assert_allclose(b.x, a.x, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(b.run_grad2, a.run_grad2, rtol=1e-12)
        np.testing.assert_allclose(b.grad2, a.grad2, rtol=1e-12)
        np.testing.assert_allclose(b.f, a.f, rtol=1e-12, atol=1e-12)
        if a.cos is not None:
            np.testing.assert_allclose(b.cos, a.cos, atol=1e-10)


@pytest.mark.skipif(not numba_available(), reason="numba not installed")
def test_numba_divergence_same_as_numpy():
    kw = dict(lr=[[0.5], [30.0]], steps=100, runs=3, sigma2=0.01, dim=6)
    a = simulate("cosine", "sgd", engine="numpy", **kw)
    b = simulate("cosine", "sgd", engine="numba", **kw)
    assert a.diverged[1].all() and not a.diverged[0].any()
    np.testing.assert_array_equal(a.diverged_step, b.diverged_step)
    np.testing.assert_array_equal(a.alive, b.alive)


def test_torch_sgd_agrees():
    torch = pytest.importorskip("torch")
    ob = make("cosine", 7)
    steps, runs, lr, m, s2 = 50, 3, 0.05, 0.9, 0.2
    res = simulate(
        ob,
        "sgdm",
        lr=lr,
        momentum=m,
        steps=steps,
        runs=runs,
        sigma2=s2,
        seed=5,
        engine="numpy",
        trajectory=True,
    )
    keys = run_keys(5, runs)
    p = torch.nn.Parameter(torch.tensor(np.tile(ob.x0(), (runs, 1)), dtype=torch.float64))
    opt = torch.optim.SGD([p], lr=lr, momentum=m)
    for k in range(steps):
        x = p.detach().numpy()
        np.testing.assert_allclose(res.trajectory[k, 0], x, rtol=1e-12, atol=1e-13)
        g = ob.grad(x) + np.sqrt(s2 / 7) * normal_block(keys, k, 7)
        p.grad = torch.from_numpy(g)
        opt.step()
    np.testing.assert_allclose(res.x[0], p.detach().numpy(), rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize(
    "kw,match",
    [
        (dict(lr=float("nan")), "lr"),
        (dict(lr=float("inf")), "lr"),
        (dict(lr=0.0), "lr"),
        (dict(lr=-1.0), "lr"),
        (dict(momentum=1.0), "momentum"),
        (dict(momentum=-0.1), "momentum"),
        (dict(sigma2=-1.0), "sigma2"),
        (dict(steps=0), "steps"),
        (dict(runs=0), "runs"),
        (dict(lr=np.full(7, 0.1)), "lr"),
        (dict(lr=np.full(10, 0.1), momentum=np.full(9, 0.5)), "momentum"),
        (dict(lr=[[0.1], [0.2]], momentum=[[0.1], [0.2], [0.3]]), "configurations"),
        (dict(objective="nope"), "objective"),
        (dict(method="adam"), "method"),
        (dict(eta=0.1), "eta"),
        (dict(batch=2), "batch"),
        (dict(seed=-1), "seed"),
    ],
)
def test_validation(kw, match):
    args = dict(
        objective="cosine",
        method="sgdm",
        lr=0.1,
        momentum=0.5,
        steps=10,
        runs=2,
        sigma2=0.1,
        engine="numpy",
    )
    args.update(kw)
    with pytest.raises(ValueError, match=match):
        simulate(args.pop("objective"), args.pop("method"), **args)


def test_spa_validation():
    with pytest.raises(ValueError, match="c"):
        simulate("cosine", "spa", eta=0.1, c=0.0, steps=5)
    with pytest.raises(ValueError, match="c"):
        simulate("cosine", "spa", eta=0.1, steps=5)


@pytest.mark.parametrize("engine", ["numpy", "numba"])
def test_progress_callback_and_blocks(engine):
    if engine == "numba" and not numba_available():
        pytest.skip("numba not installed")
    calls = []
    kw = dict(lr=0.05, momentum=0.9, steps=45, runs=4, sigma2=0.1, dim=6, engine=engine)
    a = simulate("cosine", "sgdm", progress=lambda k, n: calls.append((k, n)), **kw)
    b = simulate("cosine", "sgdm", **kw)
    assert calls[-1] == (45, 45) and 10 <= len(calls) <= 45
    assert [k for k, _ in calls] == sorted(k for k, _ in calls)
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_allclose(a.run_grad2, b.run_grad2, rtol=1e-14)
