"""Mutation testing of the proof suite: how many wrong variants does the checker reject?

For every theorem in proofs/: every theorem gets its region widened (one condition dropped at
a time; such a mutant may be true when the condition is implied by the others); descent lemmas
get their rate scaled up by 1%, their noise term
scaled down by 1%, each multiplier negated, each smoothness fact moved to the swapped pair of
points, and each fact dropped; identities get one side perturbed by 1% of a parameter;
inequalities get their claim tightened by 1% of its scale. Every mutant is checked exactly; a
mutant that is still certified is listed (it must then be true for an independent reason).
The last line is the kill rate in percent.

    python benchmarks/mutation.py [--timeout SECONDS]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from lyapunov.engine import CERTIFIED
from lyapunov.engine.mutants import mutants_of
from lyapunov.loader import load_file, proof_files

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--timeout", type=float, default=60.0)
    args = ap.parse_args()
    t0 = time.perf_counter()
    total = killed = 0
    survivors = []
    for path in proof_files([ROOT / "proofs"]):
        for item in load_file(path):
            th = item.theorem
            n = k = 0
            for desc, m in mutants_of(th):
                n += 1
                try:
                    v = m().check(timeout=args.timeout)
                    ok = v.status != CERTIFIED
                except ValueError:  # malformed mutant (e.g. a claim false as stated): rejected
                    ok = True
                k += ok
                if not ok:
                    survivors.append(f"{th.name}: {desc}")
            total += n
            killed += k
            print(f"{k:3d}/{n:<3d} killed  {th.name}", flush=True)
    print()
    widened = [s for s in survivors if ": region without " in s]
    others = [s for s in survivors if s not in widened]
    for s in widened:
        print(f"certified with a wider region (a true, stronger theorem): {s}")
    for s in others:
        print(f"SURVIVED: {s}")
    print(
        f"{total} mutants, {killed} rejected, {len(survivors)} certified "
        f"({len(widened)} of them region widenings), {time.perf_counter() - t0:.0f} s"
    )
    print(f"all mutants rejected or certified-true: {100.0 * killed / total:.1f}% rejected")
    false_total = total - len(widened)
    rate = 100.0 * killed / false_total if false_total else 0.0
    print(f"kill rate (mutants other than certified region widenings): {rate:.1f}%")
    sys.exit(0 if not others else 1)


if __name__ == "__main__":
    main()
