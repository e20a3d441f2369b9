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
``smooth_strongly_convex`` last_dist2  P14 (sgd)     mu, distance
``pl``                    last_gap     P15 (sgd)     mu, gap = f(x_0) - inf f
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

from ..methods.registry import to_gspa
from ..validate import Range, check_range, check_steps
from .compile import GAP, STEPS, SafeRegion

__all__ = ["CLASSES", "MEASURES", "class_bound", "ClassTheorem", "class_theorems"]

DIST2 = sp.Symbol("dist2", real=True)

#: every function class the calculators know, with the measures they bound there
MEASURES: dict[str, tuple[str, ...]] = {
    "smooth": ("avg_grad2",),
    "smooth_convex": ("last_gap", "avg_gap"),
    "smooth_strongly_convex": ("last_dist2",),
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

    @property
    def needs_gap(self) -> bool:
        return self.theorem.initial_coefficients()[0] != 0

    @property
    def needs_distance(self) -> bool:
        return self.theorem.initial_coefficients()[1] != 0

    @property
    def expression(self) -> sp.Expr:
        """The certified bound on E[M_n], as the theorem states it."""
        return self.theorem.bound(GAP, DIST2, STEPS)

    @property
    def _order(self) -> list[str]:
        return [a for a in self.args if a != "k"]

    def _compiled(self):
        return _compile(self.label)

    def __call__(self, **values: np.ndarray) -> np.ndarray:
        fn, region = self._compiled()
        if self.coords:
            eta, c, _ = to_gspa(self.coords, lr=values["lr"], momentum=values["momentum"])
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

    free = {"lr": p16.lr, "G": p16.G, "sigma2": p16.sigma2, "k": p16.k}
    spa17 = {"eta": p17.eta, "c": p17.c, "L": p17.L, "sigma2": p17.sigma2}
    free18 = {"lr": p18.lr, "L": p18.L, "sigma2": p18.sigma2, "k": p18.k}
    return {
        ("schedule_free", "smooth_convex", "last_gap"): (
            ClassTheorem("P18a", p18.p18a, {**free18, "momentum": p18.b}),
            ClassTheorem("P18b", p18.p18b, free18, fixed=(("momentum", 1.0),)),
        ),
        ("sgdm", "smooth_convex", "avg_gap"): (
            ClassTheorem("P17", p17.theorem, spa17, coords="sgdm"),
        ),
        ("spa", "smooth_convex", "avg_gap"): (ClassTheorem("P17", p17.theorem, spa17),),
        ("sgd", "smooth_convex", "last_gap"): (
            ClassTheorem(
                "P13", p13.theorem, {"lr": p13.eta, "L": p13.L, "sigma2": p13.sigma2, "k": p13.k}
            ),
        ),
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
def _compile(label: str):
    ct = next(t for ts in class_theorems().values() for t in ts if t.label == label)
    syms = [ct.args[a] for a in ct._order]
    fn = sp.lambdify([*syms, STEPS, GAP, DIST2], ct.expression, modules="numpy", cse=True)
    counter = [ct.args["k"]] if "k" in ct.args else []
    return fn, SafeRegion(ct.theorem.region.conditions, [*syms, *counter])


def _positive(name: str, value, function_class: str) -> np.ndarray:
    if value is None:
        raise ValueError(f"{name}: required for function_class={function_class!r}")
    return check_range(name, value, "L")


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
    (arguments broadcast). With ``detail=True`` a :class:`~.constant.BoundResult` naming the
    theorem (and the measure) of each point and the reason where the value is inf.
    """
    if function_class not in CLASSES or function_class == "smooth":
        allowed = ", ".join(c for c in CLASSES if c != "smooth")
        raise ValueError(f"function_class: must be one of {allowed}, got {function_class!r}")
    allowed_m = MEASURES[function_class]
    measure = allowed_m[0] if measure is None else measure
    if measure not in allowed_m:
        raise ValueError(
            f"measure: must be {' or '.join(allowed_m)} for function_class="
            f"{function_class!r}, got {measure!r}"
        )
    cts = class_theorems().get((method, function_class, measure))
    if cts is None:
        have = sorted({m for m, c, _ in class_theorems() if c == function_class})
        raise ValueError(
            f"function_class: no certified theorem for {method} in class {function_class!r} "
            f"(certified there: {', '.join(have) or 'none yet'})"
        )
    ct = cts[0]
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
    elif G is not None:
        raise ValueError(f"G: not a constant of function_class={function_class!r}")
    values["dist2"] = np.zeros(())
    if ct.needs_distance:
        if distance is None:
            raise ValueError(
                f"distance: required for function_class={function_class!r} (|x_0 - x_*|)"
            )
        values["dist2"] = check_range("distance", distance, "gap") ** 2
    values["gap"] = np.zeros(())
    if ct.needs_gap:
        if gap is not None:
            values["gap"] = check_range("gap", gap)
        elif "L" in ct.args and ct.theorem.function_class.MINIMIZER and distance is not None:
            values["gap"] = values["L"] * values["dist2"] / 2  # f(x_0) - f_* <= L |x_0 - x_*|^2/2
        else:
            raise ValueError(f"gap: required for function_class={function_class!r}")
    outs = np.broadcast_arrays(*[t(**values) for t in cts])
    stack = np.stack(outs)
    out = np.min(stack, axis=0)
    value = float(out) if out.ndim == 0 else out
    if not detail:
        return value
    from .constant import BoundResult

    finite = np.isfinite(out)
    labels = np.asarray([t.label for t in cts], dtype=object)
    which = np.where(finite, labels[np.argmin(stack, axis=0)], "")
    where = "; ".join(f"{t.label}: {_region_text(t)}" for t in cts)
    if ct.coords:
        where = f"SPA coordinates eta = lr/(1 - momentum), c = 1 - momentum; {where}"
    reason = np.where(finite, "", f"outside the certified region ({where})")
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


def _region_text(ct: ClassTheorem) -> str:
    names = {v: sp.Symbol(a) for a, v in ct.args.items() if a != "k"}
    k = ct.args.get("k")
    conds = [c.subs(names) for c in ct.theorem.region.conditions if k not in c.free_symbols]
    return ", ".join(sp.sstr(c) for c in conds)
