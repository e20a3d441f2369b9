"""``lyapunov figures``: regenerate the figures from certified bounds and fresh simulations."""

from __future__ import annotations

import sys
import time

import click

from .common import EXIT_OK, CliUsageError

__all__ = ["command"]


@click.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    default=None,
    help="Folder for the PNG and PDF files (and README.md). Default: figures (full run) or "
    "figures-quick (--quick). A --quick preview never overwrites full-run figures.",
)
@click.option(
    "--quick",
    is_flag=True,
    help="Small grids and few runs (CI, previews); written to figures-quick/ unless --out.",
)
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
      lyapunov figures --quick                  # previews in figures-quick/
      lyapunov figures --only tightness --out /tmp/figs
      lyapunov figures                          # the full run: rewrites figures/
    """
    from ..figures import FIGURES, check_out, default_out, generate

    if only is not None and only not in FIGURES:
        raise CliUsageError(f"--only: unknown figure {only!r}; choose from {', '.join(FIGURES)}")
    try:
        out = check_out(default_out(quick) if out is None else out, quick)
    except ValueError as exc:
        raise CliUsageError(f"--{exc}") from None
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
    kind = "quick previews" if quick else "figures"
    click.echo(
        f"{len(paths)} {kind} (PNG and PDF) written to {out.resolve()} "
        f"in {time.perf_counter() - t0:.1f} s"
    )
    return EXIT_OK


command = figures
