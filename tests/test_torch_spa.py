"""The PyTorch SPA optimizer: same steps as torch.optim.SGD for constant parameters."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from lyapunov import bounds  # noqa: E402
from lyapunov.torch import SPA  # noqa: E402


def _train(make_opt, steps=50, seed=0, make_sched=None, before=None):
    """Parameters after each step; ``make_sched(opt)`` an lr scheduler stepped after each
    step; ``before(opt, k)`` called before step k."""
    torch.manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
    X, y = torch.randn(64, 5), torch.randn(64, 1)
    opt = make_opt(model.parameters())
    sched = make_sched(opt) if make_sched else None
    out = []
    for k in range(steps):
        opt.zero_grad()
        loss = ((model(X) - y) ** 2).mean()
        loss.backward()
        if before:
            before(opt, k)
        opt.step()
        if sched:
            sched.step()
        out.append(torch.cat([p.detach().flatten() for p in model.parameters()]).clone())
    return torch.stack(out)


@pytest.mark.parametrize("eta,c", [(0.1, 0.1), (0.5, 0.5), (0.2, 1.0)])
def test_constant_spa_equals_torch_sgd(eta, c):
    ours = _train(lambda p: SPA(p, eta=eta, c=c))
    ref = _train(lambda p: torch.optim.SGD(p, lr=c * eta, momentum=1 - c))
    torch.testing.assert_close(ours, ref, rtol=1e-5, atol=1e-6)


def test_schedules_callable_and_sequence_agree():
    sched = [0.1 * 0.99**k for k in range(30)]
    a = _train(lambda p: SPA(p, eta=lambda k: 0.1 * 0.99**k, c=0.3), steps=30)
    b = _train(lambda p: SPA(p, eta=sched, c=[0.3] * 30), steps=30)
    torch.testing.assert_close(a, b)


def test_certified_bound_for_planned_schedule():
    model = torch.nn.Linear(3, 1)
    opt = SPA(model.parameters(), eta=0.2, c=0.5)
    got = opt.certified_bound(L=1.0, sigma2=0.1, gap=1.0, steps=100)
    want = bounds.spa(eta=0.2, c=0.5, L=1.0, sigma2=0.1, steps=100, gap=1.0)
    assert got == pytest.approx(want, rel=1e-9)
    decay = SPA(model.parameters(), eta=lambda k: 0.2 if k < 50 else 0.02, c=0.5)
    eta = np.r_[np.full(50, 0.2), np.full(50, 0.02)]
    want = bounds.spa_schedule(eta=eta, c=np.full(100, 0.5), L=1.0, sigma2=0.1, gap=1.0)
    assert decay.certified_bound(L=1.0, sigma2=0.1, gap=1.0, steps=100) == want


@pytest.mark.parametrize(
    "kw,msg",
    [
        (dict(eta=-0.1, c=0.5), "eta: must be > 0"),
        (dict(eta=0.1, c=1.5), r"c: must be in \(0, 1\]"),
        (dict(eta=float("nan"), c=0.5), "eta: must be finite"),
    ],
)
def test_validation(kw, msg):
    model = torch.nn.Linear(2, 1)
    with pytest.raises(ValueError, match=msg):
        SPA(model.parameters(), **kw)


def test_schedule_too_short_is_an_error():
    model = torch.nn.Linear(2, 1)
    opt = SPA(model.parameters(), eta=[0.1, 0.1], c=0.5)
    with pytest.raises(ValueError, match="eta: schedule has 2 values"):
        opt.certified_bound(L=1.0, sigma2=0.0, gap=1.0, steps=5)


# ------------------------------------------------------------------ lr and torch lr schedulers
def test_lr_is_c_times_eta_and_a_fixed_lr_changes_nothing():
    model = torch.nn.Linear(3, 1)
    opt = SPA(model.parameters(), eta=0.1, c=0.1)
    assert opt.param_groups[0]["lr"] == pytest.approx(0.01)  # PyTorch's lr (P1)
    assert opt.step_parameters() == pytest.approx((0.1, 0.1))
    opt.param_groups[0]["lr"] = 0.005  # halve PyTorch's lr: eta halves, c stays
    assert opt.step_parameters() == pytest.approx((0.05, 0.1))


def _scheduled(make_sched, steps=40, eta=0.1, c=0.2):
    """SPA(eta, c) under an lr scheduler: (parameters per step, the lr of each step)."""
    lrs = []
    params = _train(
        lambda p: SPA(p, eta=eta, c=c),
        steps,
        make_sched=make_sched,
        before=lambda opt, k: lrs.append(opt.param_groups[0]["lr"]),
    )
    return params, np.array(lrs)


def test_cosine_annealing_scales_eta_at_fixed_c():
    """CosineAnnealingLR(SPA(...)) runs (no KeyError 'lr') and is SPA with eta_k = lr_k / c."""
    eta, c, n = 0.1, 0.2, 40
    ours, lrs = _scheduled(
        lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=n), n, eta, c
    )
    want = [c * eta * (1 + np.cos(np.pi * k / n)) / 2 for k in range(n)]
    np.testing.assert_allclose(lrs, want, rtol=1e-12)
    ref = _train(lambda p: SPA(p, eta=list(lrs / c), c=c), steps=n)
    torch.testing.assert_close(ours, ref)
    # in PyTorch coordinates: SGD with lr_k and momentum_{k+1} = (1 - c) eta_k / eta_{k+1} (P2a)
    from lyapunov.convert import schedule_to_pytorch

    lr_t, mom_t = schedule_to_pytorch(eta=lrs / c, c=np.full(n, c))

    def set_lr_momentum(opt, k):
        opt.param_groups[0]["lr"] = float(lr_t[k])
        opt.param_groups[0]["momentum"] = float(mom_t[k])

    sgd = _train(lambda p: torch.optim.SGD(p, lr=1.0, momentum=0.5), n, before=set_lr_momentum)
    torch.testing.assert_close(ours, sgd, rtol=1e-5, atol=1e-6)
    # ... which is not SGD(lr_k, momentum = 1 - c) under the same scheduler
    plain = _train(
        lambda p: torch.optim.SGD(p, lr=c * eta, momentum=1 - c),
        n,
        make_sched=lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=n),
    )
    assert not torch.allclose(ours[-1], plain[-1], rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize(
    "make",
    [
        lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=10, gamma=0.5),
        lambda o: torch.optim.lr_scheduler.LambdaLR(o, lambda k: 1 / (1 + k)),
        lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.97),
    ],
)
def test_other_schedulers_scale_eta_by_lr_over_lr0(make):
    eta, c, n = 0.1, 0.2, 30
    ours, lrs = _scheduled(make, n, eta, c)
    ref = _train(lambda p: SPA(p, eta=list(eta * lrs / (c * eta)), c=c), steps=n)
    torch.testing.assert_close(ours, ref)


def test_certified_bound_with_a_scheduler():
    model = torch.nn.Linear(3, 1)
    opt = SPA(model.parameters(), eta=0.1, c=0.1)
    n = 20000  # long enough for the plain average to be far above the weighted one
    torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=n)
    with pytest.raises(ValueError, match="lr: an lr scheduler"):
        opt.certified_bound(L=1.0, sigma2=0.01, gap=1.0, steps=n)
    lrs = [0.01 * (1 + np.cos(np.pi * k / n)) / 2 for k in range(n)]
    g = dict(L=1.0, sigma2=0.01, gap=1.0)
    got = opt.certified_bound(**g, steps=n, lr=lrs, average="weighted")
    want = bounds.spa_schedule(eta=np.array(lrs) / 0.1, c=np.full(n, 0.1), average="weighted", **g)
    assert got == pytest.approx(want, rel=1e-12) and np.isfinite(got)
    with pytest.warns(bounds.UniformAverageWarning, match="weighted"):
        uniform = opt.certified_bound(**g, steps=n, lr=lrs)
    assert uniform > 10 * got
    with pytest.raises(ValueError, match="lr: must have one value per step"):
        opt.certified_bound(**g, steps=n, lr=lrs[:10])


def test_bad_lr_set_by_hand_is_an_error():
    model = torch.nn.Linear(2, 1)
    opt = SPA(model.parameters(), eta=0.1, c=0.5)
    model(torch.randn(4, 2)).sum().backward()
    opt.param_groups[0]["lr"] = 0.0
    with pytest.raises(ValueError, match="lr: must be a finite number > 0"):
        opt.step()


def test_state_dict_round_trip_keeps_lr():
    model = torch.nn.Linear(2, 1)
    opt = SPA(model.parameters(), eta=0.3, c=0.5)
    opt.param_groups[0]["lr"] = 0.06
    other = SPA(torch.nn.Linear(2, 1).parameters(), eta=0.3, c=0.5)
    other.load_state_dict(opt.state_dict())
    assert other.step_parameters() == pytest.approx((0.3 * 0.06 / 0.15, 0.5))
