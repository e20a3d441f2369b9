"""Certificate synthesis: find the exact certificate a descent lemma needs.

Input: a :class:`DescentLemma` with ``certificate=AUTO`` and/or :func:`unknowns` in its
Lyapunov function, rho or nu. Output: the same theorem with explicit multipliers and solved
coefficients -- exact rational functions of the parameters -- that the ordinary exact check
certifies. The route:

1. *Support* (numerical). At sample points of the region (random, near the boundary, and every
   counterexample met so far) a small SDP over the whole fact pool with a reweighted l1
   objective finds sparse multipliers; facts used anywhere form the support, which is then
   pruned greedily while every sample stays feasible. Infeasible at a point: no certificate
   from the pool exists there -- evidence that the claim is false there, reported with the
   point.
2. *Structure* (numerical). Parts of the residual (its constant, then the entries of its
   matrix) are forced to vanish, all at once if every sample allows it (a zero residual, the
   most readable certificate), else one at a time.
3. *Exact solve*. The multipliers and unknowns then solve a linear system whose coefficients
   are rational functions of the parameters: function values cancel and the forced parts
   vanish. It is solved over that field (fraction-free, exact); free directions left are fixed
   to 0 or to a constant the samples agree on.
4. *Exact check*. The filled theorem goes through :meth:`DescentLemma.check` over the whole
   region. A counterexample point becomes a new sample and the loop repeats (at most
   ``rounds`` times). Only this check ever certifies.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import sympy as sp
from sympy.polys.matrices import DomainMatrix

from .auto import AUTO, Unknown
from .forms import Form
from .linear import ONE, Affine, LinearResidual
from .sampling import near_boundary, sample_region
from .sdp import solve_at
from .facts import Fact
from .verdict import Verdict

__all__ = ["SynthesisResult", "synthesize", "fact_pool"]

CERTIFIED = "certified"
_TOL = 1e-6  # relative violation below which a sample counts as feasible (search only)
NOT_FOUND = "not found"
INFEASIBLE = "infeasible"


@dataclass
class SynthesisResult:
    """What :func:`synthesize` found, and if nothing, why (``reason``: one line)."""

    name: str
    status: str  # "certified" | "infeasible" | "not found"
    theorem: object | None = None  # the filled theorem (certified only)
    certificate: dict[Fact, sp.Expr] = field(default_factory=dict)
    solution: dict[Unknown, sp.Expr] = field(default_factory=dict)
    verdict: Verdict | None = None
    reason: str = ""
    point: dict[str, Fraction] | None = None  # evidence (status "infeasible")
    seconds: float = 0.0
    samples: int = 0
    reference: dict = field(default_factory=dict)  # an interior point (signs of factors)
    partial: object | None = None  # the last candidate, certified on a named sub-region

    @property
    def certified(self) -> bool:
        return self.status == CERTIFIED

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "status": self.status,
            "reason": self.reason,
            "seconds": round(self.seconds, 3),
            "samples": self.samples,
            "point": {k: _fmt(v) for k, v in self.point.items()} if self.point else None,
            "certificate": {f.name: sp.sstr(v) for f, v in self.certificate.items()},
            "solution": {u.name: sp.sstr(v) for u, v in self.solution.items()},
        }


def _fmt(q) -> str:
    q = sp.Rational(q.numerator, q.denominator) if isinstance(q, Fraction) else q
    return sp.sstr(q)


def fact_pool(theorem) -> list[Fact]:
    """Every fact of the theorem's function class between every ordered pair of the step's
    points (current and next), and the noise variance."""
    step = theorem.step
    pool = theorem.function_class.facts([*step.current, *step.next])
    return [*pool, step.variance()]


def _point_key(pt: dict) -> tuple:
    return tuple(sorted((s.name, v) for s, v in pt.items()))


def _describe(pt: dict) -> str:
    return ", ".join(
        f"{s.name}={sp.sstr(v)}" for s, v in sorted(pt.items(), key=lambda i: i[0].name)
    )


class _Search:
    """The state of one synthesis: samples, their numeric residuals, the budget."""

    def __init__(self, theorem, timeout: float | None, samples: int, seed: int):
        self.th = theorem
        self.t0 = time.perf_counter()
        self.timeout = timeout
        self.rng = np.random.default_rng(seed)
        self.pool = fact_pool(theorem)
        self.lin = LinearResidual(theorem, self.pool)
        self.skip = (theorem.step.sigma2,)
        self.points: list[dict] = []
        self.nums: dict[tuple, object] = {}
        self.n_samples = samples
        self.violation: float | None = None
        self.floors: dict[tuple, list] = {}  # rho=AUTO: per sample, rho >= its optimum - tol

    def left(self) -> float | None:
        if self.timeout is None:
            return None
        return self.timeout - (time.perf_counter() - self.t0)

    def over(self) -> bool:
        left = self.left()
        return left is not None and left <= 0

    def add_point(self, pt: dict) -> None:
        pt = {s: v for s, v in pt.items() if s not in self.skip}
        key = _point_key(pt)
        if key not in self.nums:
            self.points.append(pt)
            self.nums[key] = self.lin.numeric(pt)

    def sample(self) -> None:
        R = self.th.region
        inner = sample_region(R, self.rng, self.n_samples, skip=self.skip)
        for pt in inner:
            self.add_point(pt)
        for pt in inner[: max(1, self.n_samples // 2)]:
            nb = near_boundary(R, pt, self.rng, skip=self.skip)
            if nb is not None:
                self.add_point(nb)

    def solve(self, pt, active, zero=(), extra=(), **kw):
        """One SDP at a sample (with rho=AUTO: rho kept at its optimum there)."""
        key = _point_key(pt)
        return solve_at(
            self.nums[key], pt, active, zero, extra, at_least=self.floors.get(key, ()), **kw
        )

    def optimise_rate(self, facts) -> dict | None:
        """rho=AUTO: the best rate at every sample, then (if nu is an unknown too) the least
        noise coefficient at that rate; later solves keep both. A sample where even that is
        infeasible is returned."""
        rate = Affine({self.th.rate_unknown: sp.Integer(1)})
        noise = None
        if isinstance(self.th.nu, Unknown):
            noise = Affine({self.th.nu: sp.Integer(-1)})  # maximise -nu
        for pt in self.points:
            key = _point_key(pt)
            if key in self.floors:
                continue
            res = solve_at(self.nums[key], pt, set(facts), maximize=rate)
            if not res.feasible or res.best is None:
                return pt
            floors = [(rate, res.best - 1e-6 * (1 + abs(res.best)))]
            if noise is not None:
                low = solve_at(self.nums[key], pt, set(facts), maximize=noise, at_least=floors)
                if low.feasible and low.best is not None:
                    floors.append((noise, low.best - 1e-6 * (1 + abs(low.best))))
            self.floors[key] = floors
        return None

    def feasible_all(self, active, zero=(), extra=()) -> bool:
        """Feasible at every sample, judged by the smallest violation (robust to scaling)."""
        for pt in self.points:
            res = self.solve(pt, active, zero, extra, slack=True)
            if not res.feasible or res.slack > _TOL * (1 + np.max(np.abs(res.values))):
                return False
        return True

    # -- 1. support -------------------------------------------------------------------------
    def support(self) -> tuple[set, dict | None]:
        """Facts used by sparse solutions at the samples (None, point if one is infeasible)."""
        lin = self.lin
        facts = [v for v in lin.variables if isinstance(v, Fact)]
        fidx = [i for i, v in enumerate(lin.variables) if isinstance(v, Fact)]
        used: dict[Fact, float] = {}
        if self.th.rate_unknown is not None:
            bad = self.optimise_rate(facts)
            if bad is not None:
                return set(), bad
        for pt in self.points:
            res = self.solve(pt, set(facts))
            if not res.feasible:
                # badly scaled problems can fail numerically: measure the violation instead
                rel = self.solve(pt, set(facts), slack=True)
                if not rel.feasible or rel.slack > _TOL * (1 + np.max(np.abs(rel.values))):
                    self.violation = rel.slack if rel.feasible else None
                    return set(), pt
                res = rel
            for _ in range(2):  # reweighted l1; a numerically failed reweighting is ignored
                w = np.ones(len(lin.variables))
                w[fidx] = 1.0 / (np.abs(res.values[fidx]) + 1e-3)
                again = self.solve(pt, set(facts), weights=w)
                if not again.feasible:
                    break
                res = again
            top = max(1.0, float(np.max(np.abs(res.values[fidx]))))
            for i in fidx:
                if res.values[i] > 1e-6 * top:
                    v = lin.variables[i]
                    used[v] = max(used.get(v, 0.0), float(res.values[i]))
        support = set(used)
        if not self.feasible_all(support):
            support = set(facts)  # the union is not enough at some sample: start from all
        # prune: drop the least used facts while every sample stays feasible
        for fact in sorted(support, key=lambda f: used.get(f, 0.0)):
            if self.over():
                break
            trial = support - {fact}
            if self.feasible_all(trial):
                support = trial
        return support, None

    # -- 2. structure -----------------------------------------------------------------------
    def structure(self, support: set) -> list[str]:
        """Labels of residual entries that can be forced to zero at every sample."""
        entries = [e for e in self.lin.entries if e.kind != "fval"]
        offdiag = [e.label for e in entries if e.kind == "quad" and e.index[0] != e.index[1]]
        diag = [e.label for e in entries if e.kind == "quad" and e.index[0] == e.index[1]]
        const = [e.label for e in entries if e.kind == "const"]
        everything = const + offdiag + diag
        if self.feasible_all(support, zero=everything):
            return everything
        zero: list[str] = []
        for label in everything:
            if self.over():
                break
            if self.feasible_all(support, zero=[*zero, label]):
                zero.append(label)
        return zero

    # -- 3. exact solve ---------------------------------------------------------------------
    def exact(self, support: set, zero: list[str]) -> tuple[dict | None, str]:
        lin = self.lin
        variables = [v for v in lin.variables if not isinstance(v, Fact) or v in support]
        eqs = [
            _restrict(e.value, variables)
            for e in lin.entries
            if e.kind == "fval" or e.label in zero
        ]
        extra: list[Affine] = []
        for _ in range(len(variables) + 1):
            sol, free = _solve_linear(eqs + extra, variables)
            if sol is None:
                return None, "the exact linear system is inconsistent (numerical support wrong)"
            if not free:
                return sol, ""
            var = free[0]
            fixed = self._fix_free(support, zero, extra, var)
            if fixed is None:
                hint = (
                    "give it explicitly"
                    if isinstance(var, Unknown)
                    else "state a stronger structure (e.g. fix an unknown)"
                )
                return None, (
                    f"the certificates at the samples leave {var} free and no rational choice "
                    f"of it (0, a constant, or a vanishing part of the residual) fits every "
                    f"sample; {hint}"
                )
            extra.append(fixed)
        return None, "could not pin down the free directions"

    def _fix_free(self, support, zero, extra, var) -> Affine | None:
        """An equation var = value (0, or a constant every sample agrees on), if feasible."""
        cands = [sp.Integer(0)]
        vals = []
        for pt in self.points:
            res = self.solve(pt, support, zero, extra)
            if res.feasible:
                vals.append(res.values[self.lin.variables.index(var)])
        if vals and np.ptp(vals) <= 1e-7 * max(1.0, float(np.max(np.abs(vals)))):
            q = Fraction(float(np.mean(vals))).limit_denominator(1000)
            cands.append(sp.Rational(q.numerator, q.denominator))
        for value in cands:
            eq = Affine({var: sp.Integer(1)})
            eq.add(ONE, -value)
            if self.feasible_all(support, zero, [*extra, eq]):
                return eq
        # else: a part of the residual that the free direction can make vanish
        for e in self.lin.entries:
            if e.label not in zero and e.kind != "fval" and var in e.value.coeffs:
                eq = _restrict(
                    e.value,
                    [v for v in self.lin.variables if v in support or not isinstance(v, Fact)],
                )
                if self.feasible_all(support, zero, [*extra, eq]):
                    return eq
        return None


def _restrict(aff: Affine, variables: list) -> Affine:
    keep = set(variables) | {ONE}
    return Affine({k: v for k, v in aff.coeffs.items() if k in keep})


def _solve_linear(eqs: list[Affine], variables: list) -> tuple[dict | None, list]:
    """Solve sum_v a_v v + a_1 = 0 exactly over the field of rational functions.

    Returns (solution with the free variables at 0, free variables), or (None, []) when the
    system is inconsistent.
    """
    if not variables:
        return {}, []
    rows = [[e.coeffs.get(v, 0) for v in variables] + [-e.coeffs.get(ONE, 0)] for e in eqs]
    if not rows:
        return {v: sp.Integer(0) for v in variables}, list(variables)
    M = DomainMatrix.from_Matrix(sp.Matrix(rows)).to_field()
    R, pivots = M.rref()
    n = len(variables)
    if n in pivots:
        return None, []
    Rs = R.to_Matrix()
    sol = {v: sp.Integer(0) for v in variables}
    for r, col in enumerate(pivots):
        sol[variables[col]] = sp.factor(sp.cancel(Rs[r, n]))
    free = [v for i, v in enumerate(variables) if i not in pivots]
    return sol, free


def _interior(region, points: list[dict]) -> dict:
    """A sample where no region condition is tight (signs of factors are read there)."""
    for pt in points:
        full = {s: pt.get(s, sp.Integer(1)) for s in region.symbols}
        if all(sp.sympify(c.lhs - c.rhs).subs(full) != 0 for c in region.conditions):
            return pt
    return points[0]


def _wrap(fn, sol):
    if fn is None:
        return None

    def filled(*points):
        return Form.lift(fn(*points)).subs(sol).simplified()

    return filled


def _signed(expr: sp.Expr, ref: dict) -> sp.Expr:
    """``expr`` factored, each factor's sign flipped so that it is positive at ``ref`` (an
    interior point): (2 - c) rather than -(c - 2), as a person would write it."""
    num, den = sp.fraction(sp.cancel(expr))
    out = sp.Integer(1)
    for part, sign in ((num, 1), (den, -1)):
        coeff, factors = sp.factor_list(part)
        out *= sp.sympify(coeff) ** sign
        for base, exp in factors:
            val = base.subs(ref)
            if val.is_number and val < 0:
                base = sp.expand(-base)
                out *= (-1) ** exp
            out *= base ** (sign * exp)
    return out


def equivalent_forms(expr: sp.Expr, ref: dict | None = None) -> list[sp.Expr]:
    """Ways to write a rational function: as sympy cancels it, factored, with an expanded
    numerator, and (given an interior point ``ref``) factored with positive factors."""
    expr = sp.cancel(expr)
    num, den = sp.fraction(sp.factor(expr))
    forms = [expr, sp.factor(expr), sp.expand(num) / sp.factor(den)]
    if ref is not None:
        signed = _signed(expr, ref)
        s_num, s_den = sp.fraction(signed)
        forms += [signed, sp.expand(s_num) / s_den]
    return forms


def _nice(expr: sp.Expr, ref: dict | None = None) -> sp.Expr:
    """The shortest of the :func:`equivalent_forms` (fewest minus signs first)."""
    return min(
        equivalent_forms(expr, ref),
        key=lambda e: (sp.sstr(e).count("-"), len(sp.sstr(e)), sp.count_ops(e)),
    )


def fill(theorem, certificate: dict, solution: dict):
    """The theorem with its certificate and unknowns filled in (not yet checked)."""
    return theorem.replace(
        certificate=certificate,
        lyapunov=_wrap(theorem.lyapunov, solution),
        lyapunov_next=_wrap(theorem.lyapunov_next, solution),
        gain=_wrap(theorem.gain, solution),
        rho=sp.cancel(sp.sympify(theorem.rho).subs(solution)),
        nu=sp.cancel(sp.sympify(theorem.nu).subs(solution)),
    )


def synthesize(
    theorem,
    timeout: float | None = 120.0,
    samples: int = 6,
    seed: int = 0,
    rounds: int = 4,
) -> SynthesisResult:
    """Find an exact certificate (and the unknowns) for a pending :class:`DescentLemma`.

    Returns a :class:`SynthesisResult`; ``result.theorem`` is the filled theorem, certified by
    the exact check over the whole region, when ``result.status == "certified"``. Reproducible:
    the samples depend on ``seed`` only.
    """
    from .theorems import DescentLemma

    if not isinstance(theorem, DescentLemma):
        raise TypeError(f"synthesize: expected a DescentLemma, got {type(theorem).__name__}")
    if not theorem.pending:
        raise ValueError(
            f"synthesize: {theorem.name} has no certificate=AUTO and no unknowns to find"
        )
    if theorem.certificate is not AUTO:
        raise ValueError(
            f"synthesize: {theorem.name}: with unknowns, say certificate=AUTO (the multipliers "
            "depend on them)"
        )
    s = _Search(theorem, timeout, samples, seed)
    out = SynthesisResult(theorem.name, NOT_FOUND)

    def done(**kw) -> SynthesisResult:
        for k, v in kw.items():
            setattr(out, k, v)
        out.seconds = time.perf_counter() - s.t0
        out.samples = len(s.points)
        return out

    s.sample()
    if not s.points:
        return done(reason="could not find sample points of the region (is it very thin?)")
    last = ""
    for _ in range(rounds):
        if s.over():
            return done(reason=f"timeout after {s.timeout:g} s; {last or 'no candidate yet'}")
        support, bad = s.support()
        if bad is not None:
            by = "" if s.violation is None else f"; the best one misses by {s.violation:.3g}"
            return done(
                status=INFEASIBLE,
                point={k.name: Fraction(int(v.p), int(v.q)) for k, v in bad.items()},
                reason=(
                    f"no certificate from the {len(s.pool)} facts of the pool exists at "
                    f"{_describe(bad)} (numerical SDP{by}): the claim is likely false there"
                ),
            )
        zero = s.structure(support)
        values, why = s.exact(support, zero)
        if values is None:
            return done(reason=why)
        ref = out.reference = _interior(theorem.region, s.points)
        cert = {f: _nice(values[f], ref) for f in s.pool if f in values and values[f] != 0}
        sol = {u: _nice(values[u], ref) for u in theorem.unknowns}
        if not cert:
            return done(reason="the solve left no fact with a nonzero multiplier")
        filled = fill(theorem, cert, sol)
        left = s.left()
        verdict = filled.check(timeout=None if left is None else max(left, 1.0))
        out.certificate, out.solution, out.verdict = cert, sol, verdict
        if verdict.certified:
            return done(status=CERTIFIED, theorem=filled, reason="")
        last = f"last candidate {verdict.status}: {verdict.reason}"
        partial = _subregion(filled, s.left())
        if partial is not None:
            out.partial = partial[0]
            where = " and ".join(sp.sstr(c) for c in partial[1])
            last = f"certified only on the sub-region where {where}; on the rest: {last}"
        bad_check = verdict.failed
        if bad_check is None or bad_check.point is None or bad_check.status != "refuted":
            return done(reason=last)
        pt = {}
        for sym in theorem.region.symbols:
            q = bad_check.point.get(sym.name)
            if isinstance(q, Fraction):
                pt[sym] = sp.Rational(q.numerator, q.denominator)
        if (
            len(pt) != len(theorem.region.symbols)
            or _point_key({k: v for k, v in pt.items() if k not in s.skip}) in s.nums
        ):
            return done(reason=last)
        s.add_point(pt)
    return done(reason=f"no certificate after {rounds} rounds; {last}")


def _subregion(filled, timeout: float | None):
    """The furthest a refuted candidate gets: the sub-region where its multipliers are >= 0
    and its rho > 0, if the exact check certifies it there (else None)."""
    from .decide import decide

    R = filled.region
    extras = []
    for lam in filled.certificate.values():
        if sp.sympify(lam).free_symbols and not decide(lam, ">=", R, timeout).proved:
            extras.append(sp.sympify(lam) >= 0)
    if not decide(filled.rho, ">", R, timeout).proved:
        extras.append(filled.rho > 0)
    if not extras:
        return None
    try:
        sub = filled.replace(region=[*R.conditions, *extras])
        verdict = sub.check(timeout=timeout)
    except ValueError:  # e.g. an empty sub-region
        return None
    return (sub, extras) if verdict.certified else None
