"""Every region widening of every shipped theorem: certified exactly when documented?

Dropping one condition of a theorem's region at a time gives a widening; most are false
theorems and must not be certified, a few are true, stronger theorems, each listed with its
reason in tests/support/survivors.py (``EXPECTED``). This is the exhaustive sweep of which
tests/test_mutation_survivors.py checks a seeded sample: every widening is checked exactly (an
undocumented one with the suite's budget of ``WIDENING_SECONDS``, a documented one with
``--documented-timeout``), and every certified one is confirmed numerically, without the exact
checker (at points of the wider region where the dropped condition fails, or, where there is
none, by deciding that the condition is implied).

    python benchmarks/mutation_survivors.py [--documented-timeout SECONDS]

Prints one line per widening (outcome, seconds, documented or not, theorem and condition),
then the mismatches (an undocumented widening certified, a documented one not certified, a
survivor whose numeric confirmation fails) and the total time; exit code 1 on any mismatch.
The machine may be shared: the load average is printed with the numbers.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import numpy as np  # noqa: E402
from support.survivors import (  # noqa: E402
    WIDENING_SECONDS,
    check_widening,
    confirm_survivor,
    documented,
    shipped,
    widening_seed,
    widenings,
)

from lyapunov.engine import CERTIFIED  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--documented-timeout", type=float, default=300.0)
    args = ap.parse_args()
    t0 = time.perf_counter()
    counts: dict[str, int] = {}
    mismatches: list[str] = []
    slowest: list[tuple[float, str]] = []
    for th, cond in widenings(shipped()):
        doc = documented(th, cond) is not None
        what = f"{th.name}: without {cond}"
        t1 = time.perf_counter()
        budget = args.documented_timeout if doc else WIDENING_SECONDS
        m, status = check_widening(th, cond, timeout=budget)
        checked = time.perf_counter() - t1
        outcome = status
        if status == CERTIFIED and not doc:
            mismatches.append(f"certified without a documented reason: {what}")
        elif status != CERTIFIED and doc:
            mismatches.append(f"documented but {status} in {budget:g} s: {what}")
        elif status == CERTIFIED:
            try:
                rng = np.random.default_rng(widening_seed(th, cond))
                outcome = f"{status}, {confirm_survivor(th, cond, m, rng)}"
            except AssertionError as exc:
                outcome = f"{status}, NOT CONFIRMED"
                mismatches.append(f"numeric confirmation fails: {what} ({exc})")
        seconds = time.perf_counter() - t1
        counts[status] = counts.get(status, 0) + 1
        slowest.append((seconds, what))
        print(
            f"{seconds:7.2f} s (check {checked:6.2f} s)  {outcome:22s} "
            f"{'documented' if doc else '          '}  {what[:110]}",
            flush=True,
        )
    total = time.perf_counter() - t0
    print()
    for seconds, what in sorted(slowest, reverse=True)[:10]:
        print(f"slowest: {seconds:7.2f} s  {what[:110]}")
    for line in mismatches:
        print(f"MISMATCH: {line}")
    summary = ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"{len(slowest)} widenings ({summary}), {len(mismatches)} mismatches, "
        f"{total:.0f} s in all (budget {WIDENING_SECONDS} s per undocumented widening, "
        f"{args.documented_timeout:g} s per documented one); load average {load}"
    )
    sys.exit(1 if mismatches else 0)


if __name__ == "__main__":
    main()
