"""Tightness of the certified bound against exact worst cases (issue: within 1.5x median).

Deterministic, L = 1, n = 12 steps, gap 1. For each (eta, c) on the grid prints the certified
bound (`lyapunov.bounds.spa`, an upper bound on the *average* of |grad f(x_k)|^2), and the
performance-estimation worst case of min_k |grad f(x_k)|^2 (`lyapunov.pep`):

* W_it: f(x_0) - f(y) <= 1 at every iterate y = x_k, z_k (the reference values of MISSION.md);
* W_lb: f(x_0) - inf f <= 1 (relaxed: a valid upper bound on the true worst case).

A sound bound is never below the true worst case; ratios bound / W_it are reported, and the
summary line gives the median and the worst ratio where L eta (1 - c)/c <= 1.

    python benchmarks/tightness.py
"""

from __future__ import annotations

import math
import time

import numpy as np

from lyapunov import bounds
from lyapunov.pep import worst_case_spa

ETAS = (0.05, 0.1, 0.25, 0.5, 1.0)
CS = (1.0, 0.5, 0.2, 0.1)


def main() -> None:
    t0 = time.perf_counter()
    rows = []
    print(
        f"{'eta':>5} {'c':>4} {'kappa':>6} {'bound':>9} {'W_it':>8} {'W_lb':>8} "
        f"{'bound/W_it':>10} {'bound/W_lb':>10}"
    )
    for eta in ETAS:
        for c in CS:
            b = bounds.spa(eta=eta, c=c, L=1.0, sigma2=0.0, steps=12, gap=1.0)
            w_it = worst_case_spa(eta, c, L=1.0, steps=12, gap=1.0)
            w_lb = worst_case_spa(eta, c, L=1.0, steps=12, gap=1.0, condition="lower_bound")
            kappa = eta * (1 - c) / c
            rows.append((eta, c, kappa, b, w_it, w_lb))
            print(
                f"{eta:5.2f} {c:4.1f} {kappa:6.2f} {b:9.4f} {w_it:8.4f} {w_lb:8.4f} "
                f"{b / w_it:10.3f} {b / w_lb:10.3f}"
            )
    arr = np.array(rows)
    finite = np.isfinite(arr[:, 3])
    ratio = arr[:, 3] / arr[:, 4]
    below = arr[finite, 3] < arr[finite, 4] * (1 - 1e-6)
    small_kappa = finite & (arr[:, 2] <= 1)
    print()
    print(
        f"points: {len(rows)}, certified finite: {finite.sum()}, "
        f"converging but not covered: {(~finite & np.isfinite(arr[:, 4])).sum()}"
    )
    print(f"bound below W_it anywhere (would be alarming): {bool(below.any())}")
    print(
        f"ratio bound / W_it: median {np.median(ratio[finite]):.3f} (goal <= 1.5), "
        f"max {ratio[finite].max():.3f}; max where L eta (1-c)/c <= 1: "
        f"{ratio[small_kappa].max():.3f} (goal <= 2.5)"
    )
    ratio_lb = arr[:, 3] / arr[:, 5]
    print(
        f"ratio bound / W_lb (relaxed class, smaller worst cases): median "
        f"{np.median(ratio_lb[finite]):.3f}, max {ratio_lb[finite].max():.3f}"
    )
    worst = np.argmax(np.where(finite, ratio, -math.inf))
    print(
        f"loosest point: eta={arr[worst, 0]}, c={arr[worst, 1]} "
        f"(kappa = {arr[worst, 2]:.2f}): {ratio[worst]:.3f}x"
    )
    print(f"time {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
