"""A rejected certificate is not a refuted claim.

* ``lyapunov check`` (the kernel) checks a *given* certificate: a condition of it that fails
  at an exact point rejects the certificate ("rejected certificate": where, and the value
  there), and says nothing about the claim, which another certificate may prove;
* ``lyapunov prove`` (the search) says a claim is refuted where no certificate from the
  class's facts exists ("refuted claim", with the point);
* an identity or inequality checked directly is the claim itself: a failure refutes it.

The machine-readable status of a verdict stays "refuted" (a condition was refuted); its
``outcome`` says which of the two it is.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from fractions import Fraction

import pytest
import sympy as sp
from proofutil import PROOFS, load

from lyapunov.engine import AUTO, CERTIFIED, REFUTED, REJECTED, Check, Identities, Verdict, params
from lyapunov.engine.kernel.verdict import CERTIFICATE, CLAIM

P3, NS = load("p3_sgd_descent")
eta, L, sigma2 = NS["eta"], NS["L"], NS["sigma2"]
STEP, SMOOTH = NS["step"], NS["smooth"]
P3_TEXT = (PROOFS / "p3_sgd_descent.py").read_text()
#: P3 (SGD's descent lemma, a true claim) with the noise multiplier L eta^2/4 for L eta^2/2
WRONG_CERTIFICATE = P3_TEXT.replace(
    "step.variance(): L * eta**2 / 2,", "step.variance(): L * eta**2 / 4,"
)
#: P3 claimed with the rate eta (false), its certificate left to `lyapunov prove`
TOO_FAST = re.sub(
    r"certificate=\{.*?\},",
    "certificate=AUTO,\n    function_class=smooth,",
    P3_TEXT.replace("rho=eta * (1 - L * eta / 2),", "rho=eta,"),
    flags=re.S,
).replace("import DescentLemma", "import AUTO, DescentLemma")


def sgd_lemma(**changes):
    """P3, with the class of its facts (for the search) and ``changes``."""
    return P3.replace(**{"function_class": SMOOTH, **changes})


def run(*args: str) -> subprocess.CompletedProcess:
    """``lyapunov ARGS`` in a fresh interpreter."""
    cmd = [sys.executable, "-m", "lyapunov.cli", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600)


def test_the_files_are_p3_changed_where_said():
    assert WRONG_CERTIFICATE != P3_TEXT and "L * eta**2 / 4," in WRONG_CERTIFICATE
    assert "rho=eta," in TOO_FAST and "certificate=AUTO," in TOO_FAST


# -- the verdict: status stable, outcome named ------------------------------------------------
@pytest.mark.parametrize(
    "of,outcome,phrase",
    [(CERTIFICATE, REJECTED, "rejected certificate"), (CLAIM, REFUTED, "refuted claim")],
)
def test_aggregate_names_a_refutation_by_what_failed(of, outcome, phrase):
    checks = [
        Check("a", "proved", of=CLAIM),
        Check("b <= 0", "refuted", point={"x": Fraction(1, 2)}, detail="value there: 3/8", of=of),
    ]
    v = Verdict.aggregate("t", "x > 0", checks, 0.0)
    assert v.status == REFUTED  # the decision is the same either way
    assert v.outcome == outcome and v.to_json()["outcome"] == outcome and v.headline == phrase
    assert v.reason == f"{phrase}: b <= 0 fails at x=1/2, value 0.375 (value there: 3/8)"
    assert v.counterexample()["value"] == "3/8"


def test_outcome_of_certified_and_undecided_is_the_status():
    ok = Verdict.aggregate("t", "x > 0", [Check("a", "proved", of=CERTIFICATE)], 0.0)
    assert ok.status == ok.outcome == ok.headline == CERTIFIED
    assert ok.reason == "" and ok.failure == ""
    open_ = Verdict.aggregate("t", "x > 0", [Check("a", "unknown", of=CERTIFICATE)], 0.0)
    assert open_.outcome == "not proved" and open_.reason == "a: unknown"


def test_aggregate_rejects_an_unknown_kind_of_condition():
    with pytest.raises(ValueError, match="of: must be 'claim' or 'certificate', got 'lemma'"):
        Verdict.aggregate("t", "x > 0", [Check("a", "proved", of="lemma")], 0.0)


def test_wrong_multiplier_of_a_true_claim_is_a_rejected_certificate():
    """P3 with the variance multiplier L eta^2/4: the claim is true (P3), the certificate is
    not a proof of it. The reason says where and by how much it fails."""
    v = sgd_lemma(
        certificate={SMOOTH.upper(STEP.x, STEP.x1): 1, STEP.variance(): L * eta**2 / 4}
    ).check(timeout=60)
    assert v.status == REFUTED and v.outcome == REJECTED
    assert v.reason.startswith("rejected certificate: residual quadratic form <= 0 (NSD) fails at")
    value = float(v.reason.split(", value ")[1].split(" ")[0])
    assert value > 0  # the residual is positive at the witness: how far the certificate misses
    pt = {s: sp.Rational(v.failed.counterexample()[s.name]) for s in (eta, L, sigma2)}
    assert sgd_lemma().region.contains(pt)
    assert sgd_lemma().check(timeout=60).certified  # the claim itself holds


def test_false_identity_is_a_refuted_claim():
    (x,) = params("x")
    th = Identities(name="wrong", region=[x > 0], equations=[("x + x == 3 x", x + x, 3 * x)])
    v = th.check(timeout=30)
    assert v.status == REFUTED and v.outcome == REFUTED
    assert v.reason.startswith("refuted claim: x + x == 3 x fails at x=")


def test_a_rate_claimed_beyond_where_it_is_positive_is_a_refuted_claim():
    """SGD's descent lemma claimed up to L eta < 3: rho = eta (1 - L eta / 2) <= 0 for
    L eta >= 2, so no certificate proves the rate there: the claim, not the certificate."""
    v = sgd_lemma(region=[eta > 0, L > 0, L * eta < 3]).check(timeout=60)
    assert v.status == REFUTED and v.outcome == REFUTED
    assert v.failed.label == "rho > 0" and v.reason.startswith("refuted claim: rho > 0 fails at")
    pt = {s: sp.Rational(v.failed.counterexample()[s.name]) for s in (eta, L)}
    assert (pt[eta] * (1 - pt[L] * pt[eta] / 2)) <= 0 < pt[L] * pt[eta] < 3
    assert sp.Rational(v.counterexample()["value"]) <= 0


def test_presentation_names_the_outcome():
    """The notebook's HTML table and the LaTeX of a verdict say "rejected certificate" or
    "refuted claim", with the point and the value there."""
    from lyapunov.engine.present import verdict_html, verdict_latex

    rejected = sgd_lemma(
        certificate={SMOOTH.upper(STEP.x, STEP.x1): 1, STEP.variance(): L * eta**2 / 4}
    ).check(timeout=60)
    (x,) = params("x")
    refuted = Identities(name="wrong", region=[x > 0], equations=[("x + x == 3 x", x + x, 3 * x)])
    refuted = refuted.check(timeout=30)
    for v, phrase, where in [
        (rejected, "rejected certificate", "fails at"),
        (refuted, "refuted claim", "counterexample"),
    ]:
        html, tex = verdict_html(v), verdict_latex(v)
        assert f">{phrase}</td>" in html and f">{where}</th>" in html and "value there" in html
        assert tex == v._repr_latex_() and rf"\textbf{{{phrase}}}" in tex
        assert r"\text{at }" in tex and r"\text{value there }" in tex
        assert tex.startswith("$") and tex.endswith("$") and tex.count("{") == tex.count("}")
    assert r"\eta = \frac{" in verdict_latex(rejected)  # the point, typeset
    assert r"\text{value there } -1$" in verdict_latex(refuted)
    ok = sgd_lemma().check(timeout=60)
    assert verdict_latex(ok) == r"$\text{P3 SGD descent lemma}: \textbf{certified}$"


# -- the command line ---------------------------------------------------------------------------
def test_check_says_rejected_certificate_with_the_failing_condition(tmp_path):
    p = tmp_path / "wrong_certificate.py"
    p.write_text(WRONG_CERTIFICATE)
    r = run("check", str(p))
    assert r.returncode == 1
    first, why = r.stdout.splitlines()[:2]
    assert first.startswith("rejected ") and "refuted" not in first
    assert why.strip().startswith(
        "rejected certificate: residual quadratic form <= 0 (NSD) fails at L="
    )
    assert ", value " in why and "eta=" in why
    doc = json.loads(run("check", str(p), "--json").stdout)["theorems"][0]
    assert doc["status"] == "refuted" and doc["outcome"] == "rejected"


# -- the search: a refuted claim, and a rejected candidate is not one ----------------------------
def test_prove_finds_a_certificate_where_check_rejected_one():
    """The claim whose certificate `check` rejects above is true: prove finds a proof."""
    pytest.importorskip("cvxpy")
    from lyapunov.engine import synthesize

    res = synthesize(sgd_lemma(certificate=AUTO), timeout=120)
    assert res.certified and res.outcome == "found"


def test_prove_says_a_false_claim_is_refuted_with_its_point(tmp_path):
    pytest.importorskip("cvxpy")
    src = tmp_path / "too_fast.py"
    src.write_text(TOO_FAST)
    r = run("prove", str(src), "-o", str(tmp_path / "out"))
    assert r.returncode == 1, r.stdout + r.stderr
    line, why = r.stdout.splitlines()[:2]
    assert line.startswith("refuted ")
    assert why.strip().startswith("refuted claim: no certificate from the ")
    assert " exists at L=" in why and "eta=" in why
    doc = json.loads(run("prove", str(src), "-o", str(tmp_path / "o2"), "--json").stdout)
    th = doc["files"][0]["theorems"][0]
    assert th["status"] == "infeasible" and th["outcome"] == "refuted" and th["point"]
    pt = {s: sp.Rational(th["point"][s.name]) for s in (eta, L)}
    assert sgd_lemma(rho=eta).region.contains({**pt, sigma2: sp.Integer(0)})
