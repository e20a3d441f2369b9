"""The chain of :mod:`.horizon` at constant (eta, c): closed form in the horizon n, and the
horizons where it holds; O(1) per point for every n.

The structure (exact, checked symbolically on the theorems' own formulas when first used: see
:func:`structure`). T is SPA's map on f = L x^2/2 in the coordinates (x, d = z - x), built from
``lyapunov.methods.spa_step`` (T = [[1 - c L eta, c], [-(1 - c) L eta, 1 - c]], det T = 1 - c),
E = diag(L^2, 0) (so |grad f(x)|^2 = (x, d) E (x, d)'), and

    H_0 = 0,   H_{j+1} = E + T' H_j T,   i.e.   H_j = sum_{m<j} (T^m)' E T^m,

the cost to go of j steps on that quadratic. One step of the chain of :mod:`.horizon`
(t P8 + (1 - t) P10, t = phi / phi', phi' = phi + 2L (1 - phi RHO_P8(a1, b1))) maps the
coordinates

    phi = 2 (H)_11 / L,   phi b = (H)_12 / L,   phi a = (H)_22

of H to those of E + T' H T (the identity). So with the weights theta_k = phi_{n-k} / n,
phi_j = 2 (H_j)_11 / L (which the search of :mod:`.horizon`, each weight as small as keeps the
rate 1/n, chooses):

* every step's rate theta_k RHO_k is exactly 1/n, and the weights never grow:
  phi_{j+1} - phi_j = 2 ((T^j)' E T^j)_11 / L >= 0, so 0 <= t <= 1;
* P8's a1 >= 2 L b1^2 holds at every step (H_j is positive semidefinite); its b1 >= 0 and
  B_COEF >= 0 hold at every step of the horizon n iff (H_j)_12 >= 0 for 2 <= j <= n
  (the other conditions are eta > 0, L > 0, 0 < c <= 1);
* the bound (theta_0 gap + sigma2 sum_k theta_k NU_k) / (n min_k theta_k RHO_k) is

      (phi_n gap + sigma2 S_n) / n,    S_n = sum_{j<n} nu(H_j),   nu(H) = eta^2 v' H v,

  v = (c, 1 - c) (the direction of the noise in (x, d); nu is read off P8's NU).

Closed form. H_inf = E + T' H_inf T and Z = H_inf + T' Z T are rational in (eta, c, L) (H_inf
is P4's Lyapunov function over its rate: (L/2, L b*, a*) / rho*), and

    H_n = H_inf - (T^n)' H_inf T^n,      sum_{j<n} H_j = n H_inf - Z + (T^n)' Z T^n,
    T^n = s_n T - (1 - c) s_{n-1} I,     s_n = (l1^n - l2^n) / (l1 - l2)

(Cayley-Hamilton; l1, l2 the eigenvalues of T). Where T is stable (L eta < (4 - 2c)/c), H_j
increases to H_inf, so the bound increases to P4's as n grows and never exceeds it; it is a
smooth function of n (no switch of method anywhere).

Where it holds (the horizons n with (H_j)_12 >= 0 for 2 <= j <= n):

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
boundary (the coefficients' rounding bounded by their expression trees as in :mod:`.compile`,
plus :data:`MARGIN`, far above the rounding of the recursion, which the tests measure); within
the margin it is taken in exact integer arithmetic (:func:`exact_holds`). The value
(:func:`constant_bound`), rounded up by its error estimate:

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

import math
from dataclasses import dataclass
from fractions import Fraction
from functools import cache

import numpy as np
import sympy as sp
from sympy.polys.matrices import DomainMatrix

from .compile import MARGIN, magnitude

__all__ = ["structure", "constant_bound", "holds", "exact_holds", "MARGIN", "EXACT_STEPS"]

#: longest recursion of the exact decision (beyond it: not certified, the bound is inf)
EXACT_STEPS = 4096
#: longest recursion of the float decision (beyond it: decided exactly, or inf)
FLOAT_STEPS = 100_000
#: closed forms that cancel more than this (value / size of its terms) are summed instead
CANCEL = 1e-9
#: ... when the horizon is at most this long (beyond: the closed form, with its error)
SUM_STEPS = 4096
#: steps of the region's walk done block by block (longer walks: all blocks together)
LOCAL_STEPS = 16
#: horizons summed step by step (the recursion is as cheap as the closed form there)
SHORT = 32
#: a tail of the closed form below this fraction of the value is bounded, not computed
NEGLIGIBLE = 1e-13

_EPS = float(np.finfo(float).eps)
_COEFS = ("t11", "t12", "t21", "t22", "tr", "disc", "h11", "h12", "h22", "p_w", "p_y")
_COEFS += ("nu_h", "nu_z", "q_w", "q_y", "nu11", "nu12", "nu22", "env_a", "env_m2")


@dataclass(frozen=True)
class Structure:
    """The symbolic pieces of the module docstring, in (eta, c, L) (the theorems' symbols)."""

    symbols: tuple
    T: sp.Matrix
    H_inf: sp.Matrix
    Z: sp.Matrix
    nu: tuple  # coefficients of nu(H) on (H_11, H_12, H_22)
    coefs: dict  # name -> rational expression (the float calculator's coefficients)


@cache
def structure() -> Structure:
    """Builds T, H_inf, Z and nu from the theorems and checks the identity of the module
    docstring (one chain step = one step of H -> E + T' H T) exactly; a RuntimeError if the
    proof files and this module disagree."""
    from ..methods import spa_step
    from .horizon_step import step_parts

    args, exprs = step_parts()
    eta, c, L, _, t, a1, b1 = args
    x, d = sp.Symbol("x", real=True), sp.Symbol("d", real=True)
    x1, z1 = spa_step(x, x + d, L * x, eta, c)
    image = sp.Matrix([sp.expand(x1), sp.expand(z1 - x1)])
    T = image.jacobian([x, d])
    E = sp.diag(L**2, 0)
    if sp.expand(image - T * sp.Matrix([x, d])) != sp.zeros(2, 1) or sp.expand(T.det() - (1 - c)):
        raise RuntimeError("SPA on L x^2/2 is not the linear map of det 1 - c this module uses")
    phi, wa, wb = sp.symbols("phi w_a w_b", positive=True)
    nxt = phi + 2 * L * (1 - phi * exprs["RHO"].subs(t, 1).subs({a1: wa / phi, b1: wb / phi}))
    at = {t: phi / nxt, a1: wa / phi, b1: wb / phi}
    H = sp.Matrix([[phi * L / 2, L * wb], [L * wb, wa]])
    step = sp.Matrix(
        [
            [nxt * L / 2, L * nxt * exprs["B_COEF"].subs(at)],
            [L * nxt * exprs["B_COEF"].subs(at), nxt * exprs["A_COEF"].subs(at)],
        ]
    )
    if any(sp.cancel(e) != 0 for e in step - E - T.T * H * T):  # pragma: no cover
        raise RuntimeError("one step of the chain is not H -> E + T' H T (proof files changed?)")
    h = sp.symbols("h11 h12 h22", real=True)
    nu_h = sp.expand(sp.cancel(nxt * exprs["NU"].subs(at)).subs({phi: 2 * h[0] / L}))
    nu_h = sp.expand(nu_h.subs({wb: h[1] / L, wa: h[2]}))
    nu = tuple(nu_h.coeff(s) for s in h)
    if sp.expand(nu_h - sum(k * s for k, s in zip(nu, h, strict=True))) != 0:  # pragma: no cover
        raise RuntimeError("P8's NU is not linear in the chain's coordinates")
    K = sp.QQ.frac_field(eta, c, L)  # every rational computation below in this field
    Tk = _M([K.from_sympy(e) for e in T])
    H_inf = _stein(K, Tk, _M([K.from_sympy(e) for e in E]))
    Z = _stein(K, Tk, H_inf)
    half_gap = (Tk[0] - Tk[3]) / 2
    Qk = _M([-Tk[2], half_gap, half_gap, Tk[1]])
    rho = Tk.det()
    if any(e != K.zero for e in Tk.T() * Qk * Tk - Qk.scale(rho)):  # pragma: no cover
        raise RuntimeError("Q is not the invariant metric of T")
    tr = Tk[0] + Tk[3]
    N = _M([Tk[0] - Tk[3], 2 * Tk[1], 2 * Tk[2], Tk[3] - Tk[0]])  # 2 T - tr I
    tau = (Qk[3] * H_inf[0] - 2 * Qk[1] * H_inf[1] + Qk[0] * H_inf[3]) / Qk.det()
    nuk = [K.from_sympy(k) for k in nu]

    def nu_of(m: _M):
        return nuk[0] * m[0] + nuk[1] * m[1] + nuk[2] * m[3]

    coefs = {
        "t11": Tk[0],
        "t12": Tk[1],
        "t21": Tk[2],
        "t22": Tk[3],
        "tr": tr,
        "disc": tr**2 - 4 * rho,
        "h11": H_inf[0],
        "h12": H_inf[1],
        "h22": H_inf[3],
        "p_w": (N.T() * H_inf + H_inf * N)[0],
        "p_y": (N.T() * H_inf * N)[0],
        "nu_h": nu_of(H_inf),
        "nu_z": nu_of(Z),
        "q_w": nu_of(N.T() * Z + Z * N),
        "q_y": nu_of(N.T() * Z * N),
        "nu11": nuk[0],
        "nu12": nuk[1],
        "nu22": nuk[2],
        "env_a": tau * Qk[1] / 2,
        "env_m2": ((tau / 2) ** 2 - H_inf.det() / Qk.det()) * Qk[0] * Qk[3],
    }
    coefs = {k: sp.factor(K.to_sympy(v)) for k, v in coefs.items()}
    H_inf, Z = (sp.Matrix(2, 2, [K.to_sympy(e) for e in m]) for m in (H_inf, Z))
    return Structure((eta, c, L), T, H_inf, Z, nu, coefs)


class _M(tuple):
    """A 2 x 2 matrix (m11, m12, m21, m22) over a field."""

    def __mul__(self, o):
        a, b, c, d = self
        e, f, g, h = o
        return _M([a * e + b * g, a * f + b * h, c * e + d * g, c * f + d * h])

    def __add__(self, o):
        return _M([x + y for x, y in zip(self, o, strict=True)])

    def __sub__(self, o):
        return _M([x - y for x, y in zip(self, o, strict=True)])

    def scale(self, k):
        return _M([k * x for x in self])

    def T(self):  # noqa: N802 - the transpose, as in the math
        return _M([self[0], self[2], self[1], self[3]])

    def det(self):
        return self[0] * self[3] - self[1] * self[2]


def _stein(K, T: _M, C: _M) -> _M:
    """The symmetric X with X = C + T' X T, over the field K (entries of T and C in K)."""
    t11, t12, t21, t22 = T
    A = [
        [K.one - t11 * t11, -2 * t11 * t21, -t21 * t21],
        [-t11 * t12, K.one - t11 * t22 - t12 * t21, -t21 * t22],
        [-t12 * t12, -2 * t12 * t22, K.one - t22 * t22],
    ]
    rhs = DomainMatrix([[C[0]], [C[1]], [C[3]]], (3, 1), K)
    x = DomainMatrix(A, (3, 3), K).lu_solve(rhs)
    x11, x12, x22 = (x[i, 0].element for i in range(3))
    return _M([x11, x12, x12, x22])


#: the coefficients by use: the decisions (and the recursion), the value, the closed form's
#: tail, the recursion's noise term
_DECIDE = ("t11", "t12", "t21", "t22", "tr", "disc", "h11", "h12", "h22", "env_a", "env_m2")
_VALUE = ("nu_h", "nu_z", "p_y", "q_y")
_TAIL = ("p_w", "q_w")
_SUM = ("nu11", "nu12", "nu22")


@cache
def _numeric(names: tuple[str, ...]):
    """One numpy function (eta, c, L) -> for each coefficient of ``names``: numerator,
    denominator and their absolute-value trees (:func:`~lyapunov.bounds.compile.magnitude`:
    the float value of a tree errs by at most gamma_K times its absolute-value tree); and the
    operation counts K."""
    s = structure()
    outs, counts = [], []
    for name in names:
        num, den = sp.fraction(sp.together(s.coefs[name]))
        a_num, k_num = magnitude(sp.expand(num) if num.is_Add else num)
        a_den, k_den = magnitude(den)
        outs += [num, den, a_num, a_den]
        counts.append(max(k_num, k_den) + 1)
    return sp.lambdify(s.symbols, outs, "numpy", cse=True), counts


def _gamma(k: int) -> float:
    return k * _EPS / (1 - k * _EPS)


def coefficients(eta, c, L, names: tuple[str, ...] = _COEFS) -> dict:
    """name -> (float value, bound on its rounding error), at 1-D arrays of equal shape: the
    error of numerator and denominator from their trees, and of the quotient (first order
    in those errors, which are below 1e-12 of their trees here, plus the division's)."""
    fun, counts = _numeric(tuple(names))
    with np.errstate(all="ignore"):
        raw = fun(eta, c, L)
        out = {}
        for i, name in enumerate(names):
            num, den, a_num, a_den = raw[4 * i : 4 * i + 4]
            val = np.broadcast_to(num / den, np.shape(eta))
            aval = np.abs(val)
            err = _gamma(counts[i] + 1) * (a_num + aval * a_den) / np.abs(den)
            out[name] = (val, err + _EPS * aval)
    return out


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
    rel = 8 * _EPS * (6 + m * (np.minimum(-half, 750) + logs))
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
    err += 4 * _EPS * (k2 * np.abs(f[0]) + np.abs(k1 * f[1]) + k0 * np.abs(f[2]))
    return val, err


def closed_form(eta, c, L, n, co) -> tuple[np.ndarray, ...]:
    """(phi_n, S_n, error bound on phi_n, on S_n) by the closed form (module docstring);
    ``co`` the :func:`coefficients`."""
    v = {k: val for k, (val, _) in co.items()}
    e = {k: err for k, (_, err) in co.items()}
    with np.errstate(all="ignore"):
        C, S, _, _, d_C, d_S = _sens(n, c, co["tr"], co["disc"])
        # phi_n = 2 (H_inf - (T^n)' H_inf T^n)_11 / L
        f = (v["h11"], v["p_w"], v["p_y"])
        tail, err = _sandwich(C, S, d_C, d_S, f, (e["h11"], e["p_w"], e["p_y"]))
        phi = 2 * (v["h11"] - tail) / L
        err_phi = 2 * (err + e["h11"] + 2 * _EPS * (np.abs(v["h11"]) + np.abs(tail))) / L
        # S_n = nu(n H_inf - Z + (T^n)' Z T^n)
        f = (v["nu_z"], v["q_w"], v["q_y"])
        tail, err = _sandwich(C, S, d_C, d_S, f, (e["nu_z"], e["q_w"], e["q_y"]))
        S_n = n * v["nu_h"] - v["nu_z"] + tail
        big = n * np.abs(v["nu_h"]) + np.abs(v["nu_z"]) + np.abs(tail)
        err_S = err + n * e["nu_h"] + e["nu_z"] + 4 * _EPS * big
    return phi, S_n, err_phi + 2 * _EPS * np.abs(phi), err_S + 2 * _EPS * np.abs(S_n)


def _step(T, H):
    """E + T' H T without E: T' H T for H = (a, b, d) = [[a, b], [b, d]], T = (t11, t12,
    t21, t22), each an array."""
    t11, t12, t21, t22 = T
    a, b, d = H
    return (
        t11 * t11 * a + 2 * t11 * t21 * b + t21 * t21 * d,
        t11 * t12 * a + (t11 * t22 + t12 * t21) * b + t21 * t22 * d,
        t12 * t12 * a + 2 * t12 * t22 * b + t22 * t22 * d,
    )


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
        a, b, d = _step(T, H)
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
        stable = (2 - c + tr) > 2 * e_tr + 4 * _EPS
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
        phi = 2 * (v["h11"] + e["h11"]) / L * (1 + 4 * _EPS)
        big = n * (v["nu_h"] + e["nu_h"])
        S = (big - (v["nu_z"] - e["nu_z"]) + t_S * (1 + 8 * _EPS)) + 8 * _EPS * (big + v["nu_z"])
        small = (t_phi * 2 / L <= NEGLIGIBLE * phi) & (t_S <= NEGLIGIBLE * S)
    return phi, S, small


def constant_bound(eta, c, L, sigma2, n, gap) -> np.ndarray:
    """(phi_n gap + sigma2 S_n) / n rounded up, inf where the chain of horizon n leaves the
    regions of P8 and P10 (:func:`holds`), for 1-D float arrays of equal length. Per point:

    * n <= SHORT: phi_n and S_n by the recursion (:func:`summed`);
    * longer, T stable and the tail below NEGLIGIBLE of the value: the tail bounded
      (:func:`_fast`, no powers of T);
    * otherwise the closed form (:func:`closed_form`), or the recursion where the closed form
      cancels (its error above CANCEL of the value) and n <= SUM_STEPS.

    O(1) per point for every n, except the recursions (at most SHORT or SUM_STEPS steps) and
    the walk of :func:`holds` (as long as the envelope or the tail needs to take over)."""
    out = np.full(eta.shape, np.inf)
    walks, sums = [], []
    for lo in range(0, eta.size, _BLOCK):
        sl = slice(lo, lo + _BLOCK)
        e, cc, Ls, nn = eta[sl], c[sl], L[sl], n[sl]
        co = coefficients(e, cc, Ls, _DECIDE)
        phi, S = np.zeros(e.shape), np.zeros(e.shape)
        short = nn <= SHORT
        long = np.flatnonzero(~short)
        if long.size:
            phi[long], S[long], redo = _long(e[long], cc[long], Ls[long], nn[long], co, long)
            short[long[redo]] = True
        ok, walk = _decide(cc, Ls, nn, co)
        if walk is not None:
            ok[walk[0]] = True  # undecided in floats: decided exactly below
        with np.errstate(all="ignore"):
            val = (phi * gap[sl] + sigma2[sl] * S) / nn * (1 + 4 * _EPS)
        val[short] = 0.0  # summed below
        out[sl] = np.where(ok & (np.isfinite(val) | short), val, np.inf)
        sums.append(lo + np.flatnonzero(short))
        if walk is not None:
            walks.append((lo + walk[0], lo + walk[1], *walk[2:]))
    if walks:
        _finish_walks(out, walks, eta, c, L, n)
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


#: points per block of the evaluation (temporaries stay in cache)
_BLOCK = 2**13


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
    rel = 16 * _EPS * (n[idx] + 4)
    with np.errstate(all="ignore"):
        val = (phi * (1 + rel) * gap[idx] + sigma2[idx] * (S + rel * size)) / n[idx]
        out[idx] = np.where(np.isfinite(val), val * (1 + 4 * _EPS), np.inf)


def _decide(c, L, n, co):
    """The region of the chain of horizon n, decided in the block where possible: (ok, left)
    with ``ok`` False where it certainly fails or is undecided, and ``left`` None or
    (undecided indices, indices still walking at LOCAL_STEPS, their walk's arguments, their
    H): decided together for all blocks by :func:`_finish_walks`. The condition is
    (H_j)_12 >= 0 for 2 <= j <= n (module docstring); where the eigenvalues are complex it
    holds from the envelope's j_env on, and the walk checks the j before."""
    v = {k: val for k, (val, _) in co.items()}
    e = {k: err for k, (_, err) in co.items()}
    with np.errstate(all="ignore"):
        h_lo = v["h12"] - 2 * e["h12"] - MARGIN * np.abs(v["h12"])
        stable = (2 - c + v["tr"]) > 2 * e["tr"] + 4 * _EPS  # 1 + tr + det T > 0 (Jury)
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


def _finish_walks(out, walks, eta, c, L, n) -> None:
    """The points :func:`_decide` left (one loop for all blocks): the walks resumed at
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
    :func:`coefficients` (at least those of the decisions)."""
    ok, walk = _decide(c, L, n, co)
    if walk is not None:
        out = np.where(ok, 0.0, np.inf)
        out[walk[0]] = 0.0  # undecided in floats: decided exactly
        _finish_walks(out, [walk], eta, c, L, n)
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
        H = _step(T, (L2, np.zeros(m), np.zeros(m)))
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
            a, b, d = _step(T, (a[keep], b[keep], d[keep]))
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
