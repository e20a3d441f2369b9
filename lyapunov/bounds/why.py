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
eta = lr/(1 - momentum), c = 1 - momentum, so lr = c eta).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import sympy as sp

from ..methods.registry import to_gspa

__all__ = ["why_not", "step_limit", "p4_edge"]


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
    return np.asarray(_p4_edge()(np.asarray(c, dtype=float), np.asarray(L, dtype=float)))


def step_limit(method: str, **v: np.ndarray) -> tuple[np.ndarray, str]:
    """(supremum of the certified steps, its name "lr" or "eta") at the other parameters."""
    sup3, sup4, limit = _limits()
    L = np.asarray(v["L"], dtype=float)
    if method == "sgd":
        return np.broadcast_to(sup3(L), np.broadcast(L, v["lr"]).shape).astype(float), "lr"
    if method == "spa":
        c = np.asarray(v["c"], dtype=float)
    else:  # SGD+M: c of the registry's map (lr = c eta at fixed momentum)
        c = to_gspa(method, lr=v["lr"], momentum=v["momentum"])[1]
    with np.errstate(all="ignore"):
        eta = np.where(c < 1, limit(c) / L, sup4(c, L))
    other = v["eta"] if method == "spa" else v["lr"]
    eta = np.broadcast_to(eta, np.broadcast(eta, other).shape).astype(float)
    return (eta, "eta") if method == "spa" else (c * eta, "lr")


def _failing(theorem, values: dict) -> str:
    """The first region condition of ``theorem`` that fails at ``values`` (floats), as text."""
    for cond in theorem.region.conditions:
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
        return f"P4 (c = 1, the only theorem at c = 1): {text}" if text else ""
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
            out[idx] = f"P3 (eta = lr): {text}" if text else ""
        elif method == "spa":
            out[idx] = _spa_reason(*x)
        else:
            lr, m, L = x
            eta, c = (float(a) for a in to_gspa(method, lr=lr, momentum=m)[:2])
            out[idx] = _spa_reason(eta, c, L) + (
                f" (eta = lr/(1 - momentum) = {eta:.6g}, c = 1 - momentum = {c:.6g})"
            )
    return out[()] if out.ndim == 0 else out
