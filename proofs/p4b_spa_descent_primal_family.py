r"""P4b. SPA descent lemma in the primal-averaging family p f(x) + (1 - p) f(z) + a |z - x|^2.

Same setting as P4 (L-smooth f, SPA with 0 < c < 1, unbiased noise of variance <= sigma2), but
with the Lyapunov function of the primal-averaging family, with a free weight p (the lemma holds for
every p in the region, so a calculator may minimise the bound over p):

    A_k = p f(x_k) + (1 - p) f(z_k) + a |z_k - x_k|^2,   a = p c (1 - c L eta) / (2 eta (1 - c)^2),

    E[A_{k+1}] - A_k <= - rho |grad f(x_k)|^2 + nu sigma2,
    rho = eta (1 - p + p c / 2) - (1 - p) L eta^2 / 2
          - (1 - p)^2 eta^3 L^2 (1 - c)^2 / (2 p c^2 (2 - c - L eta)),
    nu  = eta^2 (a (1 - c)^2 + L (p c^2 + 1 - p) / 2),

for eta > 0, L > 0, 0 < c < 1, 0 < p <= 1, L eta < 2 - c, c L eta <= 1 and rho > 0.

Assumptions: f L-smooth (gradient L-Lipschitz; not necessarily convex) and bounded below; E[xi_k
| past] = 0, E|xi_k|^2 <= sigma2; the region stated above (0 < c < 1, 0 < p <= 1, ...); z_0 =
x_0.

Certificate: upper bounds from x_k to x_{k+1} (weight p) and from z_k to z_{k+1} (weight
1 - p), gradient Lipschitzness between x_k and z_k (weight
l = p c^2 (2 - c - L eta) / (2 eta L^2 (1 - c)^2)), and the noise variance (weight nu).
It is weaker than P4 (whose Lyapunov function adds a cross term <z - x, grad f(x)>) and is kept
as the certified answer for this family: its worst-case gap grows as L eta (1 - c)/c grows.

References:
- A. Defazio, Momentum via Primal Averaging: Theoretical Insights and Learning Rate Schedules for
    Non-Convex Optimization, arXiv:2010.00406 (the primal-averaging Lyapunov family).
"""

from lyapunov.engine import DescentLemma, OneStep, Smooth, f, params, sqnorm
from lyapunov.methods import spa_step

eta, c, L, sigma2, p = params("eta c L sigma2 p")
step = OneStep(["x", "z"], lambda x, z, g: spa_step(x, z, g, eta, c), sigma2)
smooth = Smooth(L)

a = p * c * (1 - L * c * eta) / (2 * eta * (1 - c) ** 2)
ell = p * c**2 * (2 - c - L * eta) / (2 * eta * L**2 * (1 - c) ** 2)
rho = (
    eta * (1 - p + p * c / 2)
    - (1 - p) * L * eta**2 / 2
    - (1 - p) ** 2 * eta**3 * L**2 * (1 - c) ** 2 / (2 * p * c**2 * (2 - c - L * eta))
)
nu = eta**2 * (a * (1 - c) ** 2 + L * (p * c**2 + 1 - p) / 2)

theorem = DescentLemma(
    name="P4b SPA descent lemma (primal-averaging family)",
    statement=__doc__,
    step=step,
    region=[
        eta > 0,
        L > 0,
        c > 0,
        c < 1,
        p > 0,
        p <= 1,
        L * eta < 2 - c,
        L * c * eta <= 1,
        rho > 0,
    ],
    lyapunov=lambda x, z: p * f(x) + (1 - p) * f(z) + a * sqnorm(z - x),
    rho=rho,
    nu=nu,
    certificate={
        smooth.upper(step.x, step.x1): p,
        smooth.upper(step.z, step.z1): 1 - p,
        smooth.lipschitz(step.x, step.z): ell,
        step.variance(): nu,
    },
    function_class=smooth,
)
