r"""Monte-Carlo confirmation of the certified last-iterate bounds in the convex, strongly convex,
PL and Lipschitz classes (:mod:`lyapunov.bounds.classes`).

For an objective of a class (:class:`lyapunov.objectives.ClassObjective`: its constants, x_*
and f_* known), a method with a certified class bound (SGD: P13, P14, P15; schedule-free SGD:
P16) and each horizon n, run R i.i.d. seeded runs of ``lyapunov.sim.simulate`` (Gaussian
gradient noise with E|xi_k|^2 = sigma2, the same x_0) and take per run the measure at the
method's output point x_n (SGD's iterate; schedule-free's averaged point x, the
``SimResult.x_eval`` of the GSPA members):

    Y_r = f(x_n) - f_*   (``last_gap``)     or     Y_r = |x_n - x_*|^2   (``last_dist2``).

The simulated value is the mean of the Y_r with the normal-approximation two-sided interval at
``level`` (default 99%): mean +- z sd / sqrt(R), z = Phi^{-1}(1 - (1 - level)/2), sd with
ddof = 1. The bound is the certified one at the same parameters with distance = |x_0 - x_*| and
gap = f(x_0) - f_* of the objective, exactly (``class_bound``). The verdict per n is
:func:`lyapunov.confirm.outcome`: ``confirmed`` when ci_high <= bound, ``violated`` when
ci_low > bound or a run diverged, ``inconclusive`` when the interval straddles the bound.

Each horizon is its own simulation of n steps. The noise of run s at step k is a pure
function of (seed, s, k, coordinate) (:mod:`lyapunov.sim.noise`), so the run of n steps is the
first n steps of every longer run: the horizons share their random numbers, as if the output
point were recorded along one run.

:func:`worst_cases` gives the exact worst case of the same measure over the whole class
(``lyapunov.pep``, deterministic: sigma2 = 0) at the objective's constants and distance / gap.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..bounds.classes import MEASURES, class_bound
from ..confirm import outcome
from ..objectives import ClassObjective, make
from ..sim import simulate
from ..validate import check_steps

__all__ = ["ClassConfirmation", "confirm_class", "worst_cases", "bound_inputs"]


@dataclass(frozen=True)
class ClassConfirmation:
    """Per horizon ``n[i]``: the certified ``bound[i]``, the simulated ``mean[i]`` with its
    interval [``ci_low[i]``, ``ci_high[i]``] and the number of ``diverged[i]`` runs."""

    objective: str
    method: str
    function_class: str
    measure: str
    params: dict[str, float]
    constants: dict[str, float]
    sigma2: float
    distance: float
    gap: float
    runs: int
    seed: int
    level: float
    n: np.ndarray
    bound: np.ndarray
    mean: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    diverged: np.ndarray = field(repr=False)

    def outcomes(self, bound=None) -> list[str]:
        """:func:`lyapunov.confirm.outcome` per horizon, against ``bound`` (default the
        certified one; any array of the same length, e.g. to see that a smaller "bound" is
        detected as violated)."""
        b = self.bound if bound is None else np.broadcast_to(np.asarray(bound, float), self.n.shape)
        return [
            outcome(lo, hi, float(bi), int(dv))[0]
            for lo, hi, bi, dv in zip(self.ci_low, self.ci_high, b, self.diverged, strict=True)
        ]

    @property
    def confirmed(self) -> bool:
        """Every horizon confirmed: its whole interval lies under the certified bound."""
        return all(o == "confirmed" for o in self.outcomes())


def _z(level: float) -> float:
    from scipy.stats import norm

    if not (isinstance(level, float) and 0 < level < 1):
        raise ValueError(f"level: must be a float in (0, 1), got {level!r}")
    return float(norm.ppf(1 - (1 - level) / 2))


def _objective(objective) -> ClassObjective:
    obj = make(objective) if isinstance(objective, str) else objective
    if not isinstance(obj, ClassObjective):
        raise ValueError(
            f"objective: must be a ClassObjective (lyapunov.objectives.CLASS_OBJECTIVES), "
            f"got {objective!r}"
        )
    return obj


def bound_inputs(
    objective: ClassObjective, function_class: str | None, measure: str | None, x0=None
) -> tuple[str, str, dict[str, float]]:
    """(function_class, measure, inputs) with inputs the class's constants and the
    objective's distance = |x_0 - x_*| and gap = f(x_0) - f_*."""
    function_class = objective.function_class if function_class is None else function_class
    consts = objective.constants(function_class)
    if function_class not in MEASURES or function_class == "smooth":
        raise ValueError(
            f"function_class: must be a class with a last-iterate bound "
            f"({', '.join(c for c in MEASURES if c != 'smooth')}), got {function_class!r}"
        )
    measure = MEASURES[function_class][0] if measure is None else measure
    inputs = {**consts, "distance": objective.distance(x0), "gap": objective.gap(x0)}
    return function_class, measure, inputs


def _measure(obj: ClassObjective, X: np.ndarray, measure: str) -> np.ndarray:
    if measure == "last_gap":
        return obj.f(X) - obj.f_star
    return np.sum((X - obj.x_star) ** 2, axis=-1)


def confirm_class(
    objective: ClassObjective | str,
    method: str = "sgd",
    *,
    steps,
    lr: float,
    momentum: float | None = None,
    sigma2: float = 0.0,
    function_class: str | None = None,
    measure: str | None = None,
    runs: int = 1000,
    seed: int = 0,
    level: float = 0.99,
    x0=None,
    engine: str = "auto",
) -> ClassConfirmation:
    """The certified bound and the simulated mean with its interval at each horizon in
    ``steps`` (an int or a sequence of ints >= 1); module docstring.

    ``function_class`` defaults to the objective's main class and must be one it declares;
    ``measure`` to the class's measure. ValueError (from the calculator) where no certified
    theorem exists for the method in that class.
    """
    obj = _objective(objective)
    function_class, measure, inputs = bound_inputs(obj, function_class, measure, x0)
    ns = np.atleast_1d(check_steps(steps)).astype(int)
    z = _z(level)
    params = {"lr": lr} if momentum is None else {"lr": lr, "momentum": momentum}
    common = {"function_class": function_class, "measure": measure, **params}
    bound = np.atleast_1d(class_bound(method, sigma2=sigma2, steps=ns, **common, **inputs))
    stats = np.empty((len(ns), 4))
    for i, n in enumerate(ns):
        res = simulate(obj, method, steps=int(n), runs=runs, seed=seed, sigma2=sigma2, x0=x0,
                       record=(), engine=engine, **params)  # fmt: skip
        out = res.x if res.x_eval is None else res.x_eval
        Y = _measure(obj, out[0], measure)
        alive = ~res.diverged[0]
        y = Y[alive]
        mean = float(np.mean(y)) if y.size else np.nan
        half = z * float(np.std(y, ddof=1)) / np.sqrt(y.size) if y.size > 1 else np.inf
        stats[i] = mean, mean - half, mean + half, np.sum(~alive)
    return ClassConfirmation(
        objective=obj.name, method=method, function_class=function_class, measure=measure,
        params=dict(params), constants=obj.constants(function_class), sigma2=float(sigma2),
        distance=inputs["distance"], gap=inputs["gap"], runs=runs, seed=seed, level=level,
        n=ns, bound=bound, mean=stats[:, 0], ci_low=stats[:, 1], ci_high=stats[:, 2],
        diverged=stats[:, 3].astype(int),
    )  # fmt: skip


def worst_cases(
    objective: ClassObjective | str, method: str = "sgd", *, steps, **options
) -> np.ndarray:
    """The exact worst case of the measure after n steps (each n of ``steps``) of the
    deterministic method over the whole class, at the objective's constants, distance and gap
    (``lyapunov.pep.solve`` over the gradient points and the output point; for ``pl`` a
    relaxation, an upper bound on the worst case).

    ``options``: the method's parameters by name (e.g. lr, momentum) and optionally
    ``function_class``, ``measure`` and ``x0`` as in :func:`confirm_class`.
    """
    from .. import pep

    obj = _objective(objective)
    cls, measure, inputs = bound_inputs(
        obj,
        options.pop("function_class", None),
        options.pop("measure", None),
        options.pop("x0", None),
    )
    consts = {"L": inputs.get("L"), "mu": inputs.get("mu"), "G": inputs.get("G")}
    start = {"gap": inputs["gap"]} if cls == "pl" else {"distance": inputs["distance"]}
    common = {"function_class": cls, "measure": measure, "points": "gradient", **consts, **start}
    ns = np.atleast_1d(check_steps(steps)).astype(int)
    return np.array([pep.solve(method, options, steps=int(n), **common).value for n in ns])
