"""Mutation testing of the proof suite: how many wrong variants does the checker refute?

For every theorem in proofs/: every theorem gets its region widened (one condition dropped at
a time; such a mutant may be true when the condition is implied by the others); descent lemmas
get their rate scaled up by 1%, their noise term scaled down by 1%, each multiplier negated,
each smoothness fact moved to the swapped pair of points, and each fact dropped; identities get
one side perturbed by 1% of a parameter; inequalities get their claim tightened by 1% of its
scale. Every mutant is checked exactly.

A mutant counts as *killed* only when it is refuted with an exact point of its region (checked
again here). A mutant that is "not proved" (the solver gave up: a timeout) or that raises an
error when built (malformed as stated) is NOT a kill: both are listed and left out of the kill
count, so a regression that makes false lemmas time out instead of being refuted shows. A
mutant that stays certified is listed (a region widening may be a true, stronger theorem).

    python benchmarks/mutation.py [--timeout SECONDS]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from support.mutants import mutants_of  # noqa: E402

from lyapunov.engine import CERTIFIED, REFUTED  # noqa: E402
from lyapunov.loader import load_file, proof_files  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--timeout", type=float, default=60.0)
    args = ap.parse_args()
    t0 = time.perf_counter()
    outcomes: dict[str, list[str]] = {k: [] for k in ("killed", "certified", "not proved", "error")}
    for path in proof_files([ROOT / "proofs"]):
        for item in load_file(path):
            th = item.theorem
            mine = {k: 0 for k in outcomes}
            for desc, build in mutants_of(th):
                what = f"{th.name}: {desc}"
                try:
                    m = build()
                    v = m.check(timeout=args.timeout)
                except ValueError as exc:  # malformed as stated: not a kill
                    outcome, what = "error", f"{what} ({exc})"
                else:
                    outcome = {CERTIFIED: "certified", REFUTED: "killed"}.get(
                        v.status, "not proved"
                    )
                    if outcome == "killed" and not _point_in_region(m, v):
                        outcome, what = "error", f"{what} (refuted without a point of its region)"
                    if outcome == "not proved":
                        what = f"{what} ({v.reason})"
                outcomes[outcome].append(what)
                mine[outcome] += 1
            n = sum(mine.values())
            print(
                f"{mine['killed']:3d}/{n:<3d} refuted  {mine['certified']:2d} certified  "
                f"{mine['not proved']:2d} not proved  {mine['error']:2d} errors  {th.name}",
                flush=True,
            )
    print()
    widened = [s for s in outcomes["certified"] if ": region without " in s]
    others = [s for s in outcomes["certified"] if s not in widened]
    for s in widened:
        print(f"certified with a wider region (a true, stronger theorem): {s}")
    for s in others:
        print(f"SURVIVED: {s}")
    for s in outcomes["not proved"]:
        print(f"not proved (timeout, not a kill): {s}")
    for s in outcomes["error"]:
        print(f"error (not a kill): {s}")
    total = sum(len(v) for v in outcomes.values())
    killed = len(outcomes["killed"])
    print(
        f"{total} mutants: {killed} refuted, {len(outcomes['certified'])} certified "
        f"({len(widened)} of them region widenings), {len(outcomes['not proved'])} not proved, "
        f"{len(outcomes['error'])} errors, {time.perf_counter() - t0:.0f} s"
    )
    checked = total - len(widened) - len(outcomes["error"])
    print(
        f"kill rate: {100.0 * killed / max(1, checked):.1f}% ({killed} refuted with a point of "
        f"the region / {checked} mutants checked, other than certified region widenings; a "
        "timeout counts against it; the errors above are malformed as stated, neither kills "
        "nor survivors)"
    )
    sys.exit(0 if not others and not outcomes["not proved"] else 1)


def _point_in_region(m, verdict) -> bool:
    """The refutation's point is an exact point of the mutant's region."""
    import sympy as sp

    ce = verdict.counterexample() or {}
    point = ce.get("point")
    if point is None:  # a structural condition (e.g. A_0 = f(x_0)) fails at every point
        return verdict.failed is not None and verdict.failed.point is None
    try:
        pt = {s: sp.Rational(point[s.name]) for s in m.region.symbols}
    except (KeyError, TypeError, ValueError):
        return False
    return m.region.contains(pt)


if __name__ == "__main__":
    main()
