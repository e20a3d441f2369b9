"""The chain of P8 and P10 at constant (eta, c) in closed form (lyapunov.bounds.horizon_constant).

At constant parameters the chain is the cost to go of the quadratic L x^2/2, so its bound is
the exact expected average of |f'(x_k)|^2 of SPA on that quadratic (with noise): that
independent computation, the step-by-step chain in exact arithmetic
(``horizon_certificate``) and the closed form in exact arithmetic check the float calculator
at every horizon; the old cap (4096 steps, then P4) is gone without a jump.
"""

from __future__ import annotations

import contextlib
import math
from fractions import Fraction
from functools import cache

import numpy as np
import pytest

from lyapunov import bounds
from lyapunov.bounds import horizon_constant as hc
from lyapunov.bounds import horizon_region, horizon_structure
from lyapunov.bounds.horizon import STEPWISE_STEPS, horizon_bound, horizon_certificate
from lyapunov.bounds.horizon_step import rational_function


def closed(eta, c, L, sigma2, steps, gap) -> np.ndarray:
    """The closed form alone (inf outside its region, where some b_k < 0); horizon_bound
    goes on there with the chain step by step."""
    args = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (eta, c, L, sigma2, steps)))
    e, cc, Ls, s2, n = (np.ascontiguousarray(a).ravel() for a in args)
    g = np.full(e.shape, float(gap))
    out = hc.constant_bound(e, cc, Ls, s2, n, g).reshape(args[0].shape)
    return float(out) if out.ndim == 0 else out


def p4_only(**kw) -> np.ndarray:
    return bounds.rates()["P4"](**{k: np.asarray(v, dtype=float) for k, v in kw.items()})


def quadratic_averages(eta, c, L, sigma2, gap, n_max):
    """(1/n) sum_{k<n} E|f'(x_k)|^2 for n = 1..n_max on f = L x^2/2, x_0 = z_0 =
    sqrt(2 gap/L), noise of variance sigma2: exact second moments of SPA's linear recursion
    (x' = (1 - c) x + c z', z' = z - eta (L x + xi)), one pass for every n."""
    xx = xz = zz = 2 * gap / L
    m11, m12 = (1 - c) - c * eta * L, c
    m21 = -eta * L
    out, total = np.empty(n_max), 0.0
    for k in range(n_max):
        total += L * L * xx
        out[k] = total / (k + 1)
        nxx = m11**2 * xx + 2 * m11 * m12 * xz + m12**2 * zz + sigma2 * (c * eta) ** 2
        nxz = m11 * m21 * xx + (m11 + m12 * m21) * xz + m12 * zz + sigma2 * c * eta**2
        nzz = m21**2 * xx + 2 * m21 * xz + zz + sigma2 * eta**2
        xx, xz, zz = nxx, nxz, nzz
    return out


@cache
def exact_functions() -> dict:
    """The closed form's coefficients, Z and nu as exact evaluators on Fractions."""
    s = horizon_structure.structure()
    syms = list(s.symbols)
    out = {k: rational_function(v, syms) for k, v in s.coefs.items()}
    out.update({f"z{i}{j}": rational_function(s.Z[i, j], syms) for i in range(2) for j in range(2)})
    out.update({f"nu{i}": rational_function(k, syms) for i, k in enumerate(s.nu)})
    return out


def exact_coefs(eta, c, L) -> dict:
    args = [Fraction(float(x)) for x in (eta, c, L)]
    out = {}
    for k, fun in exact_functions().items():
        with contextlib.suppress(ZeroDivisionError):  # e.g. the envelope's at double roots
            out[k] = fun(*args)
    return out


def exact_closed_form(eta, c, L, sigma2, gap, n) -> Fraction:
    """(phi_n gap + sigma2 S_n) / n in exact arithmetic from the closed form of the module
    docstring, T^n by exact repeated squaring (floats taken as the binary fractions they
    are)."""
    f = exact_coefs(eta, c, L)
    T = ((f["t11"], f["t12"]), (f["t21"], f["t22"]))

    def mul(A, B):
        return tuple(
            tuple(sum(A[i][k] * B[k][j] for k in range(2)) for j in range(2)) for i in range(2)
        )

    P, base, m = ((Fraction(1), Fraction(0)), (Fraction(0), Fraction(1))), T, n
    while m:
        if m & 1:
            P = mul(P, base)
        base, m = mul(base, base), m >> 1

    def tail(X):  # (T^n)' X T^n
        return mul(tuple(zip(*P, strict=True)), mul(X, P))

    def nu_of(X):
        return f["nu0"] * X[0][0] + f["nu1"] * X[0][1] + f["nu2"] * X[1][1]

    H = ((f["h11"], f["h12"]), (f["h12"], f["h22"]))
    Z = ((f["z00"], f["z01"]), (f["z10"], f["z11"]))
    phi = 2 * (f["h11"] - tail(H)[0][0]) / Fraction(float(L))
    S = n * f["nu_h"] - f["nu_z"] + nu_of(tail(Z))
    assert nu_of(H) == f["nu_h"] and nu_of(Z) == f["nu_z"]
    return (phi * Fraction(float(gap)) + Fraction(float(sigma2)) * S) / n


# -- continuity: no jump at the old cap, and bound(n + 1) next to bound(n) ----------------------

ISSUE = {"eta": 1.0, "c": 0.05, "L": 1.0, "sigma2": 1.0, "gap": 1.0}


def test_no_jump_at_the_old_cap():
    """Issue 20: 0.50909 at 4096 steps, 0.51156 (P4) at 4097. Now the chain goes on: the
    change from 4096 to 4097 is that of the steps around it, and P4 stays above."""
    b = horizon_bound(steps=np.arange(4093, 4101), **ISSUE)
    d = np.diff(b)
    assert np.all(d < 0) and np.all(np.abs(d / d.mean() - 1) < 1e-2)
    assert abs(b[4] - b[3]) < 2e-6 * b[3]  # 4096 -> 4097 (the jump was 5e-3)
    assert b[4] < 0.5091 < 0.5115 < float(p4_only(steps=4097, **ISSUE))
    assert bounds.spa(steps=4097, **ISSUE) == b[4]


@pytest.mark.parametrize(
    "eta,c,L,sigma2,gap",
    [
        (1.0, 0.05, 1.0, 1.0, 1.0),
        (0.5, 0.2, 2.0, 0.3, 3.0),
        (0.02, 0.01, 5.0, 0.1, 0.5),  # slow: the tail of T^n matters for thousands of steps
        (1.2, 0.5, 1.0, 0.0, 1.0),
        (0.3, 1.0, 1.0, 0.5, 1.0),  # SGD
        (1.8, 0.15, 1.0, 0.2, 1.0),  # near P4's edge L eta = 2 - c: the chain stops
    ],
)
def test_every_horizon_is_the_quadratics_exact_average(eta, c, L, sigma2, gap):
    """For n = 1..6000 (the recursion, the closed form and the bounded tail all in use) the
    bound equals the exact expected average on f = L x^2/2, from above, so it is continuous in
    n like that average; and it is never above P4. Where the closed form leaves its region at
    some step j (some b_k < 0) it stops for every n >= j (the finite ones come first), and the
    chain goes on step by step: finite up to STEPWISE_STEPS and above that average."""
    n = np.arange(1, 6001)
    b = horizon_bound(eta=eta, c=c, L=L, sigma2=sigma2, steps=n, gap=gap)
    m = int(np.isfinite(closed(eta, c, L, sigma2, n, gap)).sum())
    assert m >= 3 and np.all(np.isfinite(b[:m]))
    every = quadratic_averages(eta, c, L, sigma2, gap, n.size)
    after, b_after = n[m:STEPWISE_STEPS], b[m:STEPWISE_STEPS]
    assert np.all(np.isfinite(b_after)) and np.all(b_after >= every[after - 1] * (1 - 1e-12))
    assert np.all(np.isinf(b[max(m, STEPWISE_STEPS) :]))
    n, b = n[:m], b[:m]
    exact = every[:m]
    assert np.all(b >= exact * (1 - 1e-12))
    assert np.all(b <= exact * (1 + 1e-9))
    p4 = p4_only(eta=eta, c=c, L=L, sigma2=sigma2, steps=n, gap=gap)
    assert np.all(b <= p4 * (1 + 1e-12))
    step = np.abs(np.diff(b)) / b[:-1]
    assert np.all(step[99:] <= 2 / n[99:-1])  # beyond 100 steps: bound(n+1) within 2/n


def test_long_horizons_approach_p4_from_below():
    n = np.array([10**4, 10**5, 10**6, 10**7, 10**8])
    b = horizon_bound(steps=n, **ISSUE)
    p4 = p4_only(steps=n, **ISSUE)
    assert np.all(np.diff(b) < 0) and np.all(b < p4)
    # the difference is the noise's transient, sigma2 nu(Z) / n: it shrinks like 1/n
    gap = (p4 - b) * n
    assert np.all(np.abs(gap / gap[-1] - 1) < 0.05)


# -- agreement with exact arithmetic ------------------------------------------------------------

POINTS = [  # eta, c, L, sigma2, gap
    (0.5, 0.05, 1.0, 0.1, 1.0),
    (1.0, 0.05, 1.0, 1.0, 1.0),
    (0.3, 0.2, 2.0, 0.0, 3.0),
    (1.9, 0.1, 1.0, 0.0, 1.0),  # beyond P4: the chain holds over two steps only
    (1.2, 0.6, 1.0, 0.4, 2.0),
    (0.05, 1.0, 1.0, 0.3, 1.0),
    (1.7, 0.3, 1.0, 0.2, 1.0),
    (0.01, 0.003, 1.0, 0.5, 1.0),
]


@pytest.mark.parametrize("steps", [1, 2, 7, 32, 33, 40])
def test_agrees_with_the_exact_step_by_step_chain(steps):
    """The float bound is the exact chain's (weights verified step by step, every region
    condition decided exactly) rounded up by at most 1e-9 where the closed form holds; where
    it does not (some b_k < 0), the float chain's weights differ from the exact search's by
    rounding: the two agree to 1e-9. 32/33 is the switch from the recursion to the closed
    form."""
    for eta, c, L, sigma2, gap in POINTS:
        kw = {"eta": eta, "c": c, "L": L, "sigma2": sigma2, "steps": steps, "gap": gap}
        b, q = horizon_bound(**kw), horizon_certificate(**kw)
        assert q is not None, kw
        if not np.isfinite(closed(**kw)):
            assert abs(b - float(q)) <= 1e-9 * float(q), kw
        else:
            assert Fraction(b) >= q and b <= float(q) * (1 + 1e-9), kw
            if steps <= 20:  # short horizons: within the old chain's allowance 64 u (n + 1)
                assert b <= float(q) * (1 + 64 * np.finfo(float).eps * (steps + 1)), kw


@pytest.mark.parametrize(
    "steps,points", [(100, POINTS), (1000, [POINTS[1], POINTS[3], POINTS[5], POINTS[6]])]
)
def test_closed_form_agrees_with_exact_arithmetic(steps, points):
    """Long horizons: the float bound against the closed form in exact arithmetic (T^n by
    exact squaring; its numbers grow like n, so 10^4 steps would take minutes), and the
    region's float decision against the exact one."""
    for eta, c, L, sigma2, gap in points:
        b = closed(eta=eta, c=c, L=L, sigma2=sigma2, steps=steps, gap=gap)
        inside = horizon_region.exact_holds(eta, c, L, steps)
        assert inside is not None
        assert np.isfinite(b) == inside, (eta, c, steps)
        if inside:
            q = exact_closed_form(eta, c, L, sigma2, gap, steps)
            assert Fraction(b) >= q and b <= float(q) * (1 + 1e-9), (eta, c, steps)


def test_beyond_exact_powers_the_tail_is_bounded():
    """At 10^8 steps T^n has no exact form here, but its tail is below 1e-300: the bound is
    the exact limit (phi_inf gap + sigma2 (n nu(H_inf) - nu(Z))) / n, rounded up."""
    for eta, c, L, sigma2, gap in POINTS[:3]:
        n = 10**8
        f = exact_coefs(eta, c, L)
        phi_inf = 2 * f["h11"] / Fraction(L)
        limit = (phi_inf * Fraction(gap) + Fraction(sigma2) * (n * f["nu_h"] - f["nu_z"])) / n
        b = horizon_bound(eta=eta, c=c, L=L, sigma2=sigma2, steps=n, gap=gap)
        assert Fraction(b) >= limit and b <= float(limit) * (1 + 1e-12)


def test_limit_is_p4():
    """H_inf is P4's Lyapunov function over its rate: the chain's limit per step is P4's
    bound (the structure is derived from P8 and P10, P4 is a separate theorem)."""
    rng = np.random.default_rng(3)
    for _ in range(20):
        c = float(rng.uniform(0.01, 0.99))
        eta = float(rng.uniform(0.01, 2 - c))
        f = exact_coefs(eta, c, 1.0)
        n, sigma2 = 1000, 0.25
        limit = float((2 * f["h11"] + sigma2 * n * f["nu_h"]) / n)
        p4 = float(p4_only(eta=eta, c=c, L=1.0, sigma2=sigma2, steps=n, gap=1.0))
        assert limit == pytest.approx(p4, rel=1e-12)


# -- soundness at the region's edge -----------------------------------------------------------


def test_two_step_edge_at_c_eta_one():
    """Over two steps the closed form holds iff (H_2)_12 = L^2 c (1 - c L eta) >= 0: at
    c L eta = 1 exactly it holds (decided exactly: the float margin leaves it to exact
    arithmetic), one float beyond it does not; there the chain goes on step by step (P24's
    step is P8's at b1 = 0), so the bound is continuous across the edge."""
    kw = {"c": 0.5, "L": 1.0, "sigma2": 0.1, "steps": 2, "gap": 1.0}
    for eta in (2.0, math.nextafter(2.0, 0)):
        b, q = horizon_bound(eta=eta, **kw), horizon_certificate(eta=eta, **kw)
        assert q is not None and np.isfinite(b) and Fraction(b) >= q
        assert np.isfinite(closed(eta=eta, **kw))
    out = math.nextafter(2.0, 3)
    assert horizon_region.exact_holds(out, 0.5, 1.0, 2) is False
    assert closed(eta=out, **kw) == math.inf
    b_out, b_edge = horizon_bound(eta=out, **kw), horizon_bound(eta=2.0, **kw)
    assert b_out == pytest.approx(b_edge, rel=1e-9)


@pytest.mark.parametrize("steps", [12, 1000, 10**8])
@pytest.mark.parametrize("c", [0.05, 0.3, 0.7])
def test_the_float_edge_is_the_exact_edge(steps, c):
    """Bisection in floats for the largest step where the closed form holds (it stops before
    P4's edge L eta = 2 - c: some (H_j)_12 < 0): at the last float with a finite value the
    exact decision says it holds, at the next float that it fails. So a point just outside is
    never given the closed form's value, and every one near the edge is confirmed exactly;
    there the chain goes on step by step without a jump (up to STEPWISE_STEPS)."""

    def finite(eta: float) -> bool:
        return math.isfinite(closed(eta=eta, c=c, L=1.0, sigma2=0.5, steps=steps, gap=1))

    lo, hi = 1e-3, 2.5
    assert finite(lo) and not finite(hi)
    while (mid := (lo + hi) / 2) not in (lo, hi):
        lo, hi = (mid, hi) if finite(mid) else (lo, mid)
    assert hi == math.nextafter(lo, 3)
    assert lo < 2 - c
    assert horizon_region.exact_holds(lo, c, 1.0, steps) is True
    assert horizon_region.exact_holds(hi, c, 1.0, steps) is False
    kw = {"c": c, "L": 1.0, "sigma2": 0.5, "steps": steps, "gap": 1.0}
    b_lo, b_hi = horizon_bound(eta=lo, **kw), horizon_bound(eta=hi, **kw)
    if steps <= STEPWISE_STEPS:
        assert b_hi == pytest.approx(b_lo, rel=1e-9)
    else:
        assert math.isfinite(b_lo) and b_hi == math.inf


def test_the_tail_bound_is_sound_where_the_tail_is_large(monkeypatch):
    """The bounded tail (no powers of T) stays above the exact closed form even where the
    tail is far from negligible (forced there), and without it the value falls below: the
    exact comparison would catch a fast path that dropped it (gap = 0: the noise term alone)."""
    eta, c, L, sigma2, gap, n = 0.3, 0.05, 1.0, 0.5, 0.0, 60
    q = exact_closed_form(eta, c, L, sigma2, gap, n)
    monkeypatch.setattr(hc, "NEGLIGIBLE", math.inf)
    forced = horizon_bound(eta=eta, c=c, L=L, sigma2=sigma2, steps=n, gap=gap)
    assert Fraction(forced) >= q and forced > 1.01 * float(q)

    def no_tail(n, L, co, E_C, E_S):
        return real_fast(n, L, co, 0 * E_C, 0 * E_S)

    real_fast = hc._fast
    monkeypatch.setattr(hc, "_fast", no_tail)
    assert Fraction(horizon_bound(eta=eta, c=c, L=L, sigma2=sigma2, steps=n, gap=gap)) < q


# -- grids and long horizons, vectorised --------------------------------------------------------


def test_grid_at_10_to_the_8_steps():
    """A 300 x 300 grid at 10^8 steps: spa is finite wherever P4 is and never above it; the
    chain alone is finite at nearly all of P4's points (not at its very edge, where some
    (H_j)_12 < 0) and never above P4."""
    eta, c = np.meshgrid(np.linspace(1e-3, 2.5, 300), np.linspace(1e-3, 1.0, 300))
    kw = {"L": 1.0, "sigma2": 0.2, "steps": 10**8, "gap": 1.0}
    p4 = p4_only(eta=eta, c=c, **kw)
    spa = bounds.spa(eta=eta, c=c, **kw)
    chain = horizon_bound(eta=eta, c=c, **kw)
    inside = np.isfinite(p4)
    assert inside.mean() > 0.5
    assert np.all(np.isfinite(spa[inside])) and np.all(spa[inside] <= p4[inside])
    assert np.isfinite(chain[inside]).mean() > 0.95
    fin = np.isfinite(chain)
    assert np.all(chain[fin] <= p4[fin])


def test_mixed_horizons_in_one_call_match_scalar_calls():
    n = np.array([1, 2, 12, 32, 33, 500, 4096, 4097, 10**6, 10**8])
    eta, c = np.full(n.shape, 0.7), np.full(n.shape, 0.1)
    vec = horizon_bound(eta=eta, c=c, L=1.0, sigma2=0.3, steps=n, gap=2.0)
    one = [horizon_bound(eta=0.7, c=0.1, L=1.0, sigma2=0.3, steps=int(k), gap=2.0) for k in n]
    np.testing.assert_array_equal(vec, one)
    assert np.all(np.isfinite(vec))


def test_holds_is_the_region_of_the_closed_form():
    """Where the region holds the bound is the closed form's; elsewhere the chain step by step
    up to STEPWISE_STEPS (finite unless its weights overflow: beyond P4's edge a step of P24
    may not descend, and over thousands of steps the weights grow past 1e300), inf beyond."""
    rng = np.random.default_rng(4)
    eta, c = rng.uniform(1e-3, 2.5, 4000), rng.uniform(1e-3, 1.0, 4000)
    L = np.ones(4000)
    n = np.where(rng.random(4000) < 0.5, rng.integers(1, 10**6, 4000), rng.integers(1, 50, 4000))
    n = n.astype(float)
    ok = horizon_region.holds(eta, c, L, n, horizon_structure.coefficients(eta, c, L))
    b = horizon_bound(eta=eta, c=c, L=1.0, sigma2=0.1, steps=n, gap=1.0)
    np.testing.assert_array_equal(ok, np.isfinite(closed(eta, c, 1.0, 0.1, n, 1.0)))
    np.testing.assert_array_equal(b[ok], closed(eta, c, 1.0, 0.1, n, 1.0)[ok])
    assert np.all(np.isinf(b[~ok & (n > STEPWISE_STEPS)]))
    assert np.all(np.isfinite(b[~ok & (n <= 50)]))
    assert 0.2 < ok.mean() < 0.95


# -- schedules: the same chain step by step -----------------------------------------------------


def test_a_constant_schedule_is_the_closed_form():
    """The schedule's chain (step by step in floats, each step with its own rounding) at
    constant parameters agrees with the closed form where it holds, and with the constant
    chain step by step where it does not (on both sides of the two-step edge c L eta = 1)."""
    from lyapunov.bounds.horizon import schedule_horizon_bound

    edge = [(2.0, 0.5, 1.0, 0.1, 1.0), (math.nextafter(2.0, 3), 0.5, 1.0, 0.1, 1.0)]
    for eta, c, L, sigma2, gap in [*POINTS, *edge]:
        for n in (2, 5, 40):
            one = horizon_bound(eta=eta, c=c, L=L, sigma2=sigma2, steps=n, gap=gap)
            sched = schedule_horizon_bound(np.full(n, eta), np.full(n, c), L, sigma2, gap)
            assert math.isfinite(one) and sched == pytest.approx(one, rel=1e-9)
