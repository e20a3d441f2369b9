"""Region study: where the exact worst case of SGD+M stays bounded as the horizon grows.

    python benchmarks/region_pep.py              # summarise the stored data
    nice python benchmarks/region_pep.py --recompute [--steps 12 25 50]   # ~30 min, 2 cores
    nice python benchmarks/region_pep.py --recompute --resume   # solve only what is missing

For torch.optim.SGD(lr, momentum), L = 1, on the grid ``lyapunov.studies.region.LRS`` x
``MOMENTA``: the worst case W_n of (1/n) sum_{k<n} |grad f(x_k)|^2 over L-smooth f with
f(x_0) - f(x_k) <= 1 at every iterate (``lyapunov.pep``, average metric), at n = 12 and 25
everywhere, and n = 50 at the edge of the bounded region (the last bounded lr of each momentum)
and at (lr, momentum) = (0.3, 0.9). ``--recompute`` writes
``lyapunov/studies/data/region_pep.csv`` (the data of the figure ``region``); without it the
stored file is read. Prints one table per horizon (W_n, ``inf`` when unbounded, ``nan`` when the
solver failed or ran out of time, ``-`` when not computed), the verdict per point (B bounded:
finite and non-increasing in n; G growing; U unbounded; ? unknown), and the point (0.3, 0.9)
with the certified bound there.
"""

from __future__ import annotations

import argparse
import math
import time

from lyapunov import bounds
from lyapunov.studies import region


def summary(points: list[region.PEPPoint]) -> str:
    lrs = sorted({p.lr for p in points})
    ms = sorted({p.momentum for p in points})
    ns = sorted({p.steps for p in points})
    value = {(p.lr, p.momentum, p.steps): p.worst_case for p in points}
    lines = []
    for n in ns:
        lines.append(f"W_n, n = {n} (rows momentum, columns lr)")
        lines.append("mom\\lr " + "".join(f"{lr:>9g}" for lr in lrs))
        for m in ms:
            cells = []
            for lr in lrs:
                w = value.get((lr, m, n))
                cells.append(f"{'-':>9}" if w is None else f"{w:>9.4g}")
            lines.append(f"{m:<7g}" + "".join(cells))
        lines.append("")
    table = region.verdicts(points)
    lines.append("verdict (B bounded, G growing, U unbounded, ? failed)")
    lines.append("mom\\lr " + "".join(f"{lr:>6g}" for lr in lrs))
    letter = {"bounded": "B", "growing": "G", "unbounded": "U", "unknown": "?"}
    for m in ms:
        lines.append(f"{m:<7g}" + "".join(f"{letter[table[(lr, m)]]:>6}" for lr in lrs))
    lines.append("")
    longest = ns[-1]
    lines.append(f"points solved at n = {longest}: W_n and n W_n (constant for a 1/n rate)")
    for p in sorted((p for p in points if p.steps == longest), key=lambda q: q.momentum):
        ws = [(n, value.get((p.lr, p.momentum, n), math.nan)) for n in ns]
        cells = ", ".join(f"W_{n} = {w:.4g} (n W = {n * w:.3g})" for n, w in ws)
        lines.append(f"  lr {p.lr:<5g} momentum {p.momentum:<5g} {cells}")
    lines.append("")
    for lr, m in ((0.3, 0.9),):
        ws = ", ".join(f"W_{n} = {value[(lr, m, n)]:.4g}" for n in ns if (lr, m, n) in value)
        b = bounds.sgdm(lr=lr, momentum=m, L=1.0, sigma2=0.0, steps=12, gap=1.0)
        lines.append(
            f"lr = {lr}, momentum = {m}, L = 1: {ws} -> {table[(lr, m)]}; "
            f"certified bound (n = 12): {b}"
        )
    failed = [p for p in points if p.status not in ("optimal", "optimal_inaccurate", "unbounded")]
    lines.append(f"points {len(points)}, solver status other than optimal/unbounded: {len(failed)}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recompute", action="store_true", help="solve the PEPs again")
    parser.add_argument(
        "--resume",
        action="store_true",
        help="with --recompute: reuse the points already in the data file, solve the others",
    )
    parser.add_argument("--steps", type=int, nargs="+", default=[12, 25, 50])
    parser.add_argument("--out", default=str(region.DATA), help="data file (CSV)")
    args = parser.parse_args()
    if args.recompute:
        t0 = time.perf_counter()

        def show(p: region.PEPPoint) -> None:
            print(
                f"lr {p.lr:<5g} momentum {p.momentum:<5g} n {p.steps:<3d} "
                f"W {p.worst_case:<12.6g} {p.status} ({p.solve_time:.1f} s)",
                flush=True,
            )

        previous = region.read_data(args.out) if args.resume else []
        points = region.pep_grid(
            region.LRS,
            region.MOMENTA,
            tuple(args.steps),
            extra=[(0.3, 0.9)],
            previous=previous,
            progress=show,
        )
        region.write_data(points, args.out)
        print(f"wrote {args.out} in {time.perf_counter() - t0:.0f} s\n")
    print(summary(region.read_data(args.out)))


if __name__ == "__main__":
    main()
