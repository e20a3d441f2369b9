"""A momentum schedule with a 0 among nonzero values: torch.optim.SGD then skips its buffer
(neither updated nor reset), which is not the SGD+M recursion the certified map P2 covers.
Real torch exceeded the bound the calculator used to give (+23%): it now refuses."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lyapunov import bounds

MOMENTUM = [0.9] * 6 + [0.0] + [0.9] * 5
X0 = math.sqrt(2.0)


def torch_average_grad2(lr, momentum, x0=X0):
    """(1/n) sum_k |grad f(x_k)|^2 of real torch.optim.SGD on f(x) = x^2/2, momentum set per
    step through the param group (as a momentum scheduler does)."""
    torch = pytest.importorskip("torch")
    x = torch.tensor([x0], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([x], lr=lr, momentum=momentum[0])
    total = 0.0
    for mk in momentum:
        opt.param_groups[0]["momentum"] = mk
        opt.zero_grad()
        loss = 0.5 * (x * x).sum()
        loss.backward()
        total += float((x.grad * x.grad).sum())
        opt.step()
    return total / len(momentum)


def recursion_average_grad2(lr, momentum, x0=X0):
    """The same run with the SGD+M recursion b_{k+1} = momentum_k b_k + g_k at every step."""
    x, b, total = x0, 0.0, 0.0
    for mk in momentum:
        g = x
        total += g * g
        b = mk * b + g
        x = x - lr * b
    return total / len(momentum)


def test_torch_at_momentum_zero_is_not_the_recursion():
    pytest.importorskip("torch")
    real = torch_average_grad2(0.1, MOMENTUM)
    assert real != pytest.approx(recursion_average_grad2(0.1, MOMENTUM), rel=1e-3)
    # with no zero the two are the same run
    steady = [0.9] * 12
    assert torch_average_grad2(0.1, steady) == pytest.approx(
        recursion_average_grad2(0.1, steady), rel=1e-12
    )


@pytest.mark.parametrize(
    "lr, momentum",
    [(0.1, MOMENTUM), (0.05, [0.0] + [0.95] * 11)],
)
def test_a_zero_among_nonzero_momenta_is_refused(lr, momentum):
    with pytest.raises(ValueError, match=r"momentum: a momentum of 0 may only end a schedule"):
        bounds.sgdm_schedule(
            lr=np.full(len(momentum), lr), momentum=np.array(momentum), L=1.0, sigma2=0.0, gap=1.0
        )


@pytest.mark.parametrize("momentum", [[0.0] * 12, [0.9] * 6 + [0.0] * 6])
def test_zeros_to_the_end_are_the_same_run_and_the_bound_holds_for_torch(momentum):
    """Momentum 0 throughout (plain SGD) or dropped for good: torch runs the SGD+M recursion,
    and the certified bound covers real torch."""
    pytest.importorskip("torch")
    lr, n = 0.1, len(momentum)
    assert torch_average_grad2(lr, momentum) == pytest.approx(
        recursion_average_grad2(lr, momentum), rel=1e-12
    )
    bound = float(
        bounds.sgdm_schedule(
            lr=np.full(n, lr), momentum=np.array(momentum), L=1.0, sigma2=0.0, gap=1.0
        )
    )
    assert math.isfinite(bound)
    assert torch_average_grad2(lr, momentum) <= bound
