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
from .common import EXIT_OK, CliUsageError, echo_json, usage_errors

__all__ = ["command", "CHOICES"]

#: the methods `bound` takes: those with a calculator of their own name (heavy ball has SGD+M's)
CHOICES = tuple(m for m in dispatch.methods() if dispatch.calculator(m).__name__ == m)
#: the methods whose step --best, --schedule and --schedule-file vary (gradients at x_k)
_STEPPED = tuple(m for m in sorted(CHOICES) if m not in FAMILY)


@click.command()
@click.argument("method", type=click.Choice(sorted(CHOICES)))
@click.option("--lr", type=float, help="Learning rate (sgd, sgdm); a schedule's first value.")
@click.option("--momentum", type=float, help="PyTorch momentum in [0, 1) (sgdm).")
@click.option("--eta", type=float, help="SPA step eta > 0 (spa); a schedule's first value.")
@click.option("--c", "c", type=float, help="SPA averaging weight c in (0, 1] (spa, gspa).")
@click.option("--nu", type=float, help="QHM's nu in [0, 1] (qhm).")
@click.option("--beta", type=float, help="GSPA's beta in [0, 1], where the gradient is taken.")
@click.option("--L", "L", type=float, required=True, help="Smoothness constant L > 0.")
@click.option(
    "--sigma2", type=float, default=0.0, show_default=True, help="Gradient noise variance bound."
)
@click.option(
    "--steps",
    type=int,
    default=None,
    help="Number of steps n >= 1 (default with a file: its rows).",
)
@click.option("--gap", type=float, required=True, help="f(x_0) - inf f.")
@click.option("--best", is_flag=True, help="Find the step (lr or eta) minimising the bound.")
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
    eta,
    c,
    nu,
    beta,
    L,
    sigma2,
    steps,
    gap,
    best,
    schedule,
    final,
    milestones,
    gamma,
    schedule_file,
    average,
    as_json,
):
    """Certified bound on (1/steps) sum_k E|grad f(x_k)|^2 for your hyper-parameters.

    Valid for every L-smooth f with f(x_0) - inf f <= gap and unbiased gradient noise of
    variance <= sigma2. Prints inf where no certified theorem covers the parameters.
    With --schedule or --schedule-file the step varies per step (theorem P8; for decaying
    schedules use --average weighted).

    \b
    Examples:
      lyapunov bound sgdm --lr 0.1 --momentum 0.9 --L 1 --sigma2 0.01 --steps 1000 --gap 1
      lyapunov bound sgd --lr 0.5 --L 1 --steps 100 --gap 1 --json
      lyapunov bound sgdm --momentum 0.9 --best --L 1 --sigma2 0.01 --steps 1000 --gap 1
      lyapunov bound sgdm --schedule cosine --lr 0.1 --momentum 0.9 --L 1 --sigma2 0.01 \\
          --steps 1000 --gap 1 --average weighted
      lyapunov bound sgdm --schedule-file lr.txt --momentum 0.9 --L 1 --sigma2 0.01 --gap 1
    """
    given = {"lr": lr, "momentum": momentum, "eta": eta, "c": c, "nu": nu, "beta": beta}
    needed = get(method).params
    step_name = needed[0]
    _check_options(method, given[step_name], best, schedule, schedule_file, final, milestones)
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
    out["step_limit"] = {"name": res.step_name, "value": res.step_limit}
    if as_json:
        echo_json(out)
        return EXIT_OK
    shown = ", ".join(f"{k}={v:g}" for k, v in params.items())
    if best:
        click.echo(f"best {step_name}: {params[step_name]:.6g}")
    point = dispatch.gradient_point(method) + "_k"  # where the gradients are taken
    if math.isfinite(res.value):
        click.echo(
            f"certified bound on (1/{steps}) sum_k E|grad f({point})|^2 at {shown}: "
            f"{res.value:.6g}  [theorem {res.theorem}]"
        )
    elif not res.reason:
        click.echo(f"no certified theorem covers {shown} (L={L:g}): bound = inf")
    else:
        others = ", ".join(f"{k}={v:g}" for k, v in params.items() if k != res.step_name)
        click.echo(
            f"no certified theorem covers {shown} (L={L:g}): bound = inf. Why: {res.reason}. "
            f"Certified: {res.step_name} < {res.step_limit:.6g}"
            + (f" at {others}" if others else "")
        )
    return EXIT_OK


command = bound


def _check_options(method, step, best, schedule, schedule_file, final, milestones) -> None:
    """The options that exclude or need each other (``step``: the value of the step option)."""
    if method not in _STEPPED and (best or schedule is not None or schedule_file is not None):
        which = f"{', '.join(_STEPPED[:-1])} and {_STEPPED[-1]}"
        raise CliUsageError(
            f"--best, --schedule and --schedule-file apply to {which}, not to {method}"
        )
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
            f"L={L:g}): bound = inf (too sudden a change for P8)"
        )
    return EXIT_OK
