"""Schedule-free SGD: how its exact worst case W_n scales with the horizon n.

    python benchmarks/schedule_free_pep.py                 # summarise the stored data
    nice python benchmarks/schedule_free_pep.py --recompute [--steps 2 4 8 ...] [--resume]
    nice python benchmarks/schedule_free_pep.py --recompute --resume --variant y --steps 64 \
        --pairs 1,0.9 0.5,0.9                               # one more horizon, two pairs

schedulefree.SGDScheduleFree(lr, momentum, warmup_steps=0) with constant lr is GSPA with
eta = lr, c_k = 1/(k + 1), beta = momentum (``lyapunov.methods.registry``). For L = 1, gap 1,
deterministic gradients, W_n is the worst case of (1/n) sum_{k<n} |grad f(y_k)|^2 (y_k the
train-mode parameters, where the gradients are taken) over L-smooth f, by performance
estimation (``lyapunov.pep.worst_case("schedule_free", ...)``), in two variants:

* ``y+z``: f(x_0) - f(p) <= 1 at every y_k and z_k (the whole state; the library's default);
* ``y``: f(x_0) - f(y_k) <= 1 at the gradient points only (a larger class: W_n no smaller).

Both contain the class {f(x_0) - inf f <= 1}, so both bound its worst case from above.
Published analyses give only O(1/log n) for this method on smooth non-convex functions; if
n W_n stays bounded the worst case decays like 1/n. Prints per (variant, lr, momentum) the
table n, W_n, n W_n, (log n) W_n, the local exponent -d log W / d log n between consecutive n,
the solve time, and the exponent p of a least-squares fit W_n ~ n^-p over n >= 8.

``--recompute`` solves at every n of ``--steps`` in increasing order per variant and pair, and
stops a (variant, pair) after a solve slower than ``--max-seconds`` (the SDP has about 2n
points for ``y+z``, n + 1 for ``y``: its cost grows like n^6); every solve is capped at
``--time-limit`` s. Rows are written to ``lyapunov/figures/data/schedule_free_pep.csv`` as
they come (``--resume`` reuses the rows already there), so a figure can draw them without
re-solving.
"""

from __future__ import annotations

import argparse
import csv
import math
import re
import time
import warnings
from dataclasses import astuple, dataclass, fields
from pathlib import Path

import numpy as np

from lyapunov.pep import pep_method

DATA = (
    Path(__file__).resolve().parents[1] / "lyapunov" / "figures" / "data" / "schedule_free_pep.csv"
)
PAIRS = ((0.5, 0.5), (0.5, 0.9), (1.0, 0.5), (1.0, 0.9))  # (lr, momentum)
STEPS = (2, 4, 8, 12, 16, 25, 32, 50)
VARIANTS = {"y+z": True, "y": False}  # variant -> z_points
FIT_FROM = 8


@dataclass(frozen=True)
class Row:
    variant: str
    lr: float
    momentum: float
    L: float
    gap: float
    steps: int
    status: str
    worst_case: float
    solve_time: float


def solve(variant: str, lr: float, momentum: float, steps: int, time_limit: float) -> Row:
    """One worst case; a failed or timed-out solve is a row with its status and value nan."""
    start = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = pep_method(
                "schedule_free",
                lr=lr,
                momentum=momentum,
                steps=steps,
                z_points=VARIANTS[variant],
                solver_options={"time_limit": time_limit},
            )
    except RuntimeError as exc:
        found = re.search(r"status '(\w+)'", str(exc))
        status = found.group(1) if found else "failed"
        return Row(
            variant, lr, momentum, 1.0, 1.0, steps, status, math.nan, time.perf_counter() - start
        )
    return Row(variant, lr, momentum, 1.0, 1.0, steps, r.status, r.value, r.solve_time)


def read_data(path: Path = DATA) -> list[Row]:
    with Path(path).open(newline="") as fh:
        return [
            Row(
                r["variant"],
                float(r["lr"]),
                float(r["momentum"]),
                float(r["L"]),
                float(r["gap"]),
                int(r["steps"]),
                r["status"],
                float(r["worst_case"]),
                float(r["solve_time"]),
            )
            for r in csv.DictReader(fh)
        ]


def write_data(rows: list[Row], path: Path = DATA) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    key = {v: i for i, v in enumerate(VARIANTS)}
    rows = sorted(rows, key=lambda r: (key.get(r.variant, 9), r.lr, r.momentum, r.steps))
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow([f.name for f in fields(Row)])
        for r in rows:
            values = astuple(r)
            w.writerow([f"{v:.10g}" if isinstance(v, float) else v for v in values])


def exponent(ns: np.ndarray, ws: np.ndarray) -> float:
    """p of the least-squares fit log W = a - p log n (nan with fewer than two points)."""
    if len(ns) < 2:
        return math.nan
    slope = np.polyfit(np.log(ns), np.log(ws), 1)[0]
    return float(-slope)


def summary(rows: list[Row]) -> str:
    lines = []
    groups: dict[tuple[str, float, float], list[Row]] = {}
    for r in rows:
        groups.setdefault((r.variant, r.lr, r.momentum), []).append(r)
    order = {v: i for i, v in enumerate(VARIANTS)}
    fits = []
    for (variant, lr, mom), rs in sorted(
        groups.items(), key=lambda kv: (order.get(kv[0][0], 9), kv[0][1:])
    ):
        rs = sorted(rs, key=lambda r: r.steps)
        lines.append(f"{variant}: lr = {lr:g}, momentum = {mom:g} (L = 1, gap 1)")
        lines.append(
            f"{'n':>4} {'W_n':>10} {'n W_n':>8} {'log(n) W_n':>11} {'local p':>8} "
            f"{'time s':>8}  status"
        )
        prev = None
        for r in rs:
            w, n = r.worst_case, r.steps
            local = (
                -math.log(w / prev.worst_case) / math.log(n / prev.steps)
                if prev is not None and np.isfinite(w) and np.isfinite(prev.worst_case) and w > 0
                else math.nan
            )
            lines.append(
                f"{n:>4} {w:>10.5g} {n * w:>8.4f} {math.log(n) * w:>11.4f} {local:>8.3f} "
                f"{r.solve_time:>8.1f}  {r.status}"
            )
            prev = r if np.isfinite(w) else None
        ok = [
            r for r in rs if r.steps >= FIT_FROM and np.isfinite(r.worst_case) and r.worst_case > 0
        ]
        p = exponent(np.array([r.steps for r in ok]), np.array([r.worst_case for r in ok]))
        fits.append((variant, lr, mom, p, max((r.steps for r in ok), default=0)))
        lines.append(f"  fit W_n ~ n^-p over n >= {FIT_FROM}: p = {p:.3f}")
        lines.append("")
    lines.append(f"fitted exponents p (W_n ~ n^-p, n >= {FIT_FROM}; p = 1 is O(1/n))")
    for variant, lr, mom, p, nmax in fits:
        lines.append(f"  {variant:<4} lr {lr:<4g} momentum {mom:<4g} p = {p:6.3f} (n up to {nmax})")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recompute", action="store_true", help="solve the PEPs again")
    parser.add_argument(
        "--resume", action="store_true", help="with --recompute: keep the stored rows"
    )
    parser.add_argument("--steps", type=int, nargs="+", default=list(STEPS))
    parser.add_argument(
        "--pairs",
        nargs="+",
        type=lambda t: tuple(float(v) for v in t.split(",")),
        default=list(PAIRS),
        help="lr,momentum pairs (default: %(default)s)",
    )
    parser.add_argument("--variant", nargs="+", choices=list(VARIANTS), default=list(VARIANTS))
    parser.add_argument("--time-limit", type=float, default=900.0, help="cap per solve, s")
    parser.add_argument(
        "--max-seconds", type=float, default=300.0, help="stop a series after a slower solve"
    )
    parser.add_argument("--out", type=Path, default=DATA, help="data file (CSV)")
    args = parser.parse_args()
    if args.recompute:
        t0 = time.perf_counter()
        rows = read_data(args.out) if args.resume and args.out.exists() else []
        done = {(r.variant, r.lr, r.momentum, r.steps) for r in rows}
        for variant in args.variant:
            for lr, mom in args.pairs:
                for n in sorted(args.steps):
                    if (variant, lr, mom, n) in done:
                        continue
                    r = solve(variant, lr, mom, n, args.time_limit)
                    rows.append(r)
                    write_data(rows, args.out)
                    print(
                        f"{variant:<4} lr {lr:<4g} momentum {mom:<4g} n {n:<3d} "
                        f"W {r.worst_case:<12.6g} {r.status} ({r.solve_time:.1f} s)",
                        flush=True,
                    )
                    if r.solve_time > args.max_seconds or not np.isfinite(r.worst_case):
                        break
        print(f"wrote {args.out} in {time.perf_counter() - t0:.0f} s\n")
    print(summary(read_data(args.out)))


if __name__ == "__main__":
    main()
