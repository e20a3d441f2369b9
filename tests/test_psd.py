import sympy as sp

from lyapunov.engine import Region, decide_psd, indefinite_witness, params

a, b = params("a b")
R = Region.of([a > 0, a < 2, b >= 0, b <= 1])


def test_psd_proved_on_region():
    M = sp.Matrix([[a, b], [b, 1 + b**2 / a]])  # Schur complement 1 > 0
    assert decide_psd(M, R).decision.status == "proved"


def test_singular_but_psd_needs_complete_test():
    M = sp.Matrix([[0, 0], [0, b]])  # leading minor 0: Sylvester fails, all-minors succeeds
    assert decide_psd(M, R).decision.status == "proved"


def test_indefinite_refuted_with_witness():
    M = sp.Matrix([[a, 1], [1, b]])  # det = ab - 1 < 0 on part of the region
    res = decide_psd(M, R)
    assert res.decision.status == "refuted"
    pt = {
        s: sp.Rational(q.numerator, q.denominator)
        for s, q in ((s, res.decision.point[s.name]) for s in R.symbols)
    }
    v = sp.Matrix([sp.Rational(x.numerator, x.denominator) for x in res.witness])
    assert (v.T * M.subs(pt) * v)[0, 0] < 0


def test_exact_witness_cases():
    assert indefinite_witness(sp.Matrix([[2, 1], [1, 2]])) is None
    for M in (
        sp.Matrix([[-1, 0], [0, 1]]),
        sp.Matrix([[0, 1], [1, 0]]),
        sp.Matrix([[1, 2, 0], [2, 1, 0], [0, 0, 5]]),
        sp.Matrix([[0, 0], [0, -3]]),
    ):
        w = indefinite_witness(M)
        v = sp.Matrix([sp.Rational(x.numerator, x.denominator) for x in w])
        assert (v.T * M * v)[0, 0] < 0
