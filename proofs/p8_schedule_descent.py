r"""P8. A Lyapunov descent lemma for SPA with a schedule (eta_k, c_k), with the cost of changes.

Let f be L-smooth (not necessarily convex) and bounded below, and run SPA with a schedule

    z_{k+1} = z_k - eta_k (grad f(x_k) + xi_k),  x_{k+1} = (1 - c_k) x_k + c_k z_{k+1},  z_0 = x_0,

with E[xi_k | past] = 0, E|xi_k|^2 <= sigma2 (any PyTorch schedule becomes one by P2). The
Lyapunov function of P4 gets time-varying coefficients,

    A_k = f(x_k) + a_k |z_k - x_k|^2 + 2 b_k <z_k - x_k, grad f(x_k)>,

and they are computed *backwards* from the next ones (a_{k+1}, b_{k+1}) = (a1, b1), like the
SPA form of a PyTorch schedule (P2b) needs the future. For one step with parameters
(eta, c) = (eta_k, c_k), put

    K      = (1 - c)^2 a1 + L c^2 / 2 + 2 L c (1 - c) b1,
    A_COEF = a_k = K,
    B_COEF = b_k = c/2 + (1 - c) b1 - eta K,
    RHO    = rho_k = 2 eta b_k + eta^2 a_k,        NU = nu_k = eta^2 a_k.

P8 (theorem). For every eta > 0, L > 0, 0 < c <= 1, b1 >= 0, a1 >= 2 L b1^2 with b_k >= 0:

    E[A_{k+1}] - A_k <= - rho_k |grad f(x_k)|^2 + nu_k sigma2,    rho_k > 0,   a_k >= 2 L b_k^2.

P8a (reduction to P4, and the price of a change). P4's coefficients (a*, b*) at (eta, c) are
the fixed point of the recursion, and there RHO, NU are P4's rho, nu. Away from it, exactly,

    RHO    = rho_P4 - eta^2 (1 - c)^2 (a1 - a*) + 2 eta (1 - c)(1 - L c eta)(b1 - b*),
    B_COEF = b*     - eta   (1 - c)^2 (a1 - a*) +   (1 - c)(1 - 2 L c eta)(b1 - b*),
    NU     = nu_P4  + eta^2 [(1 - c)^2 (a1 - a*) + 2 L c (1 - c)(b1 - b*)].

P8b (a sudden change of eta, c fixed). If the next coefficients are P4's at eta1 (the schedule
switches from eta to eta1 and keeps eta1), with D = c(2 - c) + 2 L eta (1 - c) and D1 the same
at eta1:

    K - a*(eta)   = L^2 c (2 - c)(1 - c)(eta - eta1) / (D D1),
    B_COEF        = c [(2 - c)(1 - L eta) + (1 - c) L eta1] / (2 D1),
    RHO           = rho_P4(eta) + L c eta (2 - c)(1 - c)(2 - c - L eta)(eta - eta1) / (D D1).

So (i) when eta decreases and c < 1 the stationary Lyapunov function of P4 cannot be kept for
the step before the decrease (K > a*: by the tightness above the one-step lemma is false, not
just unproved): A_k must anticipate the decrease, as the SPA form of a PyTorch schedule does
(P2c); (ii) the step just before the drop does not lose rho (it inherits the larger b of the
smaller eta1), but its a_k exceeds P4's a* by an amount proportional to the size of the drop
eta - eta1, and by P8a every unit of surplus a1 - a* costs the step before eta^2 (1 - c)^2 of
rho and eta (1 - c)^2 of b; the surplus travels backwards, oscillating, over ~1/c steps;
(iii) already b_{T-1} >= 0 needs L (2 - c) eta - L (1 - c) eta1 <= 2 - c, so a sudden drop
from L eta in (1, 2 - c] to a small eta1 is not certified, and for small c the steps further
back fail first (L = 1, c = 0.1: eta 1 -> 0.1 at once gives b_k < 0 four steps before the
drop; the same decrease spread linearly over 50 steps keeps every b_k > 0 and
min_k rho_k = rho_P4(0.1)). P8c states (i) as an exact inequality.

Symbols: eta, c, L, sigma2; a1, b1 (the next step's coefficients a_{k+1}, b_{k+1}); eta1 (the
next value of eta in P8b/P8c).

Assumptions: f L-smooth (gradient L-Lipschitz; not necessarily convex) and bounded below; E[xi_k
| past] = 0, E|xi_k|^2 <= sigma2; per step eta_k > 0, L > 0, 0 < c_k <= 1, next coefficients b1
>= 0 and a1 >= 2 L b1^2, and b_k >= 0; z_0 = x_0.

Certificate: upper(x_k, x_{k+1}) with weight 1 + l, upper(x_{k+1}, x_k) with weight
l = 2 b1 (1 - c)/c (it cancels grad f(x_{k+1})), the noise variance with weight nu_k; the
residual is identically zero. It is also the best possible one-step statement for this
Lyapunov family: on f(y) = <g, y - x_k> + L|y - x_k|^2/2 both facts are equalities, so for given
(a1, b1), a_k >= K is *necessary* (a smaller a_k is refuted by g = 0, xi = 0), and among
a_k >= K the choice b_k = B_COEF maximises rho_k (any other b_k loses
(b_k - B_COEF)^2/(a_k - K)); a_k = K is the smallest, which helps the step before.

References:
- A. Defazio, Momentum via Primal Averaging: Theoretical Insights and Learning Rate Schedules for
    Non-Convex Optimization, arXiv:2010.00406
    (claim C6: gradual changes beat sudden ones).

Notes (not part of the certified statement).

How to use it (the calculator). Given (eta_k, c_k) for k < n, start from terminal
coefficients (a_n, b_n) with b_n >= 0 and a_n >= 2 L b_n^2 -- e.g. P4's coefficients at
(eta_{n-1}, c_{n-1}) (valid when L eta_{n-1} <= 2 - c_{n-1}), "as if the last values were
kept forever" -- and run A_COEF, B_COEF backwards for k = n-1, ..., 0. If b_k >= 0 for every k,
the lemma holds at every step, a_k >= 2 L b_k^2 propagates (so A_n >= inf f) and A_0 = f(x_0)
(z_0 = x_0), hence summing,

    sum_{k<n} rho_k E|grad f(x_k)|^2 <= f(x_0) - inf f + sigma2 sum_{k<n} nu_k,
    (1/n) sum_{k<n} E|grad f(x_k)|^2 <= (f(x_0) - inf f + sigma2 sum_k nu_k) / (n min_k rho_k).

If some b_k < 0, P8 does not certify that schedule.

Numerical remark (floating point, not certified): A numerical SDP over all coefficient sequences
(a_k, b_k) confirms that the sudden drop is not certifiable by any Lyapunov function of this
family with all b_k >= 0 (min_k rho_k < 0), so it is not an artefact of the recursion."""

import sympy as sp
from lyapunov.proofs import p4_spa_descent as p4

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

eta, c, L, sigma2, a1, b1, eta1 = params("eta c L sigma2 a1 b1 eta1")

# -- the formulas (what a calculator lambdifies) ---------------------------------------------
K = (1 - c) ** 2 * a1 + L * c**2 / 2 + 2 * L * c * (1 - c) * b1
A_COEF = K
B_COEF = c / 2 + (1 - c) * b1 - eta * K
RHO = 2 * eta * B_COEF + eta**2 * A_COEF
NU = eta**2 * A_COEF
SYMBOLS = (eta, c, L, a1, b1)


def p4_coefficients(e, cc):
    """P4's (a, b, rho, nu) at (eta, c) = (e, cc), taken from the P4 proof itself."""
    at = {p4.eta: e, p4.c: cc}
    return tuple(
        sp.sympify(v).subs(at, simultaneous=True)
        for v in (p4.a, p4.b, p4.theorem.rho, p4.theorem.nu)
    )


A_P4, B_P4, RHO_P4, NU_P4 = p4_coefficients(eta, c)
A_P4_NEXT, B_P4_NEXT, _, _ = p4_coefficients(eta1, c)  # the next step's, c fixed
D = c * (2 - c) + 2 * L * eta * (1 - c)
D1 = c * (2 - c) + 2 * L * eta1 * (1 - c)

step = OneStep(["x", "z"], lambda x, z, g: spa_step(x, z, g, eta, c), sigma2)
smooth = Smooth(L)
lam = 2 * b1 * (1 - c) / c

descent = DescentLemma(
    name="P8 SPA schedule descent lemma (backward coefficients)",
    statement=__doc__,
    step=step,
    region=[eta > 0, L > 0, c > 0, c <= 1, b1 >= 0, a1 >= 2 * L * b1**2, B_COEF >= 0],
    lyapunov=lambda x, z: f(x) + A_COEF * sqnorm(z - x) + 2 * B_COEF * inner(z - x, x.grad),
    lyapunov_next=lambda x, z: f(x) + a1 * sqnorm(z - x) + 2 * b1 * inner(z - x, x.grad),
    rho=RHO,
    nu=NU,
    certificate={
        smooth.upper(step.x, step.x1): 1 + lam,
        smooth.upper(step.x1, step.x): lam,
        step.variance(): NU,
    },
    function_class=smooth,
)

at_p4 = {a1: A_P4, b1: B_P4}
reduction = Identities(
    name="P8a P8 reduces to P4 at constant parameters; the price of a change",
    statement=__doc__,
    region=[eta > 0, L > 0, c > 0, c <= 1],
    params=(a1, b1),
    equations=[
        ("fixed point: a_k = a*", A_COEF.subs(at_p4), A_P4),
        ("fixed point: b_k = b*", B_COEF.subs(at_p4), B_P4),
        ("fixed point: rho_k = rho_P4", RHO.subs(at_p4), RHO_P4),
        ("fixed point: nu_k = nu_P4", NU.subs(at_p4), NU_P4),
        (
            "rho_k = rho_P4 + change terms",
            RHO,
            RHO_P4
            - eta**2 * (1 - c) ** 2 * (a1 - A_P4)
            + 2 * eta * (1 - c) * (1 - L * c * eta) * (b1 - B_P4),
        ),
        (
            "b_k = b* + change terms",
            B_COEF,
            B_P4 - eta * (1 - c) ** 2 * (a1 - A_P4) + (1 - c) * (1 - 2 * L * c * eta) * (b1 - B_P4),
        ),
        (
            "nu_k = nu_P4 + change terms",
            NU,
            NU_P4 + eta**2 * ((1 - c) ** 2 * (a1 - A_P4) + 2 * L * c * (1 - c) * (b1 - B_P4)),
        ),
    ],
)

at_next = {a1: A_P4_NEXT, b1: B_P4_NEXT}
sudden = Identities(
    name="P8b the step before a switch eta -> eta1 (c fixed, P4 coefficients after)",
    statement=__doc__,
    region=[eta > 0, eta1 > 0, L > 0, c > 0, c <= 1],
    equations=[
        (
            "K - a*(eta)",
            K.subs(at_next) - A_P4,
            L**2 * c * (2 - c) * (1 - c) * (eta - eta1) / (D * D1),
        ),
        (
            "b_k",
            B_COEF.subs(at_next),
            c * ((2 - c) * (1 - L * eta) + (1 - c) * L * eta1) / (2 * D1),
        ),
        (
            "rho_k",
            RHO.subs(at_next),
            RHO_P4 + L * c * eta * (2 - c) * (1 - c) * (2 - c - L * eta) * (eta - eta1) / (D * D1),
        ),
    ],
)

stationary_fails = Inequalities(
    name="P8c P4's Lyapunov function cannot be kept across a decrease of eta (c < 1)",
    statement=__doc__,
    region=[eta1 > 0, eta1 < eta, L > 0, c > 0, c < 1],
    claims=[("a_k needed (K) > P4's a*(eta)", K.subs(at_next) > A_P4)],
)

theorems = [descent, reduction, sudden, stationary_fails]
