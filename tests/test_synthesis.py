"""Certificate synthesis: templates become certified proofs; false specs never do."""

from __future__ import annotations

import json
import runpy
from pathlib import Path

import pytest
import sympy as sp

pytest.importorskip("cvxpy")

from proofutil import PROOFS, load  # noqa: E402

from lyapunov.cli import main  # noqa: E402
from lyapunov.engine import (  # noqa: E402
    AUTO,
    DescentLemma,
    MalformedError,
    OneStep,
    Smooth,
    f,
    params,
    sqnorm,
    synthesize,
    unknowns,
)
from lyapunov.engine.search import synthesis as synth_mod  # noqa: E402
from lyapunov.loader import load_file  # noqa: E402
from lyapunov.methods import sgd_step  # noqa: E402
from lyapunov.prove import prove_file  # noqa: E402

TEMPLATES = PROOFS / "templates"

eta, L, sigma2 = params("eta L sigma2")
sgd = OneStep(["x"], lambda x, g: sgd_step(x, g, eta), sigma2)
smooth = Smooth(L)


def sgd_lemma(**kw) -> DescentLemma:
    spec = dict(
        name="SGD",
        step=sgd,
        region=[eta > 0, L > 0, L * eta < 2],
        lyapunov=lambda x: f(x),
        rho=eta * (1 - L * eta / 2),
        nu=L * eta**2 / 2,
        certificate=AUTO,
        function_class=smooth,
    )
    spec.update(kw)
    return DescentLemma(**spec)


def same(a, b) -> bool:
    return sp.cancel(sp.sympify(a) - sp.sympify(b)) == 0


def by_name(cert: dict) -> dict:
    return {fact.name: lam for fact, lam in cert.items()}


# -- pending theorems are never certified ---------------------------------------------------
def test_auto_theorem_is_not_proved_and_says_run_prove():
    v = sgd_lemma().check(timeout=30)
    assert v.status == "not proved"
    assert "run lyapunov prove" in v.reason


def test_unknowns_alone_are_pending_too():
    (a,) = unknowns("a")
    th = sgd_lemma(rho=a, certificate={smooth.upper(sgd.x, sgd.x1): 1})
    assert th.pending == "unknowns a"
    assert th.check(timeout=30).status == "not proved"


@pytest.mark.parametrize(
    "changes, message",
    [
        (dict(function_class=None), "function_class"),
        (dict(region=[eta > 0, L > 0, L * eta < 2, unknowns("q")[0] > 0]), "unknown"),
        (dict(certificate={}), "certificate"),
    ],
)
def test_malformed_specs_are_rejected(changes, message):
    with pytest.raises(MalformedError, match=message):
        sgd_lemma(**changes)


def test_nonlinear_unknowns_are_rejected_with_a_clear_error():
    (a,) = unknowns("a")
    with pytest.raises(MalformedError, match="linear"):
        sgd_lemma(lyapunov=lambda x: f(x) + a**2 * sqnorm(x.grad))


def test_unknowns_validates_its_input():
    with pytest.raises(TypeError):
        unknowns(3)
    with pytest.raises(ValueError, match="not a valid name"):
        unknowns("a 1b")


# -- the shipped lemmas, re-derived from templates -------------------------------------------
def test_p3_template_gives_p3_certificate():
    th = load_file(TEMPLATES / "p3_auto.py")[0].theorem
    res = synthesize(th, timeout=120)
    assert res.certified, res.reason
    hand, _ = load("p3_sgd_descent")
    assert by_name(res.certificate).keys() == by_name(hand.certificate).keys()
    for name, lam in by_name(hand.certificate).items():
        assert same(by_name(res.certificate)[name], lam)


def test_p4_template_solves_a_and_b_as_p4_has_them():
    th = load_file(TEMPLATES / "p4_auto.py")[0].theorem
    res = synthesize(th, timeout=180)
    assert res.certified, res.reason
    ns = runpy.run_path(str(PROOFS / "p4_spa_descent.py"))
    sol = {u.name: v for u, v in res.solution.items()}
    assert same(sol["a"], ns["a"]) and same(sol["b"], ns["b"])
    hand = by_name(ns["theorem"].certificate)
    got = by_name(res.certificate)
    assert got.keys() == hand.keys()
    assert all(same(got[k], hand[k]) for k in hand)
    assert res.theorem.check(timeout=120).certified


def test_p7_template_solves_a():
    th = load_file(TEMPLATES / "p7_auto.py")[0].theorem
    res = synthesize(th, timeout=180)
    assert res.certified, res.reason
    ns = runpy.run_path(str(PROOFS / "p7_spa_correlation_gain.py"))
    assert same(res.solution[th.unknowns[0]], ns["a"])


def _shipped_lemmas():
    """Every shipped descent lemma whose certificate uses only facts of its function class
    and the noise (a hypothesis, as in P5, is not in the pool)."""
    out = []
    for path in sorted(PROOFS.glob("p*.py")):
        for item in load_file(path):
            th = item.theorem
            by_hand = "Certificate (by hand" in th.statement  # says the search cannot
            if (
                isinstance(th, DescentLemma)
                and not by_hand
                and all(f.origin is not None or f.name == "variance(xi)" for f in th.certificate)
            ):
                out.append(pytest.param(th, id=th.name.split()[0]))
    return out


@pytest.mark.parametrize("th", _shipped_lemmas())
def test_auto_version_of_each_shipped_lemma_certifies(th):
    """Keep the Lyapunov function, rate and region of the shipped proof; forget its
    multipliers: the synthesizer must find (some) certificate the exact check accepts."""
    cls = th.function_class or next(f.origin[0] for f in th.certificate if f.origin)
    res = synthesize(th.replace(certificate=AUTO, function_class=cls), timeout=300)
    assert res.certified, res.reason


def test_the_shipped_lemmas_are_all_covered():
    names = {p.id for p in _shipped_lemmas()}
    assert {"P3", "P4", "P4b", "P7", "P8", "P13", "P15", "P16a", "P16b"} <= names


def test_same_seed_same_certificate():
    a = synthesize(sgd_lemma(rho=eta / 2, region=[eta > 0, L > 0, L * eta <= 1]), seed=3)
    b = synthesize(sgd_lemma(rho=eta / 2, region=[eta > 0, L > 0, L * eta <= 1]), seed=3)
    assert a.certified and b.certified
    assert by_name(a.certificate) == by_name(b.certificate)


def test_slack_in_the_rate_gives_a_nonzero_residual_certificate():
    res = synthesize(sgd_lemma(rho=eta / 2, nu=L * eta**2, region=[eta > 0, L > 0, L * eta <= 1]))
    assert res.certified, res.reason
    assert res.theorem.residual().simplified().basis() != []  # not a zero residual


# -- false specs never come out certified ----------------------------------------------------
@pytest.mark.parametrize(
    "changes",
    [
        dict(rho=eta * (1 - L * eta / 4)),  # a rate better than the truth
        dict(nu=0),  # the noise term missing
    ],
    ids=["rate too good", "no noise term"],
)
def test_false_claims_are_infeasible_with_a_point_of_the_region(changes):
    th = sgd_lemma(**changes)
    res = synthesize(th, timeout=60)
    assert res.status == "infeasible"
    assert res.theorem is None
    pt = {
        s: sp.Rational(res.point[s.name].numerator, res.point[s.name].denominator)
        for s in th.region.symbols
        if s.name in res.point
    }
    assert th.region.contains({**pt, sigma2: sp.Integer(1)})
    assert "likely false" in res.reason


def test_region_too_large_is_not_certified_and_names_the_subregion():
    th = sgd_lemma(region=[eta > 0, L > 0, L * eta < 3])
    res = synthesize(th, timeout=120)
    assert res.status != "certified"
    assert res.theorem is None
    assert "sub-region" in res.reason
    assert res.partial is not None and res.partial.check(timeout=60).certified


def test_p4_with_too_large_region_is_not_certified():
    ns = runpy.run_path(str(TEMPLATES / "p4_auto.py"))
    th, c, eta4, L4 = ns["theorem"], ns["c"], ns["eta"], ns["L"]
    cond = (1 - c) * (2 - c - L4 * eta4) >= 0
    assert cond in th.region.conditions
    wide = th.replace(region=[k for k in th.region.conditions if k != cond])
    res = synthesize(wide, timeout=120)
    assert res.status != "certified" and res.theorem is None


def test_a_wrong_exact_solve_is_caught_by_the_exact_check(monkeypatch):
    """The synthesizer's own solve is not trusted: corrupt it and nothing is certified."""
    real = synth_mod._solve_linear

    def corrupted(eqs, variables):
        sol, free = real(eqs, variables)
        if sol is not None:
            sol = {
                v: 2 * x if getattr(v, "name", "") == "variance(xi)" else x for v, x in sol.items()
            }
            sol = {
                v: x * sp.Rational(9, 10) if getattr(v, "name", "") == "upper(x,x1)" else x
                for v, x in sol.items()
            }
        return sol, free

    monkeypatch.setattr(synth_mod, "_solve_linear", corrupted)
    res = synthesize(sgd_lemma(), timeout=60, rounds=2)
    assert res.status != "certified"
    assert res.verdict is not None and res.verdict.status == "refuted"


def test_synthesize_validates_its_input():
    hand, _ = load("p3_sgd_descent")
    with pytest.raises(ValueError, match="no certificate=AUTO"):
        synthesize(hand)
    with pytest.raises(TypeError):
        synthesize("P3")


# -- the written proof file ------------------------------------------------------------------
def test_prove_file_writes_a_readable_file_that_check_certifies(tmp_path):
    out = tmp_path / "p4_proved.py"
    fr = prove_file(TEMPLATES / "p4_auto.py", out, timeout=180)
    assert fr.certified and fr.output == out
    text = out.read_text()
    assert "AUTO" not in text.split("import")[-1]  # no certificate=AUTO left
    assert "unknowns(" not in text
    assert "smooth.upper(step.x, step.x1):" in text
    assert "/D" in text  # the file's own name for D = c(2 - c) + 2 L eta (1 - c)
    th = load_file(out)[0].theorem
    assert not th.pending and th.check(timeout=120).certified


def test_written_rationals_are_exact(tmp_path):
    src = tmp_path / "half.py"
    src.write_text(
        "from lyapunov.engine import AUTO, DescentLemma, OneStep, Smooth, f, params\n"
        "from lyapunov.methods import sgd_step\n"
        "eta, L, sigma2 = params('eta L sigma2')\n"
        "step = OneStep(['x'], lambda x, g: sgd_step(x, g, eta), sigma2)\n"
        "smooth = Smooth(L)\n"
        "theorem = DescentLemma(name='SGD at L eta = 1', step=step,\n"
        "    region=[eta > 0, L > 0, L * eta <= 1], lyapunov=lambda x: f(x),\n"
        "    rho=eta / 2, nu=L * eta**2 / 2, certificate=AUTO, function_class=smooth)\n"
    )
    fr = prove_file(src, tmp_path / "out.py", timeout=120)
    assert fr.certified
    assert load_file(tmp_path / "out.py")[0].theorem.check(timeout=60).certified


# -- the command line ------------------------------------------------------------------------
def run(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    cap = capsys.readouterr()
    return exc.value.code, cap.out, cap.err


def test_cli_prove_then_check(tmp_path, capsys):
    out = tmp_path / "p3.py"
    code, text, _ = run(["prove", str(TEMPLATES / "p3_auto.py"), "-o", str(out)], capsys)
    assert code == 0 and "1 of 1 theorems proved and certified" in text
    code, text, _ = run(["check", str(out)], capsys)
    assert code == 0 and "certified" in text


def test_cli_prove_json_and_false_spec_exit_1(tmp_path, capsys):
    src = tmp_path / "false.py"
    src.write_text(
        (TEMPLATES / "p3_auto.py").read_text().replace("rho=eta * (1 - L * eta / 2)", "rho=eta")
    )
    code, text, _ = run(["prove", str(src), "-o", str(tmp_path / "o"), "--json"], capsys)
    assert code == 1
    doc = json.loads(text)
    th = doc["files"][0]["theorems"][0]
    assert th["status"] == "infeasible" and th["point"] and "likely false" in th["reason"]
    assert doc["certified"] == 0 and doc["total"] == 1


def test_cli_check_on_auto_file_exits_1(capsys):
    code, text, _ = run(["check", str(TEMPLATES / "p3_auto.py")], capsys)
    assert code == 1 and "run lyapunov prove" in text


@pytest.mark.parametrize(
    "argv, message",
    [
        (["prove", "no/such/file.py"], "no such file"),
        (["prove", "{t}", "--timeout", "-1"], "positive"),
        (["prove", "{t}", "{t}", "-o", "{tmp}/x.py"], "output folder"),
    ],
)
def test_cli_prove_bad_usage_exits_2(argv, message, tmp_path, capsys):
    argv = [a.format(t=TEMPLATES / "p3_auto.py", tmp=tmp_path) for a in argv]
    code, _, err = run(argv, capsys)
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1


def test_cli_prove_malformed_file_exits_2(tmp_path, capsys):
    bad = tmp_path / "bad.py"
    bad.write_text("from lyapunov.engine import AUTO\ntheorem = 3\n")
    code, _, err = run(["prove", str(bad)], capsys)
    assert code == 2 and "bad.py" in err


def test_cli_prove_nothing_to_prove(capsys):
    code, text, _ = run(["prove", str(PROOFS / "p3_sgd_descent.py"), "-o", "/tmp/x/"], capsys)
    assert code == 0 and "nothing to prove" in text


def test_templates_folder_is_not_part_of_lyapunov_check():
    from lyapunov.loader import proof_files

    assert not any("templates" in str(p) for p in proof_files([PROOFS]))
    assert Path(TEMPLATES / "p4_auto.py").is_file()


def test_guide_prove_page_works_as_written(tmp_path):
    """docs/guide/prove.md's lemma and its two commands (the blocks it marks tested-in here)."""
    import shlex
    import subprocess
    import sys

    from support.snippets import blocks

    page = PROOFS.parent / "docs" / "guide" / "prove.md"
    here = ("tested-in", "tests/test_synthesis.py")
    mine = [b for b in blocks(page) if (b.marker, b.arg) == here]
    code = next(b.text for b in mine if b.lang == "python")
    bash = next(b.text for b in mine if b.lang == "bash")
    (tmp_path / "my_lemma.py").write_text(code)
    for line in bash.splitlines():
        args = shlex.split(line.split("#")[0])
        assert args[0] == "lyapunov"
        r = subprocess.run(
            [sys.executable, "-m", "lyapunov.cli", *args[1:]],
            capture_output=True,
            text=True,
            timeout=600,
            cwd=tmp_path,
        )
        assert r.returncode == 0, (line, r.stdout, r.stderr)
    written = (tmp_path / "my_lemma_proved.py").read_text()
    assert "a = (1 - L*eta/2)/eta" in written  # what the page says it finds


# -- rho=AUTO: the best rate of the template -------------------------------------------------
def test_rho_auto_finds_sgd_rate():
    th = sgd_lemma(rho=AUTO)
    assert "rho=AUTO" in th.pending
    res = synthesize(th, timeout=120)
    assert res.certified, res.reason
    assert same(res.theorem.rho, eta * (1 - L * eta / 2))


def test_rho_auto_with_unknown_weights_finds_p4_rate(tmp_path):
    src = tmp_path / "p4_rho.py"
    text = (TEMPLATES / "p4_auto.py").read_text()
    src.write_text(text.replace("rho=c * eta * (4 - 2 * c - c * L * eta) / (2 * D),", "rho=AUTO,"))
    fr = prove_file(src, tmp_path / "out.py", timeout=300)
    assert fr.certified, [r.reason for r in fr.results]
    th = load_file(tmp_path / "out.py")[0].theorem
    hand, _ = load("p4_spa_descent")
    assert same(th.rho, hand.rho)
    assert "rho=AUTO" not in (tmp_path / "out.py").read_text()
