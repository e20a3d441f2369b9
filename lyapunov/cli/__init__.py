"""The ``lyapunov`` command line: one module per command, each only parsing and printing around
library calls. Nothing outside this package imports it.

A command is a module of this package defining ``command`` (a :class:`click.Command`), listed
in :data:`COMMANDS` and imported only when it runs (or when the help lists the commands), so
that ``lyapunov check`` does not load the calculators, the simulator or the figures. Exit
codes: 0 success (every theorem certified); 1 a theorem was refuted or not proved; 2 bad usage
or a malformed proof file (one line on stderr naming the problem); 130 stopped by Ctrl-C
(SIGINT), with every process the command started (:mod:`.interrupt`)."""

from __future__ import annotations

import importlib
import sys
from types import ModuleType

import click

from .common import EXIT_OK, EXIT_USAGE, CliUsageError
from .interrupt import EXIT_INTERRUPT, MESSAGE, handling_interrupts, quick_interrupts

__all__ = ["cli", "main", "COMMANDS", "command_module"]

#: the command modules (by name), each defining ``command``; a new command is one module added
#: here
COMMANDS = ("check", "prove", "bound", "pep", "simulate", "figures", "sweep")


def command_module(name: str) -> ModuleType:
    """The module of the command ``name`` (of :data:`COMMANDS`), imported on first use."""
    with quick_interrupts():  # loading a command takes a second: Ctrl-C then is one line too
        return importlib.import_module(f"{__name__}.{name}")


class _Commands(click.Group):
    """The group of :data:`COMMANDS`, each loaded when asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        return command_module(cmd_name).command


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="lyapunov")
def cli():
    """Machine-checked Lyapunov analysis of SGD with momentum (SPA form).

    \b
    Examples:
      lyapunov check                      # re-verify every theorem in proofs/
      lyapunov check my_lemmas/ --timeout 30 --json
      lyapunov prove my_lemma.py          # find the certificate a lemma leaves to AUTO
      lyapunov bound sgdm --lr 0.01 --momentum 0.9 --L 1 --sigma2 0.01 --steps 1000 --gap 1
      lyapunov pep sgdm --steps 12 --set lr=0.1 --set momentum=0.5   # exact worst case
      lyapunov simulate --objective cosine --lr 0.01 --momentum 0.9 --steps 500 --runs 100 \\
          --sigma2 0.1
      lyapunov figures --quick
    """


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI, turning every usage error into one line and exit code 2, and
    Ctrl-C into one line and exit code 130 (the command's processes stopped with it)."""
    prog = "lyapunov"
    no_args = getattr(click.exceptions, "NoArgsIsHelpError", ())
    try:
        with handling_interrupts(prog):
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
    except (click.Abort, KeyboardInterrupt):  # click's Abort: a KeyboardInterrupt
        click.echo(f"{prog}: {MESSAGE}", err=True)
        sys.exit(EXIT_INTERRUPT)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    sys.exit(code if isinstance(code, int) else EXIT_OK)
