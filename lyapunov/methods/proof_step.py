r"""The symbolic step of a proof file, from a method's definition.

A proof step (:class:`lyapunov.engine.OneStep`) takes the gradient at one of its state
variables. A method whose gradient is taken at a combination of its state,

    y_k = sum_s w_s s_k        (weights rational in the parameters, summing to 1),

is stepped on a new state: y in place of one variable s0 whose weight is not zero,

    t_k = T_k s_k,   T_k = the identity with the row of s0 replaced by the weights (w_s),
    s0  = (y - sum_{s != s0} w_s s) / w_s0,
    t_{k+1} = T_{k+1} (A_k s_k + B_k g_k) = M t_k + N g_k,
    M = T_{k+1} A_k T_k^{-1},   N = T_{k+1} B_k,

(A_k, B_k the method's matrices, :meth:`lyapunov.methods.Method.symbolic`; the next y is
taken from the next state with the weights of step k + 1). The new state lists y first, then
the other variables in the method's order; y is named ``"y"`` (``"y_"``, ``"y__"``, ... if the
method has a variable y). For GSPA on (x, z), y = (1 - beta) z + beta x and the new state is
(y, z): the step of schedule-free SGD's reference form.

Which variable is s0: the one named by ``eliminate``, else the first (in the method's order)
whose weight is nonzero on the whole parameter region, decided exactly
(:func:`lyapunov.engine.decide`). The region is each parameter's range written on the given
values, the signs the values' symbols carry (``positive=True``: > 0), and k >= 0, n >= 1,
L > 0 where these are symbolic. If every weight can vanish somewhere (GSPA's beta and
1 - beta for beta in [0, 1]), s0 is the first variable for which M has no denominator that
vanishes on the region: M T_k = T_{k+1} A_k is an identity of rational functions (checked),
so where M is defined it also holds at the points where w_s0 = 0 and the step maps every
state as the method does (only t_k no longer determines s_k there, which a proof for every
t_k does not need). Otherwise a ValueError names the method and the weights: give values
(e.g. a fixed number, or a symbol declared positive) that make one weight nonzero.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import sympy as sp

__all__ = ["GradientState", "gradient_state", "one_step"]

#: seconds allowed to decide that one weight or denominator is nonzero on the region
TIMEOUT = 10.0


@dataclass(frozen=True)
class GradientState:
    """A method's step on the state (y, the other variables but ``eliminated``).

    ``t_{k+1} = M t_k + N g_k`` with ``t = (y, *rest)``, ``names`` = the names of t,
    ``weights`` = y's weights on the method's state at step k.
    """

    names: tuple[str, ...]
    eliminated: str
    weights: tuple[sp.Expr, ...]
    M: sp.Matrix
    N: sp.Matrix


def exact_values(method, values: Mapping | None) -> dict:
    """The parameters' values for a proof step (default: a positive real symbol per
    parameter), every parameter given, none unknown, exact (no floats)."""
    if values is None:
        return {p: sp.Symbol(p, positive=True) for p in method.params}
    if not isinstance(values, Mapping):
        raise TypeError(f"{method.name}: parameters must be given by name")
    extra = [p for p in values if p not in method.params]
    missing = [p for p in method.params if p not in values]
    if extra or missing:
        what = f"unknown parameter {extra[0]!r}" if extra else f"missing parameter {missing[0]!r}"
        known = ", ".join(method.params) or "none"
        raise ValueError(f"{method.name}: {what} (its parameters are {known})")
    out = {}
    for p in method.params:
        v = sp.sympify(values[p])
        if v.has(sp.Float):
            raise ValueError(
                f"{p}: must be exact in a proof step (a symbol, an integer or sympy.Rational), "
                f"got {values[p]!r}"
            )
        out[p] = v
    return out


def exact_extras(k, n, L) -> tuple:
    """k, n and L as sympy numbers or expressions (so that a rule's ``1 / (k + 1)`` stays
    exact), ``None`` kept."""
    out = []
    for what, v in (("k", k), ("n", n), ("L", L)):
        v = None if v is None else sp.sympify(v)
        if v is not None and v.has(sp.Float):
            raise ValueError(f"{what}: must be exact in a proof step, got {v}")
        out.append(v)
    return tuple(out)


def _no_floats(method, exprs) -> None:
    for e in exprs:
        if sp.sympify(e).has(sp.Float):
            raise ValueError(
                f"{method.name}: its rule gives the float coefficient "
                f"{next(iter(sp.sympify(e).atoms(sp.Float)))} in a proof step; write its "
                "coefficients with exact numbers (sympy.Rational) on symbolic input"
            )


def _region(method, values: Mapping, k, n, L):
    """The parameters' ranges on ``values``, the symbols' signs, k >= 0, n >= 1, L > 0."""
    from ..engine import Region

    conds = []
    for p in method.params:
        for rel in method.ranges[p].relations(values[p]):
            if rel is sp.false:
                raise ValueError(f"{p}: must be {method.ranges[p].text}, got {values[p]}")
            conds.append(rel)
    syms = set().union(*(v.free_symbols for v in values.values()))
    for extra, rel in ((k, lambda e: e >= 0), (n, lambda e: e >= 1), (L, lambda e: e > 0)):
        if isinstance(extra, sp.Basic) and extra.free_symbols:
            conds.append(rel(extra))
            syms |= extra.free_symbols
    for x in sorted(syms, key=str):
        if x.is_positive:
            conds.append(x > 0)
        elif x.is_nonnegative:
            conds.append(x >= 0)
    return Region.of([c for c in conds if c is not sp.true], symbols=syms)


def _nonzero(expr: sp.Expr, region) -> bool:
    """Exactly: ``expr`` is nonzero at every point of ``region``."""
    from ..engine import decide

    expr = sp.cancel(expr)
    if expr.is_zero is False:  # from the symbols' assumptions alone
        return True
    if not expr.free_symbols or expr.has(sp.Float):
        return False
    return decide(expr, "!=", region, timeout=TIMEOUT).status == "proved"


def _denominators_nonzero(M: sp.Matrix, region) -> bool:
    factors = {f for e in M for f, _ in sp.factor_list(sp.denom(sp.cancel(e)))[1]}
    return all(_nonzero(f, region) for f in sorted(factors, key=sp.default_sort_key))


def _change(A, B, C, C1, i: int) -> tuple[sp.Matrix, sp.Matrix]:
    """(M, N) on (y, the others in order) when y replaces variable ``i``."""
    m = A.shape[0]
    T, T1, Tinv = sp.eye(m), sp.eye(m), sp.eye(m)
    T[i, :], T1[i, :] = C, C1
    for j in range(m):  # s_i = (y - sum_{j != i} w_j s_j) / w_i
        Tinv[i, j] = 1 / C[i] if j == i else -C[j] / C[i]
    M = (T1 * A * Tinv).applyfunc(sp.cancel)
    if any(sp.cancel(e) != 0 for e in M * T - T1 * A):
        raise RuntimeError("change of state: M T_k != T_{k+1} A_k")  # cannot happen
    order = [i, *(j for j in range(m) if j != i)]
    return M.extract(order, order), (T1 * B).applyfunc(sp.cancel).extract(order, [0])


def _name(taken) -> str:
    name = "y"
    while name in taken:
        name += "_"
    return name


def gradient_state(
    method, values: Mapping | None = None, *, k=0, n=None, L=None, eliminate: str | None = None
) -> GradientState:
    """The step of ``method`` on the state (y, the others but s0); see the module."""
    values = exact_values(method, values)
    k, n, L = exact_extras(k, n, L)
    A, B, C, _ = method.symbolic(values, k=k, n=n, L=L)
    C1 = method.symbolic_point(method.gradient_at, values, k=k + 1, n=n, L=L)
    weights = tuple(C)
    _no_floats(method, [*A, *B, *C, *C1])
    state = method.state
    if eliminate is not None:
        if eliminate not in state:
            raise ValueError(
                f"eliminate: must be a state variable of {method.name} ({', '.join(state)}), "
                f"got {eliminate!r}"
            )
        i = state.index(eliminate)
        if weights[i] == 0:
            raise ValueError(
                f"eliminate: the gradient point of {method.name} does not depend on "
                f"{eliminate} (weight 0); choose a variable with a nonzero weight"
            )
        candidates = [i]
    else:
        candidates = [i for i, w in enumerate(weights) if w != 0]
    region = _region(method, values, k, n, L)
    chosen = next((i for i in candidates if _nonzero(weights[i], region)), None)
    if chosen is not None:
        M, N = _change(A, B, C, C1, chosen)
    else:
        for i in candidates:
            M, N = _change(A, B, C, C1, i)
            if _denominators_nonzero(M, region):
                chosen = i
                break
    if chosen is None:
        y = " + ".join(f"({sp.sstr(weights[i])}) {state[i]}" for i in candidates)
        ws = ", ".join(f"{sp.sstr(weights[i])} (of {state[i]})" for i in candidates)
        raise ValueError(
            f"{method.name}: the gradient point y = {y} cannot replace a state variable: "
            f"the weight{'s' if len(candidates) > 1 else ''} {ws} can vanish on the parameter "
            f"region ({region}); give values that make one of them nonzero"
        )
    rest = tuple(s for j, s in enumerate(state) if j != chosen)
    names = (_name(rest), *rest)
    return GradientState(names, state[chosen], weights, M, N)


def one_step(method, sigma2, values: Mapping | None, *, k, n, L, eliminate: str | None):
    """The proof step of ``method`` (:meth:`lyapunov.methods.Method.one_step`)."""
    from ..engine import OneStep

    values = exact_values(method, values)
    k, n, L = exact_extras(k, n, L)
    if isinstance(method.gradient_at, str):
        if eliminate is not None:
            raise ValueError(
                f"eliminate: {method.name} takes its gradient at the state variable "
                f"{method.gradient_at}; there is nothing to eliminate"
            )

        def update(*args):
            *state, g = args
            return method.apply(tuple(state), g, values, k=k, n=n, L=L)

        step = OneStep(method.state, update, sigma2, grad_at=method.gradient_at)
        _no_floats(method, [p.pos for p in step.next])
        return step
    st = gradient_state(method, values, k=k, n=n, L=L, eliminate=eliminate)
    m = len(st.names)

    def update(*args):
        *t, g = args
        return tuple(sum(st.M[i, j] * t[j] for j in range(m)) + st.N[i] * g for i in range(m))

    return OneStep(st.names, update, sigma2, grad_at=st.names[0])
