"""A fast, sound sufficient test for PSD: symbolic LDL^T with decided pivots.

If the pivot m = M[k, k] and the rest r of row k satisfy r = m u with u a rational function
*defined on the whole region* (its denominators never vanish there), then at every point

    M = P^T diag(m, S) P,     S = M_{-k} - m u u^T,     P = [[1, u^T], [0, I]],

an exact congruence that holds even where m = 0 (then r = 0 too). So M is PSD at a point iff
m >= 0 and S is PSD there, and M is PSD on the region iff m >= 0 on it and S is PSD on it.
Eliminating pivot after pivot turns one large decision (principal minors of high degree) into a
few small ones (the sign of each pivot, the non-vanishing of each denominator), each decided
exactly over the region. A row that is identically zero is dropped. When no pivot qualifies
or a decision fails the test answers None ("don't know") and the caller falls back to the
complete test over principal minors, which also produces counterexamples; this test never
refutes.
"""

from __future__ import annotations

import sympy as sp

from .decide import decide
from .region import Region

__all__ = ["ldl_psd"]


def _zero_row(M: sp.Matrix, k: int) -> bool:
    return all(M[k, j] == 0 for j in range(M.shape[0]))


def _pivot_order(M: sp.Matrix) -> list[int]:
    """Candidate pivots: nonzero diagonal entries, simplest first (the cheapest decisions)."""
    n = M.shape[0]
    cands = [k for k in range(n) if M[k, k] != 0]
    return sorted(cands, key=lambda k: sp.count_ops(M[k, k]))


def _denominator_factors(exprs) -> set[sp.Expr]:
    out = set()
    for e in exprs:
        den = sp.denom(sp.together(e))
        if den.free_symbols:
            _, factors = sp.factor_list(den)
            out.update(f for f, _ in factors if f.free_symbols)
    return out


def _schur(rest: sp.Matrix, m: sp.Expr, u: list[sp.Expr]) -> sp.Matrix:
    """S = M_{-k} - m u u^T, entrywise cancelled."""
    n = rest.shape[0]
    return sp.Matrix(n, n, lambda i, j: sp.cancel(rest[i, j] - m * u[i] * u[j]))


def ldl_psd(M: sp.Matrix, region: Region, remaining) -> bool | None:
    """True if M(params) is proved PSD on the region by decided pivots; None if not shown.

    ``remaining()`` gives the seconds left for the decisions (None: no limit).
    """
    M = M.applyfunc(sp.cancel)
    proved_cache: dict[tuple[sp.Expr, str], bool] = {}

    def holds(expr: sp.Expr, op: str) -> bool:
        key = (expr, op)
        if key not in proved_cache:
            proved_cache[key] = decide(expr, op, region, timeout=remaining()).proved
        return proved_cache[key]

    # the matrix itself must be defined everywhere on the region (an undefined entry is a
    # failure; the congruence below could cancel it away). Defense in depth, like the
    # denominators of u below: a pivot decision also fails where its expression is undefined,
    # so no test isolates these two checks (the mutation benchmark finds them equivalent)
    entries = [M[i, j] for i in range(M.shape[0]) for j in range(i, M.shape[0])]
    if not all(holds(d, "!=") for d in _denominator_factors(entries)):
        return None
    while M.shape[0]:
        n = M.shape[0]
        zero = [k for k in range(n) if _zero_row(M, k)]
        if zero:
            keep = [k for k in range(n) if k not in zero]
            M = M.extract(keep, keep)
            continue
        for k in _pivot_order(M):
            m = M[k, k]
            u = [sp.cancel(M[k, j] / m) for j in range(n) if j != k]
            if not all(holds(d, "!=") for d in _denominator_factors(u)):
                continue
            if not holds(m, ">="):
                continue
            rest = [j for j in range(n) if j != k]
            M = _schur(M.extract(rest, rest), m, u)
            break
        else:
            return None
    return True
