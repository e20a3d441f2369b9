"""The algebra of the chain of :mod:`.horizon` at constant (eta, c): its structure and its
closed form in the horizon n, and its coefficients in floats with a bound on their rounding.
The bound is evaluated by :mod:`.horizon_constant`; the horizons where the chain holds are
decided by :mod:`.horizon_region`.

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

The float calculators use rational functions of (eta, c, L) built here
(:func:`coefficients`), each with a bound on its rounding from its expression tree
(:func:`~lyapunov.bounds.rounding.magnitude`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import sympy as sp
from sympy.polys.matrices import DomainMatrix

from .rounding import magnitude

__all__ = ["Structure", "structure", "coefficients", "congruence", "COEFS", "EPS"]

#: the unit roundoff of float64 (the rounding of each operation of the float calculators)
EPS = float(np.finfo(float).eps)
#: every coefficient of :func:`coefficients`
COEFS = ("t11", "t12", "t21", "t22", "tr", "disc", "h11", "h12", "h22", "p_w", "p_y")
COEFS += ("nu_h", "nu_z", "q_w", "q_y", "nu11", "nu12", "nu22", "env_a", "env_m2")


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


@cache
def _numeric(names: tuple[str, ...]):
    """One numpy function (eta, c, L) -> for each coefficient of ``names``: numerator,
    denominator and their absolute-value trees (:func:`~lyapunov.bounds.rounding.magnitude`:
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
    return k * EPS / (1 - k * EPS)


def coefficients(eta, c, L, names: tuple[str, ...] = COEFS) -> dict:
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
            out[name] = (val, err + EPS * aval)
    return out


def congruence(T, H):
    """E + T' H T without E: T' H T for H = (a, b, d) = [[a, b], [b, d]], T = (t11, t12,
    t21, t22), each an array."""
    t11, t12, t21, t22 = T
    a, b, d = H
    return (
        t11 * t11 * a + 2 * t11 * t21 * b + t21 * t21 * d,
        t11 * t12 * a + (t11 * t22 + t12 * t21) * b + t21 * t22 * d,
        t12 * t12 * a + 2 * t12 * t22 * b + t22 * t22 * d,
    )
