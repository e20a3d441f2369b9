"""The simulator runs the momentum family (Nesterov, QHM, schedule-free SGD, GSPA) through one
GSPA kernel: its iterates against the real packages step by step, seeds, validation,
divergence, the numba engine, memory, the CLI and the confirmation rows."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from lyapunov.methods import gspa_yz_step
from lyapunov.methods.registry import METHODS as REGISTRY
from lyapunov.objectives import make
from lyapunov.sim import METHODS, grid, memory, simulate
from lyapunov.sim.engine_numba import available as numba_available
from lyapunov.sim.noise import normal_block, run_keys

STEPS, RUNS, S2, SEED = 40, 3, 0.2, 5
OBJECTIVES = ["lsq", "rosenbrock"]  # a quadratic and a non-quadratic objective


def _noisy_grads(ob, seed=SEED, runs=RUNS, sigma2=S2):
    """g_k(p) = grad f(p) + xi_k with the simulator's noise of seed indices 0..runs-1."""
    keys = run_keys(seed, runs)
    d = ob.dim
    return lambda p, k: ob.grad(p) + np.sqrt(sigma2 / d) * normal_block(keys, k, d)


def _torch_run(ob, make_opt, steps=STEPS, eval_mode=False):
    """Parameters p_k (k = 0..steps) of a torch optimizer fed the simulator's noisy gradients
    (one row per run), and, with ``eval_mode``, its eval-mode parameters at the end."""
    torch = pytest.importorskip("torch")
    grad = _noisy_grads(ob)
    p = torch.nn.Parameter(torch.tensor(np.tile(ob.x0(), (RUNS, 1)), dtype=torch.float64))
    opt = make_opt([p])
    if hasattr(opt, "train"):
        opt.train()
    out = []
    for k in range(steps):
        out.append(p.detach().numpy().copy())
        p.grad = torch.from_numpy(grad(p.detach().numpy(), k))
        opt.step()
    out.append(p.detach().numpy().copy())
    if eval_mode:
        opt.eval()
        return np.array(out), p.detach().numpy().copy()
    return np.array(out)


def _sim(ob, method, **kw):
    return simulate(
        ob, method, steps=STEPS, runs=RUNS, sigma2=S2, seed=SEED, engine="numpy",
        trajectory=True, **kw,
    )  # fmt: skip


def _close(ours, ref):
    np.testing.assert_allclose(ours, ref, rtol=1e-10, atol=1e-12)


# ------------------------------------------------------------- against the reference packages
@pytest.mark.parametrize("name", OBJECTIVES)
@pytest.mark.parametrize("lr, mu", [(0.02, 0.9), (0.1, 0.5)])
def test_nesterov_matches_torch(name, lr, mu):
    torch = pytest.importorskip("torch")
    ob = make(name, 6)
    res = _sim(ob, "nesterov", lr=lr, momentum=mu)
    ref = _torch_run(ob, lambda ps: torch.optim.SGD(ps, lr=lr, momentum=mu, nesterov=True))
    _close(res.trajectory[:, 0], ref)
    _close(res.x[0], ref[-1])
    # the recorded average is of |grad f(p_k)|^2 at the parameters, where gradients are taken
    g2 = np.mean([np.sum(ob.grad(ref[k]) ** 2, axis=-1) for k in range(STEPS)], axis=0)
    np.testing.assert_allclose(res.run_grad2[0], g2, rtol=1e-9)


@pytest.mark.parametrize("name", OBJECTIVES)
@pytest.mark.parametrize("lr, b, nu", [(0.05, 0.9, 0.7), (0.1, 0.5, 0.0), (0.02, 0.99, 1.0)])
def test_qhm_matches_qhoptim(name, lr, b, nu):
    qhoptim = pytest.importorskip("qhoptim.pyt")
    ob = make(name, 6)
    res = _sim(ob, "qhm", lr=lr, momentum=b, nu=nu)
    ref = _torch_run(ob, lambda ps: qhoptim.QHM(ps, lr=lr, momentum=b, nu=nu))
    _close(res.trajectory[:, 0], ref)


@pytest.mark.parametrize("name", OBJECTIVES)
@pytest.mark.parametrize("lr, beta", [(0.05, 0.9), (0.1, 0.5)])
def test_schedule_free_matches_the_package_train_and_eval(name, lr, beta):
    sf = pytest.importorskip("schedulefree")
    ob = make(name, 6)
    res = _sim(ob, "schedule_free", lr=lr, momentum=beta)
    ref, x_eval = _torch_run(
        ob, lambda ps: sf.SGDScheduleFree(ps, lr=lr, momentum=beta, warmup_steps=0), eval_mode=True
    )
    _close(res.trajectory[:, 0], ref)  # train mode: y_k
    _close(res.x_eval[0], x_eval)  # eval mode: x_n
    np.testing.assert_allclose(res.gspa["c"][0], 1 / np.arange(1, STEPS + 1), rtol=1e-15)


def test_schedule_free_warmup_is_an_lr_schedule():
    """The package's warm-up is the lr schedule lr (k + 1)/W, k < W, with its weights c_k."""
    sf = pytest.importorskip("schedulefree")
    ob, lr, beta, W = make("rosenbrock", 6), 0.08, 0.9, 10
    sched = lr * np.minimum(np.arange(1, STEPS + 1) / W, 1.0)
    res = _sim(ob, "schedule_free", lr=sched, momentum=beta)
    ref, x_eval = _torch_run(
        ob, lambda ps: sf.SGDScheduleFree(ps, lr=lr, momentum=beta, warmup_steps=W), eval_mode=True
    )
    _close(res.trajectory[:, 0], ref)
    _close(res.x_eval[0], x_eval)
    # and it is not the constant-lr method (c_k = 1/(k + 1))
    const = _sim(ob, "schedule_free", lr=lr, momentum=beta)
    assert np.max(np.abs(const.x - res.x)) > 1e-3


@pytest.mark.parametrize("name", OBJECTIVES)
def test_gspa_matches_its_yz_form_with_schedules(name):
    """gspa with eta, c schedules (constant beta) against the (y, z) recursion of GSPA."""
    ob = make(name, 6)
    eta = 0.1 * 0.98 ** np.arange(STEPS)
    c = np.linspace(0.5, 0.1, STEPS)
    beta = 0.6
    res = _sim(ob, "gspa", eta=eta, c=c, beta=beta)
    grad = _noisy_grads(ob)
    y = z = np.tile(ob.x0(), (RUNS, 1))
    for k in range(STEPS):
        _close(res.trajectory[k, 0], y)
        y, z = gspa_yz_step(y, z, grad(y, k), eta[k], c[k], beta)
    _close(res.x[0], y)
    _close(res.state[0], z)
    _close(res.x_eval[0], (y - (1 - beta) * z) / beta)


def test_gspa_at_beta_one_is_spa_and_nesterov_is_not_sgdm():
    """The comparisons can fail: beta = 1 is SPA, but Nesterov is not heavy ball."""
    ob = make("rosenbrock", 6)
    s = _sim(ob, "spa", eta=0.2, c=0.3)
    g = _sim(ob, "gspa", eta=0.2, c=0.3, beta=1.0)
    assert s.x_eval is None and s.gspa is None and g.gspa["beta"].tolist() == [[1.0]]
    _close(g.trajectory, s.trajectory)
    _close(g.run_grad2, s.run_grad2)
    n = _sim(ob, "nesterov", lr=0.06, momentum=0.7)
    h = _sim(ob, "sgdm", lr=0.06, momentum=0.7)
    assert np.max(np.abs(n.x - h.x)) > 1e-3


def test_grids_of_constants_run_together():
    ob = make("rosenbrock", 6)
    g = grid(lr=[0.02, 0.05], momentum=[0.5, 0.9], nu=[0.7])
    both = simulate(ob, "qhm", steps=30, runs=RUNS, sigma2=S2, seed=SEED, engine="numpy", **g)
    one = simulate(ob, "qhm", lr=0.05, momentum=0.5, nu=0.7, steps=30, runs=RUNS, sigma2=S2,
                   seed=SEED, engine="numpy")  # fmt: skip
    np.testing.assert_array_equal(both.x[2], one.x[0])  # common random numbers across configs
    assert both.gspa["eta"].shape == (4, 1) and both.params["nu"].tolist() == [[0.7]] * 4


# ------------------------------------------------------------------------ seeds and divergence
@pytest.mark.parametrize(
    "method, kw",
    [
        ("nesterov", dict(lr=0.05, momentum=0.9)),
        ("qhm", dict(lr=0.05, momentum=0.9, nu=0.7)),
        ("schedule_free", dict(lr=0.05, momentum=0.9)),
        ("gspa", dict(eta=0.3, c=0.2, beta=0.5)),
    ],
)
def test_same_seed_same_numbers_other_seed_differs(method, kw):
    kw = dict(steps=30, runs=4, sigma2=0.1, engine="numpy", **kw)
    a = simulate("cosine", method, seed=3, **kw)
    b = simulate("cosine", method, seed=3, **kw)
    for f in ("x", "x_eval", "state", "run_grad2", "grad2", "f", "cos"):
        np.testing.assert_array_equal(getattr(a, f), getattr(b, f))
    c = simulate("cosine", method, seed=4, **kw)
    assert not np.any(c.x == a.x)


def test_divergence_reported_like_the_other_methods():
    q = make("quadratic", 4)
    res = simulate(q, "nesterov", lr=[[0.1], [5.0]], momentum=0.9, steps=200, runs=5,
                   sigma2=0.01, engine="numpy", trajectory=True)  # fmt: skip
    assert not res.diverged[0].any() and res.diverged[1].all()
    assert np.all(np.isnan(res.run_grad2[1])) and np.all(np.isfinite(res.run_grad2[0]))
    k = res.diverged_step[1, 0]
    assert 0 < k < 200 and np.all(res.alive[1, k:] == 0) and np.all(res.alive[0] == 5)
    assert np.all(np.isnan(res.grad2[1, k:]))
    assert np.all(np.isfinite(res.x[1])) and np.all(np.isfinite(res.x_eval[1]))
    # frozen at y_k of the step of divergence: the first point beyond the blow-up threshold
    np.testing.assert_array_equal(res.trajectory[k:, 1], np.broadcast_to(res.x[1], (201 - k, 5, 4)))
    assert np.all(np.sum(res.x[1] ** 2, axis=-1) > 1e12)
    assert np.all(np.sum(res.trajectory[k - 1, 1] ** 2, axis=-1) <= 1e12)


# ------------------------------------------------------------------------------ validation
@pytest.mark.parametrize(
    "method, kw, match",
    [
        ("qhm", dict(lr=0.1, momentum=0.9, nu=1.5), r"nu: must be in \[0, 1\], got 1.5"),
        ("qhm", dict(lr=0.1, momentum=0.9, nu=-0.1), "nu: must be in"),
        ("qhm", dict(lr=0.1, momentum=0.9), "nu: required by method 'qhm'"),
        ("nesterov", dict(lr=0.1, momentum=1.0), r"momentum: must be in \[0, 1\)"),
        ("nesterov", dict(lr=float("nan"), momentum=0.5), "lr: must be finite"),
        ("nesterov", dict(lr=0.1, momentum=0.5, nu=0.5), "nu: not a parameter of method"),
        ("schedule_free", dict(lr=-0.1, momentum=0.5), "lr: must be > 0"),
        ("schedule_free", dict(lr=0.1, momentum=[0.9] * 10), "momentum: schedule_free takes"),
        ("nesterov", dict(lr=[0.1] * 10, momentum=0.9), "lr: nesterov takes a constant lr"),
        ("qhm", dict(lr=0.1, momentum=0.9, nu=[0.5] * 10), "nu: qhm takes a constant"),
        ("gspa", dict(eta=0.1, c=0.5, beta=1.5), r"beta: must be in \[0, 1\]"),
        ("gspa", dict(eta=0.1, c=0.0, beta=0.5), r"c: must be in \(0, 1\]"),
        ("gspa", dict(eta=0.1, c=0.5, beta=[0.5] * 7), "beta: a schedule must have one value"),
        ("gspa", dict(lr=0.1, c=0.5, beta=0.5), "lr: not a parameter of method 'gspa'"),
    ],
)
def test_bad_inputs_name_the_parameter(method, kw, match):
    with pytest.raises(ValueError, match=match):
        simulate("cosine", method, steps=10, runs=2, engine="numpy", **kw)


def test_simulator_runs_every_registered_method():
    """Every method of the registry simulates by name: the fused kernels take the same
    parameters as its definition, and the others (triple momentum, OGM) run from it."""
    for name, m in REGISTRY.items():
        if name in METHODS:
            assert METHODS[name] == m.params
        res = simulate("cosine", name, steps=4, runs=2, sigma2=0.1, **m.example())
        assert res.method == name and np.all(np.isfinite(res.grad2))


# ------------------------------------------------------------------------ numba and memory
@pytest.mark.skipif(not numba_available(), reason="numba not installed")
def test_numba_engine_agrees_with_numpy_for_the_family():
    cases = [
        ("nesterov", grid(lr=[0.02, 0.1], momentum=[0.5, 0.9])),
        ("qhm", dict(lr=0.05, momentum=0.9, nu=[[0.0], [0.7]])),
        ("schedule_free", dict(lr=0.05 * np.minimum(np.arange(1, 31) / 5, 1), momentum=0.9)),
        ("gspa", dict(eta=0.2, c=np.linspace(0.5, 0.1, 30), beta=np.linspace(1.0, 0.3, 30))),
    ]
    for method, kw in cases:
        a = simulate("cosine", method, steps=30, runs=5, sigma2=0.3, dim=6, engine="numpy", **kw)
        b = simulate("cosine", method, steps=30, runs=5, sigma2=0.3, dim=6, engine="numba", **kw)
        for f in ("x", "x_eval", "state", "grad2", "f"):
            np.testing.assert_allclose(getattr(b, f), getattr(a, f), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(b.run_grad2, a.run_grad2, rtol=1e-12)
        np.testing.assert_allclose(b.cos, a.cos, atol=1e-10)
    with pytest.raises(AssertionError):  # the comparison can fail
        np.testing.assert_allclose(b.x, a.x_eval, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", ["quadratic", "net"])
def test_memory_estimate_covers_the_gspa_kernel(name):
    import tracemalloc

    obj = make(name, 12)
    ob = memory.objective_bytes_per_run(obj)
    runs = 4000
    tracemalloc.start()
    try:
        simulate(obj, "qhm", lr=1e-3, momentum=0.9, nu=0.7, steps=5, runs=runs, sigma2=0.1,
                 engine="numpy")  # fmt: skip
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    est = memory.memory_estimate(1, runs, obj.dim, 5, False, ob, method="qhm")
    assert peak <= est <= 2 * peak, (peak, est)
    assert est > memory.memory_estimate(1, runs, obj.dim, 5, False, ob, method="sgdm")


# ------------------------------------------------------------------------ confirm and the CLI
def test_confirm_rows_take_the_method_and_its_parameters():
    from lyapunov.confirm import confirm, format_rows

    row = confirm("cosine", "qhm", lr=0.05, momentum=0.9, nu=0.7, steps=30, runs=8,
                  sigma2=0.1, engine="numpy")  # fmt: skip
    assert row["method"] == "qhm" and row["params"] == {"lr": 0.05, "momentum": 0.9, "nu": 0.7}
    res = simulate("cosine", "qhm", lr=0.05, momentum=0.9, nu=0.7, steps=30, runs=8,
                   sigma2=0.1, engine="numpy")  # fmt: skip
    assert row["empirical"] == pytest.approx(float(np.mean(res.run_grad2[0])), rel=1e-12)
    # the certified bound of QHM (P11, lyapunov.bounds.qhm) at the objective's gap
    assert row["calculator"] == "qhm" and np.isfinite(row["bound"])
    assert row["outcome"] in ("confirmed", "inconclusive")
    assert "qhm" in format_rows([row]) and "nu=0.7" in format_rows([row])
    with pytest.raises(ValueError, match="nu: must be in"):
        confirm("cosine", "qhm", lr=0.05, momentum=0.9, nu=2.0, steps=30, runs=8)


def _cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "lyapunov.cli", "simulate", "--objective", "cosine", "--steps",
         "20", "--runs", "4", "--engine", "numpy", *args],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_cli_simulates_the_family_with_their_parameter_names():
    r = _cli("--method", "qhm", "--lr", "0.05", "--momentum", "0.9", "--nu", "0.7", "--json")
    assert r.returncode == 0, r.stderr
    import json

    out = json.loads(r.stdout)
    assert out["method"] == "qhm" and out["params"]["nu"] == 0.7
    r = _cli("--method", "gspa", "--eta", "0.3", "--c", "0.2", "--beta", "0.5")
    assert r.returncode == 0 and "gspa" in r.stdout, r.stderr


@pytest.mark.parametrize(
    "args, start",
    [
        (("--method", "qhm", "--lr", "0.05", "--momentum", "0.9", "--nu", "1.5"), "nu: must be"),
        (("--method", "qhm", "--lr", "0.05", "--momentum", "0.9"), "nu: required"),
        (("--method", "nesterov", "--lr", "0.05", "--momentum", "1"), "momentum: must be"),
        (("--method", "gspa", "--eta", "0.1", "--c", "0.5", "--beta", "-1"), "beta: must be"),
    ],
)
def test_cli_bad_input_one_line_exit_two(args, start):
    r = _cli(*args)
    err = r.stderr.strip()
    assert r.returncode == 2 and len(err.splitlines()) == 1, err
    assert err.startswith(f"lyapunov: error: {start}")


def test_suite_adds_the_family_rows_without_touching_the_others():
    from lyapunov.confirm import FAMILY, suite

    kw = dict(objectives=("cosine",), dim=5, steps=20, runs=4, sigma2s=(0.1,), momenta=(0.0, 0.9),
              fractions=(0.5,), schedules=False, engine="numpy")  # fmt: skip
    base = suite(**kw)
    rows = suite(**kw, family=True)
    assert rows[: len(base)] == base and all(r["method"] == "sgdm" for r in base)
    fam = rows[len(base) :]
    assert [r["method"] for r in fam] == [m for m in FAMILY for _ in range(2)]
    # every member has its calculator; none of the simulations goes above its certified bound
    assert [r["calculator"] for r in fam] == [r["method"] for r in fam]
    assert all(r["outcome"] in ("confirmed", "inconclusive", "no bound") for r in fam)
    assert sum(r["outcome"] == "confirmed" for r in fam) >= 4
    assert fam[2]["params"] == {"lr": 0.5, "momentum": 0.0, "nu": 0.7}  # lr = 0.5 (1 - 0)/L
    gspa = fam[-1]["params"]  # heavy ball's eta, c at momentum 0.9, beta = 0.5
    assert gspa["c"] == pytest.approx(0.1) and gspa["beta"] == 0.5
    assert gspa["eta"] == pytest.approx(0.5 * (1 - 0.81) / 0.1)
