r"""P12. GSPA with a schedule (schedule-free SGD's c_k = 1/(k+1) included): one step of a
time-varying Lyapunov function, computed backwards.

Let f be L-smooth (not necessarily convex) and bounded below, and run GSPA (P9) with a
schedule (eta_k, c_k) and a fixed beta in [0, 1],

    y_k = (1 - beta) z_k + beta x_k,   z_{k+1} = z_k - eta_k (grad f(y_k) + xi_k),
    x_{k+1} = (1 - c_k) x_k + c_k z_{k+1},   z_0 = x_0,

E[xi_k | past] = 0, E|xi_k|^2 <= sigma2 (schedulefree.SGDScheduleFree(lr, momentum=beta) is
eta_k = lr, c_k = 1/(k + 1), P9c). Take A_k = f(y_k) + a_k |z_k - y_k|^2 +
2 b_k <z_k - y_k, grad f(y_k)>. For one step with (eta, c) = (eta_k, c_k), next coefficients
(a1, b1) = (a_{k+1}, b_{k+1}) and a free weight s > 0, put c' = 1 - beta (1 - c) and

    lam = 2 b1 (1 - c)/c,   kappa = 2 b1 eta (1 - c)(1 - beta)/c,   mu = kappa s,
    Lt  = (1 + 2 lam) L/2 + mu L^2,
    A_COEF = a_k = Lt c^2 + a1 (1 - c)^2,
    B_COEF = b_k = ((1 + lam) c - 2 Lt c eta c' - 2 a1 (1 - c)^2 eta beta) / 2,
    RHO    = rho_k = (1 + lam) eta c' - Lt eta^2 c'^2 - a1 (1 - c)^2 eta^2 beta^2
                     - kappa (1 + 1/(4 s)),
    NU     = nu_k  = Lt eta^2 c'^2 + a1 (1 - c)^2 eta^2 beta^2 + kappa/(4 s).

P12 (theorem). For every eta > 0, L > 0, 0 < c <= 1, 0 <= beta <= 1, b1 >= 0, a1 >= 0 and
s > 0 with a_k >= 2 L b_k^2 (so that A_k >= inf f) and rho_k > 0:

    E[A_{k+1}] - A_k <= - rho_k |grad f(y_k)|^2 + nu_k sigma2.

How it is used (the calculator, lyapunov.bounds.schedule_free / gspa_schedule): start from
(a_n, b_n) = (0, 0) (then A_n = f(y_n) >= inf f) and run A_COEF, B_COEF backwards for
k = n-1, ..., 0. If every step is in the region (b_k >= 0 for k >= 1, since b_k is the next
coefficient of step k - 1; a_k >= 2 L b_k^2; rho_k > 0), summing the lemma over k < n gives,
with A_0 = f(x_0) (z_0 = y_0 = x_0) and A_n = f(y_n) >= inf f,

    (1/n) sum_{k<n} E|grad f(y_k)|^2 <= (f(x_0) - inf f + sigma2 sum_k nu_k) / (n min_k rho_k).

At constant (eta, c) the fixed point of the recursion is P11's Lyapunov function (a = A_COEF,
b = B_COEF with a1 = a, b1 = b), and at beta = 1 this is P8's recursion for SPA.

Symbols: eta, c, beta, L, sigma2; a1, b1 (the next step's coefficients); s (a free weight).

Assumptions: f L-smooth (gradient L-Lipschitz; not necessarily convex) and bounded below; E[xi_k
| past] = 0, E|xi_k|^2 <= sigma2; the parameter ranges above; z_0 = x_0.

Certificate: as P11 with the next step's b1 in place of b: upper(y_k, y_{k+1}) with weight
1 + lam, upper(y_{k+1}, y_k) with weight lam, the Lipschitz inequality between y_k and y_{k+1}
with weight mu, the noise variance with weight nu_k and the zero-mean term E<xi_k,
grad f(y_k)> = 0 with weight kappa (1 + 1/(2 s)). With a_k and b_k as above the residual is
-mu |grad f(y_{k+1}) - p|^2 for a vector p.

References:
- A. Defazio, X. Yang, H. Mehta, K. Mishchenko, A. Khaled, A. Cutkosky, The Road Less
    Scheduled, NeurIPS 2024 (schedule-free SGD; its analysis covers convex f).
- A. Defazio, Momentum via Primal Averaging: Theoretical Insights and Learning Rate Schedules for
    Non-Convex Optimization, arXiv:2010.00406 (the SPA form; P8 is the case beta = 1).
"""

from lyapunov.engine import DescentLemma, Smooth, f, inner, params, sqnorm
from lyapunov.methods import get

eta, c, beta, L, sigma2, a1, b1, s = params("eta c beta L sigma2 a1 b1 s")
# GSPA from its definition, on the state (y, z) where it takes the gradient (x eliminated; the
# step is polynomial in eta, c, beta, so it holds at beta = 0 as well)
step = get("gspa").one_step(sigma2, {"eta": eta, "c": c, "beta": beta})
smooth = Smooth(L)

cb = 1 - beta * (1 - c)  # c'
lam = 2 * b1 * (1 - c) / c
kappa = 2 * b1 * eta * (1 - c) * (1 - beta) / c
mu = kappa * s
Lt = (1 + 2 * lam) * L / 2 + mu * L**2
A_COEF = Lt * c**2 + a1 * (1 - c) ** 2
B_COEF = ((1 + lam) * c - 2 * Lt * c * eta * cb - 2 * a1 * (1 - c) ** 2 * eta * beta) / 2
RHO = (
    (1 + lam) * eta * cb
    - Lt * eta**2 * cb**2
    - a1 * (1 - c) ** 2 * eta**2 * beta**2
    - kappa * (1 + 1 / (4 * s))
)
NU = Lt * eta**2 * cb**2 + a1 * (1 - c) ** 2 * eta**2 * beta**2 + kappa / (4 * s)

theorem = DescentLemma(
    name="P12 GSPA schedule descent lemma (backward coefficients; schedule-free SGD)",
    statement=__doc__,
    step=step,
    region=[
        eta > 0,
        L > 0,
        c > 0,
        c <= 1,
        beta >= 0,
        beta <= 1,
        b1 >= 0,
        a1 >= 0,
        s > 0,
        A_COEF - 2 * L * B_COEF**2 >= 0,
        RHO > 0,
    ],
    params=(a1, b1, s),
    lyapunov=lambda y, z: f(y) + A_COEF * sqnorm(z - y) + 2 * B_COEF * inner(z - y, y.grad),
    lyapunov_next=lambda y, z: f(y) + a1 * sqnorm(z - y) + 2 * b1 * inner(z - y, y.grad),
    rho=RHO,
    nu=NU,
    certificate={
        smooth.upper(step.y, step.y1): 1 + lam,
        smooth.upper(step.y1, step.y): lam,
        smooth.lipschitz(step.y, step.y1): mu,
        step.variance(): NU,
        step.zero_mean(step.y.grad): kappa * (1 + 1 / (2 * s)),
    },
    function_class=smooth,
)
