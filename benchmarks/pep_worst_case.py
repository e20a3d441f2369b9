"""Worst case of (1/n) sum_{k<n} |grad f(x_k)|^2 for deterministic SPA on L-smooth f (PEP).

    python benchmarks/pep_worst_case.py [--steps 12] [--L 1] [--metric average|min]
                                        [--variant iterates ...]

The metric is the average (the quantity the calculators bound) unless ``--metric min``.

One table per variant, rows eta, columns c (c = 1 is GD), each cell "value (solve seconds)":

* ``iterates``: f(x_0) - f(x_k) <= 1 for k = 1..n (exact worst case);
* ``iterates+z``: also z_1..z_n as points, f(x_0) - f(z_k) <= 1;
* ``lower_bound``: f(x_0) - inf f <= 1 (a valid upper bound, see ``lyapunov.pep``).
"""

from __future__ import annotations

import argparse
import time

from lyapunov.pep import pep_spa

ETAS = (0.05, 0.1, 0.25, 0.5, 1.0)
CS = (1.0, 0.5, 0.2, 0.1)
VARIANTS = {
    "iterates": {"condition": "iterates", "z_points": False},
    "iterates+z": {"condition": "iterates", "z_points": True},
    "lower_bound": {"condition": "lower_bound"},
}


def table(variant: str, L: float, steps: int, metric: str = "average") -> str:
    """The formatted table of one variant on the grid ETAS x CS."""
    kwargs = VARIANTS[variant]
    lines = [
        f"{variant}, {metric} metric: L = {L:g}, n = {steps}",
        "eta \\ c " + "".join(f"{f'c = {c:g}':>20}" for c in CS),
    ]
    for eta in ETAS:
        cells = []
        for c in CS:
            r = pep_spa(eta, c, L=L, steps=steps, metric=metric, **kwargs)
            cells.append(f"{r.value:>10.4f} ({r.solve_time:5.2f}s)")
        lines.append(f"{eta:<8g}" + "".join(f"{cell:>20}" for cell in cells))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=12)
    parser.add_argument("--L", type=float, default=1.0)
    parser.add_argument("--metric", choices=["average", "min"], default="average")
    parser.add_argument(
        "--variant", nargs="*", choices=list(VARIANTS), default=list(VARIANTS), help="tables"
    )
    args = parser.parse_args()
    start = time.perf_counter()
    for variant in args.variant:
        print(table(variant, args.L, args.steps, args.metric))
        print()
    print(f"total {time.perf_counter() - start:.1f}s")


if __name__ == "__main__":
    main()
