"""P23 (SGD+M on smooth strongly convex f, the faster linear rate q = 1 - 3 mu eta / 2): it is
certified, a faster claimed contraction is rejected, its bound is never below the exact worst
case of the same method over the same class (and beats P19's there at n = 10), it holds along
seeded runs on strongly convex quadratics, and the calculators take the least of P19 and P23."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from proofutil import PROOFS

from lyapunov.engine import CERTIFIED
from lyapunov.loader import load_file
from lyapunov.objectives.convex_quadratic import ConvexQuadratic

pytest.importorskip("cvxpy")

#: the exact worst case's class, measure and start: L = 1, |x_0 - x_*| <= 1
WORST = dict(L=1.0, function_class="smooth_strongly_convex", measure="last_gap", distance=1.0)


def _theorem(name: str = "p23_sgdm_strongly_convex_fast.py"):
    return load_file(PROOFS / name)[0].theorem


def _point(th, t, c, m, L=1.0, sigma2=0.0) -> dict:
    """The theorem's symbols at (t = L eta, c, m = mu / L, L, sigma2), exactly."""
    vals = {"t": t, "c": c, "m": m, "L": L, "sigma2": sigma2}
    return {s: sp.Rational(str(vals[s.name])) for s in th.region.symbols}


def _inside(th, sub) -> bool:
    return all(bool(cond.subs(sub)) for cond in th.region.conditions)


def _bound(th, sub, gap, dist2, steps) -> float:
    expr = th.bound(sp.Rational(str(gap)), sp.Rational(str(dist2)), steps)
    return float(expr.subs(sub))


def test_certified():
    assert _theorem().check(timeout=120).status == CERTIFIED


def test_a_faster_contraction_is_rejected():
    th = _theorem()
    v = th.replace(contraction=th.contraction * sp.Rational(99, 100)).check(timeout=120)
    assert v.status != CERTIFIED


def test_the_rate_is_three_times_p19s_exponent():
    th, th19 = _theorem(), _theorem("p19_sgdm_strongly_convex.py")
    sub = _point(th, 0.5, 0.5, 0.1)
    assert 1 - th.contraction.subs(sub) == 3 * (1 - th19.contraction.subs(sub))


@pytest.mark.parametrize(
    "t,c,m,steps",
    [(0.5, 0.5, 0.1, 10), (0.25, 0.2, 0.1, 8), (0.5, 0.9, 0.1, 6), (1.0, 0.5, 0.01, 5)],
)
def test_bound_is_at_least_the_exact_worst_case(t, c, m, steps):
    from lyapunov import pep

    th, th19 = _theorem(), _theorem("p19_sgdm_strongly_convex.py")
    sub = _point(th, t, c, m)
    assert _inside(th, sub) and _inside(th19, _point(th19, t, c, m))
    # every f of the class with |x_0 - x_*| <= 1 has f(x_0) - f_* <= L/2
    b = _bound(th, sub, 0.5, 1, steps)
    w = pep.solve("spa", eta=t, c=c, steps=steps, mu=m, **WORST).value
    assert np.isfinite(b) and b >= w * (1 - 1e-6), (b, w)
    if steps == 10:  # the faster rate pays off against P19 by n = 10
        assert b < _bound(th19, _point(th19, t, c, m), 0.5, 1, steps)


@pytest.mark.parametrize("t,c", [(0.5, 0.5), (0.25, 0.2), (0.6, 0.9)])
def test_bound_holds_along_runs_on_strongly_convex_quadratics(t, c):
    th = _theorem()
    L, mu, sigma2, dim, runs, steps = 2.0, 0.2, 0.01, 4, 200, 30
    obj = ConvexQuadratic(dim, spectrum=[mu, 0.5, 1.5, L], seed=3)
    sub = _point(th, t, c, mu / L, L=L, sigma2=sigma2)
    assert _inside(th, sub)
    eta = t / L
    rng = np.random.default_rng(0)
    x0 = obj.x0()
    gap, dist2 = obj.gap(x0), obj.distance(x0) ** 2
    x = np.tile(x0, (runs, 1))
    z = x.copy()
    for n in range(1, steps + 1):
        xi = rng.standard_normal((runs, dim)) * np.sqrt(sigma2 / dim)  # E|xi|^2 = sigma2
        z = z - eta * (obj.grad(x) + xi)
        x = (1 - c) * x + c * z
        mean_gap = float(np.mean(obj.f(x) - obj.f_star))
        assert mean_gap <= _bound(th, sub, gap, dist2, n), n
    # and deterministically (sigma2 = 0), point by point
    sub0 = _point(th, t, c, mu / L, L=L)
    x = x0.copy()
    z = x.copy()
    for n in range(1, steps + 1):
        z = z - eta * obj.grad(x[None])[0]
        x = (1 - c) * x + c * z
        gap_n = float(obj.f(x[None])[0] - obj.f_star)
        assert gap_n <= _bound(th, sub0, gap, dist2, n) * (1 + 1e-12), n


def test_calculator_takes_the_least_of_p19_and_p23():
    from lyapunov import bounds

    th = _theorem()
    L, mu, sigma2, steps = 2.0, 0.1, 0.01, 40
    kw = dict(
        L=L,
        mu=mu,
        sigma2=sigma2,
        steps=steps,
        distance=1.0,
        gap=0.5,
        function_class="smooth_strongly_convex",
        measure="last_gap",
    )
    lr, momentum = 0.1, 0.5  # t = L lr / (1 - momentum) = 0.4, inside P23's region
    eta, c = lr / (1 - momentum), 1 - momentum
    got = bounds.sgdm(lr=lr, momentum=momentum, detail=True, **kw)
    sub = _point(th, L * eta, c, mu / L, L=L, sigma2=sigma2)
    want = _bound(th, sub, 0.5, 1, steps)
    assert got.theorem == "P23" and got.value == pytest.approx(want, rel=1e-9)
    assert bounds.spa(eta=eta, c=c, **kw) == pytest.approx(want, rel=1e-9)
    # L eta = 1.2 is outside P23's region (mu/L = 0.05, c = 1/2), inside P19's: P19 it is
    out = bounds.sgdm(lr=0.3, momentum=0.5, detail=True, **kw)
    assert out.theorem == "P19" and np.isfinite(out.value)
