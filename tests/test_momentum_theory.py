"""P5 (SGD's rate under a look-ahead hypothesis), P6 (SGD+M vs SGD ratio), P7 (correlation gain).

Each theorem certifies; wrong variants are refuted; numeric cross-checks on concrete instances
(for P5 only at states where its hypothesis holds); exact-arithmetic check that the "natural"
hypothesis <grad f(x_k), x_k - z_k> >= 0 cannot give SGD's rate (P4 is attained under it).
"""

from __future__ import annotations

from fractions import Fraction as Fr

import numpy as np
import pytest
import sympy as sp
from lyapunov.proofs import p3_sgd_descent as p3
from lyapunov.proofs import p4_spa_descent as p4
from lyapunov.proofs import p5_spa_correlation_assumption as p5
from lyapunov.proofs import p6_momentum_vs_sgd_ratio as p6
from lyapunov.proofs import p7_spa_correlation_gain as p7
from proofutil import PROOFS
from support.instances import FAMILIES, expected_claim, random_smooth

from lyapunov.engine import CERTIFIED, Inequalities
from lyapunov.loader import load_file

R = sp.Rational


def _refuted(th):
    v = th.check(timeout=30)
    assert v.status == "refuted", v
    return v


@pytest.mark.parametrize(
    "stem",
    ["p5_spa_correlation_assumption", "p6_momentum_vs_sgd_ratio", "p7_spa_correlation_gain"],
)
def test_theorems_certified(stem):
    for item in load_file(PROOFS / f"{stem}.py"):
        v = item.theorem.check(timeout=30)
        assert v.status == CERTIFIED, (item.theorem.name, v.reason)


# -- P5 -----------------------------------------------------------------------------------------


def test_p5_is_exactly_sgd_rate():
    assert sp.simplify(p5.theorem.rho - p3.theorem.rho) == 0
    assert sp.simplify(p5.theorem.nu - p3.theorem.nu) == 0


def test_p5_wrong_variants_refuted():
    th = p5.theorem
    _refuted(th.replace(rho=th.rho * R(101, 100)))
    _refuted(th.replace(nu=th.nu * R(99, 100)))
    dropped = {k: v for k, v in th.certificate.items() if k != p5.lookahead}
    v = _refuted(th.replace(certificate=dropped))
    assert "NSD" in v.failed.label
    flipped = {**th.certificate, p5.lookahead: -p5.eta}
    _refuted(th.replace(certificate=flipped))


def _hz(inst, x, z):
    gx = inst.grad(x)
    return float((inst.grad(z) - gx) @ gx)


def test_p5_holds_where_hypothesis_holds_and_needs_it():
    th = p5.theorem
    rng = np.random.default_rng(7)
    kept = violated = 0
    for _ in range(250):
        Lv = float(rng.uniform(0.2, 3))
        pt = {
            p5.L: Lv,
            p5.eta: float(rng.uniform(0.01, 1.99)) / Lv,
            p5.c: float(rng.uniform(0.05, 1)),
        }
        inst = random_smooth(Lv, 3, rng, FAMILIES[int(rng.integers(len(FAMILIES)))])
        x = rng.standard_normal(3) * rng.uniform(0.1, 3)
        z = x + rng.standard_normal(3) * rng.uniform(0.01, 2)
        noise = rng.standard_normal(3) * rng.uniform(0, 1)
        val = expected_claim(th, pt, inst, {"x": x, "z": z}, noise)
        if _hz(inst, x, z) >= 0:
            kept += 1
            assert val <= 1e-9, (pt, inst.family, val)
        elif val > 1e-9:
            violated += 1
    assert kept >= 60
    assert violated >= 1  # without the hypothesis the claim fails on concrete instances


def _spa_on_quadratic(eta, c, n, x0=Fr(1), L=Fr(1)):
    """Deterministic SPA on f = L x^2/2: (sum_{k<n} g_k^2, H0 at every k, x_n, z_n)."""
    x = z = x0
    total, h0 = Fr(0), True
    for _ in range(n):
        g = L * x
        h0 = h0 and g * (x - z) >= 0
        total += g * g
        z = z - eta * g
        x = (1 - c) * x + c * z
    return total, h0, x, z


@pytest.mark.parametrize("eta_v,c_v", [(Fr(1, 10), Fr(1, 2)), (Fr(1, 20), Fr(1, 5))])
def test_natural_hypothesis_cannot_give_sgd_rate(eta_v, c_v):
    """On f = x^2/2 the run keeps <g, x - z> >= 0 at every step, P4 holds with equality, and
    the sum of squared gradients exceeds what SGD's rate would allow."""
    n = 200
    total, h0, xn, zn = _spa_on_quadratic(eta_v, c_v, n)
    assert h0
    sub = {p4.eta: R(eta_v.numerator, eta_v.denominator), p4.c: R(c_v.numerator, c_v.denominator)}
    sub[p4.L] = 1
    rho4 = p4.theorem.rho.subs(sub)
    rho3 = p3.theorem.rho.subs({p3.eta: sub[p4.eta], p3.L: 1})
    gap = R(1, 2)
    # exact identity: sum = (f(x_0) - A_n)/rho_4 with A_n = f(x_n) + a d^2 + 2 b d g(x_n)
    xn_, d = (
        sp.Rational(xn.numerator, xn.denominator),
        sp.Rational((zn - xn).numerator, (zn - xn).denominator),
    )
    A_n = xn_**2 / 2 + p4.a.subs(sub) * d**2 + 2 * p4.b.subs(sub) * d * xn_
    assert sp.Rational(total.numerator, total.denominator) == (gap - A_n) / rho4
    assert sp.Rational(total.numerator, total.denominator) > gap / rho3


# -- P6 -----------------------------------------------------------------------------------------


def test_p6_factor_too_small_refuted():
    claim = ("B_SPA <= 0.99 F B_SGD", R(99, 100) * p6.F * p6.B_SGD >= p6.B_SPA)
    v = _refuted(Inequalities(name="F too small", region=p6.base, claims=[claim]))
    pt = {s: R(v.counterexample()["point"][s.name]) for s in p6.ratio.region.symbols}
    assert (p6.B_SPA - R(99, 100) * p6.F * p6.B_SGD).subs(pt) > 0


def test_p6_t_too_big_refuted():
    t_big = R(29, 70)  # > sqrt(2) - 1
    region = [*p6.base[:5], p6.L * p6.eta * (1 - p6.c) <= t_big * p6.c]
    v = _refuted(Inequalities(name="t too big", region=region, claims=[("F^2<=2", p6.F**2 <= 2)]))
    pt = {
        s: R(x) for s, x in ((s, v.counterexample()["point"][s.name]) for s in (p6.eta, p6.c, p6.L))
    }
    assert (p6.F**2).subs(pt) > 2
    # and explicitly: c = 1e-6, kappa = 29/70
    c_v = R(1, 10**6)
    pt = {p6.c: c_v, p6.L: 1, p6.eta: t_big * c_v / (1 - c_v)}
    assert (p6.F**2).subs(pt) > 2


def test_p6_deterministic_ratio_is_sharp():
    c, L, gap, n = p6.c, p6.L, p6.gap, p6.n
    region = p6.deterministic.region.conditions
    bias = gap / (n * p6.rho4)
    too_big = 2 * L * gap * R(101, 100) / (n * c * (2 - c))
    _refuted(
        Inequalities(name="ratio too big", region=list(region), claims=[("x", bias >= too_big)])
    )
    # numeric: the min over eta in P4's region of the bias is at L eta = 2 - c
    for c_v in (0.5, 0.1, 0.01):
        u = np.linspace(1e-4, 2 - c_v, 20001)
        D = c_v * (2 - c_v) + 2 * u * (1 - c_v)
        r = D / (c_v * u * (4 - 2 * c_v - c_v * u))
        assert r.min() == pytest.approx(1 / (c_v * (2 - c_v)), rel=1e-9)


def test_p6_sgd_optimal_step_and_threshold():
    s = 1000.0  # sigma2 n / (L gap)
    u = np.linspace(1e-4, 1.999, 200001)
    b = 2 / (u * (2 - u)) + s * u / (2 - u)
    u_star = (np.sqrt(1 + 2 * s) - 1) / s
    assert u[b.argmin()] == pytest.approx(u_star, abs=1e-4)
    # beta = 0.9: with n >= 2 L gap (1 - v)/(sigma2 v^2), v = t c/(1-c), the ratio is <= sqrt 2
    c_v, t = 0.1, 239 / 577
    v = t * c_v / (1 - c_v)
    s_min = 2 * (1 - v) / v**2
    us = (np.sqrt(1 + 2 * s_min) - 1) / s_min
    assert us * (1 - c_v) / c_v <= t + 1e-12
    D = c_v * (2 - c_v) + 2 * us * (1 - c_v)
    assert D * (2 - us) / (c_v * (4 - 2 * c_v - c_v * us)) <= np.sqrt(2)


# -- P7 -----------------------------------------------------------------------------------------


def test_p7_wrong_variants_refuted():
    th = p7.lemma
    _refuted(th.replace(rho=th.rho * R(101, 100)))
    _refuted(th.replace(gain=lambda x, z: R(101, 100) * p7.gamma * p7.inner(x.grad, x - z)))
    _refuted(th.replace(nu=th.nu * R(99, 100)))
    # beyond b_4 the gain becomes a loss
    wide = [*p7.region[:6], p7.b <= 1]
    _refuted(Inequalities(name="gamma >= 0 beyond b4", region=wide, claims=[("g", p7.gamma >= 0)]))


def test_p7_endpoints():
    assert sp.simplify(p7.gamma0 - p7.c * (2 - p7.c - p7.L * p7.eta) / (2 - p7.c)) == 0
    assert sp.simplify(p7.gamma.subs(p7.b, p7.b4)) == 0
    assert sp.simplify(p7.rho.subs({p7.c: 1, p7.b: 0}) - p3.theorem.rho.subs(p3.eta, p7.eta)) == 0


def test_p7_holds_on_random_instances():
    th = p7.lemma
    rng = np.random.default_rng(3)
    for _ in range(60):
        Lv = float(rng.uniform(0.2, 3))
        c_v = float(rng.uniform(0.05, 1))
        eta_v = float(rng.uniform(0.01, 1)) * (2 - c_v) / Lv
        D = c_v * (2 - c_v) + 2 * Lv * eta_v * (1 - c_v)
        b4 = c_v * (2 - c_v - Lv * eta_v) / (2 * D)
        pt = {p7.L: Lv, p7.c: c_v, p7.eta: eta_v, p7.b: float(rng.uniform(0, 1)) * b4}
        inst = random_smooth(Lv, 3, rng, FAMILIES[int(rng.integers(len(FAMILIES)))])
        x = rng.standard_normal(3) * rng.uniform(0.1, 3)
        state = {"x": x, "z": x + rng.standard_normal(3) * rng.uniform(0.01, 2)}
        val = expected_claim(th, pt, inst, state, rng.standard_normal(3) * rng.uniform(0, 1))
        assert val <= 1e-9, (pt, inst.family, val)
