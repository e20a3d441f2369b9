r"""P9. Nesterov's SGD, QHM and schedule-free SGD are generalized SPA (GSPA).

GSPA (any gradients g_0, g_1, ..., stochastic or not; step k uses eta, c_k, beta):

    y_k = (1 - beta) z_k + beta x_k,   z_{k+1} = z_k - eta g_k,
    x_{k+1} = (1 - c_k) x_k + c_k z_{k+1},   z_0 = x_0,   g_k taken at y_k.

P9a (torch.optim.SGD(lr, momentum=mu, nesterov=True), 0 <= mu < 1). With eta = lr/(1 - mu),
c = 1 - mu, beta = mu, the parameters p_k are GSPA's y_k, and for every k

    x_k = p_k + lr mu b_k,    z_k = p_k - eta mu^2 b_k           (b_k the momentum buffer).

P9b (qhoptim QHM(lr=alpha, momentum=b, nu), 0 <= b < 1, 0 <= nu <= 1). With eta = alpha,
c = 1 - b, beta = nu, the parameters are y_k, and with d_k the QHM buffer

    x_k = p_k + alpha b (1 - nu) d_k / (1 - b),    z_k = p_k - alpha nu b d_k / (1 - b).

P9c (schedulefree.SGDScheduleFree(lr=gamma, momentum=beta), train mode, constant lr, no
warm-up). Its c_k = w_k / sum_{j<=k} w_j with equal weights w_j = gamma^2 is 1/(k + 1), and its
(y, z) update is GSPA's with eta = gamma and the same beta: the parameters are y_k (in eval
mode it shows x_k).

P9d. At beta = 1 GSPA is SPA (y = x), i.e. torch SGD(lr = c eta, momentum = 1 - c) by P1.

Assumptions: none on f (any gradients); the parameter ranges of each method (see the regions).

Proof: by induction on k, as P1; each invariant holds at k = 0 (zero buffers, z_0 = x_0) and one
step of both methods keeps it.

References:
- A. Defazio, Momentum via Primal Averaging: Theoretical Insights and Learning Rate Schedules for
    Non-Convex Optimization, arXiv:2010.00406.
- I. Sutskever, J. Martens, G. Dahl, G. Hinton, On the importance of initialization and
    momentum in deep learning, ICML 2013 (Nesterov momentum as in torch.optim.SGD).
- J. Ma, D. Yarats, Quasi-hyperbolic momentum and Adam for deep learning, ICLR 2019 (QHM).
- A. Defazio, X. Yang, H. Mehta, K. Mishchenko, A. Khaled, A. Cutkosky, The Road Less
    Scheduled, NeurIPS 2024 (schedule-free SGD).
"""

from lyapunov.engine import Identities, params, vectors
from lyapunov.methods import (
    gspa_point,
    gspa_yz_step,
    nesterov_step,
    qhm_step,
    schedule_free_step,
    spa_step,
)

lr, mu, alpha, b, nu, gamma, beta, c, k, w = params("lr mu alpha b nu gamma beta c k w")
p, buf, g, x, z, y = vectors("p buf g x z y")


def gspa_xz(x, z, g, eta, c):
    """GSPA's step on (x, z): the SPA step, with g taken at y."""
    return spa_step(x, z, g, eta, c)


# P9a: Nesterov
eta_n, c_n = lr / (1 - mu), 1 - mu
x_n, z_n = p + lr * mu * buf, p - eta_n * mu**2 * buf
p1, buf1 = nesterov_step(p, buf, g, lr, mu)
x1, z1 = gspa_xz(x_n, z_n, g, eta_n, c_n)
nesterov = Identities(
    name="P9a torch SGD(nesterov=True) is GSPA (eta = lr/(1 - mu), c = 1 - mu, beta = mu)",
    statement=__doc__,
    region=[lr > 0, mu >= 0, mu < 1],
    equations=[
        ("base: x_0 = z_0 = p_0 when b_0 = 0", x_n.subs(buf, 0), z_n.subs(buf, 0)),
        ("gradient point: y_k = p_k", gspa_point(x_n, z_n, mu), p),
        ("step: x_{k+1} invariant", x1, p1 + lr * mu * buf1),
        ("step: z_{k+1} invariant", z1, p1 - eta_n * mu**2 * buf1),
    ],
)

# P9b: QHM
x_q, z_q = p + alpha * b * (1 - nu) * buf / (1 - b), p - alpha * nu * b * buf / (1 - b)
p1, buf1 = qhm_step(p, buf, g, alpha, b, nu)
x1, z1 = gspa_xz(x_q, z_q, g, alpha, 1 - b)
qhm = Identities(
    name="P9b QHM is GSPA (eta = lr, c = 1 - momentum, beta = nu)",
    statement=__doc__,
    region=[alpha > 0, b >= 0, b < 1, nu >= 0, nu <= 1],
    equations=[
        ("base: x_0 = z_0 = p_0 when d_0 = 0", x_q.subs(buf, 0), z_q.subs(buf, 0)),
        ("gradient point: y_k = p_k", gspa_point(x_q, z_q, nu), p),
        ("step: x_{k+1} invariant", x1, p1 + alpha * b * (1 - nu) * buf1 / (1 - b)),
        ("step: z_{k+1} invariant", z1, p1 - alpha * nu * b * buf1 / (1 - b)),
    ],
)

# P9c: schedule-free (x_k = (y_k - (1 - beta) z_k)/beta is never formed: check y and z)
y1_sf, z1_sf = schedule_free_step(y, z, g, gamma, beta, c)
y1, z1 = gspa_yz_step(y, z, g, gamma, c, beta)
x_sf = (y - (1 - beta) * z) / beta
x1_g, z1_g = gspa_xz(x_sf, z, g, gamma, c)
schedule_free = Identities(
    name="P9c schedule-free SGD is GSPA (eta = lr, c_k = 1/(k + 1), same beta)",
    statement=__doc__,
    region=[gamma > 0, beta > 0, beta <= 1, c > 0, c <= 1, k >= 0, w > 0],
    equations=[
        ("c_k = w / ((k + 1) w) = 1/(k + 1)", w / ((k + 1) * w), 1 / (k + 1)),
        ("step: y_{k+1} (schedule-free) = y_{k+1} (GSPA on (y, z))", y1_sf, y1),
        ("step: z_{k+1}", z1_sf, z1),
        ("GSPA on (y, z) agrees with GSPA on (x, z)", y1, gspa_point(x1_g, z1_g, beta)),
    ],
)

# P9d: beta = 1 is SPA
y1_s, z1_s = gspa_yz_step(y, z, g, gamma, c, 1)
spa = Identities(
    name="P9d GSPA at beta = 1 is SPA",
    statement=__doc__,
    region=[gamma > 0, c > 0, c <= 1],
    equations=[
        ("gradient point y = x", gspa_point(x, z, 1), x),
        ("step: y_{k+1} = x_{k+1} of SPA from x_k = y_k", y1_s, spa_step(y, z, g, gamma, c)[0]),
        ("step: z_{k+1} = z_{k+1} of SPA", z1_s, spa_step(y, z, g, gamma, c)[1]),
    ],
)

theorems = [nesterov, qhm, schedule_free, spa]
