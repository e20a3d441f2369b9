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

    python benchmarks/tightness.py [--steps 12]
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

from lyapunov import bounds
from lyapunov.pep import worst_case_spa

ETAS = (0.05, 0.1, 0.25, 0.5, 1.0)
CS = (1.0, 0.5, 0.2, 0.1, 0.05)


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=12)
    args = parser.parse_args()
    t0 = time.perf_counter()
    arr = measure(args.steps)
    eta, c, b, w_avg, w_min, w_lb = arr.T
    finite = np.isfinite(b)
    ratio = b / w_avg
    print()
    print(
        f"n = {args.steps}: points {len(arr)}, certified finite {finite.sum()}, "
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
    print(f"time {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
