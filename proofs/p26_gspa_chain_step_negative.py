r"""P26. P12's step when the next coefficient b1 is negative: the family's chain (P25) goes on
where the backward recursion makes some b_k < 0.

Let f be L-smooth (not necessarily convex) and run one step of GSPA (P9) with parameters
(eta, c, beta) on the state (y, z), as in P12 and P25. With the next coefficients (a1, b1),
b1 <= 0 and c + 2 b1 (1 - c) >= 0, c' = 1 - beta (1 - c), lam = 2 b1 (1 - c)/c in [-1, 0],
kappa = 2 b1 eta (1 - c)(1 - beta)/c <= 0 and a free weight s > 0, put mu = -kappa s and

    Lt  = L/2 + mu L^2,   K = Lt c^2 + a1 (1 - c)^2,
    B   = ((1 + lam) c - 2 Lt c eta c' - 2 a1 (1 - c)^2 eta beta) / 2,
    RHO = (1 + lam) eta c' - Lt eta^2 c'^2 - a1 (1 - c)^2 eta^2 beta^2 - kappa (1 - 1/(4 s)),
    NU  = Lt eta^2 c'^2 + a1 (1 - c)^2 eta^2 beta^2 - kappa/(4 s),

and A_k = f(y_k) + a |z_k - y_k|^2 + 2 b <z_k - y_k, grad f(y_k)>,
A_{k+1} = f(y_{k+1}) + a1 |z_{k+1} - y_{k+1}|^2 + 2 b1 <z_{k+1} - y_{k+1}, grad f(y_{k+1})>.

P26 (theorem). For eta > 0, L > 0, 0 < c <= 1, 0 <= beta <= 1, a1 >= 0, s > 0, b1 as above
and (a, b) = (K, B):

    E[A_{k+1}] - A_k <= - RHO |grad f(y_k)|^2 + NU sigma2,

a one-step inequality (no sign asked of RHO or B); with P24b it holds for every current (a, b)
with a > K at the price (b - B)^2 / (a - K) of rate (the float chain's rounded form).

With P25 (b1 >= 0) and P25c it chains as P25 does: the calculators take P25 or P26 by the sign
of b1 at each step.

Symbols: eta, c, beta, L, sigma2; a1, b1 = -w (the next coefficients, w >= 0); s (free weight).

Assumptions: f L-smooth; E[xi_k | past] = 0, E|xi_k|^2 <= sigma2.

Certificate: as P12's with the signs of lam and kappa turned: upper(y_k, y_{k+1}) with weight
1 + lam, lower(y_{k+1}, y_k) with weight -lam (it cancels lam <y_{k+1} - y_k,
grad f(y_{k+1})>), Lipschitz(y_k, y_{k+1}) with weight mu = -kappa s, the zero-mean term
E<xi_k, grad f(y_k)> = 0 with weight kappa (1 - 1/(2 s)) (Young's inequality on
kappa <grad f(y_k) + xi_k, grad f(y_{k+1}) - grad f(y_k)> with |kappa| = -kappa), and the
variance with weight NU.

References:
- A. Defazio, Momentum via Primal Averaging: Theoretical Insights and Learning Rate Schedules for
    Non-Convex Optimization, arXiv:2010.00406 (the SPA form).
- A. B. Taylor, J. M. Hendrickx, F. Glineur, Smooth strongly convex interpolation and exact
    worst-case performance of first-order methods, Math. Program. 161 (2017), arXiv:1502.05666
    (the upper and lower quadratic bounds of L-smooth functions)."""

from lyapunov.proofs import p12_gspa_schedule as p12

from lyapunov.engine import DescentLemma, Smooth, f, inner, params, sqnorm
from lyapunov.methods import get

eta, c, beta, L, sigma2, a1, w, s = params("eta c beta L sigma2 a1 w s")
assert (eta, c, beta, L, a1, s) == (p12.eta, p12.c, p12.beta, p12.L, p12.a1, p12.s)
b1 = -w  # the next coefficient, <= 0 (w >= 0: a region of positive parameters)
step = get("gspa").one_step(sigma2, {"eta": eta, "c": c, "beta": beta})
smooth = Smooth(L)

at = {p12.b1: b1}
cb, lam, kappa = p12.cb, p12.lam.subs(at), p12.kappa.subs(at)
mu = -kappa * s
Lt = L / 2 + mu * L**2
K = Lt * c**2 + a1 * (1 - c) ** 2
B = ((1 + lam) * c - 2 * Lt * c * eta * cb - 2 * a1 * (1 - c) ** 2 * eta * beta) / 2
RHO = (1 + lam) * eta * cb - Lt * eta**2 * cb**2 - a1 * (1 - c) ** 2 * eta**2 * beta**2
RHO = RHO - kappa * (1 - 1 / (4 * s))
NU = Lt * eta**2 * cb**2 + a1 * (1 - c) ** 2 * eta**2 * beta**2 - kappa / (4 * s)
REGION = [eta > 0, L > 0, c > 0, c <= 1, beta >= 0, beta <= 1, a1 >= 0, s > 0]
REGION += [w >= 0, c - 2 * w * (1 - c) >= 0]
CERTIFICATE = {
    smooth.upper(step.y, step.y1): 1 + lam,
    smooth.lower(step.y1, step.y): -lam,
    smooth.lipschitz(step.y, step.y1): mu,
    step.variance(): NU,
    step.zero_mean(step.y.grad): kappa * (1 - 1 / (2 * s)),
}


def _next(y, z):
    return f(y) + a1 * sqnorm(z - y) + 2 * b1 * inner(z - y, y.grad)


chain_step = DescentLemma(
    name="P26 P12's step at a negative next coefficient b1 (the family's chain goes on)",
    statement=__doc__,
    step=step,
    region=REGION,
    params=(a1, w, s),
    lyapunov=lambda y, z: f(y) + K * sqnorm(z - y) + 2 * B * inner(z - y, y.grad),
    lyapunov_next=_next,
    rho=RHO,
    nu=NU,
    certificate=CERTIFICATE,
    function_class=smooth,
    one_step=True,
)

theorems = [chain_step]
