"""The PyTorch SPA optimizer with beta (GSPA): torch's Nesterov and QHM step by step, beta = 1
bit for bit today's SPA, validation, the averaged iterate and the certified bound."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from lyapunov import bounds  # noqa: E402
from lyapunov.torch import SPA  # noqa: E402


def _train(make_opt, steps=50, seed=0, make_sched=None):
    """Parameters after each step of a small network on fixed data (float64)."""
    torch.manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
    model = model.double()
    X, y = torch.randn(64, 5, dtype=torch.float64), torch.randn(64, 1, dtype=torch.float64)
    opt = make_opt(model.parameters())
    if hasattr(opt, "train"):  # schedule-free optimizers step in train mode
        opt.train()
    sched = make_sched(opt) if make_sched else None
    out = []
    for _ in range(steps):
        opt.zero_grad()
        ((model(X) - y) ** 2).mean().backward()
        opt.step()
        if sched:
            sched.step()
        out.append(torch.cat([p.detach().flatten() for p in model.parameters()]).clone())
    return torch.stack(out), opt


@pytest.mark.parametrize("lr, mu", [(0.05, 0.9), (0.2, 0.5), (0.1, 0.3)])
def test_gspa_is_torch_nesterov(lr, mu):
    ours, _ = _train(lambda p: SPA(p, eta=lr / (1 - mu), c=1 - mu, beta=mu))
    ref, _ = _train(lambda p: torch.optim.SGD(p, lr=lr, momentum=mu, nesterov=True))
    torch.testing.assert_close(ours, ref, rtol=1e-10, atol=1e-12)


def test_gspa_is_torch_nesterov_under_an_lr_scheduler_only_at_fixed_lr():
    """The comparison can fail: under a decaying lr, SPA scales eta at fixed c and beta,
    torch's Nesterov keeps its buffer; the runs part (as for heavy ball, P2a)."""
    lr, mu, n = 0.05, 0.9, 50

    def sched(o):
        return torch.optim.lr_scheduler.StepLR(o, step_size=10, gamma=0.5)

    ours, _ = _train(lambda p: SPA(p, eta=lr / (1 - mu), c=1 - mu, beta=mu), n, make_sched=sched)
    ref, _ = _train(lambda p: torch.optim.SGD(p, lr=lr, momentum=mu, nesterov=True), n,
                    make_sched=sched)  # fmt: skip
    torch.testing.assert_close(ours[:10], ref[:10], rtol=1e-10, atol=1e-12)
    assert not torch.allclose(ours[-1], ref[-1], rtol=1e-6, atol=1e-8)


def test_gspa_is_qhm():
    qhoptim = pytest.importorskip("qhoptim.pyt")
    lr, b, nu = 0.1, 0.9, 0.7
    ours, _ = _train(lambda p: SPA(p, eta=lr, c=1 - b, beta=nu))
    ref, _ = _train(lambda p: qhoptim.QHM(p, lr=lr, momentum=b, nu=nu))
    torch.testing.assert_close(ours, ref, rtol=1e-10, atol=1e-12)


def test_beta_one_is_todays_spa_bit_for_bit():
    a, _ = _train(lambda p: SPA(p, eta=0.1, c=0.1))
    b, _ = _train(lambda p: SPA(p, eta=0.1, c=0.1, beta=1.0))
    assert torch.equal(a, b)
    c, _ = _train(lambda p: SPA(p, eta=0.1, c=0.1, beta=0.999))
    assert not torch.equal(a, c)


def test_averaged_is_gspa_x_and_schedule_free_eval_mode():
    sf = pytest.importorskip("schedulefree")
    lr, beta, n = 0.1, 0.9, 30
    ys, opt = _train(lambda p: SPA(p, eta=lr, c=lambda k: 1 / (k + 1), beta=beta), n)
    ref, ref_opt = _train(lambda p: sf.SGDScheduleFree(p, lr=lr, momentum=beta, warmup_steps=0), n)
    torch.testing.assert_close(ys, ref, rtol=1e-10, atol=1e-12)  # train mode: y_k
    x = torch.cat([t.flatten() for t in opt.averaged()])
    ref_opt.eval()
    x_ref = torch.cat([p.detach().flatten() for g in ref_opt.param_groups for p in g["params"]])
    torch.testing.assert_close(x, x_ref, rtol=1e-9, atol=1e-12)  # eval mode: x_k
    assert not torch.allclose(x, ys[-1], rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize(
    "beta, err, msg",
    [
        (1.5, ValueError, r"beta: must be in \[0, 1\], got 1.5"),
        (-0.1, ValueError, r"beta: must be in \[0, 1\]"),
        (float("nan"), ValueError, "beta: must be finite"),
        ("0.5", TypeError, "beta: must be a number"),
        (True, TypeError, "beta: must be a number"),
    ],
)
def test_beta_validation(beta, err, msg):
    with pytest.raises(err, match=msg):
        SPA(torch.nn.Linear(2, 1).parameters(), eta=0.1, c=0.5, beta=beta)


def test_certified_bound_beta_one_unchanged_and_gspa_for_other_beta():
    model = torch.nn.Linear(3, 1)
    g = dict(L=1.0, sigma2=0.1, gap=1.0, steps=100)
    spa = SPA(model.parameters(), eta=0.2, c=0.5, beta=1.0)
    assert spa.certified_bound(**g) == pytest.approx(
        bounds.spa(eta=0.2, c=0.5, L=1.0, sigma2=0.1, steps=100, gap=1.0), rel=1e-9
    )
    opt = SPA(model.parameters(), eta=0.2, c=0.5, beta=0.5)
    want = bounds.gspa(eta=0.2, c=0.5, beta=0.5, L=1.0, sigma2=0.1, steps=100, gap=1.0)
    assert opt.certified_bound(**g) == pytest.approx(float(want), rel=1e-12)
    # a schedule: P12 backwards over the planned steps (bounds.gspa_schedule)
    decay = SPA(model.parameters(), eta=lambda k: 0.2 if k < 50 else 0.02, c=0.5, beta=0.5)
    eta = [0.2] * 50 + [0.02] * 50
    want = bounds.gspa_schedule(eta=eta, c=[0.5] * 100, beta=0.5, L=1.0, sigma2=0.1, gap=1.0)
    assert np.isfinite(want)
    assert decay.certified_bound(**g) == pytest.approx(want, rel=1e-12)
    const = bounds.gspa_schedule(eta=[0.2] * 100, c=[0.5] * 100, beta=0.5, L=1.0, sigma2=0.1,
                                 gap=1.0)  # fmt: skip
    assert const < 1.5 * float(bounds.gspa(eta=0.2, c=0.5, beta=0.5, L=1.0, sigma2=0.1,
                                           steps=100, gap=1.0))  # fmt: skip
