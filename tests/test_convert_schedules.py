"""Conversions (P1/P2) and schedule bounds (P8): numbers from the certified expressions."""

from __future__ import annotations

import numpy as np
import pytest

from lyapunov import bounds, convert
from lyapunov.methods import pytorch_sgd_step, spa_step


def test_constant_conversion_round_trip():
    eta, c = convert.to_spa(lr=0.01, momentum=0.9)
    assert eta == pytest.approx(0.1) and c == pytest.approx(0.1)
    lr, m = convert.to_pytorch(eta=np.array([0.1, 0.5]), c=np.array([0.1, 1.0]))
    np.testing.assert_allclose(lr, [0.01, 0.5])
    np.testing.assert_allclose(m, [0.9, 0.0], atol=1e-15)


def _run_both(lr, mom, eta, c, rng):
    d = 4
    x_pt = x_spa = z = rng.standard_normal(d)
    b = np.zeros(d)
    H = np.diag(rng.uniform(-1, 1, d))
    for k in range(len(lr)):
        g1 = H @ x_pt + np.cos(x_pt)
        g2 = H @ x_spa + np.cos(x_spa)
        x_pt, b = pytorch_sgd_step(x_pt, b, g1, lr[k], mom[k])
        x_spa, z = spa_step(x_spa, z, g2, eta[k], c[k])
        np.testing.assert_allclose(x_pt, x_spa, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("terminal", ["steady", "sgd"])
def test_pytorch_schedule_to_spa_same_iterates(terminal):
    rng = np.random.default_rng(0)
    lr = np.r_[np.full(40, 0.1), np.full(40, 0.01)]
    mom = np.r_[np.full(60, 0.9), np.zeros(20)]  # momentum dropped at step 60
    eta, c = convert.schedule_to_spa(lr=lr, momentum=mom, terminal=terminal)
    assert np.all((c > 0) & (c <= 1))
    _run_both(lr, mom, eta, c, rng)


def test_step_decay_in_spa_coordinates_is_gradual():
    lr = np.r_[np.full(50, 0.1), np.full(50, 0.01)]
    eta, c = convert.schedule_to_spa(lr=lr, momentum=np.full(100, 0.9))
    # P2c closed form: eta_k = alpha (1 - (1 - gamma) beta^(T - k)) / (1 - beta)
    assert eta[0] == pytest.approx(0.1 * (1 - 0.9 * 0.9**50) / 0.1, rel=1e-12)
    assert eta[-1] == pytest.approx(0.1)
    assert np.all(np.diff(eta[:50]) < 0)  # eta decays *before* the drop
    assert c[49] == pytest.approx(1 / (1 + 0.9 / (10 * 0.1)), rel=1e-9)  # 0.526, not 0.1


def test_spa_schedule_to_pytorch_same_iterates():
    rng = np.random.default_rng(1)
    k = np.arange(80)
    eta = 0.5 * (1 + np.cos(np.pi * k / 80)) / 2 + 0.01
    c = np.full(80, 0.3)
    lr, mom = convert.schedule_to_pytorch(eta=eta, c=c)
    _run_both(lr, mom, eta, c, rng)


def test_constant_schedule_bound_equals_constant_bound():
    for eta, c in [(0.3, 0.2), (0.1, 1.0), (1.0, 0.5)]:
        s = bounds.spa_schedule(eta=np.full(50, eta), c=np.full(50, c), L=1.0, sigma2=0.2, gap=2.0)
        assert s == pytest.approx(
            bounds.spa(eta=eta, c=c, L=1.0, sigma2=0.2, steps=50, gap=2.0), rel=1e-9
        )
    s = bounds.sgdm_schedule(
        lr=np.full(30, 0.02), momentum=np.full(30, 0.8), L=1.0, sigma2=0.1, gap=1.0
    )
    assert s == pytest.approx(
        bounds.sgdm(lr=0.02, momentum=0.8, L=1.0, sigma2=0.1, steps=30, gap=1.0), rel=1e-9
    )


def test_gradual_beats_sudden_where_sudden_is_not_covered():
    """L = 1, c = 0.1: eta 1 -> 0.1 at once is not certified by P8 alone (its weighted
    average is inf); spread over 50 steps it is. The chain of P24 and P10 certifies both, the
    gradual one with a bound more than 5 times smaller (claim C6)."""
    n = 200
    sudden = np.r_[np.full(100, 1.0), np.full(100, 0.1)]
    gradual = np.r_[np.full(75, 1.0), np.linspace(1.0, 0.1, 50), np.full(75, 0.1)]
    c = np.full(n, 0.1)
    kw = dict(c=c, L=1.0, sigma2=0.0, gap=1.0)
    assert bounds.spa_schedule(eta=sudden, average="weighted", **kw) == np.inf
    assert np.isfinite(bounds.spa_schedule(eta=gradual, average="weighted", **kw))
    s = bounds.spa_schedule(eta=sudden, detail=True, **kw)
    g = bounds.spa_schedule(eta=gradual, detail=True, **kw)
    assert s.theorem == g.theorem == "P24+P10" and 5 * g.value < s.value < np.inf


def test_schedule_bound_sound_on_a_concrete_run():
    """Deterministic quadratic L/2 x^2 with f(0) - inf f = gap: the average |f'|^2 is below."""
    L, gap = 1.0, 1.0
    lr = np.r_[np.full(30, 0.1), np.full(30, 0.01)]
    mom = np.full(60, 0.9)
    b = bounds.sgdm_schedule(lr=lr, momentum=mom, L=L, sigma2=0.0, gap=gap)
    x, buf, total = np.sqrt(2 * gap / L), 0.0, 0.0
    for k in range(60):
        g = L * x
        total += g * g
        x, buf = pytorch_sgd_step(x, buf, g, lr[k], mom[k])
    assert b >= total / 60


def test_schedule_broadcast_and_validation():
    e, c = np.full(10, 0.2), np.full(10, 0.5)
    out = bounds.spa_schedule(eta=e, c=c, L=[1.0, 2.0], sigma2=0.0, gap=1.0)
    assert out.shape == (2,)
    with pytest.raises(ValueError, match="schedule lengths differ"):
        bounds.spa_schedule(eta=e, c=np.full(9, 0.5), L=1.0, sigma2=0.0, gap=1.0)
    with pytest.raises(ValueError, match="1-D"):
        bounds.sgdm_schedule(
            lr=np.full((2, 3), 0.1), momentum=np.full((2, 3), 0.5), L=1.0, sigma2=0.0, gap=1.0
        )
    with pytest.raises(ValueError, match=r"momentum: must be in \[0, 1\)"):
        bounds.sgdm_schedule(
            lr=np.full(3, 0.1), momentum=[0.5, 1.0, 0.5], L=1.0, sigma2=0.0, gap=1.0
        )
    with pytest.raises(ValueError, match="c: must be"):
        bounds.spa_schedule(eta=e, c=np.r_[c[:-1], 0.0], L=1.0, sigma2=0.0, gap=1.0)
    with pytest.raises(ValueError, match="eta: must be finite"):
        bounds.spa_schedule(eta=np.r_[e[:-1], np.nan], c=c, L=1.0, sigma2=0.0, gap=1.0)
    with pytest.raises(ValueError, match="terminal"):
        convert.schedule_to_spa(lr=e, momentum=c, terminal="other")


def test_weighted_average_bound():
    lr = np.r_[np.full(100, 0.1), np.full(100, 0.01)]
    mom = np.full(200, 0.9)
    uni = bounds.sgdm_schedule(lr=lr, momentum=mom, L=1.0, sigma2=0.1, gap=1.0)
    wei = bounds.sgdm_schedule(lr=lr, momentum=mom, L=1.0, sigma2=0.1, gap=1.0, average="weighted")
    assert wei < uni  # the small steps at the end no longer dominate
    e, c = np.full(40, 0.3), np.full(40, 0.2)
    w = bounds.spa_schedule(eta=e, c=c, L=1.0, sigma2=0.1, gap=1.0, average="weighted")
    # never worse than P4's constant-parameter bound (the terminal coefficients may even help)
    p4 = bounds.rates()["P4"](eta=0.3, c=0.2, L=1.0, sigma2=0.1, steps=40, gap=1.0)
    assert w <= p4 * (1 + 1e-12)
    with pytest.raises(ValueError, match="average"):
        bounds.spa_schedule(eta=e, c=c, L=1.0, sigma2=0.1, gap=1.0, average="max")


def test_weighted_bound_sound_on_a_concrete_run():
    """Deterministic quadratic L/2 (x - x*)^2 with gap 1: sum_k rho_k |g_k|^2 <= gap, for the
    rho_k of every terminal choice that P8 certifies (the summed lemma, checked on a run)."""
    from lyapunov.bounds.schedule import _run, _terminals

    L, gap = 1.0, 1.0
    eta = np.r_[np.full(30, 0.5), np.linspace(0.5, 0.05, 30)]
    c = np.full(60, 0.2)
    assert np.isfinite(
        bounds.spa_schedule(eta=eta, c=c, L=L, sigma2=0.0, gap=gap, average="weighted")
    )
    x = z = 0.0
    xstar = np.sqrt(2 * gap / L)
    g2 = []
    for k in range(60):
        g = L * (x - xstar)
        g2.append(g * g)
        x, z = spa_step(x, z, g, eta[k], c[k])
    checked = 0
    for a, bb in _terminals(float(eta[-1]), float(c[-1]), L):
        trace: list = []
        if _run(list(eta), list(c), L, a, bb, trace) is None:
            continue
        rho = dict((k, r) for k, r, _ in trace)
        assert sum(rho[k] * g2[k] for k in range(60)) <= gap * (1 + 1e-12)
        checked += 1
    assert checked >= 1


# ------------------------------------------------- which average: the uniform one can collapse
def test_uniform_average_of_cosine_annealing_p8_collapses_the_chain_does_not():
    """The case a user met: cosine annealing of lr 0.1 -> 0 over 1000 steps, momentum 0.9. P8
    alone collapses on the plain average; the chain with P10 does not, so no warning."""
    import warnings

    from lyapunov.bounds.schedule import p8_bounds
    from lyapunov.convert import schedule_to_spa
    from lyapunov.sim import schedules as sch

    lr, mom = sch.cosine(0.1, 1000), np.full(1000, 0.9)
    g = dict(L=1.0, sigma2=0.01, gap=1.0)
    p8_alone = min(
        p8_bounds(*schedule_to_spa(lr=lr, momentum=mom, terminal=t), **g)[0]
        for t in ("steady", "sgd")
    )
    assert p8_alone == pytest.approx(496.557, rel=1e-5)
    with warnings.catch_warnings():
        warnings.simplefilter("error", bounds.UniformAverageWarning)
        uniform = bounds.sgdm_schedule(lr=lr, momentum=mom, detail=True, **g)
    weighted = bounds.sgdm_schedule(lr=lr, momentum=mom, average="weighted", **g)
    assert uniform.theorem == "P2+P24+P10"
    assert uniform.value == pytest.approx(0.13064, rel=1e-4)
    assert weighted == pytest.approx(0.016955, rel=1e-4)
    # over 20000 steps the plain average is still bounded, but 50x the weighted one: warn
    lr, mom = sch.cosine(0.1, 20000), np.full(20000, 0.9)
    with pytest.warns(bounds.UniformAverageWarning, match=r"average='weighted'.* 0\.003837"):
        uniform = bounds.sgdm_schedule(lr=lr, momentum=mom, **g)
    assert uniform == pytest.approx(0.19385, rel=1e-4)
    with warnings.catch_warnings():  # no warning where the uniform bound is fine
        warnings.simplefilter("error", bounds.UniformAverageWarning)
        bounds.sgdm_schedule(lr=np.full(1000, 0.01), momentum=mom[:1000], **g)
        step = sch.step_decay(0.1, 1000, [500, 750])
        u = bounds.sgdm_schedule(lr=step, momentum=mom[:1000], **g)
        w = bounds.sgdm_schedule(lr=step, momentum=mom[:1000], average="weighted", **g)
    assert w <= u < 10 * w


def test_constant_schedule_gives_spa_and_weighted_is_never_larger_than_p8s_uniform():
    from lyapunov.bounds.schedule import p8_bounds

    e, c = np.full(50, 0.3), np.full(50, 0.2)
    g = dict(L=1.0, sigma2=0.1, gap=1.0)
    u = bounds.spa_schedule(eta=e, c=c, **g)
    assert u == pytest.approx(bounds.spa(eta=0.3, c=0.2, steps=50, **g), rel=1e-9)
    rng = np.random.default_rng(0)
    for _ in range(5):
        e = np.sort(rng.uniform(0.05, 0.5, 40))[::-1]
        u = bounds.spa_schedule(eta=e, c=np.full(40, 0.3), **g)
        w = bounds.spa_schedule(eta=e, c=np.full(40, 0.3), average="weighted", **g)
        p8_uniform, p8_weighted = p8_bounds(e, np.full(40, 0.3), **g)
        assert w == p8_weighted <= p8_uniform  # sum rho >= n min rho
        assert u <= p8_uniform  # the chain with P10 only ever helps the plain average


def test_schedule_docstrings_point_to_the_weighted_average():
    for fun in (bounds.spa_schedule, bounds.sgdm_schedule):
        assert 'average="weighted"' in fun.__doc__ or '``"weighted"``' in fun.__doc__
        assert "decaying" in fun.__doc__
