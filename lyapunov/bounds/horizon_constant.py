"""The chain of :mod:`.horizon` at constant (eta, c): its bound in closed form in the horizon
n, O(1) per point for every n,

    (phi_n gap + sigma2 S_n) / n,    phi_n = 2 (H_n)_11 / L,    S_n = sum_{j<n} nu(H_j),

H_j the cost to go of j steps of SPA on the quadratic L x^2/2 (the structure and the closed
form: :mod:`.horizon_structure`), inf outside the horizons where the chain holds
(:mod:`.horizon_region`). The value (:func:`constant_bound`), rounded up by its error
estimate:

* n <= SHORT: the recursion, allowance 16 u (n + 4) of its terms (within the 64 u (n + 1) of
  the earlier step-by-step chain);
* T stable and the tail (T^n)' X T^n below NEGLIGIBLE of the value (bounded from the
  spectral radius, :func:`_envelope`, no powers computed): phi_n <= 2 (H_inf)_11 / L and
  S_n <= n nu(H_inf) - nu(Z) + (the tail's bound), the coefficients' errors from their trees;
* otherwise the closed form with T^n from the eigenvalues (the error of s_n from the size of n,
  and the cancellation), or the recursion where that cancels by more than CANCEL and
  n <= SUM_STEPS.
"""

from __future__ import annotations

import numpy as np

from .horizon_region import DECIDE, decide, finish_walks
from .horizon_structure import EPS, coefficients, congruence

__all__ = ["constant_bound", "closed_form", "summed"]

#: closed forms that cancel more than this (value / size of its terms) are summed instead
CANCEL = 1e-9
#: ... when the horizon is at most this long (beyond: the closed form, with its error)
SUM_STEPS = 4096
#: horizons summed step by step (the recursion is as cheap as the closed form there)
SHORT = 32
#: a tail of the closed form below this fraction of the value is bounded, not computed
NEGLIGIBLE = 1e-13
#: the coefficients by use: the value, the closed form's tail, the recursion's noise term
_VALUE = ("nu_h", "nu_z", "p_y", "q_y")
_TAIL = ("p_w", "q_w")
_SUM = ("nu11", "nu12", "nu22")
#: points per block of the evaluation (temporaries stay in cache)
_BLOCK = 2**13


def _powers(m: np.ndarray, c: np.ndarray, tr: np.ndarray, disc: np.ndarray):
    """(C_m, s_m, their envelopes, relative rounding) with T^m = C_m I + (s_m / 2) N,
    N = 2 T - tr I (N^2 = disc I), for whole m >= 0 (l1, l2 the eigenvalues of T):

    complex (disc < 0):  C_m = (1 - c)^(m/2) cos(m w),  s_m = (1 - c)^((m-1)/2) sin(m w) / sin w;
    real:                C_m = (l1^m + l2^m) / 2,       s_m = l1^(m-1) (1 - r^m) / (1 - r);
    double:              C_m = l^m,                     s_m = m l^(m-1),

    (r = l2 / l1, |l2| <= |l1|). |C_m|, |s_m| are at most their envelopes, and the rounding of
    the formula (not of tr and disc: see :func:`_sens`) at most ``relative rounding`` times them
    (an estimate: a few units for each operation, and m times the rounding of w, log l1 and
    log r)."""
    half = 0.5 * np.log1p(-c)  # log sqrt(1 - c)
    q = np.sqrt(np.abs(disc))
    cpx, real = disc < 0, disc > 0
    # complex: w in (0, pi), sin w = sqrt(-disc) / (2 sqrt(1 - c))
    w = np.where(cpx, np.arctan2(q, tr), 0.0)
    sin_w = np.where(cpx, q / (2 * np.exp(half)), 1.0)
    # real: l1 the eigenvalue of larger modulus, 1 - r = sqrt(disc) / |l1|
    l1 = np.where(real, (tr + np.copysign(q, tr)) / 2, 1.0)
    r = np.where(real, (1 - c) / (l1 * l1), 0.5)  # in [0, 1]: l1 l2 = 1 - c >= 0
    small = r < 0.5
    one_r = np.where(small, 1 - r, np.minimum(q / np.abs(l1), 1.0))
    log_r = np.where(small, np.log(r), np.log1p(-one_r))
    log_l1 = np.log(np.abs(l1))
    lam = tr / 2  # a double eigenvalue
    k = np.maximum(m - 1, 0)
    flip = (l1 < 0) & (k % 2 == 1)
    rm = np.exp(m * log_r)
    # C_m
    big = np.exp(m * log_l1)
    c_c, env_cc = np.exp(m * half) * np.cos(m * w), np.exp(m * half)
    c_r = np.where(flip, big, np.where(l1 < 0, -big, big)) * (1 + rm) / 2
    c_d = np.abs(lam) ** m * np.where((lam < 0) & (m % 2 == 1), -1.0, 1.0)
    C = np.where(cpx, c_c, np.where(real, c_r, c_d))
    env_C = np.where(cpx, env_cc, np.where(real, big, np.abs(c_d)))
    # s_m
    scale = np.exp(k * half)
    grow = np.exp(k * log_l1)
    s_c, env_sc = scale * np.sin(m * w) / sin_w, scale * np.minimum(m, 1 / sin_w)
    s_r = np.where(flip, -grow, grow) * (-np.expm1(m * log_r)) / one_r
    s_d = m * np.abs(lam) ** k * np.where((lam < 0) & (k % 2 == 1), -1.0, 1.0)
    S = np.where(cpx, s_c, np.where(real, s_r, s_d))
    env_S = np.where(cpx, env_sc, np.where(real, grow * m, np.abs(s_d)))
    zero = m == 0
    C, env_C = np.where(zero, 1.0, C), np.where(zero, 1.0, env_C)
    S, env_S = np.where(zero, 0.0, S), np.where(zero, 0.0, env_S)
    # logs of at most 750 in size: beyond that the powers are 0 or overflow anyway
    logs = np.where(real, np.minimum(np.abs(log_l1), 750) + np.minimum(-log_r, 750), w)
    rel = 8 * EPS * (6 + m * (np.minimum(-half, 750) + logs))
    return C, S, env_C, env_S, rel


def _sens(m, c, tr, disc):
    """(C_m, s_m, their envelopes, a bound on the error of each): :func:`_powers`, its own
    rounding plus twice the first-order change when tr or disc moves by its error bound."""
    (tr, e_tr), (disc, e_disc) = tr, disc
    C, S, env_C, env_S, rel = _powers(m, c, tr, disc)
    a_C, a_S, *_ = _powers(m, c, tr + e_tr, disc)
    b_C, b_S, *_ = _powers(m, c, tr, disc + np.where(disc < 0, -e_disc, e_disc))
    env_C, env_S = np.maximum(env_C, np.abs(C)), np.maximum(env_S, np.abs(S))
    d_C = 2 * (np.abs(a_C - C) + np.abs(b_C - C)) + rel * env_C
    d_S = 2 * (np.abs(a_S - S) + np.abs(b_S - S)) + rel * env_S
    return C, S, env_C, env_S, d_C, d_S


def _sandwich(C, S, d_C, d_S, f, e_f):
    """f((T^n)' X T^n) = C^2 f(X) + (C s / 2) f(W) + (s^2 / 4) f(Y) (W = N' X + X N,
    Y = N' X N) and a bound on its error; ``f`` = (f(X), f(W), f(Y)), ``e_f`` their errors."""
    k2, k1, k0 = C * C, C * S / 2, S * S / 4
    val = k2 * f[0] + k1 * f[1] + k0 * f[2]
    aC, aS = np.abs(C), np.abs(S)
    dk2 = 2 * aC * d_C + d_C * d_C
    dk1 = (aC * d_S + aS * d_C + d_C * d_S) / 2
    dk0 = (2 * aS * d_S + d_S * d_S) / 4
    err = dk2 * np.abs(f[0]) + dk1 * np.abs(f[1]) + dk0 * np.abs(f[2])
    err += k2 * e_f[0] + np.abs(k1) * e_f[1] + k0 * e_f[2]
    err += 4 * EPS * (k2 * np.abs(f[0]) + np.abs(k1 * f[1]) + k0 * np.abs(f[2]))
    return val, err


def closed_form(eta, c, L, n, co) -> tuple[np.ndarray, ...]:
    """(phi_n, S_n, error bound on phi_n, on S_n) by the closed form (module docstring);
    ``co`` the :func:`~.horizon_structure.coefficients`."""
    v = {k: val for k, (val, _) in co.items()}
    e = {k: err for k, (_, err) in co.items()}
    with np.errstate(all="ignore"):
        C, S, _, _, d_C, d_S = _sens(n, c, co["tr"], co["disc"])
        # phi_n = 2 (H_inf - (T^n)' H_inf T^n)_11 / L
        f = (v["h11"], v["p_w"], v["p_y"])
        tail, err = _sandwich(C, S, d_C, d_S, f, (e["h11"], e["p_w"], e["p_y"]))
        phi = 2 * (v["h11"] - tail) / L
        err_phi = 2 * (err + e["h11"] + 2 * EPS * (np.abs(v["h11"]) + np.abs(tail))) / L
        # S_n = nu(n H_inf - Z + (T^n)' Z T^n)
        f = (v["nu_z"], v["q_w"], v["q_y"])
        tail, err = _sandwich(C, S, d_C, d_S, f, (e["nu_z"], e["q_w"], e["q_y"]))
        S_n = n * v["nu_h"] - v["nu_z"] + tail
        big = n * np.abs(v["nu_h"]) + np.abs(v["nu_z"]) + np.abs(tail)
        err_S = err + n * e["nu_h"] + e["nu_z"] + 4 * EPS * big
    return phi, S_n, err_phi + 2 * EPS * np.abs(phi), err_S + 2 * EPS * np.abs(S_n)


def summed(L, n, co) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(phi_n, S_n, size of S_n's terms) by the recursion H_{j+1} = E + T' H_j T (short
    horizons: phi_n is computed, not a difference of two nearly equal closed forms).
    nu(H) = eta^2 v' H v >= 0 is a sum of three terms; their size is at most
    2 (nu11 H11 + nu22 H22) (|nu12 H12| <= 2 sqrt(nu11 H11 nu22 H22))."""
    v = {k: val for k, (val, _) in co.items()}
    T = (v["t11"], v["t12"], v["t21"], v["t22"])
    L2 = L * L
    H = (np.zeros_like(L), np.zeros_like(L), np.zeros_like(L))
    S, size, phi = np.zeros_like(L), np.zeros_like(L), np.zeros_like(L)
    for j in range(int(n.max()) if n.size else 0):
        live = j < n
        S = S + np.where(live, v["nu11"] * H[0] + v["nu12"] * H[1] + v["nu22"] * H[2], 0.0)
        size = size + np.where(live, 2 * (np.abs(v["nu11"] * H[0]) + np.abs(v["nu22"] * H[2])), 0)
        a, b, d = congruence(T, H)
        H = (a + L2, b, d)
        phi = np.where(j + 1 == n, 2 * H[0] / L, phi)
    return phi, S, size


def _envelope(n, c, co):
    """(E_C, E_S, stable): E_C >= |C_n| and E_S >= |s_n| (T^n = C_n I + (s_n / 2) N) for
    every n, from r >= the spectral radius of T: |C_n| = |l1^n + l2^n| / 2 <= r^n and
    |s_n| = |sum_{k<n} l1^k l2^(n-1-k)| <= n r^(n-1), and where the eigenvalues are
    certainly complex also |s_n| <= r^(n-1) / sin w. r is sqrt(1 - c) there (|l1| = |l2|,
    l1 l2 = det T), and (|tr| + sqrt(disc)) / 2 from tr and disc rounded outwards elsewhere;
    the powers carry a relative allowance far above the error of log and exp (at most a few
    units in the last place of n log r, |n log r| <= 750 where the envelope is not 0 or inf).
    ``stable``: T is stable beyond its error (1 + tr + det T > 0; 1 - tr + det T = c L eta
    > 0 and det T = 1 - c < 1 always), so H_inf and Z are positive semidefinite."""
    (tr, e_tr), (disc, e_disc) = co["tr"], co["disc"]
    with np.errstate(all="ignore"):
        cpx = disc < -2 * e_disc
        half = 0.5 * np.log1p(-c)
        q = np.sqrt(np.maximum(disc + 2 * e_disc, 0.0))
        log_r = np.where(cpx, half, np.log((np.abs(tr) + 2 * e_tr + q) / 2))
        sin_w = np.sqrt(np.abs(disc) - 2 * e_disc) / (2 * np.exp(half))
        k = np.where(cpx, np.minimum(n, 1 / sin_w), n)
        grow = 1 + 1e-12
        E_C = np.exp(n * log_r) * grow
        E_S = np.where(n == 0, 0.0, np.exp((n - 1) * log_r) * k * grow)
        stable = (2 - c + tr) > 2 * e_tr + 4 * EPS
    return E_C, E_S, stable


def _fast(n, L, co, E_C, E_S):
    """(phi_n, S_n) rounded up without the powers of T, and whether that loses at most
    NEGLIGIBLE of each (stable points). (T^n)' X T^n <= 2 C_n^2 X + (s_n^2 / 2) N' X N for
    X >= 0, so 0 <= ((T^n)' H_inf T^n)_11 <= 2 E_C^2 h11 + E_S^2 p_y / 2 =: t_phi and
    0 <= nu((T^n)' Z T^n) <= 2 E_C^2 nu_z + E_S^2 q_y / 2 =: t_S (nu is monotone); so

        phi_n <= 2 h11 / L,    S_n <= n nu_h - nu_z + t_S,

    each rounded up by its coefficients' errors and the operations'."""
    v = {k: val for k, (val, _) in co.items()}
    e = {k: err for k, (_, err) in co.items()}
    with np.errstate(all="ignore"):
        C2, S2 = E_C * E_C, E_S * E_S / 4
        t_phi = 2 * (C2 * (v["h11"] + e["h11"]) + S2 * (v["p_y"] + e["p_y"]))
        t_S = 2 * (C2 * (v["nu_z"] + e["nu_z"]) + S2 * (v["q_y"] + e["q_y"]))
        phi = 2 * (v["h11"] + e["h11"]) / L * (1 + 4 * EPS)
        big = n * (v["nu_h"] + e["nu_h"])
        S = (big - (v["nu_z"] - e["nu_z"]) + t_S * (1 + 8 * EPS)) + 8 * EPS * (big + v["nu_z"])
        small = (t_phi * 2 / L <= NEGLIGIBLE * phi) & (t_S <= NEGLIGIBLE * S)
    return phi, S, small


def constant_bound(eta, c, L, sigma2, n, gap) -> np.ndarray:
    """(phi_n gap + sigma2 S_n) / n rounded up, inf where the chain of horizon n leaves the
    regions of P8 and P10 (:func:`~.horizon_region.holds`), for 1-D float arrays of equal
    length. Per point:

    * n <= SHORT: phi_n and S_n by the recursion (:func:`summed`);
    * longer, T stable and the tail below NEGLIGIBLE of the value: the tail bounded
      (:func:`_fast`, no powers of T);
    * otherwise the closed form (:func:`closed_form`), or the recursion where the closed form
      cancels (its error above CANCEL of the value) and n <= SUM_STEPS.

    O(1) per point for every n, except the recursions (at most SHORT or SUM_STEPS steps) and
    the walk of :func:`~.horizon_region.holds` (as long as the envelope or the tail needs to
    take over)."""
    out = np.full(eta.shape, np.inf)
    walks, sums = [], []
    for lo in range(0, eta.size, _BLOCK):
        sl = slice(lo, lo + _BLOCK)
        e, cc, Ls, nn = eta[sl], c[sl], L[sl], n[sl]
        co = coefficients(e, cc, Ls, DECIDE)
        phi, S = np.zeros(e.shape), np.zeros(e.shape)
        short = nn <= SHORT
        long = np.flatnonzero(~short)
        if long.size:
            phi[long], S[long], redo = _long(e[long], cc[long], Ls[long], nn[long], co, long)
            short[long[redo]] = True
        ok, walk = decide(cc, Ls, nn, co)
        if walk is not None:
            ok[walk[0]] = True  # undecided in floats: decided exactly below
        with np.errstate(all="ignore"):
            val = (phi * gap[sl] + sigma2[sl] * S) / nn * (1 + 4 * EPS)
        val[short] = 0.0  # summed below
        out[sl] = np.where(ok & (np.isfinite(val) | short), val, np.inf)
        sums.append(lo + np.flatnonzero(short))
        if walk is not None:
            walks.append((lo + walk[0], lo + walk[1], *walk[2:]))
    if walks:
        finish_walks(out, walks, eta, c, L, n)
    _summed_bound(out, np.concatenate(sums), eta, c, L, sigma2, n, gap)
    return out


def _long(eta, c, L, n, co_all, idx):
    """(phi_n, S_n) rounded up for n > SHORT (:func:`constant_bound`), and the points to sum
    step by step instead (the closed form cancels there)."""
    co = _take(co_all, idx)
    co.update(coefficients(eta, c, L, _VALUE))
    E_C, E_S, stable = _envelope(n, c, co)
    phi, S, small = _fast(n, L, co, E_C, E_S)
    redo = np.zeros(n.shape, dtype=bool)
    rest = np.flatnonzero(~(stable & small))
    if rest.size:
        sub = _take(co, rest)
        sub.update(coefficients(eta[rest], c[rest], L[rest], _TAIL))
        p, q, err_p, err_q = closed_form(eta[rest], c[rest], L[rest], n[rest], sub)
        with np.errstate(all="ignore"):
            loose = (err_p > CANCEL * np.abs(p)) | (err_q > CANCEL * np.abs(q))
            phi[rest], S[rest] = p + err_p, q + err_q
        redo[rest] = (~np.isfinite(p + q + err_p + err_q) | loose) & (n[rest] <= SUM_STEPS)
    return phi, S, redo


def _take(co: dict, idx) -> dict:
    return {k: (v[idx], err[idx]) for k, (v, err) in co.items()}


def _summed_bound(out, idx, eta, c, L, sigma2, n, gap) -> None:
    """out[idx] = the bound from :func:`summed` (where out[idx] is not inf: the region's
    decision stands), with a relative allowance of 16 u (n + 4) on phi_n and on the size of
    S_n's terms for the recursion's rounding (an estimate, far above the error measured
    against exact arithmetic in the tests)."""
    idx = idx[np.isfinite(out[idx])]
    if not idx.size:
        return
    co = coefficients(eta[idx], c[idx], L[idx], ("t11", "t12", "t21", "t22", *_SUM))
    phi, S, size = summed(L[idx], n[idx], co)
    rel = 16 * EPS * (n[idx] + 4)
    with np.errstate(all="ignore"):
        val = (phi * (1 + rel) * gap[idx] + sigma2[idx] * (S + rel * size)) / n[idx]
        out[idx] = np.where(np.isfinite(val), val * (1 + 4 * EPS), np.inf)
