r"""P19. SGD+M (heavy ball, in SPA form) on smooth strongly convex functions: a linear rate.

For every L-smooth, mu-strongly convex f (0 < mu < L) with minimiser x_*, SPA (= SGD with
momentum: eta = lr/(1 - beta), c = 1 - beta)

    z_{k+1} = z_k - eta (grad f(x_k) + xi_k),   x_{k+1} = (1 - c) x_k + c z_{k+1},   z_0 = x_0,

with E[xi_k | past] = 0, E|xi_k|^2 <= sigma2, and (the parameters t = L eta and m = mu/L)
every 0 < c < 1, t > 0 with

    2 c (1 - m)(1 - c t) >= m t   and   P(c, m, t) <= 0,

    P = 4 (1 - m) c^3 + (4 m^2 t^2 - 2 m t^2 - 6 m t + 8 m + 4 t - 8) c^2
        + (6 m t - 4 m^2 t^2 - 2 m^2 t) c + m^2 t^2,

the potential, with a = 2 (L - mu) / (L eta mu) and
e = (2 c (1 - m)(1 - c t) - m t) / (2 m t eta (1 - c)^2),

    A_k = a (f(x_k) - f_*) + |z_k - x_*|^2 / (2 eta) + e |z_k - x_k|^2,

contracts: E[A_{k+1}] <= (1 - mu eta / 2) A_k + nu sigma2, nu = eta/2 + e (1 - c)^2 eta^2
+ a L c^2 eta^2 / 2. Hence, with q = 1 - mu eta / 2 = 1 - mu lr / (2 (1 - beta)),

    E f(x_n) - f_* <= q^n (f(x_0) - f_* + |x_0 - x_*|^2 / (2 a eta)) + nu sigma2 / (a (1 - q)):

a linear rate in the effective step eta = lr/(1 - beta) (Ghadimi, Feyzmahdavian and Johansson
2015 prove a linear rate of heavy ball on a region; this is one, with its constant). For small
mu/L the region reaches L eta up to about 1.6 for small c and about 1.1 at c = 0.9.

Assumptions: f L-smooth and mu-strongly convex (L > 0, 0 < m = mu/L < 1), with minimiser x_*;
E[xi_k | past] = 0, E|xi_k|^2 <= sigma2; 0 < c < 1, t = L eta > 0 and the two conditions above.

Certificate (derived by hand, then checked): the descent lemma from x_k to x_{k+1} (weight a),
the smooth strongly convex interpolation inequality between x_* and x_k (weight 1 - mu/L:
it cancels the cross term <grad f(x_k), x_k - x_*>) and the noise variance (weight nu). With
these the residual is block diagonal: a 2 x 2 block in (x_k - x_*, z_k - x_k), NSD by the
second condition, and the entry of |grad f(x_k)|^2, -(2c(1 - m) + m)/(2 L m) < 0 (e is chosen
to make the cross term between z_k - x_k and the gradient vanish; e >= 0 is the first
condition).

References:
- E. Ghadimi, H. R. Feyzmahdavian, M. Johansson, Global convergence of the heavy-ball method
    for convex optimization, ECC 2015, arXiv:1412.7457.
- A. Defazio, Momentum via primal averaging: theoretical insights and learning rate schedules
    for non-convex optimization, arXiv:2010.00406 (2020) (the SPA form).

Notes (not part of the certified statement). A numerical SDP over the potentials
a (f - f_*) + a quadratic in (x - x_*, z - x_*) and every interpolation fact between x_*, x_k
and x_{k+1} finds faster contractions, e.g. about 0.90 at L eta = c = 1/2, mu/L = 0.1, against
q = 0.975 here: the rate above is the simple one with a closed-form certificate, not the best.
Against the exact worst case of SPA over the class (|x_0 - x_*| <= 1, sigma2 = 0, L = 1) the
bound is 5 to 45 times larger at n <= 10 (tests/test_p19.py): a certified rate, not a tight one.
"""

from lyapunov.engine import Potential, SmoothStronglyConvex, f, params, sqnorm
from lyapunov.methods import get

t, c, L, m, sigma2 = params("t c L m sigma2")
eta, mu = t / L, m * L
step = get("spa").one_step(sigma2, {"eta": eta, "c": c})
cls = SmoothStronglyConvex(L, mu=mu)
x, x1, star = step.x, step.x1, step.star

a = 2 * (L - mu) / (L * eta * mu)
e = (2 * c * (1 - m) * (1 - c * t) - m * t) / (2 * m * t * eta * (1 - c) ** 2)
nu = eta / 2 + e * (1 - c) ** 2 * eta**2 + a * L * c**2 * eta**2 / 2
# the second condition: P(c, m, t) <= 0, P a cubic in c
P = (
    4 * (1 - m) * c**3
    + (4 * m**2 * t**2 - 2 * m * t**2 - 6 * m * t + 8 * m + 4 * t - 8) * c**2
    + (6 * m * t - 4 * m**2 * t**2 - 2 * m**2 * t) * c
    + m**2 * t**2
)

theorem = Potential(
    name="P19 SGD+M on smooth strongly convex f, linear rate",
    statement=__doc__,
    step=step,
    region=[
        t > 0,
        L > 0,
        m > 0,
        m < 1,
        c > 0,
        c < 1,
        2 * c * (1 - m) * (1 - c * t) >= m * t,
        P <= 0,
        m * t < 2,  # implied by the condition above (0 < c < 1, m < 1); helps the second solver
    ],
    lyapunov=lambda x, z, star: (
        a * (f(x) - f(star)) + sqnorm(z - star) / (2 * eta) + e * sqnorm(z - x)
    ),
    contraction=1 - mu * eta / 2,
    measure="last_gap",
    weight=a,
    nu=nu,
    function_class=cls,
    certificate={cls.upper(x, x1): a, cls.interp(star, x): 1 - mu / L, step.variance(): nu},
)
