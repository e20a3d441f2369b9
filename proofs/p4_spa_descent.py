r"""P4. A Lyapunov descent lemma for SGD+M in SPA form, with no assumption on the gradients.

Let f be L-smooth (not necessarily convex) and bounded below, and run SPA

    z_{k+1} = z_k - eta (grad f(x_k) + xi_k),   x_{k+1} = (1 - c) x_k + c z_{k+1},   z_0 = x_0,

with E[xi_k | past] = 0, E|xi_k|^2 <= sigma2 (PyTorch SGD+M with lr = c eta, momentum = 1 - c).
With D = c (2 - c) + 2 L eta (1 - c), the Lyapunov function

    A_k = f(x_k) + a |z_k - x_k|^2 + 2 b <z_k - x_k, grad f(x_k)>,
    a = L c (2 - c) / (2 D),      b = c (2 - c - L eta) / (2 D),

satisfies, for every (eta, c, L) with eta > 0, L > 0, 0 < c <= 1, (1 - c)(2 - c - L eta) >= 0
(that is, L eta <= 2 - c when c < 1) and c L eta < 4 - 2c,

    E[A_{k+1}] - A_k <= - rho |grad f(x_k)|^2 + nu sigma2,
    rho = c eta (4 - 2c - c L eta) / (2 D),      nu = a eta^2 = L c (2 - c) eta^2 / (2 D).

Since A_0 = f(x_0) and A_k >= f(x_k) - |grad f(x_k)|^2/(2L) >= inf f (a >= 2 L b^2 on the
region), summing over k < n gives the rate

    (1/n) sum_{k<n} E|grad f(x_k)|^2 <= 2 D (f(x_0) - inf f) / (n c eta (4 - 2c - c L eta))
                                        + L eta (2 - c) sigma2 / (4 - 2c - c L eta).

At c = 1 this is exactly the SGD lemma P3. For small c and eta the rate is about
(f(x_0) - inf f)(1/eta + L/c)/n + L eta sigma2 / 2: the noise term is SGD's with step eta.

Assumptions: f L-smooth (gradient L-Lipschitz; not necessarily convex) and bounded below; E[xi_k
| past] = 0, E|xi_k|^2 <= sigma2; eta > 0, L > 0, 0 < c <= 1, (1 - c)(2 - c - L eta) >= 0, c L
eta < 4 - 2c; z_0 = x_0.

Certificate: the upper quadratic bound from x_k to x_{k+1} (weight 1 + l) and from x_{k+1} back
to x_k (weight l = (1 - c)(2 - c - L eta)/D, chosen so that grad f(x_{k+1}) cancels), and the
noise variance (weight nu). The residual is identically zero.

References:
- A. Defazio, Momentum via Primal Averaging: Theoretical Insights and Learning Rate Schedules for
    Non-Convex Optimization, arXiv:2010.00406
    (claims C1, C2: a Lyapunov analysis in SPA form).
"""

from lyapunov.engine import DescentLemma, Smooth, f, inner, params, sqnorm
from lyapunov.methods import get

eta, c, L, sigma2 = params("eta c L sigma2")
step = get("spa").one_step(sigma2, {"eta": eta, "c": c})
smooth = Smooth(L)

D = c * (2 - c) + 2 * L * eta * (1 - c)
a = L * c * (2 - c) / (2 * D)
b = c * (2 - c - L * eta) / (2 * D)
lam = (1 - c) * (2 - c - L * eta) / D

theorem = DescentLemma(
    name="P4 SPA descent lemma (no gradient assumption)",
    statement=__doc__,
    step=step,
    region=[
        eta > 0,
        L > 0,
        c > 0,
        c <= 1,
        (1 - c) * (2 - c - L * eta) >= 0,
        c * L * eta < 4 - 2 * c,
    ],
    lyapunov=lambda x, z: f(x) + a * sqnorm(z - x) + 2 * b * inner(z - x, x.grad),
    rho=c * eta * (4 - 2 * c - c * L * eta) / (2 * D),
    nu=a * eta**2,
    certificate={
        smooth.upper(step.x, step.x1): 1 + lam,
        smooth.upper(step.x1, step.x): lam,
        step.variance(): a * eta**2,
    },
    function_class=smooth,
)
