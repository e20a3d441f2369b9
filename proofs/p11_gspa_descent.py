r"""P11. A Lyapunov descent lemma for generalized SPA (Nesterov, QHM, SGD+M), free weights b, s.

Let f be L-smooth (not necessarily convex) and bounded below, and run GSPA (P9),

    y_k = (1 - beta) z_k + beta x_k,   z_{k+1} = z_k - eta (grad f(y_k) + xi_k),
    x_{k+1} = (1 - c) x_k + c z_{k+1},   z_0 = x_0,

with E[xi_k | past] = 0, E|xi_k|^2 <= sigma2; on the state (y, z) one step is
y_{k+1} = (1 - c) y_k + c z_k - eta c' (grad f(y_k) + xi_k), c' = 1 - beta (1 - c).
torch.optim.SGD(lr, momentum=mu, nesterov=True) is (eta, c, beta) = (lr/(1 - mu), 1 - mu, mu),
QHM(lr, momentum, nu) is (lr, 1 - momentum, nu), beta = 1 is SGD+M (P9). For free weights
b >= 0 and s > 0 put

    lam = 2 b (1 - c)/c,   kappa = 2 b eta (1 - c)(1 - beta)/c,   mu = kappa s,
    Lt  = (1 + 2 lam) L/2 + mu L^2,   X = 1 - 2 b - 2 Lt eta c',   a = c X / (2 (1 - c)^2 eta beta),

and the Lyapunov function A_k = f(y_k) + a |z_k - y_k|^2 + 2 b <z_k - y_k, grad f(y_k)>. Then

    E[A_{k+1}] - A_k <= - rho |grad f(y_k)|^2 + nu sigma2,
    rho = (1 + lam) eta c' - Lt eta^2 c'^2 - a (1 - c)^2 eta^2 beta^2 - kappa (1 + 1/(4 s)),
    nu  = Lt eta^2 c'^2 + a (1 - c)^2 eta^2 beta^2 + kappa / (4 s),

for every (eta, c, beta, L, b, s) with eta > 0, L > 0, 0 < c < 1, 0 < beta <= 1, b >= 0,
s > 0, X >= 0, X (2 - c) >= 2 Lt (1 - c)^2 eta beta (the |z - y|^2 part of the residual is
<= 0), c X >= 4 L b^2 (1 - c)^2 eta beta (that is a >= 2 L b^2) and rho > 0. Since A_0 =
f(x_0) and A_k >= inf f, for every such (b, s)

    (1/n) sum_{k<n} E|grad f(y_k)|^2 <= (f(x_0) - inf f) / (n rho) + nu sigma2 / rho,

the gradients being taken where the method takes them (torch's parameters for Nesterov and
QHM). A calculator minimises this over (b, s). At beta = 1 (kappa = 0) and P4's
b = c (2 - c - L eta)/(2 D) it is exactly P4 (a, rho and nu are P4's); at b = 0 it is the
lemma for f(y) + a |z - y|^2, which at beta -> 0 tends to SGD's rate eta (2 - L eta)/2.

Assumptions: f L-smooth (gradient L-Lipschitz; not necessarily convex) and bounded below; E[xi_k
| past] = 0, E|xi_k|^2 <= sigma2; the region above; z_0 = x_0.

Certificate: upper(y_k, y_{k+1}) with weight 1 + lam and upper(y_{k+1}, y_k) with weight lam
(lam is chosen so that the |z - y| part of grad f(y_{k+1})'s coefficient cancels), the
Lipschitz inequality |grad f(y_{k+1}) - grad f(y_k)|^2 <= L^2 |y_{k+1} - y_k|^2 with weight
mu (it pays, by Young's inequality, for what is left of grad f(y_{k+1}), which depends on the
noise xi_k), the noise variance with weight nu, and the zero-mean term E<xi_k, grad f(y_k)> = 0
with weight kappa (1 + 1/(2 s)) (the best multiple of it is not zero once grad f(y_{k+1}) is
paid for). With a as above the residual is -mu |grad f(y_{k+1}) - p|^2 + (the |z - y|^2 part)
for a vector p: negative semidefinite on the region.

References:
- A. Defazio, Momentum via Primal Averaging: Theoretical Insights and Learning Rate Schedules for
    Non-Convex Optimization, arXiv:2010.00406 (the SPA form; P4 is the case beta = 1).
- J. Ma, D. Yarats, Quasi-hyperbolic momentum and Adam for deep learning, ICLR 2019 (QHM).
- I. Sutskever, J. Martens, G. Dahl, G. Hinton, On the importance of initialization and
    momentum in deep learning, ICML 2013 (Nesterov momentum as in torch.optim.SGD).

Notes (not part of the certified statement). The free weights matter: the one-step SDP
optimum of this Lyapunov family (all facts between y_k and y_{k+1}) is somewhat better than the
best (b, s) here (at eta = c = 1/2, L = 1: 0.329 vs 0.270 at beta = 1/2, 0.286 vs 0.272 at
beta = 0.9; equal at beta = 1), because the tight interpolation inequality couples
grad f(y_{k+1}) with the noise in a way this certificate pays for by Young's inequality.
"""

from lyapunov.engine import DescentLemma, Smooth, f, inner, params, sqnorm
from lyapunov.methods import get

eta, c, beta, L, sigma2, b, s = params("eta c beta L sigma2 b s")
# GSPA from its definition, on the state (y, z) where it takes the gradient (x eliminated; the
# step is polynomial in eta, c, beta, so it holds at beta = 0 as well)
step = get("gspa").one_step(sigma2, {"eta": eta, "c": c, "beta": beta})
smooth = Smooth(L)

cb = 1 - beta * (1 - c)  # c'
lam = 2 * b * (1 - c) / c
kappa = 2 * b * eta * (1 - c) * (1 - beta) / c
mu = kappa * s
Lt = (1 + 2 * lam) * L / 2 + mu * L**2
X = 1 - 2 * b - 2 * Lt * eta * cb
a = c * X / (2 * (1 - c) ** 2 * eta * beta)
RHO = (
    (1 + lam) * eta * cb
    - Lt * eta**2 * cb**2
    - a * (1 - c) ** 2 * eta**2 * beta**2
    - kappa * (1 + 1 / (4 * s))
)
NU = Lt * eta**2 * cb**2 + a * (1 - c) ** 2 * eta**2 * beta**2 + kappa / (4 * s)
FREE = (b, s)

theorem = DescentLemma(
    name="P11 GSPA descent lemma (Nesterov, QHM, SGD+M; free weights b, s)",
    statement=__doc__,
    step=step,
    region=[
        eta > 0,
        L > 0,
        c > 0,
        c < 1,
        beta > 0,
        beta <= 1,
        b >= 0,
        s > 0,
        X >= 0,
        X * (2 - c) - 2 * Lt * (1 - c) ** 2 * eta * beta >= 0,
        c * X - 4 * L * b**2 * (1 - c) ** 2 * eta * beta >= 0,
        RHO > 0,
    ],
    params=FREE,
    lyapunov=lambda y, z: f(y) + a * sqnorm(z - y) + 2 * b * inner(z - y, y.grad),
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
