"""The README's 60-second tour works as written."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def _block(tag: str) -> str:
    m = re.search(rf"<!-- tour:{tag} -->\s*```\w+\n(.*?)```", README, re.S)
    assert m, f"README has no tour:{tag} block"
    return m.group(1)


def test_tour_python_block_runs():
    code = _block("python")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=300, capture_output=True)


def test_tour_commands_run(tmp_path):
    for line in _block("bash").splitlines():
        cmd = line.split("#")[0].strip()
        if not cmd:
            continue
        args = shlex.split(cmd)
        assert args[0] == "lyapunov"
        if args[1] == "figures":  # keep the test short: one quick figure into tmp
            args = [
                "lyapunov",
                "figures",
                "--quick",
                "--only",
                "rate_factor",
                "--out",
                str(tmp_path),
            ]
        r = subprocess.run(
            [sys.executable, "-m", "lyapunov.cli", *args[1:]],
            capture_output=True,
            text=True,
            timeout=300,
            cwd=Path(__file__).resolve().parent.parent,
        )
        assert r.returncode == 0, (cmd, r.stdout, r.stderr)
        assert r.stdout.strip()
