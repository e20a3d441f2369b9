r"""P16. Schedule-free SGD on convex Lipschitz functions: the last iterate, any momentum in [0, 1].

Schedule-free SGD (Defazio et al. 2024) with constant lr > 0, momentum b and c_k = 1/(k + 1):

    y_k = (1 - b) z_k + b x_k,   z_{k+1} = z_k - lr (g(y_k) + xi_k),
    x_{k+1} = (1 - c_k) x_k + c_k z_{k+1},      x_0 = z_0,

so x_n is the average of z_1, ..., z_n. For every convex f with a minimiser x_* and subgradients
bounded by G, E[xi_k | past] = 0, E|xi_k|^2 <= sigma2, and every n >= 1:

    E f(x_n) - f_* <= (|x_0 - x_*|^2 + lr^2 ((n + 1) G^2 + n sigma2)) / (2 lr n).

At sigma2 = 0 and lr = D / (G sqrt(n + 1)) (D >= |x_0 - x_*|) this is D G sqrt(n + 1) / n:
Defazio et al.'s D G / sqrt(T) (their Theorem 1) with T = n up to the factor
sqrt((n + 1)/n) of the first step, whose average discards x_0. P16a states it for b in [0, 1)
(coordinates y, x: z = (y - b x)/(1 - b)); P16b for b = 1, where y = x and the method is SPA
with c_k = 1/(k + 1) (primal averaging).

The potential (k the step counter) is

    A_k = k (f(x_k) - f_*) + |z_{k+1} - x_*|^2 / (2 lr),   z_{k+1} = z_k - lr g(y_k),

with E[A_{k+1}] <= A_k + lr (G^2 + sigma2) / 2, and A_0 <= |x_0 - x_*|^2/(2 lr) + lr G^2 / 2.

Assumptions: f convex with a minimiser x_* and subgradients bounded by G > 0 (f G-Lipschitz);
E[xi_k | past] = 0, E|xi_k|^2 <= sigma2; lr > 0; 0 <= b < 1 (P16a), b = 1 (P16b); k >= 0.

Certificate (found by `lyapunov prove`): P16a: the convex interpolation inequalities
convex(x, y1) (weight b k / (k + 1 - b k)), convex(x, x1) (k (1 - b)(k + 1) / (k + 1 - b k)),
convex(y1, x1) ((k + 1) / (k + 1 - b k)), convex(*, y1) (1), the bound |g(y1)|^2 <= G^2
(lr / 2) and the noise variance (lr / 2); P16b the same with y = x. At k = 0: the bound at x_0
(lr / 2) and convexity between x_0 and x_* both ways (1 each).

References:
- A. Defazio, X. A. Yang, H. Mehta, K. Mishchenko, A. Khaled, A. Cutkosky, The Road Less
    Scheduled, NeurIPS 2024, arXiv:2405.15682 (Theorem 1).
- A. Defazio, Momentum via primal averaging: theoretical insights and learning rate schedules
    for non-convex optimization, arXiv:2010.00406 (2020).
"""

from lyapunov.engine import ConvexLipschitz, Form, Potential, f, params, sqnorm
from lyapunov.methods import get

lr, b, G, sigma2, k = params("lr b G sigma2 k")
cls = ConvexLipschitz(G)


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
        nu=lr / 2,
        drift=lr * G**2 / 2,
        function_class=cls,
        certificate=certificate,
        initial_bound=lambda x0, star: sqnorm(x0 - star) / (2 * lr) + Form(const=lr * G**2 / 2),
        initial={cls.bounded(x0): lr / 2, cls.convex(s0, x0): 1, cls.convex(x0, s0): 1},
    )


def potential(y, x, z, star):
    """A_k = k (f(x_k) - f_*) + |z_k - lr g(y_k) - x_*|^2 / (2 lr)."""
    return k * (f(x) - f(star)) + sqnorm(z - lr * y.grad - star.pos) / (2 * lr)


# b in [0, 1): the state (y, x), z = (y - b x)/(1 - b)
step = get("schedule_free").one_step(sigma2, {"lr": lr, "momentum": b}, k=k, eliminate="z")
y, x, y1, x1, star = step.y, step.x, step.y1, step.x1, step.star
den = k + 1 - b * k
p16a = _theorem(
    "P16a schedule-free SGD on convex Lipschitz f, momentum in [0, 1)",
    step,
    [lr > 0, b >= 0, b < 1, G > 0, k >= 0],
    lambda y, x, star: potential(y, x, (y.pos - b * x.pos) / (1 - b), star),
    {
        cls.convex(x, y1): b * k / den,
        cls.convex(x, x1): k * (1 - b) * (k + 1) / den,
        cls.convex(y1, x1): (k + 1) / den,
        cls.convex(star, y1): 1,
        cls.bounded(y1): lr / 2,
        step.variance(): lr / 2,
    },
)

# b = 1: y = x, SPA with c_k = 1/(k + 1); the state (x, z), the gradient at x
pa = get("spa").one_step(sigma2, {"eta": lr, "c": 1 / (k + 1)})
p16b = _theorem(
    "P16b schedule-free SGD on convex Lipschitz f, momentum 1 (primal averaging)",
    pa,
    [lr > 0, G > 0, k >= 0],
    lambda x, z, star: potential(x, x, z.pos, star),
    {
        cls.convex(pa.x, pa.x1): k,
        cls.convex(pa.star, pa.x1): 1,
        cls.bounded(pa.x1): lr / 2,
        pa.variance(): lr / 2,
    },
)

theorems = [p16a, p16b]
