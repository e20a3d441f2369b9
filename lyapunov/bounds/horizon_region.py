"""Where the chain of :mod:`.horizon` at constant (eta, c) holds, i.e. stays in the regions of
P8 and P10 at every step: the horizons n with (H_j)_12 >= 0 for 2 <= j <= n (T, H_j, H_inf as
in :mod:`.horizon_structure`), decided in floats with a margin and exactly within it. Three
arguments settle it:

* envelope: where T has complex eigenvalues, T / sqrt(1 - c) is a rotation in the metric
  Q = [[-T_21, (T_11 - T_22)/2], [(T_11 - T_22)/2, T_12]] (T' Q T = (1 - c) Q, Q > 0), so
  (H_inf - H_j)_12 = ((T^j)' H_inf T^j)_12 <= (1 - c)^j (A + M), A = tau Q_12 / 2,
  M^2 = ((tau/2)^2 - det H_inf / det Q) Q_11 Q_22, tau = tr(Q^-1 H_inf): once
  (1 - c)^j (A + M) <= (H_inf)_12, the condition holds at every later j;
* tail: where T is stable, H_inf - H_j = sum_{m>=j} (T^m)' E T^m is positive semidefinite and
  decreases in j, so (H_inf - H_j)_12^2 <= (H_inf - H_j)_11 (H_inf - H_j)_22: once that product
  is <= (H_inf)_12^2 with (H_inf)_12 >= 0, the condition holds at every later j;
* before both: (H_j)_12 step by step, by the recursion.

In floating point every decision is taken only where it is farther than its margin from the
boundary (the coefficients' rounding bounded by their expression trees,
:func:`~lyapunov.bounds.horizon_structure.coefficients`, plus :data:`~.compile.MARGIN`, far
above the rounding of the recursion, which the tests measure); within the margin it is taken in
exact integer arithmetic (:func:`exact_holds`).
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import cache

import numpy as np

from .compile import MARGIN
from .horizon_structure import EPS, congruence, structure

__all__ = ["holds", "exact_holds", "decide", "finish_walks", "DECIDE", "EXACT_STEPS"]

#: longest recursion of the exact decision (beyond it: not certified, the bound is inf)
EXACT_STEPS = 4096
#: longest recursion of the float decision (beyond it: decided exactly, or inf)
FLOAT_STEPS = 100_000
#: steps of the region's walk done block by block (longer walks: all blocks together)
LOCAL_STEPS = 16
#: the coefficients of the decisions (and of the recursion)
DECIDE = ("t11", "t12", "t21", "t22", "tr", "disc", "h11", "h12", "h22", "env_a", "env_m2")


def decide(c, L, n, co):
    """The region of the chain of horizon n, decided in the block where possible: (ok, left)
    with ``ok`` False where it certainly fails or is undecided, and ``left`` None or
    (undecided indices, indices still walking at LOCAL_STEPS, their walk's arguments, their
    H): decided together for all blocks by :func:`finish_walks`. The condition is
    (H_j)_12 >= 0 for 2 <= j <= n (module docstring); where the eigenvalues are complex it
    holds from the envelope's j_env on, and the walk checks the j before."""
    v = {k: val for k, (val, _) in co.items()}
    e = {k: err for k, (_, err) in co.items()}
    with np.errstate(all="ignore"):
        h_lo = v["h12"] - 2 * e["h12"] - MARGIN * np.abs(v["h12"])
        stable = (2 - c + v["tr"]) > 2 * e["tr"] + 4 * EPS  # 1 + tr + det T > 0 (Jury)
        cpx = v["disc"] < -2 * e["disc"]
        a_up = v["env_a"] + 2 * e["env_a"]
        m_up = np.sqrt(np.maximum(v["env_m2"] + 2 * e["env_m2"], 0.0))
        top = (a_up + m_up) * (1 + MARGIN)
        reach = np.log(top / h_lo) / -np.log1p(-c)
        j_env = np.where(top <= 0, 2.0, np.maximum(2.0, np.ceil(reach) + 1))
        j_env = np.where(cpx & (h_lo > 0) & np.isfinite(j_env), j_env, np.inf)
        # the tail condition of :func:`_walk` at j = 1 (H_1 = E = diag(L^2, 0)): then every j
        L2 = L * L
        r11 = v["h11"] - L2 + MARGIN * (np.abs(v["h11"]) + L2) + 2 * e["h11"]
        r22 = v["h22"] + MARGIN * np.abs(v["h22"]) + 2 * e["h22"]
        tail = stable & (h_lo > 0) & (np.maximum(r11, 0) * np.maximum(r22, 0) <= h_lo * h_lo)
    ok = np.ones(n.shape, dtype=bool)
    todo = np.flatnonzero((n >= 2) & (j_env > 2) & ~tail)
    if not todo.size:
        return ok, None
    T = tuple(v[k][todo] for k in ("t11", "t12", "t21", "t22"))
    lim = np.minimum(n[todo], j_env[todo] - 1)  # the j checked one by one
    inf_ = (v["h11"][todo], v["h22"][todo])
    args = (T, L[todo], lim, inf_, h_lo[todo], stable[todo])
    res, unsure, (left, H) = _walk(*args, until=LOCAL_STEPS)
    ok[todo] = res & ~unsure
    unsure = todo[unsure]
    if not left.size and not unsure.size:
        return ok, None
    rest = (T, L[todo], lim, inf_, h_lo[todo], stable[todo])
    rest = tuple(tuple(x[left] for x in a) if isinstance(a, tuple) else a[left] for a in rest)
    return ok, (unsure, todo[left], rest, H)


def finish_walks(out, walks, eta, c, L, n) -> None:
    """The points :func:`decide` left (one loop for all blocks): the walks resumed at
    LOCAL_STEPS, then :func:`exact_holds` where the floats are undecided; out = inf where the
    region fails or stays undecided."""
    unsure = [w[0] for w in walks]
    go = [w for w in walks if w[1].size]
    if go:
        idx = np.concatenate([w[1] for w in go])
        args = [
            tuple(np.concatenate([w[2][i][k] for w in go]) for k in range(len(a)))
            if isinstance(a, tuple)
            else np.concatenate([w[2][i] for w in go])
            for i, a in enumerate(go[0][2])
        ]
        H = tuple(np.concatenate([w[3][k] for w in go]) for k in range(3))
        res, more, _ = _walk(*args, H=H, j=LOCAL_STEPS)
        out[idx[~res & ~more]] = np.inf
        unsure.append(idx[more])
    for i in np.concatenate(unsure):
        if np.isfinite(out[i]) and exact_holds(eta[i], c[i], L[i], n[i]) is not True:
            out[i] = np.inf


def holds(eta, c, L, n, co) -> np.ndarray:
    """Mask of the points (1-D arrays) where the chain of horizon n is in the regions of P8
    and P10 at every step: (H_j)_12 >= 0 for 2 <= j <= n (module docstring), by the
    envelope, the tail and the recursion in floats where each is farther than its margin from
    the boundary, by :func:`exact_holds` elsewhere (undecided there: False). ``co``: the
    :func:`~.horizon_structure.coefficients` (at least those of the decisions)."""
    ok, walk = decide(c, L, n, co)
    if walk is not None:
        out = np.where(ok, 0.0, np.inf)
        out[walk[0]] = 0.0  # undecided in floats: decided exactly
        finish_walks(out, [walk], eta, c, L, n)
        ok = np.isfinite(out)
    return ok


def _walk(T, L, lim, h_inf, h_lo, stable, H=None, j: int = 2, until: int = FLOAT_STEPS):
    """The recursion for j, j + 1, ..., lim (per point), from H = H_j (H_2 if None):
    (holds, undecided, pending). A point stops where (H_j)_12 is certainly negative (False),
    within its margin (undecided), at the tail condition (True) or at j = lim (True); the
    points still walking at j = until are ``pending`` = (their indices, their H_until), to be
    resumed (holds True for them meanwhile)."""
    m = lim.size
    res, unsure = np.ones(m, dtype=bool), np.zeros(m, dtype=bool)
    L2 = L * L
    if H is None:
        H = congruence(T, (L2, np.zeros(m), np.zeros(m)))
        H = (H[0] + L2, H[1], H[2])  # H_2
    idx = np.arange(m)
    with np.errstate(all="ignore"):
        while idx.size and j < until:
            a, b, d = H
            scale = MARGIN * np.sqrt(np.abs(a * d))
            neg, near = b < -scale, np.abs(b) <= scale
            h11, h22 = h_inf[0][idx], h_inf[1][idx]
            r11 = h11 - a + MARGIN * (np.abs(h11) + np.abs(a))
            r22 = h22 - d + MARGIN * (np.abs(h22) + np.abs(d))
            hl = h_lo[idx]
            tail = stable[idx] & (hl > 0) & (np.maximum(r11, 0) * np.maximum(r22, 0) <= hl * hl)
            wild = ~np.isfinite(b) | ~np.isfinite(scale) | (j >= FLOAT_STEPS)
            res[idx[neg]] = False
            unsure[idx[(near | wild) & ~neg]] = True
            keep = ~(neg | near | wild | tail | (j >= lim[idx]))
            idx = idx[keep]
            T = tuple(t[keep] for t in T)
            a, b, d = congruence(T, (a[keep], b[keep], d[keep]))
            H = (a + L2[idx], b, d)
            j += 1
    res[unsure] = False
    return res, unsure, (idx, H)


@cache
def _exact_coefs():
    from .horizon_step import rational_function

    s = structure()
    names = ("t11", "t12", "t21", "t22", "h11", "h12", "h22", "disc", "env_a", "env_m2")
    return {k: rational_function(s.coefs[k], list(s.symbols)) for k in names}


def exact_holds(eta, c, L, n) -> bool | None:
    """The condition of :func:`holds` at one point in exact arithmetic (floats taken as the
    binary fractions they are): True, False, or None where it needs more than EXACT_STEPS
    steps of the recursion (there nothing is certified)."""
    args = [Fraction(float(x)) for x in (eta, c, L)]
    n = int(n)
    if n < 2:
        return True
    funs = _exact_coefs()
    f = {k: funs[k](*args) for k in ("t11", "t12", "t21", "t22", "disc")}
    rho = 1 - args[1]
    stable = 1 + f["t11"] + f["t22"] + rho > 0  # 1 + tr + det T > 0; 1 - tr + det = c L eta
    h, j_env = -1, n + 1  # no shortcut unless H_inf exists (T stable) and (H_inf)_12 >= 0
    if stable:
        f.update({k: funs[k](*args) for k in ("h11", "h12", "h22")})
        h = f["h12"]
        if f["disc"] < 0 and h >= 0:  # the envelope's denominators are disc and 1 + tr + det
            f.update({k: funs[k](*args) for k in ("env_a", "env_m2")})
            j_env = _exact_envelope(f, rho, h, n)
    # H_j = G_j / (Ld^2 D^(2 (j - 1))), G integer: G_1 = diag(Ln^2, 0),
    # G_{j+1} = Ln^2 D^(2j) e11 + Tn' G_j Tn with T = Tn / D
    ts = [f[k] for k in ("t11", "t12", "t21", "t22")]
    D = math.lcm(*(t.denominator for t in ts))
    t11, t12, t21, t22 = (int(t * D) for t in ts)
    Ln, Ld = args[2].numerator, args[2].denominator
    a, b, d = Ln * Ln, 0, 0
    scale = 1  # D^(2 (j - 1))
    for j in range(2, min(n, j_env - 1) + 1):
        if j - 1 > EXACT_STEPS:
            return None
        a, b, d = (
            t11 * t11 * a + 2 * t11 * t21 * b + t21 * t21 * d,
            t11 * t12 * a + (t11 * t22 + t12 * t21) * b + t21 * t22 * d,
            t12 * t12 * a + 2 * t12 * t22 * b + t22 * t22 * d,
        )
        scale *= D * D
        a += Ln * Ln * scale
        if b < 0:
            return False
        if stable and h >= 0:
            den = Fraction(1, Ld * Ld * scale)
            r11, r22 = f["h11"] - a * den, f["h22"] - d * den
            if r11 * r22 <= h * h:
                return True
    return True


def _exact_envelope(f: dict, rho: Fraction, h: Fraction, n: int) -> int:
    """A j >= 2 with (1 - c)^j (A + M) <= (H_inf)_12 decided exactly (module docstring), the
    smallest of a few candidates; n + 1 where none is found up to n."""
    A, M2 = f["env_a"], f["env_m2"]

    def covers(j: int) -> bool:
        room = h / rho**j - A
        return room >= 0 and room * room >= M2

    if A <= 0 and A * A >= M2:
        return 2
    try:
        guess = math.log(float(A) + math.sqrt(max(float(M2), 0.0))) - math.log(float(h))
        guess = max(2, math.ceil(guess / -math.log1p(-float(1 - rho))))
    except (ValueError, ZeroDivisionError, OverflowError):
        return n + 1
    for j in (2, guess, guess + 1, guess + 2, 2 * guess):
        if j <= n and covers(j):
            return j
    return n + 1
