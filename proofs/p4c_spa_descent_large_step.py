r"""P4c. SPA descent lemma for large steps, up to L eta < 4 (2 - c)^2 / ((2 - c)^2 + c^2).

Same setting as P4: f L-smooth (not necessarily convex) and bounded below, SPA

    z_{k+1} = z_k - eta (grad f(x_k) + xi_k),   x_{k+1} = (1 - c) x_k + c z_{k+1},   z_0 = x_0,

E[xi_k | past] = 0, E|xi_k|^2 <= sigma2 (PyTorch SGD+M with lr = c eta, momentum = 1 - c), and
P4's Lyapunov family with two free weights, b (any sign; b < 0 beyond P4's region) and t > 0.
With

    beta = 2 b (1 - c) + c/2,      u = 1 - 2 L eta beta,
    S    = c^2 (2 - c)(1 - 2b) - 2 L eta (c^2/4 + beta^2),
    a    = (c (1 - 2b) - 2 L eta (c^2/4 + beta^2)) / (2 eta (1 - c)^2),

the Lyapunov function A_k = f(x_k) + a |z_k - x_k|^2 + 2 b <z_k - x_k, grad f(x_k)> satisfies

    E[A_{k+1}] - A_k <= - rho |grad f(x_k)|^2 + nu sigma2,
    rho = eta (c/2 + b (2 - c)) - 2 t,
    nu  = c eta (1 - 2b)/2 + 2 L^2 eta^3 (1 - c)^2 beta^4 / S + eta^2 beta^2 u^2 / (8 t),

for every (eta, c, L, b, t) in the region

    eta > 0,  L > 0,  0 < c < 1,  t > 0,  S > 0,  rho > 0.

Since A_0 = f(x_0) and A_k >= inf f on the region (a >= 2 L b^2 there, checked), for every such
(b, t)

    (1/n) sum_{k<n} E|grad f(x_k)|^2 <= (f(x_0) - inf f) / (n rho) + nu sigma2 / rho,

and a calculator may minimise this bound over (b, t) (t trades rate against noise).

Reach (the second and third theorems of this file): every point of the region has
L eta ((2 - c)^2 + c^2) < 4 (2 - c)^2 (3.6 at c = 1/2, -> 4 as c -> 0, 2 at c = 1), and
conversely below that limit the region is not empty: at b0 = -c / (2 (2 - c)), where
rho + 2t = 0, S = c^2 (4 (2 - c)^2 - L eta ((2 - c)^2 + c^2)) / (2 (2 - c)^2) > 0, so S > 0 and
rho > 0 for b slightly above b0 and t small (S and rho + 2t are continuous in b, and rho + 2t
increases with b).

Assumptions: f L-smooth (gradient L-Lipschitz; not necessarily convex) and bounded below; E[xi_k
| past] = 0, E|xi_k|^2 <= sigma2; eta > 0, L > 0, 0 < c < 1, t > 0, S > 0, rho > 0; z_0 = x_0.

Certificate: the interpolation inequality of L-smooth functions from x_k to x_{k+1} (weight 1)
and the noise variance (weight nu). In the coordinates (z_k - x_k, w = grad f(x_{k+1}) - u
grad f(x_k), xi_k, grad f(x_k)) the residual is a path: z - x couples to w only (the choice of a
cancels the rest), w to xi, xi to grad f(x_k). Eliminating z - x leaves s = S / (2 eta (1 -
c)^2) > 0 (the term 2 L^2 eta^3 (1 - c)^2 beta^4 / S of nu), and the last two pivots, 2t and
eta^2 beta^2 u^2 / (8t), are the two sides of Young's inequality: the residual is negative
semidefinite with a zero determinant (nu is the smallest noise weight for these b, t).

References:
- A. Defazio, Momentum via Primal Averaging: Theoretical Insights and Learning Rate Schedules for
    Non-Convex Optimization, arXiv:2010.00406 (the SPA form and the Lyapunov family of P4).
- A. Taylor, J. Hendrickx, F. Glineur, Smooth strongly convex interpolation and exact
    worst-case performance of first-order methods, Math. Program. 161 (2017) (the
    interpolation inequality).

Notes (numerical, not part of the certified statement): as b tends to the larger root of S and
t to 0, rho tends to the optimum of the one-step SDP for this Lyapunov family with all facts
(upper, lower, lipschitz, interp between x_k and x_{k+1}), to 4 digits; between the limit above
and the quadratic stability limit c L eta < 4 - 2c no one-step certificate of this family exists.
The PEP worst case of SGD+M (lyapunov.pep, figure `region`) stays bounded close to this limit.
"""

from lyapunov.engine import (
    DescentLemma,
    Identities,
    Inequalities,
    OneStep,
    Smooth,
    f,
    inner,
    params,
    sqnorm,
)
from lyapunov.methods import spa_step

eta, c, L, sigma2, b, t = params("eta c L sigma2 b t")
step = OneStep(["x", "z"], lambda x, z, g: spa_step(x, z, g, eta, c), sigma2)
smooth = Smooth(L)

beta = 2 * b * (1 - c) + c / 2
u = 1 - 2 * L * eta * beta
S = c**2 * (2 - c) * (1 - 2 * b) - 2 * L * eta * (c**2 / 4 + beta**2)
a = (c * (1 - 2 * b) - 2 * L * eta * (c**2 / 4 + beta**2)) / (2 * eta * (1 - c) ** 2)
RHO = eta * (c / 2 + b * (2 - c)) - 2 * t
NU = (
    c * eta * (1 - 2 * b) / 2
    + 2 * L**2 * eta**3 * (1 - c) ** 2 * beta**4 / S
    + eta**2 * beta**2 * u**2 / (8 * t)
)
FREE = (b, t)
REGION = [eta > 0, L > 0, c > 0, c < 1, t > 0, S > 0, RHO > 0]
#: the limit of the region in L eta: L eta < LIMIT (the theorems `reach` and `nonempty`)
LIMIT = 4 * (2 - c) ** 2 / ((2 - c) ** 2 + c**2)

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

reach = Inequalities(
    name="P4c reach: every point of the region has L eta < 4 (2-c)^2 / ((2-c)^2 + c^2)",
    region=REGION,
    claims=[
        ("L eta ((2-c)^2 + c^2) < 4 (2-c)^2", L * eta * ((2 - c) ** 2 + c**2) < 4 * (2 - c) ** 2)
    ],
)

b0 = -c / (2 * (2 - c))
nonempty = Identities(
    name="P4c reach: below the limit, S > 0 where rho + 2t = 0 (b = b0)",
    region=[eta > 0, L > 0, c > 0, c < 1],
    equations=[
        ("rho + 2t at b0", (RHO + 2 * t).subs(b, b0), 0),
        (
            "S at b0",
            S.subs(b, b0),
            c**2 * (4 * (2 - c) ** 2 - L * eta * ((2 - c) ** 2 + c**2)) / (2 * (2 - c) ** 2),
        ),
    ],
)

theorems = [theorem, reach, nonempty]
