"""``lyapunov check``: check theorems exactly over their whole parameter regions."""

from __future__ import annotations

import contextlib
import json
import os
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import click

from .common import EXIT_FAIL, EXIT_OK, CliUsageError, timeout_option
from .interrupt import stop_descendants

__all__ = ["command"]

_COLOURS = {"certified": "green", "rejected": "red", "refuted": "red", "not proved": "yellow"}


def _worker_init() -> None:
    """A worker ignores SIGINT (a Ctrl-C in the terminal reaches the whole process group): the
    command stops it with everything else (:mod:`.interrupt`), without a traceback."""
    import signal

    with contextlib.suppress(ValueError, OSError):
        signal.set_wakeup_fd(-1)  # the parent's, inherited by fork
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def _check_one(job: tuple) -> dict:
    """Load one proof file and check its theorem number ``index`` (runs in a worker); with
    ``cross`` every decision is re-decided by cvc5 (a disagreement: not certified)."""
    from ..engine.kernel.decide import cross_checking
    from ..engine.kernel.region import MalformedError
    from ..loader import ProofFileError, load_file

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


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print a JSON report instead of text.")
@timeout_option("Seconds allowed per theorem.")
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
    from ..loader import ProofFileError, default_proofs_dir, load_file, proof_files

    t0 = time.perf_counter()
    if cross:
        from ..engine.kernel.second_solver import available

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
        pool = ProcessPoolExecutor(max_workers=n_jobs, mp_context=ctx, initializer=_worker_init)
        try:
            for res in pool.map(_check_one, jobs_list):
                report(res)
        except BaseException:  # an error or Ctrl-C: the running checks are not waited for
            stop_descendants()
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown()
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


command = check


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
    """The certified theorems of ``results`` as one LaTeX document in ``out``."""
    from ..engine.present.latex import document_latex
    from ..loader import load_file

    theorems = [
        load_file(Path(path))[index].theorem
        for (path, index, *_), res in zip(jobs_list, results, strict=True)
        if res["status"] == "certified"
    ]
    try:
        Path(out).write_text(document_latex(theorems))
    except OSError as exc:
        raise CliUsageError(f"--latex: cannot write {out}: {exc.strerror}") from None


def _print_line(res: dict) -> None:
    status = click.style(f"{res['outcome']:<11}", fg=_COLOURS.get(res["outcome"]), bold=True)
    click.echo(f"{status} {res['seconds']:7.2f} s  {res['name']}")
    if res["status"] != "certified":
        click.echo(f"{'':22}{res['reason']}")
