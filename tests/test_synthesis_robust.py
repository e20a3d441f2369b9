"""Certificate synthesis gives the same answer on every machine.

The numerical SDP only suggests; what it returns differs in the last digits between machines
(OpenBLAS picks AVX2 or AVX-512 kernels at run time, thread counts differ) and a badly scaled
sample can make the solver fail on one machine and not on another. These tests perturb the
SDP's answers by seeded noise of the order of the solver's tolerance, reverse the order of the
samples, and run the synthesis under other BLAS thread counts, kernels and hash seeds: the
exact check must still certify, with the same certificate.
"""

from __future__ import annotations

import dataclasses
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

pytest.importorskip("cvxpy")

from proofutil import PROOFS, load  # noqa: E402

from lyapunov.engine import AUTO, synthesize  # noqa: E402
from lyapunov.engine.search import support as support_mod  # noqa: E402
from lyapunov.engine.search import synthesis as synth_mod  # noqa: E402
from lyapunov.engine.search.sdp import SDPResult  # noqa: E402
from lyapunov.engine.search.support import FAIL, PASS, UNSURE, NumericSearch, judge  # noqa: E402

EPS = 1e-7  # 10x Clarabel's default tolerances (1e-8), 10x below the search's own (1e-6)


def same(a, b) -> bool:
    return sp.cancel(sp.sympify(a) - sp.sympify(b)) == 0


def auto(th):
    """The theorem with its multipliers forgotten (its function class kept or inferred)."""
    cls = th.function_class or next(f.origin[0] for f in th.certificate if f.origin)
    return th.replace(certificate=AUTO, function_class=cls)


def assert_same_certificate(got: dict, hand: dict) -> None:
    got = {f.name: v for f, v in got.items()}
    hand = {f.name: v for f, v in hand.items()}
    assert got.keys() == hand.keys()
    for name, lam in hand.items():
        assert same(got[name], lam), (name, got[name], lam)


# -- one sample's verdict ---------------------------------------------------------------------
def result(status: str, slack: float, top: float = 1.0) -> SDPResult:
    values = None if status in ("solver_error", "infeasible") else np.array([top, 0.5])
    return SDPResult(status, values, slack)


@pytest.mark.parametrize(
    "res, verdict",
    [
        (result("optimal", 1e-9), PASS),
        (result("optimal_inaccurate", 1e-9), PASS),
        (result("optimal", 1e-6, top=1e6), PASS),  # the tolerance is relative to the multipliers
        (result("optimal", 1e-3), FAIL),
        (result("infeasible", 0.0), FAIL),
        (result("optimal_inaccurate", 1e-3), UNSURE),
        (result("solver_error", 0.0), UNSURE),
        (result("infeasible_inaccurate", 0.0), UNSURE),
    ],
)
def test_a_sample_passes_fails_or_is_unsure(res, verdict):
    assert judge(res) == verdict


@pytest.mark.parametrize(
    "verdicts, counts",
    [
        ([PASS] * 5, (5, 0)),
        ([PASS, PASS, UNSURE, PASS, UNSURE], (3, 2)),  # unsure samples do not veto
        ([PASS, PASS, FAIL, PASS, PASS], None),  # one accurate failure does
        ([PASS, UNSURE, UNSURE, PASS, UNSURE], None),  # nor can a minority confirm a choice
    ],
)
def test_a_choice_needs_no_failure_and_a_majority_of_passes(monkeypatch, verdicts, counts):
    s = NumericSearch(auto(load("p3_sgd_descent")[0]), timeout=None, samples=5, seed=0)
    s.points = [{"k": i} for i in range(len(verdicts))]
    script = iter(verdicts)
    monkeypatch.setattr(s, "judge_at", lambda *a, **k: next(script))
    assert s.tally(set()) == counts


# -- the sample that broke P4b on one machine -------------------------------------------------
BAD = {"L": sp.Rational(1, 1000), "c": sp.Rational(121, 250), "eta": sp.Rational(27, 500)}


def p4b_search() -> tuple[NumericSearch, dict, list[str]]:
    """P4b's search with its default samples, the shipped theorem and the residual entries
    its shipped certificate makes vanish."""
    hand, _ = load("p4b_spa_descent_primal_family")
    s = NumericSearch(auto(hand), timeout=None, samples=6, seed=0)
    s.sample()
    by_name = {f.name: f for f in s.pool}
    values = {by_name[f.name]: lam for f, lam in hand.certificate.items()}
    zero = [
        e.label for e in s.lin.entries if e.kind != "fval" and sp.cancel(e.value.at(values)) == 0
    ]
    return s, hand, zero


def test_p4b_default_samples_include_the_badly_scaled_point():
    """L = 1/1000: the shipped multiplier of lipschitz(x,z) is about 7e6 there and Clarabel's
    answer with |z - x|^2 forced to 0 depends on the BLAS kernels (solver_error with
    AVX-512, an inaccurate solve with AVX2). The search must not hinge on it."""
    s, hand, zero = p4b_search()
    names = [{k.name: v for k, v in pt.items()} for pt in s.points]
    assert any(all(pt[k] == v for k, v in BAD.items()) for pt in names)
    ell = next(lam for f, lam in hand.certificate.items() if f.name == "lipschitz(x,z)")
    pt = next(p for p, n in zip(s.points, names, strict=True) if n["L"] == BAD["L"])
    assert float(ell.subs(pt)) > 1e6
    assert "|(z-x)|^2" in zero


def test_a_free_multiplier_is_fixed_by_the_samples_and_the_exact_check():
    """Leave |z - x|^2 out of the forced entries (as the search did on some machines): the
    multiplier of lipschitz(x,z) is then free, and the first admissible choice must be the
    one that certifies."""
    s, hand, zero = p4b_search()
    zero = [z for z in zero if z != "|(z-x)|^2"]
    support = {f for f in s.pool if f.name in {g.name for g in hand.certificate}}
    sols, why = synth_mod._exact_candidates(s, support, zero, limit=3)
    assert sols, why
    cert = {f: v for f, v in sols[0].items() if f in support and v != 0}
    assert_same_certificate(cert, hand.certificate)
    filled = synth_mod.fill(s.th, cert, {})
    assert filled.check(timeout=120).certified


# -- perturbed SDP answers --------------------------------------------------------------------
def perturbing(real, rng: np.random.Generator, eps: float, log: list):
    """``solve_at`` whose answers are off by seeded noise of relative size ``eps``."""

    def solve_at(*args, **kw):
        res = real(*args, **kw)
        if res.values is None:
            return res
        v = res.values
        scale = max(1.0, float(np.max(np.abs(v))))
        noisy = v * (1 + eps * rng.standard_normal(v.shape))
        noisy = noisy + eps * scale * rng.standard_normal(v.shape)
        slack = max(0.0, res.slack + eps * scale * float(rng.standard_normal()))
        best = None
        if res.best is not None:
            best = res.best * (1 + eps * float(rng.standard_normal()))
        log.append(float(np.max(np.abs(noisy - v))))
        return dataclasses.replace(res, values=noisy, slack=slack, best=best)

    return solve_at


@pytest.mark.parametrize(
    "stem, seed",
    [
        ("p3_sgd_descent", 0),
        ("p4_spa_descent", 0),
        ("p4b_spa_descent_primal_family", 0),
        ("p4b_spa_descent_primal_family", 1),
    ],
)
def test_perturbed_sdp_solutions_still_certify(monkeypatch, stem, seed):
    log: list[float] = []
    rng = np.random.default_rng(seed)
    monkeypatch.setattr(support_mod, "solve_at", perturbing(support_mod.solve_at, rng, EPS, log))
    hand, _ = load(stem)
    res = synthesize(auto(hand), timeout=300)
    assert log and max(log) > 0  # the noise did reach the search
    assert res.certified, res.reason
    assert res.theorem.check(timeout=120).certified
    if stem.startswith("p4b"):  # its residual pins every multiplier: the shipped ones
        assert_same_certificate(res.certificate, hand.certificate)


def test_sample_order_does_not_change_the_certificate(monkeypatch):
    real = NumericSearch.sample

    def reversed_sample(self):
        real(self)
        self.points.reverse()

    monkeypatch.setattr(NumericSearch, "sample", reversed_sample)
    hand, _ = load("p4b_spa_descent_primal_family")
    res = synthesize(auto(hand), timeout=300)
    assert res.certified, res.reason
    assert_same_certificate(res.certificate, hand.certificate)


# -- other BLAS threads, kernels and hash seeds, in fresh processes ---------------------------
_RUN = """
import json, sys
from lyapunov.engine import AUTO, synthesize
from lyapunov.loader import load_file
th = load_file(sys.argv[1])[0].theorem
doc = synthesize(th.replace(certificate=AUTO), timeout=300).to_json()
doc.pop("seconds")
print(json.dumps(doc, sort_keys=True))
"""


def _has_avx2() -> bool:
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return False
    try:
        return " avx2" in Path("/proc/cpuinfo").read_text()
    except OSError:
        return False


def test_same_answer_with_other_blas_threads_kernels_and_hash_seeds():
    path = PROOFS / "p4b_spa_descent_primal_family.py"
    one = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "PYTHONHASHSEED": "0"}
    two = {"OMP_NUM_THREADS": "2", "OPENBLAS_NUM_THREADS": "2", "PYTHONHASHSEED": "1"}
    if _has_avx2():  # the AVX2 kernels another machine would pick
        two["OPENBLAS_CORETYPE"] = "Haswell"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _RUN, str(path)],
            env={**os.environ, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for env in (one, two)
    ]
    docs = []
    for p in procs:
        out, err = p.communicate(timeout=600)
        assert p.returncode == 0, err
        docs.append(json.loads(out.strip().splitlines()[-1]))
    assert docs[0]["status"] == "certified", docs[0]["reason"]
    assert docs[0] == docs[1]
