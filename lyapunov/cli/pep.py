"""``lyapunov pep``: the exact worst case of a method (built-in or a file of your own)."""

from __future__ import annotations

import math

import click

from .common import EXIT_FAIL, EXIT_OK, SET_HELP, CliUsageError, echo_json, parse_set, usage_errors

__all__ = ["command"]


@click.command("pep")
@click.argument("method")
@click.option("--steps", type=int, default=12, show_default=True, help="Number of steps n.")
@click.option(
    "--set",
    "settings",
    multiple=True,
    metavar="NAME=VALUE",
    help=SET_HELP,
)
@click.option("--L", "L", type=float, default=1.0, show_default=True, help="Smoothness L > 0.")
@click.option(
    "--gap", type=float, default=1.0, show_default=True, help="f(x_0) - inf f (or the bound of "
    "f(x_0) - f(p) with --condition iterates)."
)  # fmt: skip
@click.option(
    "--class",
    "function_class",
    default="smooth",
    show_default=True,
    help="Function class (smooth: L-smooth, possibly non-convex).",
)
@click.option(
    "--measure",
    default="avg_grad2",
    show_default=True,
    help="avg_grad2, min_grad2 (of |grad f(y_k)|^2 over k < n), last_gap (f(x_n) - f_*) or "
    "last_dist2 (|x_n - x_*|^2, classes with a minimiser).",
)
@click.option(
    "--condition",
    default="lower_bound",
    show_default=True,
    help="lower_bound: f(x_0) - inf f <= gap (the bound calculators' class); iterates: "
    "f(x_0) - f(p) <= gap at every point of the run (PEPit's).",
)
@click.option("--json", "as_json", is_flag=True, help='Print JSON (inf as the string "inf").')
def command(method, steps, settings, L, gap, function_class, measure, condition, as_json):
    """The exact worst case of METHOD (a built-in name, e.g. sgdm, or a Python file that
    defines `method`) after --steps deterministic steps, by performance estimation.

    \b
    Examples:
      lyapunov pep sgdm --steps 12 --set lr=0.1 --set momentum=0.5
      lyapunov pep my_method.py --steps 12 --set lr=0.1 --set momentum=0.5 --json
      lyapunov pep tmm --set rho=0.5 --measure min_grad2 --condition iterates
    """
    from ..pep import solve

    params = parse_set(settings)
    try:
        import cvxpy  # noqa: F401
    except ImportError:
        raise CliUsageError("pep: needs cvxpy and clarabel (pip install 'lyapunov[pep]')") from None
    with usage_errors(first_line=True):
        try:
            res = solve(
                method,
                params,
                steps=steps,
                L=L,
                gap=gap,
                function_class=function_class,
                measure=measure,
                condition=condition,
            )
        except RuntimeError as exc:
            click.echo(f"lyapunov pep: {exc}", err=True)
            return EXIT_FAIL
    if as_json:
        echo_json(res.as_dict())
        return EXIT_OK
    shown = ", ".join(f"{k}={_show(v)}" for k, v in res.params.items())
    value = f"{res.value:.6g}" if math.isfinite(res.value) else "inf (unbounded)"
    cond = "f(x_0) - inf f" if condition == "lower_bound" else "f(x_0) - f(p)"
    click.echo(
        f"worst case {value}  {res.measure} of {res.method}({shown}), {res.steps} steps, "
        f"{res.function_class} L={L:g}, {cond} <= {gap:g}  [{res.solve_time:.2f} s]"
    )
    return EXIT_OK


def _show(v) -> str:
    try:
        return f"{float(v):g}"
    except TypeError:
        return "[" + ",".join(f"{float(x):g}" for x in v) + "]"
