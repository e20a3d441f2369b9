"""What the commands share: exit codes, the usage error, common options, JSON printing.

Exit codes: 0 success; 1 a theorem refuted or not proved, a bound violated; 2 bad usage, a
malformed proof file or a simulation that overflowed float64 (one line on stderr naming the
problem); 130 stopped by Ctrl-C (:mod:`lyapunov.cli.interrupt`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click

__all__ = [
    "EXIT_OK",
    "EXIT_FAIL",
    "EXIT_USAGE",
    "CliUsageError",
    "echo_json",
    "parse_set",
    "SET_HELP",
    "positive_seconds",
    "timeout_option",
    "usage_errors",
]

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


class CliUsageError(Exception):
    """Raised for bad input; :func:`lyapunov.cli.main` prints it as one line and exits 2."""


@contextmanager
def usage_errors(*kinds: type[Exception], first_line: bool = False) -> Iterator[None]:
    """The library's ValueError and TypeError (and ``kinds``) as a :class:`CliUsageError`
    with the same message (its first line only with ``first_line``)."""
    try:
        yield
    except (ValueError, TypeError, *kinds) as exc:
        text = str(exc).splitlines()[0] if first_line else str(exc)
        raise CliUsageError(text) from None


def echo_json(doc: object) -> None:
    """Print ``doc`` as strict JSON (inf as the string "inf": :mod:`lyapunov.jsonio`)."""
    from ..jsonio import dumps

    click.echo(dumps(doc))


def positive_seconds(ctx: click.Context, param: click.Parameter, value: float | None):
    """A click callback: ``value`` must be a positive finite number of seconds."""
    if value is None:
        return value
    if not math.isfinite(value) or value <= 0:
        raise click.BadParameter(
            f"{value!r}: must be a positive finite number of seconds", param_hint=f"--{param.name}"
        )
    return value


def timeout_option(help_text: str) -> Callable:
    """--timeout: positive seconds per theorem (check and prove)."""
    return click.option(
        "--timeout",
        type=float,
        default=300.0,
        show_default=True,
        callback=positive_seconds,
        help=help_text,
    )


SET_HELP = "A parameter of the method: a number, or a schedule v0,v1,... of one value per step."


def parse_set(items: tuple[str, ...]) -> dict[str, object]:
    """``NAME=VALUE`` pairs: a number, or a schedule of comma-separated numbers."""
    out: dict[str, object] = {}
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not name or not text.strip():
            raise CliUsageError(f"--set: expected NAME=VALUE (e.g. lr=0.1), got {item!r}")
        if name in out:
            raise CliUsageError(f"--set: {name} is given twice")
        try:
            values = [float(v) for v in text.split(",")]
        except ValueError:
            raise CliUsageError(
                f"--set {name}: {text!r} is not a number or a comma-separated schedule"
            ) from None
        out[name] = values[0] if len(values) == 1 else values
    return out
