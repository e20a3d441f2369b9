"""Throughput and tightness of the momentum family's calculators (``bounds.nesterov``,
``bounds.qhm``, ``bounds.gspa``: theorem P11 with free weights b, s), the searched weights
(:mod:`lyapunov.bounds.p11_weights`) next to the former 61 x 25 grid, in one run.

* points/s at steps = 1000 and 10^8 on random points (lr or eta in (1e-3, 2), momentum, nu,
  c, beta in (0, 1), sigma2 in (0, 1), L = 1), after a warm-up call (the first call includes
  sympy's lambdify); the grid on fewer points (it costs ~1525 region tests per point);
* tightness on a few thousand random points (steps 10 .. 1e6, sigma2 0 .. 1): the share of
  points where the searched bound <= the grid's * (1 + 1e-3), the median and least ratio, and
  the points where the search is inf but the grid finite (must be 0).

    python benchmarks/family_throughput.py [--points 100000] [--grid-points 2000] [--tight 3000]
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import time

import numpy as np

from lyapunov import bounds
from lyapunov.bounds import family


@contextlib.contextmanager
def grid_only():
    """The calculators with P11's weights on the former grid only (no search)."""
    grid = dataclasses.replace(family._p11(), search=None, anchor=None)
    saved = family._p11
    family._p11 = lambda: grid
    try:
        yield
    finally:
        family._p11 = saved


def calls(rng: np.random.Generator, n: int) -> dict:
    """name -> (steps -> bound) on n random points of that calculator."""
    lr, eta = rng.uniform(1e-3, 2, n), rng.uniform(1e-3, 2, n)
    m, nu, s2 = rng.uniform(0, 1, n), rng.uniform(0, 1, n), rng.uniform(0, 1, n)
    kw = {"L": 1.0, "sigma2": s2, "gap": 1.0}
    return {
        "nesterov": lambda steps: bounds.nesterov(lr=lr, momentum=m, steps=steps, **kw),
        "qhm": lambda steps: bounds.qhm(lr=lr, momentum=m, nu=nu, steps=steps, **kw),
        "gspa": lambda steps: bounds.gspa(eta=eta, c=m, beta=nu, steps=steps, **kw),
    }


def rate(fn, n: int) -> float:
    t0 = time.perf_counter()
    fn()
    return n / (time.perf_counter() - t0)


def throughput(n: int, n_grid: int) -> None:
    new, old = calls(np.random.default_rng(0), n), calls(np.random.default_rng(0), n_grid)
    print(f"{'calculator':>10} {'steps':>6} {'grid (pts/s)':>13} {'search (pts/s)':>15} {'x':>7}")
    for name in new:
        new[name](1000)  # warm-up: lambdify
        for steps in (1000, 10**8):
            with grid_only():
                before = rate(lambda f=old[name], s=steps: f(s), n_grid)
            after = rate(lambda f=new[name], s=steps: f(s), n)
            label = "1e8" if steps == 10**8 else str(steps)
            print(f"{name:>10} {label:>6} {before:13.3e} {after:15.3e} {after / before:7.0f}")


def tightness(n: int) -> None:
    rng = np.random.default_rng(1)
    steps = np.round(10 ** rng.uniform(1, 6, n))
    print(f"\ntightness on {n} random points per calculator (steps 10 .. 1e6):")
    print(f"{'calculator':>10} {'<= grid(1+1e-3)':>16} {'median':>8} {'least':>8} {'lost':>5}")
    for name, fn in calls(rng, n).items():
        new = np.asarray(fn(steps))
        with grid_only():
            old = np.asarray(fn(steps))
        finite = np.isfinite(old)
        ratio = new[finite] / old[finite]
        lost = int(np.sum(finite & ~np.isfinite(new)))
        share = np.mean(ratio <= 1 + 1e-3)
        print(f"{name:>10} {share:16.4f} {np.median(ratio):8.4f} {ratio.min():8.4f} {lost:5d}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for flag, default in (("--points", 10**5), ("--grid-points", 2000), ("--tight", 3000)):
        parser.add_argument(flag, type=int, default=default)
    args = parser.parse_args()
    throughput(args.points, args.grid_points)
    tightness(args.tight)


if __name__ == "__main__":
    main()
