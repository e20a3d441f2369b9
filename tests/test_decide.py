from fractions import Fraction

import pytest
import sympy as sp

from lyapunov.engine import MalformedError, Region, decide, find_point, params

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
