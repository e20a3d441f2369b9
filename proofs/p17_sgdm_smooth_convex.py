r"""P17. SGD+M (heavy ball, in SPA form) on smooth convex functions: the average gap is O(1/n).

For every convex L-smooth f with a minimiser x_*, SPA (= SGD with momentum: eta = lr/(1 - beta),
c = 1 - beta)

    z_{k+1} = z_k - eta (grad f(x_k) + xi_k),   x_{k+1} = (1 - c) x_k + c z_{k+1},   z_0 = x_0,

with E[xi_k | past] = 0, E|xi_k|^2 <= sigma2, and every 0 < c < 1, eta > 0 with (t = L eta)

    (2 - c)(1 + t) > t^2   and   c ((2 - c)(1 + t) - t^2)^2 >= 4 (1 - c)^2 (1 + t) t^2,

the potential A_k = (f(x_k) - f_*)/c + |z_k - x_*|^2 / (2 eta) + e |z_k - x_k|^2 with
e = c ((2 - c)(1 + t) - t^2) / (4 L eta^2 (1 - c)^2) satisfies

    E[A_{k+1}] <= A_k - (f(x_k) - f_*) + nu sigma2,
    nu = (c (2 - c) + L eta (2 + 2c - c^2) + c L^2 eta^2) / (4L),

hence (1/n) sum_{k<n} E f(x_k) - f_*
        <= ((f(x_0) - f_*)/c + |x_0 - x_*|^2 / (2 eta)) / n + nu sigma2,
which also bounds E f(x_bar_n) - f_* for the average x_bar_n of x_0, ..., x_{n-1} (Jensen):
the O(1/n) rate of heavy ball on smooth convex f (Ghadimi, Feyzmahdavian, Johansson 2015).

Assumptions: f convex and L-smooth with a minimiser x_*; E[xi_k | past] = 0,
E|xi_k|^2 <= sigma2; 0 < c < 1, eta > 0 and the two conditions above.

Certificate (found by `lyapunov prove` with e given): the smooth convex interpolation inequality
between x_* and x_k (weight 1), the descent lemma from x_k to x_{k+1} (weight 1/c) and the noise
variance (weight nu).

References:
- E. Ghadimi, H. R. Feyzmahdavian, M. Johansson, Global convergence of the heavy-ball method
    for convex optimization, ECC 2015, arXiv:1412.7457.
- A. Defazio, Momentum via primal averaging: theoretical insights and learning rate schedules
    for non-convex optimization, arXiv:2010.00406 (2020) (the SPA form).

Notes (not part of the certified statement). How e was chosen: with the weight 1/c on
f(x_k) - f_* and 1/(2 eta) on |z_k - x_*|^2 the cross terms <g, z - x> cancel, and what is left
is a quadratic form in (z_k - x_k, eta g) that is NSD iff 1/K >= 1/e + 1/D with
K = L c/2 + e (1 - c)^2 and D = (1 + L eta)/(2 L eta^2); e is the maximiser of that condition,
and the second region condition says the maximum is feasible.
"""

from lyapunov.engine import Potential, SmoothConvex, f, params, sqnorm
from lyapunov.methods import get

eta, c, L, sigma2 = params("eta c L sigma2")
step = get("spa").one_step(sigma2, {"eta": eta, "c": c})
cls = SmoothConvex(L)
x, x1, star = step.x, step.x1, step.star

t = L * eta
margin = (2 - c) * (1 + t) - t**2
e = c * margin / (4 * L * eta**2 * (1 - c) ** 2)
nu = (c * (2 - c) + L * eta * (2 + 2 * c - c**2) + c * L**2 * eta**2) / (4 * L)

theorem = Potential(
    name="P17 SGD+M on smooth convex f, average gap",
    statement=__doc__,
    step=step,
    region=[
        eta > 0,
        L > 0,
        c > 0,
        c < 1,
        margin > 0,
        c * margin**2 - 4 * (1 - c) ** 2 * (1 + t) * t**2 >= 0,
    ],
    lyapunov=lambda x, z, star: (
        (f(x) - f(star)) / c + sqnorm(z - star) / (2 * eta) + e * sqnorm(z - x)
    ),
    measure="avg_gap",
    rho=1,
    nu=nu,
    function_class=cls,
    certificate={cls.interp(star, x): 1, cls.upper(x, x1): 1 / c, step.variance(): nu},
)
