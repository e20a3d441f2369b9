import importlib
from fractions import Fraction

import pytest
import sympy as sp

from lyapunov.engine import MalformedError, Region, find_point, params
from lyapunov.engine.kernel.decide import decide

eta, c, L = params("eta c L")
R = Region.of([eta > 0, c > 0, c <= 1, L > 0, L * eta <= 1])


def _point(dec):
    return {
        s: sp.Rational(dec.point[s.name].numerator, dec.point[s.name].denominator)
        for s in R.symbols
    }


def test_true_condition_is_proved():
    assert decide(eta * (1 - L * eta / 2), ">", R).status == "proved"
    assert decide(1 - c * (1 - c), ">", R).status == "proved"


def test_false_condition_is_refuted_with_exact_point_in_region():
    expr = eta * (1 - L * eta)
    dec = decide(expr, ">", R)
    assert dec.status == "refuted"
    pt = _point(dec)
    assert R.contains(pt)
    assert not expr.subs(pt) > 0
    assert all(isinstance(v, Fraction) for v in dec.point.values())


def test_undefined_expression_is_a_failure():
    dec = decide(1 / (1 - L * eta), ">", R)
    assert dec.status == "refuted"
    assert "undefined" in dec.values["value"]


def test_near_miss_in_tenth_decimal_is_rejected():
    # eta(1 - L eta/2) >= eta/2 holds on L eta <= 1; ask for a hair more (1e-10 relative)
    tiny = sp.Rational(1, 10**10)
    assert decide(eta * (1 - L * eta / 2) - eta / 2, ">=", R).status == "proved"
    dec = decide(eta * (1 - L * eta / 2) - eta / 2 * (1 + tiny), ">=", R)
    assert dec.status == "refuted"
    pt = _point(dec)
    assert (eta * (1 - L * eta / 2) - eta / 2 * (1 + tiny)).subs(pt) < 0


def test_empty_region_detected():
    assert find_point(Region.of([eta > 1, eta < 1])).status == "proved"
    assert find_point(R).status == "refuted"


def test_floats_are_rejected():
    with pytest.raises(MalformedError, match="float"):
        Region.of([eta > 0.5])


def test_non_rational_rejected():
    with pytest.raises(MalformedError, match="rational function"):
        Region.of([sp.sqrt(eta) > 0])


def test_not_a_relation_rejected():
    with pytest.raises(MalformedError, match="not an inequality"):
        Region.of([eta])


# --- verdict discipline: unknown is never proved, an unverified refutation is not refuted -----


def _force_z3(monkeypatch, answer):
    """Make every z3 query return ``answer`` (a z3 CheckSatResult) without solving."""
    import z3

    monkeypatch.setattr(z3.Solver, "check", lambda self, *a, **k: answer)


def test_z3_unknown_is_never_proved(monkeypatch):
    import z3

    _force_z3(monkeypatch, z3.unknown)
    for expr, op in ((eta * (1 - L * eta), ">"), (eta * (1 - L * eta / 2), ">")):
        dec = decide(expr, op, R)  # one false, one true: neither is decided
        assert dec.status == "unknown"
        assert "z3" in dec.reason
        assert not dec.proved
    assert find_point(R).status == "unknown"


def test_constant_condition_needs_a_region_point(monkeypatch):
    import z3

    # a false constant claim is refuted only with a point of the region: none found -> unknown
    _force_z3(monkeypatch, z3.unknown)
    assert decide(sp.Integer(-1), ">=", R).status == "unknown"
    assert decide(sp.Integer(1), ">=", R).status == "proved"  # exact arithmetic alone


def test_constant_false_condition_refuted_at_region_point():
    dec = decide(sp.Rational(-1, 3), ">=", R)
    assert dec.status == "refuted"
    assert R.contains(_point(dec))


def test_refutation_whose_recheck_fails_is_not_refuted(monkeypatch):
    decide_mod = importlib.import_module("lyapunov.engine.kernel.decide")

    expr = eta * (1 - L * eta / 2) - eta / 4  # true on R
    # a solver that claims a counterexample at a point where the condition holds
    fake = decide_mod.Answer("sat", {eta: Fraction(1, 2), c: Fraction(1, 2), L: Fraction(1)})
    monkeypatch.setattr(decide_mod, "_solve_z3", lambda *a: fake)
    dec = decide(expr, ">", R)
    assert dec.status == "unknown"
    assert "did not re-verify" in dec.reason
    # ... and a "counterexample" outside the region (L eta = 4 > 1) is not one either
    fake.point = {eta: Fraction(2), c: Fraction(1, 2), L: Fraction(2)}
    assert not R.contains({s: sp.Rational(q) for s, q in fake.point.items()})
    assert decide(eta * (1 - L * eta), ">", R).status == "unknown"


def test_irrational_only_counterexample_is_not_refuted():
    """x^2 != 2 fails only at x = sqrt 2: no exact rational witness exists, so the claim is
    not proved, but it is never reported as refuted."""
    (x,) = params("x")
    dec = decide(x**2 - 2, "!=", Region.of([x > 0]))
    assert dec.status == "unknown"
    assert "irrational" in dec.reason
    dec = decide(x**2 - 2, ">", Region.of([x > 0]))  # fails on an interval: rational witness
    assert dec.status == "refuted"
    assert sp.Rational(dec.point["x"]) ** 2 <= 2


def test_holds_exactly_is_an_exact_witness_test():
    from lyapunov.engine.kernel.decide import _holds_exactly

    inside = {eta: sp.Rational(1, 2), c: sp.Rational(1, 2), L: sp.Integer(1)}
    outside = {eta: sp.Integer(2), c: sp.Rational(1, 2), L: sp.Integer(1)}
    assert _holds_exactly(eta - 1, ">=", R, inside)  # eta - 1 = -1/2 fails ">= 0"
    assert not _holds_exactly(eta - 1, "<", R, inside)  # holds: not a witness
    assert not _holds_exactly(eta - 3, ">=", R, outside)  # fails there, but outside R
    assert _holds_exactly(1 / (2 * eta - 1), ">", R, inside)  # undefined in R: a failure
    assert _holds_exactly(eta - sp.Rational(1, 2), "!=", R, inside)
    assert not _holds_exactly(eta - sp.Rational(1, 2), "==", R, inside)
    assert _holds_exactly(eta - sp.Rational(1, 2), ">", R, inside)  # 0 > 0 fails
    assert not _holds_exactly(eta - sp.Rational(1, 2), ">=", R, inside)


@pytest.mark.parametrize(
    "expr,op,status",
    [
        (eta, ">", "proved"),
        (eta, ">=", "proved"),
        (eta - 1, ">", "refuted"),
        (1 - L * eta, ">=", "proved"),
        (1 - L * eta, ">", "refuted"),  # zero on the boundary L eta = 1 of the region
        (L * eta - 1, "<=", "proved"),
        (L * eta - 1, "<", "refuted"),
        (c - 1, "<=", "proved"),
        (c - 1, "==", "refuted"),
        (c * (c - 1), "!=", "refuted"),
        (c**2 + 1, "!=", "proved"),
    ],
)
def test_each_relation_decided_exactly_at_the_boundary(expr, op, status):
    dec = decide(expr, op, R)
    assert dec.status == status
    if status == "refuted":
        pt = _point(dec)
        assert R.contains(pt)
        v = sp.sympify(expr).subs(pt)
        assert not {">": v > 0, ">=": v >= 0, "<": v < 0, "<=": v <= 0, "==": v == 0, "!=": v != 0}[
            op
        ]


def test_unknown_operator_rejected():
    with pytest.raises(ValueError, match="op"):
        decide(eta, "=>", R)
