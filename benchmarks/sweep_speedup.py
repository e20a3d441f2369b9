"""Speed-up of a Monte-Carlo sweep on a dask cluster with 1 and 2 worker processes.

    python benchmarks/sweep_speedup.py            # ~1-2 minutes on 2 cores
    python benchmarks/sweep_speedup.py --quick    # smaller grid

Like with like: the same grid (objectives x lr x momentum x sigma2, the same seeds), the same
chunks, the same engine, measured in one run: in this process (the chunks one after the other,
no dask), then on a LocalCluster of 1 and of 2 worker processes (one thread each). Cluster
start-up is timed separately; each worker first runs one small chunk (imports, compiled
bound formulas), so the sweep times compare the computation and dask's overhead only. The three
tables are checked to be identical (bit for bit). The clusters are those of ``lyapunov.sweep``
(:func:`lyapunov.sweep.cluster.local_cluster`: workers without dask's glibc
MALLOC_TRIM_THRESHOLD_, which made the same chunks 4x slower on a worker than here).
"""

from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np

from lyapunov import sweep
from lyapunov.confirm import jsonable
from lyapunov.sweep.cluster import local_cluster
from lyapunov.sweep.grid import chunks, sim_grid
from lyapunov.sweep.tasks import simulate_chunk


def in_process(kw: dict, chunk_size: int) -> sweep.Table:
    """The same chunks as the sweep, computed here one after the other (no dask)."""
    vals = {"lr": kw["lr"], "momentum": kw["momentum"]}
    g = sim_grid(kw["objectives"], "sgdm", vals, kw["sigma2"], steps=kw["steps"],
                 runs=kw["runs"], seed=0, dim=10, level=0.99)  # fmt: skip
    rows = []
    for obj in g.objectives:
        for r in chunks(g.per_objective, chunk_size):
            part = {k: v[r.start : r.stop] for k, v in g.params.items()}
            out = simulate_chunk(obj, "sgdm", part, steps=g.steps, runs=g.runs, seed=0, dim=10,
                                 level=0.99, engine=kw["engine"])  # fmt: skip
            rows += out["rows"]
    return sweep.Table(rows, first=("objective", "method", "lr", "momentum", "sigma2"))


def same(a: sweep.Table, b: sweep.Table) -> bool:
    """Equal tables: every value of every row (NaN equal to NaN; column order aside)."""

    def text(t):
        return json.dumps(jsonable(t.rows), sort_keys=True)

    return text(a) == text(b)


def on_cluster(workers: int, kw: dict, chunk_size: int) -> tuple[sweep.Table, float, float, float]:
    """(table, cluster start seconds, sweep seconds, mean number of busy workers)."""
    import distributed

    t0 = time.perf_counter()
    with local_cluster(workers) as cluster, distributed.Client(cluster) as client:
        client.wait_for_workers(workers)
        # warm every worker: one tiny chunk each (imports, compiled certified formulas)
        sweep.simulations("cosine", lr=[0.1] * workers, momentum=0.9, steps=2, runs=2,
                          engine=kw["engine"], chunk_size=1, client=client)  # fmt: skip
        start = time.perf_counter() - t0
        t1 = time.perf_counter()
        with distributed.get_task_stream(client) as ts:
            table = sweep.simulations(**kw, chunk_size=chunk_size, client=client)
        seconds = time.perf_counter() - t1
        busy = sum(
            s["stop"] - s["start"]
            for t in ts.data
            for s in t["startstops"]
            if s["action"] == "compute"
        )
        return table, start, seconds, busy / seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="a smaller grid")
    ap.add_argument("--engine", default="numpy", choices=["numpy", "numba"])
    args = ap.parse_args()
    runs = 500 if args.quick else 2000
    kw = dict(
        objectives=["cosine", "lsq"],
        lr=[0.01, 0.05, 0.1, 0.2],
        momentum=[0.0, 0.5, 0.9],
        sigma2=[0.0, 0.1],
        steps=200,
        runs=runs,
        engine=args.engine,
    )
    size = 2 * 4 * 3 * 2
    chunk_size = 3  # 16 chunks: enough to balance 2 workers
    work = size * runs * kw["steps"] * 10
    print(
        f"grid: {size} configurations x {runs} runs x {kw['steps']} steps x dim 10 "
        f"({work:.2g} element-steps), {len(chunks(size // 2, chunk_size)) * 2} chunks, "
        f"engine {args.engine}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
    )
    warm = dict(kw, objectives=["cosine"], lr=[0.1], momentum=[0.9], steps=2, runs=2)
    in_process(warm, 1)  # the same warm-up as each worker: imports, compiled formulas
    t = time.perf_counter()
    ref = in_process(kw, chunk_size)
    t_here = time.perf_counter() - t
    print(f"in this process (no dask): {t_here:7.2f} s")
    times = {}
    for workers in (1, 2):
        table, start, seconds, busy = on_cluster(workers, kw, chunk_size)
        equal = same(table, ref)
        times[workers] = seconds
        print(
            f"dask, {workers} worker(s):       {seconds:7.2f} s  (cluster start {start:.1f} s; "
            f"workers busy on average: {busy:.2f}; table identical to in-process: {equal})"
        )
        assert equal, "a sweep on dask must give the same table, bit for bit"
    print(
        f"speed-up 2 workers vs 1 worker: {times[1] / times[2]:.2f}x; "
        f"2 workers vs in-process: {t_here / times[2]:.2f}x; "
        f"dask overhead with 1 worker: {times[1] / t_here:.2f}x the in-process time"
    )
    print(f"load average now {os.getloadavg()[0]:.1f} (other processes share the CPUs)")
    emp = ref["empirical"]
    print(f"(mean of the empirical column: {np.nanmean(emp):.6g})")


if __name__ == "__main__":
    main()
