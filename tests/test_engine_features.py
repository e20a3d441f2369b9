"""Engine features used by conditional and time-varying theorems."""

import pytest
import sympy as sp

from lyapunov.engine import (
    DescentLemma,
    Inequalities,
    MalformedError,
    OneStep,
    Smooth,
    assumption,
    f,
    inner,
    params,
    sqnorm,
)
from lyapunov.methods import sgd_step, spa_step


def test_inequalities_proved_and_refuted():
    eta, L = params("eta L")
    ok = Inequalities(
        name="ok",
        region=[eta > 0, L > 0, L * eta <= 1],
        claims=[("rate positive", eta * (1 - L * eta / 2) > 0)],
    )
    assert ok.check().status == "certified"
    bad = Inequalities(
        name="bad",
        region=[eta > 0, L > 0, L * eta <= 1],
        claims=[("too strong", eta * (1 - L * eta / 2) >= eta * 3 / 4)],
    )
    v = bad.check()
    assert v.status == "refuted"
    pt = {k: sp.Rational(x) for k, x in v.counterexample()["point"].items()}
    assert pt["eta"] * (1 - pt["L"] * pt["eta"] / 2) < pt["eta"] * 3 / 4
    with pytest.raises(MalformedError):
        Inequalities(name="x", region=[eta > 0], claims=[("no relation", eta)])


def _spa_b0(eta, c, L, sigma2):
    """A = f(x) + a|z-x|^2 with the cross term c<g, z-x> moved to a 'gain'."""
    step = OneStep(["x", "z"], lambda x, z, g: spa_step(x, z, g, eta, c), sigma2)
    return step, Smooth(L)


def test_gain_and_assumption():
    """SPA with A = f(x): the upper bound between x and x1 gives exactly

        E f(x1) - f(x) <= -rho |g|^2 + c (1 - L c eta) <g, z - x> + (L c^2/2) |z - x|^2 + nu sigma2

    with rho = c eta (1 - L c eta/2), nu = L c^2 eta^2/2. Kept as a gain it is certified; the
    correlation term may instead be dropped under the hypothesis <g, x - z> >= 0.
    """
    eta, c, L, sigma2 = params("eta c L sigma2")
    step, smooth = _spa_b0(eta, c, L, sigma2)
    x, z = step.x, step.z
    region = [eta > 0, c > 0, c <= 1, L > 0, L * c * eta <= 1]
    rho = c * eta * (1 - L * c * eta / 2)
    nu = L * c**2 * eta**2 / 2
    base = dict(name="t", step=step, region=region, lyapunov=lambda x, z: f(x), rho=rho, nu=nu)
    cert = {smooth.upper(x, step.x1): 1, step.variance(): nu}

    def full(x, z):
        return c * (1 - L * c * eta) * inner(x.grad, x - z) - L * c**2 / 2 * sqnorm(z - x)

    def partial(x, z):
        return -L * c**2 / 2 * sqnorm(z - x)

    assert DescentLemma(**base, certificate=cert, gain=full).check().status == "certified"
    assert DescentLemma(**base, certificate=cert, gain=partial).check().status == "refuted"
    hyp = assumption("<grad f(x), x - z> >= 0", -1 * inner(x.grad, x - z))
    cond = DescentLemma(**base, certificate={**cert, hyp: c * (1 - L * c * eta)}, gain=partial)
    assert cond.check().status == "certified"
    assert hyp.name.startswith("assume:")
    # the hypothesis used with a negative multiplier is caught
    wrong = DescentLemma(**base, certificate={**cert, hyp: -c}, gain=partial)
    assert wrong.check().status == "refuted"


def test_time_varying_lyapunov_next():
    """SGD with A_k = f(x_k) / w_k is NOT a descent lemma unless the weights are compatible."""
    eta, L, sigma2, w0, w1 = params("eta L sigma2 w0 w1")
    step = OneStep(["x"], lambda x, g: sgd_step(x, g, eta), sigma2)
    smooth = Smooth(L)
    common = dict(
        name="tv",
        step=step,
        lyapunov=lambda x: f(x),
        rho=eta * (1 - L * eta / 2),
        nu=L * eta**2 / 2,
        certificate={smooth.upper(step.x, step.x1): 1, step.variance(): L * eta**2 / 2},
    )
    ok = DescentLemma(
        **common,
        region=[eta > 0, L > 0, L * eta < 2],
        lyapunov_next=lambda x: f(x) + 0 * sqnorm(x.grad),
    )
    assert ok.check().status == "certified"
    bad = DescentLemma(
        **common,
        region=[eta > 0, L > 0, L * eta < 2, w1 > 0],
        lyapunov_next=lambda x: f(x) + w1 * sqnorm(x.grad),
    )
    assert bad.check().status == "refuted"


def test_assumption_validation():
    (a,) = params("a")
    with pytest.raises(TypeError):
        assumption("x", a)
