"""Tightness of the certified bound against exact worst cases, like with like.

Deterministic, L = 1, n = 12 steps (``--steps``), gap 1. For each (eta, c) on the grid prints
the certified bound B (`lyapunov.bounds.spa`, an upper bound on the *average*
(1/n) sum_{k<n} |grad f(x_k)|^2) and performance-estimation worst cases (`lyapunov.pep`) over
L-smooth f with f(x_0) - f(y) <= 1 at every iterate y = x_k, z_k (PEPit's setup):

* W_avg: worst case of the same average, the quantity B bounds: B / W_avg is the tightness;
* W_min: worst case of min_k |grad f(x_k)|^2, a smaller quantity (B / W_min overstates the
  looseness; printed only for comparison with earlier versions of this benchmark);
* W_lb: worst case of the average under f(x_0) - inf f <= 1 (relaxed: an upper bound on the
  worst case over the calculators' own class).

The summary gives the median and the max of B / W_avg over the points a theorem covers, and the
loosest point. The calculators' class {f(x_0) - inf f <= 1} is contained in the PEP's class, so
W_avg is an upper bound on the worst case the bound must cover, not a lower bound on it: a
ratio below 1 is not by itself a contradiction (it never happens on this grid).

Then, per method of the momentum family (sgdm, nesterov, qhm, schedule_free, gspa), on a small
grid of each method's own parameters (``FAMILY``): the bound B from ``lyapunov.bounds.<method>``
(Nesterov: ``bounds.sgdm(..., nesterov=True)``) on (1/n) sum_{k<n} |grad f(p_k)|^2, p_k where
the k-th gradient is taken, and the exact worst case W_avg of the same average
(``lyapunov.pep.worst_case(method, ...)``, f(x_0) - f(p) <= 1 at every y_k and z_k); the
median and the max of B / W_avg per method over the points with a finite bound. For a
calculator that does not exist yet the section prints "calculator not available" and W_avg.

    python benchmarks/tightness.py [--steps 12]          # both parts, a few minutes
    python benchmarks/tightness.py --family-only         # the momentum family only, ~1 min
    python benchmarks/tightness.py --no-family           # the SPA grid only
"""

from __future__ import annotations

import argparse
import inspect
import itertools
import math
import time
from collections.abc import Callable

import numpy as np

from lyapunov import bounds
from lyapunov.pep import worst_case, worst_case_spa

ETAS = (0.05, 0.1, 0.25, 0.5, 1.0)
CS = (1.0, 0.5, 0.2, 0.1, 0.05)

# method -> {parameter: values}: the grid of the family section (torch-style parameters)
FAMILY = {
    "sgdm": {"lr": (0.02, 0.05, 0.1), "momentum": (0.5, 0.8, 0.9)},
    "nesterov": {"lr": (0.02, 0.05, 0.1), "momentum": (0.5, 0.8, 0.9)},
    "qhm": {"lr": (0.1, 0.5, 1.0), "momentum": (0.5, 0.9), "nu": (0.7,)},
    "schedule_free": {"lr": (0.1, 0.5, 1.0), "momentum": (0.5, 0.9)},
    "gspa": {"eta": (0.1, 0.5, 1.0), "c": (0.1, 0.5), "beta": (0.5, 0.9)},
}


def measure(steps: int) -> np.ndarray:
    """Rows (eta, c, B, W_avg, W_min, W_lb) over ETAS x CS, printed as they come."""
    rows = []
    print(
        f"{'eta':>5} {'c':>5} {'bound':>9} {'W_avg':>8} {'W_min':>8} {'W_lb':>8} "
        f"{'B/W_avg':>8} {'B/W_min':>8} {'B/W_lb':>8}",
        flush=True,
    )
    for eta in ETAS:
        for c in CS:
            kw = {"L": 1.0, "steps": steps, "gap": 1.0}
            b = bounds.spa(eta=eta, c=c, sigma2=0.0, **kw)
            w_avg = worst_case_spa(eta, c, metric="average", **kw)
            w_min = worst_case_spa(eta, c, metric="min", **kw)
            w_lb = worst_case_spa(eta, c, metric="average", condition="lower_bound", **kw)
            rows.append((eta, c, b, w_avg, w_min, w_lb))
            print(
                f"{eta:5.2f} {c:5.2f} {b:9.4f} {w_avg:8.4f} {w_min:8.4f} {w_lb:8.4f} "
                f"{b / w_avg:8.3f} {b / w_min:8.3f} {b / w_lb:8.3f}",
                flush=True,
            )
    return np.array(rows)


def spa_grid(steps: int) -> None:
    """The SPA grid ETAS x CS and its summary."""
    arr = measure(steps)
    eta, c, b, w_avg, w_min, w_lb = arr.T
    finite = np.isfinite(b)
    ratio = b / w_avg
    print()
    print(
        f"n = {steps}: points {len(arr)}, certified finite {finite.sum()}, "
        f"converging but not covered {(~finite & np.isfinite(w_avg)).sum()}"
    )
    print(f"bound below W_avg anywhere: {bool((ratio[finite] < 1 - 1e-6).any())}")
    print(
        f"B / W_avg (average metric, like with like): median {np.median(ratio[finite]):.3f}, "
        f"max {ratio[finite].max():.3f}"
    )
    old = c >= 0.1
    print(
        f"  without c = 0.05 (the grid of earlier versions): median "
        f"{np.median(ratio[finite & old]):.3f}, max {ratio[finite & old].max():.3f}"
    )
    worst = int(np.argmax(np.where(finite, ratio, -math.inf)))
    print(f"  loosest point: eta = {eta[worst]:g}, c = {c[worst]:g}: {ratio[worst]:.3f}x")
    ratio_min = b / w_min
    print(
        f"B / W_min (min metric, overstates): median {np.median(ratio_min[finite]):.3f}, "
        f"max {ratio_min[finite].max():.3f}"
    )
    ratio_lb = b / w_lb
    print(
        f"B / W_lb (average, f(x_0) - inf f <= 1 relaxed): median "
        f"{np.median(ratio_lb[finite]):.3f}, max {ratio_lb[finite].max():.3f}"
    )


def calculator(method: str) -> Callable[..., float] | None:
    """The bound calculator of ``method`` (keyword arguments: its parameters, L, sigma2,
    steps, gap), or None if ``lyapunov.bounds`` does not provide it (yet)."""
    if method == "nesterov":
        sgdm = getattr(bounds, "sgdm", None)
        if sgdm is None or "nesterov" not in inspect.signature(sgdm).parameters:
            return None
        return lambda **kw: sgdm(nesterov=True, **kw)
    return getattr(bounds, method, None)


def family(steps: int) -> None:
    """Per method of ``FAMILY``: B, W_avg and B / W_avg at every grid point, then the median
    and the max of the ratio over the points with a finite bound."""
    kw = {"L": 1.0, "steps": steps, "gap": 1.0}
    print(f"momentum family, n = {steps}, L = 1, gap 1, deterministic")
    summary = []
    for method, grid in FAMILY.items():
        bound = calculator(method)
        names = list(grid)
        print(f"\n{method}: " + ", ".join(f"{p} in {grid[p]}" for p in names))
        if bound is None:
            print(f"  {method}: calculator not available (W_avg alone)")
        print("  " + "".join(f"{p:>9}" for p in names) + f"{'bound':>10}{'W_avg':>9}{'B/W_avg':>9}")
        ratios, where = [], []
        for values in itertools.product(*grid.values()):
            params = dict(zip(names, values, strict=True))
            w = worst_case(method, **params, **kw)
            b = math.nan if bound is None else float(bound(**params, sigma2=0.0, **kw))
            ratio = b / w if np.isfinite(b) else (math.inf if b == math.inf else math.nan)
            if np.isfinite(b):
                ratios.append(ratio)
                where.append(params)
            print(
                "  " + "".join(f"{v:>9g}" for v in values) + f"{b:>10.4f}{w:>9.4f}{ratio:>9.3f}",
                flush=True,
            )
        if bound is None:
            summary.append(f"{method:<14} calculator not available")
            continue
        points = int(np.prod([len(v) for v in grid.values()]))
        if ratios:
            r = np.array(ratios)
            loosest = ", ".join(f"{k} = {v:g}" for k, v in where[int(np.argmax(r))].items())
            summary.append(
                f"{method:<14} finite {len(r)}/{points}: median {np.median(r):.3f}, "
                f"max {r.max():.3f} (at {loosest}), below 1: {int((r < 1 - 1e-6).sum())}"
            )
        else:
            summary.append(f"{method:<14} finite 0/{points}")
    print("\nB / W_avg per method (over the points with a finite bound)")
    for line in summary:
        print("  " + line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=12)
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--family-only", action="store_true", help="only the momentum family")
    which.add_argument("--no-family", action="store_true", help="only the SPA grid")
    args = parser.parse_args()
    t0 = time.perf_counter()
    if not args.family_only:
        spa_grid(args.steps)
    if not args.no_family:
        if not args.family_only:
            print()
        family(args.steps)
    print(f"time {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
