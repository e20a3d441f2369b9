import pytest
import sympy as sp

from lyapunov.engine import Point, f, inner, params, sqnorm, vector_coefficients, vectors


def test_inner_expands_bilinearly():
    a, b = vectors("a b")
    (t,) = params("t")
    form = inner(a + t * b, a - b)
    M = form.matrix([a, b])
    assert sp.Matrix([[1, (t - 1) / 2], [(t - 1) / 2, -t]]) == M


def test_sqnorm_of_zero_is_zero():
    assert sqnorm(sp.Integer(0)).simplified().quad == {}


def test_vector_must_be_linear():
    a, b = vectors("a b")
    with pytest.raises(ValueError, match="not linear"):
        vector_coefficients(a * b)
    with pytest.raises(ValueError, match="non-vector part"):
        vector_coefficients(a + 1)


def test_form_arithmetic_and_function_values():
    (a,) = vectors("a")
    p = Point("p", a, a)
    q = Point("q", sp.Integer(0), a)
    form = 2 * f(p) - f(q) + sqnorm(p - q) - 3
    assert form.fvals == {"p": 2, "q": -1}
    assert form.matrix([a]) == sp.Matrix([[1]])
    assert form.const == -3
    with pytest.raises(ValueError, match="vector"):
        form * a


def test_drop_cross_removes_only_zero_mean_terms():
    xi, g, g1 = vectors("xi g g1")
    form = inner(xi, g) + inner(xi, g1) + sqnorm(xi)
    kept = form.drop_cross([xi], [g])
    assert set(kept.quad) == {(g1, xi), (xi, xi)}


def test_f_requires_point():
    with pytest.raises(TypeError):
        f(sp.Symbol("x"))
