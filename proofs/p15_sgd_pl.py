r"""P15. SGD under the Polyak-Lojasiewicz inequality: a linear rate of f(x_n) - f_* to the noise.

For every L-smooth f (not necessarily convex) with f(x) - f_* <= |grad f(x)|^2 / (2 mu) for all x
(f_* = inf f, 0 < mu <= L), x_{k+1} = x_k - eta (grad f(x_k) + xi_k) with E[xi_k | past] = 0,
E|xi_k|^2 <= sigma2, and every 0 < eta < 2/L, with q = 1 - mu eta (2 - L eta) in [0, 1):

    E f(x_{k+1}) - f_* <= q (f(x_k) - f_*) + L eta^2 sigma2 / 2,

hence E f(x_n) - f_* <= q^n (f(x_0) - f_*) + (1 - q^n) L eta sigma2 / (2 mu (2 - L eta)).

Assumptions: f L-smooth and mu-PL, 0 < mu <= L; E[xi_k | past] = 0, E|xi_k|^2 <= sigma2;
0 < L eta < 2.

Certificate (found by `lyapunov prove`): the upper quadratic bound between x_k and x_{k+1}
(weight 1), the PL inequality at x_k (weight mu eta (2 - L eta)) and the noise variance (weight
L eta^2 / 2).

References:
- H. Karimi, J. Nutini, M. Schmidt, Linear convergence of gradient and proximal-gradient methods
    under the Polyak-Lojasiewicz condition, ECML PKDD 2016, arXiv:1608.04636.
"""

from lyapunov.engine import Potential, SmoothPL, f, params
from lyapunov.methods import get

eta, L, mu, sigma2 = params("eta L mu sigma2")
step = get("sgd").one_step(sigma2, {"lr": eta})
cls = SmoothPL(L, mu=mu)
x, x1 = step.x, step.x1

theorem = Potential(
    name="P15 SGD under PL, function value",
    statement=__doc__,
    step=step,
    region=[eta > 0, mu > 0, mu <= L, L * eta < 2],
    lyapunov=lambda x, star: f(x) - f(star),
    contraction=1 - mu * eta * (2 - L * eta),
    measure="last_gap",
    nu=L * eta**2 / 2,
    function_class=cls,
    certificate={
        cls.upper(x, x1): 1,
        cls.pl(x): mu * eta * (2 - L * eta),
        step.variance(): L * eta**2 / 2,
    },
)
