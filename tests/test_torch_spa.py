"""The PyTorch SPA optimizer: same steps as torch.optim.SGD for constant parameters."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from lyapunov import bounds  # noqa: E402
from lyapunov.torch import SPA  # noqa: E402


def _train(make_opt, steps=50, seed=0):
    torch.manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
    X, y = torch.randn(64, 5), torch.randn(64, 1)
    opt = make_opt(model.parameters())
    out = []
    for _ in range(steps):
        opt.zero_grad()
        loss = ((model(X) - y) ** 2).mean()
        loss.backward()
        opt.step()
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
