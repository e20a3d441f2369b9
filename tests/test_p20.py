"""P20 (SGD+M under PL, a linear rate): its bound holds along runs of SGD+M on a non-convex PL
function, and a faster claimed contraction is rejected by the checker."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from proofutil import PROOFS

from lyapunov.engine import CERTIFIED
from lyapunov.loader import load_file
from lyapunov.objectives import make


def _theorem():
    return load_file(PROOFS / "p20_sgdm_pl.py")[0].theorem


def _symbols(th):
    return {s.name: s for s in th.region.symbols}


@pytest.mark.parametrize("t,c", [(1.0, 0.5), (1.8, 0.1), (0.9, 0.95)])
def test_bound_holds_along_runs_on_a_non_convex_pl_function(t, c):
    th = _theorem()
    obj = make("pl_sine", dim=3)
    L, mu = obj.constants("pl")["L"], obj.constants("pl")["mu"]
    sym = _symbols(th)
    point = {"t": t, "c": c, "L": L, "m": mu / L, "sigma2": 0.0}
    sub = {sym[k]: sp.Rational(str(v)) for k, v in point.items()}
    assert all(bool(cond.subs(sub)) for cond in th.region.conditions)
    eta = t / L
    rng = np.random.default_rng(0)
    for _ in range(5):
        x = rng.uniform(-3, 3, 3)
        z, gap = x.copy(), obj.gap(x)
        for n in range(1, 61):
            z = z - eta * obj.grad(x)
            x = (1 - c) * x + c * z
            bound = float(th.bound(sp.Rational(gap), 0, n).subs(sub))
            assert obj.f(x) - obj.f_star <= bound * (1 + 1e-12) + 1e-15, (n, bound)


def test_a_faster_contraction_is_rejected():
    th = _theorem()
    sym = _symbols(th)
    m, t, c = sym["m"], sym["t"], sym["c"]
    v = th.replace(contraction=1 - 2 * m * t * c).check(timeout=120)
    assert v.status != CERTIFIED


def test_calculator_is_the_theorem_in_the_optimizers_coordinates():
    from lyapunov import bounds

    th = _theorem()
    sym = _symbols(th)
    lr, momentum, mu, L = 0.1, 0.8, 0.05, 1.5
    eta, c = lr / (1 - momentum), 1 - momentum
    got = bounds.sgdm(
        lr=lr,
        momentum=momentum,
        L=L,
        mu=mu,
        sigma2=0.1,
        steps=30,
        gap=2.0,
        function_class="pl",
        detail=True,
    )
    sub = {sym["t"]: sp.Rational(str(L)) * sp.Rational(str(eta)), sym["c"]: sp.Rational(str(c))}
    sub |= {sym["m"]: sp.Rational(str(mu)) / sp.Rational(str(L)), sym["L"]: sp.Rational(str(L))}
    sub |= {sym["sigma2"]: sp.Rational(str(0.1))}
    want = float(th.bound(2, 0, 30).subs(sub))
    assert got.theorem == "P20" and got.value == pytest.approx(want, rel=1e-9)
    # plain SGD keeps its own (faster) theorem in the class
    sgd = bounds.sgd(lr=lr, L=L, mu=mu, sigma2=0.1, steps=30, gap=2.0, function_class="pl")
    assert np.isfinite(sgd) and sgd < got.value
