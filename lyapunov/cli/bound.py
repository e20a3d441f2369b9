"""``lyapunov bound``: the certified bound for your hyper-parameters, constant or scheduled.

Parsing and printing only: the parameters are checked by :func:`lyapunov.bounds.dispatch.
check_params`, schedules built by :mod:`lyapunov.bounds.schedule_input` and the bound computed
by :func:`lyapunov.bounds.dispatch.certified_bound` (:func:`~lyapunov.bounds.dispatch.
best_step` for ``--best``).
"""

from __future__ import annotations

import math
import warnings

import click
import numpy as np

from ..bounds import dispatch
from ..bounds.schedule import AVERAGES, UniformAverageWarning
from ..bounds.schedule_input import schedule_input
from ..methods.registry import FAMILY, get
from ..sim.schedules import NAMES as SCHEDULES
from ..validate import RANGES
from .common import EXIT_OK, CliUsageError, echo_json, usage_errors

__all__ = ["command", "CHOICES"]

#: every function class with the measures its calculators bound (the dispatcher's table)
CLASS_MEASURES = dispatch.CLASS_MEASURES
CLASSES = tuple(CLASS_MEASURES)

#: the methods `bound` takes: those with a calculator of their own name (heavy ball has SGD+M's)
CHOICES = tuple(sorted(m for m in dispatch.methods() if dispatch.calculator(m).__name__ == m))
#: the methods whose step --schedule and --schedule-file vary (gradients at x_k)
_STEPPED = tuple(m for m in CHOICES if m not in FAMILY)
#: the methods whose step --best searches (those with a search in the dispatch table)
_BEST = tuple(m for m in CHOICES if not dispatch.no_best(m))

#: what each method parameter is; --help adds its range and the methods that take it
_MEANING = {
    "lr": "Learning rate (PyTorch's lr)",
    "momentum": "PyTorch momentum",
    "eta": "SPA step eta",
    "c": "SPA averaging weight c",
    "nu": "QHM's nu",
    "beta": "GSPA's beta (where the gradient is taken)",
}


def _param_help(name: str) -> str:
    """--help of a method parameter, from the registry: its range and the methods taking it."""
    takes = [m for m in CHOICES if name in get(m).params]
    text = f"{_MEANING[name]}, {RANGES[name].text} ({', '.join(takes)})"
    if any(get(m).params[0] == name for m in takes if m in _STEPPED):
        text += "; a schedule's first value"
    return text + "."


def _param(name: str):
    return click.option(f"--{name}", name, type=float, help=_param_help(name))


@click.command()
@click.argument("method", type=click.Choice(CHOICES))
@_param("lr")
@_param("momentum")
@click.option(
    "--nesterov",
    is_flag=True,
    help=f"sgdm with Nesterov momentum, {get('nesterov').torch} (method nesterov).",
)
@_param("eta")
@_param("c")
@_param("nu")
@_param("beta")
@click.option(
    "--L", "L", type=float, help="Smoothness constant L > 0 (every class but convex_lipschitz)."
)
@click.option(
    "--sigma2", type=float, default=0.0, show_default=True, help="Gradient noise variance bound."
)
@click.option(
    "--steps",
    type=int,
    default=None,
    help="Number of steps n >= 1 (default with a file: its rows).",
)
@click.option(
    "--gap",
    type=float,
    help="f(x_0) - inf f (class smooth and pl; sgdm and spa in smooth_convex: default "
    "L distance^2/2).",
)
@click.option(
    "--class",
    "function_class",
    type=click.Choice(CLASSES),
    default="smooth",
    show_default=True,
    help="Function class of f: "
    + "; ".join(f"{c}: {', '.join(m)}" for c, m in CLASS_MEASURES.items())
    + " (its measures, the first the default).",
)
@click.option(
    "--measure",
    type=click.Choice(list(dispatch.MEASURES)),
    default=None,
    help="What is bounded: "
    + "; ".join(f"{m} = {text.split(',')[0]}" for m, text in dispatch.MEASURES.items())
    + ".",
)
@click.option("--mu", type=float, help="smooth_strongly_convex: 0 < mu < L; pl: 0 < mu <= L.")
@click.option("--G", "G", type=float, help="convex_lipschitz: Lipschitz constant G > 0.")
@click.option("--distance", type=float, help="Convex classes: |x_0 - x_*| >= 0 (required there).")
@click.option(
    "--best",
    is_flag=True,
    help=f"Find the step (lr or eta) minimising the bound ({', '.join(_BEST)}).",
)
@click.option(
    "--schedule",
    type=click.Choice(list(SCHEDULES)),
    default=None,
    help="Schedule the step (lr, or eta for spa) over the steps: cosine from --lr to --final "
    "(CosineAnnealingLR), step (x --gamma at each of --milestones, MultiStepLR), linear from "
    "--lr to --final.",
)
@click.option("--final", type=float, default=None, help="cosine (default 0), linear: last value.")
@click.option("--milestones", type=str, default=None, help="step: steps k, e.g. 500,750.")
@click.option(
    "--gamma", type=float, default=0.1, show_default=True, help="step: factor at each milestone."
)
@click.option(
    "--schedule-file",
    type=click.Path(dir_okay=False),
    default=None,
    help="A text file, one line per step: the step (lr, or eta) and optionally the second "
    "parameter (momentum, or c), separated by spaces or a comma; # starts a comment.",
)
@click.option(
    "--average",
    type=click.Choice(list(AVERAGES)),
    default="uniform",
    show_default=True,
    help="Schedules: bound the plain average over the steps, or the average weighted by the "
    "certified per-step rates rho_k (use weighted for decaying schedules).",
)
@click.option("--json", "as_json", is_flag=True, help='Print JSON (inf as the string "inf").')
def bound(
    method,
    lr,
    momentum,
    nesterov,
    eta,
    c,
    nu,
    beta,
    L,
    sigma2,
    steps,
    gap,
    function_class,
    measure,
    mu,
    G,
    distance,
    best,
    schedule,
    final,
    milestones,
    gamma,
    schedule_file,
    average,
    as_json,
):
    """Certified bound on (1/steps) sum_k E|grad f(p_k)|^2 for your hyper-parameters.

    p_k is where the k-th gradient is taken: x_k, or y_k (the optimizer's parameters) for
    gspa, nesterov, qhm and schedule_free. Valid for every L-smooth f with f(x_0) - inf f <=
    gap and unbiased gradient noise of variance <= sigma2. Prints inf, and why, where no
    certified theorem covers the parameters. With --schedule or --schedule-file the step
    varies per step (theorem P8; for decaying schedules use --average weighted).

    With --class other than smooth: the bound on --measure (E f(x_n) - f_*, E|x_n - x_*|^2 or
    the average gap) for every f of that class: smooth_convex with --distance |x_0 - x_*|,
    smooth_strongly_convex with --mu and --distance, pl with --mu and --gap, convex_lipschitz
    with --G (no --L) and --distance. Where a method has no certified theorem in the class, the
    error names those that have.

    \b
    Examples:
      lyapunov bound sgdm --lr 0.1 --momentum 0.9 --L 1 --sigma2 0.01 --steps 1000 --gap 1
      lyapunov bound sgd --lr 0.5 --L 1 --steps 100 --gap 1 --json
      lyapunov bound sgdm --momentum 0.9 --best --L 1 --sigma2 0.01 --steps 1000 --gap 1
      lyapunov bound sgdm --nesterov --momentum 0.9 --best --L 1 --steps 1000 --gap 1
      lyapunov bound sgdm --schedule cosine --lr 0.1 --momentum 0.9 --L 1 --sigma2 0.01 \\
          --steps 1000 --gap 1 --average weighted
      lyapunov bound sgdm --schedule-file lr.txt --momentum 0.9 --L 1 --sigma2 0.01 --gap 1
      lyapunov bound sgd --class smooth_convex --distance 1 --measure last_gap --lr 1 --L 1 \\
          --steps 10
      lyapunov bound sgdm --class smooth_convex --distance 1 --lr 0.1 --momentum 0.5 --L 1 \\
          --steps 100 --json
      lyapunov bound schedule_free --class convex_lipschitz --G 1 --distance 1 --lr 0.01 \\
          --momentum 0.9 --steps 10000
    """
    if nesterov and method != "sgdm":
        raise CliUsageError(
            f"--nesterov applies to sgdm (torch.optim.SGD's nesterov=True), not to {method}"
        )
    method = "nesterov" if nesterov else method
    given = {"lr": lr, "momentum": momentum, "eta": eta, "c": c, "nu": nu, "beta": beta}
    needed = get(method).params
    step_name = needed[0]
    if function_class != "smooth":
        return _bound_class(method, given, function_class, measure, sigma2, steps, as_json,
                            dict(L=L, gap=gap, mu=mu, G=G, distance=distance),
                            dict(best=best, schedule=schedule, schedule_file=schedule_file,
                                 average=average if average != "uniform" else None))  # fmt: skip
    _check_options(method, given[step_name], best, schedule, schedule_file, final, milestones)
    _check_smooth(L, gap, measure, mu=mu, G=G, distance=distance)
    if steps is None and schedule_file is None:
        raise CliUsageError("--steps is required (the number of steps n >= 1)")
    with usage_errors():
        dispatch.check_params(method, given, required=False, prefix="--")
    if schedule is not None or schedule_file is not None:
        return _bound_schedule(
            method, given, L, sigma2, steps, gap, schedule, final, milestones, gamma,
            schedule_file, average, as_json,
        )  # fmt: skip
    with usage_errors():
        dispatch.check_params(method, given, free=(step_name,) if best else (), prefix="--")
    common = {"L": L, "sigma2": sigma2, "steps": steps, "gap": gap}
    params = {n: given[n] for n in needed if given[n] is not None}
    out: dict = {"method": method, "params": {**params, **common}}
    with usage_errors():
        if best:
            found = dispatch.best_step(method, **params, **common)
            params[step_name] = found.step
            out["params"][step_name] = found.step
            out["best"] = found.to_dict()
        res = dispatch.certified_bound(method, **params, **common, detail=True)
    out["bound"] = res.value
    out["theorem"] = res.theorem or None
    out["reason"] = res.reason or None  # why no theorem covers the point (None where finite)
    if res.step_name:  # every smaller step is certified (sgd, sgdm, spa only)
        out["step_limit"] = {"name": res.step_name, "value": res.step_limit}
    if as_json:
        echo_json(out)
        return EXIT_OK
    shown = ", ".join(f"{k}={v:g}" for k, v in params.items())
    if best and not math.isfinite(res.value):
        click.echo(f"best {step_name}: none (no {step_name} searched gives a finite bound)")
    elif best:
        click.echo(f"best {step_name}: {params[step_name]:.6g}")
    point = dispatch.gradient_point(method) + "_k"  # where the gradients are taken
    if math.isfinite(res.value):
        click.echo(
            f"certified bound on (1/{steps}) sum_k E|grad f({point})|^2 at {shown}: "
            f"{res.value:.6g}  [theorem {res.theorem}]"
        )
    else:
        others = ", ".join(f"{k}={v:g}" for k, v in params.items() if k != res.step_name)
        limit = (
            f" Certified at every horizon: {res.step_name} < {res.step_limit:.6g}"
            + (f" at {others}" if others else "")
            if res.step_name
            else ""
        )
        click.echo(
            f"no certified theorem covers {shown} (L={L:g}): bound = inf. Why: {res.reason}."
            + limit
        )
    return EXIT_OK


command = bound


def _check_smooth(L, gap, measure, **constants) -> None:
    """The options of the class smooth: --L and --gap required, no other class's options."""
    for name, value in constants.items():
        if value is not None:
            raise CliUsageError(f"--{name} applies to --class {_CLASS_OF[name]}, not to smooth")
    if measure not in (None, "avg_grad2"):
        have = [c for c, ms in CLASS_MEASURES.items() if measure in ms]
        raise CliUsageError(
            f"--measure {measure}: the class smooth bounds avg_grad2 only ({measure}: "
            f"--class {' or '.join(have)})"
        )
    for name, value, what in (
        ("L", L, "smoothness constant L > 0"),
        ("gap", gap, "f(x_0) - inf f"),
    ):
        if value is None:
            raise CliUsageError(f"--{name} is required (the {what})")


#: the classes that take each class constant
_CLASS_OF = {
    "mu": "smooth_strongly_convex or pl",
    "G": "convex_lipschitz",
    "distance": "smooth_convex, smooth_strongly_convex or convex_lipschitz",
}


def _bound_class(method, given, function_class, measure, sigma2, steps, as_json, consts, refused):
    """``lyapunov bound --class ...``: a certified bound in a class other than smooth
    (:func:`lyapunov.bounds.classes.class_bound` through the dispatcher), constant
    parameters only."""
    for name, value in refused.items():
        if value:
            option = name.replace("_", "-")
            raise CliUsageError(
                f"--{option} applies to --class smooth, not to {function_class} (constant "
                "parameters only)"
            )
    if steps is None:
        raise CliUsageError("--steps is required (the number of steps n >= 1)")
    with usage_errors():
        dispatch.check_params(method, given, prefix="--")
        params = {n: given[n] for n in get(method).params}
        res = dispatch.certified_bound(
            method, **params, sigma2=sigma2, steps=steps, function_class=function_class,
            measure=measure, detail=True, **consts,
        )  # fmt: skip
    given_consts = {k: v for k, v in consts.items() if v is not None}
    out = {
        "method": method,
        "function_class": function_class,
        "measure": res.measure,
        "params": {**params, **given_consts, "sigma2": sigma2, "steps": steps},
        "bound": res.value,
        "theorem": res.theorem or None,
        "reason": res.reason or None,
    }
    if as_json:
        echo_json(out)
        return EXIT_OK
    shown = ", ".join(f"{k}={v:g}" for k, v in params.items())
    where = ", ".join(f"{k}={v:g}" for k, v in {**given_consts, "sigma2": sigma2}.items())
    what = f"{dispatch.MEASURES[res.measure]} after n = {steps} steps"
    if math.isfinite(res.value):
        click.echo(
            f"certified bound on {what} at {shown}, for every {function_class} f ({where}): "
            f"{res.value:.6g}  [theorem {res.theorem}]"
        )
    else:
        click.echo(
            f"no certified theorem covers {shown} in class {function_class} ({where}): "
            f"bound = inf. Why: {res.reason}."
        )
    return EXIT_OK


def _check_options(method, step, best, schedule, schedule_file, final, milestones) -> None:
    """The options that exclude or need each other (``step``: the value of the step option)."""
    if best and method not in _BEST:
        raise CliUsageError(f"--best: {dispatch.no_best(method)}")
    if method not in _STEPPED and (schedule is not None or schedule_file is not None):
        which = f"{', '.join(_STEPPED[:-1])} and {_STEPPED[-1]}"
        raise CliUsageError(f"--schedule and --schedule-file apply to {which}, not to {method}")
    step_name = get(method).params[0]
    if schedule is not None and schedule_file is not None:
        raise CliUsageError("--schedule and --schedule-file exclude each other: give one")
    if best and step is not None:
        raise CliUsageError(
            f"--best finds --{step_name} itself: give --best or --{step_name}, not both"
        )
    if best and (schedule is not None or schedule_file is not None):
        raise CliUsageError("--best applies to constant parameters, not to a schedule")
    for name, val in (("final", final), ("milestones", milestones)):
        if val is not None and schedule is None:
            raise CliUsageError(f"--{name} applies to --schedule only")


def _bound_schedule(
    method, given, L, sigma2, steps, gap, schedule, final, milestones, gamma, path, average,
    as_json,
):  # fmt: skip
    """``lyapunov bound`` for a schedule of the step (named, or per-step values from a file)."""
    with usage_errors(first_line=True):
        s = schedule_input(method, given, steps=steps, kind=schedule, final=final,
                           milestones=milestones, gamma=gamma, path=path, prefix="--")  # fmt: skip
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", UniformAverageWarning)
            res = dispatch.certified_bound(method, schedule=s.values, L=L, sigma2=sigma2,
                                           gap=gap, average=average, detail=True)  # fmt: skip
    note = next((str(w.message) for w in caught if w.category is UniformAverageWarning), "")
    note = note.replace("average='uniform'", "--average uniform").replace(
        "average='weighted'", "--average weighted"
    )
    out = {
        "method": method,
        "schedule": s.label,
        "average": average,
        "params": {
            **{k: v.tolist() for k, v in s.values.items()},
            "L": L,
            "sigma2": sigma2,
            "steps": s.steps,
            "gap": gap,
        },
        "bound": res.value,
        "theorem": res.theorem or None,
        "reason": res.reason or None,
    }
    if note:
        out["warning"] = note
        click.echo(f"warning: {note}", err=True)
    if as_json:
        echo_json(out)
        return EXIT_OK
    what = (
        f"(1/{s.steps}) sum_k E|grad f(x_k)|^2"
        if average == "uniform"
        else "sum_k w_k E|grad f(x_k)|^2 (w_k = rho_k / sum_j rho_j)"
    )
    shown = ", ".join(
        f"{k} {v[0]:g} -> {v[-1]:g}" if np.ptp(v) else f"{k}={v[0]:g}" for k, v in s.values.items()
    )
    if math.isfinite(res.value):
        click.echo(
            f"certified bound on {what} for the {s.label} schedule ({shown}, {s.steps} steps): "
            f"{res.value:.6g}  [theorem {res.theorem}]"
        )
    else:
        click.echo(
            f"no certified theorem covers the {s.label} schedule ({shown}, {s.steps} steps, "
            f"L={L:g}): bound = inf. Why: {res.reason}"
        )
    return EXIT_OK
