"""Certificate search finds multipliers numerically; only the exact check accepts them."""

import pytest
import sympy as sp

pytest.importorskip("cvxpy")

from proofutil import load  # noqa: E402

from lyapunov.engine import DescentLemma, f  # noqa: E402
from lyapunov.engine.search.search import check_at, rationalize, search  # noqa: E402


def _setup():
    th, ns = load("p3_sgd_descent")
    step, smooth, eta, L = ns["step"], ns["smooth"], ns["eta"], ns["L"]
    facts = [
        smooth.upper(step.x, step.x1),
        smooth.lower(step.x, step.x1),
        smooth.interp(step.x, step.x1),
        smooth.interp(step.x1, step.x),
        step.variance(),
    ]
    return th, step, eta, L, facts


@pytest.mark.parametrize("eta_val", [sp.Rational(1, 10), sp.Rational(1, 2), sp.Rational(3, 2)])
def test_search_recovers_sgd_rate(eta_val):
    th, step, eta, L, facts = _setup()
    rho = sp.Symbol("rho")
    res = search(
        step,
        lambda x: f(x),
        rho,
        L * eta**2 / 2,
        facts,
        {eta: eta_val, L: 1},
        unknowns=[rho],
        maximize=rho,
    )
    assert res.status == "optimal"
    assert res.objective == pytest.approx(float(eta_val * (1 - eta_val / 2)), abs=1e-6)


def test_rationalized_certificate_checked_exactly_at_point():
    th, step, eta, L, facts = _setup()
    rho = sp.Symbol("rho")
    pt = {eta: sp.Rational(1, 2), L: sp.Integer(1)}
    res = search(step, lambda x: f(x), rho, L * eta**2 / 2, facts, pt, unknowns=[rho], maximize=rho)
    cert = {fact: rationalize(v, 1000) for fact, v in res.multipliers.items()}
    rho_q = rationalize(res.objective, 1000)

    def build(rho_val):
        return lambda region: DescentLemma(
            name="found",
            step=step,
            region=region,
            lyapunov=lambda x: f(x),
            rho=rho_val,
            nu=L * eta**2 / 2,
            certificate=cert,
        )

    assert check_at(build(rho_q), pt).status == "certified"
    # a rate beyond the optimum is never accepted, whatever the float search said
    assert check_at(build(rho_q + sp.Rational(1, 1000)), pt).status != "certified"
