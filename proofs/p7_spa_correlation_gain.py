r"""P7. The gain from momentum is proportional to the buffer/gradient correlation (claim C4).

Setting of P4: f L-smooth (not necessarily convex), SPA with 0 < c <= 1, unbiased noise of
variance <= sigma2; PyTorch lr = c eta, momentum beta = 1 - c, and x_k - z_k = beta eta b_k
(b_k the momentum buffer). Write g_k = grad f(x_k).

Theorem. For every parameter b with 0 <= b <= b_4 = c (2 - c - L eta) / (2 D),
D = c (2 - c) + 2 L eta (1 - c) (so L eta <= 2 - c), the Lyapunov function

    A_k = f(x_k) + a |z_k - x_k|^2 + 2 b <z_k - x_k, g_k>,   a = L (c + 4 b (1 - c)) / (2 (2 - c)),

satisfies

    E[A_{k+1}] - A_k <= - rho |g_k|^2 - gamma <g_k, x_k - z_k> + nu sigma2,

    gamma = c (1 - 2b) - 2 a eta                      (>= 0; = 0 exactly at b = b_4),
    rho   = c eta (1 - L c eta / 2) + 2 b (1 - c) eta (1 - L c eta) - a (1 - c)^2 eta^2,
    nu    = eta^2 (L c^2 / 2 + a (1 - c)^2 + 2 b L c (1 - c)).

rho, gamma, nu are affine in b; at b = b_4 this is P4 (gamma = 0), at b = 0 the Lyapunov
function is f(x_k) + a_0 |z_k - x_k|^2 and the correlation gain is largest:

    gamma_0 = c (2 - c - L eta) / (2 - c),   a_0 = L c / (2 (2 - c)),
    rho_0 = c eta (1 - L c eta / 2) - L c (1 - c)^2 eta^2 / (2 (2 - c)),
    nu_0 = L c eta^2 (c (2 - c) + (1 - c)^2) / (2 (2 - c)).

Summing (A_0 = f(x_0), A_k >= inf f):

    (1/n) sum_{k<n} E[ rho |g_k|^2 + gamma <g_k, x_k - z_k> ] <= (f(x_0) - inf f)/n + nu sigma2.

What it predicts. In PyTorch terms <g_k, x_k - z_k> = beta eta <g_k, b_k>
= beta eta |g_k| |b_k| cos_k, so step k is credited with the decrease

    rho_eff,k |g_k|^2,   rho_eff,k = rho + gamma beta eta (|b_k| / |g_k|) cos_k.

With b = 0 and L eta small: rho_0 ~ c eta (SGD with the PyTorch lr c eta) and
gamma_0 beta eta ~ c (1 - c) eta; if the gradient is constant, b_k -> g/c, cos = 1, and
rho_eff -> eta: SGD with the long-run step eta. Momentum beats its own correlation-free
guarantee (P4, rho_4) when the buffer is positively correlated enough, and beats the SGD
guarantee eta (1 - L eta/2) at the same eta when
cos_k > (eta (1 - L eta/2) - rho_0) / (gamma_0 beta eta |b_k| / |g_k|);
with a buffer uncorrelated with the gradient (cos = 0, late training) the gain vanishes and the
best certified rate is P4's. "The theory's predicted gain" for a simulator that measures
cos_k and |b_k|/|g_k| is gamma beta eta |b_k| cos_k / |g_k| (relative to rho, per step).
Assumptions: f L-smooth (gradient L-Lipschitz; not necessarily convex) and bounded below; E[xi_k
| past] = 0, E|xi_k|^2 <= sigma2; 0 < c <= 1, L eta <= 2 - c, 0 <= b <= c (2 - c - L eta)/(2 D);
z_0 = x_0.

Certificate: upper bounds x_k -> x_{k+1} (weight 1 + l) and x_{k+1} -> x_k (weight
l = 2 b (1 - c)/c), noise variance (weight nu); the residual is identically zero.

References:
- A. Defazio, Momentum via Primal Averaging: Theoretical Insights and Learning Rate Schedules for
    Non-Convex Optimization, arXiv:2010.00406
    (claim C4: momentum helps when the buffer correlates with the gradient).
"""

import sympy as sp
from lyapunov.proofs import p4_spa_descent

from lyapunov.engine import DescentLemma, Inequalities, OneStep, Smooth, f, inner, params, sqnorm
from lyapunov.methods import spa_step

eta, c, L, sigma2, b = params("eta c L sigma2 b")
step = OneStep(["x", "z"], lambda x, z, g: spa_step(x, z, g, eta, c), sigma2)
smooth = Smooth(L)

D = c * (2 - c) + 2 * L * eta * (1 - c)
b4 = c * (2 - c - L * eta) / (2 * D)
a = L * (c + 4 * b * (1 - c)) / (2 * (2 - c))
gamma = c * (1 - 2 * b) - 2 * a * eta
rho = (
    c * eta * (1 - L * c * eta / 2)
    + 2 * b * (1 - c) * eta * (1 - L * c * eta)
    - a * (1 - c) ** 2 * eta**2
)
nu = eta**2 * (L * c**2 / 2 + a * (1 - c) ** 2 + 2 * b * L * c * (1 - c))
lam = 2 * b * (1 - c) / c

# the b = 0 end (largest gain), for calculators
gamma0 = gamma.subs(b, 0)
rho0 = rho.subs(b, 0)
nu0 = nu.subs(b, 0)

region = [
    eta > 0,
    L > 0,
    c > 0,
    c <= 1,
    L * eta <= 2 - c,
    b >= 0,
    2 * b * D <= c * (2 - c - L * eta),
]

lemma = DescentLemma(
    name="P7 SPA descent lemma with the momentum-correlation gain",
    statement=__doc__,
    step=step,
    region=region,
    lyapunov=lambda x, z: f(x) + a * sqnorm(z - x) + 2 * b * inner(z - x, x.grad),
    rho=rho,
    nu=nu,
    gain=lambda x, z: gamma * inner(x.grad, x - z),
    certificate={
        smooth.upper(step.x, step.x1): 1 + lam,
        smooth.upper(step.x1, step.x): lam,
        step.variance(): nu,
    },
    function_class=smooth,
)

rho4 = p4_spa_descent.theorem.rho  # P4's certified rate (same symbols eta, c, L)
facts = Inequalities(
    name="P7 gain is nonnegative, vanishes at P4's end, and trades against rho",
    statement=__doc__,
    region=region,
    claims=[
        ("gamma >= 0", gamma >= 0),
        ("gamma(b_4) == 0", sp.Eq(gamma.subs(b, b4), 0)),
        ("rho(b_4) == rho_P4", sp.Eq(rho.subs(b, b4), rho4)),
        ("nu(b_4) == nu_P4", sp.Eq(nu.subs(b, b4), p4_spa_descent.theorem.nu)),
        ("rho <= rho_P4", rho <= rho4),
        ("gamma <= gamma_0", gamma <= gamma0),
    ],
)

theorems = [lemma, facts]
