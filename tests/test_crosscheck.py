"""Numeric cross-check, independent of the exact checker (floats here are only a test).

* every certified descent lemma holds on random concrete instances: random L-smooth functions
  of several families, random states, and a two-point noise law whose expectation is exact;
* every refuted variant's counterexample is confirmed: the residual form evaluated in floating
  point at the reported point and witness is positive, and for false claims a concrete
  function violating the claim is found.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from proofutil import PROOFS, instance_value, load, sample_region
from support.instances import FAMILIES
from support.mutants import descent_mutants

from lyapunov.engine import CERTIFIED, DescentLemma
from lyapunov.loader import load_file, proof_files

DESCENT = [
    (p.stem, i)
    for p in proof_files([PROOFS])
    for i, item in enumerate(load_file(p))
    if isinstance(item.theorem, DescentLemma)
]


@pytest.mark.parametrize("stem,index", DESCENT)
def test_certified_lemma_holds_on_random_instances(stem, index):
    th = load_file(PROOFS / f"{stem}.py")[index].theorem
    rng = np.random.default_rng(12345)
    worst, used = -np.inf, 0
    for pt in sample_region(th, rng, 25):
        for family in FAMILIES:
            for _ in range(4):
                val = instance_value(th, pt, rng, family)
                if val is None:
                    continue
                used += 1
                worst = max(worst, val)
                assert val <= 1e-9, (pt, family, val)
    assert np.isfinite(worst) and used >= 40


def _residual_at_witness(th, ce_point, witness):
    res = th.residual()
    basis = res.basis()
    Q = res.matrix(basis)
    sub = {s: sp.Rational(ce_point[s.name]) for s in th.region.symbols}
    v = np.array([float(Fraction(w)) for w in witness])
    Qf = np.array(Q.subs(sub).tolist(), dtype=float)
    return float(v @ Qf @ v)


def test_refuted_counterexamples_confirmed_numerically():
    th, _ = load("p3_sgd_descent")
    confirmed = 0
    for desc, m in descent_mutants(th):
        v = m.check(timeout=60)
        assert v.status != CERTIFIED, desc
        if v.status != "refuted":
            continue
        failed = v.failed
        point = {k: sp.Rational(x) for k, x in failed.counterexample().items()}
        assert m.region.contains({s: point[s.name] for s in m.region.symbols}), desc
        if "witness" in failed.detail:
            witness = [
                w.split("=")[1]
                for w in failed.detail.split("witness ")[1].split(";")[0].split(", ")
            ]
            assert _residual_at_witness(m, failed.counterexample(), witness) > 0, desc
            confirmed += 1
    assert confirmed >= 1


def test_false_claim_violated_by_a_concrete_function():
    """rho 1% too big in the SGD lemma: a quadratic with curvature L breaks the claim."""
    th, _ = load("p3_sgd_descent")
    m = th.replace(rho=th.rho * sp.Rational(101, 100))
    v = m.check()
    assert v.status == "refuted"
    pt = {s: sp.Rational(v.counterexample()["point"][s.name]) for s in m.region.symbols}
    # at the counterexample point, search concrete instances for a violation
    rng = np.random.default_rng(0)
    found = max(instance_value(m, pt, rng, "quadratic", dim=1) for _ in range(200))
    assert found > 0
