r"""P23. SGD+M (heavy ball, in SPA form) on smooth strongly convex functions: a faster rate.

For every L-smooth, mu-strongly convex f (0 < mu < L) with minimiser x_*, SPA (= SGD with
momentum: eta = lr/(1 - beta), c = 1 - beta)

    z_{k+1} = z_k - eta (grad f(x_k) + xi_k),   x_{k+1} = (1 - c) x_k + c z_{k+1},   z_0 = x_0,

with E[xi_k | past] = 0, E|xi_k|^2 <= sigma2, and (the parameters t = L eta and m = mu/L)
every 0 < c < 1, t > 0, 0 < m < 1 with

    D = 2 c + 9 m t + 9 m^2 t - 6 c m - 12 c m t > 0,   2 c >= 3 m t,
    2 c + 6 c m t >= 9 m t,   B(c, m, t) <= 0,   E(c, m, t) <= 0

(B and E the cubics in c named in the code below; the region also states K(c, m, t) <= 0,
implied by the others, so that each condition of the check follows from the region's own),
the potential, with

    p = 3 L m (2 c - 3 m t) / (2 D),   r = 3 L c m / D,   s = L c S / (2 t (1 - c)^2 D),
    S = 12 c^2 m t^2 + 12 c^2 m t - 2 c^2 t - 9 c m t^2 - 24 c m t - 6 c m + 2 c
        + 9 m^2 t + 9 m t,

    A_k = f(x_k) - f_* + p |x_k - x_*|^2 + 2 r <x_k - x_*, z_k - x_k> + s |z_k - x_k|^2,

contracts: E[A_{k+1}] <= q A_k + nu sigma2 with

    q = 1 - 3 mu eta / 2,   nu = L c^2 eta^2 / 2 + (p c^2 + 2 r c (1 - c) + s (1 - c)^2) eta^2.

Hence, as z_0 = x_0, with q = 1 - 3 mu lr / (2 (1 - beta)),

    E f(x_n) - f_* <= q^n (f(x_0) - f_* + p |x_0 - x_*|^2) + nu sigma2 / (1 - q):

three times P19's exponent mu eta / 2 (Ghadimi, Feyzmahdavian and Johansson 2015 prove a linear
rate of heavy ball on a region; this is one, with its constants). The region needs
c >= 3 mu eta / 2 and is smaller than P19's; where it does not hold, P19 applies.

Assumptions: f L-smooth and mu-strongly convex (L > 0, 0 < m = mu/L < 1), with minimiser x_*;
E[xi_k | past] = 0, E|xi_k|^2 <= sigma2; 0 < c < 1, t = L eta > 0 and the five conditions above
(K <= 0 follows from them).

Certificate (found with a numerical SDP, then solved in closed form, then checked exactly):
the descent lemma from x_k to x_{k+1} (weight 1), the smooth strongly convex interpolation
inequalities between x_* and x_k in both orders (weights 1 - q + lam on interp(x_*, x_k) and
lam on interp(x_k, x_*), lam = 3 m t (2 c + 6 c m t - 9 m t) / (2 D) >= 0 by the third
condition) and the noise variance (weight nu). The potential's p, r, s make the residual's
cross terms between grad f(x_k) and (x_k - x_*, z_k - x_k), and between x_k - x_* and
z_k - x_k, vanish; lam makes its |x_k - x_*|^2 entry vanish. What is left is diagonal:
the |z_k - x_k|^2 entry is <= 0 by B <= 0 and the |grad f(x_k)|^2 entry is
-(c t (1 - m) + 2 lam + 3 m t / 2) / (2 L (1 - m)) < 0. The potential's quadratic part is PSD
by 2 c >= 3 m t (p >= 0) and E <= 0 (p s >= r^2), so A_k >= f(x_k) - f_*.

References:
- E. Ghadimi, H. R. Feyzmahdavian, M. Johansson, Global convergence of the heavy-ball method
    for convex optimization, ECC 2015, arXiv:1412.7457.
- B. T. Polyak, Some methods of speeding up the convergence of iteration methods, USSR
    Computational Mathematics and Mathematical Physics 4(5), 1964 (the heavy-ball method).
- A. Defazio, Momentum via primal averaging: theoretical insights and learning rate schedules
    for non-convex optimization, arXiv:2010.00406 (2020) (the SPA form).

Notes (not part of the certified statement). The region, on a grid: for mu/L <= 0.1 it
holds L eta <= 1/2 at every c >= 0.2 (L eta <= 0.7 at c >= 0.3); at mu/L = 0.01 L eta up to
about 1 to 1.4; at mu/L = 0.3 only L eta <= 0.1 to 0.26; none at mu/L = 0.5.

How it was found: a numerical SDP over the potentials f - f_* + any PSD quadratic in
(x - x_*, z - x_*), with every interpolation fact between x_*, x_k and x_{k+1}, gives the best
one-step contraction q* of the family: q* ~ 1 - 2 mu eta for L eta <= 1/2 and c >= 0.3 at
mu/L = 0.1 and 0.01 (and up to L eta = 1 at c >= 1/2), e.g. q* = 0.897 at L eta = c = 1/2,
mu/L = 0.1, where P19's q = 0.975 and this q = 0.925.
The three facts above reach about the same q* for L eta <= 1/2 (1 - 1.8 mu eta against
1 - 2.16 mu eta at L eta = 1, c = 1/2, mu/L = 0.1), with a rank-one residual coupling
grad f(x_k) to both x_k - x_* and z_k - x_k; asking instead that grad f(x_k) decouple (the
structure here, with closed-form p, r, s, lam) the best contraction is 1 - 1.7 to 1.97 mu eta
for L eta <= 1/2 but collapses for L eta near 1 (1 - 1.19 mu eta at L eta = 1, c = 1/2,
mu/L = 0.1, where q* = 0.784). 1 - q here is 0.67 to 0.77 of 1 - q* at the points
(L eta, c, mu/L) = (1/2, 1/2, 0.1), (1/4, 1/2, 0.1), (1/2, 0.9, 0.1), (1/4, 0.2, 0.1),
(1, 1/2, 0.01), (0.2, 0.3, 0.2). Against the exact worst case of SPA over the class
(|x_0 - x_*| <= 1, sigma2 = 0, L = 1, last gap) at L eta = c = 1/2, mu/L = 0.1 the bound is
5.4, 10.1, 18.5 times larger at n = 5, 10, 20 (P19: 5.8, 14.0, 43.6). No chain of the same
one-step certificate over this potential family gets below q*^n (L/2) / W (its potential at
x_0 is at least f(x_0) - f_*, which may be L/2): there 3.6, 5.8, 7.8. Of the factor 10.1 at
n = 10, 5.8 is the one-step chain's own floor; the rest is the rate (q^10 / q*^10 = 1.36) and
the constant p |x_0 - x_*|^2 (1.28).
"""

from lyapunov.engine import Potential, SmoothStronglyConvex, f, inner, params, sqnorm
from lyapunov.methods import get

t, c, L, m, sigma2 = params("t c L m sigma2")
eta, mu = t / L, m * L
step = get("spa").one_step(sigma2, {"eta": eta, "c": c})
cls = SmoothStronglyConvex(L, mu=mu)
x, x1, star = step.x, step.x1, step.star

q = 1 - 3 * mu * eta / 2
D = 2 * c + 9 * m * t + 9 * m**2 * t - 6 * c * m - 12 * c * m * t
lam = 3 * m * t * (2 * c + 6 * c * m * t - 9 * m * t) / (2 * D)
S = (
    12 * c**2 * m * t**2
    + 12 * c**2 * m * t
    - 2 * c**2 * t
    - 9 * c * m * t**2
    - 24 * c * m * t
    - 6 * c * m
    + 2 * c
    + 9 * m**2 * t
    + 9 * m * t
)
p = 3 * L * m * (2 * c - 3 * m * t) / (2 * D)
r = 3 * L * c * m / D
s = L * c * S / (2 * t * (1 - c) ** 2 * D)
# the |z - x|^2 entry of the residual is c B / (4 t (1 - c)^2 D) (times L)
B = (
    4 * c**3 * (1 - 3 * m - 6 * m * t)
    + c**2 * (36 * m**2 * t**3 + 36 * m**2 * t**2 + 18 * m**2 * t - 30 * m * t**2)
    + c**2 * (42 * m * t + 24 * m + 4 * t - 8)
    - c * (27 * m**2 * t**3 + 72 * m**2 * t**2 + 54 * m**2 * t - 18 * m * t**2 + 6 * m * t)
    + 27 * m**2 * t**2 * (1 + m)
)
# p s - r^2 = -3 c m E L^2 / (4 t (1 - c)^2 D^2)
E = (
    4 * c**3 * t * (1 - 3 * m - 6 * m * t)
    + c**2 * (36 * m**2 * t**3 + 36 * m**2 * t**2 + 12 * m * t**2 + 24 * m * t + 12 * m - 4)
    - c * (27 * m**2 * t**3 + 72 * m**2 * t**2 + 36 * m**2 * t)
    + 27 * m**2 * t**2 * (1 + m)
)
# the pivot t K / (-4 L D) of the residual: K <= 0 is implied by the conditions above, stated
# so that each pivot's sign follows from the region's own conditions
K = 24 * c**2 * m * t + 12 * c**2 * m - 4 * c**2 - 18 * c * m**2 * t - 18 * c * m * t - 18 * c * m
K = K + 27 * m**2 * t
nu = L * c**2 * eta**2 / 2 + (p * c**2 + 2 * r * c * (1 - c) + s * (1 - c) ** 2) * eta**2

theorem = Potential(
    name="P23 SGD+M on smooth strongly convex f, a faster linear rate",
    statement=__doc__,
    step=step,
    region=[
        *(t > 0, L > 0, m > 0, m < 1, c > 0, c < 1),
        D > 0,
        2 * c >= 3 * m * t,
        2 * c + 6 * c * m * t >= 9 * m * t,
        B <= 0,
        E <= 0,
        K <= 0,
    ],
    lyapunov=lambda x, z, star: (
        f(x) - f(star) + p * sqnorm(x - star) + 2 * r * inner(x - star, z - x) + s * sqnorm(z - x)
    ),
    contraction=q,
    measure="last_gap",
    weight=1,
    nu=nu,
    function_class=cls,
    certificate={
        cls.upper(x, x1): 1,
        cls.interp(star, x): 1 - q + lam,
        cls.interp(x, star): lam,
        step.variance(): nu,
    },
)
