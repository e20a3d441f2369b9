r"""P3. Descent lemma and rate of SGD (the baseline), with gradient noise.

For every L-smooth f (not necessarily convex), x_{k+1} = x_k - eta (grad f(x_k) + xi_k) with
E[xi_k | past] = 0 and E|xi_k|^2 <= sigma2, and every 0 < eta < 2/L:

    E f(x_{k+1}) <= f(x_k) - eta (1 - L eta / 2) |grad f(x_k)|^2 + (L eta^2 / 2) sigma2,

hence, summing over k < n,

    (1/n) sum_{k<n} E|grad f(x_k)|^2 <= 2 (f(x_0) - inf f) / (n eta (2 - L eta))
                                        + L eta sigma2 / (2 - L eta).

Assumptions: f L-smooth (gradient L-Lipschitz; not necessarily convex) and bounded below; E[xi_k
| past] = 0, E|xi_k|^2 <= sigma2; 0 < L eta < 2.

Certificate: the upper quadratic bound between x_k and x_{k+1} (weight 1) and the noise
variance (weight L eta^2 / 2); the residual is zero.

References:
- Y. Nesterov, Introductory Lectures on Convex Optimization (2004), the descent lemma.
- S. Ghadimi, G. Lan, Stochastic first- and zeroth-order methods for nonconvex stochastic
    programming, SIAM J. Optim. 23 (2013) (the non-convex SGD rate).
"""

from lyapunov.engine import DescentLemma, Smooth, f, params
from lyapunov.methods import get

eta, L, sigma2 = params("eta L sigma2")
step = get("sgd").one_step(sigma2, {"lr": eta})
smooth = Smooth(L)

theorem = DescentLemma(
    name="P3 SGD descent lemma",
    statement=__doc__,
    step=step,
    region=[eta > 0, L > 0, L * eta < 2],
    lyapunov=lambda x: f(x),
    rho=eta * (1 - L * eta / 2),
    nu=L * eta**2 / 2,
    certificate={
        smooth.upper(step.x, step.x1): 1,
        step.variance(): L * eta**2 / 2,
    },
)
