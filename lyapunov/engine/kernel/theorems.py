"""Theorems and their exact checking.

Two kinds of theorem:

* :class:`DescentLemma` -- a Lyapunov descent inequality
  ``E[A_{k+1}] - A_k + rho |grad f(x_k)|^2 - nu sigma2 <= 0`` with a certificate (nonnegative
  multipliers of facts) and the rate it implies;
* :class:`Identities` -- exact identities between methods (e.g. SPA = heavy ball), checked as
  rational-function identities on the region.

``check()`` returns a :class:`~lyapunov.engine.verdict.Verdict`; nothing is "certified" unless
every condition was decided exactly over the whole region.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import sympy as sp

from .auto import AUTO, Unknown, unknowns_in
from .classes import FunctionClass
from .decide import Decision, decide, find_point
from .facts import Fact
from .forms import Form, VecSymbol, sqnorm, vector_coefficients
from .linear import split_affine
from .psd import decide_nsd, decide_psd
from .region import OP_OF, MalformedError, Region, check_rational
from .setting import OneStep
from .verdict import CERTIFICATE, CLAIM, Check, Verdict

__all__ = ["Theorem", "DescentLemma", "Identities", "Budget"]


class Budget:
    """Remaining time of a theorem's check (None = unlimited)."""

    def __init__(self, seconds: float | None):
        self.t0 = time.perf_counter()
        self.seconds = seconds

    def left(self) -> float | None:
        if self.seconds is None:
            return None
        return max(0.05, self.seconds - (time.perf_counter() - self.t0))

    def over(self) -> bool:
        return self.seconds is not None and time.perf_counter() - self.t0 > self.seconds

    def elapsed(self) -> float:
        return time.perf_counter() - self.t0


def _check(label: str, dec: Decision, detail: str = "") -> Check:
    extra = dec.reason if dec.status != "proved" else ""
    if dec.values.get("value") and dec.status == "refuted":
        extra = (extra + "; " if extra else "") + f"value there: {dec.values['value']}"
    if detail and dec.status != "proved":
        extra = (detail + "; " + extra) if extra else detail
    return Check(label, dec.status, dec.seconds, dec.point, extra)


class Theorem:
    """Base class: a named statement with a region and an exact ``check``."""

    name: str
    statement: str
    region: Region

    def replace(self, **changes) -> Theorem:
        """A copy with some fields changed (e.g. a stronger rate), re-validated."""
        return dataclasses.replace(self, **changes)

    def _has_sample_point(self) -> bool:
        """A random rational point that lies in the region (checked exactly): not empty."""
        from .sampling import sample_region

        return bool(sample_region(self.region, np.random.default_rng(0), 1, tries=3000))

    def check(self, timeout: float | None = 60.0) -> Verdict:
        budget = Budget(timeout)
        checks: list[Check] = []
        if not self._has_sample_point():
            empty = find_point(self.region, timeout=budget.left())
        else:
            empty = Decision("refuted")
        if empty.status == "proved":
            raise MalformedError(f"{self.name}: the region is empty ({self.region})")
        for chk in self._conditions(budget):
            checks.append(chk)
            if chk.status == "refuted":
                break
            if budget.over():
                checks.append(
                    Check(
                        "time budget",
                        "unknown",
                        budget.elapsed(),
                        detail=f"timeout after {timeout:g} s",
                    )
                )
                break
        for chk in checks:
            chk.of = self.condition_of(chk.label)
        return Verdict.aggregate(self.name, str(self.region), checks, budget.elapsed())

    def _conditions(self, budget: Budget):  # pragma: no cover - abstract
        raise NotImplementedError

    def condition_of(self, label: str) -> str:
        """What the condition ``label`` is a condition of: the claim itself here (a failure
        refutes the claim: the verdict's ``outcome`` is "refuted")."""
        return CLAIM


def _conditions_of(name: str, region) -> list:
    if isinstance(region, Region):
        return list(region.conditions)
    if isinstance(region, (list, tuple)):
        return list(region)
    raise MalformedError(f"{name}: region must be a list of inequalities such as [eta > 0]")


@dataclass
class DescentLemma(Theorem):
    """``E[A(next)] - A(current) + rho |grad f(x_k)|^2 - nu sigma2 <= 0`` on a region.

    Optional: ``lyapunov_next`` gives A_{k+1} when its coefficients differ from A_k's
    (time-varying parameters); ``gain`` adds a term G(current points) to the decrease,
    ``E[A_{k+1}] - A_k <= -rho|g|^2 - G + nu sigma2`` (e.g. a correlation term); an
    :func:`assumption` may enter the certificate like any fact.

    ``lyapunov`` maps the state's points to a :class:`Form` (e.g. ``lambda x, z: p*f(x) +
    (1-p)*f(z) + a*sqnorm(z - x)``). ``certificate`` maps facts (from the function class or
    ``step.variance()``) to multipliers. Besides the descent inequality, the check proves the
    side conditions of the rate (rho > 0, A >= inf f, A_0 = f(x_0)), so that

        (1/n) sum_{k<n} E|grad f(x_k)|^2 <= (f(x_0) - inf f) / (n rho) + nu sigma2 / rho.

    ``one_step=True`` states the one-step inequality alone (a step of a chain, e.g. one that does
    not descend): rho may have any sign and A_k need not be >= inf f, and none of the side
    conditions is claimed or checked.
    """

    #: the conditions on the claimed rate alone (a Potential's too), false where no certificate
    #: can prove the claim; every other condition is one of the certificate (multipliers,
    #: Lyapunov function)
    CLAIM_CONDITIONS = frozenset({"rho > 0", "rho >= 0", "q >= 0"})

    name: str
    step: OneStep
    region: Sequence
    lyapunov: Callable[..., Form]
    rho: sp.Expr
    nu: sp.Expr
    certificate: Mapping[Fact, sp.Expr]
    statement: str = ""
    params: Sequence[sp.Symbol] = field(default_factory=tuple)
    function_class: FunctionClass | None = None
    lyapunov_next: Callable[..., Form] | None = None
    gain: Callable[..., Form] | None = None
    one_step: bool = False

    def __post_init__(self):
        sigma2 = self.step.sigma2
        conds = _conditions_of(self.name, self.region)
        if not any(sigma2 in c.free_symbols for c in conds if isinstance(c, sp.Basic)):
            conds.append(sigma2 >= 0)
        self.region = Region.of(conds, self.params)
        if any(isinstance(s, Unknown) for s in self.region.symbols):
            bad = ", ".join(s.name for s in self.region.symbols if isinstance(s, Unknown))
            raise MalformedError(f"{self.name}: the region may not involve the unknown(s) {bad}")
        try:
            self._build_forms()
        except (TypeError, ValueError) as exc:
            raise MalformedError(f"{self.name}: lyapunov function: {exc}") from None
        if self.G.fvals:
            raise MalformedError(f"{self.name}: gain must not contain function values")
        self.rate_unknown = None
        if self.rho is AUTO:  # the largest rate the template admits, found by synthesis
            self.rate_unknown = self.rho = Unknown("rho")
        forms = (self.A_now, self.A_next, self.G)
        self.unknowns = unknowns_in(
            [self.rho, self.nu, *(s for form in forms for s in form.scalars())]
        )
        syms = (*self.region.symbols, *self.unknowns)
        self.rho = check_rational(self.rho, syms, f"{self.name}: rho")
        self.nu = check_rational(self.nu, syms, f"{self.name}: nu")
        for form in forms:
            for s in form.scalars():
                check_rational(s, syms, f"{self.name}: lyapunov coefficient")
        if self.unknowns:
            for what, s in [("rho", self.rho), ("nu", self.nu)] + [
                ("lyapunov coefficient", s) for form in forms for s in form.scalars()
            ]:
                try:
                    split_affine(s, self.unknowns)
                except ValueError as exc:
                    raise MalformedError(f"{self.name}: {what}: {exc}") from None
        if self.certificate is AUTO:
            if not isinstance(self.function_class, FunctionClass):
                raise MalformedError(
                    f"{self.name}: certificate=AUTO needs function_class= (the function class "
                    "whose facts the certificate may use, e.g. Smooth(L))"
                )
        else:
            self.certificate = self._validated_certificate(self.region.symbols)
        self.statement = self.statement or ""

    def _build_forms(self) -> None:
        """A_k, A_{k+1}, the gain and A_0 as forms of the step's points."""
        self.A_now = Form.lift(self.lyapunov(*self.step.current))
        self.A_next = Form.lift((self.lyapunov_next or self.lyapunov)(*self.step.next))
        self.G = Form.lift(self.gain(*self.step.current)) if self.gain else Form()
        self.A_init = Form.lift(self.lyapunov(*self.step.initial()))

    def _validated_certificate(self, syms) -> dict[Fact, sp.Expr]:
        if not isinstance(self.certificate, Mapping) or not self.certificate:
            raise MalformedError(
                f"{self.name}: certificate must be a non-empty dict {{fact: multiplier}} or AUTO"
            )
        cert = {}
        for fact, lam in self.certificate.items():
            if not isinstance(fact, Fact):
                raise MalformedError(f"{self.name}: certificate key {fact!r} is not a fact")
            if fact.zero_mean and not self._is_zero_mean(fact.form):
                raise MalformedError(
                    f"{self.name}: {fact.name} is not <xi, v> with v known before the noise "
                    "(only those have mean zero)"
                )
            cert[fact] = check_rational(lam, syms, f"{self.name}: multiplier of {fact.name}")
        return cert

    def _is_zero_mean(self, form: Form) -> bool:
        """form is a multiple of <xi, v> for vectors v known before this step's noise."""
        xi, known = self.step.xi, set(self.step.known)
        if form.const != 0 or any(v != 0 for v in form.fvals.values()):
            return False
        return all(
            coef == 0 or (xi in pair and (set(pair) - {xi}) <= known and pair != (xi, xi))
            for pair, coef in form.quad.items()
        )

    @property
    def pending(self) -> str:
        """What is left for the synthesizer ("" when the theorem is complete)."""
        parts = []
        if self.rate_unknown is not None:
            parts.append("rho=AUTO")
        if self.certificate is AUTO:
            parts.append("certificate=AUTO")
        others = [u.name for u in self.unknowns if u is not self.rate_unknown]
        if others:
            parts.append("unknowns " + ", ".join(others))
        return " and ".join(parts)

    def condition_of(self, label: str) -> str:
        """A failed condition rejects the certificate (``outcome`` "rejected": another
        certificate may prove the claim), but one of :attr:`CLAIM_CONDITIONS` refutes the
        claim."""
        return CLAIM if label in self.CLAIM_CONDITIONS else CERTIFICATE

    # -- the claim and its residual ---------------------------------------------------------
    def claim(self) -> Form:
        """S = A(next) - A(now) + rho |g(x)|^2 + gain - nu sigma2, to be shown E[S] <= 0."""
        g = self.step.rate_point.grad
        return (
            self.A_next
            - self._contraction() * self.A_now
            + self.rho * sqnorm(g)
            + self.G
            - Form(const=self.nu * self.step.sigma2)
        )

    def _contraction(self) -> sp.Expr:
        """The factor q of A_k in the claim (1 here: a descent lemma)."""
        return sp.Integer(1)

    def residual(self, simplify: bool = True) -> Form:
        """S - sum lambda_i F_i, in expectation (zero-mean cross terms dropped); with
        ``simplify=False`` its coefficients as written (sums of the claim's and the
        certificate's own expressions, not brought to a common denominator)."""
        r = self.claim()
        signed = []
        for fact, lam in self.certificate.items():
            if fact.zero_mean:
                signed.append((fact, lam))
            else:
                r = r - lam * fact.form
        r = r.drop_cross([self.step.xi], self.step.known)
        # E<xi, v> = 0 for known v: any multiple may be added after the expectation
        for fact, lam in signed:
            r = r - lam * fact.form
        return r.simplified() if simplify else r

    def rate(self, gap: sp.Expr, steps: sp.Expr) -> sp.Expr:
        """The certified bound on (1/n) sum_{k<n} E|grad f(x_k)|^2."""
        return gap / (steps * self.rho) + self.nu * self.step.sigma2 / self.rho

    # -- the conditions ---------------------------------------------------------------------
    def _conditions(self, budget: Budget):
        if self.pending:
            # never certified: the synthesizer must fill it in first
            yield Check(
                "complete certificate",
                "unknown",
                detail=f"{self.pending}: run lyapunov prove",
            )
            return
        R = self.region
        written = self.residual(simplify=False)
        res = written.simplified()
        names = sorted({p.name for p in (*self.step.current, *self.step.next)} | set(res.fvals))
        for pname in names:
            coef = res.fvals.get(pname, sp.Integer(0))
            yield _check(
                f"f({pname}) cancels",
                decide(coef, "==", R, budget.left()),
                f"residual coefficient {sp.sstr(coef)}" if coef != 0 else "",
            )
        for fact, lam in self.certificate.items():
            if fact.zero_mean:  # an equality E[...] = 0: either sign (validated at construction)
                continue
            yield _check(f"multiplier of {fact.name} >= 0", decide(lam, ">=", R, budget.left()))
        # decided as written: the sign structure of the claim's noise term (a sum of terms
        # that are >= 0 by the region's own conditions) survives, and is lost once expanded
        yield _check(
            "constant term <= 0",
            decide(written.const, "<=", R, budget.left()),
            f"constant term {sp.sstr(res.const)}",
        )
        basis = res.basis()
        Q = res.matrix(basis)
        psd = decide_nsd(Q, R, budget.left(), [b.name for b in basis], "residual")
        parts = []
        if psd.minor is not None:
            parts.append("principal minor on " + ",".join(basis[i].name for i in psd.minor))
        if psd.witness is not None:
            parts.append(
                "witness "
                + ", ".join(f"{b.name}={_frac(w)}" for b, w in zip(basis, psd.witness, strict=True))
            )
        yield _check("residual quadratic form <= 0 (NSD)", psd.decision, "; ".join(parts))
        yield from self._rate_checks(budget)

    def _rate_checks(self, budget: Budget):
        """The side conditions of the rate: rho > 0 and A_k >= inf f, A_0 = f(x_0) (none for a
        one-step inequality, ``one_step=True``)."""
        if self.one_step:
            return
        yield _check("rho > 0", decide(self.rho, ">", self.region, budget.left()))
        yield from self._lower_bound_checks(budget)

    def _lower_bound_checks(self, budget: Budget):
        R = self.region
        A = self.A_now.simplified()
        total = sp.cancel(sum(A.fvals.values(), sp.Integer(0)))
        yield _check(
            "A_k >= inf f: function-value weights sum to 1",
            decide(total - 1, "==", R, budget.left()),
        )
        for pname, w in A.fvals.items():
            yield _check(
                f"A_k >= inf f: weight of f({pname}) >= 0", decide(w, ">=", R, budget.left())
            )
        label = "A_k >= inf f: quadratic part PSD"
        if self.function_class is not None:
            # f(p) >= inf f + S(p) for the class's lower slack S (|grad f(p)|^2 / (2L) for
            # L-smooth f bounded below), hence A >= inf f + [quad(A) + sum_p w_p S(p)]: the
            # bracket must be PSD
            label += " (using f >= inf f + |grad f|^2/(2L))"
            for p in self.step.current:
                w = A.fvals.get(p.name, 0)
                if w != 0:
                    A = A + w * self.function_class.lower_slack(p)
            A = A.simplified()
        basis = A.basis()
        if basis:
            yield _check(label, decide_psd(A.matrix(basis), R, budget.left()).decision)
        if A.const != 0:
            yield _check(
                "A_k >= inf f: constant term >= 0", decide(A.const, ">=", R, budget.left())
            )
        init = self.A_init.simplified()
        ok = set(init.fvals) == {"x0"} and not init.quad and init.const == 0
        ok = ok and sp.cancel(init.fvals["x0"] - 1) == 0
        yield Check(
            "A_0 = f(x_0) when z_0 = x_0",
            "proved" if ok else "refuted",
            detail="" if ok else f"A_0 = {init}",
        )


def _frac(q) -> str:
    if isinstance(q, Fraction):
        return str(q.numerator) if q.denominator == 1 else f"{q.numerator}/{q.denominator}"
    return str(q)


@dataclass
class Identities(Theorem):
    """Exact identities ``lhs == rhs`` (scalars or vectors) for every point of the region.

    Vectors enter linearly with coefficients that are rational functions of the parameters,
    so an identity holds for vectors iff it holds coefficient by coefficient.
    """

    name: str
    region: Sequence
    equations: Sequence[tuple[str, sp.Expr, sp.Expr]]
    statement: str = ""
    params: Sequence[sp.Symbol] = field(default_factory=tuple)

    def __post_init__(self):
        self.region = Region.of(_conditions_of(self.name, self.region), self.params)
        if not self.equations:
            raise MalformedError(f"{self.name}: no equations to check")
        eqs = []
        for item in self.equations:
            if not (isinstance(item, tuple) and len(item) == 3):
                raise MalformedError(f"{self.name}: each equation is (label, lhs, rhs)")
            label, lhs, rhs = item
            dens = []
            for side in (lhs, rhs):
                side = sp.sympify(side)
                for pw in side.atoms(sp.Pow):
                    if (
                        pw.exp.is_negative
                        and pw.base.free_symbols
                        and pw.base not in dens
                        and not any(isinstance(s, VecSymbol) for s in pw.base.free_symbols)
                    ):
                        dens.append(pw.base)
            try:
                coeffs = vector_coefficients(sp.sympify(lhs) - sp.sympify(rhs))
            except ValueError:
                coeffs = {VecSymbol("1"): sp.sympify(lhs) - sp.sympify(rhs)}
            for c in coeffs.values():
                check_rational(c, self.region.symbols, f"{self.name}: {label}")
            eqs.append((label, coeffs, dens))
        self._eqs = eqs

    def _conditions(self, budget: Budget):
        R = self.region
        for label, coeffs, dens in self._eqs:
            for den in dens:
                yield _check(
                    f"{label}: defined ({sp.sstr(den)} != 0)", decide(den, "!=", R, budget.left())
                )
            if not coeffs:
                yield Check(label, "proved")
                continue
            for v, c in coeffs.items():
                c = sp.cancel(c)
                what = label if v.name == "1" else f"{label} [coefficient of {v.name}]"
                if c == 0:
                    yield Check(what, "proved")
                else:
                    yield _check(
                        what, decide(c, "==", R, budget.left()), f"difference {sp.sstr(c)}"
                    )


_REL = {k: v for k, v in OP_OF.items() if k is not sp.Ne}  # claims: no "!="


@dataclass
class Inequalities(Theorem):
    """Scalar claims ``lhs op rhs`` (op one of >, >=, <, <=, ==) for every point of the region.

    For statements derived from certified expressions, e.g. "the SPA bound is at most F times
    the SGD bound": each claim is decided exactly by the same procedure as every other
    condition. ``conditions`` holds the validated claims as (label, lhs - rhs, op).
    """

    name: str
    region: Sequence
    claims: Sequence[tuple[str, sp.Basic]]
    statement: str = ""
    params: Sequence[sp.Symbol] = field(default_factory=tuple)

    def __post_init__(self):
        self.region = Region.of(_conditions_of(self.name, self.region), self.params)
        if not self.claims:
            raise MalformedError(f"{self.name}: no claims to check")
        out = []
        for item in self.claims:
            if not (isinstance(item, tuple) and len(item) == 2 and type(item[1]) in _REL):
                raise MalformedError(
                    f"{self.name}: each claim is (label, relation) such as ('rho > 0', rho > 0)"
                )
            label, rel = item
            expr = check_rational(rel.lhs - rel.rhs, self.region.symbols, f"{self.name}: {label}")
            out.append((label, expr, _REL[type(rel)]))
        self.conditions = tuple(out)

    def _conditions(self, budget: Budget):
        for label, expr, op in self.conditions:
            yield _check(label, decide(expr, op, self.region, budget.left()))
