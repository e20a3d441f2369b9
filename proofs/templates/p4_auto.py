r"""P4, template: SPA's descent lemma with the Lyapunov weights a, b and the certificate left
to `lyapunov prove`.

For every L-smooth f, SPA z_{k+1} = z_k - eta (grad f(x_k) + xi_k),
x_{k+1} = (1 - c) x_k + c z_{k+1}, and D = c (2 - c) + 2 L eta (1 - c): there are a, b such
that A_k = f(x_k) + a |z_k - x_k|^2 + 2 b <z_k - x_k, grad f(x_k)> satisfies

    E[A_{k+1}] - A_k <= - rho |grad f(x_k)|^2 + nu sigma2,
    rho = c eta (4 - 2c - c L eta) / (2 D),   nu = L c (2 - c) eta^2 / (2 D),

for eta > 0, L > 0, 0 < c <= 1, (1 - c)(2 - c - L eta) >= 0 and c L eta < 4 - 2c.
"""

from lyapunov.engine import AUTO, DescentLemma, OneStep, Smooth, f, inner, params, sqnorm, unknowns
from lyapunov.methods import spa_step

eta, c, L, sigma2 = params("eta c L sigma2")
a, b = unknowns("a b")
step = OneStep(["x", "z"], lambda x, z, g: spa_step(x, z, g, eta, c), sigma2)
smooth = Smooth(L)

D = c * (2 - c) + 2 * L * eta * (1 - c)

theorem = DescentLemma(
    name="P4 SPA descent lemma (synthesized)",
    statement=__doc__,
    step=step,
    region=[
        eta > 0,
        L > 0,
        c > 0,
        c <= 1,
        (1 - c) * (2 - c - L * eta) >= 0,
        c * L * eta < 4 - 2 * c,
    ],
    lyapunov=lambda x, z: f(x) + a * sqnorm(z - x) + 2 * b * inner(z - x, x.grad),
    rho=c * eta * (4 - 2 * c - c * L * eta) / (2 * D),
    nu=L * c * (2 - c) * eta**2 / (2 * D),
    certificate=AUTO,
    function_class=smooth,
)
