r"""P2. The exact map between SPA with schedules and PyTorch SGD+M with schedules.

Conventions (step k = 0, 1, ..., any gradients g_k, stochastic or not):

    SPA:      z_{k+1} = z_k - eta_k g_k,  x_{k+1} = (1 - c_k) x_k + c_k z_{k+1},   z_0 = x_0,
    PyTorch:  b_{k+1} = momentum_k b_k + g_k,  x_{k+1} = x_k - lr_k b_{k+1},        b_0 = 0

(momentum_0 never matters since b_0 = 0). Invariant linking the two states at every step k:

    z_k = x_k - momentum_k eta_k b_k.                                                   (I_k)

P2a (SPA -> PyTorch). For eta_k > 0, eta_{k+1} > 0, 0 < c_k <= 1, put

    LR            = lr_k           = c_k eta_k,
    MOMENTUM_NEXT = momentum_{k+1} = (1 - c_k) eta_k / eta_{k+1}.

Then (I_0) holds, and (I_k) implies that one step of each method gives the same x_{k+1} and
(I_{k+1}). Hence both methods produce the same x_k for all k. Note the ratio eta_k/eta_{k+1}:
the naive relabelling momentum = 1 - c is exact only when eta is constant, and a fast decrease
of eta (eta_{k+1} < (1 - c_k) eta_k) needs a momentum above 1.

P2b (PyTorch -> SPA). The map runs backwards and needs the future of the schedule. For
lr_k > 0, momentum_{k+1} >= 0 and any eta_{k+1} > 0, put

    ETA = eta_k = lr_k + momentum_{k+1} eta_{k+1},        C = c_k = lr_k / eta_k,

so that 0 < c_k <= 1 (c_k = 1 iff momentum_{k+1} = 0), c_k eta_k = lr_k and
(1 - c_k) eta_k / eta_{k+1} = momentum_{k+1}: the same induction applies. Unrolled,

    eta_k = sum_{j >= k} lr_j prod_{i=k+1..j} momentum_i,

closed at a horizon n by a terminal value eta_n > 0; the natural choice "the last values are
kept forever" is ETA_TERMINAL = lr_{n-1} / (1 - momentum_n), the fixed point of the
recursion (any eta_n > 0 gives the same x_0, ..., x_n; only z_n depends on it).

P2c (a PyTorch step decay in SPA coordinates). Let lr_k = alpha for k < T and gamma alpha for
k >= T (gamma = 1/10 is the usual step decay), momentum_k = beta in (0, 1) fixed, and keep the
last values forever. With q = beta^max(T - k, 0), for every k,

    ETA_STEP_DECAY = eta_k = alpha (1 - (1 - gamma) q) / (1 - beta),
    C_STEP_DECAY   = c_k   = (1 - beta) / (1 - (1 - gamma) q)     for k < T,
                     c_k   = 1 - beta                             for k >= T.

So in SPA coordinates eta does not drop at T: it decays geometrically *before* T, from
alpha/(1 - beta) down to gamma alpha/(1 - beta), over the ~1/(1 - beta) steps before the drop,
while c rises from 1 - beta to c_{T-1} = (1 - beta)/(1 - (1 - gamma) beta) (0.526 for
beta = 0.9, gamma = 1/10, not 0.1) and falls back to 1 - beta at T. Certified: the closed form
at q = 1 (k >= T) is the fixed point of the recursion eta_k = gamma alpha + beta eta_{k+1}, and
if eta_{k+1} is the closed form at q then eta_k = alpha + beta eta_{k+1} is the closed form at
beta q; c_k = lr_k / eta_k and the PyTorch momentum is recovered by P2a.

Symbols: eta_k, eta_k1 (= eta_{k+1}), c_k, lr_k, m_k (= momentum_k), m_k1 (= momentum_{k+1}),
alpha, beta, gamma, q; vectors x (= x_k), b (= b_k), g (= g_k).

Assumptions: none on f (any gradients); the sign conditions on the schedule stated in each part.

Proof: exact identities of rational functions for one step (induction on k), and the sign
conditions decided over each region (the Identities and Inequalities below).

References:
- A. Defazio, Momentum via Primal Averaging: Theoretical Insights and Learning Rate Schedules for
    Non-Convex Optimization, arXiv:2010.00406
    (claim C6: schedules in SPA coordinates).
"""

import sympy as sp

from lyapunov.engine import Identities, Inequalities, params, vectors
from lyapunov.methods import pytorch_sgd_step, spa_step

eta_k, eta_k1, c_k, lr_k, m_k, m_k1 = params("eta_k eta_k1 c_k lr_k m_k m_k1")
lr_k1, m_k2, eta_k2 = params("lr_k1 m_k2 eta_k2")  # only for the unrolled recursion
alpha, beta, gamma, q = params("alpha beta gamma q")
x, b, g = vectors("x b g")

# -- the formulas (what a calculator lambdifies) ---------------------------------------------
LR = c_k * eta_k  # SPA -> PyTorch
MOMENTUM_NEXT = (1 - c_k) * eta_k / eta_k1
ETA = lr_k + m_k1 * eta_k1  # PyTorch -> SPA (backward)
C = lr_k / ETA
ETA_TERMINAL = lr_k / (1 - m_k1)  # fixed point of ETA when (lr, momentum) stay constant
ETA_STEP_DECAY = alpha * (1 - (1 - gamma) * q) / (1 - beta)  # q = beta**max(T - k, 0)
C_STEP_DECAY = (1 - beta) / (1 - (1 - gamma) * q)  # k < T only (q = beta**(T - k)); 1 - beta after


def _induction(eta_now, c_now, lr_now, mom_next, eta_next):
    """Equations of one induction step under the invariant z_k = x_k - m_k eta_k b_k."""
    z = x - m_k * eta_now * b
    x1_spa, z1 = spa_step(x, z, g, eta_now, c_now)
    x1_pt, b1 = pytorch_sgd_step(x, b, g, lr_now, m_k)
    return [
        ("step: x_{k+1} (SPA) = x_{k+1} (PyTorch)", x1_spa, x1_pt),
        ("step: invariant at k+1", z1, x1_pt - mom_next * eta_next * b1),
    ]


spa_to_pytorch = Identities(
    name="P2a SPA schedule -> PyTorch SGD+M schedule",
    statement=__doc__,
    region=[eta_k > 0, eta_k1 > 0, c_k > 0, c_k <= 1],
    params=(m_k,),  # momentum_k: any value (the induction hypothesis is about it)
    equations=[
        ("base: z_0 = x_0 when b_0 = 0", x, x - m_k * eta_k * 0 * b),
        *_induction(eta_k, c_k, LR, MOMENTUM_NEXT, eta_k1),
    ],
)

pytorch_to_spa = Identities(
    name="P2b PyTorch SGD+M schedule -> SPA schedule (backward recursion)",
    statement=__doc__,
    region=[lr_k > 0, m_k1 >= 0, eta_k1 > 0, lr_k1 > 0, m_k2 >= 0, eta_k2 > 0],
    params=(m_k,),
    equations=[
        ("base: z_0 = x_0 when b_0 = 0", x, x - m_k * ETA * 0 * b),
        *_induction(ETA, C, lr_k, m_k1, eta_k1),
        ("round trip: c_k eta_k = lr_k", LR.subs({c_k: C, eta_k: ETA}), lr_k),
        (
            "round trip: (1 - c_k) eta_k / eta_{k+1} = momentum_{k+1}",
            MOMENTUM_NEXT.subs({c_k: C, eta_k: ETA}),
            m_k1,
        ),
        (
            "two steps unrolled: eta_k = lr_k + m_{k+1} lr_{k+1} + m_{k+1} m_{k+2} eta_{k+2}",
            ETA.subs(eta_k1, ETA.subs({lr_k: lr_k1, m_k1: m_k2, eta_k1: eta_k2})),
            lr_k + m_k1 * lr_k1 + m_k1 * m_k2 * eta_k2,
        ),
    ],
)

pytorch_to_spa_range = Inequalities(
    name="P2b' the SPA schedule of a PyTorch schedule is valid: eta_k > 0, 0 < c_k <= 1",
    statement=__doc__,
    region=[lr_k > 0, m_k1 >= 0, eta_k1 > 0],
    claims=[("eta_k > 0", ETA > 0), ("c_k > 0", C > 0), ("c_k <= 1", C <= 1)],
)

step_decay = Identities(
    name="P2c PyTorch step decay (lr -> gamma lr at T, momentum beta) in SPA coordinates",
    statement=__doc__,
    region=[alpha > 0, beta > 0, beta < 1, gamma > 0, q > 0, q <= 1],
    equations=[
        # k >= T: lr = gamma alpha forever, and eta_k is the fixed point (closed form at q = 1)
        (
            "k >= T: eta_k = gamma alpha / (1 - beta)",
            ETA_STEP_DECAY.subs(q, 1),
            ETA_TERMINAL.subs({lr_k: gamma * alpha, m_k1: beta}),
        ),
        (
            "k >= T: fixed point of eta_k = gamma alpha + beta eta_{k+1}",
            ETA.subs({lr_k: gamma * alpha, m_k1: beta, eta_k1: ETA_STEP_DECAY.subs(q, 1)}),
            ETA_STEP_DECAY.subs(q, 1),
        ),
        (
            "k >= T: c_k = gamma alpha / eta_k = 1 - beta",
            C.subs({lr_k: gamma * alpha, m_k1: beta, eta_k1: ETA_STEP_DECAY.subs(q, 1)}),
            1 - beta,
        ),
        # k < T: eta_{k+1} is the closed form at q  =>  eta_k is the closed form at beta q
        (
            "k < T: alpha + beta eta_{k+1} = closed form at beta q",
            ETA.subs({lr_k: alpha, m_k1: beta, eta_k1: ETA_STEP_DECAY}),
            ETA_STEP_DECAY.subs(q, beta * q),
        ),
        (
            "k < T: c_k = alpha / eta_k",
            C_STEP_DECAY.subs(q, beta * q),
            alpha / ETA_STEP_DECAY.subs(q, beta * q),
        ),
        (
            "k < T: momentum recovered, (1 - c_k) eta_k / eta_{k+1} = beta",
            MOMENTUM_NEXT.subs(
                {
                    c_k: C_STEP_DECAY.subs(q, beta * q),
                    eta_k: ETA_STEP_DECAY.subs(q, beta * q),
                    eta_k1: ETA_STEP_DECAY,
                }
            ),
            beta,
        ),
        (
            "usual decay gamma = 1/10: c_{T-1} = 1/(1 + beta/(10 (1 - beta)))",
            C_STEP_DECAY.subs({q: beta, gamma: sp.Rational(1, 10)}),
            1 / (1 + beta / (10 * (1 - beta))),
        ),
    ],
)

theorems = [spa_to_pytorch, pytorch_to_spa, pytorch_to_spa_range, step_decay]
