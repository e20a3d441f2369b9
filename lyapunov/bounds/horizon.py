"""A horizon-aware certified bound for SPA / SGD+M: P24 (P8's step at any sign) and P10
chained over the steps.

P4's Lyapunov function keeps the weight 1 on f(x_k) for ever, so over a short horizon it pays
for the transient of the momentum buffer. Here the weight may drop from one step to the next
(from theta_k to theta_{k+1} <= theta_k), and the drop is paid by the lower bound
inf f <= f(x_k) - |grad f(x_k)|^2/(2L) (theorem P10). Step k is the nonnegative combination
t P24 + (1 - t) P10 with t = theta_{k+1}/theta_k (P24 at next coefficients (a1, b1) = the
current ones of step k+1, its free weights at their smallest; the combined step has
A = t A_P24, B = t B_P24, RHO = t RHO_P24 + (1 - t)/(2L), NU = t NU_P24). Where b1 >= 0 P24 is
P8 (P24a). Chained backwards from theta_n = 0, a_n = b_n = 0:

    sum_{k<n} theta_k RHO_k E|grad f(x_k)|^2 <= theta_0 gap + sigma2 sum_k theta_k NU_k,
    (1/n) sum_{k<n} E|grad f(x_k)|^2 <= (theta_0 gap + sigma2 sum_k theta_k NU_k)
                                          / (n min_k theta_k RHO_k),

for every L-smooth f with f(x_0) - inf f <= gap (proofs/p10_spa_horizon.py, Notes). The
search (floating point) picks each theta_k as small as keeps theta_k RHO_k >= 1/n. P24 asks
nothing of the sign of RHO_P24 or of b1, so the chain holds at every step size: a step that
does not descend (RHO_P24 < 0) only raises the weights before it, and every finite horizon
gets a finite bound.

* :func:`horizon_bound`, constant (eta, c): the chain in closed form where every b_k >= 0
  (:mod:`.horizon_constant`: there the chain is the cost to go of the quadratic L x^2/2, so
  every step's rate is exactly 1/n and the weights never grow), O(1) per point for every
  horizon, continuous in n and never above P4, decided in floats with a margin and exactly
  within it; elsewhere the chain step by step (:mod:`.horizon_stepwise`, horizons up to
  :data:`STEPWISE_STEPS`).
* :func:`schedule_horizon_bound`, a schedule (eta_k, c_k): the chain step by step in floats
  with a bound on its rounding (:mod:`.horizon_stepwise`).
* :func:`verify_chain` / :func:`horizon_certificate`: one point in exact rational arithmetic
  (the float inputs are exact binary fractions): every region condition of both theorems
  decided exactly at every step, the bound as a Fraction.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from ..validate import check_range, check_steps
from .compile import RELATIONS
from .horizon_constant import constant_bound
from .horizon_step import smallest_weights, step_functions
from .horizon_stepwise import chain_bound

__all__ = [
    "horizon_bound",
    "horizon_parts",
    "schedule_horizon_bound",
    "horizon_certificate",
    "verify_chain",
    "search_theta",
    "exact_theta",
    "STEPWISE_STEPS",
]

#: at constant parameters outside the closed form's region (some b_k < 0), horizons up to this
#: long get the chain step by step (O(n) per point: a grid of points pays n vectorised steps);
#: longer ones get inf there
STEPWISE_STEPS = 256


# -- schedules: the chain step by step ----------------------------------------------------------


def schedule_horizon_bound(eta, c, L: float, sigma2: float, gap: float, progress=None) -> float:
    """The chain of :func:`horizon_bound` for a schedule (step k uses eta[k], c[k]; validated
    1-D arrays of equal length n) at scalar L, sigma2, gap: a certified bound on
    (1/n) sum_{k<n} E|grad f(x_k)|^2, finite at every step size (a step that does not descend
    raises the weights before it: P24), computed step by step in floats with a bound on the
    rounding (:mod:`.horizon_stepwise`). Its cost is O(n)."""
    etas = np.asarray(eta, float).reshape(-1, 1)
    cs = np.asarray(c, float).reshape(-1, 1)
    one = np.ones(1)
    val = chain_bound(
        etas, cs, one * L, one * sigma2, one * gap, np.array([len(etas)]), progress=progress
    )
    return float(val[0])


# -- constant parameters: the closed form --------------------------------------------------------


def horizon_bound(*, eta, c, L, sigma2, steps, gap) -> np.ndarray | float:
    """Certified bound on (1/steps) sum_{k<steps} E|grad f(x_k)|^2 for SPA(eta, c) (theorems
    P24 and P10 chained over the horizon; module docstring), for every L-smooth f with
    f(x_0) - inf f <= gap and noise variance at most sigma2. Arguments broadcast; a float for
    scalars. Where every b_k >= 0, with phi_n and S_n of :mod:`.horizon_constant` (O(1) per
    point for every horizon):

        (phi_n gap + sigma2 S_n) / steps;

    elsewhere the chain step by step (:mod:`.horizon_stepwise`) for steps <= STEPWISE_STEPS,
    ``inf`` beyond.
    """
    closed, stepwise = horizon_parts(eta=eta, c=c, L=L, sigma2=sigma2, steps=steps, gap=gap)
    out = np.minimum(closed, stepwise)
    return float(out) if out.ndim == 0 else out


def horizon_parts(*, eta, c, L, sigma2, steps, gap) -> tuple[np.ndarray, np.ndarray]:
    """:func:`horizon_bound` in its two parts, arrays of the broadcast shape: the closed form
    (P8 + P10: inf where some b_k < 0) and the chain step by step (P24 + P10: computed only
    where the closed form is inf and steps <= STEPWISE_STEPS, inf elsewhere)."""
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
    closed = constant_bound(e, cc, Ls, s2, n, g)
    stepwise = np.full(closed.shape, np.inf)
    todo = ~np.isfinite(closed) & (n <= STEPWISE_STEPS)
    if todo.any():
        stepwise[todo] = chain_bound(
            e[todo][None, :], cc[todo][None, :], Ls[todo], s2[todo], g[todo], n[todo]
        )
    return closed.reshape(shape), stepwise.reshape(shape)


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
    schedules (one value per step). Going backwards, step k is t P24 + (1 - t) P10 at
    t = theta_{k+1}/theta_k with P24's next coefficients (a1, b1) the current ones of step k+1,
    (a_{k+1}, b_{k+1}) = t_{k+1} (A_P24, B_P24) (zero after the last step), its free weights
    (p, r) at their smallest (:func:`~.horizon_step.smallest_weights`). Every region
    condition of P10, and of P24 where t > 0, is decided exactly at every step; if one fails
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
        p, r = smallest_weights(cs[k], b_next)
        args = (etas[k], cs[k], L_q, s2_q, t, a_next, b_next, p, r)
        for fun, rel, p24_only in exact_conds:
            if not (p24_only and t == 0) and not RELATIONS[rel](fun(*args), 0):
                return None
        rho = theta * exact["RHO"](*args)
        rho_min = rho if rho_min is None else min(rho_min, rho)
        nu_sum += theta * exact["NU"](*args)
        theta1, a_next, b_next = theta, exact["A_COEF"](*args), exact["B_COEF"](*args)
    if rho_min <= 0:
        return None
    return (thetas[0] * gap_q + s2_q * nu_sum) / (n * rho_min)


def _greedy(eta, c, L, n: int, exact: bool) -> list:
    """The chain's weights (theta_0, ..., theta_{n-1}) chosen backwards, each as small as keeps
    its step's rate at least 1/n: theta_k = theta_{k+1} + max(0, 2L (1/n - theta_{k+1}
    RHO_P24)) (RHO_P24 at t = 1 and the current next coefficients), in floats or exactly
    (Fractions), from the chain step's own functions. Where every b_k >= 0 these are
    theta_k = phi_{n-k} / n of :mod:`.horizon_structure` and every rate is exactly 1/n."""
    num, _, ex, _ = step_functions()
    fun = ex if exact else num
    one = Fraction(1) if exact else 1.0
    etas, cs = [one * e for e in eta], [one * x for x in c]
    Lq, zero = one * L, 0 * one
    theta1 = a1 = b1 = zero
    out = []
    for k in range(n - 1, -1, -1):
        p, r = smallest_weights(cs[k], b1)
        args = (etas[k], cs[k], Lq, zero, one, a1, b1, p, r)
        theta = theta1 + max(zero, 2 * Lq * (one / n - theta1 * fun["RHO"](*args)))
        t = theta1 / theta
        args = (etas[k], cs[k], Lq, zero, t, a1, b1, p, r)
        a1, b1 = fun["A_COEF"](*args), fun["B_COEF"](*args)
        theta1 = theta
        out.append(theta)
    return out[::-1]


def search_theta(*, eta, c, L: float, steps: int) -> list[float]:
    """The chain's weights (theta_0, ..., theta_{n-1}) in floating point (any choice is
    verified, none is trusted): :func:`_greedy`. ``eta`` and ``c`` numbers or schedules."""
    n = int(check_steps(steps))
    etas, cs = (_per_step(k, v, n) for k, v in (("eta", eta), ("c", c)))
    return _greedy([float(e) for e in etas], [float(x) for x in cs], float(L), n, exact=False)


def exact_theta(*, eta, c, L, steps) -> list[Fraction]:
    """:func:`search_theta` in exact arithmetic (Fractions): every step's rate at least 1/n,
    exactly 1/n where every b_k >= 0."""
    n = int(_scalar("steps", steps))
    etas, cs = (_per_step(k, v, n) for k, v in (("eta", eta), ("c", c)))
    return _greedy(etas, cs, _scalar("L", L), n, exact=True)


def horizon_certificate(*, eta, c, L, sigma2, steps, gap) -> Fraction | None:
    """:func:`horizon_bound` at one point in exact arithmetic: the weights of
    :func:`exact_theta`, verified and evaluated by :func:`verify_chain` (a Fraction; ``None``
    only where a condition fails, which the construction of the weights excludes). Its cost
    grows like steps^2 (the exact numbers grow with the steps). Where the closed form does
    not hold, :func:`horizon_bound`'s float search picks slightly different weights, so the
    two agree only to within the float chain's rounding allowance there."""
    for name, value in (("eta", eta), ("c", c), ("sigma2", sigma2), ("gap", gap)):
        _scalar(name, value)
    theta = exact_theta(eta=eta, c=c, L=L, steps=steps)
    return verify_chain(eta=eta, c=c, L=L, sigma2=sigma2, gap=gap, theta=theta)
