"""A descent lemma's residual as an affine map of its decision variables.

For a :class:`~lyapunov.engine.theorems.DescentLemma` whose Lyapunov function (and rho, nu)
may contain :class:`~lyapunov.engine.auto.Unknown` coefficients, and a pool of facts with
multipliers lambda_i >= 0, the residual

    E[ claim(u) - sum_i lambda_i F_i ]

is affine in the decision variables y = (u, lambda) with coefficients that are rational
functions of the parameters. Its parts -- function-value coefficients (must vanish), constant
term (split by powers of sigma2, each must be <= 0) and the symmetric matrix of its quadratic
form (must be NSD) -- are :class:`Affine` objects: ``{variable: coefficient}`` plus a constant.
The same object serves the numerical search (evaluated at a point) and the exact solve (over
the field of rational functions).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from .facts import Fact
from .forms import Form, VecSymbol, sqnorm

__all__ = ["Affine", "Entry", "LinearResidual", "split_affine"]

ONE = "1"  # the key of the constant part of an Affine


def split_affine(expr, unknowns) -> dict:
    """``expr`` (affine in the unknowns) -> {unknown: coefficient, ONE: rest}, zeros dropped."""
    expr = sp.sympify(expr)
    out = {}
    rest = expr
    for u in unknowns:
        if u not in expr.free_symbols:
            continue
        cu = sp.cancel(sp.diff(expr, u))
        if any(v in cu.free_symbols for v in unknowns):
            raise ValueError(f"{sp.sstr(expr)} is not linear in the unknown {u}")
        if cu != 0:
            out[u] = cu
        rest = rest.subs(u, 0)
    rest = sp.cancel(rest)
    if rest != 0:
        out[ONE] = rest
    return out


@dataclass
class Affine:
    """sum_v coeffs[v] * v + coeffs[ONE], v a decision variable (an Unknown or a Fact)."""

    coeffs: dict = field(default_factory=dict)

    def add(self, var, coef) -> None:
        coef = sp.sympify(coef)
        if coef != 0:
            self.coeffs[var] = self.coeffs.get(var, sp.Integer(0)) + coef

    def simplified(self) -> Affine:
        out = {k: sp.cancel(v) for k, v in self.coeffs.items()}
        return Affine({k: v for k, v in out.items() if v != 0})

    def at(self, values: dict) -> sp.Expr:
        """The expression with each variable replaced by its value (ONE by 1)."""
        total = sp.Integer(0)
        for k, v in self.coeffs.items():
            total += v * (1 if k == ONE else values.get(k, 0))
        return sp.cancel(total)

    def variables(self) -> set:
        return {k for k in self.coeffs if k != ONE}


@dataclass
class Entry:
    """One scalar part of the residual: a function-value coefficient, a constant or a matrix
    entry (``M[i, j]``, with M the symmetric matrix of the quadratic form)."""

    kind: str  # "fval" | "const" | "quad"
    label: str
    value: Affine
    index: tuple[int, int] | None = None


#: no side conditions (a bare search at a point)
_NO_SIDE = {"weights": [], "weights_sum": Affine(), "lower": ([], {}), "rho": Affine()}


class LinearResidual:
    """The residual of ``theorem`` with the multipliers of ``facts`` as variables."""

    def __init__(self, theorem, facts: list[Fact], side: bool = True):
        self.theorem = theorem
        self.facts = list(facts)
        self.unknowns = list(theorem.unknowns)
        self.variables: list = [*self.unknowns, *self.facts]
        step = theorem.step
        self.sigma2 = step.sigma2
        sources: list[tuple[object, Form]] = [(None, theorem.claim())]
        sources += [(fact, -1 * fact.form) for fact in self.facts]
        sources = [(src, form.drop_cross([step.xi], step.known)) for src, form in sources]
        basis: set[VecSymbol] = set()
        for _, form in sources:
            for a, b in form.quad:
                basis.update((a, b))
        self.basis = sorted(basis, key=lambda s: s.name)
        idx = {b: i for i, b in enumerate(self.basis)}
        fvals: dict[str, Affine] = {}
        const = {0: Affine(), 1: Affine()}
        quad: dict[tuple[int, int], Affine] = {}
        for src, form in sources:
            for name, coef in form.fvals.items():
                self._add(fvals.setdefault(name, Affine()), src, coef)
            c = sp.cancel(sp.sympify(form.const))
            c1 = sp.cancel(sp.diff(c, self.sigma2))
            if sp.diff(c1, self.sigma2) != 0:
                raise ValueError("the constant term must be affine in sigma2")
            self._add(const[0], src, c.subs(self.sigma2, 0))
            self._add(const[1], src, c1)
            for (a, b), coef in form.quad.items():
                i, j = sorted((idx[a], idx[b]))
                self._add(quad.setdefault((i, j), Affine()), src, coef if i == j else coef / 2)
        self.entries: list[Entry] = []
        for name in sorted(fvals):
            self.entries.append(Entry("fval", f"f({name})", fvals[name].simplified()))
        fixed = _pinned(theorem.region, self.sigma2)
        if fixed is not None:  # the region fixes sigma2 (e.g. sigma2 == 0): one constant
            for k, v in const[1].coeffs.items():
                const[0].add(k, fixed * v)
            del const[1]
        for power, aff in const.items():
            label = "constant" if power == 0 else "constant [sigma2]"
            self.entries.append(Entry("const", label, aff.simplified()))
        for (i, j), aff in sorted(quad.items()):
            a, b = self.basis[i].name, self.basis[j].name
            label = f"|{a}|^2" if i == j else f"<{a},{b}>"
            self.entries.append(Entry("quad", label, aff.simplified(), (i, j)))
        self.entries = [e for e in self.entries if e.value.coeffs or e.kind == "quad"]
        # a potential's side conditions are not those of a descent lemma: the exact check
        # alone decides them (the search then only fits the claim)
        side = side and getattr(theorem, "SIDE_IN_SEARCH", True)
        self.side = self._side_conditions() if side else _NO_SIDE
        self._evaluator: _Evaluator | None = None

    def _add(self, target: Affine, src, coef) -> None:
        if src is None:  # the claim: affine in the unknowns
            for k, v in split_affine(coef, self.unknowns).items():
                target.add(k, v)
        else:  # a fact: coefficient times its multiplier
            target.add(src, coef)

    def _side_conditions(self) -> dict:
        """Conditions of the rate that involve the unknowns: A_k >= inf f and rho > 0.

        Returns {"weights": [Affine >= 0], "weights_sum": Affine == 1,
        "lower": (basis, {var: sp.Matrix}) PSD, "rho": Affine > 0}.
        """
        th = self.theorem
        A = th.A_now
        weights = {n: Affine(split_affine(w, self.unknowns)) for n, w in A.fvals.items()}
        total = Affine()
        for w in weights.values():
            for k, v in w.coeffs.items():
                total.add(k, v)
        if th.function_class is not None:
            for p in th.step.current:
                w = A.fvals.get(p.name, 0)
                if w != 0:
                    A = A + w / (2 * th.function_class.L) * sqnorm(p.grad)
        basis = A.basis()
        mats: dict = {}
        for key, coef in A.quad.items():
            a, b = key
            i, j = basis.index(a), basis.index(b)
            for var, v in split_affine(coef, self.unknowns).items():
                M = mats.setdefault(var, sp.zeros(len(basis), len(basis)))
                if i == j:
                    M[i, i] += v
                else:
                    M[i, j] += v / 2
                    M[j, i] += v / 2
        return {
            "weights": list(weights.values()),
            "weights_sum": total,
            "lower": (basis, mats),
            "rho": Affine(split_affine(th.rho, self.unknowns)),
        }

    # -- evaluation -------------------------------------------------------------------------
    def numeric(self, point: dict) -> NumericResidual:
        """All coefficients as floats at a parameter point (sigma2 excluded)."""
        return NumericResidual(self, point)

    def matrix(self, values: dict) -> sp.Matrix:
        """The residual's symmetric matrix with the variables replaced by ``values``."""
        n = len(self.basis)
        M = sp.zeros(n, n)
        for e in self.entries:
            if e.kind == "quad":
                i, j = e.index
                M[i, j] = M[j, i] = e.value.at(values)
        return M


def _pinned(region, sym):
    """The number the region's conditions fix ``sym`` to (``Eq(sym, v)``), or None."""
    for cond in region.conditions:
        if isinstance(cond, sp.Eq) and cond.lhs == sym and cond.rhs.is_Rational:
            return cond.rhs
        if isinstance(cond, sp.Eq) and cond.rhs == sym and cond.lhs.is_Rational:
            return cond.lhs
    return None


def num(expr, point) -> float:
    return float(sp.sympify(expr).subs(point))


class _Evaluator:
    """Every coefficient of a LinearResidual, compiled once into one numeric function."""

    def __init__(self, lin: LinearResidual):
        exprs: list = []
        self.slot: dict[int, int] = {}

        def visit(e):
            k = id(e)
            if k not in self.slot:
                self.slot[k] = len(exprs)
                exprs.append(e)

        for e in lin.entries:
            for v in e.value.coeffs.values():
                visit(v)
        side = lin.side
        for aff in (*side["weights"], side["weights_sum"], side["rho"]):
            for v in aff.coeffs.values():
                visit(v)
        for M in side["lower"][1].values():
            for v in M:
                visit(v)
        self.exprs = exprs
        syms = sorted(set().union(*(sp.sympify(e).free_symbols for e in exprs)), key=str)
        self.syms = syms
        self.fn = sp.lambdify(syms, exprs, "math") if exprs else None

    def __call__(self, point: dict) -> dict[int, float]:
        if self.fn is None:
            return {}
        try:
            vals = self.fn(*(float(point[s]) for s in self.syms))
        except ZeroDivisionError:  # a removable singularity: exact substitution instead
            vals = [num(e, point) for e in self.exprs]
        return {k: float(vals[i]) for k, i in self.slot.items()}


class NumericResidual:
    """The affine residual at a parameter point: arrays over the decision variables."""

    def __init__(self, lin: LinearResidual, point: dict):
        self.lin = lin
        nv = len(lin.variables)
        pos = {v: i for i, v in enumerate(lin.variables)}
        if lin._evaluator is None:
            lin._evaluator = _Evaluator(lin)
        values = lin._evaluator(point)

        def row(aff: Affine) -> tuple[np.ndarray, float]:
            r = np.zeros(nv)
            c = 0.0
            for k, v in aff.coeffs.items():
                if k == ONE:
                    c = values[id(v)]
                else:
                    r[pos[k]] = values[id(v)]
            return r, c

        self.rows = {id(e): row(e.value) for e in lin.entries}
        n = len(lin.basis)
        self.Q = np.zeros((nv + 1, n, n))  # Q[0] constant, Q[1 + k] coefficient of variable k
        for e in lin.entries:
            if e.kind == "quad":
                i, j = e.index
                r, c = self.rows[id(e)]
                for k in range(nv):
                    self.Q[1 + k, i, j] = self.Q[1 + k, j, i] = r[k]
                self.Q[0, i, j] = self.Q[0, j, i] = c
        side = lin.side
        self.weights = [row(w) for w in side["weights"]]
        self.weights_sum = row(side["weights_sum"])
        self.rho = row(side["rho"])
        basis, mats = side["lower"]
        m = len(basis)
        self.lower = np.zeros((nv + 1, m, m))
        for var, M in mats.items():
            k = 0 if var == ONE else 1 + pos[var]
            self.lower[k] = np.array([[values[id(M[i, j])] for j in range(m)] for i in range(m)])
