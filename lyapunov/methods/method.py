r"""A first-order method, defined once by its update rule.

A method is a state of vectors (points of R^d, or directions such as a momentum buffer) and a
``step`` that maps the state and the (stochastic) gradient ``g`` at one point of it to the
next state, written with ``+``, ``-`` and multiplication by scalars only::

    def step(x, z, g, *, eta, c):            # SPA
        z1 = z - eta * g
        return (1 - c) * x + c * z1, z1

    spa = Method("spa", state=("x", "z"), step=step, params=("eta", "c"))

Because the rule is linear in the vectors, it is a linear state-space system in the form of
Lessard, Recht and Packard (2016), x_{k+1} = A_k x_k + B_k u_k, y_k = C_k x_k, with u_k the
gradient at y_k and A_k, B_k, C_k rational in the parameters (and possibly in the step k and
the horizon n). The one rule gives every tool its view of the method:

* :meth:`Method.matrices` -- (A, B, C, E) numerically, batched over parameter arrays (the
  exact worst case :mod:`lyapunov.pep` and the generic simulator run on them);
* :meth:`Method.symbolic` -- the same matrices as sympy expressions (validation, proofs);
* :meth:`Method.one_step` -- the symbolic step of a proof file
  (:class:`lyapunov.engine.OneStep`), exact; where the gradient is taken at a combination
  y of the state, on the state (y, the others but one) (:mod:`.proof_step`);
* the rule itself applied to numpy arrays, torch tensors or PEPit points.

``gradient_at`` names the state variable where the gradient is taken, or is a function of the
state (e.g. GSPA's ``y = (1 - beta) z + beta x``); ``output`` likewise names the iterate the
method returns (measured by ``last_gap`` and ``last_dist2``). ``start`` says which state
variables start at x_0 (1) and which at zero (0, a buffer). The step may also take the
keywords ``k`` (the step's index), ``n`` (the horizon) and ``L`` (the smoothness constant of
the function class), e.g. for OGM's step 1/L and its last-step weights.

A method is translation-equivariant (moving x_0 and f together moves every iterate), which the
toolkit's worst cases rely on: this is checked exactly when the method is built (the gradient
point and the output are affine combinations of the points, and points stay points).
"""

from __future__ import annotations

import inspect
import keyword
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from ..validate import RANGES, Range, as_array

__all__ = ["Method", "EXTRAS"]

#: the keywords a step (or a point function) may take besides the parameters
EXTRAS = ("k", "n", "L")

Point = str | Callable


def _identifier(what: str, name: object) -> str:
    if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
        raise ValueError(f"{what}: must be a Python identifier, got {name!r}")
    return name


@dataclass(frozen=True, eq=False)
class Method:
    """A first-order method: its state, its update rule and its parameters with their ranges.

    Parameters
    ----------
    name : short name (``"sgdm"``), used on the command line.
    state : names of the state vectors, e.g. ``("x", "z")``.
    step : ``step(*state, g, **params) -> next state`` (a tuple, one value per state vector;
        a single vector for a one-vector state), using ``+``, ``-`` and scalar ``*`` only.
    params : names of the parameters, passed to ``step`` as keywords.
    ranges : allowed range of each parameter (``"> 0"``, ``"in [0, 1)"``, ...); a parameter
        the toolkit knows (lr, momentum, eta, c, beta, nu, rho) has its usual range by default.
    gradient_at : the state variable where the gradient is taken, or a function
        ``(*state, **params) -> point`` (default: the first state variable).
    output : the state variable (or function of the state) that the method returns after n
        steps (default: ``gradient_at``).
    start : per state variable, 1 if it starts at x_0 (a point), 0 if at zero (a buffer);
        default all 1.
    title, torch, iterate, theorem : descriptions: the method's full name, the PyTorch (or
        reference package) call it equals, which of its points the optimizer's parameters
        are, the theorem that certifies a map between forms.
    gspa : for members of generalized SPA, ``(*params, k) -> (eta, c, beta)``.
    """

    name: str
    state: tuple[str, ...]
    step: Callable
    params: tuple[str, ...] = ()
    ranges: Mapping[str, str] = field(default_factory=dict)
    gradient_at: Point | None = None
    output: Point | None = None
    start: tuple[int, ...] | None = None
    title: str = ""
    torch: str = ""
    iterate: str = "x"
    theorem: str = ""
    gspa: Callable | None = None

    def __post_init__(self):
        _identifier("method name", self.name)
        state = tuple(self.state) if isinstance(self.state, (tuple, list)) else None
        if not state:
            raise ValueError(f"{self.name}: state must be a non-empty tuple of names")
        for s in state:
            _identifier(f"{self.name}: state variable", s)
        if len(set(state)) != len(state) or "g" in state:
            raise ValueError(f"{self.name}: state names must be distinct and not 'g', got {state}")
        object.__setattr__(self, "state", state)
        params = tuple(self.params)
        for p in params:
            _identifier(f"{self.name}: parameter", p)
            if p in EXTRAS or p in state or p == "g":
                raise ValueError(
                    f"{self.name}: parameter {p!r} clashes with a state name or a keyword the "
                    f"toolkit passes itself ({', '.join(EXTRAS)})"
                )
        object.__setattr__(self, "params", params)
        ranges: dict[str, Range] = {}
        for p in params:
            text = self.ranges.get(p) if isinstance(self.ranges, Mapping) else None
            if text is None and p not in RANGES:
                raise ValueError(
                    f"{self.name}: parameter {p!r} needs a range, e.g. ranges={{{p!r}: '> 0'}}"
                )
            try:
                ranges[p] = Range.parse(text) if text is not None else RANGES[p]
            except (TypeError, ValueError) as exc:
                raise ValueError(f"{self.name}: parameter {p}: {exc}") from None
        unknown = [p for p in (self.ranges or {}) if p not in params]
        if unknown:
            raise ValueError(f"{self.name}: ranges name unknown parameters {', '.join(unknown)}")
        object.__setattr__(self, "ranges", ranges)
        start = (1,) * len(state) if self.start is None else tuple(self.start)
        if len(start) != len(state) or any(s not in (0, 1) for s in start):
            raise ValueError(
                f"{self.name}: start must give 0 or 1 per state variable ({len(state)}), "
                f"got {self.start!r}"
            )
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "gradient_at", self.gradient_at or state[0])
        object.__setattr__(self, "output", self.output or self.gradient_at)
        for what in ("gradient_at", "output"):
            where = getattr(self, what)
            if isinstance(where, str) and where not in state:
                raise ValueError(
                    f"{self.name}: {what} {where!r} is not a state variable "
                    f"({', '.join(state)}) nor a function of the state"
                )
            if not isinstance(where, str) and not callable(where):
                raise ValueError(f"{self.name}: {what} must be a state name or a function")
        if not callable(self.step):
            raise ValueError(f"{self.name}: step must be a function")
        from .checks import check_method  # the exact well-formedness checks

        check_method(self)

    # -- parameters --------------------------------------------------------------------------
    def check_params(self, values: Mapping[str, object]) -> dict[str, np.ndarray]:
        """``values`` validated: every parameter given, none unknown, each in its range (arrays
        broadcast). ValueError naming the parameter and what is allowed otherwise."""
        if not isinstance(values, Mapping):
            raise TypeError(f"{self.name}: parameters must be given by name")
        extra = [p for p in values if p not in self.params]
        if extra:
            known = ", ".join(self.params) or "none"
            raise ValueError(
                f"{self.name}: unknown parameter {extra[0]!r} (its parameters are {known})"
            )
        missing = [p for p in self.params if p not in values]
        if missing:
            raise ValueError(
                f"{self.name}: missing parameter {missing[0]!r} "
                f"(its parameters are {', '.join(self.params)})"
            )
        out = {}
        for p in self.params:
            a = as_array(p, values[p])
            bad = ~self.ranges[p].ok(a)
            if bad.any():
                v = a[bad].ravel()[0] if a.ndim else a
                raise ValueError(f"{p}: must be {self.ranges[p].text}, got {float(v)!r}")
            out[p] = a
        return out

    def example(self) -> dict[str, float]:
        """A point inside every parameter's range."""
        return {p: self.ranges[p].example() for p in self.params}

    # -- the rule, applied -------------------------------------------------------------------
    def _accepts(self, fn: Callable) -> tuple[str, ...]:
        """The keywords (parameters and ``EXTRAS``) that ``fn`` takes."""
        names = (*self.params, *EXTRAS)
        try:
            sig = inspect.signature(fn).parameters
        except (TypeError, ValueError):
            return self.params
        if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in sig.values()):
            return (*self.params, *(x for x in EXTRAS if x in sig))
        return tuple(n for n in names if n in sig)

    def needs(self) -> tuple[str, ...]:
        """Which of ``k``, ``n``, ``L`` the rule (or its points) use."""
        fns = [self.step] + [w for w in (self.gradient_at, self.output) if callable(w)]
        return tuple(x for x in EXTRAS if any(x in self._accepts(fn) for fn in fns))

    def _call(self, fn: Callable, args: tuple, values: Mapping, k, n, L):
        extras = {"k": k, "n": n, "L": L}
        kw = {}
        for x in self._accepts(fn):
            v = values[x] if x in self.params else extras[x]
            if v is None:
                raise ValueError(f"{self.name}: its rule needs {x}, which was not given")
            kw[x] = v
        return fn(*args, **kw)

    def apply(self, state: tuple, g, values: Mapping, *, k=0, n=None, L=None) -> tuple:
        """One step of the rule on any vectors (numbers, arrays, sympy, torch, PEPit points)."""
        out = self._call(self.step, (*state, g), values, k, n, L)
        if len(self.state) == 1 and not isinstance(out, (tuple, list)):
            out = (out,)
        if not isinstance(out, (tuple, list)) or len(out) != len(self.state):
            got = len(out) if isinstance(out, (tuple, list)) else 1
            raise ValueError(
                f"{self.name}: step must return one value per state variable "
                f"({len(self.state)}: {', '.join(self.state)}), got {got}"
            )
        return tuple(out)

    def point(self, where: Point, state: tuple, values: Mapping, *, k=0, n=None, L=None):
        """The point ``where`` (``gradient_at`` or ``output``) of a state."""
        if isinstance(where, str):
            return state[self.state.index(where)]
        return self._call(where, tuple(state), values, k, n, L)

    def gradient_point(self, state: tuple, values: Mapping, *, k=0, n=None, L=None):
        """Where the gradient is taken, y_k."""
        return self.point(self.gradient_at, state, values, k=k, n=n, L=L)

    def output_point(self, state: tuple, values: Mapping, *, k=0, n=None, L=None):
        """The iterate the method returns."""
        return self.point(self.output, state, values, k=k, n=n, L=L)

    # -- state-space matrices ------------------------------------------------------------
    def matrices(self, values: Mapping, *, k=0, n=None, L=None):
        """(A, B, C, E) of step k: x_{k+1} = A x_k + B g_k, y_k = C x_k, output E x_k.

        With parameter arrays of shape S (broadcast), A has shape S + (s, s), B, C and E
        shape S + (s,), s the number of state vectors. Parameters are taken as given (see
        :meth:`check_params`).
        """
        s = len(self.state)
        vals = {p: np.asarray(values[p], dtype=float)[..., None] for p in self.params}
        eye = np.eye(s + 1)
        units = tuple(eye[i] for i in range(s))
        with np.errstate(all="ignore"):
            nxt = self.apply(units, eye[s], vals, k=k, n=n, L=L)
            C = self.gradient_point(units, vals, k=k, n=n, L=L)
            E = self.output_point(units, vals, k=k, n=n, L=L)
        shape = np.broadcast_shapes(*(np.shape(v) for v in vals.values()), (s + 1,))
        rows = [np.broadcast_to(np.asarray(r, dtype=float), shape) for r in nxt]
        AB = np.stack(rows, axis=-2)  # S + (s, s + 1)
        C = np.broadcast_to(np.asarray(C, dtype=float), shape)[..., :s]
        E = np.broadcast_to(np.asarray(E, dtype=float), shape)[..., :s]
        return AB[..., :s], AB[..., s], C, E

    def _units(self):
        """Sympy unit vectors of length s + 1: one per state variable, then the gradient."""
        s = len(self.state)
        eye = [
            np.array([sp.Integer(int(i == j)) for j in range(s + 1)], dtype=object)
            for i in range(s + 1)
        ]
        return tuple(eye[:s]), eye[s]

    def _coefficients(self, v) -> list:
        """The exact coefficients (cancelled) of a vector given on the units of ``_units``."""
        s = len(self.state)
        v = np.asarray(v, dtype=object)
        if v.shape != (s + 1,):
            raise ValueError(
                f"{self.name}: the rule must give vectors (one per state variable), got "
                f"something of shape {v.shape}"
            )
        return [sp.cancel(sp.sympify(e)) for e in v]

    def _symbols(self, values: Mapping | None) -> Mapping:
        return {p: sp.Symbol(p, real=True) for p in self.params} if values is None else values

    def symbolic_point(self, where: Point, values: Mapping | None = None, *, k=0, n=None, L=None):
        """The weights of the point ``where`` (``gradient_at``, ``output``) on the state, a
        1 x s sympy row: the point is ``sum_s w_s s``."""
        units, _ = self._units()
        w = self._coefficients(self.point(where, units, self._symbols(values), k=k, n=n, L=L))
        return sp.Matrix([w[: len(self.state)]])

    def symbolic(self, values: Mapping | None = None, *, k=0, n=None, L=None):
        """(A, B, C, E) as sympy matrices, in the parameter symbols (default: symbols named
        like the parameters) or in the given ``values``."""
        s = len(self.state)
        values = self._symbols(values)
        units, g = self._units()
        nxt = [self._coefficients(r) for r in self.apply(units, g, values, k=k, n=n, L=L)]
        C = self.symbolic_point(self.gradient_at, values, k=k, n=n, L=L)
        E = self.symbolic_point(self.output, values, k=k, n=n, L=L)
        A = sp.Matrix([r[:s] for r in nxt])
        B = sp.Matrix([r[s] for r in nxt])
        return A, B, C, E

    # -- proofs ----------------------------------------------------------------------------
    def region(self, values: Mapping) -> list:
        """The parameters' ranges as sympy relations on ``values`` (symbols or expressions by
        parameter name), for a theorem's region."""
        out = []
        for p in self.params:
            out.extend(self.ranges[p].relations(values[p]))
        return out

    def one_step(
        self,
        sigma2,
        values: Mapping | None = None,
        *,
        k=0,
        n=None,
        L=None,
        eliminate: str | None = None,
    ):
        """The symbolic step of a proof file (:class:`lyapunov.engine.OneStep`), exact.

        ``values`` gives each parameter as a symbol or expression (default: a positive real
        symbol per parameter). Where the gradient is taken at a state variable, the step is on
        the method's own state, points ``step.<state>`` and ``step.<state>1``. Where it is
        taken at a combination y = sum_s w_s s of the state (GSPA, schedule-free SGD, triple
        momentum), the step is on the state (y, the other variables but one, s0), with
        s0 = (y - sum_{s != s0} w_s s) / w_s0 and the gradient at ``step.y``: see
        :func:`lyapunov.methods.proof_step.gradient_state` (``eliminate`` names s0).
        """
        from .proof_step import one_step

        return one_step(self, sigma2, values, k=k, n=n, L=L, eliminate=eliminate)

    def __repr__(self) -> str:
        return f"Method({self.name!r}, state={self.state}, params={self.params})"
