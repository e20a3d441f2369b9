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


def _check_one(job: tuple[str, int, float | None]) -> dict:
    """Load one proof file and check its theorem number ``index`` (runs in a worker)."""
    from .engine.region import MalformedError
    from .loader import ProofFileError, load_file

    path, index, timeout = job
    try:
        th = load_file(Path(path))[index].theorem
        verdict = th.check(timeout=timeout)
    except (ProofFileError, MalformedError) as exc:
        return {"error": f"{path}: {exc}" if not str(exc).startswith(path) else str(exc)}
    out = verdict.to_json()
    out["file"] = path
    return out


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="lyapunov")
def cli():
    """Machine-checked Lyapunov analysis of SGD with momentum (SPA form).

    \b
    Examples:
      lyapunov check                      # re-verify every theorem in proofs/
      lyapunov check my_lemmas/ --timeout 30 --json
      lyapunov bound sgdm --lr 0.01 --momentum 0.9 --L 1 --sigma2 0.01 --steps 1000 --gap 1
      lyapunov simulate --objective cosine --lr 0.01 --momentum 0.9 --steps 500 --runs 100
      lyapunov figures --quick
    """


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print a JSON report instead of text.")
@click.option(
    "--timeout",
    type=float,
    default=300.0,
    show_default=True,
    callback=_positive_float,
    help="Seconds allowed per theorem.",
)
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
def check(paths, as_json, timeout, jobs, latex_out):
    """Check theorems exactly over their whole parameter regions.

    PATHS are proof files or folders (default: proofs/). Prints one line per theorem:
    verdict, seconds, name; a refuted theorem also prints the failing condition and an exact
    counterexample point. Exit 0 only if every theorem is certified.

    \b
    Examples:
      lyapunov check
      lyapunov check proofs/p4_spa_descent.py --json
      lyapunov check --latex theorems.tex
    """
    from .loader import ProofFileError, default_proofs_dir, load_file, proof_files

    t0 = time.perf_counter()
    try:
        files = proof_files(list(paths) or [default_proofs_dir()])
        jobs_list = []
        for fpath in files:
            for item in load_file(fpath):
                jobs_list.append((str(fpath), item.index, timeout))
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
    if as_json:
        click.echo(
            json.dumps({"theorems": results, "certified": certified, "total": total}, indent=2)
        )
    else:
        colour = "green" if certified == total else "red"
        click.echo(
            click.style(f"{certified} of {total} theorems certified", fg=colour)
            + f" in {time.perf_counter() - t0:.1f} s"
        )
    return EXIT_OK if certified == total else EXIT_FAIL


def _write_latex(out: str, jobs_list: list, results: list[dict]) -> None:
    from .engine.latex import document_latex
    from .loader import load_file

    theorems = [
        load_file(Path(path))[index].theorem
        for (path, index, _), res in zip(jobs_list, results, strict=True)
        if res["status"] == "certified"
    ]
    try:
        Path(out).write_text(document_latex(theorems))
    except OSError as exc:
        raise CliUsageError(f"--latex: cannot write {out}: {exc.strerror}") from None


_METHODS = {
    "sgd": ("lr",),
    "sgdm": ("lr", "momentum"),
    "spa": ("eta", "c"),
}


@cli.command()
@click.argument("method", type=click.Choice(sorted(_METHODS)))
@click.option("--lr", type=float, help="Learning rate (sgd, sgdm).")
@click.option("--momentum", type=float, help="PyTorch momentum in [0, 1) (sgdm).")
@click.option("--eta", type=float, help="SPA step eta > 0 (spa).")
@click.option("--c", "c", type=float, help="SPA averaging weight c in (0, 1] (spa).")
@click.option("--L", "L", type=float, required=True, help="Smoothness constant L > 0.")
@click.option(
    "--sigma2", type=float, default=0.0, show_default=True, help="Gradient noise variance bound."
)
@click.option("--steps", type=int, required=True, help="Number of steps n >= 1.")
@click.option("--gap", type=float, required=True, help="f(x_0) - inf f.")
@click.option("--best", is_flag=True, help="Also find the step (lr or eta) minimising the bound.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def bound(method, lr, momentum, eta, c, L, sigma2, steps, gap, best, as_json):
    """Certified bound on (1/steps) sum_k E|grad f(x_k)|^2 for your hyper-parameters.

    Valid for every L-smooth f with f(x_0) - inf f <= gap and unbiased gradient noise of
    variance <= sigma2. Prints inf where no certified theorem covers the parameters.

    \b
    Examples:
      lyapunov bound sgdm --lr 0.1 --momentum 0.9 --L 1 --sigma2 0.01 --steps 1000 --gap 1
      lyapunov bound sgd --lr 0.5 --L 1 --steps 100 --gap 1 --json
      lyapunov bound sgdm --momentum 0.9 --best --L 1 --sigma2 0.01 --steps 1000 --gap 1
    """
    from . import bounds

    given = {"lr": lr, "momentum": momentum, "eta": eta, "c": c}
    needed = _METHODS[method]
    step_name = needed[0]
    for name in needed:
        if given[name] is None and not (best and name == step_name):
            raise CliUsageError(f"--{name} is required for method {method}")
    for name, val in given.items():
        if val is not None and name not in needed:
            raise CliUsageError(
                f"--{name} does not apply to method {method} "
                f"(it takes {', '.join('--' + n for n in needed)})"
            )
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
            res = fn(**extra, **common)
            params[step_name] = res.step
            out["best_" + step_name] = res.step
        fn = {"sgd": bounds.sgd, "sgdm": bounds.sgdm, "spa": bounds.spa}[method]
        res = fn(**params, **common, detail=True)
    except (ValueError, TypeError) as exc:
        raise CliUsageError(str(exc)) from None
    finite = math.isfinite(res.value)
    out["bound"] = res.value if finite else None
    out["theorem"] = res.theorem or None
    if as_json:
        click.echo(json.dumps(out, indent=2))
        return EXIT_OK
    shown = ", ".join(f"{k}={v:g}" for k, v in params.items())
    if best:
        click.echo(f"best {step_name}: {params[step_name]:.6g}")
    if finite:
        click.echo(
            f"certified bound on (1/{steps}) sum_k E|grad f(x_k)|^2 at {shown}: "
            f"{res.value:.6g}  [theorem {res.theorem}]"
        )
    else:
        click.echo(f"no certified theorem covers {shown} (L={L:g}): bound = inf")
    return EXIT_OK


@cli.command()
@click.option(
    "--objective",
    required=True,
    help="Synthetic objective: cosine, lsq, rosenbrock, net or quadratic.",
)
@click.option(
    "--method",
    type=click.Choice(["sgd", "sgdm", "spa", "heavy_ball"]),
    default="sgdm",
    show_default=True,
    help="Form of the method.",
)
@click.option("--lr", type=float, help="Learning rate (sgd, sgdm, heavy_ball).")
@click.option("--momentum", type=float, help="Momentum in [0, 1) (sgdm, heavy_ball).")
@click.option("--eta", type=float, help="SPA step (spa).")
@click.option("--c", "c", type=float, help="SPA averaging weight in (0, 1] (spa).")
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
    certified bound; exit 1 if the interval is not under the bound.

    \b
    Examples:
      lyapunov simulate --objective cosine --lr 0.05 --momentum 0.9 --steps 1000 --runs 200
      lyapunov simulate --objective lsq --method spa --eta 0.5 --c 0.1 --steps 500 --runs 100
    """
    from .confirm import confirm, format_rows, jsonable

    kw = {k: v for k, v in dict(lr=lr, momentum=momentum, eta=eta, c=c).items() if v is not None}
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
        if as_json or steps * runs * dim < 10**7:
            out = confirm(objective, method, **args)
        else:
            with click.progressbar(length=steps, label="simulating", file=sys.stderr) as bar:
                out = confirm(
                    objective, method, progress=lambda k, n: bar.update(k - bar.pos), **args
                )
    except (ValueError, TypeError) as exc:
        raise CliUsageError(str(exc)) from None
    click.echo(json.dumps(jsonable(out), indent=2) if as_json else format_rows([out]))
    if out["diverged"]:
        click.echo(
            f"warning: {out['diverged']} of {runs} runs diverged (non-finite gradient or "
            "|x| beyond the blow-up threshold); they were stopped and are excluded from "
            "the mean",
            err=True,
        )
    return EXIT_FAIL if out["passed"] is False else EXIT_OK


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


_COLOURS = {"certified": "green", "refuted": "red", "not proved": "yellow"}


def _print_line(res: dict) -> None:
    status = click.style(f"{res['status']:<11}", fg=_COLOURS.get(res["status"]), bold=True)
    click.echo(f"{status} {res['seconds']:7.2f} s  {res['name']}")
    if res["status"] != "certified":
        click.echo(f"{'':22}{res['reason']}")


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
