"""One step of a stochastic method, as symbolic points.

``OneStep`` takes a method's update rule (from :mod:`lyapunov.methods`) and builds the points
a certificate talks about. Coordinates are relative to the point where the gradient is taken
(x_k is the origin), so for a state (x_k, z_k) the basis vectors are

* ``(z-x)``   the difference z_k - x_k (one per extra state variable),
* ``g(x)``, ``g(z)``   gradients of f at the current points (known before the noise),
* ``xi``      the gradient noise of step k, E[xi | past] = 0, E|xi|^2 <= sigma2,
* ``g(x1)``, ``g(z1)``   gradients at the next points (they depend on xi),
* ``(*-x)``   x_* - x_k, for the point ``star``: a minimiser x_* of f (gradient 0, value
  f_* = f(x_*)) in the classes that have one; in the others only its value f_* = inf f is used.

The step is taken with the stochastic gradient g(x) + xi.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sympy as sp

from .facts import Fact
from .forms import Form, Point, VecSymbol, inner, sqnorm

__all__ = ["OneStep"]


class OneStep:
    """The points of one step ``state_k -> state_{k+1}`` of an update rule.

    Parameters
    ----------
    state : names of the state variables, e.g. ("x", "z"); all are points of R^d.
    update : ``update(*state, g) -> next state`` (the stochastic gradient g is passed last).
    sigma2 : the noise variance bound (a parameter symbol).
    grad_at : the state variable where the gradient is taken (default: the first).
    """

    def __init__(
        self,
        state: Sequence[str],
        update: Callable,
        sigma2: sp.Symbol,
        grad_at: str | None = None,
    ):
        state = tuple(state)
        if not state:
            raise ValueError("state: at least one state variable is needed")
        grad_at = grad_at or state[0]
        if grad_at not in state:
            raise ValueError(f"grad_at: {grad_at!r} is not a state variable of {state}")
        self.state_names = state
        self.sigma2 = sigma2
        self.xi = VecSymbol("xi")
        self.diffs = {s: VecSymbol(f"({s}-{grad_at})") for s in state if s != grad_at}
        pos = {s: (sp.Integer(0) if s == grad_at else self.diffs[s]) for s in state}
        self.current = tuple(Point(s, pos[s], VecSymbol(f"g({s})")) for s in state)
        g = VecSymbol(f"g({grad_at})")
        nxt = update(*(pos[s] for s in state), g + self.xi)
        if len(state) == 1 and not isinstance(nxt, tuple):
            nxt = (nxt,)
        if len(nxt) != len(state):
            raise ValueError("update: must return one value per state variable")
        self.next = tuple(
            Point(f"{s}1", sp.expand(p), VecSymbol(f"g({s}1)"))
            for s, p in zip(state, nxt, strict=True)
        )
        self.rate_point = self.current[state.index(grad_at)]
        for p in (*self.current, *self.next):
            setattr(self, p.name, p)
        #: x_* (a minimiser: gradient 0), deterministic, hence known before the noise
        self.star = Point("*", VecSymbol(f"(*-{grad_at})"), sp.Integer(0))

    @property
    def known(self) -> list[VecSymbol]:
        """Vectors known before the noise of this step (E<xi, v> = 0 for them)."""
        return [*self.diffs.values(), self.star.pos, *(p.grad for p in self.current)]

    def variance(self) -> Fact:
        """E|xi|^2 - sigma2 <= 0 (holds in expectation)."""
        return Fact("variance(xi)", sqnorm(self.xi) - Form(const=self.sigma2), expected=True)

    def zero_mean(self, v: VecSymbol) -> Fact:
        """E<xi, v> = 0 for a vector v known before the noise (its multiplier may be negative).

        The residual's zero-mean cross terms are dropped before this fact enters, so a
        certificate can use it to *add* a multiple of <xi, v>: this is how a certificate pays
        for noise that reaches a next gradient (e.g. by Young's inequality), where the best
        multiple of <xi, v> is not zero.
        """
        if v not in self.known:
            known = ", ".join(map(str, self.known))
            raise ValueError(f"zero_mean: {v} is not known before the noise (known: {known})")
        return Fact(f"zero-mean <xi,{v}>", inner(self.xi, v), expected=True, zero_mean=True)

    def initial(self) -> tuple[Point, ...]:
        """The state at k = 0, where every state variable equals x_0."""
        p = Point("x0", sp.Integer(0), VecSymbol("g(x0)"))
        return tuple(p for _ in self.state_names)

    def initial_star(self) -> Point:
        """x_* seen from x_0 (position x_* - x_0, gradient 0, value f_*)."""
        return Point("*", VecSymbol("(*-x0)"), sp.Integer(0))
