r"""P14. SGD on smooth strongly convex functions: a linear rate of |x_n - x_*|^2 to the noise floor.

For every mu-strongly convex L-smooth f (0 < mu < L) with minimiser x_*, x_{k+1} = x_k - eta
(grad f(x_k) + xi_k) with E[xi_k | past] = 0, E|xi_k|^2 <= sigma2, and every
0 < eta <= 2/(L + mu), with q = (1 - mu eta)^2:

    E|x_{k+1} - x_*|^2 <= q |x_k - x_*|^2 + eta^2 sigma2,

hence E|x_n - x_*|^2 <= q^n |x_0 - x_*|^2 + (1 - q^n) eta^2 sigma2 / (1 - q). Without noise
the rate is exact: f = mu |x - x_*|^2 / 2 attains it.

Assumptions: f L-smooth and mu-strongly convex, 0 < mu < L; E[xi_k | past] = 0,
E|xi_k|^2 <= sigma2; 0 < (L + mu) eta <= 2.

Certificate (by hand: the synthesizer leaves the split between the two symmetric facts free):
the smooth strongly convex interpolation inequalities between x_k and x_*, both
ways, each with weight 2 eta (1 - mu eta) (the multipliers that make the residual's 2 x 2
matrix singular), and the noise variance (weight eta^2).

References:
- Y. Nesterov, Introductory Lectures on Convex Optimization (2004), Theorem 2.1.15.
- E. Moulines, F. Bach, Non-asymptotic analysis of stochastic approximation algorithms for
    machine learning, NeurIPS 2011.
- A. B. Taylor, J. M. Hendrickx, F. Glineur, Smooth strongly convex interpolation and exact
    worst-case performance of first-order methods, Math. Program. 161 (2017).
"""

from lyapunov.engine import Potential, SmoothStronglyConvex, params, sqnorm
from lyapunov.methods import get

eta, L, mu, sigma2 = params("eta L mu sigma2")
step = get("sgd").one_step(sigma2, {"lr": eta})
cls = SmoothStronglyConvex(L, mu=mu)
x, star = step.x, step.star

theorem = Potential(
    name="P14 SGD on smooth strongly convex f, distance to x_*",
    statement=__doc__,
    step=step,
    region=[eta > 0, mu > 0, mu < L, (L + mu) * eta <= 2],
    lyapunov=lambda x, star: sqnorm(x - star),
    contraction=(1 - mu * eta) ** 2,
    measure="last_dist2",
    weight=1,
    nu=eta**2,
    function_class=cls,
    certificate={
        cls.interp(x, star): 2 * eta * (1 - mu * eta),
        cls.interp(star, x): 2 * eta * (1 - mu * eta),
        step.variance(): eta**2,
    },
)
