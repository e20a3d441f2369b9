"""``lyapunov pep``: the exact worst case of a method (built-in or a file of your own)."""

from __future__ import annotations

import math
import warnings

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
@click.option("--mu", type=float, default=None, help="Strong convexity or PL constant, 0 < mu < L.")
@click.option(
    "--G", "G", type=float, default=None, help="Lipschitz constant G > 0 (convex_lipschitz)."
)
@click.option(
    "--distance", type=float, default=None, help="|x_0 - x_*| (classes with a minimiser)."
)
@click.option(
    "--gap", type=float, default=1.0, show_default=True, help="f(x_0) - inf f (or the bound of "
    "f(x_0) - f(p) with --condition iterates)."
)  # fmt: skip
@click.option(
    "--class",
    "function_class",
    default="smooth",
    show_default=True,
    help="Function class: smooth (L-smooth, possibly non-convex), smooth_convex, "
    "smooth_strongly_convex (--mu), convex, convex_lipschitz (--G), pl (L-smooth and mu-PL).",
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
    default=None,
    help="lower_bound: f(x_0) - inf f <= gap (the bound calculators' class; the default "
    "without a minimiser); distance: |x_0 - x_*| <= --distance (the default with one); "
    "iterates: f(x_0) - f(p) <= gap at every point of the run (PEPit's).",
)
@click.option("--json", "as_json", is_flag=True, help='Print JSON (inf as the string "inf").')
def command(
    method, steps, settings, L, mu, G, distance, gap, function_class, measure, condition, as_json
):
    """The exact worst case of METHOD (a built-in name, e.g. sgdm, or a Python file that
    defines `method`) after --steps deterministic steps, by performance estimation.

    \b
    Examples:
      lyapunov pep sgdm --steps 12 --set lr=0.1 --set momentum=0.5
      lyapunov pep my_method.py --steps 12 --set lr=0.1 --set momentum=0.5 --json
      lyapunov pep tmm --set rho=0.5 --measure min_grad2 --condition iterates
      lyapunov pep ogm --class smooth_convex --distance 1 --measure last_gap
    """
    from ..pep import solve

    params = parse_set(settings)
    try:
        import cvxpy  # noqa: F401
    except ImportError:
        raise CliUsageError("pep: needs cvxpy and clarabel (pip install 'lyapunov[pep]')") from None
    with usage_errors(first_line=True), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            res = solve(
                method,
                params,
                steps=steps,
                L=L,
                mu=mu,
                G=G,
                distance=distance,
                gap=gap,
                function_class=function_class,
                measure=measure,
                condition=condition,
            )
        except RuntimeError as exc:
            click.echo(f"lyapunov pep: {exc}", err=True)
            return EXIT_FAIL
    for w in caught:  # one line each, never a source path
        click.echo(f"lyapunov pep: warning: {str(w.message).splitlines()[0]}", err=True)
    if as_json:
        echo_json(res.as_dict())
        return EXIT_OK
    shown = ", ".join(f"{k}={_show(v)}" for k, v in res.params.items())
    value = f"{res.value:.6g}" if math.isfinite(res.value) else "inf (unbounded)"
    cond = {
        "lower_bound": f"f(x_0) - inf f <= {gap:g}",
        "iterates": f"f(x_0) - f(p) <= {gap:g}",
        "distance": f"|x_0 - x_*| <= {distance:g}" if distance is not None else "",
    }[res.condition]
    consts = ", ".join(f"{k}={v:g}" for k, v in (("L", L), ("mu", mu), ("G", G)) if v is not None)
    if res.function_class in ("convex", "convex_lipschitz"):
        consts = f"G={G:g}" if G is not None else ""
    click.echo(
        f"worst case {value}  {res.measure} of {res.method}({shown}), {res.steps} steps, "
        f"{res.function_class} {consts}, {cond}  [{res.solve_time:.2f} s]"
    )
    return EXIT_OK


def _show(v) -> str:
    try:
        return f"{float(v):g}"
    except TypeError:
        return "[" + ",".join(f"{float(x):g}" for x in v) + "]"
