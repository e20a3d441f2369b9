r"""P21. SGD+M (heavy ball, in SPA form) on smooth convex functions: the last iterate, O(1/n).

For every convex L-smooth f with a minimiser x_*, SPA (= SGD with momentum: eta = lr/(1 - beta),
c = 1 - beta)

    z_{k+1} = z_k - eta (grad f(x_k) + xi_k),   x_{k+1} = (1 - c) x_k + c z_{k+1},   z_0 = x_0,

with E[xi_k | past] = 0, E|xi_k|^2 <= sigma2, and every 0 < c < 1, 0 < t = L eta < 2 (the whole
region: no other condition), the last iterate x_n (SPA's averaged point) satisfies

    E f(x_n) - f_* <= (w (f(x_0) - f_*) + |x_0 - x_*|^2 / (2 eta)
                       + sigma2 (n nu_0 + n (n - 1) nu_1 / 2)) / (w + n),

with w = 0 where Q(t, c) = c - 3t + 4ct - c t^2 >= 0 (P21b: then the bound is
|x_0 - x_*|^2 / (2 eta n) + noise, gradient descent's O(1/n) of P13 at step eta), else (P21a)

    w = W - 1,   W = (3t - c - 2ct) / ((2 - t) c t)       (W >= 1 iff Q <= 0),

and in both cases, with W = w + 1, s = 1 + W c t,

    e_1 = c / (2 eta (1 - c)),   e_0 = (s / (1 - c) - 1 - t) / (2 L eta^2),
    nu_1 = c eta (1 - c + c t) / 2,
    nu_0 = eta / 2 + eta^2 ((e_0 + e_1) (1 - c)^2 + W L c^2 / 2).

The potential (k the step counter)

    A_k = (w + k) (f(x_k) - f_*) + |z_k - x_*|^2 / (2 eta) + (e_0 + k e_1) |z_k - x_k|^2

satisfies E[A_{k+1}] <= A_k + (nu_0 + k nu_1) sigma2 for every k >= 0, A_k >= (w + k)
(f(x_k) - f_*) and A_0 = w (f(x_0) - f_*) + |x_0 - x_*|^2 / (2 eta): the bound above. As
n -> infinity without noise, (w + n) (f(x_n) - f_*) stays bounded: the last iterate of heavy
ball converges at the rate O(1/n) for every momentum beta = 1 - c in (0, 1) and every
lr = c eta < 2 (1 - beta) / L (Ghadimi, Feyzmahdavian and Johansson 2015 bound the Cesaro
average, as P17 does); the noise term grows like n sigma2 nu_1 / 2, as for SGD at a constant
step (P13).

Assumptions: f convex and L-smooth with a minimiser x_* (f_* = f(x_*)); E[xi_k | past] = 0,
E|xi_k|^2 <= sigma2; L > 0, 0 < c < 1, 0 < t = L eta < 2; P21a: Q <= 0, P21b: Q >= 0; k >= 0.

Certificate (derived by hand, then checked): the descent lemma from x_k to x_{k+1} (weight
W + k), the smooth convex interpolation inequality between x_* and x_k (weight 1) and the noise
variance (weight nu_0 + k nu_1). The residual is affine in k: its k-part is the heavy-ball
energy f(x_k) + e_1 |z_k - x_k|^2 decreasing (NSD iff t <= 2 for this e_1); its constant part
is a 2 x 2 form in (z_k - x_k, z_{k+1} - x_k) that P17's potential closes with the growth of the
weight w + k; W (or s) is the least value making it NSD (P21a), or the potential of P13's shape
at w = 0 already does (P21b).

References:
- E. Ghadimi, H. R. Feyzmahdavian, M. Johansson, Global convergence of the heavy-ball method
    for convex optimization, ECC 2015, arXiv:1412.7457.
- O. Sebbouh, R. M. Gower, A. Defazio, Almost sure convergence rates for stochastic gradient
    descent and stochastic heavy ball, COLT 2021, arXiv:2006.07867 (last iterate of the
    iterate-moving-average form, with c_k = O(1/k)).
- A. Defazio, Momentum via primal averaging: theoretical insights and learning rate schedules
    for non-convex optimization, arXiv:2010.00406 (2020) (the SPA form).

Notes (not part of the certified statement).

How the certificate was found: a numerical SDP (potentials (w + k)(f - f_*) plus a quadratic in
(x_k - x_*, z_k - x_*) with coefficients affine in k, every interpolation fact between x_*, x_k
and x_{k+1}) is feasible for every 0 < t < 2 and infeasible at t = 2.05 (c from 0.05 to 0.999);
three of the facts suffice, and the closed forms were derived by hand from the two 2 x 2 blocks
of the residual (the k-part and the constant part). The least w of that family is close to the
one here (23.5 against 26 at t = 1, c = 1/10; 1.4 against 2 at t = 1, c = 1/2), and the best
bound of the family, found by bisection on the SDP, is close: about 0.105 against
0.125 here at t = 1, c = 1/2, n = 10, 0.366 against 0.375 at t = 1, c = 1/10. With
<z_k - x_k, grad f(x_k)> and |grad f(x_k)|^2 in the potential the SDP stays feasible beyond
t = 2 (to about t = 2 (2 - c)^2 for small c): not certified here.

Against the exact worst case of SPA over the class (lyapunov.pep, measure last_gap, L = 1,
|x_0 - x_*| = 1, sigma2 = 0, f(x_0) - f_* <= 1/2 in the bound):

    (t, c)        n = 5                  n = 10                 n = 20
    (1/4, 1/2)    0.400 / 0.166  = 2.4   0.200 / 0.0909 = 2.2   0.100 / 0.0476 = 2.1
    (1/2, 1/2)    0.219 / 0.0994 = 2.2   0.113 / 0.0500 = 2.3   0.0574 / 0.0250 = 2.3
    (1, 1/2)      0.214 / 0.0552 = 3.9   0.125 / 0.0263 = 4.8   0.0682 / 0.0128 = 5.3
    (19/10, 1/2)  0.442 / 0.0587 = 7.5   0.392 / 0.0233 = 17    0.319 / 0.0101 = 31
    (3/2, 9/10)   0.0938 / 0.0319 = 2.9  0.0484 / 0.0163 = 3.0  0.0246 / 0.00824 = 3.0
    (1, 1/10)     0.435 / 0.138  = 3.2   0.375 / 0.183  = 2.1   0.293 / 0.112  = 2.6

(bound / worst case; tests/test_p21.py checks bound >= worst case at such points). (1/4, 1/2) is
in P21b (w = 0), the others in P21a. The ratio grows near t = 2, where w grows like 1/(2 - t),
and for small c the weight w is large (w = 26 at t = 1, c = 1/10): the bound then starts near
f(x_0) - f_* and reaches its O(1/n) regime only for n >> w (the exact worst case is not even
monotone in n there): a certified rate, not a tight constant.
"""

from lyapunov.engine import Potential, SmoothConvex, f, params, sqnorm
from lyapunov.methods import get

t, c, L, sigma2, k = params("t c L sigma2 k")
eta = t / L
step = get("spa").one_step(sigma2, {"eta": eta, "c": c})
cls = SmoothConvex(L)
x, x1, star = step.x, step.x1, step.star

#: Q >= 0: the small steps where w = 0 works (P21b); Q <= 0: P21a
Q = c - 3 * t + 4 * c * t - c * t**2
e1 = c / (2 * eta * (1 - c))
nu1 = c * eta * (1 - c + c * t) / 2


def _theorem(name: str, W, side) -> Potential:
    """The potential with weight w + k = W - 1 + k on f(x_k) - f_*, on {Q side 0}."""
    w = W - 1
    s = 1 + W * c * t
    e0 = (s / (1 - c) - 1 - t) / (2 * L * eta**2)
    nu0 = eta / 2 + eta**2 * ((e0 + e1) * (1 - c) ** 2 + W * L * c**2 / 2)
    return Potential(
        name=name,
        statement=__doc__,
        step=step,
        region=[t > 0, t < 2, L > 0, c > 0, c < 1, side, k >= 0],
        lyapunov=lambda x, z, star: (
            (w + k) * (f(x) - f(star))
            + sqnorm(z - star) / (2 * eta)
            + (e0 + k * e1) * sqnorm(z - x)
        ),
        output="x",
        counter=k,
        measure="last_gap",
        nu=nu0 + k * nu1,
        function_class=cls,
        certificate={
            cls.upper(x, x1): W + k,
            cls.interp(star, x): 1,
            step.variance(): nu0 + k * nu1,
        },
    )


p21a = _theorem(
    "P21a SGD+M on smooth convex f, last iterate",
    (3 * t - c - 2 * c * t) / ((2 - t) * c * t),
    Q <= 0,
)
p21b = _theorem("P21b SGD+M on smooth convex f, last iterate, small steps", 1, Q >= 0)

theorems = [p21a, p21b]
