"""The well-formedness of a method, checked when it is built.

A method (:class:`lyapunov.methods.Method`) is accepted only if its rule

* returns one vector per state variable, finite at a point inside the parameter ranges;
* is linear in the vectors (it equals its state-space matrices on random vectors);
* has coefficients that are rational functions of the parameters (exact arithmetic can then
  decide its theorems), checked symbolically;
* is translation-equivariant, exactly: points stay points (A s = s for the start pattern s),
  and the gradient point and the output are affine combinations of the state's points
  (C s = 1, E s = 1). A gradient "at" a combination whose weights do not sum to one is a
  gradient at an undefined point.

Every failure is a ValueError naming the method and the problem.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

__all__ = ["check_method"]

_PROBE_STEPS = (0, 1, 2)
_PROBE_N = 3


def _probe_steps(method) -> tuple[int, ...]:
    """The steps to probe: several where the rule depends on k or n, else one (the rule is
    then the same at every step)."""
    return _PROBE_STEPS if {"k", "n"} & set(method.needs()) else _PROBE_STEPS[:1]


def check_method(method) -> None:
    """Raise ValueError if ``method`` is not a well-formed linear first-order method."""
    name = method.name
    s = len(method.state)
    values = method.example()
    rng = np.random.default_rng(0)
    for k in _probe_steps(method):
        try:
            A, B, C, E = method.matrices(values, k=k, n=_PROBE_N, L=1.0)
        except ValueError:
            raise
        except Exception as exc:  # noqa: BLE001 - a user's rule failing is reported, not raised
            raise ValueError(
                f"{name}: its rule fails at step {k}: {type(exc).__name__}: {exc}"
            ) from None
        for what, M in (("A", A), ("B", B), ("C", C), ("E", E)):
            if not np.all(np.isfinite(M)):
                raise ValueError(
                    f"{name}: its rule gives a non-finite coefficient ({what}) at step {k} "
                    f"with {values}"
                )
        # linear in the vectors: the rule on random vectors equals its matrices' action
        d = 3
        X = rng.standard_normal((s, d))
        g = rng.standard_normal(d)
        try:
            with np.errstate(all="ignore"):
                nxt = method.apply(tuple(X), g, values, k=k, n=_PROBE_N, L=1.0)
                y = method.gradient_point(tuple(X), values, k=k, n=_PROBE_N, L=1.0)
        except ValueError:
            raise
        except Exception as exc:  # noqa: BLE001
            raise ValueError(
                f"{name}: its rule fails on vectors: {type(exc).__name__}: {exc}"
            ) from None
        try:
            got = np.array([np.broadcast_to(np.asarray(v, dtype=float), (d,)) for v in nxt])
            y = np.broadcast_to(np.asarray(y, dtype=float), (d,))
        except (TypeError, ValueError):
            raise ValueError(
                f"{name}: its rule must map vectors to vectors of the same shape "
                "(use +, - and multiplication by scalars only)"
            ) from None
        want = A @ X + np.outer(B, g)
        scale = 1 + np.abs(A) @ np.abs(X) + np.outer(np.abs(B), np.abs(g))
        if np.any(np.abs(got - want) > 1e-9 * scale) or np.any(
            np.abs(y - C @ X) > 1e-9 * (1 + np.abs(C) @ np.abs(X))
        ):
            raise ValueError(
                f"{name}: its rule is not linear in the vectors (use +, - and multiplication "
                "by scalars only)"
            )
    _check_exact(method)


def _check_exact(method) -> None:
    name = method.name
    syms = {p: sp.Symbol(p, real=True) for p in method.params}
    L = sp.Symbol("L", positive=True)
    start = sp.Matrix(method.start)
    for k in _probe_steps(method):  # k, n as sympy integers: a rule's 1 / (k + 1) stays exact
        try:
            A, B, C, E = method.symbolic(syms, k=sp.Integer(k), n=sp.Integer(_PROBE_N), L=L)
        except ValueError:
            raise
        except Exception as exc:  # noqa: BLE001
            raise ValueError(
                f"{name}: its coefficients must be rational functions of the parameters "
                f"(use +, -, * and / on them): {type(exc).__name__}: {exc}"
            ) from None
        gens = [*syms.values(), L]
        for what, M in (("A", A), ("B", B), ("C", C), ("E", E)):
            for e in M:
                if not sp.sympify(e).is_rational_function(*gens):
                    raise ValueError(
                        f"{name}: coefficient {e} of {what} is not a rational function of the "
                        f"parameters ({', '.join(method.params) or 'none'})"
                    )
        moved = (A * start - start).applyfunc(sp.cancel)
        if any(e != 0 for e in moved):
            bad = method.state[next(i for i, e in enumerate(moved) if e != 0)]
            raise ValueError(
                f"{name}: the next {bad} is not a point like the state's start says (its "
                "weights on the points starting at x_0 must sum to 1, on buffers to 0): the "
                "rule is not translation-equivariant"
            )
        for what, M in (("gradient_at", C), ("output", E)):
            total = sp.cancel((M * start)[0])
            if total != 1:
                raise ValueError(
                    f"{name}: {what} is not a point: its weights on the state's points sum to "
                    f"{total}, not 1 (a gradient at an undefined point)"
                )
