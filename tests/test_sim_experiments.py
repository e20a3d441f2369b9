"""The runs behind the figures, in lyapunov.sim: P7 correlation records, the digits training."""

from __future__ import annotations

import numpy as np
import pytest

from lyapunov.objectives import make
from lyapunov.sim import simulate
from lyapunov.studies import correlation, digits


def test_spa_records_cosine_equals_the_simulators():
    """The SPA loop (x_k - z_k = momentum eta b_k, P1) sees the same cosine as simulate's
    PyTorch-form buffer, for the same seed."""
    obj = make("cosine", 6)
    eta, c = np.array([0.5, 0.5]), np.array([0.5, 0.1])
    rec = correlation.spa_records(obj, eta, c, 0.1, 60, 12, seed=2)
    sim = simulate(obj, "sgdm", lr=(c * eta)[:, None], momentum=(1 - c)[:, None], sigma2=0.1,
                   steps=60, runs=12, seed=2, record=("cos",), engine="numpy")  # fmt: skip
    np.testing.assert_allclose(rec["cos"], sim.cos, atol=1e-10)
    np.testing.assert_allclose(rec["grad2"], sim.grad2, rtol=1e-10)
    other = correlation.spa_records(obj, eta, c, 0.1, 60, 12, seed=3)
    assert not np.allclose(other["gxz"], rec["gxz"])


def test_digits_training_seeded_and_shaped():
    pytest.importorskip("sklearn")
    a = digits.train(epochs=1, seeds=2, seed=0)
    b = digits.train(epochs=1, seeds=2, seed=0)
    assert a["train_loss"].shape == (len(digits.VARIANTS), 2, 2)
    np.testing.assert_array_equal(a["test_acc"], b["test_acc"])
    # epoch 1 uses momentum in the first two variants: identical there, different from SGD
    np.testing.assert_array_equal(a["train_loss"][0], a["train_loss"][1])
    assert not np.allclose(a["train_loss"][0, :, 1], a["train_loss"][2, :, 1])
    assert np.all(a["train_loss"][:, :, 1] < a["train_loss"][:, :, 0])  # training helps


def test_net_gradient_matches_finite_differences():
    net = digits.Net(4, 3, 2)
    rng = np.random.default_rng(0)
    theta = net.init(rng)[None]
    X = rng.standard_normal((1, 5, 4))
    Y = np.eye(2)[rng.integers(0, 2, 5)][None]
    g = net.grad(theta, X, Y)[0]

    def loss(t):
        _, logp = net._forward(t[None], X)
        return -(logp * Y).sum() / 5

    h = 1e-6
    num = np.array(
        [(loss(theta[0] + h * e) - loss(theta[0] - h * e)) / (2 * h) for e in np.eye(net.size)]
    )
    np.testing.assert_allclose(g, num, atol=1e-7)
