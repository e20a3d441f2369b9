r"""P20. SGD+M (heavy ball, in SPA form) under the Polyak-Lojasiewicz inequality: a linear rate
of f(x_n) - f_* to the noise.

For every L-smooth f (not necessarily convex) with f(x) - f_* <= |grad f(x)|^2 / (2 mu) for all x
(f_* = inf f, 0 < mu <= L), SPA (= SGD with momentum: eta = lr/(1 - beta), c = 1 - beta)

    z_{k+1} = z_k - eta (grad f(x_k) + xi_k),   x_{k+1} = (1 - c) x_k + c z_{k+1},   z_0 = x_0,

with E[xi_k | past] = 0, E|xi_k|^2 <= sigma2, and (the parameters t = L eta and m = mu/L)
every 0 < c < 1, t > 0 with c t <= 1 and

    (1 - c t)(2 - c - m t) >= t (1 - c)^2,

the potential A_k = f(x_k) - f_* + e |z_k - x_k|^2, e = c (1 - c t) / (2 eta (1 - c)^2),
satisfies

    E[A_{k+1}] <= (1 - mu c eta) A_k + nu sigma2,   nu = e (1 - c)^2 eta^2 + L c^2 eta^2 / 2,

hence, with lr = c eta the step of SGD+M and q = 1 - mu lr,

    E f(x_n) - f_* <= q^n (f(x_0) - f_*) + (1 - q^n) nu sigma2 / (mu lr).

As c -> 1 (no momentum) the region tends to L eta <= 1 and the rate to 1 - mu eta (P15 gives
SGD 1 - mu eta (2 - L eta), faster: the price of a potential that serves every momentum). For
small momentum weight c the step eta = lr / c may reach about 2/L.

Assumptions: f L-smooth and mu-PL (0 < m = mu/L <= 1); E[xi_k | past] = 0,
E|xi_k|^2 <= sigma2; 0 < c < 1, t = L eta > 0, c t <= 1 and the condition above.

Certificate (derived by hand, then checked): the descent lemma from x_k to x_{k+1} (weight 1),
the PL inequality at x_k (weight mu c eta) and the noise variance (weight nu). e is chosen so
that the cross term between z_k - x_k and the gradient vanishes; what is left is diagonal:
the entry of |grad f(x_k)|^2 is 0 (the rate mu c eta is the largest this certificate gives)
and that of |z_k - x_k|^2 is <= 0 by the region's condition.

References:
- H. Karimi, J. Nutini, M. Schmidt, Linear convergence of gradient and proximal-gradient methods
    under the Polyak-Lojasiewicz condition, ECML PKDD 2016, arXiv:1608.04636.
- A. Defazio, Momentum via primal averaging: theoretical insights and learning rate schedules
    for non-convex optimization, arXiv:2010.00406 (2020) (the SPA form).
"""

from lyapunov.engine import Potential, SmoothPL, f, params, sqnorm
from lyapunov.methods import get

t, c, L, m, sigma2 = params("t c L m sigma2")
eta, mu = t / L, m * L
step = get("spa").one_step(sigma2, {"eta": eta, "c": c})
cls = SmoothPL(L, mu=mu)
x, x1 = step.x, step.x1

e = c * (1 - c * t) / (2 * eta * (1 - c) ** 2)
nu = e * (1 - c) ** 2 * eta**2 + L * c**2 * eta**2 / 2

theorem = Potential(
    name="P20 SGD+M under PL, function value",
    statement=__doc__,
    step=step,
    region=[
        t > 0,
        L > 0,
        m > 0,
        m <= 1,
        c > 0,
        c < 1,
        c * t <= 1,
        (1 - c * t) * (2 - c - m * t) >= t * (1 - c) ** 2,
    ],
    lyapunov=lambda x, z, star: f(x) - f(star) + e * sqnorm(z - x),
    contraction=1 - mu * c * eta,
    measure="last_gap",
    weight=1,
    nu=nu,
    function_class=cls,
    certificate={cls.upper(x, x1): 1, cls.pl(x): mu * c * eta, step.variance(): nu},
)
