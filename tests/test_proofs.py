"""Every shipped theorem certifies; wrong variants of them are rejected."""

from __future__ import annotations

import pytest
import sympy as sp
from proofutil import PROOFS, load
from support.mutants import descent_mutants

from lyapunov.engine import CERTIFIED, DescentLemma, MalformedError
from lyapunov.loader import load_file, proof_files

SHIPPED = [(p.stem, i) for p in proof_files([PROOFS]) for i, _ in enumerate(load_file(p))]


@pytest.mark.parametrize("stem,index", SHIPPED)
def test_shipped_theorem_is_certified(stem, index):
    th = load_file(PROOFS / f"{stem}.py")[index].theorem
    v = th.check(timeout=300)
    assert v.status == CERTIFIED, v.reason
    assert all(c.status == "proved" for c in v.checks)


def _rejected(th):
    v = th.check(timeout=120)
    assert v.status != CERTIFIED
    return v


DESCENT = [
    s for s in SHIPPED if isinstance(load_file(PROOFS / f"{s[0]}.py")[s[1]].theorem, DescentLemma)
]


@pytest.mark.parametrize("stem,index", DESCENT)
def test_descent_mutants_all_rejected(stem, index):
    th = load_file(PROOFS / f"{stem}.py")[index].theorem
    mutants = list(descent_mutants(th))
    # a one-fact lemma without noise (P10) has only two: rate up, multiplier negated
    assert len(mutants) >= (6 if len(th.certificate) > 1 else 2)
    for desc, m in mutants:
        v = m.check(timeout=120)
        # refuted, at an exact point of the region (re-verified here), not merely "not proved"
        assert v.status == "refuted", (desc, v.reason)
        point = v.counterexample().get("point")
        if point is not None:  # None only for a structural condition such as A_0 = f(x_0)
            assert m.region.contains({s: sp.Rational(point[s.name]) for s in m.region.symbols})


def test_p4_region_too_large_refuted():
    th, ns = load("p4_spa_descent")
    eta, c, L = ns["eta"], ns["c"], ns["L"]
    wide = th.replace(region=[eta > 0, L > 0, c > 0, c <= 1, c * L * eta < 4 - 2 * c])
    v = _rejected(wide)
    assert v.status == "refuted"
    ce = v.counterexample()
    assert "multiplier of upper" in ce["condition"]
    pt = {k: sp.Rational(x) for k, x in ce["point"].items()}
    assert pt["c"] < 1 and pt["L"] * pt["eta"] > 2 - pt["c"]


def test_p4_rate_and_noise_mutants_refuted_at_points_of_region():
    th, ns = load("p4_spa_descent")
    for m in (
        th.replace(rho=th.rho * sp.Rational(1001, 1000)),
        th.replace(nu=th.nu * sp.Rational(999, 1000)),
    ):
        v = _rejected(m)
        assert v.status == "refuted"
        pt = {s: sp.Rational(v.counterexample()["point"][s.name]) for s in th.region.symbols}
        assert th.region.contains(pt)


def test_p4_lyapunov_must_stay_above_inf_f():
    """Without the function-class lower bound, the cross term makes A_k >= inf f unprovable."""
    th, _ = load("p4_spa_descent")
    v = _rejected(th.replace(function_class=None))
    assert "A_k >= inf f" in v.failed.label


def test_p4_at_c_one_is_the_sgd_lemma():
    th4, ns4 = load("p4_spa_descent")
    th3, ns3 = load("p3_sgd_descent")
    c = ns4["c"]
    sub = {ns4["eta"]: ns3["eta"], ns4["L"]: ns3["L"], c: 1}
    assert sp.simplify(th4.rho.subs(sub) - th3.rho) == 0
    assert sp.simplify(th4.nu.subs(sub) - th3.nu) == 0


def test_p3_rate_too_big_refuted_with_counterexample():
    th, _ = load("p3_sgd_descent")
    v = _rejected(th.replace(rho=th.rho * sp.Rational(101, 100)))
    assert v.status == "refuted"
    ce = v.counterexample()
    assert ce["condition"].startswith("residual quadratic form")
    assert set(ce["point"]) >= {"eta", "L"}


def test_p3_noise_too_small_refuted():
    th, ns = load("p3_sgd_descent")
    v = _rejected(th.replace(nu=ns["L"] * ns["eta"] ** 2 / 3))
    assert v.status == "refuted"


def test_p3_region_too_large_refuted():
    th, ns = load("p3_sgd_descent")
    eta, L = ns["eta"], ns["L"]
    v = _rejected(th.replace(region=[eta > 0, L > 0, L * eta < 3]))
    assert v.status == "refuted"
    assert "rho > 0" in v.counterexample()["condition"]
    pt = v.counterexample()["point"]
    assert sp.Rational(pt["L"]) * sp.Rational(pt["eta"]) >= 2


def test_p3_wrong_point_refuted():
    th, ns = load("p3_sgd_descent")
    step, smooth, L, eta = ns["step"], ns["smooth"], ns["L"], ns["eta"]
    wrong = {smooth.upper(step.x1, step.x): 1, step.variance(): L * eta**2 / 2}
    v = _rejected(th.replace(certificate=wrong))
    assert v.status == "refuted"
    assert "cancels" in v.counterexample()["condition"]


def test_p1_wrong_momentum_refuted():
    th, ns = load("p1_spa_equivalence")
    from lyapunov.engine import Identities
    from lyapunov.methods import heavy_ball_step, spa_step

    eta, c, x, x_prev, g = ns["eta"], ns["c"], ns["x"], ns["x_prev"], ns["g"]
    z = x + (1 - c) / c * (x - x_prev)
    x1, _ = spa_step(x, z, g, eta, c)
    wrong, _ = heavy_ball_step(x, x_prev, g, c * eta, 1 - c / 2)
    bad = Identities(name="bad", region=[eta > 0, c > 0, c <= 1], equations=[("x1", x1, wrong)])
    v = bad.check()
    assert v.status == "refuted"
    pt = {k: sp.Rational(q) for k, q in v.counterexample()["point"].items()}
    assert pt["c"] != 0


def test_identity_denominator_must_be_defined():
    _, ns = load("p1_spa_equivalence")
    from lyapunov.engine import Identities

    eta, c, x = ns["eta"], ns["c"], ns["x"]
    bad = Identities(
        name="c may be 0",
        region=[eta > 0, c >= 0, c <= 1],
        equations=[("div", x * (c + c**2) / (c * (1 + c)), x)],
    )
    assert bad.check().status == "refuted"


def test_empty_region_is_malformed():
    th, ns = load("p3_sgd_descent")
    eta, L = ns["eta"], ns["L"]
    with pytest.raises(MalformedError, match="empty"):
        th.replace(region=[eta > 1, eta < 1, L > 0]).check()


def test_float_multiplier_is_malformed():
    th, ns = load("p3_sgd_descent")
    cert = dict(th.certificate)
    fact = next(iter(cert))
    cert[fact] = 1.0
    with pytest.raises(MalformedError, match="float"):
        th.replace(certificate=cert)


def test_undeclared_symbol_is_malformed():
    th, _ = load("p3_sgd_descent")
    with pytest.raises(MalformedError, match="undeclared") as err:
        th.replace(rho=th.rho * sp.Symbol("mystery"))
    # the message names the bad symbol and what is allowed there (the region's symbols)
    msg = str(err.value)
    assert "mystery" in msg and "allowed here: " in msg
    assert all(str(s) in msg.split("allowed here: ")[1] for s in th.region.symbols)


def test_descent_lemma_rejects_non_fact_keys():
    th, _ = load("p3_sgd_descent")
    with pytest.raises(MalformedError, match="not a fact"):
        th.replace(certificate={"upper": 1})
    assert isinstance(th, DescentLemma)
