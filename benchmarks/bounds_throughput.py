"""Throughput of the bound calculators on arrays (target: >= 1e6 parameter points / s).

Side by side in one run, on the same random points:
* ``bounds.spa`` (validation, region test, the lambdified certified expression);
* the same formula typed by hand in numpy (no validation): the floor of what is possible;
* a per-point Python loop over ``bounds.spa`` with scalars (what a naive user loop costs).

    python benchmarks/bounds_throughput.py
"""

from __future__ import annotations

import time

import numpy as np

from lyapunov import bounds


def by_hand(eta, c, L, sigma2, steps, gap):
    D = c * (2 - c) + 2 * L * eta * (1 - c)
    q = 4 - 2 * c - c * L * eta
    val = 2 * D * gap / (steps * c * eta * q) + L * eta * (2 - c) * sigma2 / q
    ok = ((1 - c) * (2 - c - L * eta) >= 0) & (c * L * eta < 4 - 2 * c)
    return np.where(ok, val, np.inf)


def rate(fn, n, reps=3):
    best = np.inf
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return n / best


def main() -> None:
    rng = np.random.default_rng(0)
    bounds.spa(eta=0.1, c=0.5, L=1.0, sigma2=0.0, steps=10, gap=1.0)  # compile once
    print(f"{'points':>9} {'ours (pts/s)':>14} {'by hand':>12} {'ours/by hand':>12}")
    for n in (10**4, 10**5, 10**6, 4 * 10**6):
        eta = rng.uniform(1e-3, 2.0, n)
        c = rng.uniform(1e-3, 1.0, n)
        s2 = rng.uniform(0.0, 1.0, n)

        def ours_fn(eta=eta, c=c, s2=s2):
            return bounds.spa(eta=eta, c=c, L=1.0, sigma2=s2, steps=1000, gap=1.0)

        def hand_fn(eta=eta, c=c, s2=s2):
            return by_hand(eta, c, 1.0, s2, 1000, 1.0)

        ours, hand = rate(ours_fn, n), rate(hand_fn, n)
        print(f"{n:9d} {ours:14.3e} {hand:12.3e} {ours / hand:12.2f}")
    m = 2000
    eta, c = rng.uniform(1e-3, 2.0, m), rng.uniform(1e-3, 1.0, m)
    loop = rate(
        lambda: [
            bounds.spa(eta=float(e), c=float(cc), L=1.0, sigma2=0.1, steps=1000, gap=1.0)
            for e, cc in zip(eta, c, strict=True)
        ],
        m,
        reps=1,
    )
    n = 10**6
    eta, c = rng.uniform(1e-3, 2.0, n), rng.uniform(1e-3, 1.0, n)
    ours = rate(lambda: bounds.spa(eta=eta, c=c, L=1.0, sigma2=0.1, steps=1000, gap=1.0), n)
    print(f"per-point Python loop: {loop:.3e} pts/s; vectorized is {ours / loop:.0f}x faster")
    print(
        f"vectorized at 1e6 points: {ours:.3e} points/s "
        f"({'meets' if ours >= 1e6 else 'MISSES'} the 1e6/s target)"
    )


if __name__ == "__main__":
    main()
