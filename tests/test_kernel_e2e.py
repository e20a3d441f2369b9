"""End to end: false theorems that a broken kernel would certify.

Each test states a false theorem the way a user would (a shipped theorem with one thing
wrong) and requires the checker to refute it with an exact point of its region where the
named condition fails, re-verified here. Each one guards a decision of the kernel: with that
decision broken (tests/support/kernel_mutants.py) the theorem would come out certified.
"""

from __future__ import annotations

import importlib
import re

import pytest
import sympy as sp
from proofutil import load
from support.mutants import identity_mutants

from lyapunov.engine import (
    CERTIFIED,
    NOT_PROVED,
    REFUTED,
    Inequalities,
    MalformedError,
    f,
    inner,
    params,
    sqnorm,
)

decide_mod = importlib.import_module("lyapunov.engine.kernel.decide")


def _refuted_at(th, label_part: str):
    """Check ``th``: refuted on the condition named ``label_part``, at a point of its region."""
    v = th.check(timeout=120)
    assert v.status == REFUTED, v.reason
    ce = v.counterexample()
    assert label_part in ce["condition"], ce
    pt = {s: sp.Rational(ce["point"][s.name]) for s in th.region.symbols}
    assert th.region.contains(pt)
    return v, pt


def _residual_matrix(th):
    res = th.residual()
    basis = res.basis()
    return basis, res.matrix(basis)


# -- the descent inequality -------------------------------------------------------------------


def test_p3_rate_too_good_refuted():
    th, _ = load("p3_sgd_descent")
    m = th.replace(rho=th.rho * sp.Rational(101, 100))
    v, pt = _refuted_at(m, "residual quadratic form")
    basis, Q = _residual_matrix(m)
    assert (Q.subs(pt)[0, 0]) > 0  # the g(x) coefficient of the residual is positive there


def test_residual_named_with_its_sign():
    """'residual = +1/200 > 0 at g(x) = 1': the residual's value at the witness, with its
    real sign (not a minor of the negated matrix)."""
    th, _ = load("p3_sgd_descent")
    m = th.replace(rho=th.rho * sp.Rational(101, 100))
    v, pt = _refuted_at(m, "residual quadratic form")
    found = re.search(r"residual = \+(\S+) > 0 at g\(x\) = (\S+)\)?$", v.reason.rstrip(")"))
    assert found, v.reason
    value, gx = sp.Rational(found.group(1)), sp.Rational(found.group(2))
    basis, Q = _residual_matrix(m)
    assert [b.name for b in basis] == ["g(x)"]
    assert value > 0 and value == Q.subs(pt)[0, 0] * gx**2


def test_p3_with_quarter_smoothness_rate_refuted():
    """rho = eta (1 - L eta/4) is what an L/4 upper bound (a false fact) would give."""
    th, ns = load("p3_sgd_descent")
    eta, L = ns["eta"], ns["L"]
    _refuted_at(th.replace(rho=eta * (1 - L * eta / 4)), "residual quadratic form")


def test_p4_noise_too_small_refuted():
    th, _ = load("p4_spa_descent")
    _refuted_at(th.replace(nu=th.nu * sp.Rational(99, 100)), "constant term <= 0")


def test_p3_noise_term_needed():
    """Without the variance fact and with nu = 0 the claim ignores the noise: false."""
    th, _ = load("p3_sgd_descent")
    upper = {k: v for k, v in th.certificate.items() if k.name.startswith("upper")}
    _refuted_at(th.replace(nu=0, certificate=upper), "residual quadratic form")


def test_function_values_must_cancel():
    th, _ = load("p3_sgd_descent")
    _refuted_at(th.replace(lyapunov_next=lambda x: 2 * f(x)), "f(x1) cancels")


def test_undefined_in_region_refuted():
    """nu + 1/(1 - L eta)^2: a weaker claim wherever it is defined, but undefined at
    L eta = 1, inside the region: the constant term is undefined there, a failure. (A
    removable singularity such as (1 - L eta)/(1 - L eta) is the rational function 1.)"""
    th, ns = load("p3_sgd_descent")
    eta, L = ns["eta"], ns["L"]
    v, pt = _refuted_at(th.replace(nu=th.nu + 1 / (1 - L * eta) ** 2), "constant term")
    assert pt[L] * pt[eta] == 1
    assert "undefined" in v.reason


def test_p4_region_too_wide_refuted():
    th, ns = load("p4_spa_descent")
    eta, c, L = ns["eta"], ns["c"], ns["L"]
    wide = th.replace(region=[eta > 0, L > 0, c > 0, c <= 1, c * L * eta < 4 - 2 * c])
    _, pt = _refuted_at(wide, "multiplier of upper")
    assert pt[L] * pt[eta] > 2 - pt[c]


def test_leading_minors_nonnegative_residual_refuted(monkeypatch):
    """P4 with a gain whose residual has leading minors 1, 0, 0 but is not NSD (by the
    complete test: no sampled counterexample first)."""
    _no_sampling(monkeypatch)
    th, _ = load("p4_spa_descent")
    m = th.replace(gain=lambda x, z: -(sqnorm(z - x + x.grad) + 2 * inner(z - x + x.grad, z.grad)))
    basis, Q = _residual_matrix(m)
    assert [b.name for b in basis] == ["(z-x)", "g(x)", "g(z)"]
    M = (-Q).applyfunc(sp.cancel)
    assert [M[:k, :k].det() for k in (1, 2, 3)] == [1, 0, 0]
    _refuted_at(m, "residual quadratic form")


def test_zero_diagonal_residual_refuted(monkeypatch):
    """P4 with a gain whose residual has a zero diagonal but a nonzero off-diagonal entry."""
    _no_sampling(monkeypatch)
    th, _ = load("p4_spa_descent")
    m = th.replace(gain=lambda x, z: -2 * inner(z - x, x.grad))
    basis, Q = _residual_matrix(m)
    assert all(sp.cancel(Q[i, i]) == 0 for i in range(Q.shape[0]))
    _refuted_at(m, "residual quadratic form")


def test_rate_zero_on_the_boundary_refuted():
    """P3 on the closed region L eta <= 2: rho = 0 at L eta = 2, where the rate divides by 0."""
    th, ns = load("p3_sgd_descent")
    eta, L = ns["eta"], ns["L"]
    _, pt = _refuted_at(th.replace(region=[eta > 0, L > 0, L * eta <= 2]), "rho > 0")
    assert pt[L] * pt[eta] == 2


# -- A_k >= inf f and A_0 = f(x_0) ----------------------------------------------------------


def test_lyapunov_weights_must_sum_to_one():
    """Everything doubled (A = 2 f(x), rate and multipliers x2): the descent holds, but A is
    not >= inf f with weight 2, and A_0 != f(x_0)."""
    th, _ = load("p3_sgd_descent")
    two = th.replace(
        lyapunov=lambda x: 2 * f(x),
        rho=2 * th.rho,
        nu=2 * th.nu,
        certificate={k: 2 * v for k, v in th.certificate.items()},
    )
    _refuted_at(two, "weights sum to 1")
    from lyapunov.engine.kernel.theorems import Budget

    labels = {c.label: c.status for c in two._lower_bound_checks(Budget(60))}
    assert labels["A_0 = f(x_0) when z_0 = x_0"] == "refuted"


def test_negative_lyapunov_weight_refuted():
    from lyapunov.engine.kernel.theorems import Budget

    th, ns = load("p4_spa_descent")
    m = th.replace(lyapunov=lambda x, z: 2 * f(x) - f(z))
    checks = list(m._lower_bound_checks(Budget(60)))
    bad = [c for c in checks if "weight of f(z)" in c.label]
    assert len(bad) == 1 and bad[0].status == "refuted"
    pt = {k: sp.Rational(x) for k, x in bad[0].counterexample().items()}
    assert m.region.contains({s: pt[s.name] for s in m.region.symbols})


def test_lyapunov_without_function_class_refuted():
    """P4's A has a cross term <z - x, g(x)>: A >= inf f needs f >= inf f + |g|^2/(2L)."""
    th, _ = load("p4_spa_descent")
    _refuted_at(th.replace(function_class=None), "quadratic part PSD")


def test_lyapunov_needing_too_much_gradient_credit_refuted():
    """A = f(x) + L|z - x|^2 + (9/5)<z - x, g(x)> is >= inf f only if f >= inf f +
    (81/100)|g|^2/L, more than the (1/2)|g|^2/L that L-smoothness gives."""
    from lyapunov.engine.kernel.theorems import Budget

    th, ns = load("p4_spa_descent")
    L = ns["L"]
    m = th.replace(
        lyapunov=lambda x, z: f(x) + L * sqnorm(z - x) + sp.Rational(9, 5) * inner(z - x, x.grad)
    )
    checks = {c.label.split(" (")[0]: c for c in m._lower_bound_checks(Budget(60))}
    assert checks["A_k >= inf f: quadratic part PSD"].status == "refuted"
    ok = th.replace(
        lyapunov=lambda x, z: f(x) + L * sqnorm(z - x) + sp.Rational(7, 5) * inner(z - x, x.grad)
    )
    checks = {c.label.split(" (")[0]: c for c in ok._lower_bound_checks(Budget(60))}
    assert checks["A_k >= inf f: quadratic part PSD"].status == "proved"  # 49/100 <= 1/2


# -- regions, identities, inequalities, certified theorems ----------------------------------


def test_empty_region_rejected():
    th, ns = load("p3_sgd_descent")
    eta, L = ns["eta"], ns["L"]
    with pytest.raises(MalformedError, match="empty"):
        th.replace(region=[eta > 0, L > 0, L * eta < 2, L * eta > 3]).check()


def test_false_identity_refuted():
    th, _ = load("p1_spa_equivalence")
    n = 0
    for desc, build in identity_mutants(th):
        v = build().check(timeout=60)
        assert v.status == REFUTED, desc
        n += 1
    assert n >= 1


def test_strict_inequality_claim_refuted_at_boundary():
    (x,) = params("x")
    th = Inequalities(name="x > 0 on [0, 1]", region=[x >= 0, x <= 1], claims=[("x > 0", x > 0)])
    _, pt = _refuted_at(th, "x > 0")
    assert pt[x] == 0
    ok = Inequalities(name="x >= 0", region=[x >= 0, x <= 1], claims=[("x >= 0", x >= 0)])
    assert ok.check().status == CERTIFIED


def test_float_certificate_rejected():
    th, _ = load("p3_sgd_descent")
    cert = {k: (1.0 if v == 1 else v) for k, v in th.certificate.items()}
    with pytest.raises(MalformedError, match="float"):
        th.replace(certificate=cert)


def test_shipped_p4_certified():
    th, _ = load("p4_spa_descent")
    v = th.check()
    assert v.status == CERTIFIED and all(c.status == "proved" for c in v.checks)


# -- verdict discipline through whole theorems ----------------------------------------------


def test_false_theorem_with_z3_unknown_not_certified(monkeypatch):
    import z3

    th, _ = load("p3_sgd_descent")
    false = th.replace(rho=th.rho * sp.Rational(101, 100))
    honest = z3.Solver.check

    def gives_up(self, *a, **k):  # the region question is answered; every condition: unknown
        return z3.unknown if len(self.assertions()) > 1 else honest(self, *a, **k)

    monkeypatch.setattr(z3.Solver, "check", gives_up)
    _no_sampling(monkeypatch)  # else a sampled exact counterexample refutes it without z3
    # the false theorem's failing condition is left undecided: neither certified nor refuted
    # (the true one may still be certified: conditions that are the region's own hypotheses,
    # or products of them, are decided exactly without z3 -- lyapunov.engine.kernel.structure)
    v = false.check()
    assert v.status == NOT_PROVED
    assert "z3" in v.reason


def _no_sampling(monkeypatch):
    """No counterexample from sampled points (decisions and PSD tests): the solver's path."""
    from lyapunov.engine.kernel import psd

    monkeypatch.setattr(psd, "SAMPLES", 0)
    monkeypatch.setattr(decide_mod, "SAMPLES", 0)


def _solver_only(monkeypatch):
    """Every decision through the solver: no hypothesis matching, sign structure, LDL or
    sampled counterexamples."""
    from lyapunov.engine.kernel import psd, structure

    monkeypatch.setattr(structure, "proves", lambda *a, **k: False)
    monkeypatch.setattr(decide_mod, "_is_hypothesis", lambda *a, **k: False)
    monkeypatch.setattr(psd, "ldl_psd", lambda *a, **k: None)
    _no_sampling(monkeypatch)


def test_bogus_counterexamples_never_refute(monkeypatch):
    """A solver returning points that are not counterexamples (outside the region, or where
    the condition holds) makes a true theorem "not proved", never "refuted"."""
    th, ns = load("p3_sgd_descent")
    eta, L, sigma2 = ns["eta"], ns["L"], ns["sigma2"]
    honest = decide_mod._solve_z3
    from fractions import Fraction

    for point in (
        {eta: Fraction(3), L: Fraction(1), sigma2: Fraction(0)},  # outside: L eta = 3
        {eta: Fraction(1, 2), L: Fraction(1), sigma2: Fraction(1)},  # inside: the claim holds
    ):

        def bogus(region, expr, op, timeout, point=point):
            if expr is None:
                return honest(region, expr, op, timeout)
            return decide_mod.Answer("sat", dict(point))

        monkeypatch.setattr(decide_mod, "_solve_z3", bogus)
        # with the exact shortcuts (hypotheses, sign structure, LDL) P3 needs no solver at all
        assert th.check().status != "refuted"
        _solver_only(monkeypatch)
        v = th.check()
        assert v.status == NOT_PROVED, v.reason
        assert "not refuted" in v.reason
        assert v.counterexample() is None


def test_disagreement_on_a_minor_not_certified(monkeypatch):
    pytest.importorskip("cvc5")
    from lyapunov.engine.kernel.decide import Answer, cross_checking

    th, _ = load("p3_sgd_descent")
    false = th.replace(rho=th.rho * sp.Rational(101, 100))
    honest = decide_mod._solve_z3

    def wrong(region, expr, op, timeout):  # z3 "proves" every condition
        return honest(region, expr, op, timeout) if expr is None else Answer("unsat")

    monkeypatch.setattr(decide_mod, "_solve_z3", wrong)
    _no_sampling(monkeypatch)
    with cross_checking():
        v = false.check()
    assert v.status == NOT_PROVED
    assert v.failed.label == "residual quadratic form <= 0 (NSD)"
    assert v.failed.status == "error"


FAKE = '''
from lyapunov.engine import CERTIFIED, Verdict


class Fake:
    """Not built from the engine's objects: claims to be certified."""

    name = "fake"

    def check(self, timeout=None):
        return Verdict("fake", CERTIFIED, 0.0, "everywhere")


theorem = Fake()
'''


def test_fake_theorem_file_rejected(tmp_path):
    """`lyapunov check` certifies only theorems built from the engine's objects."""
    from support.fuzzing import run_cli_in_process

    path = tmp_path / "fake.py"
    path.write_text(FAKE)
    code, out, err = run_cli_in_process(["check", str(path), "--jobs", "1"])
    assert code == 2
    assert "not a lyapunov Theorem" in err
    assert "certified" not in out


def test_partial_point_never_refutes(monkeypatch):
    """A solver point that leaves out a parameter is not a point of the region: for the true
    claim eta < 1 on L eta < 1 (L >= 1), the 'point' eta = 2 with L missing refutes nothing."""
    from fractions import Fraction

    eta, L = params("eta L")
    th = Inequalities(
        name="eta < 1", region=[eta > 0, L >= 1, L * eta < 1], claims=[("eta < 1", eta < 1)]
    )
    assert th.check().status == CERTIFIED
    honest = decide_mod._solve_z3

    def partial(region, expr, op, timeout):
        if expr is None:
            return honest(region, expr, op, timeout)
        return decide_mod.Answer("sat", {eta: Fraction(2)})

    monkeypatch.setattr(decide_mod, "_solve_z3", partial)
    v = th.check()
    assert v.status == NOT_PROVED and "not refuted" in v.reason


# -- sampled counterexamples: a wrong sampler or witness never refutes a true theorem ---------
def _sampling_only(monkeypatch):
    """The residual reaches the sampler: no LDL proof first."""
    from lyapunov.engine.kernel import psd

    monkeypatch.setattr(psd, "ldl_psd", lambda *a, **k: None)


def test_true_theorem_survives_a_sampler_outside_its_region(monkeypatch):
    """P4b (a residual that is not identically zero) with a sampler that proposes a point
    outside its region, where the residual is not NSD: still certified, the candidate is
    tested exactly and dropped."""
    from lyapunov.engine.kernel import sampling

    th, ns = load("p4b_spa_descent_primal_family")
    R = sp.Rational
    outside = {ns["L"]: R(1701, 500), ns["c"]: R(637, 250), ns["eta"]: R(409, 200)}
    outside |= {ns["p"]: R(1079, 1000), ns["sigma2"]: R(1)}
    assert set(outside) == set(th.region.symbols) and not th.region.contains(outside)
    basis, Q = _residual_matrix(th)
    assert max(sp.Matrix(Q.subs(outside)).eigenvals()) > 0  # a counterexample if it were inside
    _sampling_only(monkeypatch)
    monkeypatch.setattr(sampling, "sample_region", lambda *a, **k: [dict(outside)])
    monkeypatch.setattr(sampling, "near_boundary", lambda *a, **k: None)
    assert th.check().status == CERTIFIED


def test_true_theorem_survives_bogus_witnesses(monkeypatch):
    """P4b with an eigenvalue test that always says "indefinite" and a witness builder that
    returns an arbitrary vector: still certified (v^T M v < 0 is re-verified exactly)."""
    from fractions import Fraction

    import numpy as np

    from lyapunov.engine.kernel import psd

    th, _ = load("p4b_spa_descent_primal_family")
    assert _residual_matrix(th)[0]  # the residual is not identically zero: psd runs
    _sampling_only(monkeypatch)
    monkeypatch.setattr(np.linalg, "eigvalsh", lambda A: -np.ones(len(A)))
    monkeypatch.setattr(psd, "indefinite_witness", lambda M: [Fraction(1)] * M.shape[0])
    assert th.check().status == CERTIFIED
