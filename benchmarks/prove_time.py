"""Time of certificate synthesis per theorem (`lyapunov prove`), next to the exact check alone.

For the templates in proofs/templates/ and for the AUTO version of every shipped descent lemma
whose certificate uses only facts of its function class (multipliers forgotten, Lyapunov
function, rate and region kept), prints: seconds to synthesize (search + exact check),
seconds of the exact check of the shipped certificate, the number of facts found, and the
status. Run: python benchmarks/prove_time.py
"""

from __future__ import annotations

import os
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

from lyapunov.engine import AUTO, DescentLemma, synthesize  # noqa: E402
from lyapunov.loader import load_file  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def cases():
    for path in sorted((ROOT / "proofs" / "templates").glob("*.py")):
        for item in load_file(path):
            yield f"templates/{path.name}", item.theorem, None
    for path in sorted((ROOT / "proofs").glob("p*.py")):
        for item in load_file(path):
            th = item.theorem
            if not isinstance(th, DescentLemma):
                continue
            if any(f.origin is None and f.name != "variance(xi)" for f in th.certificate):
                continue  # uses a hypothesis, not in the class's pool
            cls = th.function_class or next(f.origin[0] for f in th.certificate if f.origin)
            yield f"AUTO({path.name})", th.replace(certificate=AUTO, function_class=cls), th


def main() -> None:
    print(f"{'theorem':<44} {'prove s':>8} {'check s':>8} {'facts':>5}  status")
    total = 0.0
    for label, th, hand in cases():
        t0 = time.perf_counter()
        res = synthesize(th, timeout=300)
        secs = time.perf_counter() - t0
        total += secs
        check = ""
        if hand is not None:
            t1 = time.perf_counter()
            hand.check(timeout=300)
            check = f"{time.perf_counter() - t1:8.2f}"
        print(f"{label:<44} {secs:8.2f} {check:>8} {len(res.certificate):5d}  {res.status}")
    print(f"total synthesis time: {total:.1f} s")


if __name__ == "__main__":
    main()
