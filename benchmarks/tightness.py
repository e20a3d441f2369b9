"""Tightness of the certified bound against exact worst cases, like with like.

Deterministic, L = 1, n = 12 steps (``--steps``), gap 1. For each (eta, c) on the grid prints
the certified bound B (`lyapunov.bounds.spa`, an upper bound on the *average*
(1/n) sum_{k<n} |grad f(x_k)|^2 over L-smooth f with f(x_0) - inf f <= 1), P4's bound alone,
and performance-estimation worst cases (`lyapunov.pep`) of the same average:

* W_lb: over f(x_0) - inf f <= 1, the calculators' own class (``condition="lower_bound"``: a
  relaxation, so an upper bound on that worst case): B / W_lb is the tightness, like with like;
* W_avg: over L-smooth f with f(x_0) - f(y) <= 1 at every iterate y = x_k, z_k (PEPit's
  setup), a larger class: B / W_avg may be below 1 (the short-horizon chain of P8 and P10 uses
  inf f, which this class does not bound); P4 / W_avg is the comparison of earlier versions;
* W_min: worst case of min_k |grad f(x_k)|^2 (printed only for comparison with earlier
  versions of this benchmark).

The summary gives the median and the max of B / W_lb over the points a theorem covers, the
loosest point, and the same for P4 alone.

Then, per method of the momentum family (sgdm, nesterov, qhm, schedule_free, gspa), on a small
grid of each method's own parameters (``FAMILY``): the bound B from ``lyapunov.bounds.<method>``
(Nesterov: ``bounds.sgdm(..., nesterov=True)``) on (1/n) sum_{k<n} |grad f(p_k)|^2, p_k where
the k-th gradient is taken, and the worst case W_lb of the same average
(``lyapunov.pep.worst_case(method, ..., condition="lower_bound")``, f(x_0) - inf f <= 1); the
median and the max of B / W_lb per method over the points with a finite bound. For a
calculator that does not exist yet the section prints "calculator not available" and W_lb.

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
    """Rows (eta, c, B, P4, W_lb, W_avg, W_min) over ETAS x CS, printed as they come."""
    rows = []
    print(
        f"{'eta':>5} {'c':>5} {'bound':>9} {'P4':>9} {'W_lb':>8} {'W_avg':>8} {'W_min':>8} "
        f"{'B/W_lb':>8} {'P4/W_lb':>8} {'B/W_avg':>8}",
        flush=True,
    )
    for eta in ETAS:
        for c in CS:
            kw = {"L": 1.0, "steps": steps, "gap": 1.0}
            b = bounds.spa(eta=eta, c=c, sigma2=0.0, **kw)
            p4 = float(bounds.rates()["P4"](eta=eta, c=c, sigma2=0.0, **kw))
            w_lb = worst_case_spa(eta, c, metric="average", condition="lower_bound", **kw)
            w_avg = worst_case_spa(eta, c, metric="average", **kw)
            w_min = worst_case_spa(eta, c, metric="min", **kw)
            rows.append((eta, c, b, p4, w_lb, w_avg, w_min))
            print(
                f"{eta:5.2f} {c:5.2f} {b:9.4f} {p4:9.4f} {w_lb:8.4f} {w_avg:8.4f} {w_min:8.4f} "
                f"{b / w_lb:8.3f} {p4 / w_lb:8.3f} {b / w_avg:8.3f}",
                flush=True,
            )
    return np.array(rows)


def _summary(label: str, ratio: np.ndarray, ok: np.ndarray, eta, c) -> None:
    worst = int(np.argmax(np.where(ok, ratio, -math.inf)))
    print(
        f"{label}: median {np.median(ratio[ok]):.3f}, max {ratio[ok].max():.3f} "
        f"(loosest at eta = {eta[worst]:g}, c = {c[worst]:g}), below 1 anywhere: "
        f"{bool((ratio[ok] < 1 - 1e-6).any())}"
    )


def spa_grid(steps: int) -> None:
    """The SPA grid ETAS x CS and its summary."""
    arr = measure(steps)
    eta, c, b, p4, w_lb, w_avg, w_min = arr.T
    finite = np.isfinite(b)
    print()
    print(
        f"n = {steps}: points {len(arr)}, certified finite {finite.sum()}, "
        f"converging but not covered {(~finite & np.isfinite(w_lb)).sum()}"
    )
    _summary("B / W_lb (bounds.spa, like with like)", b / w_lb, finite, eta, c)
    _summary("P4 / W_lb (P4 alone)", p4 / w_lb, np.isfinite(p4), eta, c)
    _summary("B / W_avg (PEPit's larger class)", b / w_avg, finite, eta, c)
    _summary("P4 / W_avg (earlier versions)", p4 / w_avg, np.isfinite(p4), eta, c)
    _summary("B / W_min (min metric, overstates)", b / w_min, finite, eta, c)


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
    """Per method of ``FAMILY``: B, W_lb (the worst case over f(x_0) - inf f <= 1, the
    calculators' class) and B / W_lb at every grid point, then the median and the max of the
    ratio over the points with a finite bound."""
    kw = {"L": 1.0, "steps": steps, "gap": 1.0}
    print(f"momentum family, n = {steps}, L = 1, gap 1, deterministic")
    summary = []
    for method, grid in FAMILY.items():
        bound = calculator(method)
        names = list(grid)
        print(f"\n{method}: " + ", ".join(f"{p} in {grid[p]}" for p in names))
        if bound is None:
            print(f"  {method}: calculator not available (W_lb alone)")
        print("  " + "".join(f"{p:>9}" for p in names) + f"{'bound':>10}{'W_lb':>9}{'B/W_lb':>9}")
        ratios, where = [], []
        for values in itertools.product(*grid.values()):
            params = dict(zip(names, values, strict=True))
            w = worst_case(method, **params, condition="lower_bound", **kw)
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
    print("\nB / W_lb per method (over the points with a finite bound)")
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
