"""Unit level: verdict discipline and each condition of a descent lemma on a small lemma.

* a theorem is certified only when every condition was proved; an unknown or a disagreement
  between solvers is "not proved"; a refutation carries a re-verified point;
* region membership is exact;
* each condition (multipliers, constant term, residual NSD, rho > 0, A_k >= inf f, A_0) fails
  under its own name on a one-line variant of the SGD lemma.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
import sympy as sp

from lyapunov.engine import (
    CERTIFIED,
    NOT_PROVED,
    REFUTED,
    Check,
    DescentLemma,
    OneStep,
    Region,
    Smooth,
    Verdict,
    f,
    inner,
    params,
    sqnorm,
)
from lyapunov.engine.kernel.theorems import Budget
from lyapunov.methods import sgd_step, spa_step

eta, L, sigma2, c = params("eta L sigma2 c")
STEP = OneStep(["x"], lambda x, g: sgd_step(x, g, eta), sigma2)
SMOOTH = Smooth(L)
UPPER = SMOOTH.upper(STEP.x, STEP.x1)
VAR = STEP.variance()


def sgd_lemma(**changes) -> DescentLemma:
    """The SGD descent lemma of the README, with ``changes``."""
    kw = dict(
        name="SGD",
        step=STEP,
        region=[eta > 0, L > 0, L * eta < 2],
        lyapunov=lambda x: f(x),
        rho=eta * (1 - L * eta / 2),
        nu=L * eta**2 / 2,
        certificate={UPPER: 1, VAR: L * eta**2 / 2},
        function_class=SMOOTH,
    )
    kw.update(changes)
    return DescentLemma(**kw)


def _first_failure(th) -> Check:
    v = th.check(timeout=60)
    assert v.status == REFUTED, v.reason
    bad = v.failed
    pt = {s: sp.Rational(bad.counterexample()[s.name]) for s in th.region.symbols}
    assert th.region.contains(pt)
    return bad


# -- verdicts ---------------------------------------------------------------------------------


def _agg(*statuses) -> Verdict:
    checks = [Check(f"c{i}", s, point={"x": Fraction(1)}) for i, s in enumerate(statuses)]
    return Verdict.aggregate("t", "x > 0", checks, 0.0)


def test_aggregate_needs_every_condition_proved():
    assert _agg("proved", "proved").status == CERTIFIED
    assert _agg("proved", "unknown").status == NOT_PROVED
    assert _agg("unknown", "proved").status == NOT_PROVED
    assert _agg().status == NOT_PROVED  # nothing checked: nothing certified
    assert _agg("proved", "refuted").status == REFUTED
    v = _agg("proved", "unknown")
    assert v.reason.startswith("c1: unknown")
    assert " at x=" not in v.reason  # a point is shown only for a re-verified refutation
    assert v.counterexample() is None


def test_aggregate_disagreement_is_not_proved():
    v = _agg("proved", "error", "refuted")
    assert v.status == NOT_PROVED
    assert v.failed.label == "c1" and v.reason.startswith("c1: error")
    assert _agg("error").status == NOT_PROVED


def test_region_membership_is_exact():
    R = Region.of([eta > 0, L > 0, L * eta < 2])
    assert R.contains({eta: sp.Rational(1, 2), L: sp.Integer(1)})
    assert not R.contains({eta: sp.Integer(2), L: sp.Integer(1)})  # boundary: strict
    assert not R.contains({eta: sp.Rational(1, 2)})  # L missing: undecided is not inside
    assert not R.contains({eta: sp.Rational(1, 2), L: sp.Integer(4)})


# -- the conditions of a descent lemma, one at a time -----------------------------------------


def test_sgd_lemma_and_slack_certified():
    assert sgd_lemma().check().status == CERTIFIED
    # half the rate: the residual is -(rho/2)|g|^2, strictly negative definite
    assert sgd_lemma(rho=eta * (1 - L * eta / 2) / 2).check().status == CERTIFIED
    assert sgd_lemma(nu=L * eta**2).check().status == CERTIFIED  # more noise allowed


def test_negative_multiplier_refuted():
    bad = _first_failure(sgd_lemma(certificate={UPPER: 1, VAR: -(L * eta**2) / 2}))
    assert bad.label == "multiplier of variance(xi) >= 0"


def test_constant_term_condition():
    bad = _first_failure(sgd_lemma(nu=L * eta**2 / 4))
    assert bad.label == "constant term <= 0"


def test_residual_condition():
    bad = _first_failure(sgd_lemma(rho=eta))
    assert bad.label == "residual quadratic form <= 0 (NSD)"
    assert "residual = +" in bad.detail and "> 0 at g(x) = " in bad.detail


def test_rate_positive_is_strict():
    bad = _first_failure(sgd_lemma(region=[eta > 0, L > 0, L * eta <= 2]))
    assert bad.label == "rho > 0"
    assert sp.Rational(bad.point["L"]) * sp.Rational(bad.point["eta"]) == 2


def test_function_values_cancel_condition():
    bad = _first_failure(sgd_lemma(certificate={UPPER: 2, VAR: L * eta**2}))
    assert bad.label == "f(x) cancels"


# -- A_k >= inf f and A_0 = f(x_0) ------------------------------------------------------------


def _lower(th) -> dict[str, Check]:
    return {c.label.split(" (")[0]: c for c in th._lower_bound_checks(Budget(60))}


def test_weights_sum_and_initial_value():
    two = sgd_lemma(
        lyapunov=lambda x: 2 * f(x),
        rho=2 * eta * (1 - L * eta / 2),
        nu=L * eta**2,
        certificate={UPPER: 2, VAR: L * eta**2},
    )
    checks = _lower(two)
    assert checks["A_k >= inf f: function-value weights sum to 1"].status == "refuted"
    assert checks["A_0 = f(x_0) when z_0 = x_0"].status == "refuted"
    assert _first_failure(two).label == "A_k >= inf f: function-value weights sum to 1"
    checks = _lower(sgd_lemma())
    assert all(c.status == "proved" for c in checks.values())


SPA_STEP = OneStep(["x", "z"], lambda x, z, g: spa_step(x, z, g, eta, c), sigma2)


def spa_lemma(lyapunov) -> DescentLemma:
    """Only for its A_k >= inf f checks (its descent certificate is not the point here)."""
    return DescentLemma(
        name="SPA",
        step=SPA_STEP,
        region=[eta > 0, L > 0, c > 0, c <= 1],
        lyapunov=lyapunov,
        rho=eta,
        nu=0,
        certificate={SMOOTH.upper(SPA_STEP.x, SPA_STEP.x1): 1},
        function_class=SMOOTH,
    )


def test_negative_lyapunov_weight():
    checks = _lower(spa_lemma(lambda x, z: 2 * f(x) - f(z)))
    assert checks["A_k >= inf f: function-value weights sum to 1"].status == "proved"
    assert checks["A_k >= inf f: weight of f(z) >= 0"].status == "refuted"
    assert checks["A_k >= inf f: weight of f(x) >= 0"].status == "proved"


def test_gradient_credit_is_one_over_two_l():
    """A = f(x) + L|z - x|^2 + 2t<z - x, g(x)> >= inf f needs t^2 <= 1/2 (from f >= inf f +
    |g|^2/(2L)): proved at t = 7/10, refuted at t = 9/10."""
    for t, status in ((sp.Rational(7, 10), "proved"), (sp.Rational(9, 10), "refuted")):
        A = spa_lemma(lambda x, z, t=t: f(x) + L * sqnorm(z - x) + 2 * t * inner(z - x, x.grad))
        assert _lower(A)["A_k >= inf f: quadratic part PSD"].status == status


def test_lower_bound_without_function_class():
    A = spa_lemma(lambda x, z: f(x) + L * sqnorm(z - x) + inner(z - x, x.grad))
    A.function_class = None  # no |g|^2/(2L) credit: the cross term makes A unbounded below
    assert _lower(A)["A_k >= inf f: quadratic part PSD"].status == "refuted"


@pytest.mark.parametrize("const,status", [(1, "refuted"), (0, "proved")])
def test_initial_value_condition(const, status):
    th = sgd_lemma(lyapunov=lambda x: f(x) + const)
    assert _lower(th)["A_0 = f(x_0) when z_0 = x_0"].status == status


# -- identities and inequalities ------------------------------------------------------------


def test_false_identity_coefficient():
    from lyapunov.engine import Identities, vectors

    (v,) = vectors("v")
    ok = Identities(
        name="id",
        region=[eta > 0],
        equations=[("square", (eta + 1) ** 2, eta**2 + 2 * eta + 1), ("vec", eta * v, v * eta)],
    )
    assert ok.check().status == CERTIFIED
    bad = Identities(
        name="id",
        region=[eta > 0],
        equations=[("vec", (eta + 1) * v, eta * v + v), ("square", (eta + 1) ** 2, eta**2 + 1)],
    )
    assert _first_failure(bad).label == "square"


def test_strict_claim_unit():
    from lyapunov.engine import Inequalities

    rho = eta * (1 - L * eta / 2)
    closed = [eta > 0, L > 0, L * eta <= 2]
    bad = Inequalities(name="rho", region=closed, claims=[("rho > 0", rho > 0)])
    assert _first_failure(bad).label == "rho > 0"
    ok = Inequalities(name="rho", region=closed, claims=[("rho >= 0", rho >= 0)])
    assert ok.check().status == CERTIFIED


def test_loader_accepts_only_theorems(tmp_path):
    from lyapunov.loader import ProofFileError, load_file

    path = tmp_path / "fake.py"
    path.write_text("theorem = 42\n")
    with pytest.raises(ProofFileError, match="not a lyapunov Theorem"):
        load_file(path)


def test_empty_region_is_malformed():
    from lyapunov.engine import Inequalities, MalformedError

    with pytest.raises(MalformedError, match="region is empty"):
        sgd_lemma(region=[eta > 0, L > 0, L * eta < 2, eta < 0]).check()
    empty = Inequalities(name="e", region=[eta > 1, eta < 1], claims=[("eta > 5", eta > 5)])
    with pytest.raises(MalformedError, match="region is empty"):
        empty.check()  # a false claim: vacuously "true" on the empty region, never certified


# -- the facts and the expectation ------------------------------------------------------------


def test_smoothness_facts_hold_on_a_quadratic():
    """The facts are true: on f = L|x|^2/2 (curvature exactly L) upper(x, x1) is <= 0, and 0
    at every point (tight), so a weaker constant than L/2 would show as a positive value."""
    import numpy as np
    from support.instances import SmoothInstance, expected_claim

    th = sgd_lemma()
    inst = SmoothInstance("quadratic", 1.0, lambda x: 0.5 * x @ x, lambda x: x)
    rng = np.random.default_rng(0)
    fact = next(k for k in th.certificate if k.name == "upper(x,x1)")
    for _ in range(20):
        x = rng.standard_normal(3)
        val = expected_claim(
            th, {L: 1.0, eta: float(rng.uniform(0.1, 1.9))}, inst, {"x": x}, 0 * x, fact.form
        )
        assert abs(val) < 1e-9


def test_expectation_keeps_the_noise_variance():
    """E<xi, v> = 0 for v known before the step, but E|xi|^2 = sigma2 stays (it is the noise
    the variance fact pays for)."""
    from lyapunov.engine import Form, vectors

    xi, v = STEP.xi, vectors("v")[0]
    form = Form.lift(sqnorm(xi) + 2 * inner(xi, v) + sqnorm(v))
    dropped = form.drop_cross([xi], [v])
    assert dropped.basis() and set(dropped.basis()) == {xi, v}
    assert sp.cancel(dropped.matrix([xi, v])[0, 0]) == 1  # |xi|^2 kept
    assert dropped.matrix([xi, v])[0, 1] == 0  # <xi, v> dropped
    # the residual of the SGD lemma keeps its |xi|^2 term: with nu = 0 it is refuted
    bad = _first_failure(sgd_lemma(nu=0, certificate={UPPER: 1}))
    assert bad.label == "residual quadratic form <= 0 (NSD)"
