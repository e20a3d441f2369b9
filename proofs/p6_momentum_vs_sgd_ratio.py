r"""P6. How much worse can SGD+M's certified rate be than SGD's? (claim C3)

Write G = (f(x_0) - inf f)/n, kappa = L eta (1 - c)/c, and the certified rates
(P3, P4; imported from those files, not retyped)

    B_SGD(eta)    = G/rho_3 + nu_3 sigma2/rho_3 = 2G/(eta(2 - L eta)) + L eta sigma2/(2 - L eta),
    B_SPA(eta, c) = G / rho_4 + nu_4 sigma2 / rho_4,
    F(eta, c, L)  = rho_3 / rho_4 = D (2 - L eta) / (c (4 - 2c - c L eta)),
    D = c (2 - c) + 2 L eta (1 - c).

Theorem (P6a; 0 < c <= 1, L eta <= 2 - c, sigma2 >= 0). The bias terms are in ratio exactly F,
the noise term of SGD+M is at most SGD's (nu_4/rho_4 <= nu_3/rho_3), hence

    B_SPA(eta, c) <= F B_SGD(eta),      1 <= F <= 1 + kappa.

Theorem (P6b). If kappa <= t = 239/577 (= 0.414211..., just below sqrt(2) - 1 = 0.414214...),
then F^2 <= 2. The constant cannot be raised to sqrt(2) - 1 + epsilon: F -> 1 + kappa as c -> 0
at fixed kappa (a test refutes t = 29/70 with a counterexample).

Theorem (P6c; SGD's best step). dB_SGD/deta = 2 q(eta) / (eta^2 (2 - L eta)^2) with
q(eta) = L sigma2 eta^2 + 2 G L eta - 2 G, increasing on eta > 0, and q(1/L) >= 0: B_SGD is
minimised at the unique root eta* <= 1/L <= (2 - c)/L of q (inside P4's region). Hence, for any
eta_t > 0, eta* <= eta_t iff q(eta_t) >= 0.

Corollary (C3 as certified here). For momentum beta = 1 - c, put eta_t = t c / (L (1 - c)).
If q(eta_t) >= 0, i.e.

    n >= 2 L (f(x_0) - inf f) (1 - v) / (sigma2 v^2),   v = t c / (1 - c),

then kappa(eta*) <= t and min_eta B_SPA(eta, c) <= B_SPA(eta*, c) <= F(eta*) B_SGD(eta*)
<= sqrt(2) min_eta B_SGD(eta). In general min_eta B_SPA <= (1 + kappa(eta*)) min_eta B_SGD.
Thresholds: beta = 0.5: n >= 6.8 L gap/sigma2; beta = 0.9: n >= 901 L gap/sigma2; beta = 0.99:
n >= 1.14e5 L gap/sigma2.

Theorem (P6d; deterministic, sigma2 = 0). min_eta B_SGD = 2 L G (at eta = 1/L), and for every
eta in P4's region B_SPA(eta, c) >= 2 L G / (c (2 - c)), with equality at L eta = 2 - c: the ratio
of the best certified deterministic rates is exactly 1/(c(2 - c)) = 1/(1 - beta^2), unbounded as
c -> 0, and > sqrt(2) as soon as c <= 9/20 (beta >= 0.55): beta = 0.9 gives 5.26, beta = 0.99
gives 50.3. This is not slack of the proof: on f(x) = L x^2/2, P4 holds with equality (see P5),
so sum_k |grad f(x_k)|^2 -> gap/rho_4, the warm-up of the momentum buffer really costs
~ L gap/c. So no universal sqrt(2) holds; sqrt(2) (indeed 1 + kappa) holds once the noise
dominates (s = sigma2 n / (L gap) large), and the ratio tends to 1.

Numbers (min over eta of the certified bounds, numerically; eta in P4's region for SPA):
ratio min B_SPA / min B_SGD, and the certified upper bound F(eta*), for s = sigma2 n/(L gap):

    s        beta=0.5          beta=0.9          beta=0.99
    0        1.333 (1.400)     5.263 (5.378)     50.25 (50.38)
    10       1.119 (1.290)     2.527 (3.641)     18.64 (30.11)
    100      1.044 (1.123)     1.562 (2.108)     7.490 (13.19)
    1e3      1.015 (1.043)     1.186 (1.385)     3.154 (5.235)
    1e4      1.005 (1.014)     1.060 (1.126)     1.692 (2.380)
    1e5      1.002 (1.005)     1.019 (1.040)     1.220 (1.441)

Against the paper's "about sqrt(2)": tighter once kappa(eta*) <= 0.414 (the noisy regime, where
the certified factor tends to 1), not true in general (deterministic or little noise with heavy
momentum, where the certified ratio is 1/(1 - beta^2)).

Assumptions: those of P3 and P4 (whose certified rates are compared); the regions stated in each
part.

Proof: inequalities and identities between rational functions of the parameters, decided
exactly over each region (the Inequalities below).

References:
- A. Defazio, Momentum via Primal Averaging: Theoretical Insights and Learning Rate Schedules for
    Non-Convex Optimization, arXiv:2010.00406
    (claim C3: at most about sqrt 2 without the assumption).
"""

import sympy as sp
from lyapunov.proofs import p3_sgd_descent, p4_spa_descent

from lyapunov.engine import Inequalities, params

eta, c, L, sigma2, gap, n = params("eta c L sigma2 gap n")
rho3, nu3 = p3_sgd_descent.theorem.rho, p3_sgd_descent.theorem.nu
rho4, nu4 = p4_spa_descent.theorem.rho, p4_spa_descent.theorem.nu
B_SGD = p3_sgd_descent.theorem.rate(gap, n)
B_SPA = p4_spa_descent.theorem.rate(gap, n)

D = c * (2 - c) + 2 * L * eta * (1 - c)
F = D * (2 - L * eta) / (c * (4 - 2 * c - c * L * eta))
kappa = L * eta * (1 - c) / c
t = sp.Rational(239, 577)  # 816/577 < sqrt(2): t < sqrt(2) - 1
q = L * sigma2 * eta**2 + 2 * (gap / n) * L * eta - 2 * gap / n  # sign of dB_SGD/deta

base = [eta > 0, L > 0, c > 0, c <= 1, L * eta <= 2 - c, sigma2 >= 0, gap > 0, n > 0]

ratio = Inequalities(
    name="P6a SGD+M bound <= F * SGD bound, 1 <= F <= 1 + kappa",
    statement=__doc__,
    region=base,
    claims=[
        ("bias ratio rho_3/rho_4 == F", sp.Eq(rho3 / rho4, F, evaluate=False)),
        ("noise: nu_4/rho_4 <= nu_3/rho_3", nu4 / rho4 <= nu3 / rho3),
        ("F >= 1", F >= 1),
        ("B_SPA <= F B_SGD", B_SPA <= F * B_SGD),
        ("F <= 1 + kappa", 1 + kappa >= F),
    ],
)

sqrt2 = Inequalities(
    name="P6b kappa <= 239/577 implies F <= 1 + t <= sqrt(2)",
    statement=__doc__,
    region=[eta > 0, L > 0, c > 0, c <= 1, L * eta <= 2 - c, L * eta * (1 - c) <= t * c],
    claims=[
        ("F <= 1 + t", 1 + t >= F),
        ("(1 + t)^2 <= 2 (so F^2 <= 2, as F >= 1)", sp.Le((1 + t) ** 2, 2, evaluate=False)),
    ],
)

sgd_step = Inequalities(
    name="P6c SGD's best step: sign of dB_SGD/deta is the sign of q, root below 1/L",
    statement=__doc__,
    region=[eta > 0, L > 0, L * eta < 2, sigma2 >= 0, gap > 0, n > 0],
    claims=[
        (
            "dB_SGD/deta == 2 q / (eta^2 (2 - L eta)^2)",
            sp.Eq(sp.diff(B_SGD, eta), 2 * q / (eta**2 * (2 - L * eta) ** 2), evaluate=False),
        ),
        ("q increasing: dq/deta > 0", sp.diff(q, eta) > 0),
        ("q(1/L) >= 0", q.subs(eta, 1 / L) >= 0),
    ],
)

_bias_sgd = gap / (n * rho3)
_bias_spa = gap / (n * rho4)
deterministic = Inequalities(
    name="P6d deterministic: best SGD+M / best SGD certified rate = 1/(c(2-c))",
    statement=__doc__,
    region=[eta > 0, L > 0, c > 0, c <= 1, L * eta <= 2 - c, gap > 0, n > 0],
    claims=[
        ("SGD bias >= 2 L gap/n", _bias_sgd >= 2 * L * gap / n),
        (
            "SGD bias == 2 L gap/n at eta = 1/L",
            sp.Eq(_bias_sgd.subs(eta, 1 / L), 2 * L * gap / n, evaluate=False),
        ),
        ("SPA bias >= 2 L gap/(n c (2-c))", _bias_spa >= 2 * L * gap / (n * c * (2 - c))),
        (
            "SPA bias == 2 L gap/(n c (2-c)) at L eta = 2 - c",
            sp.Eq(
                _bias_spa.subs(eta, (2 - c) / L), 2 * L * gap / (n * c * (2 - c)), evaluate=False
            ),
        ),
    ],
)

heavy = Inequalities(
    name="P6d' with beta >= 0.55 the deterministic ratio exceeds sqrt(2)",
    statement=__doc__,
    region=[c > 0, c <= sp.Rational(9, 20)],
    claims=[("(1/(c(2-c)))^2 > 2", (1 / (c * (2 - c))) ** 2 > 2)],
)

theorems = [ratio, sqrt2, sgd_step, deterministic, heavy]
