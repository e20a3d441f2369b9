r"""P25. P12's step without the conditions of a rate, and the bounded-below step at y_k: the
chain of the GSPA family (Nesterov, QHM, GSPA, schedule-free SGD) whose weight of f may fall.

Let f be L-smooth (not necessarily convex) and run one step of GSPA (P9) with parameters
(eta, c, beta) on the state (y, z) where it takes the gradient,

    y_k = (1 - beta) z_k + beta x_k,   z_{k+1} = z_k - eta (grad f(y_k) + xi_k),
    x_{k+1} = (1 - c) x_k + c z_{k+1},

E[xi_k | past] = 0, E|xi_k|^2 <= sigma2. With P12's coefficients (next coefficients (a1, b1),
free weight s > 0, c' = 1 - beta (1 - c)),

    lam = 2 b1 (1 - c)/c,   kappa = 2 b1 eta (1 - c)(1 - beta)/c,   mu = kappa s,
    Lt  = (1 + 2 lam) L/2 + mu L^2,   K = Lt c^2 + a1 (1 - c)^2,
    B   = ((1 + lam) c - 2 Lt c eta c' - 2 a1 (1 - c)^2 eta beta) / 2,
    RHO = (1 + lam) eta c' - Lt eta^2 c'^2 - a1 (1 - c)^2 eta^2 beta^2 - kappa (1 + 1/(4 s)),
    NU  = Lt eta^2 c'^2 + a1 (1 - c)^2 eta^2 beta^2 + kappa/(4 s),

and A_k = f(y_k) + a |z_k - y_k|^2 + 2 b <z_k - y_k, grad f(y_k)>,
A_{k+1} = f(y_{k+1}) + a1 |z_{k+1} - y_{k+1}|^2 + 2 b1 <z_{k+1} - y_{k+1}, grad f(y_{k+1})>.

P25 (theorem). For eta > 0, L > 0, 0 < c <= 1, 0 <= beta <= 1, a1 >= 0, b1 >= 0, s > 0 and
(a, b) = (K, B):

    E[A_{k+1}] - A_k <= - RHO |grad f(y_k)|^2 + NU sigma2,

with no sign asked of RHO, of B or of a - 2 L b^2 (P12 asks RHO > 0 and K >= 2 L B^2 for its
rate; a step of a chain does not need them). With P24b it holds for every current (a, b)
with a > K at the price (b - B)^2 / (a - K) of rate (what the calculators' float chain uses:
its coefficients are the floats it computes, rounded so that a > K exactly). P25c: at y_k,
f(y_k) - fstar >= |grad f(y_k)|^2 / (2L) for a lower bound fstar of f, as a step from A = f(y_k)
to the constant fstar (P10 at the gradient's point of GSPA).

How it is used. t P25 (raised by P24b) + (1 - t) P25c, t = theta_{k+1}/theta_k in [0, 1],
chained backwards from theta_n = 0 as P10 does with P8 (proofs/p10_spa_horizon.py): the
weight of f(y_k) falls and the fall is paid by the lower bound, so the first steps of a short
horizon are not paid by a rate the method reaches only later (a single step: the bound
2 L gap, the worst case).

Symbols: eta, c, beta, L, sigma2; a1, b1 (the next coefficients); s (free weight); m
(fstar = -m, any real).

Assumptions: f L-smooth, bounded below by fstar in P25c; E[xi_k | past] = 0,
E|xi_k|^2 <= sigma2.

Certificate: P12's (upper(y_k, y_{k+1}) with weight 1 + lam, upper(y_{k+1}, y_k) with weight
lam, Lipschitz(y_k, y_{k+1}) with weight mu, the variance with weight NU, the zero-mean term
with weight kappa (1 + 1/(2 s))); P25c: the lower bound at y_k with weight 1.

References:
- A. Defazio, X. Yang, H. Mehta, K. Mishchenko, A. Khaled, A. Cutkosky, The Road Less
    Scheduled, NeurIPS 2024 (schedule-free SGD, a member of the family).
- A. Defazio, Momentum via Primal Averaging: Theoretical Insights and Learning Rate Schedules for
    Non-Convex Optimization, arXiv:2010.00406 (the SPA form)."""

from lyapunov.proofs import p12_gspa_schedule as p12

from lyapunov.engine import DescentLemma, Fact, Smooth, f, inner, params, sqnorm
from lyapunov.methods import get

eta, c, beta, L, sigma2, a1, b1, s, m = params("eta c beta L sigma2 a1 b1 s m")
assert (eta, c, beta, L, a1, b1, s) == (p12.eta, p12.c, p12.beta, p12.L, p12.a1, p12.b1, p12.s)
step = get("gspa").one_step(sigma2, {"eta": eta, "c": c, "beta": beta})
smooth = Smooth(L)

K, B, RHO, NU = p12.A_COEF, p12.B_COEF, p12.RHO, p12.NU
REGION = [eta > 0, L > 0, c > 0, c <= 1, beta >= 0, beta <= 1, b1 >= 0, a1 >= 0, s > 0]
CERTIFICATE = {
    smooth.upper(step.y, step.y1): 1 + p12.lam,
    smooth.upper(step.y1, step.y): p12.lam,
    smooth.lipschitz(step.y, step.y1): p12.mu,
    step.variance(): NU,
    step.zero_mean(step.y.grad): p12.kappa * (1 + 1 / (2 * s)),
}


def _next(y, z):
    return f(y) + a1 * sqnorm(z - y) + 2 * b1 * inner(z - y, y.grad)


chain_step = DescentLemma(
    name="P25 P12's step as a one-step inequality (the family's chain, any sign of rho)",
    statement=__doc__,
    step=step,
    region=REGION,
    params=(a1, b1, s),
    lyapunov=lambda y, z: f(y) + K * sqnorm(z - y) + 2 * B * inner(z - y, y.grad),
    lyapunov_next=_next,
    rho=RHO,
    nu=NU,
    certificate=CERTIFICATE,
    function_class=smooth,
    one_step=True,
)

fstar = -m
y = step.y
bounded_below = Fact(
    "assume: inf f >= fstar, so fstar <= f(y) - |g(y)|^2/(2L)",
    fstar - f(y) + sqnorm(y.grad) / (2 * L),
)
RHO_STAR = 1 / (2 * L)
NU_STAR = 0
bounded_below_step = DescentLemma(
    name="P25c the bounded-below step at y_k: f(y_k) - inf f >= |grad f(y_k)|^2/(2L)",
    statement=__doc__,
    step=step,
    region=[L > 0],
    params=(m, eta, c, beta),
    lyapunov=lambda y, z: f(y),
    lyapunov_next=lambda y, z: fstar + 0 * f(y),
    rho=RHO_STAR,
    nu=NU_STAR,
    certificate={bounded_below: 1},
    function_class=smooth,
)

theorems = [chain_step, bounded_below_step]
