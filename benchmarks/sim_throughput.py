"""Simulator throughput in element-steps per second (runs x steps x dim), ratios side by side.

    python benchmarks/sim_throughput.py                # full, at 1 and at 2 threads
    python benchmarks/sim_throughput.py --quick        # smaller sizes, no 10k-run check
    python benchmarks/sim_throughput.py --threads 1    # one thread setting only

Like is compared with like: each line states its thread count, and at that count our numba
engine (``numba.set_num_threads``) and torch (``torch.set_num_threads``) use the same number
of threads; numpy's elementwise loop always runs on one thread. (On a busy 2-core machine
torch at 2 threads can collapse, e.g. to 1.5e6 element-steps/s where 1 thread gave 2.5e7, so
both settings are printed.)

Ours: ``lyapunov.sim.simulate`` (SGD+M, PyTorch form, Gaussian noise of total variance
sigma2, |grad f(x_k)|^2 recorded every step), with the fused numba engine and with the numpy
fallback. Baselines in the same process, same objective (``cosine``: the gradient costs one
``sin`` per coordinate) and the same noise model:

* numpy: the obvious vectorized loop, one array op each for gradient, noise, update
  (``numpy.random.Generator.standard_normal``), recording nothing;
* torch: ``torch.optim.SGD(foreach=True)`` stepping the stacked (runs, dim) parameter, the
  objective and the noise written in torch (float64, skipped if torch is missing);
* a per-run Python loop (numpy on one row at a time), at small dim only.

Last, 10,000 runs x 1,000 steps x dim 100 of SGD+M: time and peak resident memory.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time

import numpy as np

from lyapunov.objectives import make
from lyapunov.sim import simulate
from lyapunov.sim.engine_numba import available as numba_available

LR, MOM, S2 = 0.05, 0.9, 0.1


def _best(fun, repeat: int = 3) -> float:
    fun()  # warm-up (and compile)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fun()
        times.append(time.perf_counter() - t0)
    return min(times)


def ours(ob, runs, steps, engine):
    def run():
        simulate(
            ob,
            "sgdm",
            lr=LR,
            momentum=MOM,
            sigma2=S2,
            steps=steps,
            runs=runs,
            record=(),
            engine=engine,
        )

    return run


def numpy_loop(ob, runs, steps):
    def run():
        rng = np.random.default_rng(0)
        X = np.tile(ob.x0(), (runs, 1))
        B = np.zeros_like(X)
        s = np.sqrt(S2 / ob.dim)
        for _ in range(steps):
            G = ob.grad(X) + s * rng.standard_normal(X.shape)
            B = MOM * B + G
            X = X - LR * B

    return run


def torch_loop(ob, runs, steps):
    import torch

    def run():
        gen = torch.Generator().manual_seed(0)
        p = torch.nn.Parameter(torch.tensor(np.tile(ob.x0(), (runs, 1)), dtype=torch.float64))
        opt = torch.optim.SGD([p], lr=LR, momentum=MOM, foreach=True)
        s = float(np.sqrt(S2 / ob.dim))
        with torch.no_grad():
            for _ in range(steps):
                x = p.detach()
                g = ob.mu * x - (ob.a * ob.w) * torch.sin(ob.w * x)
                g += s * torch.randn(x.shape, generator=gen, dtype=torch.float64)
                p.grad = g
                opt.step()

    return run


def per_run_loop(ob, runs, steps):
    def run():
        rng = np.random.default_rng(0)
        s = np.sqrt(S2 / ob.dim)
        for _ in range(runs):
            x = ob.x0()
            b = np.zeros_like(x)
            for _ in range(steps):
                g = ob.grad(x) + s * rng.standard_normal(x.shape)
                b = MOM * b + g
                x = x - LR * b

    return run


def rate(t, runs, steps, dim):
    return runs * steps * dim / t


def set_threads(n: int, have_torch: bool, have_numba: bool) -> None:
    """The same number of threads for our numba engine and for torch."""
    if have_numba:
        import numba

        numba.set_num_threads(min(n, numba.config.NUMBA_NUM_THREADS))
    if have_torch:
        import torch

        torch.set_num_threads(n)


def compare(dim, runs, steps, have_torch, have_numba, per_run=False, threads=1):
    ob = make("cosine", dim)
    rep = 2 if runs * steps * dim > 5e7 else 3
    r = {}
    if have_numba:
        r["ours"] = rate(_best(ours(ob, runs, steps, "numba"), rep), runs, steps, dim)
    r["ours_numpy"] = rate(_best(ours(ob, runs, steps, "numpy"), rep), runs, steps, dim)
    r["numpy"] = rate(_best(numpy_loop(ob, runs, steps), rep), runs, steps, dim)
    if have_torch:
        r["torch"] = rate(_best(torch_loop(ob, runs, steps), rep), runs, steps, dim)
    if per_run:
        r["per_run"] = rate(_best(per_run_loop(ob, runs, steps), 1), runs, steps, dim)
    best = r.get("ours", r["ours_numpy"])
    cells = [f"threads={threads} dim={dim:5d} runs={runs:6d} steps={steps:5d}"]
    for k, v in r.items():
        cells.append(f"{k}={v:9.3g}/s")
    cells.append(f"ours/numpy={best / r['numpy']:5.2f}x")
    if "torch" in r:
        cells.append(f"ours/torch={best / r['torch']:5.2f}x")
    if "per_run" in r:
        cells.append(f"ours/per-run={best / r['per_run']:6.1f}x")
    print("  ".join(cells), flush=True)
    return r


def big_check(runs=10_000, steps=1_000, dim=100):
    engine = "numba" if numba_available() else "numpy"
    ob = make("cosine", dim)
    t0 = time.perf_counter()
    res = simulate(
        ob, "sgdm", lr=LR, momentum=MOM, sigma2=S2, steps=steps, runs=runs, seed=0, engine=engine
    )
    t = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB on Linux
    print(
        f"SGD+M {runs} runs x {steps} steps x dim {dim} ({engine}): {t:.1f} s, "
        f"{rate(t, runs, steps, dim):.3g} element-steps/s, peak RSS {peak:.0f} MiB, "
        f"state {2 * runs * dim * 8 / 2**20:.0f} MiB, diverged {int(res.diverged.sum())}, "
        f"mean (1/n) sum |grad|^2 = {np.nanmean(res.run_grad2):.4g}"
    )


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2], help="thread counts")
    args = ap.parse_args(argv)
    if any(t < 1 for t in args.threads):
        ap.error(f"--threads: {args.threads} must be positive integers")
    try:
        import torch  # noqa: F401

        have_torch = True
    except ImportError:
        have_torch = False
        print("torch not installed: torch baseline skipped")
    have_numba = numba_available()
    if not have_numba:
        print("numba not installed: 'ours' is the numpy fallback")
    work = 2e6 if args.quick else 2e7
    flags = (have_torch, have_numba)
    for n in args.threads:
        set_threads(n, *flags)
        print(f"== threads = {n} (numba engine and torch; numpy is single-threaded)")
        print("== headline: runs = 1000, dim = 100 (SGD+M, cosine objective, sigma2 = 0.1)")
        compare(100, 1000, max(int(work / 1e5), 5), *flags, threads=n)
        print("== sweep over dim (runs = 1000)")
        for dim in (2, 10, 100, 1000):
            compare(dim, 1000, max(int(work / (1000 * dim)), 5), *flags, threads=n)
        print("== sweep over runs (dim = 100)")
        for runs in (10, 100, 1000, 10000):
            compare(100, runs, max(int(work / (runs * 100)), 5), *flags, threads=n)
        print("== small dim, against a per-run Python loop (runs = 100, dim = 2)")
        compare(2, 100, 200 if args.quick else 1000, *flags, per_run=True, threads=n)
    if not args.quick:
        set_threads(max(args.threads), *flags)
        print(f"== memory and time at scale (threads = {max(args.threads)})")
        print("== memory and time at scale")
        big_check()
    return 0


if __name__ == "__main__":
    sys.exit(main())
