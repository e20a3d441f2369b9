"""Tightness of the horizon-aware bound (P10 chained, lyapunov.bounds.horizon) on the grid of
benchmarks/tightness.py, like with like (average metric).

Deterministic, L = 1, n = 12 steps (``--steps``), gap 1. For each (eta, c) prints

* P4: the one-step bound of lyapunov.bounds.spa (P4), and H: the horizon bound; B = min(P4, H)
  is what the calculators return with the horizon bound wired in;
* W_avg: the PEP worst case of (1/n) sum_{k<n} |grad f(x_k)|^2 with f(x_0) - f(y) <= 1 at every
  iterate y = x_k, z_k (the reference of benchmarks/tightness.py);
* W_lb: the same under f(x_0) - inf f <= 1 (lyapunov.pep, condition="lower_bound"): an upper
  bound on the worst case over the calculators' own class;
* Q: the average on f = lam x^2/2, x_0 = sqrt(2/lam), maximised over lam in (0, L]: a concrete
  function of the calculators' class, so a lower bound on its worst case (B >= Q or the bound
  is unsound).

So Q <= worst case <= B, and B / Q is the tightness against the calculators' class. W_avg is
the worst case of a larger class (inf f may lie below every iterate's value), so B / W_avg < 1 is
no contradiction: it happens wherever the iterates' class is strictly worse (c = 1, eta = 0.05:
GD's P3 bound 1.709 is the worst case of the iterates' class, but over f(x_0) - inf f <= 1 the
worst case is 1.210, attained by x^2/2).

    python benchmarks/tightness_horizon.py [--steps 12]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from lyapunov import bounds
from lyapunov.bounds.horizon import horizon_bound
from lyapunov.pep import worst_case_spa

ETAS = (0.05, 0.1, 0.25, 0.5, 1.0)
CS = (1.0, 0.5, 0.2, 0.1, 0.05)


def quadratic_lower(eta: float, c: float, steps: int, L: float = 1.0, gap: float = 1.0) -> float:
    """max over lam in (0, L] of (1/n) sum_{k<n} |f'(x_k)|^2 on f = lam x^2/2, f(x_0) = gap."""
    lam = L * np.linspace(1e-3, 1.0, 2000)
    x = z = np.sqrt(2 * gap / lam)
    total = np.zeros_like(lam)
    for _ in range(steps):
        g = lam * x
        total += g * g
        z = z - eta * g
        x = (1 - c) * x + c * z
    return float(np.max(total / steps))


def measure(steps: int) -> np.ndarray:
    """Rows (eta, c, P4, H, W_avg, W_lb, Q), printed as they come."""
    rows = []
    print(
        f"{'eta':>5} {'c':>5} {'P4':>8} {'H':>8} {'W_avg':>8} {'W_lb':>8} {'Q':>8} "
        f"{'P4/W_avg':>9} {'B/W_avg':>8} {'B/W_lb':>8} {'B/Q':>8}",
        flush=True,
    )
    kw = {"L": 1.0, "steps": steps, "gap": 1.0}
    for eta in ETAS:
        for c in CS:
            p4 = float(bounds.rates()["P4"](eta=eta, c=c, sigma2=0.0, **kw))
            h = horizon_bound(eta=eta, c=c, sigma2=0.0, **kw)
            w_avg = worst_case_spa(eta, c, metric="average", **kw)
            w_lb = worst_case_spa(eta, c, metric="average", condition="lower_bound", **kw)
            q = quadratic_lower(eta, c, steps)
            b = min(p4, h)
            rows.append((eta, c, p4, h, w_avg, w_lb, q))
            print(
                f"{eta:5.2f} {c:5.2f} {p4:8.4f} {h:8.4f} {w_avg:8.4f} {w_lb:8.4f} {q:8.4f} "
                f"{p4 / w_avg:9.3f} {b / w_avg:8.3f} {b / w_lb:8.4f} {b / q:8.4f}",
                flush=True,
            )
    return np.array(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=12)
    args = parser.parse_args()
    t0 = time.perf_counter()
    arr = measure(args.steps)
    eta, c, p4, h, w_avg, w_lb, q = arr.T
    b = np.minimum(p4, h)
    fin = np.isfinite(b)
    print()
    print(
        f"n = {args.steps}: points {len(arr)}, certified finite {fin.sum()}, "
        f"horizon bound below P4 at {(h < p4).sum()}"
    )
    below = b < q * (1 - 1e-12)  # beyond floating-point round-off of Q and of P4's formula
    print(
        f"bound below the concrete lower bound Q anywhere (unsound): {bool(below.any())} "
        f"(max Q / B - 1 = {np.max(q / b) - 1:.1e})"
    )
    for name, ref in (("P4 / W_avg", p4), ("B / W_avg", b)):
        r = ref[fin] / w_avg[fin]
        worst = int(np.argmax(np.where(fin, ref / w_avg, -np.inf)))
        print(
            f"{name:>11}: median {np.median(r):.3f}, max {r.max():.3f} "
            f"(eta = {eta[worst]:g}, c = {c[worst]:g})"
        )
    print(
        f"    B / W_lb: median {np.median(b[fin] / w_lb[fin]):.4f}, "
        f"max {np.max(b[fin] / w_lb[fin]):.4f}"
    )
    print(
        f"       B / Q: median {np.median(b[fin] / q[fin]):.4f}, max {np.max(b[fin] / q[fin]):.4f}"
        "  (1 = the exact worst case over f(x_0) - inf f <= 1)"
    )
    print(f"time {time.perf_counter() - t0:.1f} s")
    speed()


def speed() -> None:
    """Cost of the horizon bound next to P4's closed form (the calculators call both)."""
    E, C = np.meshgrid(np.linspace(0.01, 2, 100), np.linspace(0.01, 1, 100))
    p4 = bounds.rates()["P4"]  # P4's closed form alone (bounds.spa now includes the chain)
    for f in (p4, horizon_bound):  # compile once
        f(eta=0.1, c=0.1, L=1.0, sigma2=0.0, steps=12, gap=1.0)
    for steps in (12, 100, 1000):
        kw = {"eta": E, "c": C, "L": 1.0, "sigma2": 0.01, "steps": steps, "gap": 1.0}
        t = time.perf_counter()
        p4(**kw)
        t_p4 = time.perf_counter() - t
        t = time.perf_counter()
        horizon_bound(**kw)
        t_h = time.perf_counter() - t
        t = time.perf_counter()
        horizon_bound(**{**kw, "eta": 0.1, "c": 0.1})
        t_one = time.perf_counter() - t
        print(
            f"steps {steps:5d}: 10^4 points P4 {t_p4 * 1e3:7.1f} ms, horizon {t_h * 1e3:7.1f} ms "
            f"({t_h / t_p4:6.1f}x); one point horizon {t_one * 1e3:6.2f} ms"
        )


if __name__ == "__main__":
    main()
