"""A horizon-aware certified bound for SPA / SGD+M at constant (eta, c): P8 and P10 chained.

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
search (floating point) picks each theta_k as small as keeps theta_k RHO_k >= 1/n; the
certification evaluates the two theorems' own formulas (lambdified) and their region conditions
at every step (P8's where t > 0), and a step outside them makes the bound ``inf``.

Two evaluations of the same chain:

* :func:`horizon_bound`: vectorized over numpy arrays, in floating point, with the result
  rounded up by a relative allowance for the rounding of the chain (:data:`ROUNDING`, far
  above the error measured against exact arithmetic in the tests). ``inf`` for more than
  :data:`MAX_STEPS` steps (there P4 is as good: the gain of the chain decays like the
  transient of the buffer, ~1/c steps) and where the chain leaves the regions.
* :func:`horizon_certificate`: one point in exact rational arithmetic (the float inputs are
  exact binary fractions): every region condition decided exactly, the bound as a Fraction.
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import cache

import numpy as np
import sympy as sp

from ..validate import check_range, check_steps
from .compile import RELATIONS

__all__ = [
    "horizon_bound",
    "schedule_horizon_bound",
    "horizon_certificate",
    "verify_chain",
    "search_theta",
    "MAX_STEPS",
    "ROUNDING",
]

#: longest horizon the chain is computed for (beyond it the bound is inf: P4 applies)
MAX_STEPS = 4096
#: relative rounding allowance of the float chain, per step
ROUNDING = 64 * np.finfo(float).eps


_STEP_PARTS: list = []  # (args, exprs, conds) of the chain step, filled by _p10


@cache
def _fused(module: str):
    """One function per step: (eta, c, L, sigma2, t, a1, b1) -> (A, B, RHO, NU, RHO at t = 1,
    the region conditions' lhs - rhs...), with common subexpressions shared; and the
    conditions' (relation, needed only where t > 0)."""
    _p10()
    args, exprs, conds = _STEP_PARTS
    t = args[4]
    outs = [exprs[k] for k in ("A_COEF", "B_COEF", "RHO", "NU")] + [exprs["RHO"].subs(t, 1)]
    outs += [c.lhs - c.rhs for c, _ in conds]
    return sp.lambdify(args, outs, module, cse=True), [(type(c), p8) for c, p8 in conds]


@cache
def _p10():
    """The chain step t P8 + (1 - t) P10 as functions of (eta, c, L, sigma2, t, a1, b1):

        A = t A_P8,  B = t B_P8,  RHO = t RHO_P8 + (1 - t) RHO_P10,  NU = t NU_P8 + (1 - t) NU_P10,

    built from the two certified theorems' own expressions, in numpy (``num``) and exact
    rational (``exact``) versions, with their region conditions: P8's are needed only where
    t > 0 (at t = 0 the step is P10 alone), P10's always, and 0 <= t <= 1."""
    from ..proofs import p8_schedule_descent as p8
    from ..proofs import p10_spa_horizon as p10

    t = sp.Symbol("t", real=True)
    args = [p8.eta, p8.c, p8.L, p8.sigma2, t, p8.a1, p8.b1]
    exprs = {
        "A_COEF": t * p8.A_COEF,
        "B_COEF": t * p8.B_COEF,
        "RHO": t * p8.RHO + (1 - t) * p10.RHO,
        "NU": t * p8.NU + (1 - t) * p10.NU,
    }
    # P10's lower bound fstar = -m of f is not a coefficient of the chain (any m will do)
    p10_conds = [
        c.subs({p10.eta: p8.eta, p10.c: p8.c, p10.L: p8.L, p10.sigma2: p8.sigma2})
        for c in p10.theorem.region.conditions
    ]
    conds = [(c, False) for c in [t >= 0, t <= 1, *p10_conds]]
    conds += [(c, True) for c in p8.descent.region.conditions]
    names = {a.name for a in args}
    extra = {s.name for c, _ in conds for s in c.free_symbols} - names
    if extra:  # pragma: no cover - the proof files and this module disagree
        raise RuntimeError(f"the chain's regions use symbols {sorted(extra)} it does not set")
    _STEP_PARTS[:] = [args, exprs, conds]
    num = {name: sp.lambdify(args, e, "numpy") for name, e in exprs.items()}
    num_conds = [
        (sp.lambdify(args, c.lhs - c.rhs, "numpy"), type(c), p8_only) for c, p8_only in conds
    ]
    exact = {name: _rational_function(e, args) for name, e in exprs.items()}
    exact_conds = [
        (_rational_function(c.lhs - c.rhs, args), type(c), p8_only) for c, p8_only in conds
    ]
    return num, num_conds, exact, exact_conds


def _rational_function(expr, args):
    """An exact evaluator of a rational function of ``args`` on Fractions."""
    top, bottom = sp.fraction(sp.together(sp.sympify(expr)))
    polys = [sp.Poly(p, *args) for p in (top, bottom)]
    terms = [
        [(m, Fraction(int(sp.numer(q)), int(sp.denom(q)))) for m, q in p.terms()] for p in polys
    ]

    def evaluate(*vals: Fraction) -> Fraction:
        out = []
        for ts in terms:
            s = Fraction(0)
            for mono, coef in ts:
                term = coef
                for v, e in zip(vals, mono, strict=True):
                    if e:
                        term *= v**e
                s += term
            out.append(s)
        if out[1] == 0:
            raise ZeroDivisionError("P10 formula: zero denominator")
        return out[0] / out[1]

    return evaluate


def _chain_float(eta, c, L, sigma2, n: int):
    """The chain over n steps for 1-D arrays of equal length; returns the bound's numerator
    coefficients (theta_0, sum theta_k NU_k), min theta_k RHO_k and a mask of the points
    where every step is in the regions of P10 and (where t > 0) P8."""
    if eta.size == 1:  # plain floats: much less overhead per step than numpy
        out = _chain_scalar(float(eta[0]), float(c[0]), float(L[0]), float(sigma2[0]), n)
        return tuple(np.array([v]) for v in out)
    step, rels = _fused("numpy")
    target = 1.0 / n
    theta1 = np.zeros_like(eta)
    a_next = np.zeros_like(eta)  # current coefficients of step k+1 (normalised by theta1)
    b_next = np.zeros_like(eta)
    ok = np.ones(eta.shape, dtype=bool)
    rho_min = np.full(eta.shape, np.inf)
    nu_sum = np.zeros_like(eta)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for _ in range(n):
            # search: the rate the step has at t = 1, in theta1 units; the drop theta - theta1
            # adds (theta - theta1) RHO_P10 = (theta - theta1)/(2L), up to the target
            at_one = step(eta, c, L, sigma2, 1.0, a_next, b_next)[4]
            at_one = np.where(theta1 > 0, theta1 * at_one, 0.0)
            theta = theta1 + np.maximum(0.0, 2 * L * (target - at_one))
            # certification: t P8 + (1 - t) P10 at t = theta1/theta, (a1, b1) = (a_next, b_next)
            t = theta1 / theta
            a_k, b_k, rho, nu, _, *lhs = step(eta, c, L, sigma2, t, a_next, b_next)
            for v, (rel, p8_only) in zip(lhs, rels, strict=True):
                holds = RELATIONS[rel](np.broadcast_to(v, eta.shape), 0)
                ok &= (holds | (t == 0)) if p8_only else holds
            rho_min = np.minimum(rho_min, theta * rho)
            nu_sum = nu_sum + theta * nu
            theta1, a_next, b_next = theta, a_k, b_k
        ok &= np.isfinite(theta1) & np.isfinite(nu_sum) & (rho_min > 0)
    return theta1, nu_sum, rho_min, ok


def _chain_scalar(eta: float, c: float, L: float, sigma2: float, n: int):
    """:func:`_chain_float` at one point, in plain floats (the same steps)."""
    return _chain_sequence([float(eta)] * n, [float(c)] * n, float(L), float(sigma2))


def _chain_sequence(etas, cs, L: float, sigma2: float):
    """The chain for a schedule: step k with (etas[k], cs[k]) (P8 and P10 hold step by step,
    so a schedule chains like a constant), run backwards in plain floats. Returns
    (theta_0, sum theta_k NU_k, min theta_k RHO_k, every step in the regions)."""
    step, rels = _fused("math")
    n = len(etas)
    target = 1.0 / n
    theta1 = a_next = b_next = nu_sum = 0.0
    rho_min, ok = math.inf, True
    try:
        for k in range(n - 1, -1, -1):
            eta, c = etas[k], cs[k]
            at_one = theta1 * step(eta, c, L, sigma2, 1.0, a_next, b_next)[4] if theta1 else 0.0
            theta = theta1 + max(0.0, 2 * L * (target - at_one))
            t = theta1 / theta
            a_k, b_k, rho, nu, _, *lhs = step(eta, c, L, sigma2, t, a_next, b_next)
            for v, (rel, p8_only) in zip(lhs, rels, strict=True):
                if not (RELATIONS[rel](v, 0) or (p8_only and t == 0)):
                    ok = False
            rho_min = min(rho_min, theta * rho)
            nu_sum += theta * nu
            theta1, a_next, b_next = theta, a_k, b_k
    except (OverflowError, ZeroDivisionError, ValueError):
        return theta1, nu_sum, rho_min, False
    ok = ok and math.isfinite(theta1) and math.isfinite(nu_sum) and rho_min > 0
    return theta1, nu_sum, rho_min, ok


def schedule_horizon_bound(eta, c, L: float, sigma2: float, gap: float) -> float:
    """The chain of :func:`horizon_bound` for a schedule (step k uses eta[k], c[k]; validated
    1-D arrays of equal length n) at scalar L, sigma2, gap: a certified bound on
    (1/n) sum_{k<n} E|grad f(x_k)|^2, ``inf`` where a step leaves the regions of P8 and P10
    (its cost is O(n), like P8's own pass over the schedule, so there is no MAX_STEPS here).
    For a constant schedule of at most MAX_STEPS steps it is :func:`horizon_bound`."""
    n = len(eta)
    etas, cs = [float(x) for x in eta], [float(x) for x in c]
    theta0, nu_sum, rho_min, ok = _chain_sequence(etas, cs, float(L), float(sigma2))
    if not ok:
        return math.inf
    val = (theta0 * gap + sigma2 * nu_sum) / (n * rho_min) * (1 + ROUNDING * (n + 1))
    return val if math.isfinite(val) else math.inf


def horizon_bound(*, eta, c, L, sigma2, steps, gap) -> np.ndarray | float:
    """Certified bound on (1/steps) sum_{k<steps} E|grad f(x_k)|^2 for SPA(eta, c) (theorems
    P8 and P10 chained over the horizon; module docstring), for every L-smooth f with
    f(x_0) - inf f <= gap and noise variance at most sigma2; ``inf`` where the chain leaves
    their regions or steps > :data:`MAX_STEPS`. Arguments broadcast; a float for scalars.

        (theta_0 gap + sigma2 sum_k theta_k NU_k) / (steps min_k theta_k RHO_k)
    """
    e = check_range("eta", eta)
    cc = check_range("c", c)
    Ls = check_range("L", L)
    s2 = check_range("sigma2", sigma2)
    n = check_steps(steps)
    g = check_range("gap", gap)
    shape = np.broadcast_shapes(e.shape, cc.shape, Ls.shape, s2.shape, n.shape, g.shape)
    arrs = [np.broadcast_to(a, shape).ravel() for a in (e, cc, Ls, s2, n, g)]
    e, cc, Ls, s2, n, g = arrs
    out = np.full(e.shape, np.inf)
    for steps_ in np.unique(n):
        if steps_ > MAX_STEPS:
            continue
        m = n == steps_
        k = int(steps_)
        theta0, nu_sum, rho_min, ok = _chain_float(e[m], cc[m], Ls[m], s2[m], k)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            val = (theta0 * g[m] + s2[m] * nu_sum) / (k * rho_min)
            val = val * (1 + ROUNDING * (k + 1))
        out[m] = np.where(ok & np.isfinite(val), val, np.inf)
    out = out.reshape(shape)
    return float(out) if out.ndim == 0 else out


def _scalar(name: str, value, rule: str | None = None) -> Fraction:
    a = check_range(name, value, rule) if name != "steps" else check_steps(value)
    if a.ndim:
        raise ValueError(f"{name}: horizon_certificate takes one point, got shape {a.shape}")
    return Fraction(float(a))  # the exact binary fraction the float is


def verify_chain(*, eta, c, L, sigma2, gap, theta) -> Fraction | None:
    """Verify a chain of P10 steps in exact rational arithmetic; its bound, or ``None``.

    ``theta`` = (theta_0, ..., theta_{n-1}), theta_n = 0. Going backwards, step k is t P8 +
    (1 - t) P10 at t = theta_{k+1}/theta_k with P8's next coefficients (a1, b1) the current
    ones of step k+1, (a_{k+1}, b_{k+1}) = t_{k+1} (A_P8, B_P8) (zero after the last step).
    Every region condition of P10, and of P8 where t > 0, is decided exactly at every step;
    if one fails (or some theta_k <= 0) the chain certifies nothing and the answer is
    ``None``. Otherwise the bound on (1/n) sum_{k<n} E|grad f(x_k)|^2 is
    (theta_0 gap + sigma2 sum_k theta_k NU_k) / (n min_k theta_k RHO_k), as a Fraction.
    Floats are taken as the binary fractions they are.
    """
    eta_q, c_q, L_q = _scalar("eta", eta), _scalar("c", c), _scalar("L", L)
    s2_q, gap_q = _scalar("sigma2", sigma2), _scalar("gap", gap)
    thetas = [Fraction(x) if isinstance(x, Fraction) else Fraction(float(x)) for x in theta]
    if not thetas:
        raise ValueError("theta: must have one value per step, got an empty sequence")
    _, _, exact, exact_conds = _p10()
    n = len(thetas)
    theta1 = a_next = b_next = nu_sum = Fraction(0)
    rho_min: Fraction | None = None
    for theta in reversed(thetas):
        if theta <= 0:
            return None
        t = theta1 / theta
        args = (eta_q, c_q, L_q, s2_q, t, a_next, b_next)
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


def search_theta(*, eta: float, c: float, L: float, steps: int) -> list[float]:
    """The chain's weights (theta_0, ..., theta_{n-1}) chosen by the search of
    :func:`horizon_bound` (floating point; any choice is verified, none is trusted): backwards,
    theta_k = theta_{k+1} + max(0, 2L (1/n - theta_{k+1} RHO(t = 1))), the smallest weight
    that keeps theta_k RHO_k >= 1/n. A step outside the regions of P8 and P10 is left to
    :func:`verify_chain` to reject."""
    num = _p10()[0]
    e, cc, Ls = float(eta), float(c), float(L)
    n = int(steps)
    theta1, a_next, b_next = 0.0, 0.0, 0.0
    out = []
    for _ in range(n):
        at_one = theta1 * float(num["RHO"](e, cc, Ls, 0.0, 1.0, a_next, b_next)) if theta1 else 0.0
        theta = theta1 + max(0.0, 2 * Ls * (1.0 / n - at_one))
        t = theta1 / theta
        vals = (e, cc, Ls, 0.0, t, a_next, b_next)
        a_next, b_next = float(num["A_COEF"](*vals)), float(num["B_COEF"](*vals))
        theta1 = theta
        out.append(theta)
    return out[::-1]


def horizon_certificate(*, eta, c, L, sigma2, steps, gap) -> Fraction | None:
    """:func:`horizon_bound` at one point in exact arithmetic: the weights from
    :func:`search_theta`, verified and evaluated by :func:`verify_chain` (a Fraction, or
    ``None`` when the chain leaves the regions of P8 and P10)."""
    n = int(_scalar("steps", steps))
    theta = search_theta(
        eta=float(_scalar("eta", eta)), c=float(_scalar("c", c)), L=float(_scalar("L", L)), steps=n
    )
    return verify_chain(eta=eta, c=c, L=L, sigma2=sigma2, gap=gap, theta=theta)
