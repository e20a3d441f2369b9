from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from lyapunov.engine import Region, decide_psd, indefinite_witness, params
from lyapunov.engine.kernel import psd as psd_mod

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


def _rat(x):
    return sp.Rational(x.numerator, x.denominator)


def _at_point(res, region):
    return {s: _rat(res.decision.point[s.name]) for s in region.symbols}


def _assert_refuted_with_witness(M, region, res):
    assert res.decision.status == "refuted"
    pt = _at_point(res, region)
    assert region.contains(pt)
    v = sp.Matrix([_rat(x) for x in res.witness])
    assert (v.T * M.subs(pt) * v)[0, 0] < 0
    # the principal minor named is negative there (the exact reason it is not PSD)
    idx = list(res.minor)
    assert M.subs(pt).extract(idx, idx).det() < 0


@pytest.fixture
def no_sampling(monkeypatch):
    """The sufficient and complete tests alone: no sampled counterexample first."""
    monkeypatch.setattr(psd_mod, "SAMPLES", 0)


def test_leading_minors_nonnegative_but_not_psd(no_sampling):
    """Leading minors 1, 0, 0 (all >= 0) but the minors on {0, 2}, {1, 2} are -1: not PSD. A
    Sylvester test with non-strict leading minors, or a 'complete' test over leading minors
    only, would accept it."""
    M = sp.Matrix([[1, 1, 1], [1, 1, 1], [1, 1, 0]])
    assert [M[:k, :k].det() for k in (1, 2, 3)] == [1, 0, 0]
    res = decide_psd(M, R)
    _assert_refuted_with_witness(M, R, res)
    assert res.minor in {(0, 2), (1, 2)}  # -1 on both


def test_symbolic_leading_minors_nonnegative_but_not_psd(no_sampling):
    # leading minors a, 0, 0 on the region; the minor on {1, 2} is -a b < 0 where b > 0
    M = sp.Matrix([[a, a, a], [a, a, a], [a, a, a - b]])
    region = Region.of([a > 0, a < 2, b > 0, b <= 1])
    _assert_refuted_with_witness(M, region, decide_psd(M, region))


def test_rank_deficient_psd_matrices_are_proved():
    for M in (
        sp.Matrix([[1, 1], [1, 1]]),
        sp.Matrix([[1, 2, 3], [2, 4, 6], [3, 6, 9]]),  # rank 1
        sp.Matrix([[2, -1, 1], [-1, 2, 1], [1, 1, 2]]),  # rank 2
    ):
        assert M.det() == 0
        assert decide_psd(M, R).decision.status == "proved"
        assert indefinite_witness(M) is None


def test_symbolic_rank_one_psd_on_region():
    v = sp.Matrix([a, b, 1])
    assert decide_psd(v * v.T, R).decision.status == "proved"  # rank one, all minors >= 0


def test_symbolic_case_decided_by_region():
    M = sp.Matrix([[1, b], [b, 1]])  # PSD iff |b| <= 1
    inside = Region.of([b >= 0, b <= 1])
    wider = Region.of([b >= 0, b <= 2])
    assert decide_psd(M, inside).decision.status == "proved"
    _assert_refuted_with_witness(M, wider, decide_psd(M, wider))


def test_psd_with_zero_rows_and_singular_boundary():
    M = sp.Matrix([[0, 0, 0], [0, a, 0], [0, 0, 2 - a]])  # singular at a = 2 (allowed: PSD)
    region = Region.of([a > 0, a <= 2])
    assert decide_psd(M, region).decision.status == "proved"
    wider = Region.of([a > 0, a <= 3])
    _assert_refuted_with_witness(M, wider, decide_psd(M, wider))


def test_counterexample_names_the_form_with_its_sign():
    from lyapunov.engine.kernel.psd import decide_nsd

    Q = sp.Matrix([[a - 1, 0], [0, -1]])  # NSD iff a <= 1; the form at e_0 is a - 1
    res = decide_nsd(Q, R, names=["g(x)", "m"], what="residual")
    assert res.decision.status == "refuted"
    text = res.decision.values["value"]
    pt = _at_point(res, R)
    v = sp.Matrix([_rat(x) for x in res.witness])
    val = (v.T * Q.subs(pt) * v)[0, 0]
    assert val > 0
    assert text.startswith(f"residual = +{val} > 0 at g(x) = ")
    res = decide_psd(-Q, R, names=["g(x)", "m"])
    assert res.decision.values["value"].startswith(f"quadratic form = {-val} < 0 at g(x) = ")
    assert decide_nsd(Q, Region.of([a > 0, a <= 1])).decision.status == "proved"


def test_indefinite_witness_agrees_with_exact_psd_test():
    rng = np.random.default_rng(3)
    found = {True: 0, False: 0}
    for _ in range(150):
        n = int(rng.integers(1, 5))
        B = sp.Matrix(rng.integers(-2, 3, size=(n, int(rng.integers(1, n + 1)))).tolist())
        M = B * B.T  # PSD, often singular
        if rng.random() < 0.5:
            i = int(rng.integers(0, n))
            M[i, i] -= int(rng.integers(0, 3))  # sometimes no longer PSD
        w = indefinite_witness(M)
        psd = M.is_positive_semidefinite
        found[psd] += 1
        if psd:
            assert w is None, M
        else:
            v = sp.Matrix([_rat(x) for x in w])
            assert (v.T * M * v)[0, 0] < 0, M
    assert min(found.values()) >= 20


def test_exact_witness_cases_through_decide_psd(no_sampling):
    """Zero diagonal entries with nonzero off-diagonal entries: not PSD (the rows must not be
    dropped as if they were zero)."""
    for M in (
        sp.Matrix([[0, 1], [1, 0]]),
        sp.Matrix([[0, 0, 1], [0, 0, 0], [1, 0, 0]]),
        sp.Matrix([[0, a], [a, 0]]),
    ):
        res = decide_psd(M, R)
        _assert_refuted_with_witness(M, R, res)
    assert decide_psd(sp.Matrix([[0, 0], [0, 0]]), R).decision.status == "proved"


# -- counterexamples found by sampling: floating point searches, exact arithmetic decides ------
INDEFINITE = sp.Matrix([[a, 1], [1, b]])  # det = a b - 1 < 0 on most of R


def test_sampled_refutation_is_exact(monkeypatch):
    monkeypatch.setattr(psd_mod, "ldl_psd", lambda *a, **k: None)
    res = decide_psd(INDEFINITE, R)
    _assert_refuted_with_witness(INDEFINITE, R, res)
    assert res.minor == (0, 1)


def test_sampled_candidate_outside_the_region_never_refutes(monkeypatch):
    """A sampler that proposes a point outside the region (where M is indefinite) must not
    produce a refutation: membership is decided exactly."""
    region = Region.of([a > 0, a < 2, b >= 0, b <= 1, a * b >= 1])  # M is PSD here
    outside = {a: sp.Rational(1, 2), b: sp.Rational(1, 2)}  # a b = 1/4 < 1: indefinite
    assert not region.contains(outside)
    monkeypatch.setattr(psd_mod, "ldl_psd", lambda *a, **k: None)
    from lyapunov.engine.kernel import sampling

    monkeypatch.setattr(sampling, "sample_region", lambda *a, **k: [dict(outside)])
    monkeypatch.setattr(sampling, "near_boundary", lambda *a, **k: None)
    res = decide_psd(INDEFINITE, region)
    assert res.decision.status == "proved"


def test_sampled_refutation_needs_a_verified_witness(monkeypatch):
    """A witness that does not make v^T M v < 0 exactly is no refutation."""
    monkeypatch.setattr(psd_mod, "ldl_psd", lambda *a, **k: None)
    monkeypatch.setattr(psd_mod, "indefinite_witness", lambda M: [Fraction(1), Fraction(0)])
    M = sp.Matrix([[a, 1], [1, b - 1]])  # indefinite everywhere on R (det = a(b-1) - 1 < 0)
    res = decide_psd(M, R)
    # refuted by the complete test (a negative minor decided by the solver), which also
    # refuses the unverified witness; never by the sampler with that witness
    assert res.decision.status == "refuted" and res.witness is None
    assert res.decision.values["value"].startswith("principal minor")
