r"""P22. Schedule-free SGD on smooth non-convex functions: an anytime O(1/n) rate in closed form.

Schedule-free SGD (Defazio et al. 2024; schedulefree.SGDScheduleFree(lr, momentum=beta), constant
lr, no warm-up) is GSPA with eta = lr, c_k = 1/(k + 1):

    y_k = (1 - beta) z_k + beta x_k,   z_{k+1} = z_k - lr (grad f(y_k) + xi_k),
    x_{k+1} = (1 - c_k) x_k + c_k z_{k+1},   x_0 = z_0,

E[xi_k | past] = 0, E|xi_k|^2 <= sigma2. Put t = L lr, c'_k = 1 - beta (1 - c_k) and, for the
potential A_k = f(y_k) + a_k |z_k - y_k|^2,

    alpha = (1 - t (1 - beta)) / (2 lr beta),      rho = lr (1 - beta) (1 - t (1 - beta) / 2),
    nu_k(a') = L lr^2 c'_k^2 / 2 + a' (1 - c_k)^2 lr^2 beta^2     (a' = a_{k+1}).

P22a (k >= k0: closed form). For every L-smooth f (not necessarily convex), 0 < beta < 1,
lr > 0, t (3 - 2 beta) <= 3, and integers k0 >= 1, k >= k0 with
(3 k0 + 2)(1 - t) + 2 beta t k0 >= 0, the potential with a_k = alpha / (k + 1) descends:

    E[A_{k+1}] - A_k <= - rho |grad f(y_k)|^2 + nu_k(alpha / (k + 2)) sigma2.

P22b (any step k >= 0: the first k0 steps, backwards). For every k >= 0, a' >= 0 (= a_{k+1}),
0 < r < R_k and a > A'_k with (a - A'_k)(R_k - r) >= B_k^2, where

    A'_k = L c_k^2 / 2 + a' (1 - c_k)^2,
    B_k  = (c_k - L lr c_k c'_k - 2 a' (1 - c_k)^2 lr beta) / 2,
    R_k  = lr c'_k - L lr^2 c'_k^2 / 2 - a' (1 - c_k)^2 lr^2 beta^2,

the potential with a_k = a, a_{k+1} = a' descends at the rate r:
E[A_{k+1}] - A_k <= - r |grad f(y_k)|^2 + nu_k(a') sigma2.

Chaining (the calculator: lyapunov.bounds.schedule_free): P22a for k >= k0, then P22b for
k = k0 - 1, ..., 0 from a_{k0} <= a' (at k0 - 1), each a_k chosen with the conditions above;
as z_0 = y_0 = x_0, A_0 = f(x_0) whatever a_0, and A_n >= f(y_n) >= inf f (a_n >= 0). For every
n >= k0, with r_min = min(rho, r_0, ..., r_{k0-1}),

    (1/n) sum_{k<n} E|grad f(y_k)|^2 <= (f(x_0) - inf f + sigma2 (N_head + N_tail(n))) / (n r_min),

N_head = sum_{k<k0} nu_k(a_{k+1}) and N_tail(n) = sum_{k0<=k<n} nu_k(alpha / (k + 2)), the
latter a closed form in the harmonic numbers H_m = sum_{i<=m} 1/i and H^(2)_m = sum_{i<=m}
1/i^2 (``tail_noise`` below), (n - k0) L lr^2 (1 - beta)^2 / 2 + O(log n). Where
t (5 - 2 beta) <= 5, k0 = 1 and one step of P22b (k = 0, r = rho, a = L/2 + (1 - t)^2 /
(2 lr beta (2 - t (2 - beta)))) give, for every n >= 1, the bound (f(x_0) - inf f + sigma2 (L lr^2
/ 2 + N_tail(n))) / (n rho). At sigma2 = 0 the bound is (f(x_0) - inf f) / (n r_min) at every
n >= k0: an O(1/n) rate, with the constant of SGD with step lr (1 - beta) once r_min = rho (the
part of the step that moves y_k directly; the average x_k, the rest, drifts at a cost that
vanishes as c_k -> 0). Published analyses give O(1/log n) at constant step (Brown 2025), whose
performance estimation suggests O(1/n): P22 proves it on the region.

Assumptions: f L-smooth (gradient L-Lipschitz; not necessarily convex) and bounded below;
E[xi_k | past] = 0, E|xi_k|^2 <= sigma2; lr > 0, L > 0, 0 < beta < 1, and the conditions above
(P22a is stated with k0 = m + 1, k = k0 + j, m, j >= 0); z_0 = x_0.

Certificate (derived by hand from P12 with b_k = 0, then checked): the upper quadratic bound
upper(y_k, y_{k+1}) (weight 1) and the noise variance (weight nu_k). With b = 0, P12 gives the
coefficient A'_k and the cross term 2 B_k <z_k - y_k, grad f(y_k)>, and the residual is the
2 x 2 form in (z_k - y_k, grad f(y_k)) with entries A'_k - a_k, B_k and R_k - rho: P22b's
conditions are its minors; in P22a alpha makes (k + 1) B_k vanish as k -> oo, and the form is
NSD for every k >= k0 (its determinant is (1 - t (1 - beta)) ((3 u - 1)(1 - t) + 2 beta t
(u - 1)) / (4 u^3 (u + 1)), u = k + 1, at L = 1, increasing through 0 at most once in u).
`lyapunov prove` finds both certificates from certificate=AUTO as well.

References:
- A. Defazio, X. A. Yang, H. Mehta, K. Mishchenko, A. Khaled, A. Cutkosky, The Road Less
    Scheduled, NeurIPS 2024, arXiv:2405.15682 (schedule-free SGD; its analysis is convex).
- C. Brown, Analysis of Schedule-Free Nonconvex Optimization, 2025 (O(1/log T) at constant
    step under smoothness and lower-boundedness; its performance estimation suggests O(1/T)).
- A. Defazio, Momentum via Primal Averaging: Theoretical Insights and Learning Rate Schedules
    for Non-Convex Optimization, arXiv:2010.00406 (the GSPA form; P12 here).

Notes (not part of the certified statement). At L = 1, sigma2 = 0: n * bound = 1/rho = 20.51
at (lr, beta) = (0.5, 0.9) and 2.667 at (1, 0.5) for every n; the exact worst case
(lyapunov.pep, benchmarks/schedule_free_pep.py) has n W_n = 3.8, 6.8, 10.2 at n = 8, 32, 64 for
(0.5, 0.9) and 2.0 to 2.14 at n <= 50 for (1, 0.5). P22b's first step (c_0 = 1) is a gradient
step of size lr: its rate is below lr (1 - t / 2), so beyond t = 2 (and where the backward
recursion of P22b's a_k leaves its conditions) the calculator gives no bound from P22.
"""

import sympy as sp

from lyapunov.engine import DescentLemma, Smooth, f, params, sqnorm
from lyapunov.methods import get

lr, beta, L, sigma2, m, j = params("lr beta L sigma2 m j")
k_, a, a1, r = params("k a a1 r")  # P22b: the step, its coefficients a_k, a_{k+1}, its rate
smooth = Smooth(L)
t = L * lr
k0 = m + 1
k = k0 + j  # P22a's step counter: k >= k0 >= 1

ALPHA = (1 - t * (1 - beta)) / (2 * lr * beta)
RHO = lr * (1 - beta) * (1 - t * (1 - beta) / 2)
#: how far the first steps reach: P22a holds from k0 on where this is >= 0
REACH = (3 * k0 + 2) * (1 - t) + 2 * beta * t * k0


def nu_of(counter, a_next):
    """nu_k(a') = L lr^2 c'_k^2 / 2 + a' (1 - c_k)^2 lr^2 beta^2."""
    c = 1 / (counter + 1)
    return L * lr**2 * (1 - beta * (1 - c)) ** 2 / 2 + a_next * (1 - c) ** 2 * lr**2 * beta**2


NU = nu_of(k, ALPHA / (k + 2))
_c = 1 / (k_ + 1)
_cb = 1 - beta * (1 - _c)
A_NEXT = L * _c**2 / 2 + a1 * (1 - _c) ** 2  # A'_k
B_NEXT = (_c - L * _c * lr * _cb - 2 * a1 * (1 - _c) ** 2 * lr * beta) / 2  # B_k
R_NEXT = lr * _cb - L * lr**2 * _cb**2 / 2 - a1 * (1 - _c) ** 2 * lr**2 * beta**2  # R_k
NU_HEAD = nu_of(k_, a1)
BASE = [lr > 0, L > 0, beta > 0, beta < 1]


def potential(coef):
    """A = f(y) + coef |z - y|^2 on the state (y, z)."""
    return lambda y, z: f(y) + coef * sqnorm(z - y)


def _step(counter):
    return get("schedule_free").one_step(
        sigma2, {"lr": lr, "momentum": beta}, k=counter, eliminate="x"
    )


step = _step(k)
p22a = DescentLemma(
    name="P22a schedule-free SGD, smooth non-convex: descent of A_k for k >= k0",
    statement=__doc__,
    step=step,
    region=[*BASE, t * (3 - 2 * beta) <= 3, m >= 0, REACH >= 0, j >= 0],
    lyapunov=potential(ALPHA / (k + 1)),
    lyapunov_next=potential(ALPHA / (k + 2)),
    rho=RHO,
    nu=NU,
    certificate={smooth.upper(step.y, step.y1): 1, step.variance(): NU},
    function_class=smooth,
)

head = _step(k_)
p22b = DescentLemma(
    name="P22b schedule-free SGD, smooth non-convex: one of the first steps, backwards",
    statement=__doc__,
    step=head,
    region=[
        *BASE,
        k_ >= 0,
        a1 >= 0,
        r > 0,
        R_NEXT - r > 0,
        a - A_NEXT > 0,
        (a - A_NEXT) * (R_NEXT - r) - B_NEXT**2 >= 0,
    ],
    lyapunov=potential(a),
    lyapunov_next=potential(a1),
    rho=r,
    nu=NU_HEAD,
    certificate={smooth.upper(head.y, head.y1): 1, head.variance(): NU_HEAD},
    function_class=smooth,
)

theorems = [p22a, p22b]


def harmonic_sum(expr: sp.Expr, var: sp.Symbol, lo: int, hi: sp.Expr) -> sp.Expr:
    """sum_{var=lo}^{hi} expr, exactly, for expr rational in var whose partial fractions are
    C / (var + s)^p (s free of var, lo + s a positive integer): each sums to
    C (H^(p)_{hi + s} - H^(p)_{lo - 1 + s}), a constant C to C (hi - lo + 1)."""
    total = sp.Integer(0)
    for term in sp.Add.make_args(sp.apart(sp.cancel(expr), var)):
        coeff, rest = term.as_independent(var, as_Add=False)
        if rest == 1:
            total += coeff * (hi - lo + 1)
            continue
        base, p = (rest.base, -rest.exp) if isinstance(rest, sp.Pow) else (1 / rest, 1)
        shift = sp.expand(base - var)
        if not (p.is_Integer and p > 0 and not shift.has(var)):
            raise ValueError(f"harmonic_sum: not of the form C/(var + s)^p: {term}")
        total += coeff * (sp.harmonic(hi + shift, p) - sp.harmonic(lo - 1 + shift, p))
    return total


def tail_noise(steps: sp.Expr) -> sp.Expr:
    """N_tail(n) = sum_{k0 <= k < n} nu_k(alpha / (k + 2)) for n = steps >= k0 (j = k - k0)."""
    return harmonic_sum(NU, j, 0, steps - 1 - k0)


def rate(gap: sp.Expr, steps: sp.Expr, head_noise: sp.Expr, head_rate: sp.Expr) -> sp.Expr:
    """The certified bound on (1/n) sum_{k<n} E|grad f(y_k)|^2 for n = steps >= k0 = m + 1,
    from f(x_0) - inf f <= gap, P22b's steps k < k0 with noise weights summing to
    ``head_noise`` and rates >= ``head_rate``: (gap + sigma2 (N_head + N_tail(n))) /
    (n min(rho, r_min))."""
    noise = head_noise + tail_noise(steps)
    return (gap + sigma2 * noise) / (steps * sp.Min(RHO, head_rate))
