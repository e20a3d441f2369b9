r"""P24. P8's step for every sign of the next coefficients: the chain's step at any step size.

Let f be L-smooth (not necessarily convex) and run one step of SPA with parameters (eta, c),

    z_{k+1} = z_k - eta (grad f(x_k) + xi_k),  x_{k+1} = (1 - c) x_k + c z_{k+1},

with E[xi_k | past] = 0, E|xi_k|^2 <= sigma2. P8 asks the next Lyapunov function
A_{k+1} = f(x_{k+1}) + a1 |z_{k+1} - x_{k+1}|^2 + 2 b1 <z_{k+1} - x_{k+1}, grad f(x_{k+1})> to
have b1 >= 0; here b1 has any sign. With l = 2 b1 (1 - c) and two free weights p, r with

    p >= 0,  p >= l,  r >= 0,  r >= c + l,

put

    K      = (1 - c)^2 a1 + (L c / 2) (2 p + 2 r - 2 l - c),
    A_COEF = a_k = K,     B_COEF = b_k = c/2 + (1 - c) b1 - eta K,
    RHO    = rho_k = 2 eta b_k + eta^2 a_k,     NU = nu_k = eta^2 a_k.

P24 (theorem). For every eta > 0, L > 0, 0 < c <= 1, a1 >= 0 and (p, r) as above,

    E[A_{k+1}] - A_k <= - rho_k |grad f(x_k)|^2 + nu_k sigma2,

with A_k = f(x_k) + a_k |z_k - x_k|^2 + 2 b_k <z_k - x_k, grad f(x_k)>. Nothing is asked of
the sign of rho_k, b_k or of b1: a step that does not descend has rho_k < 0, and the chain of
the calculators (t P24 + (1 - t) P10, as with P8 in P10's Notes) pays for it with the lower
bound of f, so every finite horizon gets a finite bound at every step size.

The smallest K is at p = max(l, 0), r = max(c + l, 0): K = (1 - c)^2 a1 + (L c/2)(|l| + |c + l|).
For b1 >= 0 (l >= 0) that is P8's K, so P24 extends P8 (its region asks in addition
a1 >= 2 L b1^2 and b_k >= 0, which the certificate does not use). At c = 1 (SGD) l = 0 and
K = L/2: the step is SGD's descent inequality at every step size, rho = eta (1 - L eta/2).

P24b (theorem: raising the current coefficients, for any Lyapunov function of this form). For
a > K and any b, A_k(a, b) >= A_k(K, B) - (b - B)^2/(a - K) |grad f(x_k)|^2 (the difference
(a - K)|z - x|^2 + 2 (b - B)<z - x, g> + (b - B)^2/(a - K)|g|^2 is a PSD form: a - K > 0 and
its determinant is 0). So P24 (and P25, P26) hold with the current coefficients (a, b) at
the price (b - B)^2/(a - K) of rate: the calculators' float chains take their rounded
coefficients, exactly as computed, with a > K, and pay that price.

Symbols: eta, c, L, sigma2; a1, b1 (the next step's coefficients); p, r (free weights); in
P24b a, b (the current coefficients) and k, m (the K and B of the step).

Assumptions: f L-smooth (gradient L-Lipschitz; not necessarily convex); E[xi_k | past] = 0,
E|xi_k|^2 <= sigma2; eta > 0, L > 0, 0 < c <= 1, a1 >= 0, p >= 0, p >= 2 b1 (1 - c),
r >= 0, r >= c + 2 b1 (1 - c).

Certificate (by hand: its multipliers are the free weights p, r themselves, which a search
over multipliers does not name): the four quadratic bounds between x_k and x_{k+1}:
upper(x_{k+1}, x_k) with weight p/c and lower(x_{k+1}, x_k) with weight (p - l)/c (together
they cancel grad f(x_{k+1}) against the 2 b1 term), upper(x_k, x_{k+1}) with weight r/c and
lower(x_k, x_{k+1}) with weight (r - c - l)/c (together they bound f(x_{k+1}) by f(x_k)), the
noise variance with weight nu_k; the residual is identically zero.

References:
- A. Defazio, Momentum via Primal Averaging: Theoretical Insights and Learning Rate Schedules for
    Non-Convex Optimization, arXiv:2010.00406 (the SPA form; P8 is the case b1 >= 0).
- A. B. Taylor, J. M. Hendrickx, F. Glineur, Smooth strongly convex interpolation and exact
    worst-case performance of first-order methods, Math. Program. 161 (2017), arXiv:1502.05666
    (the upper and lower quadratic bounds of L-smooth functions).

Notes (not part of the certified statement).

At c = 1 the chain of t P24 + (1 - t) P10 is exact for SGD at every step size: its bound on
(1/n) sum_{k<n} |grad f(x_k)|^2 is 2 L gap (1 - q^n) / (n (1 - q)), q = (1 - L eta)^2, the value
on f = L x^2/2 (so, for L eta >= 2, where no descent lemma exists, the worst case grows like
q^n / n and the bound with it)."""

from lyapunov.proofs import p8_schedule_descent as p8

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

eta, c, L, sigma2, a1, b1, p, r, a, b = params("eta c L sigma2 a1 b1 p r a b")
assert (eta, c, L, a1, b1) == (p8.eta, p8.c, p8.L, p8.a1, p8.b1)  # the same symbols

l = 2 * b1 * (1 - c)  # noqa: E741 - the letter of the statement
K = (1 - c) ** 2 * a1 + L * c / 2 * (2 * p + 2 * r - 2 * l - c)
A_COEF = K
B_COEF = c / 2 + (1 - c) * b1 - eta * K
RHO = 2 * eta * B_COEF + eta**2 * A_COEF
NU = eta**2 * A_COEF
REGION = [
    eta > 0,
    L > 0,
    c > 0,
    c <= 1,
    a1 >= 0,
    p >= 0,
    p >= l,
    r >= 0,
    r >= c + l,
]

step = OneStep(["x", "z"], lambda x, z, g: spa_step(x, z, g, eta, c), sigma2)
smooth = Smooth(L)
CERTIFICATE = {
    smooth.upper(step.x1, step.x): p / c,
    smooth.lower(step.x1, step.x): (p - l) / c,
    smooth.upper(step.x, step.x1): r / c,
    smooth.lower(step.x, step.x1): (r - c - l) / c,
    step.variance(): NU,
}

step_any_sign = DescentLemma(
    name="P24 P8's step for every sign of b1 (free weights p, r): the chain at any step size",
    statement=__doc__,
    step=step,
    region=REGION,
    params=(a1, b1, p, r),
    lyapunov=lambda x, z: f(x) + A_COEF * sqnorm(z - x) + 2 * B_COEF * inner(z - x, x.grad),
    lyapunov_next=lambda x, z: f(x) + a1 * sqnorm(z - x) + 2 * b1 * inner(z - x, x.grad),
    rho=RHO,
    nu=NU,
    certificate=CERTIFICATE,
    function_class=smooth,
    one_step=True,  # a step of a chain: rho may be negative (a step that does not descend)
)

extends_p8 = Identities(
    name="P24a P24 extends P8: at b1 >= 0 and p = l, r = c + l, P24's step is P8's",
    statement=__doc__,
    region=[eta > 0, L > 0, c > 0, c <= 1],
    params=(a1, b1),
    equations=[
        (f"{name} at p = l, r = c + l", mine.subs({p: l, r: c + l}), p8_expr)
        for name, mine, p8_expr in [
            ("A_COEF", A_COEF, p8.A_COEF),
            ("B_COEF", B_COEF, p8.B_COEF),
            ("RHO", RHO, p8.RHO),
            ("NU", NU, p8.NU),
        ]
    ],
)

# P24b: raising the current coefficients of any such Lyapunov function (k, m: its K and B)
k, m = params("k m")
LOSS = (b - m) ** 2 / (a - k)
raising = Inequalities(
    name="P24b raising a > K: A(a, b) >= A(K, B) - (b - B)^2/(a - K) |g|^2 (rounded chains)",
    statement=__doc__,
    region=[a > k],
    params=(b, m),
    claims=[
        ("the form's first diagonal entry: a - K > 0", a - k > 0),
        ("its last: (b - B)^2/(a - K) >= 0 (its determinant is 0)", LOSS >= 0),
    ],
)

theorems = [step_any_sign, extends_p8, raising]
