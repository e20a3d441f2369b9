"""A horizon-aware certified bound for SPA / SGD+M: P8 and P10 chained over the steps.

P4's Lyapunov function keeps the weight 1 on f(x_k) for ever, so over a short horizon it pays
for the transient of the momentum buffer. Here the weight may drop from one step to the next
(from theta_k to theta_{k+1} <= theta_k), and the drop is paid by the lower bound
inf f <= f(x_k) - |grad f(x_k)|^2/(2L) (theorem P10). Step k is the nonnegative combination
t P8 + (1 - t) P10 with t = theta_{k+1}/theta_k (P8 at next coefficients (a1, b1) = the current
ones of step k+1; the combined step has A = t A_P8, B = t B_P8, RHO = t RHO_P8 + (1 - t)/(2L),
NU = t NU_P8). Chained backwards from theta_n = 0, a_n = b_n = 0:

    sum_{k<n} theta_k RHO_k E|grad f(x_k)|^2 <= theta_0 gap + sigma2 sum_k theta_k NU_k,
    (1/n) sum_{k<n} E|grad f(x_k)|^2 <= (theta_0 gap + sigma2 sum_k theta_k NU_k)
                                          / (n min_k theta_k RHO_k),

for every L-smooth f with f(x_0) - inf f <= gap (proofs/p10_spa_horizon.py, Notes). The
search (floating point) picks each theta_k as small as keeps theta_k RHO_k >= 1/n.

* :func:`horizon_bound`, constant (eta, c): the chain in closed form
  (:mod:`.horizon_constant`: at constant parameters the chain is the cost to go of the
  quadratic L x^2/2, so every step's rate is exactly 1/n and the weights never grow), O(1)
  per point for every horizon, continuous in n and never above P4; where it holds decided in
  floats with a margin and exactly within it, the value rounded up by its error estimate.
* :func:`schedule_horizon_bound`, a schedule (eta_k, c_k): the search step by step in floats;
  every region condition decided in floats where it is farther than :data:`MARGIN` (relative
  to the size of its terms, :func:`~lyapunov.bounds.rounding.magnitude`) from its boundary, and
  otherwise by :func:`verify_chain` on the searched weights in exact arithmetic.
* :func:`verify_chain` / :func:`horizon_certificate`: one point in exact rational arithmetic
  (the float inputs are exact binary fractions): every region condition of both theorems
  decided exactly at every step, the bound as a Fraction.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import sympy as sp

from ..validate import check_range, check_steps
from .compile import MARGIN, RELATIONS
from .horizon_constant import constant_bound
from .horizon_step import fused_step, rational_function, step_functions

__all__ = [
    "horizon_bound",
    "schedule_horizon_bound",
    "horizon_certificate",
    "verify_chain",
    "search_theta",
    "exact_theta",
    "ROUNDING",
    "MARGIN",
]

#: relative rounding allowance of the float chain of a schedule, per step
ROUNDING = 64 * np.finfo(float).eps
#: longest schedule verified exactly where a float decision is within its margin (the exact
#: numbers grow with the steps: 300 steps take seconds); longer ones get inf there
EXACT_SCHEDULE_STEPS = 256


# -- schedules: the search step by step -------------------------------------------------------


def _chain_sequence(etas, cs, L: float, sigma2: float):
    """The chain for a schedule: step k with (etas[k], cs[k]) (P8 and P10 hold step by step,
    so a schedule chains like a constant), run backwards in plain floats. Returns
    (theta_0, sum theta_k NU_k, min theta_k RHO_k, weights, verdict): verdict True (every
    step in the regions, each condition farther than MARGIN from its boundary), False (some
    condition certainly fails) or None (some condition within its margin: undecided)."""
    step, rels = fused_step("math")
    n = len(etas)
    target = 1.0 / n
    theta1 = a_next = b_next = nu_sum = 0.0
    rho_min, verdict = math.inf, True
    thetas = []
    try:
        for k in range(n - 1, -1, -1):
            eta, c = etas[k], cs[k]
            at_one = theta1 * step(eta, c, L, sigma2, 1.0, a_next, b_next)[4] if theta1 else 0.0
            theta = theta1 + max(0.0, 2 * L * (target - at_one))
            t = theta1 / theta
            a_k, b_k, rho, nu, _, *conds = step(eta, c, L, sigma2, t, a_next, b_next)
            if t > 0:
                for rel, v, size in zip(rels, conds[::2], conds[1::2], strict=True):
                    # size 0: every term is 0, so v = 0 exactly (no rounding to allow for)
                    near = size > 0 and abs(v) <= MARGIN * size or not math.isfinite(v)
                    if near:
                        verdict = None if verdict else verdict
                    elif not RELATIONS[rel](v, 0):
                        verdict = False
            rho_min = min(rho_min, theta * rho)
            nu_sum += theta * nu
            theta1, a_next, b_next = theta, a_k, b_k
            thetas.append(theta)
    except (OverflowError, ZeroDivisionError, ValueError):
        return theta1, nu_sum, rho_min, thetas[::-1], False
    fine = math.isfinite(theta1) and math.isfinite(nu_sum) and rho_min > 0
    return theta1, nu_sum, rho_min, thetas[::-1], verdict if fine else False


def schedule_horizon_bound(eta, c, L: float, sigma2: float, gap: float) -> float:
    """The chain of :func:`horizon_bound` for a schedule (step k uses eta[k], c[k]; validated
    1-D arrays of equal length n) at scalar L, sigma2, gap: a certified bound on
    (1/n) sum_{k<n} E|grad f(x_k)|^2, ``inf`` where a step leaves the regions of P8 and P10.
    Its cost is O(n), like P8's own pass over the schedule. Where a region condition is within
    its margin, the searched weights are verified (and the bound computed) exactly, for at
    most EXACT_SCHEDULE_STEPS steps (longer: inf)."""
    n = len(eta)
    etas, cs = [float(x) for x in eta], [float(x) for x in c]
    theta0, nu_sum, rho_min, thetas, verdict = _chain_sequence(etas, cs, float(L), float(sigma2))
    if verdict is None:  # some condition within its margin: exactly, if not too long
        if n > EXACT_SCHEDULE_STEPS:
            return math.inf
        q = verify_chain(eta=etas, c=cs, L=L, sigma2=sigma2, gap=gap, theta=thetas)
        return math.inf if q is None else _round_up(q)
    if not verdict:
        return math.inf
    val = (theta0 * gap + sigma2 * nu_sum) / (n * rho_min) * (1 + ROUNDING * (n + 1))
    return val if math.isfinite(val) else math.inf


def _round_up(q: Fraction) -> float:
    """The smallest float >= q (inf if there is none)."""
    try:
        f = float(q)
    except OverflowError:
        return math.inf
    return f if Fraction(f) >= q else math.nextafter(f, math.inf)


# -- constant parameters: the closed form --------------------------------------------------------


def horizon_bound(*, eta, c, L, sigma2, steps, gap) -> np.ndarray | float:
    """Certified bound on (1/steps) sum_{k<steps} E|grad f(x_k)|^2 for SPA(eta, c) (theorems
    P8 and P10 chained over the horizon; module docstring), for every L-smooth f with
    f(x_0) - inf f <= gap and noise variance at most sigma2; ``inf`` where the chain leaves
    their regions. Arguments broadcast; a float for scalars. With phi_n and S_n of
    :mod:`.horizon_constant` (O(1) per point for every horizon):

        (phi_n gap + sigma2 S_n) / steps
    """
    e = check_range("eta", eta)
    cc = check_range("c", c)
    Ls = check_range("L", L)
    s2 = check_range("sigma2", sigma2)
    n = check_steps(steps)
    g = check_range("gap", gap)
    shape = np.broadcast_shapes(e.shape, cc.shape, Ls.shape, s2.shape, n.shape, g.shape)
    e, cc, Ls, s2, n, g = (
        np.ascontiguousarray(np.broadcast_to(a, shape), dtype=float).ravel()
        for a in (e, cc, Ls, s2, n, g)
    )
    out = constant_bound(e, cc, Ls, s2, n, g).reshape(shape)
    return float(out) if out.ndim == 0 else out


# -- one point, exactly ---------------------------------------------------------------------------


def _scalar(name: str, value, rule: str | None = None) -> Fraction:
    a = check_range(name, value, rule) if name != "steps" else check_steps(value)
    if a.ndim:
        raise ValueError(f"{name}: horizon_certificate takes one point, got shape {a.shape}")
    return Fraction(float(a))  # the exact binary fraction the float is


def _per_step(name: str, value, n: int) -> list[Fraction]:
    """A scalar or a sequence of n values (a schedule), validated, as exact Fractions."""
    a = check_range(name, value)
    if a.ndim == 0:
        return [Fraction(float(a))] * n
    if a.shape != (n,):
        raise ValueError(f"{name}: must be a number or one value per step ({n}), got {a.shape}")
    return [Fraction(float(x)) for x in a]


def verify_chain(*, eta, c, L, sigma2, gap, theta) -> Fraction | None:
    """Verify a chain of P10 steps in exact rational arithmetic; its bound, or ``None``.

    ``theta`` = (theta_0, ..., theta_{n-1}), theta_n = 0; ``eta`` and ``c`` numbers or
    schedules (one value per step). Going backwards, step k is t P8 + (1 - t) P10 at
    t = theta_{k+1}/theta_k with P8's next coefficients (a1, b1) the current ones of step k+1,
    (a_{k+1}, b_{k+1}) = t_{k+1} (A_P8, B_P8) (zero after the last step). Every region
    condition of P10, and of P8 where t > 0, is decided exactly at every step; if one fails
    (or some theta_k <= 0) the chain certifies nothing and the answer is ``None``. Otherwise the
    bound on (1/n) sum_{k<n} E|grad f(x_k)|^2 is
    (theta_0 gap + sigma2 sum_k theta_k NU_k) / (n min_k theta_k RHO_k), as a Fraction.
    Floats are taken as the binary fractions they are.
    """
    thetas = [Fraction(x) if isinstance(x, Fraction) else Fraction(float(x)) for x in theta]
    if not thetas:
        raise ValueError("theta: must have one value per step, got an empty sequence")
    n = len(thetas)
    etas, cs = _per_step("eta", eta, n), _per_step("c", c, n)
    L_q, s2_q, gap_q = _scalar("L", L), _scalar("sigma2", sigma2), _scalar("gap", gap)
    _, _, exact, exact_conds = step_functions()
    theta1 = a_next = b_next = nu_sum = Fraction(0)
    rho_min: Fraction | None = None
    for k in range(n - 1, -1, -1):
        theta = thetas[k]
        if theta <= 0:
            return None
        t = theta1 / theta
        args = (etas[k], cs[k], L_q, s2_q, t, a_next, b_next)
        for fun, rel, p8_only in exact_conds:
            if not (p8_only and t == 0) and not RELATIONS[rel](fun(*args), 0):
                return None
        rho = theta * exact["RHO"](*args)
        rho_min = rho if rho_min is None else min(rho_min, rho)
        nu_sum += theta * exact["NU"](*args)
        theta1, a_next, b_next = theta, exact["A_COEF"](*args), exact["B_COEF"](*args)
    if rho_min <= 0:
        return None
    return (thetas[0] * gap_q + s2_q * nu_sum) / (n * rho_min)


def _phis(eta, c, L, steps: int, exact: bool) -> list:
    """phi_1, ..., phi_n of :mod:`.horizon_structure` (phi_j = 2 (H_j)_11 / L), in floats or
    exactly (Fractions)."""
    from .horizon_structure import structure

    s = structure()
    if exact:
        vals = [_scalar("eta", eta), _scalar("c", c), _scalar("L", L)]
        T = [rational_function(s.T[i], list(s.symbols))(*vals) for i in range(4)]
        Lq = vals[2]
    else:
        vals = [float(eta), float(c), float(L)]
        T = [float(sp.lambdify(s.symbols, s.T[i])(*vals)) for i in range(4)]
        Lq = vals[2]
    t11, t12, t21, t22 = T
    a = b = d = Lq * 0
    out = []
    for _ in range(steps):
        a, b, d = (
            t11 * t11 * a + 2 * t11 * t21 * b + t21 * t21 * d + Lq * Lq,
            t11 * t12 * a + (t11 * t22 + t12 * t21) * b + t21 * t22 * d,
            t12 * t12 * a + 2 * t12 * t22 * b + t22 * t22 * d,
        )
        out.append(2 * a / Lq)
    return out


def search_theta(*, eta: float, c: float, L: float, steps: int) -> list[float]:
    """The chain's weights (theta_0, ..., theta_{n-1}) of :func:`horizon_bound` in floating
    point (any choice is verified, none is trusted): theta_k = phi_{n-k} / n, the smallest
    weights that keep every step's rate at 1/n (:mod:`.horizon_structure`). A step outside
    the regions of P8 and P10 is left to :func:`verify_chain` to reject."""
    n = int(steps)
    return [p / n for p in _phis(eta, c, L, n, exact=False)][::-1]


def exact_theta(*, eta, c, L, steps) -> list[Fraction]:
    """:func:`search_theta` in exact arithmetic (Fractions): with these weights every step's
    rate is exactly 1/n."""
    n = int(_scalar("steps", steps))
    return [p / n for p in _phis(eta, c, L, n, exact=True)][::-1]


def horizon_certificate(*, eta, c, L, sigma2, steps, gap) -> Fraction | None:
    """:func:`horizon_bound` at one point in exact arithmetic: the weights of
    :func:`exact_theta`, verified and evaluated by :func:`verify_chain` (a Fraction, or
    ``None`` when the chain leaves the regions of P8 and P10). Its cost grows like steps^2
    (the exact numbers grow with the steps)."""
    for name, value in (("sigma2", sigma2), ("gap", gap)):
        _scalar(name, value)
    theta = exact_theta(eta=eta, c=c, L=L, steps=steps)
    return verify_chain(eta=eta, c=c, L=L, sigma2=sigma2, gap=gap, theta=theta)
