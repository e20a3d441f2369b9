"""The README's 60-second tour works as written."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def _block(tag: str) -> str:
    m = re.search(rf"<!-- tour:{tag} -->\s*```\w+\n(.*?)```", README, re.S)
    assert m, f"README has no tour:{tag} block"
    return m.group(1)


def _commands(text: str) -> list[list[str]]:
    """The ``lyapunov ...`` command lines of a README block, as argument lists (after
    ``lyapunov``), comments dropped."""
    out = []
    for line in text.splitlines():
        args = shlex.split(line.split("#")[0])
        if args:
            assert args[0] == "lyapunov", line
            out.append(args[1:])
    return out


def _cli(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """``lyapunov *args`` in a fresh interpreter, in ``cwd``."""
    return subprocess.run(
        [sys.executable, "-m", "lyapunov.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
    )


def test_tour_python_block_runs():
    code = _block("python")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=300, capture_output=True)


def test_tour_commands_run(tmp_path):
    for args in _commands(_block("bash")):
        if args[0] == "figures":  # keep the test short: one quick figure into tmp
            args = ["figures", "--quick", "--only", "rate_factor", "--out", str(tmp_path)]
        r = _cli(args, ROOT)
        assert r.returncode == 0, (args, r.stdout, r.stderr)
        assert r.stdout.strip()


def _tagged(tag: str) -> str:
    m = re.search(rf"<!-- {tag} -->\s*```\w+\n(.*?)```", README, re.S)
    assert m, f"README has no {tag} block"
    return m.group(1)


def test_theorem_table_is_one_table():
    start = README.index("| file | statement | status |")
    rows = []
    for line in README[start:].splitlines():
        if not line.startswith("|"):
            break
        rows.append(line)
    assert len(rows) >= 2 + 9  # header, rule and every proof file
    for name in ("p1_", "p2_", "p3_", "p4_", "p4b_", "p5_", "p6_", "p7_", "p8_"):
        assert any(f"`proofs/{name}" in r for r in rows), name


def test_weighted_average_block_runs_and_states_its_number():
    code = _tagged("weighted:python")
    out = subprocess.run(
        [sys.executable, "-c", code.replace('average="weighted")', 'average="weighted"))')
         .replace("bounds.sgdm_schedule(", "print(bounds.sgdm_schedule(")],
        check=True, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert float(out.stdout) == pytest.approx(0.0170, abs=5e-5)
    assert "0.0170" in code and "496.6" in README


def test_bound_commands_run(tmp_path):
    import numpy as np

    (tmp_path / "lr.txt").write_text("\n".join(str(v) for v in np.linspace(0.05, 0.01, 100)))
    for args in _commands(_tagged("bound:bash")):
        r = _cli(args, tmp_path)
        assert r.returncode == 0, (args, r.stderr)
        assert "certified bound" in r.stdout or '"bound"' in r.stdout


def test_notebook_block_runs_in_ipython(tmp_path):
    pytest.importorskip("IPython")
    code = _tagged("notebook:python")
    code += "\nfrom IPython import get_ipython\n"
    code += "f = get_ipython().display_formatter.formatters  # a terminal shows text only\n"
    code += "f['text/html'].enabled = f['text/latex'].enabled = True\n"
    code += "print('LATEX' if 'aligned' in f['text/latex'](th) else 'no latex')\n"
    code += "print('HTML' if 'certified' in f['text/html'](th.check()) else 'no html')\n"
    script = tmp_path / "nb.ipy"
    script.write_text(code)
    r = subprocess.run(
        [sys.executable, "-m", "IPython", "--quick", "--no-banner", "--colors=NoColor",
         str(script)],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert "LATEX" in r.stdout and "HTML" in r.stdout


def test_your_own_method_section_runs_as_written(tmp_path):
    """The README's method file, its three commands and its proof file, as written: the
    worst case and the simulation run from the user's file, the lemma is proved and certified."""
    (tmp_path / "my_method.py").write_text(_tagged("own-method:file"))
    (tmp_path / "my_lemma.py").write_text(_tagged("own-method:proof"))
    outputs = []
    for args in _commands(_tagged("own-method:bash")):
        r = _cli(args, tmp_path)
        assert r.returncode == 0, (args, r.stdout, r.stderr)
        outputs.append(r.stdout)
    assert '"worst_case"' in outputs[0] and '"method": "two_buffers"' in outputs[0]
    assert outputs[1].startswith("worst case ") and "sgdm(lr=0.1, momentum=0.5)" in outputs[1]
    assert "two_buffers" in outputs[2] and "emp=" in outputs[2]
    for args in (["prove", "my_lemma.py"], ["check", "my_lemma_proved.py"]):
        r = _cli(args, tmp_path)
        assert r.returncode == 0, (args, r.stdout, r.stderr)
    assert "certified" in r.stdout
