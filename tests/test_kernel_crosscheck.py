"""The second, independent decision (cvc5) behind ``lyapunov check --cross-check``.

cvc5 re-decides every question z3 answered; a disagreement is an error (never certified,
exit 1) and an answer cvc5 cannot confirm leaves the condition not proved. A deliberately
wrong z3 decision (monkeypatched) is caught; every shipped theorem passes the cross-check.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from fractions import Fraction

import pytest
import sympy as sp
from proofutil import PROOFS, load
from support.fuzzing import run_cli_in_process

from lyapunov.engine import CERTIFIED, NOT_PROVED, REFUTED, Region, find_point, params
from lyapunov.engine.kernel.decide import Answer, cross_checking, decide

pytest.importorskip("cvc5")
second_solver = importlib.import_module("lyapunov.engine.kernel.second_solver")
decide_mod = importlib.import_module("lyapunov.engine.kernel.decide")

eta, c, L, x = params("eta c L x")
R = Region.of([eta > 0, c > 0, c <= 1, L > 0, L * eta <= 1])

CASES = [
    (eta * (1 - L * eta / 2), ">", "unsat"),
    (eta * (1 - L * eta), ">", "sat"),
    (1 - L * eta, ">=", "unsat"),
    (1 - L * eta, ">", "sat"),  # zero on the boundary
    (1 / (1 - L * eta), ">", "sat"),  # undefined at L eta = 1
    (1 / (2 - L * eta), ">", "unsat"),
    (c * (2 - c) - c, ">=", "unsat"),
    (c - 1, "==", "sat"),
    (c**2 + 1, "!=", "unsat"),
    ((c - 1) / (c + 1), "<=", "unsat"),
]


@pytest.mark.parametrize("expr,op,expected", CASES)
def test_second_solver_decides_like_z3(expr, op, expected):
    ans = second_solver.solve(R, expr, op, 10.0)
    assert ans.result == expected
    assert decide(expr, op, R).status == ("proved" if expected == "unsat" else "refuted")
    if ans.point is not None:  # a rational model of cvc5 is a genuine witness too
        pt = {s: sp.Rational(q) for s, q in ans.point.items()}
        assert R.contains({s: pt[s] for s in R.symbols})
        assert decide_mod._holds_exactly(expr, op, R, pt)


def test_second_solver_on_regions():
    assert second_solver.solve(Region.of([x > 1, x < 1]), None, None, 5.0).result == "unsat"
    assert second_solver.solve(R, None, None, 5.0).result == "sat"
    # irrational-only failure point: cvc5 finds it (sat), z3's point cannot be made rational
    ans = second_solver.solve(Region.of([x > 0]), x**2 - 2, "!=", 5.0)
    assert ans.result == "sat" and ans.point is None and ans.algebraic


def test_agreement_is_tallied():
    with cross_checking() as tally:
        assert decide(eta * (1 - L * eta), ">", R).status == "refuted"
        assert decide(eta * (1 - L * eta / 2), ">", R).status == "proved"
        assert find_point(R).status == "refuted"
    assert tally.agreed == 3 and tally.ok
    assert decide_mod._ACTIVE is None  # the block restores "no cross-check"


def _wrong_z3(monkeypatch, result: str):
    """z3 deliberately wrong: every condition answered ``result`` without solving (the
    question "is the region empty?" is still answered honestly)."""
    honest = decide_mod._solve_z3

    def wrong(region, expr, op, timeout):
        return honest(region, expr, op, timeout) if expr is None else Answer(result)

    monkeypatch.setattr(decide_mod, "_solve_z3", wrong)
    # no sampled counterexamples: they would refute a false claim without asking a solver
    from lyapunov.engine.kernel import psd

    monkeypatch.setattr(decide_mod, "SAMPLES", 0)
    monkeypatch.setattr(psd, "SAMPLES", 0)


def _false_p3():
    th, _ = load("p3_sgd_descent")
    return th.replace(rho=th.rho * sp.Rational(101, 100))  # rate 1% too good: false


def test_wrong_proof_by_z3_is_caught(monkeypatch):
    false = _false_p3()
    assert false.check().status == REFUTED  # the honest verdict
    _wrong_z3(monkeypatch, "unsat")
    assert false.check().status == CERTIFIED  # what a wrong solver alone would say
    with cross_checking() as tally:
        v = false.check()
    assert v.status == NOT_PROVED
    assert "solvers disagree: z3 says proved, cvc5 says refuted" in v.reason
    assert v.failed.status == "error"
    assert tally.disagreements and not tally.ok


def test_wrong_refutation_by_z3_is_caught(monkeypatch):
    # z3 "finds" a counterexample (sat) to a true condition at a point that does re-verify
    # (monkeypatched check): the second solver proves the condition, so it is an error
    monkeypatch.setattr(decide_mod, "_holds_exactly", lambda *a: True)
    pt = {eta: Fraction(1, 2), c: Fraction(1, 2), L: Fraction(1)}
    monkeypatch.setattr(decide_mod, "_solve_z3", lambda *a: Answer("sat", dict(pt)))
    with cross_checking() as tally:
        dec = decide(eta * (1 - L * eta / 2), ">", R)
    assert dec.status == "error"
    assert "z3 says refuted, cvc5 says proved" in dec.reason
    assert len(tally.disagreements) == 1


def _solver_only(monkeypatch):
    """Every decision through the solvers (no exact shortcuts: hypotheses, structure, LDL,
    sampled counterexamples)."""
    from lyapunov.engine.kernel import psd, structure

    decide_mod = importlib.import_module("lyapunov.engine.kernel.decide")
    monkeypatch.setattr(structure, "proves", lambda *a, **k: False)
    monkeypatch.setattr(decide_mod, "_is_hypothesis", lambda *a, **k: False)
    monkeypatch.setattr(psd, "ldl_psd", lambda *a, **k: None)
    monkeypatch.setattr(psd, "SAMPLES", 0)
    monkeypatch.setattr(decide_mod, "SAMPLES", 0)


def test_wrong_second_solver_is_caught(monkeypatch):
    _solver_only(monkeypatch)
    monkeypatch.setattr(second_solver, "solve", lambda *a: Answer("sat"))
    th, _ = load("p3_sgd_descent")
    with cross_checking() as tally:
        v = th.check()
    assert v.status == NOT_PROVED and "solvers disagree" in v.reason
    assert tally.disagreements


def test_unconfirmed_decision_is_not_proved(monkeypatch):
    _solver_only(monkeypatch)
    monkeypatch.setattr(second_solver, "solve", lambda *a: Answer("unknown", reason="timeout"))
    th, _ = load("p3_sgd_descent")
    assert th.check().status == CERTIFIED
    with cross_checking() as tally:
        v = th.check()
    assert v.status == NOT_PROVED
    assert "could not decide" in v.reason
    assert tally.unconfirmed and not tally.disagreements


def test_cli_cross_check_exit_codes(monkeypatch):
    _solver_only(monkeypatch)  # P3's decisions all through the solvers
    p3 = str(PROOFS / "p3_sgd_descent.py")
    code, out, _ = run_cli_in_process(["check", p3, "--cross-check", "--jobs", "1", "--json"])
    doc = json.loads(out)
    assert code == 0
    assert doc["cross_check"]["agreed"] >= 2 and doc["cross_check"]["disagreements"] == []
    _wrong_z3(monkeypatch, "unsat")
    code, out, _ = run_cli_in_process(["check", p3, "--cross-check", "--jobs", "1"])
    assert code == 0  # every z3 answer "proved" and P3 is true: cvc5 agrees
    monkeypatch.setattr(second_solver, "solve", lambda *a: Answer("sat"))
    code, out, _ = run_cli_in_process(["check", p3, "--cross-check", "--jobs", "1"])
    assert code == 1
    assert "not proved" in out and "solvers disagree" in out
    assert "disagreements" in out.splitlines()[-1]
    code, out, _ = run_cli_in_process(["check", p3, "--jobs", "1"])  # without: not noticed
    assert code == 0


def test_cli_cross_check_without_cvc5(monkeypatch):
    monkeypatch.setattr(second_solver, "available", lambda: False)
    p3 = str(PROOFS / "p3_sgd_descent.py")
    code, out, err = run_cli_in_process(["check", p3, "--cross-check"])
    assert code == 2
    assert err.strip().splitlines() == [
        "lyapunov: error: --cross-check needs cvc5: pip install cvc5"
    ]
    with pytest.raises(ImportError, match="cvc5"), cross_checking():
        pass


def test_every_shipped_theorem_passes_the_cross_check():
    """CI runs the second solver on every theorem in proofs/ (through the CLI)."""
    proc = subprocess.run(
        [sys.executable, "-m", "lyapunov.cli", "check", str(PROOFS), "--cross-check", "--json"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    doc = json.loads(proc.stdout)
    assert doc["certified"] == doc["total"] >= 20
    cc = doc["cross_check"]
    assert cc["disagreements"] == [] and cc["unconfirmed"] == []
    for th in doc["theorems"]:
        # every solver decision of every theorem was confirmed (some theorems need none: their
        # conditions are identities or the region's own hypotheses, decided by exact algebra)
        assert th["cross_check"]["unconfirmed"] == [] == th["cross_check"]["disagreements"]
    assert cc["agreed"] == sum(t["cross_check"]["agreed"] for t in doc["theorems"]) >= 50
    assert sum(t["cross_check"]["agreed"] >= 1 for t in doc["theorems"]) >= 20
