"""The ``lyapunov`` command line. Nothing imports this module.

Exit codes: 0 success (every theorem certified); 1 a theorem was refuted or not proved;
2 bad usage or a malformed proof file (one line on stderr naming the problem).
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import click

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


class CliUsageError(Exception):
    """Raised for bad input; main() prints it as one line and exits 2."""


def _positive_float(ctx, param, value):
    if value is None:
        return value
    if not math.isfinite(value) or value <= 0:
        raise click.BadParameter(
            f"{value!r}: must be a positive finite number of seconds", param_hint=f"--{param.name}"
        )
    return value


def _check_one(job: tuple) -> dict:
    """Load one proof file and check its theorem number ``index`` (runs in a worker); with
    ``cross`` every decision is re-decided by cvc5 (a disagreement: not certified)."""
    import contextlib

    from .engine.decide import cross_checking
    from .engine.region import MalformedError
    from .loader import ProofFileError, load_file

    path, index, timeout, cross = (*job, False)[:4]
    tally = None
    try:
        th = load_file(Path(path))[index].theorem
        with cross_checking() if cross else contextlib.nullcontext() as tally:
            verdict = th.check(timeout=timeout)
    except (ProofFileError, MalformedError) as exc:
        return {"error": f"{path}: {exc}" if not str(exc).startswith(path) else str(exc)}
    out = verdict.to_json()
    if tally is not None:
        out["cross_check"] = tally.to_json()
    out["file"] = path
    return out


def _timeout_option(help_text: str):
    """--timeout: positive seconds per theorem (check and prove)."""
    return click.option(
        "--timeout",
        type=float,
        default=300.0,
        show_default=True,
        callback=_positive_float,
        help=help_text,
    )


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="lyapunov")
def cli():
    """Machine-checked Lyapunov analysis of SGD with momentum (SPA form).

    \b
    Examples:
      lyapunov check                      # re-verify every theorem in proofs/
      lyapunov check my_lemmas/ --timeout 30 --json
      lyapunov prove my_lemma.py          # find the certificate a lemma leaves to AUTO
      lyapunov bound sgdm --lr 0.01 --momentum 0.9 --L 1 --sigma2 0.01 --steps 1000 --gap 1
      lyapunov simulate --objective cosine --lr 0.01 --momentum 0.9 --steps 500 --runs 100
      lyapunov figures --quick
    """


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print a JSON report instead of text.")
@_timeout_option("Seconds allowed per theorem.")
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Theorems checked in parallel (default: number of CPUs, at most 2).",
)
@click.option(
    "--latex",
    "latex_out",
    type=click.Path(dir_okay=False),
    default=None,
    help="Also write the certified theorems and their certificates as LaTeX to this file.",
)
@click.option(
    "--cross-check",
    "cross",
    is_flag=True,
    help="Re-decide every condition with a second, independent solver (cvc5); any "
    "disagreement is an error (not certified, exit 1).",
)
def check(paths, as_json, timeout, jobs, latex_out, cross):
    """Check theorems exactly over their whole parameter regions.

    PATHS are proof files or folders (default: proofs/). Prints one line per theorem:
    verdict, seconds, name; a refuted theorem also prints the failing condition and an exact
    counterexample point. Exit 0 only if every theorem is certified.

    \b
    Examples:
      lyapunov check
      lyapunov check proofs/p4_spa_descent.py --json
      lyapunov check --latex theorems.tex
      lyapunov check --cross-check        # every decision also by cvc5
    """
    from .loader import ProofFileError, default_proofs_dir, load_file, proof_files

    t0 = time.perf_counter()
    if cross:
        from .engine.second_solver import available

        if not available():
            raise CliUsageError("--cross-check needs cvc5: pip install cvc5")
    try:
        files = proof_files(list(paths) or [default_proofs_dir()])
        jobs_list = []
        for fpath in files:
            for item in load_file(fpath):
                jobs_list.append((str(fpath), item.index, timeout, cross))
    except ProofFileError as exc:
        raise CliUsageError(str(exc)) from None
    n_jobs = jobs or max(1, min(2, os.cpu_count() or 1))
    results: list[dict] = []

    def report(res: dict) -> None:
        if "error" in res:
            raise CliUsageError(res["error"])
        results.append(res)
        if not as_json:
            _print_line(res)

    if n_jobs == 1 or len(jobs_list) == 1:
        for job in jobs_list:
            report(_check_one(job))
    else:
        import multiprocessing as mp

        ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
        with ProcessPoolExecutor(max_workers=n_jobs, mp_context=ctx) as pool:
            for res in pool.map(_check_one, jobs_list):
                report(res)
    certified = sum(r["status"] == "certified" for r in results)
    total = len(results)
    if latex_out:
        _write_latex(latex_out, jobs_list, results)
    summary = _cross_summary(results) if cross else None
    if as_json:
        doc = {"theorems": results, "certified": certified, "total": total}
        if summary is not None:
            doc["cross_check"] = summary
        click.echo(json.dumps(doc, indent=2))
    else:
        colour = "green" if certified == total else "red"
        click.echo(
            click.style(f"{certified} of {total} theorems certified", fg=colour)
            + f" in {time.perf_counter() - t0:.1f} s"
        )
        if summary is not None:
            click.echo(
                f"cross-check ({summary['solver']}): {summary['agreed']} decisions agreed, "
                f"{len(summary['disagreements'])} disagreements, "
                f"{len(summary['unconfirmed'])} unconfirmed ({summary['seconds']:.1f} s in cvc5)"
            )
    failed = certified != total or (summary is not None and summary["disagreements"])
    return EXIT_FAIL if failed else EXIT_OK


def _cross_summary(results: list[dict]) -> dict:
    """The second solver's tally over every theorem (disagreements named by theorem)."""
    out: dict = {"solver": "cvc5", "agreed": 0, "disagreements": [], "unconfirmed": []}
    out["seconds"] = 0.0
    for r in results:
        cc = r.get("cross_check") or {}
        out["agreed"] += cc.get("agreed", 0)
        out["seconds"] += cc.get("seconds", 0.0)
        for key in ("disagreements", "unconfirmed"):
            out[key] += [f"{r['name']}: {what}" for what in cc.get(key, [])]
    out["seconds"] = round(out["seconds"], 4)
    return out


def _write_latex(out: str, jobs_list: list, results: list[dict]) -> None:
    from .engine.latex import document_latex
    from .loader import load_file

    theorems = [
        load_file(Path(path))[index].theorem
        for (path, index, *_), res in zip(jobs_list, results, strict=True)
        if res["status"] == "certified"
    ]
    try:
        Path(out).write_text(document_latex(theorems))
    except OSError as exc:
        raise CliUsageError(f"--latex: cannot write {out}: {exc.strerror}") from None


def _method_params(names: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """Parameters of some methods, from the one registry of methods."""
    from .methods.registry import METHODS

    return {name: METHODS[name].params for name in names}


_SIM_FORMS = ["sgd", "sgdm", "spa", "heavy_ball"]  # the forms `sweep simulate` runs
_SIM_METHODS = [*_SIM_FORMS, "nesterov", "qhm", "schedule_free", "gspa"]  # `simulate`: all
_FAMILY = ("nesterov", "qhm", "schedule_free", "gspa")  # GSPA members: bounds at y_k
# the methods with certified calculators (lyapunov.bounds.<name>)
_METHODS = _method_params(("sgd", "sgdm", "spa", *_FAMILY))


@cli.command()
@click.argument("method", type=click.Choice(sorted(_METHODS)))
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
    type=click.Choice(["constant", "cosine", "step", "linear"]),
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
    type=click.Choice(["uniform", "weighted"]),
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
    from . import bounds

    given = {"lr": lr, "momentum": momentum, "eta": eta, "c": c, "nu": nu, "beta": beta}
    needed = _METHODS[method]
    if method in _FAMILY and (best or schedule is not None or schedule_file is not None):
        raise CliUsageError(
            f"--best, --schedule and --schedule-file apply to sgd, sgdm and spa, not to {method}"
        )
    step_name = needed[0]
    sched = schedule is not None or schedule_file is not None
    if schedule is not None and schedule_file is not None:
        raise CliUsageError("--schedule and --schedule-file exclude each other: give one")
    if best and given[step_name] is not None:
        raise CliUsageError(
            f"--best finds --{step_name} itself: give --best or --{step_name}, not both"
        )
    if best and sched:
        raise CliUsageError("--best applies to constant parameters, not to a schedule")
    for name, val in (("final", final), ("milestones", milestones)):
        if val is not None and schedule is None:
            raise CliUsageError(f"--{name} applies to --schedule only")
    if steps is None and schedule_file is None:
        raise CliUsageError("--steps is required (the number of steps n >= 1)")
    for name, val in given.items():
        if val is not None and name not in needed:
            raise CliUsageError(
                f"--{name} does not apply to method {method} "
                f"(it takes {', '.join('--' + n for n in needed)})"
            )
    if sched:
        return _bound_schedule(
            method, given, L, sigma2, steps, gap, schedule, final, milestones, gamma,
            schedule_file, average, as_json,
        )  # fmt: skip
    for name in needed:
        if given[name] is None and not (best and name == step_name):
            raise CliUsageError(f"--{name} is required for method {method}")
    common = {"L": L, "sigma2": sigma2, "steps": steps, "gap": gap}
    params = {n: given[n] for n in needed if given[n] is not None}
    out: dict = {"method": method, "params": {**params, **common}}
    try:
        if best:
            fn = {
                "sgd": bounds.best_sgd_lr,
                "sgdm": bounds.best_sgdm_lr,
                "spa": bounds.best_spa_eta,
            }[method]
            extra = {n: params[n] for n in needed[1:]}
            found = fn(**extra, **common)
            params[step_name] = found.step
            out["params"][step_name] = found.step
            out["best"] = found.to_dict()
        res = getattr(bounds, method)(**params, **common, detail=True)
    except (ValueError, TypeError) as exc:
        raise CliUsageError(str(exc)) from None
    finite = math.isfinite(res.value)
    out["bound"] = res.value
    out["theorem"] = res.theorem or None
    out["reason"] = res.reason or None  # why no theorem covers the point (None where finite)
    out["step_limit"] = {"name": res.step_name, "value": res.step_limit}
    if as_json:
        from .jsonio import dumps

        click.echo(dumps(out))
        return EXIT_OK
    shown = ", ".join(f"{k}={v:g}" for k, v in params.items())
    if best:
        click.echo(f"best {step_name}: {params[step_name]:.6g}")
    point = "y_k" if method in _FAMILY else "x_k"  # where the gradients are taken
    if finite:
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


def _bound_schedule(
    method, given, L, sigma2, steps, gap, schedule, final, milestones, gamma, path, average,
    as_json,
):  # fmt: skip
    """``lyapunov bound`` for a schedule of the step (named, or per-step values from a file)."""
    import warnings

    import numpy as np

    from . import bounds
    from .sim import schedules as sch

    first, second = _METHODS[method] + (None,) * (2 - len(_METHODS[method]))
    try:
        if path is not None:
            table = sch.load(path)
            if steps is not None and steps != table.shape[0]:
                raise ValueError(
                    f"--steps: {steps} given but {path} has {table.shape[0]} rows (one per step)"
                )
            steps = table.shape[0]
            if given[first] is not None:
                raise ValueError(f"--{first} comes from {path}: do not give it too")
            if table.shape[1] == 2:
                if second is None:
                    raise ValueError(f"{path}: method {method} takes one value per line ({first})")
                if given[second] is not None:
                    raise ValueError(f"--{second} comes from {path} (its second column)")
                values = {first: table[:, 0], second: table[:, 1]}
            else:
                values = {first: table[:, 0]}
            label = f"from {path}"
        else:
            if given[first] is None:
                raise ValueError(f"--{first} is required: the schedule's first value")
            ms = None
            if milestones is not None:
                try:
                    ms = [int(x) for x in milestones.replace(" ", "").split(",") if x]
                except ValueError:
                    raise ValueError(
                        f"--milestones: must be whole steps separated by commas, got {milestones!r}"
                    ) from None
            if steps < 1:
                raise ValueError(f"steps: must be an integer >= 1, got {steps}")
            values = {
                first: sch.named(
                    schedule, given[first], steps, final=final, milestones=ms, gamma=gamma
                )
            }
            label = schedule
        if second is not None and second not in values:
            if given[second] is None:
                raise ValueError(f"--{second} is required for method {method}")
            values[second] = np.full(steps, float(given[second]))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", bounds.UniformAverageWarning)
            g = {"L": L, "sigma2": sigma2, "gap": gap, "average": average, "detail": True}
            if method == "sgdm":
                res = bounds.sgdm_schedule(lr=values["lr"], momentum=values["momentum"], **g)
            elif method == "spa":
                res = bounds.spa_schedule(eta=values["eta"], c=values["c"], **g)
            else:  # SGD is SPA with c = 1
                res = bounds.spa_schedule(eta=values["lr"], c=np.ones(steps), **g)
    except (ValueError, TypeError) as exc:
        raise CliUsageError(str(exc).splitlines()[0]) from None
    note = next((str(w.message) for w in caught if w.category is bounds.UniformAverageWarning), "")
    note = note.replace("average='uniform'", "--average uniform").replace(
        "average='weighted'", "--average weighted"
    )
    out = {
        "method": method,
        "schedule": label,
        "average": average,
        "params": {
            **{k: v.tolist() for k, v in values.items()},
            "L": L,
            "sigma2": sigma2,
            "steps": steps,
            "gap": gap,
        },
        "bound": res.value,
        "theorem": res.theorem or None,
    }
    if note:
        out["warning"] = note
        click.echo(f"warning: {note}", err=True)
    if as_json:
        from .jsonio import dumps

        click.echo(dumps(out))
        return EXIT_OK
    what = (
        f"(1/{steps}) sum_k E|grad f(x_k)|^2"
        if average == "uniform"
        else "sum_k w_k E|grad f(x_k)|^2 (w_k = rho_k / sum_j rho_j)"
    )
    shown = ", ".join(
        f"{k} {v[0]:g} -> {v[-1]:g}" if np.ptp(v) else f"{k}={v[0]:g}" for k, v in values.items()
    )
    if math.isfinite(res.value):
        click.echo(
            f"certified bound on {what} for the {label} schedule ({shown}, {steps} steps): "
            f"{res.value:.6g}  [theorem {res.theorem}]"
        )
    else:
        click.echo(
            f"no certified theorem covers the {label} schedule ({shown}, {steps} steps, "
            f"L={L:g}): bound = inf (too sudden a change for P8)"
        )
    return EXIT_OK


@cli.command()
@click.option(
    "--objective",
    required=True,
    help="Synthetic objective: cosine, lsq, rosenbrock, net or quadratic.",
)
@click.option(
    "--method",
    type=click.Choice(_SIM_METHODS),
    default="sgdm",
    show_default=True,
    help="The method (nesterov: torch SGD(nesterov=True); qhm: qhoptim's QHM; "
    "schedule_free: SGDScheduleFree, warmup_steps=0; gspa: generalized SPA).",
)
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
    help="Simulation engine.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def simulate(
    objective,
    method,
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
    more runs narrow it; exit 0), or no bound. Runs that would not fit in memory are refused.

    \b
    Examples:
      lyapunov simulate --objective cosine --lr 0.05 --momentum 0.9 --steps 1000 --runs 200
      lyapunov simulate --objective lsq --method spa --eta 0.5 --c 0.1 --steps 500 --runs 100
      lyapunov simulate --objective cosine --method qhm --lr 0.1 --momentum 0.9 --nu 0.7 \
          --steps 500 --runs 100
    """
    from .confirm import confirm, format_rows
    from .jsonio import dumps

    given = dict(lr=lr, momentum=momentum, eta=eta, c=c, nu=nu, beta=beta)
    kw = {k: v for k, v in given.items() if v is not None}
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
    try:
        from .objectives import make
        from .sim.core import check_memory

        if isinstance(runs, int) and isinstance(steps, int) and runs >= 1 and steps >= 1:
            check_memory(make(objective, dim), 1, runs, steps, False, method)  # before any bar
        if as_json or steps * runs * dim < 10**7:
            out = confirm(objective, method, **args)
        else:
            with click.progressbar(length=steps, label="simulating", file=sys.stderr) as bar:
                out = confirm(
                    objective, method, progress=lambda k, n: bar.update(k - bar.pos), **args
                )
    except (ValueError, TypeError) as exc:
        raise CliUsageError(str(exc)) from None
    click.echo(dumps(out) if as_json else format_rows([out]))
    if out["diverged"]:
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
    return EXIT_FAIL if out["outcome"] == "violated" else EXIT_OK


@cli.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    default="figures",
    show_default=True,
    help="Folder for the PNG and PDF files (and README.md).",
)
@click.option("--quick", is_flag=True, help="Small grids and few runs (CI, previews).")
@click.option("--only", type=str, default=None, help="Generate one figure by name.")
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Seed of every simulation (same seed, same figures).",
)
def figures(out, quick, only, seed):
    """Regenerate the figures from certified bounds and fresh simulations.

    \b
    Examples:
      lyapunov figures --quick
      lyapunov figures --only tightness --out /tmp/figs
    """
    from .figures import FIGURES, generate

    if only is not None and only not in FIGURES:
        raise CliUsageError(f"--only: unknown figure {only!r}; choose from {', '.join(FIGURES)}")
    names = [only] if only else list(FIGURES)
    t0 = time.perf_counter()
    with click.progressbar(
        length=len(names),
        label="figures",
        file=sys.stderr,
        show_pos=True,
        item_show_func=lambda n: n,
    ) as bar:

        def progress(name: str) -> None:
            bar.update(1, name)

        try:
            paths = generate(out, quick=quick, only=only, seed=seed, progress=progress)
        except OSError as exc:
            raise CliUsageError(f"--out: cannot write to {out}: {exc.strerror}") from None
    for p in paths:
        click.echo(str(p))
    click.echo(f"{len(paths)} figures written in {time.perf_counter() - t0:.1f} s")
    return EXIT_OK


def _number_list(option: str, text: str | None, kind=float) -> list | None:
    """``"0.01,0.1"`` -> [0.01, 0.1]; one line naming the option otherwise."""
    if text is None:
        return None
    try:
        return [kind(t) for t in text.split(",")]
    except ValueError:
        what = "integers" if kind is int else "numbers"
        raise CliUsageError(f"{option}: must be {what} separated by commas, got {text!r}") from None


#: options of one kind of sweep only (the other kind refuses them)
_SWEEP_ONLY = {
    "simulate": ("objective", "method", "sigma2", "runs", "seed", "dim", "level", "engine"),
    "pep": ("L", "gap", "condition"),
}


@cli.command()
@click.argument("kind", type=click.Choice(["simulate", "pep"]))
@click.option("--objective", default="cosine", show_default=True, help="Objectives, a,b,...")
@click.option(
    "--method",
    type=click.Choice(_SIM_FORMS),
    default="sgdm",
    show_default=True,
    help="Form of the method (simulate).",
)
@click.option("--lr", help="Learning rates, e.g. 0.01,0.1 (sgd, sgdm, heavy_ball).")
@click.option("--momentum", help="Momenta in [0, 1), e.g. 0,0.9 (sgdm, heavy_ball).")
@click.option("--eta", help="SPA steps eta > 0 (spa, pep).")
@click.option("--c", "c", help="SPA weights c in (0, 1] (spa, pep).")
@click.option("--sigma2", default="0", show_default=True, help="Noise variances (simulate).")
@click.option("--steps", required=True, help="Steps (simulate: one value; pep: a list).")
@click.option("--runs", type=int, help="Seeds per configuration (simulate).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed (simulate).")
@click.option("--dim", type=int, default=10, show_default=True, help="Dimension (simulate).")
@click.option("--level", type=float, default=0.99, show_default=True, help="Interval level.")
@click.option(
    "--engine",
    type=click.Choice(["auto", "numpy", "numba"]),
    default="auto",
    show_default=True,
    help="Simulation engine (simulate).",
)
@click.option("--L", "L", type=float, default=1.0, show_default=True, help="Smoothness (pep).")
@click.option("--gap", type=float, default=1.0, show_default=True, help="Initial gap (pep).")
@click.option(
    "--condition",
    type=click.Choice(["iterates", "lower_bound"]),
    default="lower_bound",
    show_default=True,
    help="Initial condition of the worst case (pep): f(x_0) - inf f <= gap (the calculators' "
    "class) or f(x_0) - f(y) <= gap at the iterates (PEPit's).",
)
@click.option("--chunk-size", type=int, default=None, help="Configurations per dask task.")
@click.option("--workers", type=int, default=None, help="Local cluster: worker processes.")
@click.option("--scheduler", default=None, help="Address of a dask scheduler, tcp://HOST:PORT.")
@click.option(
    "--connect-timeout",
    type=float,
    default=10.0,
    show_default=True,
    help="Seconds to wait for the scheduler.",
)
@click.option("--out", type=click.Path(dir_okay=False), help="Save the table (.csv or .json).")
@click.option("--json", "as_json", is_flag=True, help="Print the table as JSON.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def sweep(kind, **opts):
    """Sweep a grid on a dask cluster (a local one unless --scheduler) and print a tidy table.

    KIND simulate: Monte-Carlo mean and interval of (1/steps) sum_k |grad f(x_k)|^2, the
    certified bound and the diverged runs, one row per objective x parameters x sigma2
    (exit 1 if any is violated, as for `lyapunov simulate`). KIND pep: exact worst cases over
    eta x c x steps next to the certified bound. Lists are comma-separated.

    \b
    Examples:
      lyapunov sweep simulate --objective cosine,lsq --lr 0.01,0.1 --momentum 0,0.9 \\
          --sigma2 0,0.1 --steps 200 --runs 1000 --out sweep.csv
      lyapunov sweep simulate ... --scheduler tcp://10.0.0.5:8786
      lyapunov sweep pep --eta 0.1,0.5 --c 0.1,0.5,1 --steps 12 --json
    """
    import contextlib

    from . import sweep as sw

    ctx = click.get_current_context()
    other = "pep" if kind == "simulate" else "simulate"
    for name in _SWEEP_ONLY[other]:
        if ctx.get_parameter_source(name) is not click.core.ParameterSource.DEFAULT:
            raise CliUsageError(f"--{name} does not apply to `lyapunov sweep {kind}`")
    out = opts["out"]
    if out is not None and Path(out).suffix.lower() not in (".csv", ".json"):
        raise CliUsageError(f"--out: must end in .csv or .json, got {out!r}")
    if out is not None and not Path(out).resolve().parent.is_dir():
        raise CliUsageError(f"--out: no such folder {str(Path(out).parent)!r}")
    common = {
        "chunk_size": opts["chunk_size"],
        "workers": opts["workers"],
        "scheduler": opts["scheduler"],
        "connect_timeout": opts["connect_timeout"],
    }
    steps = _number_list("--steps", opts["steps"], int)
    given = {n: _number_list(f"--{n}", opts[n]) for n in ("lr", "momentum", "eta", "c")}
    t0 = time.perf_counter()
    with contextlib.ExitStack() as stack:
        bar = []

        def progress(done: int, total: int) -> None:
            if opts["quiet"] or not sys.stderr.isatty():
                return
            if not bar:
                label = f"sweep ({total} chunks)"
                pb = click.progressbar(length=total, label=label, file=sys.stderr, show_pos=True)
                bar.append(stack.enter_context(pb))
            bar[0].update(done - bar[0].pos)

        try:
            if kind == "simulate":
                if len(steps) != 1:
                    raise CliUsageError(f"--steps: one number of steps, got {opts['steps']!r}")
                if opts["runs"] is None:
                    raise CliUsageError("--runs is required for `lyapunov sweep simulate`")
                table = sw.simulations(
                    opts["objective"].split(","),
                    opts["method"],
                    steps=steps[0],
                    runs=opts["runs"],
                    sigma2=_number_list("--sigma2", opts["sigma2"]),
                    seed=opts["seed"],
                    dim=opts["dim"],
                    level=opts["level"],
                    engine=opts["engine"],
                    progress=progress,
                    **{k: v for k, v in given.items() if v is not None},
                    **common,
                )
            else:
                for name in ("lr", "momentum"):
                    if given[name] is not None:
                        raise CliUsageError(f"--{name} does not apply to `lyapunov sweep pep`")
                for name in ("eta", "c"):
                    if given[name] is None:
                        raise CliUsageError(f"--{name} is required for `lyapunov sweep pep`")
                table = sw.worst_cases(
                    given["eta"],
                    given["c"],
                    steps=steps,
                    L=opts["L"],
                    gap=opts["gap"],
                    condition=opts["condition"],
                    progress=progress,
                    **common,
                )
        except (ValueError, TypeError, ImportError) as exc:
            raise CliUsageError(str(exc)) from None
    seconds = time.perf_counter() - t0
    if out is not None:
        try:
            table.save(out)
        except OSError as exc:
            raise CliUsageError(f"--out: cannot write {out}: {exc.strerror}") from None
    if opts["as_json"]:
        click.echo(table.to_json())
    else:
        click.echo(_sweep_text(table, kind))
        click.echo(_sweep_summary(table, kind, seconds))
    if out is not None:
        click.echo(f"table written to {out}", err=True)
    violated = kind == "simulate" and any(r.get("outcome") == "violated" for r in table)
    return EXIT_FAIL if violated else EXIT_OK


def _sweep_text(table, kind: str) -> str:
    def num(v) -> str:
        return "n/a" if v is None else f"{v:.4g}"

    lines = []
    for r in table:
        if kind == "pep":
            lines.append(
                f"eta={r['eta']:<7.4g} c={r['c']:<6.4g} steps={r['steps']:<4} "
                f"worst={num(r['worst_case'])} bound={num(r['bound'])} "
                f"bound/worst={num(r['ratio'])}"
            )
            continue
        names = [n for n in ("lr", "momentum", "eta", "c") if r.get(n) is not None]
        ps = " ".join(f"{n}={r[n]:.4g}" for n in names)
        lines.append(
            f"{str(r.get('outcome', '')):12} {r['objective']:10} {ps:28} s2={r['sigma2']:<6.4g} "
            f"emp={num(r['empirical'])} [{num(r['ci_low'])}, {num(r['ci_high'])}] "
            f"bound={num(r['bound'])} div={r['diverged']}"
        )
    return "\n".join(lines)


def _sweep_summary(table, kind: str, seconds: float) -> str:
    if kind == "pep":
        ratios = [r["ratio"] for r in table if r["ratio"] is not None]
        worst = f", bound/worst case at most {max(ratios):.3f}" if ratios else ""
        return f"{len(table)} worst cases in {seconds:.1f} s{worst}"
    counts: dict[str, int] = {}
    for r in table:
        counts[str(r.get("outcome"))] = counts.get(str(r.get("outcome")), 0) + 1
    tally = ", ".join(f"{v} {k}" for k, v in counts.items())
    return f"{len(table)} configurations in {seconds:.1f} s: {tally}"


_COLOURS = {"certified": "green", "refuted": "red", "not proved": "yellow"}


def _print_line(res: dict) -> None:
    status = click.style(f"{res['status']:<11}", fg=_COLOURS.get(res["status"]), bold=True)
    click.echo(f"{status} {res['seconds']:7.2f} s  {res['name']}")
    if res["status"] != "certified":
        click.echo(f"{'':22}{res['reason']}")


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option(
    "-o",
    "--out",
    type=click.Path(),
    default=None,
    help="Output file (one input) or folder (default: <name>_proved.py next to each input).",
)
@_timeout_option("Seconds allowed per theorem (search and exact check).")
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Seed of the sample points of the search.",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON report instead of text.")
def prove(files, out, timeout, seed, as_json):
    """Find the certificates of theorems that leave them to the toolkit.

    For every DescentLemma of FILES with certificate=AUTO or unknowns(...), search for exact
    multipliers and coefficients, write a complete proof file with them filled in, and check
    it exactly. Prints one line per theorem; when none is found, the line says why (a point
    where no certificate exists, or the furthest the search got). Exit 0 when every theorem
    got a certified certificate, 1 otherwise, 2 on bad usage.

    \b
    Examples:
      lyapunov prove proofs/templates/p4_auto.py -o p4_proved.py
      lyapunov check p4_proved.py
      lyapunov prove my_lemmas/*.py -o proved/ --json
    """
    from .loader import ProofFileError, proof_files
    from .prove import output_path, prove_file

    try:
        srcs = proof_files(list(files))
    except ProofFileError as exc:
        raise CliUsageError(str(exc)) from None
    out_path = Path(out) if out is not None else None
    try:
        import cvxpy  # noqa: F401
    except ImportError:
        raise CliUsageError("prove needs cvxpy: pip install 'lyapunov[search]'") from None

    def line(res) -> None:
        if not as_json:
            colour = "green" if res.certified else "red"
            status = "found" if res.certified else res.status
            click.echo(
                click.style(f"{status:<11}", fg=colour)
                + f"{res.seconds:7.2f} s  {res.name}"
                + (f"\n    {res.reason}" if res.reason else "")
            )

    reports, found, total = [], 0, 0
    for src in srcs:
        try:
            dest = output_path(src, out_path, many=len(srcs) > 1)
            fr = prove_file(src, dest, timeout=timeout, seed=seed, progress=line)
        except ProofFileError as exc:
            raise CliUsageError(str(exc)) from None
        reports.append(fr)
        total += len(fr.results)
        found += sum(fr.verdicts.get(r.name) == "certified" for r in fr.results)
        if not as_json:
            if not fr.results:
                click.echo(f"{src}: nothing to prove (no certificate=AUTO, no unknowns)")
            elif fr.output is not None:
                checked = ", ".join(f"{k}: {v}" for k, v in fr.verdicts.items())
                click.echo(f"wrote {fr.output} (lyapunov check: {checked})")
    if as_json:
        doc = {"files": [fr.to_json() for fr in reports], "certified": found, "total": total}
        click.echo(json.dumps(doc, indent=2))
    else:
        colour = "green" if found == total else "red"
        click.echo(click.style(f"{found} of {total} theorems proved and certified", fg=colour))
    return EXIT_OK if found == total else EXIT_FAIL


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI, turning every usage error into one line and exit code 2."""
    prog = "lyapunov"
    no_args = getattr(click.exceptions, "NoArgsIsHelpError", ())
    try:
        code = cli.main(args=argv, prog_name=prog, standalone_mode=False)
    except no_args as exc:  # bare `lyapunov`: show the help
        click.echo(exc.ctx.get_help() if exc.ctx else str(exc))
        sys.exit(EXIT_OK)
    except click.UsageError as exc:
        sub = f" {exc.ctx.info_name}" if exc.ctx and exc.ctx.info_name != prog else ""
        click.echo(f"{prog}{sub}: error: {exc.format_message()}", err=True)
        sys.exit(EXIT_USAGE)
    except CliUsageError as exc:
        click.echo(f"{prog}: error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    except click.Abort:
        click.echo(f"{prog}: aborted", err=True)
        sys.exit(EXIT_FAIL)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    sys.exit(code if isinstance(code, int) else EXIT_OK)


if __name__ == "__main__":  # pragma: no cover
    main()
