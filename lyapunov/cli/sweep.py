"""``lyapunov sweep``: a grid on a dask cluster (Monte-Carlo or exact worst cases) as a table."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from ..bounds.dispatch import methods as bound_methods
from ..methods.registry import FAMILY
from ..sim import METHODS
from ..sim.core import AUTO_NUMBA_WORK
from .common import EXIT_FAIL, EXIT_OK, EXIT_USAGE, CliUsageError, usage_errors

__all__ = ["command", "FORMS"]

#: the grid's parameter options
_GRID = ("lr", "momentum", "eta", "c")
#: the methods `sweep simulate` runs: certified bounds at x_k, parameters among the options
FORMS = tuple(
    m
    for m, ps in METHODS.items()
    if m in bound_methods() and m not in FAMILY and set(ps) <= set(_GRID)
)


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


@click.command()
@click.argument("kind", type=click.Choice(["simulate", "pep"]))
@click.option("--objective", default="cosine", show_default=True, help="Objectives, a,b,...")
@click.option(
    "--method",
    type=click.Choice(list(FORMS)),
    default="sgdm",
    show_default=True,
    help="Form of the method (simulate).",
)
@click.option("--lr", help="Learning rates, e.g. 0.01,0.1 (sgd, sgdm, heavy_ball).")
@click.option("--momentum", help="Momenta in [0, 1), e.g. 0,0.9 (sgdm, heavy_ball).")
@click.option("--eta", help="SPA steps eta > 0 (spa, pep).")
@click.option("--c", "c", help="SPA weights c in (0, 1] (spa, pep).")
@click.option("--sigma2", default="0", show_default=True, help="Noise variances (simulate).")
@click.option(
    "--steps",
    required=True,
    help="Steps (simulate: one value; pep: a list; a worst case's memory grows as steps^4 and "
    "its time faster: 30 steps take about a minute, and more than fits is refused).",
)
@click.option("--runs", type=int, help="Seeds per configuration (simulate).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed (simulate).")
@click.option("--dim", type=int, default=10, show_default=True, help="Dimension (simulate).")
@click.option("--level", type=float, default=0.99, show_default=True, help="Interval level.")
@click.option(
    "--engine",
    type=click.Choice(["auto", "numpy", "numba"]),
    default="auto",
    show_default=True,
    help=f"Simulation engine (simulate). auto: the fused numba kernel when numba is installed "
    f"and a chunk's configurations x runs x steps x dim is at least {AUTO_NUMBA_WORK:.0e} "
    "(where compiling it, 10 to 15 s per worker, pays), else numpy.",
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
    (exit 1 if any is violated, as for `lyapunov simulate`; exit 2 if runs overflowed float64
    and none is violated). KIND pep: exact worst cases over eta x c x steps next to the
    certified bound. Lists are comma-separated. A grid that would not fit in memory is refused
    before any worker starts; Ctrl-C stops the workers with it (exit 130).

    \b
    Examples:
      lyapunov sweep simulate --objective cosine,lsq --lr 0.01,0.1 --momentum 0,0.9 \\
          --sigma2 0,0.1 --steps 200 --runs 1000 --out sweep.csv
      lyapunov sweep simulate ... --scheduler tcp://10.0.0.5:8786
      lyapunov sweep pep --eta 0.1,0.5 --c 0.1,0.5,1 --steps 12 --json
    """
    import contextlib

    from .. import sweep as sw

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
    given = {n: _number_list(f"--{n}", opts[n]) for n in _GRID}
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

        with usage_errors(ImportError):
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
    outcomes = [r.get("outcome") for r in table] if kind == "simulate" else []
    if "violated" in outcomes:
        return EXIT_FAIL
    if "overflow" in outcomes:
        click.echo(
            f"lyapunov: error: overflow: in {outcomes.count('overflow')} of {len(table)} "
            "configurations runs left the range of float64 (a gradient or an iterate became "
            "inf): no verdict on their bound; use smaller values",
            err=True,
        )
        return EXIT_USAGE
    return EXIT_OK


command = sweep


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
