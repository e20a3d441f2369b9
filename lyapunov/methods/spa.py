"""Stochastic primal averaging (SPA), the form of SGD+M our analysis uses.

    z_{k+1} = z_k - eta_k g_k
    x_{k+1} = (1 - c_{k+1}) x_k + c_{k+1} z_{k+1},        z_0 = x_0.

The gradient is taken at x_k; eta is the step that the gradient takes in the long run and c
sets how fast x averages towards z. c = 1 is SGD with step eta.

Schedules: the toolkit indexes parameters by the step that uses them, so step k uses
(eta_k, c_k) and x_{k+1} = (1 - c_k) x_k + c_k z_{k+1} (the paper's c_{k+1} is our c_k).
"""


def spa_step(x, z, g, eta, c):
    """One SPA step: returns (x_{k+1}, z_{k+1})."""
    z1 = z - eta * g
    x1 = (1 - c) * x + c * z1
    return x1, z1
