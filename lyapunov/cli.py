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
      lyapunov check proofs/p3_sgd_descent.py --json
      lyapunov check my_lemmas/ --timeout 30
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
def check(paths, as_json, timeout, jobs):
    """Check theorems exactly over their whole parameter regions.

    PATHS are proof files or folders (default: proofs/). Prints one line per theorem:
    verdict, seconds, name; a refuted theorem also prints the failing condition and an exact
    counterexample point. Exit 0 only if every theorem is certified.

    \b
    Examples:
      lyapunov check
      lyapunov check proofs/p4_spa_descent.py --json
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
