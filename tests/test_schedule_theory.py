"""Schedules: the exact SPA <-> PyTorch map (P2) and the schedule descent lemma (P8).

Exact checks of the shipped theorems and of wrong variants, then floating-point checks that
are independent of the checker: the two methods run with mapped schedules give the same
iterates, and P8 holds on random smooth functions and along whole runs.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from proofutil import PROOFS
from support.instances import FAMILIES, SmoothInstance, expected_claim, random_smooth

from lyapunov.engine import CERTIFIED, DescentLemma, Identities, f, inner, sqnorm
from lyapunov.loader import load_file
from lyapunov.methods import pytorch_sgd_step, spa_step


def _ns(stem):
    import runpy

    return runpy.run_path(str(PROOFS / f"{stem}.py"))


P2 = _ns("p2_schedule_map")
P8 = _ns("p8_schedule_descent")


@pytest.mark.parametrize("stem", ["p2_schedule_map", "p8_schedule_descent"])
def test_schedule_theorems_certified(stem):
    items = load_file(PROOFS / f"{stem}.py")
    assert len(items) == 4
    for item in items:
        v = item.theorem.check(timeout=60)
        assert v.status == CERTIFIED, (item.theorem.name, v.reason)


# -- wrong variants are rejected ------------------------------------------------------------


def test_map_without_eta_ratio_refuted():
    """momentum_{k+1} = 1 - c_k (the constant-parameter relabelling) is wrong for schedules."""
    eta_k, eta_k1, c_k, m_k = P2["eta_k"], P2["eta_k1"], P2["c_k"], P2["m_k"]
    wrong = Identities(
        name="naive map",
        region=[eta_k > 0, eta_k1 > 0, c_k > 0, c_k <= 1],
        params=(m_k,),
        equations=P2["_induction"](eta_k, c_k, P2["LR"], 1 - c_k, eta_k1),
    )
    v = wrong.check(timeout=30)
    assert v.status == "refuted"
    pt = {k: sp.Rational(x) for k, x in v.counterexample()["point"].items()}
    assert pt["eta_k"] != pt["eta_k1"] and pt["c_k"] != 1


def test_step_decay_wrong_closed_form_refuted():
    """c_k = 1 - beta (as in PyTorch) before the drop is wrong in SPA coordinates."""
    th = load_file(PROOFS / "p2_schedule_map.py")[3].theorem
    alpha, beta, q = P2["alpha"], P2["beta"], P2["q"]
    eqs = [("k < T: c_k = alpha / eta_k", 1 - beta, alpha / P2["ETA_STEP_DECAY"].subs(q, beta * q))]
    v = th.replace(equations=eqs).check(timeout=30)
    assert v.status == "refuted"


def test_p8_rate_too_large_refuted():
    th = P8["descent"]
    v = th.replace(rho=th.rho * sp.Rational(1001, 1000)).check(timeout=30)
    assert v.status == "refuted"


def test_p8_region_without_b_nonnegative_rejected():
    """Dropping b_k >= 0 (too fast changes) breaks rho > 0 / A_k >= inf f."""
    th = P8["descent"]
    eta, c, L, a1, b1 = P8["SYMBOLS"]
    wide = th.replace(region=[eta > 0, L > 0, c > 0, c <= 1, b1 >= 0, a1 >= 2 * L * b1**2])
    v = wide.check(timeout=30)
    assert v.status == "refuted"
    pt = {s: sp.Rational(v.counterexample()["point"][s.name]) for s in (eta, c, L, a1, b1)}
    assert P8["B_COEF"].subs(pt) < 0


def _stationary_lemma(rho):
    """P4's coefficients at eta for A_k and at eta1 for A_{k+1}, P4-style certificate."""
    eta, c, L, eta1 = P8["eta"], P8["c"], P8["L"], P8["eta1"]
    aP, bP, aN, bN = P8["A_P4"], P8["B_P4"], P8["A_P4_NEXT"], P8["B_P4_NEXT"]
    step, smooth = P8["step"], P8["smooth"]
    lam = 2 * bN * (1 - c) / c
    K = P8["K"].subs({P8["a1"]: aN, P8["b1"]: bN})
    return DescentLemma(
        name="stationary coefficients across a decrease",
        step=step,
        region=[eta > 0, eta1 > 0, eta1 < eta, L > 0, c > 0, c < 1, L * eta < 2 - c],
        lyapunov=lambda x, z: f(x) + aP * sqnorm(z - x) + 2 * bP * inner(z - x, x.grad),
        lyapunov_next=lambda x, z: f(x) + aN * sqnorm(z - x) + 2 * bN * inner(z - x, x.grad),
        rho=rho,
        nu=eta**2 * K,
        certificate={
            smooth.upper(step.x, step.x1): 1 + lam,
            smooth.upper(step.x1, step.x): lam,
            step.variance(): eta**2 * K,
        },
        function_class=smooth,
    )


def test_stationary_lyapunov_across_decrease_is_false():
    """Refuted even with a tiny rho, and a concrete quadratic violates the claim (P8c)."""
    eta = P8["eta"]
    th = _stationary_lemma(eta / 10**6)
    v = th.check(timeout=30)
    assert v.status == "refuted"
    assert "NSD" in v.failed.label
    # f(y) = L|y|^2/2, x_k = 0 (grad 0), z_k = d: E[A_{k+1}] - A_k = (K - a*)|d|^2 > 0
    Lv = 1.0
    inst = SmoothInstance("curvature L", Lv, lambda y: 0.5 * Lv * y @ y, lambda y: Lv * y)
    scal = {P8["eta"]: 1.0, P8["eta1"]: 0.1, P8["L"]: Lv, P8["c"]: 0.1}
    d = np.array([1.0, -2.0])
    val = expected_claim(th, scal, inst, {"x": np.zeros(2), "z": d}, np.zeros(2))
    assert val > 1e-3


# -- the map, numerically -------------------------------------------------------------------


def _lam(expr, syms):
    return sp.lambdify(syms, expr, "numpy")


def _run_spa(x0, etas, cs, grads):
    x, z, xs = x0.copy(), x0.copy(), [x0.copy()]
    for k in range(len(etas)):
        x, z = spa_step(x, z, grads(k, x), etas[k], cs[k])
        xs.append(x)
    return np.array(xs)


def _run_pytorch(x0, lrs, moms, grads):
    x, b, xs = x0.copy(), np.zeros_like(x0), [x0.copy()]
    for k in range(len(lrs)):
        x, b = pytorch_sgd_step(x, b, grads(k, x), lrs[k], moms[k])
        xs.append(x)
    return np.array(xs)


def _oracle(dim, n, seed):
    rng = np.random.default_rng(seed)
    inst = random_smooth(1.0, dim, rng, "cosines")
    noise = rng.standard_normal((n, dim)) * 0.3
    return lambda k, x: inst.grad(x) + noise[k]


N = 100
K_STEPS = np.arange(N)
SCHEDULES = {
    "step decay": lambda base: np.where(K_STEPS < 50, base, base / 10),
    "cosine": lambda base: base * (0.55 + 0.45 * np.cos(np.pi * K_STEPS / N)),
}


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_spa_schedule_equals_mapped_pytorch(name):
    eta_k, eta_k1, c_k = P2["eta_k"], P2["eta_k1"], P2["c_k"]
    lr_f = _lam(P2["LR"], (eta_k, c_k))
    mom_f = _lam(P2["MOMENTUM_NEXT"], (eta_k, c_k, eta_k1))
    etas = SCHEDULES[name](0.5)
    cs = np.clip(SCHEDULES[name](0.2) * 1.5, 0.05, 1.0)[::-1].copy()  # c varies too
    eta_next = np.append(etas[1:], etas[-1])
    lrs = lr_f(etas, cs)
    moms = np.concatenate([[0.0], mom_f(etas, cs, eta_next)[:-1]])  # momentum_0 irrelevant
    grads = _oracle(4, N, 1)
    x0 = np.linspace(-1, 1, 4)
    xs_spa, xs_pt = _run_spa(x0, etas, cs, grads), _run_pytorch(x0, lrs, moms, grads)
    assert np.max(np.abs(xs_spa - xs_pt)) < 1e-10
    # the naive relabelling momentum = 1 - c is not the same method
    naive = _run_pytorch(x0, lrs, np.concatenate([[0.0], 1 - cs[:-1]]), grads)
    assert np.max(np.abs(naive - xs_spa)) > 1e-3


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_pytorch_schedule_equals_mapped_spa(name):
    lr_k, m_k1, eta_k1 = P2["lr_k"], P2["m_k1"], P2["eta_k1"]
    eta_f = _lam(P2["ETA"], (lr_k, m_k1, eta_k1))
    c_f = _lam(P2["C"], (lr_k, m_k1, eta_k1))
    term_f = _lam(P2["ETA_TERMINAL"], (lr_k, m_k1))
    lrs = SCHEDULES[name](0.05)
    moms = np.concatenate([[0.0], np.clip(SCHEDULES[name](0.9), 0, 0.95)])  # momentum_0..N
    etas, cs = np.zeros(N + 1), np.zeros(N)
    etas[N] = term_f(lrs[-1], moms[N])
    for k in range(N - 1, -1, -1):  # backward: the SPA schedule needs the future
        etas[k] = eta_f(lrs[k], moms[k + 1], etas[k + 1])
        cs[k] = c_f(lrs[k], moms[k + 1], etas[k + 1])
    assert np.all((cs > 0) & (cs <= 1))
    grads = _oracle(3, N, 2)
    x0 = np.array([0.5, -1.0, 2.0])
    xs_pt, xs_spa = _run_pytorch(x0, lrs, moms, grads), _run_spa(x0, etas[:N], cs, grads)
    assert np.max(np.abs(xs_spa - xs_pt)) < 1e-10


def test_step_decay_closed_form_matches_recursion():
    alpha, beta, gamma, T, n = 0.1, 0.9, 0.1, 30, 60
    lrs = np.where(np.arange(n) < T, alpha, gamma * alpha)
    etas = np.zeros(n + 1)
    etas[n] = gamma * alpha / (1 - beta)
    for k in range(n - 1, -1, -1):
        etas[k] = lrs[k] + beta * etas[k + 1]
    syms = (P2["alpha"], P2["beta"], P2["gamma"], P2["q"])
    eta_cf = _lam(P2["ETA_STEP_DECAY"], syms)
    c_cf = _lam(P2["C_STEP_DECAY"], syms)
    q = beta ** np.maximum(T - np.arange(n), 0)
    assert np.allclose(eta_cf(alpha, beta, gamma, q), etas[:n], rtol=1e-12)
    assert np.allclose(c_cf(alpha, beta, gamma, q[:T]), lrs[:T] / etas[:T], rtol=1e-12)
    assert abs(lrs[T - 1] / etas[T - 1] - 0.1 / 0.19) < 1e-12  # c_{T-1} = 0.526, not 0.1


# -- P8, numerically ------------------------------------------------------------------------


def _p8_point(rng):
    """A random rational point of P8's region (constructed, not rejected)."""
    eta, c, L, a1, b1 = P8["SYMBOLS"]
    for _ in range(1000):
        Lv = sp.Rational(int(rng.integers(1, 40)), 10)
        cv = sp.Integer(1) if rng.random() < 0.15 else sp.Rational(int(rng.integers(1, 100)), 100)
        bv = sp.Rational(int(rng.integers(0, 100)), 100)
        av = 2 * Lv * bv**2 + sp.Rational(int(rng.integers(0, 100)), 100)
        pt = {c: cv, L: Lv, a1: av, b1: bv}
        bound = (cv / 2 + (1 - cv) * bv) / P8["K"].subs(pt)  # eta K <= c/2 + (1-c) b1
        pt[eta] = bound * sp.Rational(int(rng.integers(1, 101)), 100)
        if P8["descent"].region.contains({**pt, P8["sigma2"]: sp.Integer(0)}):
            return pt
    raise AssertionError("no point")


def test_p8_holds_on_random_instances():
    th = P8["descent"]
    rng = np.random.default_rng(7)
    dim = 3
    for _ in range(12):
        pt = _p8_point(rng)
        scal = {s: float(v) for s, v in pt.items()}
        for family in FAMILIES:
            inst = random_smooth(scal[P8["L"]], dim, rng, family)
            for _ in range(2):
                state = {s: rng.standard_normal(dim) * rng.uniform(0.1, 3) for s in ("x", "z")}
                noise = rng.standard_normal(dim) * rng.uniform(0, 1)
                assert expected_claim(th, scal, inst, state, noise) <= 1e-9, (pt, family)


def _recursion(etas, cs, Lv, terminal):
    syms = P8["SYMBOLS"]
    fa, fb, fr = (_lam(P8[k], syms) for k in ("A_COEF", "B_COEF", "RHO"))
    n = len(etas)
    a, b, rho = np.zeros(n + 1), np.zeros(n + 1), np.zeros(n)
    a[n], b[n] = terminal
    for k in range(n - 1, -1, -1):
        args = (etas[k], cs[k], Lv, a[k + 1], b[k + 1])
        a[k], b[k], rho[k] = fa(*args), fb(*args), fr(*args)
    return a, b, rho


def _p4(e, cc, Lv):
    D = cc * (2 - cc) + 2 * Lv * e * (1 - cc)
    return Lv * cc * (2 - cc) / (2 * D), cc * (2 - cc - Lv * e) / (2 * D)


def test_p8_along_runs_with_a_schedule():
    """Deterministic runs: A_{k+1} - A_k <= -rho_k |grad f(x_k)|^2 at every step."""
    rng = np.random.default_rng(3)
    Lv, n = 1.0, 80
    etas = 0.8 * (0.55 + 0.45 * np.cos(np.pi * np.arange(n) / n))
    cs = np.linspace(0.2, 0.6, n)
    a, b, rho = _recursion(etas, cs, Lv, _p4(etas[-1], cs[-1], Lv))
    assert np.all(b >= 0) and np.all(a >= 2 * Lv * b**2) and np.all(rho > 0)
    for family in ("cosines", "double-well"):  # bounded below: the runs stay finite
        inst = random_smooth(Lv, 3, rng, family)
        x = rng.standard_normal(3)
        z = x.copy()
        A = [inst.f(x)]
        for k in range(n):
            g = inst.grad(x)
            x1, z1 = spa_step(x, z, g, etas[k], cs[k])
            g1 = inst.grad(x1)
            A_next = inst.f(x1) + a[k + 1] * (z1 - x1) @ (z1 - x1) + 2 * b[k + 1] * (z1 - x1) @ g1
            assert A_next - A[-1] <= -rho[k] * g @ g + 1e-9, (family, k)
            A.append(A_next)
            x, z = x1, z1


def test_sudden_drop_not_certified_gradual_is():
    """The docstring's example: L = 1, c = 0.1, eta 1 -> 0.1, sudden vs over 50 steps."""
    n, T, Lv, c = 200, 100, 1.0, 0.1
    cs = np.full(n, c)
    sudden = np.where(np.arange(n) < T, 1.0, 0.1)
    gradual = np.interp(np.arange(n), [T - 50, T], [1.0, 0.1])
    _, b_s, _ = _recursion(sudden, cs, Lv, _p4(0.1, c, Lv))
    _, b_g, rho_g = _recursion(gradual, cs, Lv, _p4(0.1, c, Lv))
    assert b_s.min() < 0 and b_s[T - 1] >= 0  # fails further back than the step before
    assert b_g.min() > 0
    rho_p4_after = 0.1 * c * (4 - 2 * c - c * 0.1) / (2 * (c * (2 - c) + 0.2 * (1 - c)))
    assert abs(rho_g.min() - rho_p4_after) < 1e-12
