"""P21 (SGD+M / SPA on smooth convex f, the last iterate): both pieces certify and meet where
their regions do; a faster rate, a smaller noise term or a wider region is refuted; the bound
holds along seeded simulated runs; it is never below the exact worst case; and the calculators
and the CLI give the theorem's own number."""

from __future__ import annotations

import json
from functools import cache

import numpy as np
import pytest
import sympy as sp
from proofutil import PROOFS

from lyapunov import bounds
from lyapunov.engine import CERTIFIED
from lyapunov.loader import load_file

FILE = PROOFS / "p21_sgdm_smooth_convex_last.py"


@cache
def _theorems() -> dict:
    return {e.theorem.name.split()[0]: e.theorem for e in load_file(FILE)}


def _sym(th, name: str) -> sp.Symbol:
    return next(s for s in th.region.symbols if s.name == name)


def _value(expr: sp.Expr, **values) -> float:
    return float(expr.subs({s: sp.Rational(str(values[s.name])) for s in expr.free_symbols}))


@pytest.mark.parametrize("label", ["P21a", "P21b"])
def test_certified(label):
    v = _theorems()[label].check(timeout=60)
    assert v.status == CERTIFIED, v.reason


def test_the_pieces_agree_where_their_regions_meet():
    """On Q = c - 3t + 4ct - c t^2 = 0 (c = 3t / (1 + 4t - t^2)) P21a's weight w is 0: both
    bounds are the same expression there, and P21b's is D^2 / (2 eta n) + noise."""
    a, b = _theorems()["P21a"], _theorems()["P21b"]
    gap, dist2, n = sp.symbols("gap dist2 n", positive=True)
    t, c, L = _sym(a, "t"), _sym(a, "c"), _sym(a, "L")
    on_q0 = {c: 3 * t / (1 + 4 * t - t**2)}
    diff = (a.bound(gap, dist2, n) - b.bound(gap, dist2, n)).subs(on_q0)
    assert sp.simplify(diff) == 0
    det = b.bound(gap, dist2, n).subs(_sym(b, "sigma2"), 0)
    assert sp.simplify(det - dist2 * L / (2 * t * n)) == 0
    assert gap in a.bound(gap, dist2, n).free_symbols  # P21a's w > 0 inside its region


def _faster(th, r):
    """The same certificate with the step counter k read as r k: a weight growing by r per
    step, i.e. a bound (w gap + D^2/(2 eta))/(w + r n), r times faster."""
    k = th.counter
    lyap = th.lyapunov

    def fast(*points):
        return lyap(*points).subs({k: r * k})

    cert = {fact: sp.sympify(lam).subs(k, r * k) for fact, lam in th.certificate.items()}
    return th.replace(lyapunov=fast, certificate=cert, nu=th.nu.subs(k, r * k))


def _less_noise(th, r):
    var = next(fact for fact in th.certificate if "var" in fact.name)
    cert = {**th.certificate, var: th.certificate[var] * r}
    return th.replace(nu=th.nu * r, certificate=cert)


def _wider(th, slack):
    """P21a: L eta < 2 + slack; P21b (where L eta < 2 is implied): Q >= -slack."""
    t, c = _sym(th, "t"), _sym(th, "c")
    q = c - 3 * t + 4 * c * t - c * t**2
    small_steps = (q >= 0) in th.region.conditions
    old, new = (q >= 0, q >= -slack) if small_steps else (t < 2, t < 2 + slack)
    region = [cond for cond in th.region.conditions if cond != old]
    assert len(region) == len(th.region.conditions) - 1
    return th.replace(region=[*region, new])


@pytest.mark.parametrize("label", ["P21a", "P21b"])
@pytest.mark.parametrize(
    "what, mutate",
    [
        ("rate 11/10 times faster", lambda th: _faster(th, sp.Rational(11, 10))),
        ("noise term 1% smaller", lambda th: _less_noise(th, sp.Rational(99, 100))),
        ("region wider by 1/10", lambda th: _wider(th, sp.Rational(1, 10))),
    ],
)
def test_stronger_claims_are_refuted(label, what, mutate):
    th = _theorems()[label]
    v = mutate(th).check(timeout=120)
    assert v.status == "refuted", (what, v.reason)


#: (objective, lr, momentum, sigma2): points of P21a and P21b, small and large momentum
SIM = [
    ("huber", 0.5, 0.5, 0.1),  # L eta = 1: P21a
    ("huber", 0.1, 0.9, 0.1),  # L eta = 1, c = 0.1: P21a, w = 26
    ("huber", 0.1, 0.5, 0.1),  # L eta = 0.2: P21b
    ("logistic", 0.9, 0.5, 0.01),  # L eta = 1.8: P21a, near the edge of the region
]


@pytest.mark.parametrize("objective, lr, momentum, sigma2", SIM)
def test_bound_holds_along_simulated_runs(objective, lr, momentum, sigma2):
    from lyapunov.studies.classes import confirm_class

    r = confirm_class(objective, "sgdm", steps=[1, 5, 20, 100], lr=lr, momentum=momentum,
                      sigma2=sigma2, runs=200, seed=3, function_class="smooth_convex")  # fmt: skip
    assert r.measure == "last_gap" and np.all(np.isfinite(r.bound))
    assert np.all(r.diverged == 0) and r.confirmed
    assert np.all(r.ci_high <= r.bound), (r.ci_high, r.bound)


def test_a_bound_half_as_large_is_caught_by_the_simulation():
    """Huber with large momentum comes within a factor 2 of the bound: the check can fail."""
    from lyapunov.studies.classes import confirm_class

    r = confirm_class("huber", "sgdm", steps=[1, 5], lr=0.1, momentum=0.9, sigma2=0.1,
                      runs=200, seed=3, function_class="smooth_convex")  # fmt: skip
    assert r.confirmed and "violated" in r.outcomes(r.bound / 2)


#: (t = L eta, c, n, theorem, the most the bound may exceed the worst case by)
PEP_POINTS = [
    (0.25, 0.5, 5, "P21b", 5),
    (1.0, 0.5, 10, "P21a", 10),
    (1.5, 0.9, 5, "P21a", 5),
    (1.0, 0.1, 10, "P21a", 5),
    (1.9, 0.5, 5, "P21a", 10),
]


@pytest.mark.parametrize("t, c, steps, label, factor", PEP_POINTS)
def test_bound_is_at_least_the_exact_worst_case(t, c, steps, label, factor):
    pytest.importorskip("cvxpy")
    from lyapunov import pep

    kw = dict(steps=steps, L=1.0, function_class="smooth_convex", distance=1.0)
    r = bounds.spa(eta=t, c=c, sigma2=0.0, measure="last_gap", detail=True, **kw)
    w = pep.solve("spa", eta=t, c=c, measure="last_gap", **kw).value
    assert r.theorem == label
    assert np.isfinite(r.value) and r.value >= w * (1 - 1e-6), (r.value, w)
    assert r.value <= factor * w  # and not vacuous


def test_calculators_and_cli_give_the_theorems_number(capsys):
    from lyapunov.cli import main

    th = _theorems()["P21a"]
    lr, momentum, L, sigma2, steps = 0.04, 0.9, 4.0, 0.01, 40  # t = L eta = 1.6, c = 0.1
    eta, c = lr / (1 - momentum), 1 - momentum
    want = _value(th.bound(sp.Rational(1, 2), 1, steps), t=L * eta, c=c, L=L, sigma2=sigma2)
    kw = dict(L=L, sigma2=sigma2, steps=steps, function_class="smooth_convex", distance=1.0)
    got = bounds.sgdm(lr=lr, momentum=momentum, gap=0.5, measure="last_gap", detail=True, **kw)
    assert got.theorem == "P21a" and got.measure == "last_gap"
    assert got.value == pytest.approx(want, rel=1e-9)
    assert bounds.spa(eta=eta, c=c, gap=0.5, measure="last_gap", **kw) == pytest.approx(
        want, rel=1e-9
    )
    args = ["bound", "sgdm", "--class", "smooth_convex", "--measure", "last_gap"]
    args += ["--distance", "1", "--gap", "0.5", "--lr", str(lr), "--momentum", str(momentum)]
    args += ["--L", str(L), "--sigma2", str(sigma2), "--steps", str(steps), "--json"]
    with pytest.raises(SystemExit) as exc:
        main(args)
    doc = json.loads(capsys.readouterr().out)
    assert exc.value.code == 0 and doc["theorem"] == "P21a"
    assert doc["bound"] == pytest.approx(want, rel=1e-9)
    # at L eta = 2 no piece applies: inf, with the failing condition named
    out = bounds.sgdm(lr=0.05, momentum=0.9, gap=0.5, measure="last_gap", detail=True, **kw)
    assert out.value == np.inf and out.reason.startswith("P21a: ") and "fails" in out.reason
