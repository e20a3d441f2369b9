"""``lyapunov simulate``: Monte-Carlo mean and interval next to the certified bound."""

from __future__ import annotations

import sys

import click

from ..methods import load as load_method
from ..methods.registry import METHODS as REGISTRY
from ..sim import METHODS
from ..sim.core import AUTO_NUMBA_WORK
from .common import (
    EXIT_FAIL,
    EXIT_OK,
    EXIT_USAGE,
    SET_HELP,
    CliUsageError,
    parse_set,
    usage_errors,
)

__all__ = ["command"]


@click.command()
@click.option(
    "--objective",
    required=True,
    help="Synthetic objective: cosine, lsq, rosenbrock, net or quadratic.",
)
@click.option(
    "--method",
    default="sgdm",
    show_default=True,
    help=f"The method: {', '.join(REGISTRY)} (nesterov: torch SGD(nesterov=True); qhm: "
    "qhoptim's QHM; schedule_free: SGDScheduleFree, warmup_steps=0; gspa: generalized SPA), "
    "or a Python file that defines `method` (its parameters with --set).",
)
@click.option("--set", "settings", multiple=True, metavar="NAME=VALUE", help=SET_HELP)
@click.option(
    "--lr", type=float, help="Learning rate (sgd, sgdm, heavy_ball, nesterov, qhm, schedule_free)."
)
@click.option(
    "--momentum",
    type=float,
    help="Momentum in [0, 1) (sgdm, heavy_ball, nesterov, qhm, schedule_free).",
)
@click.option("--eta", type=float, help="SPA/GSPA step (spa, gspa).")
@click.option("--c", "c", type=float, help="SPA/GSPA averaging weight in (0, 1] (spa, gspa).")
@click.option("--nu", type=float, help="QHM's nu in [0, 1] (qhm).")
@click.option(
    "--beta", type=float, help="GSPA: gradient at (1 - beta) z + beta x, beta in [0, 1] (gspa)."
)
@click.option("--steps", type=int, required=True, help="Steps per run.")
@click.option("--runs", type=int, required=True, help="Independent runs (seeds).")
@click.option(
    "--sigma2",
    type=float,
    default=0.0,
    show_default=True,
    help="Gaussian gradient noise, E|xi|^2 = sigma2 in total.",
)
@click.option(
    "--seed", type=int, default=0, show_default=True, help="Seed (same seed, same numbers)."
)
@click.option("--dim", type=int, default=10, show_default=True, help="Dimension.")
@click.option("--batch", type=int, default=None, help="Minibatch noise instead (lsq, net).")
@click.option(
    "--level", type=float, default=0.99, show_default=True, help="Confidence level of the interval."
)
@click.option(
    "--engine",
    type=click.Choice(["auto", "numpy", "numba"]),
    default="auto",
    show_default=True,
    help=f"Simulation engine. auto: the fused numba kernel when numba is installed and "
    f"runs x steps x dim is at least {AUTO_NUMBA_WORK:.0e} (compiling it takes 10 to 15 s, "
    "repaid from there on), else numpy (always numpy with --batch or a method of your own).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def simulate(
    objective,
    method,
    settings,
    lr,
    momentum,
    eta,
    c,
    nu,
    beta,
    steps,
    runs,
    sigma2,
    seed,
    dim,
    batch,
    level,
    engine,
    as_json,
):
    """Monte-Carlo mean of (1/steps) sum_k |grad f(x_k)|^2 with its interval, next to the
    certified bound (x_k: where the k-th gradient is taken, y_k for the GSPA members).
    Outcome: confirmed (the interval is under the bound), violated (above it,
    or a run diverged: a real alarm, exit 1), inconclusive (the interval straddles the bound:
    more runs narrow it; exit 0), or no bound; overflow (exit 2) where runs left the range of
    float64 (an input of huge scale, e.g. --sigma2 1e308): no verdict, never "violated".
    Runs that would not fit in memory are refused.

    \b
    Examples:
      lyapunov simulate --objective cosine --lr 0.05 --momentum 0.9 --steps 1000 --runs 200 \\
          --sigma2 0.1
      lyapunov simulate --objective lsq --method spa --eta 0.5 --c 0.1 --steps 500 \\
          --runs 100 --sigma2 0.1
      lyapunov simulate --objective cosine --method qhm --lr 0.1 --momentum 0.9 --nu 0.7 \\
          --steps 500 --runs 100 --sigma2 0.1
      lyapunov simulate --objective cosine --method my_method.py --set lr=0.1 \\
          --set momentum=0.5 --steps 500 --runs 100 --sigma2 0.1
    """
    from ..confirm import confirm, format_rows
    from ..jsonio import dumps

    given = dict(lr=lr, momentum=momentum, eta=eta, c=c, nu=nu, beta=beta)
    kw = {k: v for k, v in given.items() if v is not None}
    extra = parse_set(settings)
    for name in extra:
        if name in kw:
            raise CliUsageError(f"--set {name}: given twice (also as --{name})")
    if method not in METHODS:  # any other method runs from its definition, by name
        with usage_errors():
            method = load_method(method)
        kw, extra = {}, {**kw, **extra}
    elif extra:
        kw.update(extra)
        extra = {}
    args = dict(
        steps=steps,
        runs=runs,
        sigma2=sigma2,
        seed=seed,
        dim=dim,
        batch=batch,
        level=level,
        engine=engine,
        **kw,
    )
    if extra:
        args["params"] = extra
    with usage_errors():
        from ..objectives import make
        from ..sim.memory import check_memory

        if isinstance(runs, int) and isinstance(steps, int) and runs >= 1 and steps >= 1:
            own = None if isinstance(method, str) else len(method.state)
            name = method if isinstance(method, str) else None
            obj = make(objective, dim)
            check_memory(obj, 1, runs, steps, False, name, state_vectors=own)  # before any bar
        if as_json or steps * runs * dim < 10**7:
            out = confirm(objective, method, **args)
        else:
            with click.progressbar(length=steps, label="simulating", file=sys.stderr) as bar:
                out = confirm(
                    objective, method, progress=lambda k, n: bar.update(k - bar.pos), **args
                )
    click.echo(dumps(out) if as_json else format_rows([out]))
    if out["diverged"] and out["outcome"] != "overflow":
        click.echo(
            f"warning: {out['diverged']} of {runs} runs diverged (non-finite gradient or "
            "|x| beyond the blow-up threshold); they were stopped and are excluded from "
            "the mean",
            err=True,
        )
    if out["outcome"] == "inconclusive":
        more = f"about {out['runs_needed']} runs" if out["runs_needed"] else "more runs"
        click.echo(
            f"inconclusive: the interval [{out['ci_low']:.4g}, {out['ci_high']:.4g}] contains "
            f"the bound {out['bound']:.4g}; {more} would separate them if the mean stays "
            f"at {out['empirical']:.4g} (--runs)",
            err=True,
        )
    elif out["outcome"] == "violated":
        click.echo(
            "violated: the interval is above the certified bound (or runs diverged under it)",
            err=True,
        )
    elif out["outcome"] == "overflow":
        inputs = {**kw, **extra, "sigma2": sigma2}
        shown = ", ".join(
            f"{k}={v:g}" if isinstance(v, (int, float)) else f"{k}=schedule"
            for k, v in inputs.items()
        )
        where = (
            f"in {out['overflowed']} of {runs} runs a gradient or an iterate became inf"
            if out["overflowed"]
            else "the spread of the runs became inf"
        )
        click.echo(
            f"lyapunov: error: overflow: at {shown} the simulation left the range of float64 "
            f"({where}): no verdict on the bound; use smaller values",
            err=True,
        )
        return EXIT_USAGE
    return EXIT_FAIL if out["outcome"] == "violated" else EXIT_OK


command = simulate
