"""Fuzz the command line and the proof-file loader; report how many inputs ran with no crash.

python benchmarks/fuzz.py [--cli N] [--loader N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from support.fuzzing import cli_argv, mutated_proof, run_cli_in_process, try_load  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", type=int, default=2000)
    ap.add_argument("--loader", type=int, default=300)
    args = ap.parse_args()
    counts = {"cli": 0, "cli_crash": 0, "loader": 0, "loader_crash": 0}
    crashes: list[str] = []

    @settings(
        max_examples=args.cli,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(argv=cli_argv())
    def fuzz_cli(argv):
        counts["cli"] += 1
        code, out, err = run_cli_in_process(argv)
        bad = (
            code not in (0, 1, 2)
            or "Traceback" in err
            or (code == 2 and len(err.strip().splitlines()) != 1)
        )
        if bad:
            counts["cli_crash"] += 1
            crashes.append(f"cli {argv}: exit {code}: {err.strip()[:200]}")

    with tempfile.TemporaryDirectory() as tmp:

        @settings(
            max_examples=args.loader,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(src=mutated_proof())
        def fuzz_loader(src):
            counts["loader"] += 1
            outcome = try_load(src, Path(tmp))
            if outcome.startswith("crash"):
                counts["loader_crash"] += 1
                crashes.append(f"loader: {outcome}")

        fuzz_cli()
        fuzz_loader()
    for c in crashes[:20]:
        print(c)
    print(
        f"CLI: {counts['cli']} inputs, {counts['cli_crash']} crashes; loader: "
        f"{counts['loader']} files, {counts['loader_crash']} crashes"
    )


if __name__ == "__main__":
    main()
