"""`lyapunov pep`: built-in methods by name, a method file, JSON, and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytest.importorskip("cvxpy")

METHOD = """
from lyapunov.methods import Method

def step(x, g, *, lr):
    return x - lr * g

method = Method("my_gd", state=("x",), step=step, params=("lr",))
"""


def run(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "lyapunov.cli", "pep", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
    )


def test_json_of_a_method_file_equals_the_builtin(tmp_path):
    (tmp_path / "my_method.py").write_text(METHOD)
    mine = run("my_method.py", "--steps", "6", "--set", "lr=0.5", "--json", cwd=tmp_path)
    ref = run("sgd", "--steps", "6", "--set", "lr=0.5", "--json")
    assert mine.returncode == 0 and ref.returncode == 0, (mine.stderr, ref.stderr)
    a, b = json.loads(mine.stdout), json.loads(ref.stdout)
    assert a["method"] == "my_gd" and b["method"] == "sgd"
    assert a["worst_case"] == pytest.approx(b["worst_case"], rel=1e-7)
    assert a["condition"] == "lower_bound" and a["measure"] == "avg_grad2"


def test_schedule_and_options():
    r = run("sgdm", "--steps", "3", "--set", "lr=0.3,0.2,0.1", "--set", "momentum=0.5",
            "--measure", "min_grad2", "--condition", "iterates", "--json")  # fmt: skip
    out = json.loads(r.stdout)
    assert r.returncode == 0 and out["params"]["lr"] == [0.3, 0.2, 0.1]
    assert out["measure"] == "min_grad2" and out["condition"] == "iterates"


def test_text_line_names_the_problem():
    r = run("tmm", "--set", "rho=0.3", "--steps", "4")
    assert r.returncode == 0
    assert r.stdout.startswith("worst case ") and "tmm(rho=0.3), 4 steps" in r.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["sgdm", "--set", "lr=0.1", "--set", "mom=0.5"], "unknown parameter 'mom'"),
        (["sgdm", "--set", "lr=0.1"], "missing parameter 'momentum'"),
        (["sgdm", "--set", "lr=0.1", "--set", "momentum=1.5"], "momentum: must be in [0, 1)"),
        (["sgdm", "--set", "lr"], "expected NAME=VALUE"),
        (["sgdm", "--set", "lr=x", "--set", "momentum=0"], "not a number"),
        (["sgd", "--set", "lr=0.1", "--set", "lr=0.2"], "given twice"),
        (["sgd", "--set", "lr=nan"], "lr: must be finite"),
        (["sgd", "--set", "lr=0.1", "--class", "concave"], "unknown class 'concave'"),
        (["sgd", "--set", "lr=0.1", "--measure", "last_dist2"], "needs a minimiser"),
        (["sgd", "--set", "lr=0.1", "--steps", "0"], "steps: must be an integer >= 1"),
        (["sgd", "--set", "lr=0.1,0.2", "--steps", "3"], "one value per step"),
        (["adam", "--set", "lr=0.1"], "unknown method 'adam'"),
        (["missing.py"], "no such method file"),
        (["sgd", "--set", "lr=0.1", "--L", "-1"], "L: must be > 0"),
    ],
)
def test_bad_input_is_one_line_exit_two(args, message):
    r = run(*args)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert message in r.stderr and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr


def test_a_bad_method_file_is_one_line(tmp_path):
    (tmp_path / "bad.py").write_text(METHOD.replace("x - lr * g", "x - lr * g * g"))
    r = run("bad.py", "--set", "lr=0.1", cwd=tmp_path)
    assert r.returncode == 2 and "not linear" in r.stderr and r.stderr.count("\n") == 1
