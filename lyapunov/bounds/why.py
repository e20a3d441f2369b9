"""Why a bound is inf, and how far the certified steps reach, from the theorems' own conditions.

* :func:`why_not`: per point where no certified theorem covers the parameters, the condition
  that fails, read from the theorem: for SGD the first failing region condition of P3; for
  SPA / SGD+M at c = 1 the first failing condition of P4, and for c < 1 the reach of P4c,
  ``L*eta < LIMIT(c)`` (P4c's theorem ``reach``, certified: no point of P4c's region is beyond
  it; P4 reaches less far), with the value there.
* :func:`step_limit`: the supremum of the certified steps at the other parameters: 2/L for SGD
  (P3), LIMIT(c)/L in eta for SPA (P4c; at c = 1 P4's c L eta < 4 - 2c), c times that in lr for
  SGD+M. Every smaller step is covered (P4c's theorem ``nonempty``), the limit itself is not.

SGD+M's (eta, c) are the registry's (:func:`lyapunov.methods.registry.to_gspa`, theorem P1:
eta = lr/(1 - momentum), c = 1 - momentum, so lr = c eta); :func:`coordinates` computes them
without a RuntimeWarning where eta overflows (lr = 1e308: eta = inf, far beyond every limit).

* :func:`gspa_why`: the same for the GSPA family (Nesterov, QHM, GSPA): P11 needs
  L*eta*c' < 1 (c' = 1 - beta (1 - c)): on its region X <= 1 - L*eta*c' (Lt >= L/2 as lam,
  mu >= 0), and X >= 0 with X (2 - c) >= 2 Lt (1 - c)^2 eta beta > 0 needs X > 0. Beyond it
  only P3 (at c = 1 or beta = 0) and P4 / P4c (at beta = 1) may cover a point.

Where every condition holds and the bound is still inf, it exceeds the largest float (huge
gap or sigma2, a tiny step or L): the reason says so.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import sympy as sp

from ..methods.registry import get, to_gspa

__all__ = [
    "why_not",
    "step_limit",
    "p4_edge",
    "coordinates",
    "gspa_why",
    "gspa_reach",
    "OVERFLOW",
    "failing_in",
]


#: the reason where a theorem covers the point but its bound is beyond the largest float
OVERFLOW = (
    "{theorem} covers these values, but evaluating its bound there overflows the floats "
    "(beyond ~1.8e308)"
)


def coordinates(method: str, **params) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The registry's (eta, c, beta) of ``method`` at ``params`` (validated arrays); eta is
    inf where it overflows (lr/(1 - momentum) for lr near the largest float), silently."""
    with np.errstate(over="ignore"):
        eta, c, beta = to_gspa(method, **params)
    return np.asarray(eta, dtype=float), np.asarray(c, dtype=float), np.asarray(beta, dtype=float)


@cache
def _theorems():
    from ..proofs import p3_sgd_descent as p3
    from ..proofs import p4_spa_descent as p4
    from ..proofs import p4c_spa_descent_large_step as p4c

    return p3, p4, p4c


@cache
def _limits():
    """numpy functions: P3's sup of eta (of L), P4's at c = 1 (of c, L), P4c's LIMIT (of c)."""
    p3, p4, p4c = _theorems()

    def bound_on_eta(mod):  # the strict upper limit on L*eta among the region's conditions
        cond = next(
            c
            for c in mod.theorem.region.conditions
            if isinstance(c, sp.StrictLessThan) and c.has(mod.L) and c.has(mod.eta)
        )
        return sp.solve(sp.Eq(cond.lhs, cond.rhs), mod.eta)[0]

    sup3, sup4 = bound_on_eta(p3), bound_on_eta(p4)
    return (
        sp.lambdify([p3.L], sup3, modules="numpy"),
        sp.lambdify([p4.c, p4.L], sup4, modules="numpy"),
        sp.lambdify([p4c.c], p4c.LIMIT, modules="numpy"),
    )


@cache
def _p4_edge():
    """P4's non-strict limit on L eta (c < 1), solved for eta: a function of (c, L)."""
    _, p4, _ = _theorems()
    cond = next(
        c
        for c in p4.theorem.region.conditions
        if isinstance(c, sp.GreaterThan) and c.has(p4.L) and c.has(p4.eta)
    )
    sol = sp.solve(sp.Eq(cond.lhs, cond.rhs), p4.eta)
    return sp.lambdify([p4.c, p4.L], sol[0], modules="numpy")


def p4_edge(c: np.ndarray, L: np.ndarray) -> np.ndarray:
    """The largest eta of P4's region for c < 1 ((1 - c)(2 - c - L eta) >= 0: eta = (2-c)/L)."""
    with np.errstate(over="ignore"):  # inf for L near the smallest float
        return np.asarray(_p4_edge()(np.asarray(c, dtype=float), np.asarray(L, dtype=float)))


def step_limit(method: str, **v: np.ndarray) -> tuple[np.ndarray, str]:
    """(supremum of the certified steps, its name "lr" or "eta") at the other parameters."""
    sup3, sup4, limit = _limits()
    L = np.asarray(v["L"], dtype=float)
    if method == "sgd":
        with np.errstate(over="ignore"):  # 2/L is inf for L near the smallest float
            sup = sup3(L)
        return np.broadcast_to(sup, np.broadcast(L, v["lr"]).shape).astype(float), "lr"
    if method == "spa":
        c = np.asarray(v["c"], dtype=float)
    else:  # SGD+M: c of the registry's map (lr = c eta at fixed momentum)
        c = coordinates(method, lr=v["lr"], momentum=v["momentum"])[1]
    with np.errstate(all="ignore"):
        eta = np.where(c < 1, limit(c) / L, sup4(c, L))
    other = v["eta"] if method == "spa" else v["lr"]
    eta = np.broadcast_to(eta, np.broadcast(eta, other).shape).astype(float)
    return (eta, "eta") if method == "spa" else (c * eta, "lr")


def gspa_reach(c: np.ndarray, beta: np.ndarray, L: np.ndarray) -> np.ndarray:
    """The largest step eta any theorem may cover for GSPA at (c, beta): P11's reach
    1/(L c') (0 < c < 1, beta > 0; c' = 1 - beta (1 - c)), P3's 2/L (c = 1 or beta = 0) and
    P4 / P4c's limit (beta = 1), whichever is largest. A search bracket, not a certificate:
    below it a step may still be uncovered (P11's weights are searched numerically)."""
    c, beta, L = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (c, beta, L)))
    sup3 = _limits()[0]
    with np.errstate(all="ignore"):
        p11 = np.where((c < 1) & (beta > 0), 1 / (L * (1 - beta * (1 - c))), 0.0)
        p3 = np.where((c >= 1) | (beta <= 0), sup3(L), 0.0)
    p4 = np.where(beta >= 1, step_limit("spa", eta=np.ones_like(c), c=c, L=L)[0], 0.0)
    return np.maximum(np.maximum(p11, p3), p4)


@cache
def _p11_at_b0() -> tuple:
    """P11's region conditions at the weight b = 0 (then s drops out), simplified: what the
    reason quotes where no weight of the grid is inside the region."""
    from ..proofs import p11_gspa_descent as p11

    conds = [sp.simplify(c.subs(p11.b, 0)) for c in p11.theorem.region.conditions]
    return tuple(c for c in conds if isinstance(c, sp.core.relational.Relational))


def _failing(theorem, values: dict) -> str:
    """The first region condition of ``theorem`` that fails at ``values`` (floats), as text."""
    return failing_in(theorem.region.conditions, values)


def failing_in(conditions, values: dict) -> str:
    """The first of ``conditions`` that fails at ``values`` (floats), as text."""
    for cond in conditions:
        names = {s.name for s in cond.free_symbols}
        if not names <= set(values):
            continue
        point = {s: values[s.name] for s in cond.free_symbols}
        lhs, rhs = float(cond.lhs.subs(point)), float(cond.rhs.subs(point))
        if not bool(
            {">": lhs > rhs, ">=": lhs >= rhs, "<": lhs < rhs, "<=": lhs <= rhs}[cond.rel_op]
        ):
            shown = f"{sp.sstr(cond.lhs)} = {lhs:.6g}"
            if cond.rhs.free_symbols:
                shown += f", {sp.sstr(cond.rhs)} = {rhs:.6g}"
            return f"{sp.sstr(cond)} fails: {shown}"
    return ""


def _spa_reason(eta: float, c: float, L: float) -> str:
    _, p4, p4c = _theorems()
    if c >= 1:
        text = _failing(p4.theorem, {"eta": eta, "c": c, "L": L})
        return (
            f"P4 (c = 1, the only theorem at c = 1): {text}"
            if text
            else OVERFLOW.format(theorem="P4")
        )
    if not _failing(p4.theorem, {"eta": eta, "c": c, "L": L}):
        return OVERFLOW.format(theorem="P4")
    lim = float(_limits()[2](c))
    if L * eta >= lim:
        return (
            f"L*eta < {sp.sstr(p4c.LIMIT)} fails: L*eta = {L * eta:.6g} >= {lim:.6g} at "
            f"c = {c:.6g} (the reach of P4c; P4 needs L*eta <= 2 - c)"
        )
    return (
        f"no weights (b, t) of P4c found inside its region at "
        f"L*eta = {L * eta:.6g} (limit {lim:.6g} at c = {c:.6g}: too close to it)"
    )


def why_not(method: str, finite: np.ndarray, **v: np.ndarray) -> np.ndarray | str:
    """Per point, "" where the bound is finite, else the condition that fails."""
    if method == "sgd":
        arrays = np.broadcast_arrays(np.asarray(finite), v["lr"], v["L"])
    elif method == "spa":
        arrays = np.broadcast_arrays(np.asarray(finite), v["eta"], v["c"], v["L"])
    else:
        arrays = np.broadcast_arrays(np.asarray(finite), v["lr"], v["momentum"], v["L"])
    fin = arrays[0]
    out = np.full(fin.shape, "", dtype=object)
    p3 = _theorems()[0]
    for idx in np.ndindex(fin.shape):
        if fin[idx]:
            continue
        x = [float(a[idx]) for a in arrays[1:]]
        if method == "sgd":
            text = _failing(p3.theorem, {"eta": x[0], "L": x[1]})
            out[idx] = f"P3 (eta = lr): {text}" if text else OVERFLOW.format(theorem="P3")
        elif method == "spa":
            out[idx] = _spa_reason(*x)
        else:
            lr, m, L = x
            eta, c, beta = (float(a) for a in coordinates(method, lr=lr, momentum=m))
            out[idx] = _spa_reason(eta, c, L) + _shown(method, eta, c, beta)
    return out[()] if out.ndim == 0 else out


@cache
def _maps(method: str) -> tuple[tuple[str, str], ...]:
    """The registry's map of ``method`` to GSPA, as text: (("eta", "lr/(1 - momentum)"), ...),
    the coordinates that are not the method's own parameter of the same name."""
    m = get(method)
    coords = m.gspa(*(sp.Symbol(p) for p in m.params), 0)
    return tuple(
        (name, sp.sstr(v))
        for name, v in zip(("eta", "c", "beta"), coords, strict=True)
        if v != sp.Symbol(name)
    )


def _shown(method: str, eta: float, c: float, beta: float) -> str:
    """`` (eta = lr/(1 - momentum) = 0.1, c = 1 - momentum = 0.1)``: the point in GSPA's
    coordinates, from the method's own parameters (beta shown where the method has one)."""
    value = {"eta": eta, "c": c, "beta": beta}
    parts = [f"{n} = {text} = {value[n]:.6g}" for n, text in _maps(method) if text != "1"]
    return f" ({', '.join(parts)})" if parts else ""


def _gspa_reason(eta: float, c: float, beta: float, L: float, covered: bool) -> str:
    """Why no theorem covers GSPA at (eta, c, beta): P3's failing condition at c = 1 or
    beta = 0; else P11's reach L*eta*c' < 1 (or its grid, or the float range), and at beta = 1
    P4 / P4c's reason too. ``covered``: some weight (b, s) of P11's grid is in its region."""
    if c >= 1 or beta <= 0:
        text = _failing(_theorems()[0].theorem, {"eta": eta, "L": L})
        where = "c = 1" if c >= 1 else "beta = 0"
        return f"P3 ({where}: SGD with step eta): {text}" if text else OVERFLOW.format(theorem="P3")
    cb = 1 - beta * (1 - c)
    with np.errstate(over="ignore"):
        lec = L * eta * cb
    if lec >= 1:
        text = (
            f"P11 needs L*eta*c' < 1 (c' = 1 - beta*(1 - c) = {cb:.6g}): L*eta*c' = {lec:.6g} >= 1"
        )
    elif covered:
        text = OVERFLOW.format(theorem="P11")
    else:
        at_b0 = failing_in(_p11_at_b0(), {"eta": eta, "c": c, "beta": beta, "L": L})
        text = (
            f"P11: no weights (b, s) of its search grid inside its region at "
            f"L*eta*c' = {lec:.6g} < 1" + (f"; at b = 0: {at_b0}" if at_b0 else "")
        )
    return text + (f"; at beta = 1: {_spa_reason(eta, c, L)}" if beta >= 1 else "")


def gspa_why(method: str, finite, covered, *, eta, c, beta, L) -> np.ndarray | str:
    """Per point, "" where the bound of ``method`` (a member of GSPA, at its registry
    coordinates eta, c, beta) is finite, else why not, with the point in those coordinates."""
    arrays = np.broadcast_arrays(np.asarray(finite), np.asarray(covered), eta, c, beta, L)
    fin, cov = arrays[0], arrays[1]
    out = np.full(fin.shape, "", dtype=object)
    for idx in np.ndindex(fin.shape):
        if not fin[idx]:
            e, cc, b, ll = (float(a[idx]) for a in arrays[2:])
            reason = _gspa_reason(e, cc, b, ll, bool(cov[idx]))
            out[idx] = reason + _shown(method, e, cc, b)
    return out[()] if out.ndim == 0 else out
