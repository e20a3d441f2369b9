"""The update rules, run numerically: the three forms (PyTorch, heavy ball, SPA) agree."""

import numpy as np
import pytest

from lyapunov.methods import heavy_ball_step, pytorch_sgd_step, sgd_step, spa_step


@pytest.mark.parametrize("eta,c", [(0.1, 0.1), (0.5, 0.5), (1.0, 1.0), (0.3, 0.9)])
def test_three_forms_agree_for_50_steps(eta, c):
    rng = np.random.default_rng(1)
    A = rng.standard_normal((5, 5))
    H = (A + A.T) / 4

    def grad(x):
        return H @ x + np.sin(x)

    noise = rng.standard_normal((50, 5)) * 0.1
    x_spa = z = x_hb = x_prev = x_pt = rng.standard_normal(5)
    b = np.zeros(5)
    for k in range(50):
        gs, gh, gp = grad(x_spa) + noise[k], grad(x_hb) + noise[k], grad(x_pt) + noise[k]
        x_new, z = spa_step(x_spa, z, gs, eta, c)
        # z_k = x_k - momentum * eta * b_k (checked before the update of b)
        x_hb, x_prev = heavy_ball_step(x_hb, x_prev, gh, c * eta, 1 - c)
        x_pt, b = pytorch_sgd_step(x_pt, b, gp, c * eta, 1 - c)
        x_spa = x_new
        np.testing.assert_allclose(x_spa, x_hb, rtol=1e-10, atol=1e-10)
        np.testing.assert_allclose(x_spa, x_pt, rtol=1e-10, atol=1e-10)
        np.testing.assert_allclose(z, x_pt - (1 - c) * eta * b, rtol=1e-10, atol=1e-10)


def test_sgd_is_spa_with_c_one():
    x = np.array([1.0, -2.0])
    g = np.array([0.5, 0.25])
    x1, z1 = spa_step(x, x, g, 0.3, 1.0)
    np.testing.assert_array_equal(x1, sgd_step(x, g, 0.3))
    np.testing.assert_array_equal(z1, x1)
