"""Certificate synthesis: find the exact certificate a descent lemma needs.

Input: a :class:`DescentLemma` with ``certificate=AUTO`` and/or :func:`unknowns` in its
Lyapunov function, rho or nu. Output: the same theorem with explicit multipliers and solved
coefficients -- exact rational functions of the parameters -- that the ordinary exact check
certifies. The route:

1. *Support* (numerical, :mod:`.support`). At sample points of the region (random, near the
   boundary, and every counterexample met so far) a small SDP over the whole fact pool with a
   reweighted l1 objective finds sparse multipliers; facts used anywhere form the support,
   which is then pruned greedily while every sample stays feasible. Infeasible at a point (an
   accurate solve): no certificate from the pool exists there -- evidence that the claim is
   false there, reported with the point.
2. *Structure* (numerical). Parts of the residual (its constant, then the entries of its
   matrix) are forced to vanish, all at once if every sample allows it (a zero residual, the
   most readable certificate), else one at a time.
3. *Exact solve*. The multipliers and unknowns then solve a linear system whose coefficients
   are rational functions of the parameters: function values cancel and the forced parts
   vanish. It is solved over that field (fraction-free, exact); a free direction left is fixed
   to 0, to a constant the samples agree on, or by a part of the residual that may vanish --
   each choice the samples admit is a candidate, the most plausible first. A Potential's
   unknowns are constants of the potential, free of its step counter k (:mod:`.potentials`).
4. *Exact check*. The filled theorem goes through :meth:`DescentLemma.check` over the whole
   region, candidate after candidate (at most ``_ALTERNATIVES`` per round). A counterexample
   point becomes a new sample and the loop repeats (at most ``rounds`` times). Only this
   check ever certifies.

Numerical judgements are pass / fail / unsure (:func:`.support.judge`): a sample where the
solver has numerical trouble never vetoes a choice, so the search does not depend on the BLAS
kernels or thread count of the machine, nor on the order of the samples.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from fractions import Fraction

import sympy as sp

from ..kernel.auto import AUTO, Unknown
from ..kernel.facts import Fact
from ..kernel.forms import Form
from ..kernel.linear import Affine
from ..kernel.region import MalformedError
from ..kernel.verdict import Verdict
from .potentials import counter_of, numeric_search, solve_exact, unsolvable
from .support import NumericSearch, fact_pool, point_key, restrict

__all__ = ["SynthesisResult", "synthesize", "fact_pool"]

CERTIFIED = "certified"
_ALTERNATIVES = 3  # exact solutions (choices of free directions) checked per round, at most
_VISITS = 12  # exact solves tried while fixing free directions, at most
NOT_FOUND = "not found"
INFEASIBLE = "infeasible"
#: what a status means for the claim (``SynthesisResult.outcome``): a certificate found; the
#: claim refuted (no certificate from the class's facts exists at a point); or neither
OUTCOMES = {CERTIFIED: "found", INFEASIBLE: "refuted", NOT_FOUND: "not found"}


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

    @property
    def outcome(self) -> str:
        """``"found"`` (certified), ``"refuted"`` (a refuted claim: no certificate from the
        pool of the class's facts exists at ``point``, by an accurate numerical solve) or
        ``"not found"`` (no certificate found, none ruled out; candidates the exact check
        rejected are named in ``reason``)."""
        return OUTCOMES[self.status]

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "status": self.status,
            "outcome": self.outcome,
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


def _exact_candidates(
    s: NumericSearch, support: set, zero: list[str], limit: int
) -> tuple[list[dict], str]:
    """Up to ``limit`` exact solutions of the linear system (function values cancel, the
    forced parts vanish), most plausible first: a free direction left is fixed by each of
    its admissible choices in turn (:meth:`NumericSearch.free_choices`), depth first. Returns
    (solutions, why there is none)."""
    variables, eqs = _equations(s, support, zero)
    counter = counter_of(s.th)
    solve = _solve_linear if counter is None else _solve_free_of(counter)
    found: list[dict] = []
    why: list[str] = []
    visits = [0]

    def walk(extra: list[Affine], before: int) -> None:
        if len(found) >= limit or visits[0] >= _VISITS or s.over():
            return
        visits[0] += 1
        sol, free = solve(eqs + extra, variables)
        if sol is None:
            why.append("the exact linear system is inconsistent (numerical support wrong)")
            return
        if not free:
            found.append(sol)
            return
        if len(free) >= before:  # the last choice pinned nothing down
            why.append("could not pin down the free directions")
            return
        var = free[0]
        choices = s.free_choices(support, zero, extra, var)
        if not choices:
            hint = (
                "give it explicitly"
                if isinstance(var, Unknown)
                else "state a stronger structure (e.g. fix an unknown)"
            )
            why.append(
                f"the certificates at the samples leave {var} free and no rational choice "
                f"of it (0, a constant, or a vanishing part of the residual) fits every "
                f"sample; {hint}"
            )
        for eq in choices:
            walk([*extra, eq], len(free))

    walk([], len(variables) + 1)
    return found, (why[0] if why else "could not pin down the free directions")


def _equations(s: NumericSearch, support: set, zero: list[str]) -> tuple[list, list[Affine]]:
    """The variables (unknowns, multipliers of the support) and the equations: function
    values cancel, the parts of the residual in ``zero`` vanish."""
    lin = s.lin
    variables = [v for v in lin.variables if not isinstance(v, Fact) or v in support]
    eqs = [restrict(e.value, variables) for e in lin.entries if e.kind == "fval" or e.label in zero]
    return variables, eqs


def _consistent_parts(s: NumericSearch, support: set, zero: list[str]) -> list[str]:
    """The parts of ``zero`` kept, in order, while the exact system stays consistent with
    unknowns free of the counter. The samples solve each step k on its own, so an unknown
    may take a different value at each (a weight w = -k); the parts they force to vanish
    may then admit no unknown constant in k."""
    solve = _solve_free_of(counter_of(s.th))
    kept: list[str] = []
    for label in zero:
        variables, eqs = _equations(s, support, [*kept, label])
        if solve(eqs, variables)[0] is not None:
            kept.append(label)
    return kept


def _solve_linear(eqs: list[Affine], variables: list) -> tuple[dict | None, list]:
    """Solve sum_v a_v v + a_1 = 0 exactly over the field of rational functions.

    Returns (solution with the free variables at 0, free variables), or (None, []) when the
    system is inconsistent.
    """
    return solve_exact(eqs, variables)


def _solve_free_of(counter: sp.Symbol):
    """:func:`_solve_linear` with the unknowns constants of the step ``counter`` k (a
    Potential's: :func:`.potentials.solve_exact`)."""

    def solve(eqs: list[Affine], variables: list) -> tuple[dict | None, list]:
        return solve_exact(eqs, variables, counter)

    return solve


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


#: the fields of a theorem (a Potential's too) that may carry unknowns: forms of the points
#: (callables), scalars, and the multipliers of a Potential's initial certificate
_FORM_FIELDS = ("lyapunov", "lyapunov_next", "gain", "initial_bound")
_SCALAR_FIELDS = ("rho", "nu", "contraction", "weight", "drift")


def _subs(expr, sol):
    return sp.cancel(sp.sympify(expr).subs(sol))


def fill(theorem, certificate: dict, solution: dict):
    """The theorem with its certificate and unknowns filled in (not yet checked): the solution
    is substituted in every field that may carry an unknown (:data:`_FORM_FIELDS`,
    :data:`_SCALAR_FIELDS`, a Potential's ``initial`` multipliers)."""
    have = {f.name for f in dataclasses.fields(theorem)}
    changes: dict = {"certificate": certificate}
    for name in _FORM_FIELDS:
        if name in have:
            changes[name] = _wrap(getattr(theorem, name), solution)
    for name in _SCALAR_FIELDS:
        if name in have and getattr(theorem, name) is not None:
            changes[name] = _subs(getattr(theorem, name), solution)
    if "initial" in have and getattr(theorem, "initial", None) is not None:
        changes["initial"] = {fact: _subs(lam, solution) for fact, lam in theorem.initial.items()}
    return theorem.replace(**changes)


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
    from ..kernel.theorems import DescentLemma

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
    why = unsolvable(theorem)
    if why:
        raise MalformedError(why)
    s = numeric_search(theorem, timeout, samples, seed)
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
    tried: set[tuple] = set()  # candidates the exact check has already refused
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
                    f"refuted claim: no certificate from the {len(s.pool)} facts of the "
                    f"{_class_name(theorem)} class exists at {_describe(bad)} (numerical "
                    f"SDP{by}): the claim is likely false there"
                ),
            )
        zero = s.structure(support)
        candidates, why = _exact_candidates(s, support, zero, _ALTERNATIVES)
        if not candidates and counter_of(theorem) is not None:
            fewer = _consistent_parts(s, support, zero)
            if fewer != zero:
                candidates, why = _exact_candidates(s, support, fewer, _ALTERNATIVES)
        ref = out.reference = _interior(theorem.region, s.points)
        first = None  # the most plausible candidate refused this round
        fresh: list[dict] = []  # counterexample points met this round
        for values in candidates:
            cert = {f: _nice(values[f], ref) for f in s.pool if f in values and values[f] != 0}
            sol = {u: _nice(values[u], ref) for u in theorem.unknowns}
            if not cert:
                why = "the solve left no fact with a nonzero multiplier"
                continue
            key = _candidate_key(cert, sol)
            if key in tried:
                continue
            tried.add(key)
            filled = fill(theorem, cert, sol)
            left = s.left()
            verdict = filled.check(timeout=None if left is None else max(left, 1.0))
            if first is None or verdict.certified:
                out.certificate, out.solution, out.verdict = cert, sol, verdict
            if verdict.certified:
                return done(status=CERTIFIED, theorem=filled, reason="")
            first = filled if first is None else first
            pt = _counterexample(theorem, verdict)
            if pt is not None and point_key(_drop(pt, s.skip)) not in s.nums:
                fresh.append(pt)
        if first is None:
            if s.over():
                return done(reason=f"timeout after {s.timeout:g} s; {last or why}")
            return done(reason=why if not last else f"no new candidate; {last}")
        last = _last(out.verdict)
        partial = _subregion(first, s.left())
        if partial is not None:
            out.partial = partial[0]
            where = " and ".join(sp.sstr(c) for c in partial[1])
            last = f"certified only on the sub-region where {where}; on the rest: {last}"
        if not fresh:
            return done(reason=last)
        for pt in fresh:
            s.add_point(pt)
    return done(reason=f"no certificate after {rounds} rounds; {last}")


def _last(verdict: Verdict) -> str:
    """Why the last candidate failed, as the exact check says: "rejected certificate: ..."
    (where and by how much), "refuted claim: ..." (a condition of the claim itself, e.g. its
    rate rho > 0) or the condition it left undecided."""
    return f"last candidate: {verdict.reason}"


def _class_name(theorem) -> str:
    cls = theorem.function_class
    return type(cls).__name__ if cls is not None else "given"


def _describe(pt: dict) -> str:
    return ", ".join(
        f"{s.name}={sp.sstr(v)}" for s, v in sorted(pt.items(), key=lambda i: i[0].name)
    )


def _drop(pt: dict, skip: tuple) -> dict:
    return {k: v for k, v in pt.items() if k not in skip}


def _candidate_key(cert: dict, sol: dict) -> tuple:
    """A candidate, as text (the same multipliers and unknowns give the same key)."""
    return (
        tuple(sorted((f.name, sp.sstr(v)) for f, v in cert.items())),
        tuple(sorted((u.name, sp.sstr(v)) for u, v in sol.items())),
    )


def _counterexample(theorem, verdict: Verdict) -> dict | None:
    """The exact point of the region where the check refuted a candidate, if it gave one."""
    bad = verdict.failed
    if bad is None or bad.point is None or bad.status != "refuted":
        return None
    pt = {}
    for sym in theorem.region.symbols:
        q = bad.point.get(sym.name)
        if isinstance(q, Fraction):
            pt[sym] = sp.Rational(q.numerator, q.denominator)
    return pt if len(pt) == len(theorem.region.symbols) else None


def _subregion(filled, timeout: float | None):
    """The furthest a refuted candidate gets: the sub-region where its multipliers are >= 0
    and its rho > 0, if the exact check certifies it there (else None)."""
    from ..kernel.decide import decide

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
