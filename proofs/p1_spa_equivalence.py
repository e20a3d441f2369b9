r"""P1. SPA with constant (eta, c) is SGD with momentum, in all three forms.

For every 0 < c <= 1 and eta > 0, with lr = c eta and momentum = 1 - c, and for any gradients
g_0, g_1, ... (stochastic or not), the sequences x_k of

    SPA:         z_{k+1} = z_k - eta g_k,  x_{k+1} = (1 - c) x_k + c z_{k+1},   z_0 = x_0,
    heavy ball:  x_{k+1} = x_k - lr g_k + momentum (x_k - x_{k-1}),             x_{-1} = x_0,
    PyTorch:     b_{k+1} = momentum b_k + g_k,  x_{k+1} = x_k - lr b_{k+1},      b_0 = 0,

coincide, and for every k

    z_k = x_k + ((1 - c)/c) (x_k - x_{k-1}) = x_k - (1 - c) eta b_k = x_k - momentum eta b_k.

Assumptions: none on f: the identities hold for any gradients g_0, g_1, ... (stochastic or not);
eta > 0, 0 < c <= 1.

Proof: by induction on k: the invariants hold at k = 0, and if they hold at k (so the three
methods take the gradient at the same x_k) one step of each method keeps them.

References:
- A. Defazio, Momentum via Primal Averaging: Theoretical Insights and Learning Rate Schedules for
    Non-Convex Optimization, arXiv:2010.00406
    (claim C1: SGD+M in SPA form).
- B. Polyak, Some methods of speeding up the convergence of iteration methods, USSR Comput.
    Math. Math. Phys. 4 (1964) (heavy ball).
- PyTorch, torch.optim.SGD documentation (momentum, dampening 0).
"""

from lyapunov.engine import Identities, params, vectors
from lyapunov.methods import heavy_ball_step, pytorch_sgd_step, spa_step

eta, c = params("eta c")
x, x_prev, b, g = vectors("x x_prev b g")
lr, momentum = c * eta, 1 - c

# invariants at step k, written as what z_k must be
z_hb = x + (1 - c) / c * (x - x_prev)  # SPA <-> heavy ball
z_pt = x - momentum * eta * b  # SPA <-> PyTorch

x1_hb, _ = heavy_ball_step(x, x_prev, g, lr, momentum)
x1_pt, b1 = pytorch_sgd_step(x, b, g, lr, momentum)
x1_a, z1_a = spa_step(x, z_hb, g, eta, c)  # SPA under the heavy-ball invariant
x1_b, z1_b = spa_step(x, z_pt, g, eta, c)  # SPA under the PyTorch invariant

theorem = Identities(
    name="P1 SPA = heavy ball = PyTorch SGD+M",
    statement=__doc__,
    region=[eta > 0, c > 0, c <= 1],
    equations=[
        # k = 0: z_0 = x_0, x_{-1} = x_0, b_0 = 0
        ("base: heavy-ball invariant", x, x + (1 - c) / c * (x - x)),
        ("base: PyTorch invariant", x, x - momentum * eta * 0 * b),
        # k -> k+1
        ("step: x_{k+1} (SPA) = x_{k+1} (heavy ball)", x1_a, x1_hb),
        ("step: heavy-ball invariant at k+1", z1_a, x1_hb + (1 - c) / c * (x1_hb - x)),
        ("step: x_{k+1} (SPA) = x_{k+1} (PyTorch)", x1_b, x1_pt),
        ("step: PyTorch invariant at k+1", z1_b, x1_pt - momentum * eta * b1),
    ],
)
