"""Throughput of the bound calculators on arrays (target: >= 1e6 parameter points / s).

Side by side in one run, on the same random points:
* ``bounds.spa`` (validation, region test, the lambdified certified expression);
* the same formula typed by hand in numpy (no validation): the floor of what is possible;
* a per-point Python loop over ``bounds.spa`` with scalars (what a naive user loop costs);
* the certified-region test and formulas alone (``--regions``): P4's compiled rate
  (``bounds.rates()["P4"]``: its exact region test and its lambdified rate), ``bounds.spa``
  at a long horizon (P4, the chain, and P4c with its weights searched where P4 gives inf)
  and ``bounds.gspa`` (P11, weights on a grid);

* the horizons (``--horizons``): ``bounds.spa`` and ``bounds.sgdm`` at steps = 1000 and
  10^8 next to P4's compiled rate alone in the same run, on random points inside P4's region
  (P4 + the chain of P8 and P10, :mod:`lyapunov.bounds.horizon`, in closed form in the
  horizon) and on the whole grid (where P4 gives inf, P4c's weights are searched per point:
  its own cost), and the chain alone.

    python benchmarks/bounds_throughput.py [--sizes 10000 100000] [--regions] [--horizons]
"""

from __future__ import annotations

import argparse
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


def _region_row(eta: np.ndarray, c: np.ndarray, s2: np.ndarray) -> list[float]:
    """Points/s of P4's rate, P4's region test, spa beyond the chain and gspa (P11)."""
    p4 = bounds.rates()["P4"]
    long = 10**5
    n, m = len(eta), min(len(eta), 2000)  # P11 tries 61 x 25 weights per point
    e, cc, s = eta[:m], c[:m], s2[:m]
    return [
        rate(lambda: p4(eta=eta, c=c, L=1.0, sigma2=s2, steps=long, gap=1.0), n),
        rate(lambda: p4.inside(eta=eta, c=c, L=1.0, sigma2=s2), n),
        rate(lambda: bounds.spa(eta=eta, c=c, L=1.0, sigma2=s2, steps=long, gap=1.0), n, 1),
        rate(lambda: bounds.gspa(eta=e, c=cc, beta=0.7, L=1, sigma2=s, steps=long, gap=1), m, 1),
    ]


def regions(sizes: list[int]) -> None:
    """Throughput of the region tests and formulas alone (no horizon chain)."""
    rng = np.random.default_rng(1)
    bounds.spa(eta=0.1, c=0.5, L=1.0, sigma2=0.0, steps=10**5, gap=1.0)  # compile once
    bounds.gspa(eta=0.1, c=0.5, beta=0.5, L=1.0, sigma2=0.0, steps=10**5, gap=1.0)
    print(f"{'points':>9} {'P4 rate':>12} {'P4 region':>12} {'spa, long':>12} {'gspa':>12}")
    for n in sizes:
        eta, c, s2 = rng.uniform(1e-3, 2.0, n), rng.uniform(1e-3, 1.0, n), rng.uniform(0, 1, n)
        cells = _region_row(eta, c, s2)
        print(f"{n:9d} " + " ".join(f"{v:12.3e}" for v in cells) + "  (points/s)")


def horizons(n: int) -> None:
    """Points/s of spa, sgdm and the chain alone at steps = 1000 and 10^8, next to P4 alone
    (same points, same run): inside P4's region and on the whole grid."""
    from lyapunov.bounds.horizon import horizon_bound

    rng = np.random.default_rng(2)
    p4 = bounds.rates()["P4"]
    bounds.spa(eta=0.1, c=0.5, L=1.0, sigma2=0.0, steps=10**8, gap=1.0)  # compile once
    eta, c, s2 = rng.uniform(1e-3, 2.0, n), rng.uniform(1e-3, 1.0, n), rng.uniform(0, 1, n)
    inside = eta <= 2 - c  # P4's region (L = 1; c = 1 needs L eta < 2: not drawn)
    grids = {"inside P4": (eta[inside][: n // 2], c[inside][: n // 2], s2[inside][: n // 2])}
    grids["whole grid"] = (eta[: n // 10], c[: n // 10], s2[: n // 10])
    print(
        f"{'points':>9} {'grid':>11} {'steps':>6} {'P4 alone':>10} {'chain':>10} {'spa':>10} "
        f"{'sgdm':>10} {'spa/P4':>7}  (points/s)"
    )
    for name, (e, cc, s) in grids.items():
        lr, mom = cc * e, 1 - cc  # the same points in torch's coordinates
        for steps in (1000, 10**8):
            kw = {"L": 1.0, "sigma2": s, "steps": steps, "gap": 1.0}
            m = e.size
            cells = [
                rate(lambda e=e, cc=cc, kw=kw: p4(eta=e, c=cc, **kw), m),
                rate(lambda e=e, cc=cc, kw=kw: horizon_bound(eta=e, c=cc, **kw), m, 1),
                rate(lambda e=e, cc=cc, kw=kw: bounds.spa(eta=e, c=cc, **kw), m, 1),
                rate(lambda lr=lr, mom=mom, kw=kw: bounds.sgdm(lr=lr, momentum=mom, **kw), m, 1),
            ]
            print(
                f"{m:9d} {name:>11} {'1e8' if steps == 10**8 else steps:>6} "
                + " ".join(f"{v:10.3e}" for v in cells)
                + f" {cells[2] / cells[0]:7.3f}",
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10**4, 10**5, 10**6])
    parser.add_argument("--regions", action="store_true", help="only the region tests alone")
    parser.add_argument("--horizons", action="store_true", help="only spa/sgdm per horizon")
    args = parser.parse_args()
    if args.regions:
        regions(args.sizes)
        return
    if args.horizons:
        horizons(args.sizes[-1] if len(args.sizes) == 1 else 10**6)
        return
    rng = np.random.default_rng(0)
    bounds.spa(eta=0.1, c=0.5, L=1.0, sigma2=0.0, steps=10, gap=1.0)  # compile once
    print(f"{'points':>9} {'ours (pts/s)':>14} {'by hand':>12} {'ours/by hand':>12}")
    for n in args.sizes:
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
    horizons(10**6)


if __name__ == "__main__":
    main()
