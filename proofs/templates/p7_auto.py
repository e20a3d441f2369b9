r"""P7, template: the momentum-correlation gain, with the weight a and the certificate left to
`lyapunov prove`.

For every L-smooth f and SPA (0 < c <= 1), every b with 0 <= b <= c (2 - c - L eta)/(2 D),
D = c (2 - c) + 2 L eta (1 - c): there is a such that
A_k = f(x_k) + a |z_k - x_k|^2 + 2 b <z_k - x_k, g_k> satisfies

    E[A_{k+1}] - A_k <= - rho |g_k|^2 - gamma <g_k, x_k - z_k> + nu sigma2,

    gamma = c (1 - 2b) - 2 a eta,
    rho   = c eta (1 - L c eta / 2) + 2 b (1 - c) eta (1 - L c eta) - a (1 - c)^2 eta^2,
    nu    = eta^2 (L c^2 / 2 + a (1 - c)^2 + 2 b L c (1 - c)).
"""

from lyapunov.engine import AUTO, DescentLemma, OneStep, Smooth, f, inner, params, sqnorm, unknowns
from lyapunov.methods import spa_step

eta, c, L, sigma2, b = params("eta c L sigma2 b")
(a,) = unknowns("a")
step = OneStep(["x", "z"], lambda x, z, g: spa_step(x, z, g, eta, c), sigma2)
smooth = Smooth(L)

D = c * (2 - c) + 2 * L * eta * (1 - c)
gamma = c * (1 - 2 * b) - 2 * a * eta

theorem = DescentLemma(
    name="P7 SPA descent lemma with the momentum-correlation gain (synthesized)",
    statement=__doc__,
    step=step,
    region=[
        eta > 0,
        L > 0,
        c > 0,
        c <= 1,
        L * eta <= 2 - c,
        b >= 0,
        2 * b * D <= c * (2 - c - L * eta),
    ],
    lyapunov=lambda x, z: f(x) + a * sqnorm(z - x) + 2 * b * inner(z - x, x.grad),
    rho=c * eta * (1 - L * c * eta / 2)
    + 2 * b * (1 - c) * eta * (1 - L * c * eta)
    - a * (1 - c) ** 2 * eta**2,
    nu=eta**2 * (L * c**2 / 2 + a * (1 - c) ** 2 + 2 * b * L * c * (1 - c)),
    gain=lambda x, z: gamma * inner(x.grad, x - z),
    certificate=AUTO,
    function_class=smooth,
)
