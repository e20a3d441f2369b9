"""The fast paths of exact decisions: sign structure, region hypotheses, symbolic LDL^T, and
zero-mean noise terms in certificates. Each is sufficient only: it may prove, never refute,
and a false claim must still come out refuted (by the complete test behind it)."""

import sys

import pytest
import sympy as sp

from lyapunov.engine import Region, decide_psd, inner, params
from lyapunov.engine.kernel import screen, structure
from lyapunov.engine.kernel.decide import decide
from lyapunov.engine.kernel.facts import Fact
from lyapunov.engine.kernel.ldl import ldl_psd
from lyapunov.engine.kernel.region import MalformedError

DECIDE = sys.modules["lyapunov.engine.kernel.decide"]
x, y, z = params("x y z")


def exact_leaf(region):
    return lambda e, op: decide(e, op, region).proved


@pytest.fixture
def no_quick(monkeypatch):
    """Skip the direct attempt and the sampled counterexamples, so that composite conditions
    go through their structure."""
    monkeypatch.setattr(DECIDE, "QUICK", 1e-6)
    monkeypatch.setattr(DECIDE, "SAMPLES", 0)


# -- implies: a condition is one of the region's hypotheses -----------------------------------


def test_implies_up_to_positive_monomials_and_direction():
    pos = frozenset({x})
    assert structure.implies(y - 1, ">", 3 * (y - 1), ">=")  # > implies >=
    assert not structure.implies(y - 1, ">=", y - 1, ">")  # >= does not imply >
    assert structure.implies(y - 1, ">", (1 - y) * 2, "<")  # a negative multiple flips
    assert not structure.implies(y - 1, ">", 1 - y, ">")
    assert structure.implies(y - 1, ">=", x**2 * (y - 1) / x**3, ">=", pos)
    assert not structure.implies(y - 1, ">=", z * (y - 1), ">=", pos)  # z's sign unknown
    assert not structure.implies(y - 1, ">=", (y - 1) + x, ">=", pos)  # not a multiple


def test_positive_symbols_only_from_strict_conditions():
    r = Region.of([x > 0, y >= 0, z > 0])
    assert structure.positive_symbols(r) == frozenset({x, z})


def test_hypothesis_proves_without_a_solver(monkeypatch):
    r = Region.of([x > 0, x * y - 1 > 0])

    def no_solver(*a, **k):
        raise AssertionError("the solver was asked")

    monkeypatch.setattr(DECIDE, "_solve_z3", no_solver)
    assert decide(2 * (x * y - 1) / x, ">=", r).proved
    assert decide(x, "!=", r).proved


# -- proves: the sign rules ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "expr, op, expected",
    [
        (x * y + x**2 * (y - 1) ** 2, ">=", True),  # sum of nonnegative parts
        (x * y + x**2 * (y - 1) ** 2, ">", True),  # ... and one of them positive
        ((y - 2) * x, ">=", False),  # y - 2 has no sign on y > 0
        ((2 * y - 1) ** 2 * x, ">=", True),  # an even power
        ((2 * y - 1) ** 2 * x, ">", False),  # ... which vanishes at y = 1/2
        ((y - 2) ** 2 * x, ">", True),  # ... and one that does not
        ((1 - y) * (y - 1) * x, "<=", True),  # two factors of opposite known signs
        (x / y - 1, ">=", False),
        (x * (y - 1) - x * y, ">=", False),  # = -x: a sum with a negative part
    ],
)
def test_sign_rules(expr, op, expected):
    r = Region.of([x > 0, y > 0, y < 1])
    assert structure.proves(expr, op, r, exact_leaf(r)) is expected


def test_a_reciprocal_factor_has_the_sign_of_its_base_strictly():
    """1/p (p**k, k < 0 odd) counts as > 0 or < 0 where p > 0 or p < 0 strictly: by the
    region's own conditions (no part asked of a solver here), also for a denominator given
    expanded (the residual's pivots); never where p may vanish or has no sign."""
    r = Region.of([x > 0, y > 0, y - 1 < 0])
    hyp = lambda e, o: DECIDE._is_hypothesis(e, o, r)  # noqa: E731
    never = lambda e, o: False  # noqa: E731
    assert structure.proves(x / (y - 1), "<", r, never, hyp)
    assert structure.proves(x / (y - 1) ** 3, "<=", r, never, hyp)
    assert not structure.proves(x / (y - 1), ">=", r, never, hyp)
    assert not structure.proves(x / (y - 1) ** 2, "<=", r, never, hyp)  # an even power: > 0
    assert structure.proves(x / (y - 1) ** 2, ">", r, exact_leaf(r), hyp)
    assert structure.proves(-x * y / (y - 1), ">", r, never, hyp)
    assert structure.proves(x / (-x * y - x), "<", r, never, hyp)  # = -1/(y + 1)
    assert not structure.proves(x / (-x * y - x), ">=", r, never, hyp)
    assert structure.proves(x / ((y - 1) * (y - 2)), ">", r, exact_leaf(r), hyp)
    assert not structure.proves(x / ((y - 1) * (y + x - 1)), ">=", r, exact_leaf(r), hyp)
    loose = Region.of([x > 0, y >= 0])  # 1/y is undefined at y = 0, a point of the region
    assert not structure.proves(x / y, ">=", loose, exact_leaf(loose))
    assert decide(x / y, ">=", loose).status == "refuted"


def test_rules_never_prove_a_false_sum_even_with_generous_leaves():
    """x (y - 1) + x y = x (2 y - 1) changes sign on 0 < y < 1: with a leaf that proves every
    part it is handed *correctly* (exactly), the rules must not prove the whole."""
    r = Region.of([x > 0, y > 0, y < 1])
    assert not structure.proves(x * (y - 1) + x * y, ">=", r, exact_leaf(r))
    assert not structure.proves((y - 1) * x * (y - 2) * (y - 3), ">=", r, exact_leaf(r))


def test_decide_through_structure_proves_true_and_refutes_false(no_quick):
    r = Region.of([x > 0, y > 0, y < 1])
    assert decide(x * (1 - y) + x**2 * y**3, ">", r).proved
    bad = decide(x * (y - 1) + x * y**2, ">=", r)  # = x (y^2 + y - 1): negative near y = 0
    assert bad.status == "refuted"


# -- symbolic LDL^T -----------------------------------------------------------------------------


def test_ldl_proves_psd_with_a_row_divisible_by_a_vanishing_pivot():
    # pivot x y vanishes at y = 0 together with its row: PSD on the whole region
    M = sp.Matrix([[x * y, x * y, 0], [x * y, x * y + 1, 0], [0, 0, y]])
    r = Region.of([x > 0, y >= 0])
    assert ldl_psd(M, r, lambda: None) is True
    assert decide_psd(M, r).decision.proved


def test_ldl_never_proves_a_negative_pivot():
    M = sp.Matrix([[x - 2, 0], [0, 1]])
    r = Region.of([x > 0])
    assert ldl_psd(M, r, lambda: None) is None
    assert decide_psd(M, r).decision.status == "refuted"


def test_ldl_does_not_divide_by_a_pivot_that_vanishes_under_a_nonzero_row():
    # at x = 0 the pivot is 0 but its row is not: indefinite there
    M = sp.Matrix([[x**2, 1], [1, 1 / x**2 + 1]])
    r = Region.of([x > 0])
    assert decide_psd(M, r).decision.proved  # PSD where x > 0 (S = 1)
    r0 = Region.of([x >= 0, x <= 1])
    assert ldl_psd(M, r0, lambda: None) is None
    assert decide_psd(M, r0).decision.status == "refuted"


def test_ldl_refuses_entries_undefined_on_the_region():
    # the entries 1/x cancel in the Schur complement, but M is undefined at x = 0
    M = sp.Matrix([[1 / x, 1 / x], [1 / x, 1 / x + 1]])
    r = Region.of([x >= 0, x <= 1])
    assert ldl_psd(M, r, lambda: None) is None
    assert not decide_psd(M, r).decision.proved


# -- zero-mean terms in certificates ------------------------------------------------------------


def _p11():
    from lyapunov.proofs import p11_gspa_descent as p11

    return p11


def test_zero_mean_only_for_vectors_known_before_the_noise():
    p11 = _p11()
    with pytest.raises(ValueError, match="not known before the noise"):
        p11.step.zero_mean(p11.step.y1.grad)
    forged = Fact("zero-mean forged", inner(p11.step.xi, p11.step.y1.grad), zero_mean=True)
    cert = {**p11.theorem.certificate, forged: sp.Integer(1)}
    with pytest.raises(MalformedError, match="mean zero"):
        p11.theorem.replace(certificate=cert)


def test_p11_needs_its_zero_mean_term():
    """Without E<xi, g(y)> = 0 (weight kappa (1 + 1/(2s))) P11's residual is not NSD."""
    p11 = _p11()
    at = {
        p11.eta: 1,
        p11.c: sp.Rational(1, 2),
        p11.beta: sp.Rational(1, 2),
        p11.L: 1,
        p11.b: sp.Rational(1, 64),
        p11.s: 1,
    }
    region = [*p11.theorem.region.conditions, *(sp.Eq(k, v) for k, v in at.items())]
    th = p11.theorem.replace(region=region)
    assert th.check().status == "certified"
    cert = {k: v for k, v in th.certificate.items() if not k.zero_mean}
    assert th.replace(certificate=cert).check().status == "refuted"
    wrong = {k: (v * sp.Rational(1, 2) if k.zero_mean else v) for k, v in th.certificate.items()}
    assert th.replace(certificate=wrong).check().status == "refuted"


# -- the same traps through the public decisions (what every verdict is made of) ---------------


def test_decide_psd_refutes_a_row_under_a_vanishing_pivot():
    M = sp.Matrix([[x**2, 1], [1, 1 / x**2 + 1]])
    assert decide_psd(M, Region.of([x >= 0, x <= 1])).decision.status == "refuted"


def test_decide_psd_never_proves_a_matrix_undefined_on_the_region():
    M = sp.Matrix([[1 / x, 1 / x], [1 / x, 1 / x + 1]])
    assert not decide_psd(M, Region.of([x >= 0, x <= 1])).decision.proved


def test_decide_refutes_false_sums_and_misread_hypotheses(no_quick):
    r = Region.of([x > 0, y > 0, y < 1])
    assert decide(x * (y - 1) + x * y, ">=", r).status == "refuted"
    assert decide(1 - y, ">", Region.of([y - 1 > 0])).status == "refuted"


def test_forged_zero_mean_fact_rejected_on_small_lemma():
    """SGD's lemma (P3) with <xi, g(x_{k+1})> declared mean zero (it is not: x_{k+1} moves with
    xi): the lemma is malformed as stated."""
    from proofutil import load

    th, ns = load("p3_sgd_descent")
    step = ns["step"]
    forged = Fact("zero-mean forged", inner(step.xi, step.x1.grad), zero_mean=True)
    with pytest.raises(MalformedError, match="mean zero"):
        th.replace(certificate={**th.certificate, forged: sp.Integer(1)})
    honest = Fact("zero-mean honest", inner(step.xi, step.x.grad), zero_mean=True)
    th.replace(certificate={**th.certificate, honest: sp.Integer(0)})  # well formed


def test_zero_mean_test_reads_the_form():
    p11 = _p11()
    th, step = p11.theorem, p11.step
    assert th._is_zero_mean(inner(step.xi, step.y.grad))
    assert th._is_zero_mean(inner(step.xi, 3 * step.y.grad - step.diffs["z"]))
    assert not th._is_zero_mean(inner(step.xi, step.y1.grad))
    assert not th._is_zero_mean(inner(step.xi, step.xi))


# -- the time a structured decision may take, and its screen of parts ---------------------------


def _count_solver_calls(monkeypatch) -> list:
    calls: list = []
    real = DECIDE._decide_z3

    def counting(expr, op, region, timeout, final=True):
        calls.append((expr, op, timeout))
        return real(expr, op, region, timeout, final)

    monkeypatch.setattr(DECIDE, "_decide_z3", counting)
    return calls


def test_a_part_false_at_a_sample_point_is_not_asked(monkeypatch):
    """The screen: a part that fails clearly at a sample point of the region is not proved
    by its parts without asking the solver; a part that holds is still asked (and proved)."""
    r = Region.of([x > 0, x < 1, y > 0, y < 1])
    calls = _count_solver_calls(monkeypatch)
    assert not DECIDE._leaf(x - y, ">=", r)  # false at most sample points
    assert calls == []
    assert screen.fails_at_a_sample(x - y, ">=", r, DECIDE.SAMPLES)
    assert screen.fails_at_a_sample(y - x, "<=", r, DECIDE.SAMPLES)
    assert DECIDE._leaf(x + y - x * y, ">=", r)  # true, not a hypothesis: asked, proved
    assert len(calls) >= 1


@pytest.mark.parametrize(
    "expr,op",
    [(x * (1 - y), ">="), (x + y, ">"), (x * y - 1, "<"), (x - 1, "<="), (y * (1 - x) ** 2, ">=")],
)
def test_the_screen_never_rejects_a_true_part(expr, op):
    """Round-off at the boundary (x = 1, y = 0 are limits of the region) is not a failure."""
    r = Region.of([x > 0, x < 1, y > 0, y < 1])
    assert decide(expr, op, r).proved
    assert not screen.fails_at_a_sample(expr, op, r, DECIDE.SAMPLES)


def test_the_screen_ignores_a_denominator_lost_in_round_off(monkeypatch):
    """A sample point the float membership test lets in at the boundary x = y (x - y is
    5.6e-17 there by round-off: outside in exact arithmetic), where 1/(x - y) is huge and of
    the wrong sign: not a clear failure (the denominator is within the margin of zero), so a
    true part is not skipped. The same part at a point clearly inside fails the screen only
    when it is false there."""
    r = Region.of([x > 0, y > 0, x < y])
    monkeypatch.setattr(screen, "points", lambda region, samples: ((0.1 * 3, 0.3),))
    assert 0.1 * 3 - 0.3 > 0  # the round-off this test is about
    assert not screen.fails_at_a_sample(-1 / (x - y), ">=", r, DECIDE.SAMPLES)
    assert decide(-1 / (x - y), ">=", r).proved
    monkeypatch.setattr(screen, "points", lambda region, samples: ((0.1, 0.3),))
    assert not screen.fails_at_a_sample(-1 / (x - y), ">=", r, DECIDE.SAMPLES)
    assert screen.fails_at_a_sample(1 / (x - y), ">=", r, DECIDE.SAMPLES)


def test_a_part_after_the_deadline_is_not_asked(monkeypatch):
    """A structured decision stops asking for parts at its time limit (the whole decision's
    ``timeout``), and passes the solver no more than the time left."""
    import time

    r = Region.of([x > 0, x < 1, y > 0, y < 1])
    calls = _count_solver_calls(monkeypatch)
    part = x + y - x * y  # true on the region, and not one of its conditions
    assert not DECIDE._leaf(part, ">=", r, deadline=time.perf_counter() - 1)
    assert calls == []
    assert DECIDE._leaf(part, ">=", r, deadline=time.perf_counter() + 0.5)
    assert calls and all(t <= 0.5 for _, _, t in calls)


def test_the_constant_term_is_decided_as_written(monkeypatch):
    """A lemma whose noise term is a sum of terms >= 0 by the region's own conditions: its
    constant term is passed to the decision as written (the claim's and the certificate's
    expressions), not brought to one expanded fraction, where that structure is lost."""
    from proofutil import PROOFS
    from support.mutants import descent_mutants

    import lyapunov.engine.kernel.theorems as theorems
    from lyapunov.loader import load_file

    th = load_file(PROOFS / "p11_gspa_descent.py")[0].theorem
    (mutant,) = [m for d, m in descent_mutants(th) if d == "variance(xi) dropped"]
    seen: list = []
    real = theorems.decide

    def recording(expr, op, region, timeout=10.0):
        seen.append(expr)
        return real(expr, op, region, timeout)

    monkeypatch.setattr(theorems, "decide", recording)
    written = mutant.residual(simplify=False).const
    assert sp.cancel(written - mutant.residual().const) == 0  # the same function
    assert written != mutant.residual().const  # in another form
    verdict = mutant.check(timeout=120)
    assert verdict.status == "refuted"  # the residual form: the noise is no longer paid for
    assert written in seen
    assert next(c for c in verdict.checks if c.label == "constant term <= 0").status == "proved"
