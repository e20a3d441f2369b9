"""One dispatcher from a method of the registry to its certified bound calculator.

    >>> from lyapunov.bounds import certified_bound
    >>> certified_bound("nesterov", lr=0.01, momentum=0.9, L=1.0, sigma2=0.01, steps=1000, gap=1.0)
    >>> certified_bound("sgdm", schedule={"lr": lrs}, momentum=0.9, L=1.0, sigma2=0.01, gap=1.0)

A method is named as in :mod:`lyapunov.methods.registry` and takes its parameters under the
registry's names (``get(method).params``). Constant parameters are numbers or arrays (broadcast
like numpy, as by the calculators themselves) and need ``steps``; per-step parameters go in
``schedule`` (1-D arrays, one value per step: the number of steps is their length) and the
other parameters stay numbers. The value is the calculator's, bit for bit: the dispatcher only
chooses the function and passes the arguments.

What is bounded is chosen by two keywords, each a key of a table:

* ``function_class``: the functions and noise the bound holds for (:data:`FUNCTION_CLASSES`);
* ``measure``: the quantity bounded (:data:`MEASURES`);

and :data:`CALCULATORS` gives, per (function class, measure), the :class:`Calculator` of each
method. A new method is one :class:`Calculator` entry (its parameters are the registry's); a
new function class or measure is one entry of :data:`FUNCTION_CLASSES` or :data:`MEASURES`
plus its calculators in :data:`CALCULATORS`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..measures import MEASURES as MEASURE_DEFS
from ..methods.registry import FAMILY, METHODS, get, to_gspa
from ..validate import as_array, check_steps, same_length
from .best import (
    BestStep,
    best_gspa_eta,
    best_nesterov_lr,
    best_qhm_lr,
    best_sgd_lr,
    best_sgdm_lr,
    best_spa_eta,
)
from .classes import MEASURES as CLASS_MEASURES
from .classes import class_bound, class_measure, class_theorems, no_theorem
from .constant import sgd, smooth_only, spa
from .family import gspa, gspa_schedule, nesterov, qhm, schedule_free, sgdm
from .schedule import AVERAGES, sgdm_schedule, spa_schedule

__all__ = [
    "Calculator",
    "CALCULATORS",
    "FAMILY",
    "FUNCTION_CLASSES",
    "CLASS_MEASURES",
    "MEASURES",
    "NoCalculatorError",
    "best_step",
    "calculator",
    "certified_bound",
    "check_params",
    "gradient_point",
    "methods",
    "no_best",
]

#: the classes of problems a bound can hold for: name -> what it means (the classes other
#: than "smooth": :mod:`.classes`, each class's facts in lyapunov.engine.kernel.classes)
FUNCTION_CLASSES: dict[str, str] = {
    "smooth": "every L-smooth f with f(x_0) - inf f <= gap and unbiased gradient noise of "
    "variance <= sigma2, the momentum buffer starting at zero",
    # the classes with a last-iterate or average-gap bound (:mod:`.classes`), each with
    # unbiased gradient noise of variance <= sigma2
    "smooth_convex": "every L-smooth convex f with a minimiser x_*, |x_0 - x_*| <= distance",
    "smooth_strongly_convex": "every L-smooth mu-strongly convex f (0 < mu < L), "
    "|x_0 - x_*| <= distance",
    "pl": "every L-smooth f with f(x) - inf f <= |grad f(x)|^2 / (2 mu) (0 < mu <= L) and "
    "f(x_0) - inf f <= gap",
    "convex_lipschitz": "every convex G-Lipschitz f with a minimiser x_*, |x_0 - x_*| <= "
    "distance (subgradients)",
}

#: the quantities a bound can be on: name -> what it means (formulas: lyapunov.measures)
MEASURES: dict[str, str] = {
    "avg_grad2": "(1/steps) sum_{k<steps} E|grad f(p_k)|^2, p_k the point where the k-th "
    "gradient is taken (x_k; y_k for the members of FAMILY); with a schedule and "
    "average='weighted', the average weighted by the certified per-step rates",
    **{
        name: f"E[{MEASURE_DEFS[name].formula}]"
        for name in dict.fromkeys(m for ms in CLASS_MEASURES.values() for m in ms)
        if name != "avg_grad2"
    },
}


class NoCalculatorError(ValueError):
    """No certified calculator for this request (method, schedule, class, measure); the
    message names what was asked and what is available."""


@dataclass(frozen=True)
class Calculator:
    """The calculators of one method: functions of :mod:`lyapunov.bounds`, called by keyword.

    * ``constant(**params, L=, sigma2=, steps=, gap=, detail=)``: constant parameters;
    * ``schedule(**per_step, L=, sigma2=, gap=, detail=, average=)``: per-step parameters
      (``None``: no certified calculator). It takes the method's own parameters or, with
      ``coordinates``, those of the registry's GSPA coordinates (eta, c, beta) of them (SGD:
      ``spa_schedule`` at eta = lr, c = 1);
    * ``fixed``: parameters the schedule calculator takes as numbers, never per step;
    * ``best(**other params, L=, sigma2=, steps=, gap=)``: the method's first parameter (its
      step) minimising the bound (``None``: no search, ``no_best`` says why).
    """

    constant: Callable[..., Any]
    schedule: Callable[..., Any] | None = None
    coordinates: tuple[str, ...] = ()
    fixed: tuple[str, ...] = ()
    best: Callable[..., BestStep] | None = None
    no_best: str = ""


#: (function class, measure) -> method -> its calculators
CALCULATORS: dict[tuple[str, str], dict[str, Calculator]] = {
    ("smooth", "avg_grad2"): {
        "sgd": Calculator(sgd, spa_schedule, coordinates=("eta", "c"), best=best_sgd_lr),
        "sgdm": Calculator(sgdm, sgdm_schedule, best=best_sgdm_lr),
        "heavy_ball": Calculator(sgdm, sgdm_schedule, best=best_sgdm_lr),  # P1: SGD+M
        "spa": Calculator(spa, spa_schedule, best=best_spa_eta),
        "nesterov": Calculator(nesterov, best=best_nesterov_lr),
        "qhm": Calculator(qhm, best=best_qhm_lr),
        "schedule_free": Calculator(
            schedule_free,
            no_best="its bound runs theorem P12 backwards over every step of the horizon, "
            "too slow to search: compare a few values of lr",
        ),
        "gspa": Calculator(gspa, gspa_schedule, fixed=("beta",), best=best_gspa_eta),
    },
}


def _choice(what: str, value: object, table: Mapping[str, object]) -> str:
    if not isinstance(value, str) or value not in table:
        raise ValueError(
            f"{what}: unknown {what.replace('_', ' ')} {value!r}, choose from {', '.join(table)}"
        )
    return value


def _table(function_class: str, measure: str) -> dict[str, Calculator]:
    """The calculators of one (function class, measure); ValueError naming the choices."""
    fc = _choice("function_class", function_class, FUNCTION_CLASSES)
    ms = _choice("measure", measure, MEASURES)
    if (fc, ms) not in CALCULATORS:
        have = ", ".join(f"{a}/{b}" for a, b in CALCULATORS)
        raise NoCalculatorError(
            f"no calculators for function_class={fc!r} with measure={ms!r} "
            f"(function_class/measure available: {have})"
        )
    return CALCULATORS[fc, ms]


def methods(*, function_class: str = "smooth", measure: str | None = None) -> tuple[str, ...]:
    """The methods with a certified calculator for ``function_class`` and ``measure`` (in a
    class other than "smooth", ``None``: any of the class's measures)."""
    if function_class not in CLASS_MEASURES or function_class == "smooth":
        return tuple(_table(function_class, measure or "avg_grad2"))
    return tuple(
        dict.fromkeys(
            m for m, c, ms in class_theorems() if c == function_class and measure in (None, ms)
        )
    )


def _entry(method: str, function_class: str, measure: str) -> Calculator:
    """The :class:`Calculator` of ``method``; ValueError naming it and the choices otherwise."""
    table = _table(function_class, measure)
    if isinstance(method, str) and method in table:
        return table[method]
    known = isinstance(method, str) and method in METHODS
    what = "no certified calculator for method" if known else "unknown method"
    error = NoCalculatorError if known else ValueError
    raise error(f"method: {what} {method!r}, choose from {', '.join(table)}")


def calculator(
    method: str,
    *,
    schedule: Mapping[str, object] | None = None,
    function_class: str = "smooth",
    measure: str = "avg_grad2",
) -> Callable[..., Any]:
    """The function :func:`certified_bound` calls for ``method`` (with per-step parameters
    named by ``schedule``'s keys, if given), e.g. ``calculator("heavy_ball") is bounds.sgdm``.
    :class:`NoCalculatorError` (a ValueError) saying what is available where there is none.
    """
    return _resolve(method, schedule, function_class, measure)[1]


def _resolve(
    method: str, schedule: Mapping[str, object] | None, function_class: str, measure: str
) -> tuple[Calculator, Callable[..., Any]]:
    entry = _entry(method, function_class, measure)
    if schedule is None:
        return entry, entry.constant
    if entry.schedule is None:
        have = [m for m, e in _table(function_class, measure).items() if e.schedule is not None]
        raise NoCalculatorError(
            f"no calculator for {method} with a schedule (schedules: {', '.join(have)})"
        )
    per_step = [name for name in entry.fixed if name in schedule]
    if per_step:
        raise NoCalculatorError(
            f"no calculator for {method} with a schedule of "
            f"{', '.join(per_step)} (it must stay a number)"
        )
    return entry, entry.schedule


def no_best(method: str, *, function_class: str = "smooth", measure: str = "avg_grad2") -> str:
    """Why :func:`best_step` cannot search the step of ``method`` (one line naming the methods
    it can search), or "" where it can."""
    table = _table(function_class, measure)
    entry = _entry(method, function_class, measure)
    if entry.best is not None:
        return ""
    have = ", ".join(m for m, e in table.items() if e.best is not None)
    why = f": {entry.no_best}" if entry.no_best else ""
    return f"no best-step search for {method}{why} (available: {have})"


def gradient_point(method: str) -> str:
    """``"y"`` for the members of :data:`FAMILY` (the bound is on the gradients at y_k, the
    optimizer's parameters), else ``"x"``."""
    return "y" if get(method).name in FAMILY else "x"


def check_params(
    method: str,
    given: Mapping[str, object],
    *,
    required: bool = True,
    free: tuple[str, ...] = (),
    prefix: str = "",
) -> None:
    """ValueError unless ``given`` (name -> value, ``None``: not given) holds exactly the
    registry's parameters of ``method``: one that does not apply, or (with ``required``) one
    missing that is not in ``free``. ``prefix`` spells the names (the CLI: ``"--"``)."""
    needed = get(method).params
    for name, value in given.items():
        if value is not None and name not in needed:
            takes = ", ".join(prefix + n for n in needed)
            raise ValueError(f"{prefix}{name} does not apply to method {method} (it takes {takes})")
    for name in needed if required else ():
        if given.get(name) is None and name not in free:
            raise ValueError(f"{prefix}{name} is required for method {method}")


def certified_bound(
    method: str,
    *,
    L=None,
    sigma2,
    gap=None,
    steps=None,
    schedule: Mapping[str, object] | None = None,
    average: str = "uniform",
    detail: bool = False,
    function_class: str = "smooth",
    measure: str | None = None,
    mu=None,
    G=None,
    distance=None,
    **params,
):
    """The certified bound for ``method`` with ``params`` (the registry's names): the value of
    its calculator in :mod:`lyapunov.bounds` (``inf`` where no certified theorem covers it).

    Constant parameters: numbers or arrays, broadcast like numpy, over ``steps`` steps.
    ``schedule``: per-step values of some parameters (name -> 1-D array; the number of steps is
    their length, and ``steps``, if given, must equal it); the other parameters are numbers.
    ``average``: ``"uniform"`` or, for a schedule, ``"weighted"`` (see ``spa_schedule``).
    ``detail=True`` returns a :class:`~lyapunov.bounds.BoundResult` (value and theorem).
    ``function_class`` and ``measure``: what is bounded, keys of :data:`FUNCTION_CLASSES` and
    :data:`MEASURES` (``measure=None``: avg_grad2 for "smooth", else the first one certified
    for the method in the class); a class other than "smooth" takes its constants ``mu``,
    ``G``, ``distance`` = |x_0 - x_*| (and ``gap``) and goes to
    :func:`~lyapunov.bounds.classes.class_bound`. Bad input raises ValueError naming the value
    and what is allowed (:class:`NoCalculatorError` where no calculator exists, e.g. for a
    schedule of QHM or for Nesterov's SGD on smooth convex functions).
    """
    if function_class in CLASS_MEASURES and function_class != "smooth":
        return _class_bound(method, function_class, measure, schedule, average, detail,
                            dict(L=L, sigma2=sigma2, gap=gap, steps=steps, mu=mu, G=G,
                                 distance=distance), params)  # fmt: skip
    if measure is not None:
        _choice("measure", measure, MEASURES)
    if function_class == "smooth":
        smooth_only(measure, mu=mu, G=G, distance=distance)
    entry, fun = _resolve(method, schedule, function_class, measure or "avg_grad2")
    if average not in AVERAGES:
        raise ValueError(f"average: must be one of {', '.join(AVERAGES)}, got {average!r}")
    per_step = dict(schedule or {})
    twice = [name for name in per_step if name in params]
    if twice:
        raise ValueError(f"{twice[0]}: given both as a number and in schedule: give one")
    check_params(method, {**params, **per_step})
    common = {"L": L, "sigma2": sigma2, "gap": gap, "detail": detail}
    if schedule is None:
        if average != "uniform":
            raise ValueError(
                f"average: {average!r} applies to a schedule (per-step rates); constant "
                "parameters give the uniform average"
            )
        if steps is None:
            raise ValueError("steps: required with constant parameters (per-step: schedule=)")
        return fun(**params, steps=steps, **common)
    args = _schedule_args(method, entry, per_step, params, steps)
    return fun(**args, average=average, **common)


def _class_bound(method, function_class, measure, schedule, average, detail, common, params):
    """:func:`certified_bound` in a class other than "smooth" (constant parameters only)."""
    _choice("function_class", function_class, FUNCTION_CLASSES)
    if measure is not None:
        _choice("measure", measure, MEASURES)
    _entry(method, "smooth", "avg_grad2")  # a method of the registry with a calculator
    name = calculator(method).__name__  # heavy_ball is SGD+M
    missing = no_theorem(name, function_class, class_measure(name, function_class, measure))
    if missing:
        raise NoCalculatorError(missing)
    if schedule is not None or average != "uniform":
        raise NoCalculatorError(
            f"schedule: no certified calculator for a schedule in function_class="
            f"{function_class!r} (constant parameters only)"
        )
    check_params(method, params)
    return class_bound(name, function_class=function_class, measure=measure, detail=detail,
                       **common, **params)  # fmt: skip


def _schedule_args(
    method: str, entry: Calculator, per_step: dict, constants: dict, steps
) -> dict[str, Any]:
    """The keywords of ``entry.schedule``: every parameter one value per step except the
    ``fixed`` ones (numbers); the registry's GSPA coordinates of them where the calculator
    takes ``coordinates``."""
    if not per_step:
        raise ValueError("schedule: give at least one parameter per step")
    arrays = {name: as_array(name, v) for name, v in per_step.items()}
    n = same_length(**arrays)
    if steps is not None and int(check_steps(steps)) != n:
        raise ValueError(f"steps: {steps} given but the schedule has {n} values (one per step)")
    values: dict[str, Any] = dict(arrays)
    for name, v in constants.items():
        if np.ndim(v) != 0:
            raise ValueError(
                f"{name}: must be a number next to a schedule (per-step values go "
                f"in schedule), got shape {np.shape(v)}"
            )
        number = float(as_array(name, v))
        values[name] = number if name in entry.fixed else np.full(n, number)
    if not entry.coordinates:
        return values
    eta, c, beta = to_gspa(method, k=np.arange(n), **values)
    coords = {"eta": eta, "c": c, "beta": beta}
    return {name: coords[name] for name in entry.coordinates}


def best_step(
    method: str,
    *,
    L,
    sigma2,
    steps,
    gap,
    function_class: str = "smooth",
    measure: str | None = None,
    **params,
) -> BestStep:
    """The step (the method's first parameter: lr or eta) minimising the certified bound at
    the other ``params``, and the bound there (:class:`~lyapunov.bounds.BestStep`); e.g.
    ``best_step("sgdm", momentum=0.9, L=1, sigma2=0.01, steps=1000, gap=1)``."""
    if function_class != "smooth":
        _choice("function_class", function_class, FUNCTION_CLASSES)
        raise NoCalculatorError(
            f"function_class: no best-step search in {function_class!r} (it searches the "
            "bounds of function_class='smooth' only)"
        )
    entry = _entry(method, function_class, measure or "avg_grad2")
    if entry.best is None:
        raise NoCalculatorError(no_best(method))
    step = get(method).params[0]
    if params.get(step) is not None:
        raise ValueError(f"{step}: best_step finds it: do not give it")
    check_params(method, params, free=(step,))
    return entry.best(**params, L=L, sigma2=sigma2, steps=steps, gap=gap)
