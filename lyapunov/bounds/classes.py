"""Certified last-iterate bounds in the convex, strongly convex and PL classes.

Each bound is a certified :class:`~lyapunov.engine.Potential`'s own formula (lambdified once,
never retyped): after n = ``steps`` steps,

    E[M_n] <= (q^n (c_gap gap + c_dist distance^2) + sigma2 sum_{j<n} nu_j q^(n-1-j)) / a_n,

``inf`` outside the theorem's region (tested exactly, :class:`~.compile.SafeRegion`).

========================  ===========  ============  =========================================
function_class            measure      theorem       needs
========================  ===========  ============  =========================================
``smooth_convex``         last_gap     P13 (sgd)     distance = |x_0 - x_*|
``smooth_convex``         avg_gap      P17 (sgdm, spa) distance (gap: L distance^2 / 2 if not given)
``smooth_convex``         last_gap     P21 (sgdm, spa) distance (gap: L distance^2 / 2 if not given)
``smooth_strongly_convex`` last_dist2  P14 (sgd)     mu, distance
``smooth_strongly_convex`` last_gap    P19, P23 (sgdm, spa) mu, distance (gap: L distance^2 / 2)
``pl``                    last_gap     P15 (sgd)     mu, gap = f(x_0) - inf f
``pl``                    last_gap     P20 (sgdm, spa) mu, gap
``smooth_convex``         last_gap     P18 (schedule_free)  distance
``convex_lipschitz``      last_gap     P16 (schedule_free)  G, distance
========================  ===========  ============  =========================================

``last_gap`` is E f(x_n) - f_*, ``last_dist2`` is E|x_n - x_*|^2, ``avg_gap`` is
(1/n) sum_{k<n} E f(x_k) - f_* (a bound on E f of the average iterate too, by Jensen). The
non-convex class ``smooth`` (the average of E|grad f|^2) is the rest of :mod:`lyapunov.bounds`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import sympy as sp

from ..methods.registry import METHODS
from ..validate import Range, check_range, check_steps
from .compile import GAP, STEPS, SafeRegion
from .why import OVERFLOW, coordinates, failing_in

__all__ = [
    "CLASSES",
    "MEASURES",
    "class_bound",
    "ClassTheorem",
    "class_theorems",
    "no_theorem",
    "class_measure",
]

DIST2 = sp.Symbol("dist2", real=True)

#: every function class the calculators know, with the measures they bound there
MEASURES: dict[str, tuple[str, ...]] = {
    "smooth": ("avg_grad2",),
    "smooth_convex": ("last_gap", "avg_gap"),
    "smooth_strongly_convex": ("last_dist2", "last_gap"),
    "pl": ("last_gap",),
    "convex_lipschitz": ("last_gap",),
}
CLASSES = tuple(MEASURES)


@dataclass(frozen=True)
class ClassTheorem:
    """A certified potential as a calculator: its label, theorem and argument symbols."""

    label: str
    theorem: object
    args: dict  # calculator argument name -> the theorem's symbol
    fixed: tuple = ()  # (argument, value) pairs the theorem is stated at (e.g. momentum 1)
    coords: str = ""  # a registry method whose (lr, momentum) map to the theorem's (eta, c)
    #: the theorem's parameters as expressions in the calculator's (e.g. t = L eta, m = mu/L)
    subs: tuple = ()

    @property
    def needs_gap(self) -> bool:
        return self.theorem.initial_coefficients()[0] != 0

    @property
    def needs_distance(self) -> bool:
        return self.theorem.initial_coefficients()[1] != 0

    @property
    def expression(self) -> sp.Expr:
        """The certified bound on E[M_n], as the theorem states it (in the calculator's
        parameters)."""
        return self.theorem.bound(GAP, DIST2, STEPS).subs(dict(self.subs))

    @property
    def conditions(self) -> list:
        """The theorem's region in the calculator's parameters: each condition with its
        parameters substituted and a positive denominator (a power of L > 0) cleared, so that
        the float compiler of regions sees polynomials."""
        if not self.subs:
            return list(self.theorem.region.conditions)
        L = self.args.get("L")
        out = []
        for cond in self.theorem.region.conditions:
            cond = cond.subs(dict(self.subs))
            num, den = sp.fraction(sp.together(cond.lhs - cond.rhs))
            coeff, rest = sp.Poly(den, L).LC(), den / sp.Poly(den, L).LC()
            if not (rest == L ** sp.degree(den, L) and coeff.is_positive):
                raise ValueError(f"{self.label}: cannot clear the denominator {den}")
            out.append(cond.func(sp.expand(num), 0))
        return out

    @property
    def _order(self) -> list[str]:
        return [a for a in self.args if a != "k"]

    def _compiled(self):
        return _compile(self.label, tuple(self.args.items()))

    def __call__(self, **values: np.ndarray) -> np.ndarray:
        fn, region = self._compiled()
        if self.coords:
            eta, c, _ = coordinates(self.coords, lr=values["lr"], momentum=values["momentum"])
            values = {**values, "eta": eta, "c": c}
        xs = [values[a] for a in self._order]
        counter = [np.zeros(())] if "k" in self.args else []
        mask = region(*xs, *counter)
        for name, v in self.fixed:
            mask = mask & (values[name] == v)
        with np.errstate(all="ignore"):
            val = np.asarray(fn(*xs, values["steps"], values["gap"], values["dist2"]), float)
        val, mask = np.broadcast_arrays(val, mask)
        return np.where(mask & np.isfinite(val) & (val >= 0), val, np.inf)


@cache
def class_theorems() -> dict[tuple[str, str, str], tuple[ClassTheorem, ...]]:
    """(method, function class, measure) -> its certified theorems (the least bound of those
    whose region holds is used), loaded on first use."""
    from ..proofs import p13_sgd_smooth_convex as p13
    from ..proofs import p14_sgd_strongly_convex as p14
    from ..proofs import p15_sgd_pl as p15
    from ..proofs import p16_schedule_free_convex_lipschitz as p16
    from ..proofs import p17_sgdm_smooth_convex as p17
    from ..proofs import p18_schedule_free_smooth_convex as p18
    from ..proofs import p19_sgdm_strongly_convex as p19
    from ..proofs import p20_sgdm_pl as p20
    from ..proofs import p21_sgdm_smooth_convex_last as p21
    from ..proofs import p23_sgdm_strongly_convex_fast as p23

    free = {"lr": p16.lr, "G": p16.G, "sigma2": p16.sigma2, "k": p16.k}
    spa17 = {"eta": p17.eta, "c": p17.c, "L": p17.L, "sigma2": p17.sigma2}
    free18 = {"lr": p18.lr, "L": p18.L, "sigma2": p18.sigma2, "k": p18.k}
    # P19, P20, P21 and P23 are stated in t = L eta (and m = mu / L)
    eta, mu = sp.Symbol("eta", real=True), sp.Symbol("mu", real=True)
    tm = {p: ((p.t, p.L * eta), (p.m, mu / p.L)) for p in (p19, p20, p23)}
    spa19, spa20, spa23 = (
        {"eta": eta, "c": p.c, "L": p.L, "mu": mu, "sigma2": p.sigma2} for p in (p19, p20, p23)
    )
    # P19 (q = 1 - mu eta / 2) on its wide region, P23 (q = 1 - 3 mu eta / 2) on a smaller one
    strong = [("P19", p19, spa19), ("P23", p23, spa23)]
    spa21 = {"eta": eta, "c": p21.c, "L": p21.L, "sigma2": p21.sigma2, "k": p21.k}
    t21 = ((p21.t, p21.L * eta),)
    # P21a first: it needs the gap (P21b, w = 0, does not)
    last21 = [("P21a", p21.p21a), ("P21b", p21.p21b)]
    sgd13 = {"lr": p13.eta, "L": p13.L, "sigma2": p13.sigma2, "k": p13.k}
    spa13 = {"eta": p13.eta, "L": p13.L, "sigma2": p13.sigma2, "k": p13.k}
    return {
        ("schedule_free", "smooth_convex", "last_gap"): (
            ClassTheorem("P18a", p18.p18a, {**free18, "momentum": p18.b}),
            ClassTheorem("P18b", p18.p18b, free18, fixed=(("momentum", 1.0),)),
        ),
        ("sgdm", "smooth_convex", "avg_gap"): (
            ClassTheorem("P17", p17.theorem, spa17, coords="sgdm"),
        ),
        ("spa", "smooth_convex", "avg_gap"): (ClassTheorem("P17", p17.theorem, spa17),),
        # momentum 0 is SGD (c = 1, outside P21's region): P13 there, as for bounds.sgd
        ("sgdm", "smooth_convex", "last_gap"): (
            *(ClassTheorem(label, th, spa21, coords="sgdm", subs=t21) for label, th in last21),
            ClassTheorem("P13", p13.theorem, sgd13, fixed=(("momentum", 0.0),)),
        ),
        # c = 1 is SGD with step eta (x_k = z_k): P13 there, as for bounds.sgd
        ("spa", "smooth_convex", "last_gap"): (
            *(ClassTheorem(label, th, spa21, subs=t21) for label, th in last21),
            ClassTheorem("P13", p13.theorem, spa13, fixed=(("c", 1.0),)),
        ),
        ("sgdm", "smooth_strongly_convex", "last_gap"): tuple(
            ClassTheorem(label, p.theorem, args, coords="sgdm", subs=tm[p])
            for label, p, args in strong
        ),
        ("spa", "smooth_strongly_convex", "last_gap"): tuple(
            ClassTheorem(label, p.theorem, args, subs=tm[p]) for label, p, args in strong
        ),
        ("sgdm", "pl", "last_gap"): (
            ClassTheorem("P20", p20.theorem, spa20, coords="sgdm", subs=tm[p20]),
        ),
        ("spa", "pl", "last_gap"): (ClassTheorem("P20", p20.theorem, spa20, subs=tm[p20]),),
        ("sgd", "smooth_convex", "last_gap"): (ClassTheorem("P13", p13.theorem, sgd13),),
        ("sgd", "smooth_strongly_convex", "last_dist2"): (
            ClassTheorem(
                "P14", p14.theorem, {"lr": p14.eta, "L": p14.L, "mu": p14.mu, "sigma2": p14.sigma2}
            ),
        ),
        ("sgd", "pl", "last_gap"): (
            ClassTheorem(
                "P15", p15.theorem, {"lr": p15.eta, "L": p15.L, "mu": p15.mu, "sigma2": p15.sigma2}
            ),
        ),
        ("schedule_free", "convex_lipschitz", "last_gap"): (
            ClassTheorem("P16a", p16.p16a, {**free, "momentum": p16.b}),
            ClassTheorem("P16b", p16.p16b, free, fixed=(("momentum", 1.0),)),
        ),
    }


@cache
def _compile(label: str, args: tuple):
    """The bound and the region of the theorem ``label`` as the calculator taking ``args``
    (argument name -> the theorem's symbol, in order) calls it: one theorem may serve several
    calculators (P13: sgd, and sgdm or spa where they are SGD)."""
    ct = next(
        t
        for ts in class_theorems().values()
        for t in ts
        if t.label == label and tuple(t.args.items()) == args
    )
    syms = [ct.args[a] for a in ct._order]
    fn = sp.lambdify([*syms, STEPS, GAP, DIST2], ct.expression, modules="numpy", cse=True)
    counter = [ct.args["k"]] if "k" in ct.args else []
    return fn, SafeRegion(ct.conditions, [*syms, *counter])


def _positive(name: str, value, function_class: str) -> np.ndarray:
    if value is None:
        raise ValueError(f"{name}: required for function_class={function_class!r}")
    return check_range(name, value, "L")


def class_measure(method: str, function_class: str, measure: str | None) -> str:
    """``measure`` checked against the class (ValueError naming the class's measures); if
    ``None``, the first measure a theorem of ``method`` bounds in the class."""
    if function_class not in CLASSES or function_class == "smooth":
        allowed = ", ".join(c for c in CLASSES if c != "smooth")
        raise ValueError(f"function_class: must be one of {allowed}, got {function_class!r}")
    allowed_m = MEASURES[function_class]
    if measure is None:
        have = [m for m in allowed_m if (method, function_class, m) in class_theorems()]
        return (have or allowed_m)[0]
    if measure not in allowed_m:
        raise ValueError(
            f"measure: must be {' or '.join(allowed_m)} for function_class="
            f"{function_class!r}, got {measure!r}"
        )
    return measure


def no_theorem(method: str, function_class: str, measure: str) -> str:
    """Why no certified theorem bounds ``measure`` of ``method`` in ``function_class``: one
    line naming what is certified (``measure:`` or ``function_class:`` first, the keyword to
    change); ``""`` where one does."""
    table = class_theorems()
    if (method, function_class, measure) in table:
        return ""
    here = [m for (me, c, m) in table if me == method and c == function_class]
    if here:
        return (
            f"measure: no certified theorem bounds {measure} of {method} in function_class="
            f"{function_class!r} (there it bounds: {', '.join(here)})"
        )
    methods = sorted({me for (me, c, _) in table if c == function_class})
    classes = ["smooth", *sorted({c for (me, c, _) in table if me == method})]
    mine = f"; classes with a theorem for {method}: {', '.join(classes)}"
    mine = mine if method in METHODS else ""
    return (
        f"function_class: no certified theorem for {method} in class {function_class!r} "
        f"(certified there: {', '.join(methods) or 'none yet'}{mine})"
    )


def _foreign(ct: ClassTheorem, function_class: str, **given) -> None:
    """ValueError for a class constant (mu, G) given that the theorem's class does not have.
    ``distance`` and ``gap`` describe the start, not the class: where the bound does not use
    them it holds whatever they are, so they may be given (e.g. both, for every class)."""
    for name, value in given.items():
        if value is not None and name not in ct.args:
            takes = [n for n in ("L", "mu", "G") if n in ct.args]
            takes += ["distance"] * ct.needs_distance + ["gap"] * ct.needs_gap
            raise ValueError(
                f"{name}: not a constant of function_class={function_class!r} (theorem "
                f"{ct.label} takes {', '.join(takes)})"
            )


def class_bound(
    method: str,
    *,
    function_class: str,
    lr=None,
    momentum=None,
    eta=None,
    c=None,
    L=None,
    sigma2,
    steps,
    measure: str | None = None,
    mu=None,
    G=None,
    distance=None,
    gap=None,
    detail: bool = False,
):
    """The certified bound on ``measure`` after ``steps`` steps of ``method`` for every member
    of ``function_class`` (module docstring); a float for scalar inputs, else an array
    (arguments broadcast). ``measure=None``: the first one certified for the method in the
    class. With ``detail=True`` a :class:`~.constant.BoundResult` naming the theorem (and the
    measure) of each point and the reason where the value is inf. ValueError naming the bad
    value and what is allowed: a class or measure without a certified theorem for ``method``,
    a constant missing, out of range (mu in (0, L), G > 0, distance >= 0) or not of the class.
    """
    measure = class_measure(method, function_class, measure)
    missing = no_theorem(method, function_class, measure)
    if missing:
        raise ValueError(missing)
    cts = class_theorems()[method, function_class, measure]
    ct = cts[0]
    _foreign(ct, function_class, mu=mu, G=G)
    values = {"sigma2": check_range("sigma2", sigma2), "steps": check_steps(steps)}
    if "eta" in ct.args and not ct.coords:  # SPA's own coordinates
        values["eta"] = check_range("eta", eta)
        values["c"] = check_range("c", c)
    else:
        values["lr"] = check_range("lr", lr)
    if "momentum" in ct.args or ct.coords:
        rule = Range.parse("in [0, 1]") if method == "schedule_free" else None
        values["momentum"] = check_range("momentum", momentum, rule)
    if "L" in ct.args:
        values["L"] = _positive("L", L, function_class)
    elif L is not None:
        raise ValueError(f"L: not a constant of function_class={function_class!r} (give G)")
    if "mu" in ct.args:
        values["mu"] = _positive("mu", mu, function_class)
        _check_mu(values["mu"], values["L"], function_class)
    if "G" in ct.args:
        values["G"] = _positive("G", G, function_class)
    if distance is not None and not ct.needs_distance:
        check_range("distance", distance, "gap")  # checked, not used
    if gap is not None and not ct.needs_gap:
        check_range("gap", gap)
    values["dist2"] = np.zeros(())
    if ct.needs_distance:
        if distance is None:
            raise ValueError(
                f"distance: required for function_class={function_class!r} (|x_0 - x_*|)"
            )
        with np.errstate(over="ignore"):  # inf beyond the floats: the bound is inf, said why
            values["dist2"] = check_range("distance", distance, "gap") ** 2
    values["gap"] = np.zeros(())
    if ct.needs_gap:
        if gap is not None:
            values["gap"] = check_range("gap", gap)
        elif "L" in ct.args and ct.theorem.function_class.MINIMIZER and distance is not None:
            with np.errstate(over="ignore"):  # f(x_0) - f_* <= L |x_0 - x_*|^2/2
                values["gap"] = values["L"] * values["dist2"] / 2
        else:
            raise ValueError(f"gap: required for function_class={function_class!r}")
    outs = np.broadcast_arrays(*[t(**values) for t in cts])
    stack = np.stack(outs)
    out = np.min(stack, axis=0)
    value = float(out) if out.ndim == 0 else out
    if not detail:
        return value
    from .display import BoundResult

    finite = np.isfinite(out)
    labels = np.asarray([t.label for t in cts], dtype=object)
    which = np.where(finite, labels[np.argmin(stack, axis=0)], "")
    reason = _reasons(cts, values, finite)
    if out.ndim == 0:
        return BoundResult(value, str(which), str(reason), measure=measure)
    return BoundResult(value, which, reason, measure=measure)


def _check_mu(mu: np.ndarray, L: np.ndarray, function_class: str) -> None:
    strict = function_class == "smooth_strongly_convex"
    bad = (mu >= L) if strict else (mu > L)
    if np.any(bad):
        op = "<" if strict else "<="
        first = np.broadcast_arrays(mu, L)
        i = np.argmax(np.broadcast_to(bad, first[0].shape))
        m, ell = first[0].flat[i], first[1].flat[i]
        raise ValueError(
            f"mu: must be {op} L for function_class={function_class!r}, got mu = {m:g}, L = {ell:g}"
        )


def _reasons(cts: tuple[ClassTheorem, ...], values: dict, finite: np.ndarray) -> np.ndarray:
    """Per point, "" where the bound is finite, else why each theorem gives none: the first
    condition of its region that fails (the step counter k at 0, as the calculator checks
    it), the momentum it is stated at, or an overflow of the floats."""
    if cts[0].coords:  # the theorem's (eta, c) from the optimizer's (lr, momentum)
        eta, c, _ = coordinates(cts[0].coords, lr=values["lr"], momentum=values["momentum"])
        values = {**values, "eta": eta, "c": c}
    points = dict(zip(values, np.broadcast_arrays(*values.values(), finite), strict=False))
    out = np.full(finite.shape, "", dtype=object)
    for idx in np.ndindex(finite.shape):
        if finite[idx]:
            continue
        at = {name: float(v[idx]) for name, v in points.items()} | {"k": 0.0}
        why = "; ".join(_why(t, at) for t in cts)
        if cts[0].coords:
            why += f" (eta = lr/(1 - momentum) = {at['eta']:.6g}, c = 1 - momentum = {at['c']:.6g})"
        out[idx] = why
    return out


def _why(ct: ClassTheorem, at: dict) -> str:
    """Why ``ct`` gives no finite bound at the point ``at`` (calculator names -> floats)."""
    for name, v in ct.fixed:
        if at[name] != v:
            return f"{ct.label} is stated at {name} = {v:g}, got {name} = {at[name]:g}"
    huge = [name for name in ct.args if name in at and not np.isfinite(at[name])]
    if huge:
        return f"{ct.label}: {huge[0]} = inf (beyond the largest float), outside its region"
    names = {v: sp.Symbol(a) for a, v in ct.args.items()}
    text = failing_in([c.subs(names) for c in ct.conditions], at)
    return f"{ct.label}: {text}" if text else OVERFLOW.format(theorem=ct.label)
