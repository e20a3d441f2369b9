r"""P18. Schedule-free SGD on smooth convex functions: the last iterate, any momentum in [0, 1].

Schedule-free SGD (Defazio et al. 2024) with constant lr, momentum b and c_k = 1/(k + 1):

    y_k = (1 - b) z_k + b x_k,   z_{k+1} = z_k - lr (g(y_k) + xi_k),
    x_{k+1} = (1 - c_k) x_k + c_k z_{k+1},      x_0 = z_0.

For every convex L-smooth f with a minimiser x_*, E[xi_k | past] = 0, E|xi_k|^2 <= sigma2,
0 < lr <= 1/L, every momentum b in [0, 1] and every n >= 1:

    E f(x_n) - f_* <= |x_0 - x_*|^2 / (2 lr n) + lr (n + 3) sigma2 / 4,

at lr = 1/L and sigma2 = 0 the rate L |x_0 - x_*|^2 / (2n) of gradient descent (P13): the
averaging costs nothing. The potential, as in P16 (k the step counter), is

    A_k = k (f(x_k) - f_*) + |z_k - lr g(y_k) - x_*|^2 / (2 lr),

with E[A_{k+1}] <= A_k + lr (k + 2) sigma2 / 2 and A_0 <= |x_0 - x_*|^2 / (2 lr). P18a states
it for b in [0, 1) (coordinates y, x: z = (y - b x)/(1 - b)), P18b for b = 1 (y = x: SPA with
c_k = 1/(k + 1), primal averaging).

Assumptions: f convex and L-smooth with a minimiser x_*; E[xi_k | past] = 0,
E|xi_k|^2 <= sigma2; 0 < L lr <= 1; 0 <= b < 1 (P18a), b = 1 (P18b); k >= 0.

Certificate (found by `lyapunov prove`): P18a: the smooth convex interpolation inequalities
interp(x, y1) (weight b k / (k + 1 - b k)), interp(x, x1) (k (1 - b)(k + 1) / (k + 1 - b k)),
interp(y1, x1) ((k + 1) / (k + 1 - b k)), interp(*, y1) (1) and the noise variance
(lr (k + 2) / 2); P18b: interp(x, x1) (k), interp(*, x1) (1), the noise (lr (k + 2) / 2). At
k = 0: interpolation between x_0 and x_* both ways (1 each).

References:
- A. Defazio, X. A. Yang, H. Mehta, K. Mishchenko, A. Khaled, A. Cutkosky, The Road Less
    Scheduled, NeurIPS 2024, arXiv:2405.15682.
- Y. Drori, M. Teboulle, Performance of first-order methods for smooth convex minimization: a
    novel approach, Math. Program. 145 (2014) (gradient descent's exact L D^2 / (4n + 2)).
"""

from lyapunov.engine import Potential, SmoothConvex, f, params, sqnorm
from lyapunov.methods import get

lr, b, L, sigma2, k = params("lr b L sigma2 k")
cls = SmoothConvex(L)


def potential(y, x, z, star):
    """A_k = k (f(x_k) - f_*) + |z_k - lr g(y_k) - x_*|^2 / (2 lr)."""
    return k * (f(x) - f(star)) + sqnorm(z - lr * y.grad - star.pos) / (2 * lr)


def _theorem(name, step, region, lyapunov, certificate):
    x0, s0 = step.initial()[0], step.initial_star()
    return Potential(
        name=name,
        statement=__doc__,
        step=step,
        region=region,
        lyapunov=lyapunov,
        output="x",
        counter=k,
        nu=lr * (k + 2) / 2,
        function_class=cls,
        certificate=certificate,
        initial_bound=lambda x0, star: sqnorm(x0 - star) / (2 * lr),
        initial={cls.interp(s0, x0): 1, cls.interp(x0, s0): 1},
    )


# b in [0, 1): the state (y, x), z = (y - b x)/(1 - b)
step = get("schedule_free").one_step(sigma2, {"lr": lr, "momentum": b}, k=k, eliminate="z")
den = k + 1 - b * k
p18a = _theorem(
    "P18a schedule-free SGD on smooth convex f, momentum in [0, 1)",
    step,
    [lr > 0, L > 0, L * lr <= 1, b >= 0, b < 1, k >= 0],
    lambda y, x, star: potential(y, x, (y.pos - b * x.pos) / (1 - b), star),
    {
        cls.interp(step.x, step.y1): b * k / den,
        cls.interp(step.x, step.x1): k * (1 - b) * (k + 1) / den,
        cls.interp(step.y1, step.x1): (k + 1) / den,
        cls.interp(step.star, step.y1): 1,
        step.variance(): lr * (k + 2) / 2,
    },
)

# b = 1: y = x, SPA with c_k = 1/(k + 1); the state (x, z), the gradient at x
pa = get("spa").one_step(sigma2, {"eta": lr, "c": 1 / (k + 1)})
p18b = _theorem(
    "P18b schedule-free SGD on smooth convex f, momentum 1 (primal averaging)",
    pa,
    [lr > 0, L > 0, L * lr <= 1, k >= 0],
    lambda x, z, star: potential(x, x, z.pos, star),
    {
        cls.interp(pa.x, pa.x1): k,
        cls.interp(pa.star, pa.x1): 1,
        pa.variance(): lr * (k + 2) / 2,
    },
)

theorems = [p18a, p18b]
