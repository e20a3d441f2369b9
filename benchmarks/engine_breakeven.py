"""Where ``engine="auto"`` should switch to numba: the work at which compiling pays.

    python benchmarks/engine_breakeven.py             # cosine and lsq
    python benchmarks/engine_breakeven.py rosenbrock  # other objectives

Per objective, in one fresh process each (numba compiles once per objective and process):
the time of the first numba call on a tiny problem (compiling), then numpy's and numba's
throughput in element-steps per second (configurations x runs x steps x dim) on SGD+M with
Gaussian noise. The break-even work W* solves W/r_numpy = T_compile + W/r_numba; the rule of
``lyapunov.sim.core.auto_engine`` (numba from ``AUTO_NUMBA_WORK`` element-steps) is printed
next to it. On the 2-core development machine: compiling 12 to 16 s, numba 1.9 to 2.5 times
numpy, W* = 8e7 (cosine) and 1.7e8 (lsq).
"""

from __future__ import annotations

import subprocess
import sys

CHILD = r"""
import sys, time
from lyapunov.sim import simulate
obj = sys.argv[1]
def once(engine, runs, steps):
    t0 = time.perf_counter()
    simulate(obj, "sgdm", lr=0.05, momentum=0.9, sigma2=0.1, steps=steps, runs=runs,
             engine=engine)
    return time.perf_counter() - t0
compile_s = once("numba", 4, 4) - once("numba", 4, 4)
runs, steps = 2000, 1000
work = runs * steps * 10
t_np = min(once("numpy", runs, steps) for _ in range(2))
t_nb = min(once("numba", runs, steps) for _ in range(2))
print(compile_s, work / t_np, work / t_nb)
"""


def main(objectives: list[str]) -> None:
    from lyapunov.sim.core import AUTO_NUMBA_WORK
    from lyapunov.sim.engine_numba import available

    if not available():
        print("numba is not installed: auto always runs numpy")
        return
    print(f"auto_engine: numba from {AUTO_NUMBA_WORK:.1e} element-steps")
    for obj in objectives:
        out = subprocess.run(
            [sys.executable, "-c", CHILD, obj], capture_output=True, text=True, check=True
        ).stdout.split()
        compile_s, r_np, r_nb = (float(v) for v in out)
        gain = 1 / r_np - 1 / r_nb
        breakeven = compile_s / gain if gain > 0 else float("inf")
        print(
            f"{obj:10} compile {compile_s:5.1f} s  numpy {r_np:.2e}/s  numba {r_nb:.2e}/s "
            f"(x{r_nb / r_np:.2f})  break-even {breakeven:.2e} element-steps "
            f"= {breakeven / AUTO_NUMBA_WORK:.2f} x AUTO_NUMBA_WORK"
        )


if __name__ == "__main__":
    main(sys.argv[1:] or ["cosine", "lsq"])
