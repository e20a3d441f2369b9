r"""P10. The bounded-below step: with P8 it gives the horizon-aware bound of SPA.

Let f be L-smooth (not necessarily convex) with inf f >= fstar, and run SPA

    z_{k+1} = z_k - eta (grad f(x_k) + xi_k),   x_{k+1} = (1 - c) x_k + c z_{k+1},   z_0 = x_0,

with E[xi_k | past] = 0, E|xi_k|^2 <= sigma2.

P10 (theorem). With A_k = f(x_k) and the constant A_{k+1} = fstar,

    E[A_{k+1}] - A_k <= - |grad f(x_k)|^2 / (2L)        (RHO = 1/(2L), NU = 0):

fstar <= f(x_k - grad f(x_k)/L) <= f(x_k) - |grad f(x_k)|^2/(2L).

Symbols: eta, c, L, sigma2; fstar = -m, a lower bound on inf f (any real m).

Assumptions: f L-smooth (gradient L-Lipschitz; not necessarily convex) and bounded below by
fstar; L > 0 (the claim holds for any step: eta and c do not enter).

Certificate: the lower bound at x_k, fstar <= f(x_k) - |grad f(x_k)|^2/(2L), with weight 1; the
residual is identically zero.

References:
- Y. Drori, M. Teboulle, Performance of first-order methods for smooth convex minimization: a
    novel approach, Math. Program. 145 (2014), arXiv:1206.3209
    (claim C1: worst cases of first-order methods as semidefinite programs).
- A. B. Taylor, J. M. Hendrickx, F. Glineur, Smooth strongly convex interpolation and exact
    worst-case performance of first-order methods, Math. Program. 161 (2017), arXiv:1502.05666
    (claim C2: their duals are certificates).

Notes (not part of the certified statement).

How it is used (the horizon bound of the calculators, lyapunov.bounds.horizon). For t in
[0, 1], t times P8 at next coefficients (a1, b1) plus (1 - t) times P10 is, by adding the two
certified inequalities (both nonnegative weights, the same A_k's f(x_k)),

    E[t (f(x_{k+1}) + a1 |z_{k+1} - x_{k+1}|^2 + 2 b1 <z_{k+1} - x_{k+1}, g_{k+1}>)
      + (1 - t) fstar] - (f(x_k) + t a_k |z_k - x_k|^2 + 2 t b_k <z_k - x_k, g_k>)
        <= - (t rho_k + (1 - t)/(2L)) |g_k|^2 + t nu_k sigma2,

with P8's (a_k, b_k, rho_k, nu_k) (valid on P8's region; for t = 0, P10 alone): the weight of
f may drop from 1 to t, and the drop is paid by the lower bound. Chain it over k < n with
weights theta_0 >= ... >= theta_{n-1} > theta_n = 0, t_k = theta_{k+1}/theta_k, and (a1, b1)
at step k the coefficients t_{k+1} (a_{k+1}, b_{k+1}) of step k+1 (zero after the last step):
W_k = theta_k (A_k - fstar) telescopes, W_0 = theta_0 (f(x_0) - fstar) (z_0 = x_0), W_n = 0:

    (1/n) sum_{k<n} E|grad f(x_k)|^2 <= (theta_0 gap + sigma2 sum_k theta_k t_k nu_k)
                                          / (n min_k theta_k (t_k rho_k + (1 - t_k)/(2L))).

The calculator chooses the theta_k backwards, each as small as keeps the rate of step k at
least 1/n.

Numerical remark (floating point, not certified): on the grid of benchmarks/tightness.py (L = 1,
n = 12) an SDP over all sequences (theta_k, a_k, b_k) of this family finds no better chain
than this backward choice, and its value equals the worst case of the performance estimation
problem with f(x_0) - inf f <= 1 (lyapunov.pep, condition="lower_bound") and the average on
f = x^2/2: there the bound is the exact worst case."""

from lyapunov.engine import (
    DescentLemma,
    Fact,
    OneStep,
    Smooth,
    f,
    params,
    sqnorm,
)
from lyapunov.methods import spa_step

eta, c, L, sigma2, m = params("eta c L sigma2 m")
fstar = -m  # a lower bound of f (any real m)

step = OneStep(["x", "z"], lambda x, z, g: spa_step(x, z, g, eta, c), sigma2)
smooth = Smooth(L)
x = step.x
# the hypothesis inf f >= fstar, at the point x_k: named "assume: ..." so that verdicts show
# it, and so that random-instance tests skip the instances that violate it
bounded_below = Fact(
    "assume: inf f >= fstar, so fstar <= f(x) - |g(x)|^2/(2L)",
    fstar - f(x) + sqnorm(x.grad) / (2 * L),
)

RHO = 1 / (2 * L)
NU = 0

theorem = DescentLemma(
    name="P10 the bounded-below step: f(x_k) - inf f >= |grad f(x_k)|^2/(2L) (horizon chains)",
    statement=__doc__,
    step=step,
    region=[L > 0],  # nothing else is used: the step's eta and c do not enter
    params=(m, eta, c),
    lyapunov=lambda x, z: f(x),
    lyapunov_next=lambda x, z: fstar + 0 * f(x),
    rho=RHO,
    nu=NU,
    certificate={bounded_below: 1},
    function_class=smooth,
)
