"""Concrete instances for numeric cross-checks (floating point: tests only, never verdicts).

* :func:`random_smooth` draws an L-smooth (non-convex) function from one of several families,
  each with a proved smoothness constant;
* :func:`expected_claim` evaluates E[S] for a :class:`DescentLemma` claim S on a concrete
  function, state and noise law. The noise is the symmetric two-point law xi = +-v with
  |v|^2 = sigma2, so the expectation is an exact average of two outcomes and E<xi, u> = 0 for
  every u known before the step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import sympy as sp

from lyapunov.engine.kernel.forms import Form, VecSymbol, vector_coefficients

__all__ = [
    "SmoothInstance",
    "random_smooth",
    "random_member",
    "FAMILIES",
    "evaluate_form",
    "expected_claim",
]

FAMILIES = ("quadratic", "cosines", "logcosh", "double-well")


@dataclass
class SmoothInstance:
    """f: R^d -> R with gradient, and a constant L such that grad f is L-Lipschitz."""

    family: str
    L: float
    f: Callable[[np.ndarray], float]
    grad: Callable[[np.ndarray], np.ndarray]
    #: a minimiser and the minimum (members of classes with a minimiser), else None
    x_star: np.ndarray | None = None
    f_star: float | None = None


def random_smooth(L: float, dim: int, rng: np.random.Generator, family: str) -> SmoothInstance:
    """A random L-smooth function of the given family.

    * quadratic:   f = x^T H x / 2, eig(H) in [-L, L], one eigenvalue at +L or -L (tight);
    * cosines:     f = sum_i a_i cos(w_i^T x + b_i) scaled so that sum_i |a_i| |w_i|^2 = L,
                   which bounds the Hessian's norm;
    * logcosh:     f = L (log cosh(u^T x) - |x|^2 / 2) + <l, x>, |u| = 1: the Hessian
                   L (sech^2(u^T x) u u^T - I) has eigenvalues in [-L, 0];
    * double-well: f = s sum_j (sin^2 x_j - x_j^2 / 4), s = L / 2.5: the Hessian is diagonal
                   with entries s (2 cos 2x_j - 1/2), in [-L, 3L/5].
    """
    if family == "quadratic":
        Q, _ = np.linalg.qr(rng.standard_normal((dim, dim)))
        eig = rng.uniform(-L, L, dim)
        eig[0] = L if rng.random() < 0.5 else -L
        H = (Q * eig) @ Q.T
        return SmoothInstance(family, L, lambda x: 0.5 * x @ H @ x, lambda x: H @ x)
    if family == "cosines":
        m = 5
        W = rng.standard_normal((m, dim))
        a = rng.standard_normal(m)
        b = rng.uniform(0, 2 * np.pi, m)
        scale = L / np.sum(np.abs(a) * np.sum(W**2, axis=1))
        a = a * scale
        return SmoothInstance(
            family,
            L,
            lambda x: float(np.sum(a * np.cos(W @ x + b))),
            lambda x: -(a * np.sin(W @ x + b)) @ W,
        )
    if family == "logcosh":
        u = rng.standard_normal(dim)
        u /= np.linalg.norm(u)
        lin = rng.standard_normal(dim)
        return SmoothInstance(
            family,
            L,
            lambda x: L * (np.log(np.cosh(u @ x)) - 0.5 * x @ x) + lin @ x,
            lambda x: L * (np.tanh(u @ x) * u - x) + lin,
        )
    if family == "double-well":
        s = L / 2.5
        return SmoothInstance(
            family,
            L,
            lambda x: s * float(np.sum(np.sin(x) ** 2 - x**2 / 4)),
            lambda x: s * (np.sin(2 * x) - x / 2),
        )
    raise ValueError(f"family: {family!r} is not one of {FAMILIES}")


def random_member(
    function_class: str, constants: dict[str, float], dim: int, rng: np.random.Generator
) -> SmoothInstance | None:
    """A random member of a convex, strongly convex, Lipschitz or PL class, with x_* and f_*.

    The members come from :data:`lyapunov.objectives.CLASS_OBJECTIVES`, scaled (f -> s f
    scales L, G and mu by s) so that they lie in the class with the given constants:

    * smooth_convex (L): a convex quadratic (spectrum in [0, L], one eigenvalue L), logistic
      regression or Huber, scaled to smoothness L;
    * smooth_strongly_convex and pl (mu, L): a quadratic with spectrum in [mu, L], both
      attained (it is mu-strongly convex, hence mu-PL); None where the class is empty
      (mu > L) or the PL fact says nothing (mu <= 0);
    * convex_lipschitz (G): weighted l1, Huber or logistic regression, scaled to Lipschitz
      constant G.
    """
    from lyapunov import objectives as ob

    seed = int(rng.integers(2**31))
    if function_class in ("smooth_strongly_convex", "pl"):
        mu, L = constants["mu"], constants["L"]
        if mu > L or (function_class == "pl" and mu <= 0):
            return None  # an empty class (or a vacuous PL fact): no member to test on
        # the quadratic (x - x_*)^T H (x - x_*)/2 + f_*, spectrum in [mu, L] (both attained):
        # mu-strongly convex for mu > 0 (hence mu-PL), and for mu <= 0 its curvature is in
        # [mu, L] (the class of the interpolation conditions with that mu) and x_* a
        # stationary point
        spec = rng.uniform(mu, L, dim)
        spec[0], spec[-1] = mu, L
        Q, _ = np.linalg.qr(rng.standard_normal((dim, dim)))
        H, xs, fs = (Q * spec) @ Q.T, rng.standard_normal(dim), float(rng.normal())
        return SmoothInstance(
            f"{function_class}:quadratic",
            L,
            lambda x: 0.5 * (x - xs) @ H @ (x - xs) + fs,
            lambda x: H @ (x - xs),
            xs,
            fs,
        )
    elif function_class == "smooth_convex":
        kind = rng.integers(3)
        if kind == 0:
            spec = rng.uniform(0, 1, dim)
            spec[0], spec[-1] = 0.0, 1.0
            obj = ob.ConvexQuadratic(dim, spectrum=spec, seed=seed)
        elif kind == 1:
            obj = ob.LogisticRegression(dim, m=20, seed=seed)
        else:
            obj = ob.Huber(dim, delta=float(rng.uniform(0.2, 2)), seed=seed)
        scale = constants["L"] / obj.constants("smooth_convex")["L"]
    elif function_class == "convex_lipschitz":
        kind = rng.integers(3)
        if kind == 0:
            obj = ob.WeightedL1(dim, seed=seed)
        elif kind == 1:
            obj = ob.Huber(dim, delta=float(rng.uniform(0.2, 2)), seed=seed)
        else:
            obj = ob.LogisticRegression(dim, m=20, seed=seed)
        scale = constants["G"] / obj.constants("convex_lipschitz")["G"]
    else:
        raise ValueError(f"function_class: no random members for {function_class!r}")
    return SmoothInstance(
        f"{function_class}:{obj.name}",
        constants.get("L", np.inf),
        lambda x: scale * float(obj.f(x)),
        lambda x: scale * np.asarray(obj.grad(x), dtype=float),
        np.asarray(obj.x_star, dtype=float),
        scale * float(obj.f_star),
    )


@lru_cache(maxsize=4096)
def _compiled(expr: sp.Expr, syms: tuple[sp.Symbol, ...]):
    return sp.lambdify(syms, expr, "math")


def _num(expr, scal: dict) -> float:
    """Float value of a scalar coefficient at the parameters ``scal`` (compiled once)."""
    expr = sp.sympify(expr)
    if expr.is_number:
        return float(expr)
    syms = tuple(sorted(scal, key=lambda s: s.name))
    return float(_compiled(expr, syms)(*(scal[k] for k in syms)))


def _vec(expr: sp.Expr, values: dict[VecSymbol, np.ndarray], dim: int, scal: dict) -> np.ndarray:
    out = np.zeros(dim)
    for b, c in vector_coefficients(expr).items():
        out = out + _num(c, scal) * values[b]
    return out


def evaluate_form(
    form: Form, fvals: dict[str, float], values: dict[VecSymbol, np.ndarray], scal: dict
) -> float:
    """The number a form takes for concrete function values, vectors and parameters."""
    total = _num(form.const, scal)
    for name, c in form.fvals.items():
        total += _num(c, scal) * fvals[name]
    for (a, b), c in form.quad.items():
        total += _num(c, scal) * float(values[a] @ values[b])
    return total


def expected_claim(
    theorem,
    scal: dict,
    inst: SmoothInstance,
    state: dict[str, np.ndarray],
    noise: np.ndarray,
    form: Form | None = None,
) -> float:
    """E[S] for the theorem's claim S at parameters ``scal`` (sympy symbol -> number).

    ``state`` gives the current points (e.g. {"x": ..., "z": ...}); ``noise`` is v, and the
    noise law is xi = +-v with probability 1/2 each (so sigma2 is taken as |v|^2). With
    ``form``, E[form] is evaluated instead of the claim (e.g. a hypothesis of the theorem).
    """
    step = theorem.step
    claim = theorem.claim() if form is None else form
    origin_name = step.rate_point.name
    origin = state[origin_name]
    dim = origin.shape[0]
    scal = dict(scal)
    scal[step.sigma2] = float(noise @ noise)
    outcomes = []
    for sign in (1.0, -1.0):
        values: dict[VecSymbol, np.ndarray] = {step.xi: sign * noise}
        for s, d in step.diffs.items():
            values[d] = state[s] - origin
        for p in step.current:
            values[p.grad] = inst.grad(state[p.name])
        pos = {}
        fv = {}
        if inst.x_star is not None:  # the minimiser, seen from the origin of the step
            values[step.star.pos] = inst.x_star - origin
            fv[step.star.name] = inst.f_star
        for p in (*step.current, *step.next):
            pos[p.name] = origin + _vec(p.pos, values, dim, scal) if p.pos != 0 else origin.copy()
            fv[p.name] = float(inst.f(pos[p.name]))
        for p in step.next:
            values[p.grad] = inst.grad(pos[p.name])
        outcomes.append(evaluate_form(claim, fv, values, scal))
    return float(np.mean(outcomes))
