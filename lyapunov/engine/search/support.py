"""The numerical half of certificate synthesis: samples, support, structure, free choices.

Floating point only *suggests* here; the exact check in :mod:`.synthesis` alone accepts. The
suggestions must not depend on the machine, so every judgement at a sample is one of three:

* ``PASS``: the solver (accurately or not) finds a certificate of the shape at the sample, up
  to a tolerance relative to the size of its multipliers;
* ``FAIL``: an accurate solve ("optimal", or "infeasible" for the equations alone) says no
  certificate of the shape exists there;
* ``UNSURE``: the solver had numerical trouble ("solver_error", an inaccurate solve that misses
  the tolerance). Badly scaled samples do this (at L = 1/1000 a multiplier is ~1e7 and the
  residual is singular at the optimum), and *which* of them does it depends on the BLAS kernels
  of the machine (OpenBLAS picks AVX2 or AVX-512 code at run time).

An ``UNSURE`` sample never vetoes a choice; a choice needs no ``FAIL`` and a majority of
``PASS``. A wrong choice let through costs an exact check that refutes it, never a wrong
certificate. Decisions also never hinge on float near-ties: facts are pruned in an order
bucketed by orders of magnitude (ties by pool order, not by hash order), and sample values
"agree" on a constant within a tolerance far above the solver's.
"""

from __future__ import annotations

import math
import time
from fractions import Fraction

import numpy as np
import sympy as sp

from ..kernel.facts import Fact
from ..kernel.linear import ONE, Affine, LinearResidual
from ..kernel.sampling import near_boundary, sample_region
from .sdp import SDPResult, solve_at

__all__ = [
    "PASS",
    "FAIL",
    "UNSURE",
    "judge",
    "fact_pool",
    "point_key",
    "restrict",
    "NumericSearch",
]

PASS, FAIL, UNSURE = "pass", "fail", "unsure"
_TOL = 1e-6  # relative violation below which a sample counts as feasible (search only)
_USED = 1e-6  # a multiplier below this fraction of the largest one is not "used"
_AGREE = 1e-5  # relative spread within which sample values agree on a constant
_CHOICES = 3  # admissible rational choices kept per free direction (best first)


def judge(res: SDPResult) -> str:
    """``PASS``, ``FAIL`` or ``UNSURE`` from a solve with ``slack=True`` (see the module)."""
    if res.status == "infeasible":  # the linear equations alone are inconsistent there
        return FAIL
    if not res.feasible or res.values is None:
        return UNSURE
    scale = float(np.max(np.abs(res.values), initial=0.0))
    if res.slack <= _TOL * (1 + scale):
        return PASS
    return FAIL if res.status == "optimal" else UNSURE


def fact_pool(theorem) -> list[Fact]:
    """Every fact of the theorem's function class between every ordered pair of the step's
    points (current and next; and x_* for a potential in a class with a minimiser), every
    one-point fact of the class at them, and the noise variance."""
    step, cls = theorem.step, theorem.function_class
    points = [*step.current, *step.next]
    pairwise = points + [step.star] if _uses_star(theorem) and cls.MINIMIZER else points
    pool = cls.facts(pairwise)
    pool += [getattr(cls, kind)(p) for kind in cls.UNARY for p in points]
    return [*pool, step.variance()]


def _uses_star(theorem) -> bool:
    return "*" in theorem.A_now.fvals or any("*" in v.name for v in theorem.A_now.basis())


def point_key(pt: dict) -> tuple:
    """A hashable key of a sample point, independent of the order of its items."""
    return tuple(sorted((s.name, v) for s, v in pt.items()))


def _magnitude(x: float) -> int:
    """Order of magnitude (floor log10) of x in (0, 1]; very small values share one bucket."""
    return max(-12, math.floor(math.log10(x))) if x > 0 else -13


class NumericSearch:
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
        key = point_key(pt)
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

    def solve(self, pt, active, zero=(), extra=(), **kw) -> SDPResult:
        """One SDP at a sample (with rho=AUTO: rho kept at its optimum there)."""
        key = point_key(pt)
        return solve_at(
            self.nums[key], pt, active, zero, extra, at_least=self.floors.get(key, ()), **kw
        )

    def judge_at(self, pt, active, zero=(), extra=()) -> str:
        return judge(self.solve(pt, active, zero, extra, slack=True))

    def optimise_rate(self, facts) -> dict | None:
        """rho=AUTO: the best rate at every sample, then (if nu is an unknown too) the least
        noise coefficient at that rate; later solves keep both. A sample where even that is
        infeasible is returned; one where the solver fails numerically gets no floor."""
        from ..kernel.auto import Unknown

        rate = Affine({self.th.rate_unknown: sp.Integer(1)})
        noise = None
        if isinstance(self.th.nu, Unknown):
            noise = Affine({self.th.nu: sp.Integer(-1)})  # maximise -nu
        for pt in self.points:
            key = point_key(pt)
            if key in self.floors:
                continue
            res = solve_at(self.nums[key], pt, set(facts), maximize=rate)
            if res.status == "infeasible" or (res.feasible and res.best is None):
                return pt
            if not res.feasible:
                continue  # numerical trouble: no evidence either way
            floors = [(rate, res.best - _TOL * (1 + abs(res.best)))]
            if noise is not None:
                low = solve_at(self.nums[key], pt, set(facts), maximize=noise, at_least=floors)
                if low.feasible and low.best is not None:
                    floors.append((noise, low.best - _TOL * (1 + abs(low.best))))
            self.floors[key] = floors
        return None

    def tally(self, active, zero=(), extra=()) -> tuple[int, int] | None:
        """(PASS count, UNSURE count) over the samples, or None if the choice is ruled out: a
        ``FAIL`` somewhere, or ``UNSURE`` at half the samples or more."""
        n, unsure = len(self.points), 0
        for pt in self.points:
            verdict = self.judge_at(pt, active, zero, extra)
            if verdict == FAIL:
                return None
            if verdict == UNSURE:
                unsure += 1
                if 2 * unsure >= n:
                    return None
        return n - unsure, unsure

    def feasible_all(self, active, zero=(), extra=()) -> bool:
        """No sample rules it out, and most samples confirm it (see the module)."""
        return self.tally(active, zero, extra) is not None

    # -- 1. support -------------------------------------------------------------------------
    def support(self) -> tuple[set, dict | None]:
        """Facts used by sparse solutions at the samples (None, point if one is infeasible)."""
        lin = self.lin
        facts = [v for v in lin.variables if isinstance(v, Fact)]
        fidx = [i for i, v in enumerate(lin.variables) if isinstance(v, Fact)]
        used: dict[Fact, float] = {}  # the largest multiplier relative to its sample's largest
        if self.th.rate_unknown is not None:
            bad = self.optimise_rate(facts)
            if bad is not None:
                return set(), bad
        for pt in self.points:
            res = self.solve(pt, set(facts))
            if not res.feasible:
                # badly scaled problems can fail numerically: measure the violation instead
                rel = self.solve(pt, set(facts), slack=True)
                verdict = judge(rel)
                if verdict == FAIL:
                    self.violation = rel.slack if rel.feasible else None
                    return set(), pt
                if verdict == UNSURE:
                    continue  # no evidence at this sample, for or against
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
                if res.values[i] > _USED * top:
                    v = lin.variables[i]
                    used[v] = max(used.get(v, 0.0), float(res.values[i]) / top)
        support = set(used)
        if not self.feasible_all(support):
            support = set(facts)  # the union is not enough at some sample: start from all
        # prune: drop the least used facts while every sample stays feasible; the order is by
        # orders of magnitude, then pool order (never float near-ties or hash order)
        order = {f: i for i, f in enumerate(facts)}
        for fact in sorted(support, key=lambda f: (_magnitude(used.get(f, 0.0)), order[f])):
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

    # -- 3. free directions of the exact solve ----------------------------------------------
    def free_choices(self, support, zero, extra, var) -> list[Affine]:
        """Equations fixing the free direction ``var``, best first: var = 0, var = a constant
        the samples agree on, or a part of the residual that vanishes; each admissible at the
        samples (no ``FAIL``, most ``PASS``), ranked by fewest ``UNSURE`` then in this order.
        Up to ``_CHOICES``; the exact check decides between them."""
        cands = [sp.Integer(0)]
        const = self._agreed_value(support, zero, extra, var)
        if const is not None and const != 0:
            cands.append(const)
        eqs = []
        for value in cands:
            eq = Affine({var: sp.Integer(1)})
            eq.add(ONE, -value)
            eqs.append(eq)
        keep = [v for v in self.lin.variables if v in support or not isinstance(v, Fact)]
        for e in self.lin.entries:
            if e.label not in zero and e.kind != "fval" and var in e.value.coeffs:
                eqs.append(restrict(e.value, keep))
        found: list[tuple[int, int, Affine]] = []
        for i, eq in enumerate(eqs):
            if self.over() or len(found) >= _CHOICES:
                break
            counts = self.tally(support, zero, [*extra, eq])
            if counts is not None:
                found.append((counts[1], i, eq))
        return [eq for _, _, eq in sorted(found, key=lambda t: (t[0], t[1]))]

    def _agreed_value(self, support, zero, extra, var) -> sp.Rational | None:
        """The simple rational (denominator <= 1000) that ``var`` takes at every accurately
        solved sample, within ``_AGREE`` relative; None if they disagree."""
        vals = []
        for pt in self.points:
            res = self.solve(pt, support, zero, extra)
            if res.status == "optimal":
                vals.append(float(res.values[self.lin.variables.index(var)]))
        if not vals:
            return None
        scale = max(1.0, max(abs(v) for v in vals))
        f = Fraction(float(np.median(vals))).limit_denominator(1000)
        q = sp.Rational(f.numerator, f.denominator)
        if all(abs(v - float(q)) <= _AGREE * scale for v in vals):
            return q
        return None


def restrict(aff: Affine, variables: list) -> Affine:
    """The part of ``aff`` in the given variables (and its constant)."""
    keep = set(variables) | {ONE}
    return Affine({k: v for k, v in aff.coeffs.items() if k in keep})
