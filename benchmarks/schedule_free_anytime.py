"""Schedule-free SGD at long horizons: the P12 chain next to P22's closed form.

For (lr, momentum) pairs at L = 1, gap 1, sigma2 = 0, prints per horizon n: n * bound of the
P12 chain run backwards from the horizon (O(n); only up to ``--chain-max`` steps), n * bound of
P22 alone (O(1), :mod:`lyapunov.bounds.free_anytime`), what ``bounds.schedule_free`` returns
(the least of the two; the chain only up to 1000 steps) with its theorem, and the time of each
(in ms). Then the throughput of ``bounds.schedule_free`` at steps = 10^8 on a grid of points
(points / s; random points where P22 starts at k0 = 1), its ratio to the chain's at
steps = 1000, and P22 alone on a wider grid (where its first k0 steps run backwards).

    python benchmarks/schedule_free_anytime.py [--steps 10 100 1000 10000 100000000]
        [--chain-max 10000] [--size 100000]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from lyapunov import bounds
from lyapunov.bounds import family
from lyapunov.bounds.free_anytime import p22_bound

PAIRS = ((0.5, 0.9), (1.0, 0.5))


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, 1e3 * (time.perf_counter() - t0)


def chain(lr: float, momentum: float, n: int) -> float:
    """The P12 chain alone (family's, as bounds.schedule_free ran it for every horizon)."""
    one = lambda v: np.array([float(v)])  # noqa: E731
    val, _ = family._chain(lambda k: one(lr), family._sf_c, one(momentum), one(1), one(0),
                           one(1), n)  # fmt: skip
    return float(val[0])


def row(lr: float, m: float, n: int, chain_max: int) -> str:
    """One line: n * bound and ms of the chain, of P22 alone and of bounds.schedule_free."""
    if n <= chain_max:
        c, c_ms = timed(lambda: chain(lr, m, n))
        c_txt = f"{n * c:10.4f} {c_ms:8.1f}"
    else:
        c_txt = f"{'-':>10} {'-':>8}"
    p, p_ms = timed(lambda: float(p22_bound(lr, m, 1.0, 0.0, steps=n, gap=1.0)))
    kw = dict(lr=lr, momentum=m, L=1, sigma2=0, steps=n, gap=1, detail=True)
    r, r_ms = timed(lambda: bounds.schedule_free(**kw))
    return (
        f"{lr:4g} {m:4g} {n:10d} | {c_txt} | {n * p:10.4f} {p_ms:6.2f} | "
        f"{n * r.value:17.4f} {r.theorem:>7} {r_ms:8.1f}"
    )


def side_by_side(steps: list[int], chain_max: int) -> None:
    bounds.schedule_free(lr=0.5, momentum=0.9, L=1, sigma2=0, steps=2000, gap=1)  # warm caches
    print(
        f"{'lr':>4} {'mom':>4} {'n':>10} | {'chain n*B':>10} {'ms':>8} | {'P22 n*B':>10} "
        f"{'ms':>6} | {'schedule_free n*B':>17} {'theorem':>7} {'ms':>8}"
    )
    for lr, m in PAIRS:
        for n in steps:
            print(row(lr, m, n, chain_max))


def throughput(size: int) -> None:
    rng = np.random.default_rng(0)
    m = rng.uniform(0.05, 0.95, size)
    # inside L lr (5 - 2 momentum) <= 5, where P22 starts at k0 = 1 (outside P22's region the
    # chain runs at every horizon: O(steps) per point)
    lr = rng.uniform(0.05, 1.0, size) * 5 / (5 - 2 * m)
    kw = dict(L=1.0, sigma2=0.1, gap=1.0)
    _, ms = timed(lambda: bounds.schedule_free(lr=lr, momentum=m, steps=10**8, **kw))
    fast = size / (ms / 1e3)
    small = max(1, size // 100)
    _, ms_chain = timed(lambda: family._chain(lambda k: lr[:small], family._sf_c, m[:small],
                                              np.ones(small), np.full(small, 0.1),
                                              np.ones(small), 1000))  # fmt: skip
    slow = small / (ms_chain / 1e3)
    print(f"\nbounds.schedule_free at steps = 10^8 on {size} random points (k0 = 1): "
          f"{fast:.3g} points/s")  # fmt: skip
    print(f"the P12 chain at steps = 1000 on {small} points: {slow:.3g} points/s "
          f"(ratio {fast / slow:.3g})")  # fmt: skip
    # up to L lr (3 - 2 momentum) = 3 and L lr = 2: P22 alone, its first k0 steps backwards
    wide = rng.uniform(0.05, 1.0, size) * np.minimum(2.0, 3 / (3 - 2 * m))
    val, ms = timed(lambda: p22_bound(wide, m, 1.0, 0.1, steps=10**8, gap=1.0))
    print(f"P22 alone on {size} points up to L lr (3 - 2 momentum) = 3: {size / (ms / 1e3):.3g} "
          f"points/s, a bound at {np.isfinite(val).mean():.1%} of them")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, nargs="+", default=[10, 100, 1000, 10**4, 10**8])
    ap.add_argument("--chain-max", type=int, default=10**4)
    ap.add_argument("--size", type=int, default=100_000)
    a = ap.parse_args()
    side_by_side(a.steps, a.chain_max)
    throughput(a.size)


if __name__ == "__main__":
    main()
