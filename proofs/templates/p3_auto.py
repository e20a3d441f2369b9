r"""P3, template: SGD's descent lemma with the certificate left to `lyapunov prove`.

For every L-smooth f, x_{k+1} = x_k - eta (grad f(x_k) + xi_k), 0 < L eta < 2:

    E f(x_{k+1}) <= f(x_k) - eta (1 - L eta / 2) |grad f(x_k)|^2 + (L eta^2 / 2) sigma2.
"""

from lyapunov.engine import AUTO, DescentLemma, OneStep, Smooth, f, params
from lyapunov.methods import sgd_step

eta, L, sigma2 = params("eta L sigma2")
step = OneStep(["x"], lambda x, g: sgd_step(x, g, eta), sigma2)
smooth = Smooth(L)

theorem = DescentLemma(
    name="P3 SGD descent lemma (synthesized)",
    statement=__doc__,
    step=step,
    region=[eta > 0, L > 0, L * eta < 2],
    lyapunov=lambda x: f(x),
    rho=eta * (1 - L * eta / 2),
    nu=L * eta**2 / 2,
    certificate=AUTO,
    function_class=smooth,
)
