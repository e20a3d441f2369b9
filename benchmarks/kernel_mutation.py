"""Mutation testing of the checker itself: is every soundness-critical line guarded?

Every mutant of tests/support/kernel_mutants.py (one line of the kernel changed: decide,
psd, the conditions of theorems, verdicts, regions, expectations, the smoothness facts) is
applied to a scratch copy of the package and the kernel suite is run against it. A mutant is
*killed* by the tests that fail with an assertion; runs that crash, fail to collect or time out
kill nothing (listed as errors, not counted). The goal is every mutant killed by at least one
unit-level test and one end-to-end test (a false theorem that would come out certified).

    nice python benchmarks/kernel_mutation.py [--only NAME ...] [--timeout SECONDS]

Prints one line per mutant (outcome, seconds, unit and end-to-end killers), the survivors,
and the mutation score (killed / all mutants).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from support.kernel_mutants import KERNEL_MUTANTS, run_mutant  # noqa: E402

UNIT = (
    "tests/test_decide.py",
    "tests/test_psd.py",
    "tests/test_forms.py",
    "tests/test_kernel_verdicts.py",
    "tests/test_kernel_crosscheck.py",
)
END_TO_END = ("tests/test_kernel_e2e.py",)
# the cross-check of every shipped theorem (~30 s) runs in the suite, not once per mutant
FAST = ["-k", "not test_every_shipped_theorem_passes_the_cross_check"]


def _is_unit(node: str, m) -> bool:
    """A unit-level kill: a test the mutant names as unit, or one in the unit files."""
    name = node.split("[")[0]  # a parametrized test counts under its function's name
    if name in m.end_to_end:
        return False
    return name in m.unit or node.startswith(UNIT)


def _suite(m) -> list[str]:
    """The kernel suite and the files of the tests the mutant names as its killers."""
    named = {t.split("::")[0] for t in (*m.unit, *m.end_to_end)}
    return [*UNIT, *END_TO_END, *sorted(named - {*UNIT, *END_TO_END})]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", nargs="*", default=None, help="names of mutants to run")
    ap.add_argument("--timeout", type=float, default=900.0, help="seconds per mutant")
    args = ap.parse_args()
    mutants = [m for m in KERNEL_MUTANTS if not args.only or m.name in args.only]
    t0 = time.perf_counter()
    runs = []
    for m in mutants:
        run = run_mutant(m, _suite(m), timeout=args.timeout, extra=FAST)
        runs.append(run)
        unit = [t for t in run.killed_by if _is_unit(t, m)]
        e2e = [t for t in run.killed_by if not _is_unit(t, m)]
        both = "both" if unit and e2e else ("unit only" if unit else "e2e only" if e2e else "")
        print(
            f"{run.outcome:8s} {run.seconds:6.1f} s  {m.name:28s} {len(unit):2d} unit "
            f"{len(e2e):2d} e2e  {both}  ({m.path}: {m.what})",
            flush=True,
        )
        for t in run.killed_by:
            print(f"{'':20s}killed by {t}")
        for t in run.crashed:
            print(f"{'':20s}crashed (not a kill) {t}")
    print()
    killed = [r for r in runs if r.outcome == "killed"]
    both = [
        r
        for r in killed
        if any(_is_unit(t, r.mutant) for t in r.killed_by)
        and any(not _is_unit(t, r.mutant) for t in r.killed_by)
    ]
    for r in runs:
        if r.outcome != "killed":
            print(f"{r.outcome.upper()}: {r.mutant.name} ({r.mutant.path}: {r.mutant.what})")
            if r.outcome == "error":
                print("\n".join(r.log.splitlines()[-15:]))
    for r in killed:
        if r not in both:
            side = "unit" if any(_is_unit(t, r.mutant) for t in r.killed_by) else "end-to-end"
            print(f"killed only by {side} tests: {r.mutant.name}")
    print(
        f"{len(runs)} mutants, {len(killed)} killed ({len(both)} by both a unit and an "
        f"end-to-end test), {sum(r.outcome == 'survived' for r in runs)} survived, "
        f"{sum(r.outcome in ('error', 'timeout') for r in runs)} errors/timeouts (not kills), "
        f"{time.perf_counter() - t0:.0f} s"
    )
    print(f"mutation score: {100.0 * len(killed) / max(1, len(runs)):.1f}%")
    sys.exit(0 if len(killed) == len(runs) else 1)


if __name__ == "__main__":
    main()
