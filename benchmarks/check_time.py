"""How long `lyapunov check` takes on the shipped proofs (target < 60 s, goal < 20 s, and no
single theorem over 10 s).

Runs the real command (a fresh process, imports included) serially (-j 1) and in parallel
(-j 2), side by side, and prints each time and its ratio to the goal; then the slowest
theorems of the serial run, each with its ratio to the per-theorem goal of 10 s. The machine
is shared: the load average is printed with the numbers.

    python benchmarks/check_time.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET, GOAL, PER_THEOREM = 60.0, 20.0, 10.0


def timed(*args: str) -> tuple[float, int, str]:
    t0 = time.perf_counter()
    r = subprocess.run(
        [sys.executable, "-m", "lyapunov.cli", "check", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return time.perf_counter() - t0, r.returncode, r.stdout


def main() -> None:
    rows = []
    for jobs in ("1", "2"):
        secs, code, out = timed(str(ROOT / "proofs"), "--jobs", jobs)
        rows.append((jobs, secs, code))
        if jobs == "1":
            serial_out = out
            print(out.rstrip())
    print()
    print(f"{'jobs':>4}  {'seconds':>8}  {'exit':>4}  {'/ goal 20 s':>11}  {'/ target 60 s':>13}")
    for jobs, secs, code in rows:
        print(f"{jobs:>4}  {secs:8.2f}  {code:>4}  {secs / GOAL:11.3f}  {secs / TARGET:13.3f}")
    speedup = rows[0][1] / rows[1][1]
    print(f"parallel speed-up (-j 1 / -j 2): {speedup:.2f}x")
    per = []
    for line in serial_out.splitlines():  # "certified     11.23 s  P4c ..."
        parts = line.split()
        if len(parts) > 3 and parts[2] == "s":
            try:
                per.append((float(parts[1]), " ".join(parts[3:])))
            except ValueError:
                continue
    print()
    print(f"{'seconds':>8}  {'/ 10 s':>6}  theorem (slowest first, serial run)")
    for secs, name in sorted(per, reverse=True)[:6]:
        print(f"{secs:8.2f}  {secs / PER_THEOREM:6.2f}  {name[:70]}")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if any(code != 0 for _, _, code in rows) or max(s for _, s, _ in rows) > TARGET:
        sys.exit(1)


if __name__ == "__main__":
    main()
