"""Potential lemmas: last-iterate rates through a potential of the state and the minimiser.

A :class:`Potential` states, for every member f of its class and every step k >= 0,

    E[A_{k+1}] - q A_k + rho |grad f(y_k)|^2 - nu sigma2 - drift <= 0           (the claim)

where the potential A_k is a form of the current points and of ``star``: a minimiser x_*
(value f_* = f(x_*), gradient 0) in the convex classes, or only the value f_* = inf f (PL).
Its coefficients may depend on the step counter k (``counter=k``, then A_{k+1} is A with
k -> k + 1 and the region must contain k >= 0). The check proves, exactly over the region,

1. the claim, by a certificate (multipliers of facts) as for :class:`DescentLemma`;
2. q >= 0 and rho >= 0 (so the claims chain);
3. A_k >= a_k M_k for the measure M_k, with a_k = ``weight`` >= 0 (the bound below holds at
   every n with a_n > 0):
   ``last_gap``  M_k = f(out_k) - f_*,   ``last_dist2``  M_k = |out_k - x_*|^2,
   i.e. A_k - a_k M_k = sum_p w_p (f(p) - f_*) + (a quadratic form) + const with w_p >= 0, the
   quadratic form plus sum_p w_p S(p) PSD for the class's lower slack S(p) <= f(p) - f_*, and
   const >= 0;
4. A_0 <= B_0 = c_gap (f(x_0) - f_*) + c_dist |x_0 - x_*|^2 + c_0 with c_gap, c_dist >= 0
   (the state starts at x_0): B_0 is A_0 itself, or ``initial_bound(x0, star)`` with an
   ``initial`` certificate (multipliers of facts at x_0 and x_*) proving A_0 <= B_0.

With ``measure="avg_gap"`` the claim is instead (q = 1, rho > 0)

    E[A_{k+1}] - A_k + rho (f(out_k) - f_*) - nu sigma2 - drift <= 0,   A_k >= 0,

and summing it gives (1/n) sum_{k<n} E f(out_k) - f_* <= (B_0 + sum_{j<n} (nu_j sigma2 +
drift_j)) / (n rho), which also bounds E f(average of out_k) - f_* for convex f (Jensen).

Chaining the claim from 0 to n - 1 gives the certified last-iterate bound

    a_n E[M_n] <= q^n (c_gap (f(x_0) - f_*) + c_dist |x_0 - x_*|^2 + c_0)
                  + sum_{j<n} q^(n-1-j) (nu_j sigma2 + drift_j).

``drift`` is a constant paid per step that does not come from the noise, e.g. eta G^2 / 2 for
subgradients bounded by G.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import sympy as sp

from .decide import decide
from .facts import Fact
from .forms import Form, Point, VecSymbol, f, sqnorm
from .psd import decide_nsd, decide_psd
from .region import MalformedError, check_rational
from .theorems import Budget, DescentLemma, _check
from .verdict import Check

__all__ = ["Potential", "MEASURES"]

#: the measures a potential can bound: the last iterate's, or the average of the gaps
MEASURES = ("last_gap", "last_dist2", "avg_gap")


@dataclass(kw_only=True)
class Potential(DescentLemma):
    """``E[A_{k+1}] <= q A_k - rho |g_k|^2 + nu sigma2`` and ``A_k >= weight * M_k``.

    ``lyapunov(*points, star)`` gives A_k (``star`` is x_*, see the module); ``contraction``
    is q (1: a non-increasing potential); ``measure`` names M (``"last_gap"`` or
    ``"last_dist2"``) at the state variable ``output`` (default: where the gradient is
    taken); ``weight`` is a_k (default: the coefficient of f(output) in A_k for
    ``last_gap``); ``counter`` is the step-index symbol k when A depends on it.
    """

    SIDE_IN_SEARCH = False

    contraction: sp.Expr = sp.Integer(1)
    measure: str = "last_gap"
    weight: sp.Expr | None = None
    output: str | None = None
    counter: sp.Symbol | None = None
    drift: sp.Expr = sp.Integer(0)
    initial_bound: Callable[..., Form] | None = None
    initial: Mapping[Fact, sp.Expr] | None = None
    rho: sp.Expr = sp.Integer(0)
    lyapunov_next: Callable[..., Form] | None = None

    def __post_init__(self):
        if self.measure not in MEASURES:
            raise MalformedError(
                f"{self.name}: measure must be one of {', '.join(MEASURES)}, got {self.measure!r}"
            )
        names = self.step.state_names
        out = self.output or names[list(self.step.current).index(self.step.rate_point)]
        if out not in names:
            raise MalformedError(
                f"{self.name}: output must be a state variable ({', '.join(names)}), got {out!r}"
            )
        self.output = out
        if self.measure == "avg_gap":
            if sp.sympify(self.contraction) != 1:
                raise MalformedError(f"{self.name}: measure avg_gap needs contraction 1")
            if self.weight is None:
                self.weight = sp.Integer(0)  # A_k >= 0
            if self.counter is not None and self.counter in sp.sympify(self.rho).free_symbols:
                raise MalformedError(f"{self.name}: with avg_gap, rho may not depend on k")
        if self.counter is not None and not isinstance(self.counter, sp.Symbol):
            raise MalformedError(f"{self.name}: counter must be a parameter symbol such as k")
        super().__post_init__()
        syms = (*self.region.symbols, *self.unknowns)
        if self.counter is not None and self.counter not in self.region.symbols:
            raise MalformedError(
                f"{self.name}: the counter {self.counter} must appear in the region (k >= 0)"
            )
        self.contraction = check_rational(self.contraction, syms, f"{self.name}: contraction")
        if self.counter is not None and self.counter in self.contraction.free_symbols:
            raise MalformedError(f"{self.name}: the contraction may not depend on the counter")
        if self.weight is None:
            if self.measure != "last_gap":
                raise MalformedError(f"{self.name}: measure {self.measure} needs weight=")
            self.weight = self.A_now.fvals.get(self._out_now().name, sp.Integer(0))
        self.weight = check_rational(self.weight, syms, f"{self.name}: weight")

    # -- forms ------------------------------------------------------------------------------
    def _build_forms(self) -> None:
        step = self.step
        self.A_now = Form.lift(self.lyapunov(*step.current, step.star))
        if self.lyapunov_next is not None:
            self.A_next = Form.lift(self.lyapunov_next(*step.next, step.star))
        else:
            self.A_next = Form.lift(self.lyapunov(*step.next, step.star))
            if self.counter is not None:
                self.A_next = self.A_next.subs({self.counter: self.counter + 1})
        self.G = Form(const=-sp.sympify(self.drift))  # the claim adds the gain: - drift
        x0, star0 = step.initial(), step.initial_star()
        init = Form.lift(self.lyapunov(*x0, star0))
        bound = Form.lift(self.initial_bound(x0[0], star0)) if self.initial_bound else init
        if self.counter is not None:
            init, bound = init.subs({self.counter: 0}), bound.subs({self.counter: 0})
        self.A_init, self.B_init = init, bound
        if self.initial is not None and self.initial_bound is None:
            raise ValueError("an initial certificate needs initial_bound=")

    def _contraction(self) -> sp.Expr:
        return self.contraction

    def claim(self) -> Form:
        """As for a descent lemma, with the decrease rho (f(out) - f_*) for ``avg_gap``."""
        if self.measure != "avg_gap":
            return super().claim()
        gap = f(self._out_now()) - f(self.step.star)
        noise = Form(const=self.nu * self.step.sigma2)
        return self.A_next - self.A_now + self.rho * gap + self.G - noise

    def _out_now(self) -> Point:
        return self.step.current[self.step.state_names.index(self.output)]

    def measure_form(self) -> Form:
        """M_k as a form of the current points: f(out) - f_* or |out - x_*|^2."""
        p = self._out_now()
        if self.measure in ("last_gap", "avg_gap"):
            return f(p) - f(self.step.star)
        return sqnorm(p - self.step.star)

    # -- the bound --------------------------------------------------------------------------
    def initial_coefficients(self) -> tuple[sp.Expr, sp.Expr, sp.Expr]:
        """(c_gap, c_dist, c_0) with B_0 = c_gap (f(x_0) - f_*) + c_dist |x_0 - x_*|^2 + c_0.

        ValueError when B_0 is not of that shape.
        """
        init = self.B_init.simplified()
        c_gap = init.fvals.get("x0", sp.Integer(0))
        d = VecSymbol("(*-x0)")
        c_dist = init.quad.get((d, d), sp.Integer(0))
        rest = init - c_gap * (f(Point("x0", 0, 0)) - Form(fvals={"*": 1})) - c_dist * sqnorm(d)
        rest = rest.simplified()
        if rest.fvals or rest.quad:
            raise ValueError(
                f"A_0's bound is not c_gap (f(x_0) - f_*) + c_dist |x_0 - x_*|^2 + c_0: {init}"
            )
        return sp.cancel(c_gap), sp.cancel(c_dist), sp.cancel(rest.const)

    def bound(self, gap: sp.Expr, dist2: sp.Expr, steps: sp.Expr) -> sp.Expr:
        """The certified bound on E[M_n] after n = ``steps`` steps, from f(x_0) - f_* <= gap
        and |x_0 - x_*|^2 <= dist2:

            (q^n (c_gap gap + c_dist dist2 + c_0)
             + sum_{j<n} q^(n-1-j) (nu_j sigma2 + drift_j)) / a_n.
        """
        c_gap, c_dist, c_0 = self.initial_coefficients()
        q, n, k = self.contraction, sp.sympify(steps), self.counter
        per_step = self.nu * self.step.sigma2 - self.G.const  # nu sigma2 + drift
        if k is not None and k in per_step.free_symbols:
            j = sp.Dummy("j", integer=True, nonnegative=True)
            noise = sp.summation(per_step.subs(k, j) * q ** (n - 1 - j), (j, 0, n - 1))
        else:
            noise = per_step * (n if q == 1 else (1 - q**n) / (1 - q))
        if self.measure == "avg_gap":
            return (c_gap * gap + c_dist * dist2 + c_0 + noise) / (n * self.rho)
        a_n = self.weight.subs(k, n) if k is not None else self.weight
        return (q**n * (c_gap * gap + c_dist * dist2 + c_0) + noise) / a_n

    def rate(self, gap: sp.Expr, steps: sp.Expr, dist2: sp.Expr = 0) -> sp.Expr:
        return self.bound(gap, dist2, steps)

    # -- the side conditions ----------------------------------------------------------------
    def _rate_checks(self, budget: Budget):
        R = self.region
        yield _check("q >= 0", decide(self.contraction, ">=", R, budget.left()))
        op = ">" if self.measure == "avg_gap" else ">="
        yield _check(f"rho {op} 0", decide(self.rho, op, R, budget.left()))
        yield _check("weight a_k >= 0", decide(self.weight, ">=", R, budget.left()))
        yield from self._measure_checks(budget)
        try:
            c_gap, c_dist, _ = self.initial_coefficients()
        except ValueError as exc:
            yield Check("A_0 <= B_0 of the stated shape", "refuted", detail=str(exc))
            return
        yield _check("A_0: c_gap >= 0", decide(c_gap, ">=", R, budget.left()))
        yield _check("A_0: c_dist >= 0", decide(c_dist, ">=", R, budget.left()))
        yield from self._initial_checks(budget)

    def _initial_checks(self, budget: Budget):
        """A_0 - B_0 - sum_i lambda_i F_i <= 0: f values cancel, constant <= 0, NSD."""
        R = self.region
        res = self.A_init - self.B_init
        for fact, lam in (self.initial or {}).items():
            if not isinstance(fact, Fact):
                raise MalformedError(f"{self.name}: initial certificate key {fact!r} is not a fact")
            lam = check_rational(lam, R.symbols, f"{self.name}: initial multiplier")
            yield _check(
                f"A_0: multiplier of {fact.name} >= 0", decide(lam, ">=", R, budget.left())
            )
            res = res - lam * fact.form
        res = res.simplified()
        for name, coef in res.fvals.items():
            yield _check(f"A_0 <= B_0: f({name}) cancels", decide(coef, "==", R, budget.left()))
        if res.const != 0:
            yield _check("A_0 <= B_0: constant <= 0", decide(res.const, "<=", R, budget.left()))
        basis = res.basis()
        if basis:
            psd = decide_nsd(res.matrix(basis), R, budget.left(), [b.name for b in basis], "A_0")
            yield _check("A_0 <= B_0: quadratic part NSD", psd.decision)

    def _measure_checks(self, budget: Budget):
        """A_k - a_k M_k = sum_p w_p (f(p) - f_*) + quad + const >= 0 for every member."""
        R = self.region
        D = (self.A_now - self.weight * self.measure_form()).simplified()
        label = f"A_k >= a_k {self.measure}"
        total = sp.cancel(sum(D.fvals.values(), sp.Integer(0)))
        yield _check(
            f"{label}: function values enter as f(p) - f_*", decide(total, "==", R, budget.left())
        )
        cls = self.function_class
        for p in self.step.current:
            w = D.fvals.get(p.name, sp.Integer(0))
            if w == 0:
                continue
            yield _check(f"{label}: weight of f({p.name}) >= 0", decide(w, ">=", R, budget.left()))
            if cls is not None:
                D = D + w * cls.lower_slack(p)
        unknown = set(D.fvals) - {p.name for p in self.step.current} - {"*"}
        if unknown:
            yield Check(f"{label}: function values", "refuted", detail=f"f at {sorted(unknown)}")
        D = D.simplified()
        basis = D.basis()
        if basis:
            yield _check(
                f"{label}: quadratic part PSD",
                decide_psd(D.matrix(basis), R, budget.left()).decision,
            )
        if D.const != 0:
            yield _check(f"{label}: constant term >= 0", decide(D.const, ">=", R, budget.left()))
