r"""P4c. SPA descent lemma for large steps 2 - c < L eta (free weights b and t).

Same setting as P4: f L-smooth (not necessarily convex) and bounded below, SPA

    z_{k+1} = z_k - eta (grad f(x_k) + xi_k),   x_{k+1} = (1 - c) x_k + c z_{k+1},   z_0 = x_0,

E[xi_k | past] = 0, E|xi_k|^2 <= sigma2, and P4's Lyapunov family

    A_k = f(x_k) + a |z_k - x_k|^2 + 2 b <z_k - x_k, grad f(x_k)>,

with two free parameters: the weight b (b < 0 beyond P4's region, where P4 has b >= 0) and a
noise weight t > 0. With

    beta = 2 b (1 - c) + c/2,      K = c (1 - 2b) / (2 eta),
    a = (K - L (c^2/4 + beta^2)) / (1 - c)^2,      s = a - K,

the lemma is

    E[A_{k+1}] - A_k <= - rho |grad f(x_k)|^2 + nu sigma2,
    rho = eta (c/2 + b (2 - c)) - 2 t (1 - 2 L beta eta)^2,
    nu  = K eta^2 + eta^2 beta^2 / (4 t),

for every (eta, c, L, b, t) in the region

    eta > 0, L > 0, 0 < c < 1, t > 0,  s > 0,  s >= 8 t L^2 beta^2,  a >= 2 L b^2,  rho > 0

(the file also states a few consequences of these, and polynomial forms of them, so that the
decision is fast). Since A_0 = f(x_0) and A_k >= inf f (a >= 2 L b^2), for every such (b, t)

    (1/n) sum_{k<n} E|grad f(x_k)|^2 <= (f(x_0) - inf f) / (n rho) + nu sigma2 / rho,

and a calculator may minimise this bound over (b, t). Coverage: s > 0 says b lies between the
roots of a quadratic S(b) = 2 eta (1 - c)^2 s; as b -> b* (larger root) and t -> 0, rho ->
eta (c/2 + b* (2 - c)), which equals (numerically, to 4 digits) the SDP optimum of the one-step
certificate for this Lyapunov family with all of the facts upper, lower, lipschitz, interp between
x_k and x_{k+1} (nu grows like 1/t and 1/s: (b, t) trade rate against noise). The region is
non-empty exactly when L eta < 4 (2 - c)^2 / ((2 - c)^2 + c^2) (3.6 at c = 1/2, -> 4 as c -> 0),
which is also where that SDP optimum is positive: between this and the heavy-ball stability limit
c L eta < 4 - 2c, no one-step certificate of this family exists. At L eta = 2 - c, b* = 0 as in
P4.

Certificate: the interpolation inequality of L-smooth functions from x_k to x_{k+1} (weight 1)
and the noise variance (weight nu). Maximising the residual over grad f(x_{k+1}) leaves a form in
(z_k - x_k, grad f(x_k), xi_k) whose (z - x, grad f) part is diag(-s, -2 t (1 - 2 L beta eta)^2
) when t = 0 (the choice of a cancels the cross term); grad f(x_{k+1}) depends on xi_k, and that
coupling is paid by Young's inequality with weight t (nu's second term, rho's last term, and the
condition s >= 8 t L^2 beta^2).
"""

from lyapunov.engine import DescentLemma, OneStep, Smooth, f, inner, params, sqnorm
from lyapunov.methods import spa_step

eta, c, L, sigma2, b, t = params("eta c L sigma2 b t")
step = OneStep(["x", "z"], lambda x, z, g: spa_step(x, z, g, eta, c), sigma2)
smooth = Smooth(L)

beta = 2 * b * (1 - c) + c / 2
K = c * (1 - 2 * b) / (2 * eta)
a = (K - L * (c**2 / 4 + beta**2)) / (1 - c) ** 2
s = a - K
RHO = eta * (c / 2 + b * (2 - c)) - 2 * t * (1 - 2 * L * beta * eta) ** 2
NU = K * eta**2 + eta**2 * beta**2 / (4 * t)
FREE = (b, t)
REGION = [
    eta > 0,
    L > 0,
    c > 0,
    c < 1,
    t > 0,
    # a >= 2 L b^2 and s >= 8 t L^2 beta^2, in polynomial form (times 2 eta (1 - c)^2 > 0)
    c * (1 - 2 * b) - 2 * L * eta * (c**2 / 4 + beta**2) - 4 * L * eta * b**2 * (1 - c) ** 2 >= 0,
    c**2 * (2 - c) * (1 - 2 * b)
    - 2 * L * eta * (c**2 / 4 + beta**2)
    - 16 * eta * (1 - c) ** 2 * t * L**2 * beta**2
    >= 0,
    RHO > 0,
    # the same in the form the theorem's expressions take, and consequences, for the decision
    # (z3 is sensitive to this order: keep it)
    s - 8 * t * L**2 * beta**2 >= 0,
    s > 0,
    s - 4 * t * L**2 * beta**2 > 0,
    a * c * (2 - c) - L * c**2 / 4 > 0,
    a - 2 * L * b**2 >= 0,
]

theorem = DescentLemma(
    name="P4c SPA descent lemma for large steps (free weights b, t)",
    statement=__doc__,
    step=step,
    region=REGION,
    params=FREE,
    lyapunov=lambda x, z: f(x) + a * sqnorm(z - x) + 2 * b * inner(z - x, x.grad),
    rho=RHO,
    nu=NU,
    certificate={
        smooth.interp(step.x, step.x1): 1,
        step.variance(): NU,
    },
    function_class=smooth,
)
