r"""P13. SGD on smooth convex functions: the last iterate, O(1/n), with gradient noise.

For every convex L-smooth f with a minimiser x_*, x_{k+1} = x_k - eta (grad f(x_k) + xi_k) with
E[xi_k | past] = 0, E|xi_k|^2 <= sigma2, and every 0 < eta <= 1/L, the potential

    A_k = k (f(x_k) - f_*) + |x_k - x_*|^2 / (2 eta)

satisfies E[A_{k+1}] <= A_k + eta (k + 2) sigma2 / 2 for every k >= 0, hence

    E f(x_n) - f_* <= |x_0 - x_*|^2 / (2 eta n) + eta (n + 3) sigma2 / 4.

At eta = 1/L and sigma2 = 0: f(x_n) - f_* <= L |x_0 - x_*|^2 / (2n), against the exact worst
case L |x_0 - x_*|^2 / (4n + 2) (Drori and Teboulle): a factor 2 - 1/n looser. A potential of
this shape (a_k (f - f_*) + b |x - x_*|^2) cannot close the gap (see the Notes).

Assumptions: f convex and L-smooth with a minimiser x_* (f_* = f(x_*)); E[xi_k | past] = 0,
E|xi_k|^2 <= sigma2; 0 < L eta <= 1; the step counter k >= 0.

Certificate (found by `lyapunov prove`): the smooth convex interpolation inequalities between
x_k and x_{k+1} (weight k + 1) and between x_* and x_k (weight 1), and the noise variance
(weight eta (k + 2) / 2).

References:
- Y. Drori, M. Teboulle, Performance of first-order methods for smooth convex minimization: a
    novel approach, Math. Program. 145 (2014) (the exact worst case L D^2 / (4n + 2)).
- A. B. Taylor, F. Bach, Stochastic first-order methods: non-asymptotic and computer-aided
    analyses via potential functions, COLT 2019 (potentials of this form).

Notes (not part of the certified statement).

A numerical SDP over the same five facts with A_k = 2k (f(x_k) - f_*) + L |x_k - x_*|^2 / 2
(L = 1, eta = 1) finds the largest next weight a_{k+1} = 2k + 1: the weight grows by at most 1.
"""

from lyapunov.engine import Potential, SmoothConvex, f, params, sqnorm
from lyapunov.methods import get

eta, L, sigma2, k = params("eta L sigma2 k")
step = get("sgd").one_step(sigma2, {"lr": eta})
smooth_convex = SmoothConvex(L)
x, x1, star = step.x, step.x1, step.star

theorem = Potential(
    name="P13 SGD on smooth convex f, last iterate",
    statement=__doc__,
    step=step,
    region=[eta > 0, L > 0, L * eta <= 1, k >= 0],
    lyapunov=lambda x, star: k * (f(x) - f(star)) + sqnorm(x - star) / (2 * eta),
    counter=k,
    measure="last_gap",
    nu=eta * (k + 2) / 2,
    function_class=smooth_convex,
    certificate={
        smooth_convex.interp(x, x1): k + 1,
        smooth_convex.interp(star, x): 1,
        step.variance(): eta * (k + 2) / 2,
    },
)
