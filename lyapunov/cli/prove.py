"""``lyapunov prove``: find the certificates of theorems that leave them to the toolkit."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .common import EXIT_FAIL, EXIT_OK, CliUsageError, timeout_option

__all__ = ["command"]


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option(
    "-o",
    "--out",
    type=click.Path(),
    default=None,
    help="Output file (one input) or folder (default: <name>_proved.py next to each input).",
)
@timeout_option("Seconds allowed per theorem (search and exact check).")
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
    it exactly. Prints one line per theorem: "found" (certified), "refuted" (a refuted claim:
    no certificate from the class's facts exists at the point shown, the claim is likely false
    there) or "not found" (with the furthest the search got: the sub-region it certifies, the
    certificate the exact check rejected, where and by how much). Exit 0 when every theorem
    got a certified certificate, 1 otherwise, 2 on bad usage.

    \b
    Examples:
      lyapunov prove proofs/templates/p4_auto.py -o p4_proved.py
      lyapunov check p4_proved.py
      lyapunov prove my_lemmas/*.py -o proved/ --json
    """
    from ..loader import ProofFileError, proof_files
    from ..prove import output_path, prove_file

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
            click.echo(
                click.style(f"{res.outcome:<11}", fg=colour)
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


command = prove
