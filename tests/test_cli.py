"""The command line: verdicts, JSON, exit codes, one-line errors."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
import textwrap

import pytest
from proofutil import PROOFS

P3 = str(PROOFS / "p3_sgd_descent.py")


def run(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "lyapunov.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=600,
    )


def cli(line: str):
    """Run one command line (split like a shell)."""
    return run(*shlex.split(line))


def test_check_of_a_folder_exits_zero_with_summary(tmp_path):
    # a folder of proof files: one line per theorem, then the summary (every shipped theorem
    # is checked through the CLI by tests/test_kernel_crosscheck.py and tests/test_readme.py)
    for stem in ("p1_spa_equivalence", "p3_sgd_descent", "p13_sgd_smooth_convex"):
        (tmp_path / f"{stem}.py").write_text((PROOFS / f"{stem}.py").read_text())
    r = run("check", str(tmp_path))
    assert r.returncode == 0, r.stdout + r.stderr
    lines = r.stdout.strip().splitlines()
    assert len(lines) - 1 >= 3
    assert lines[-1].startswith(f"{len(lines) - 1} of {len(lines) - 1} theorems certified")
    assert all(line.startswith("certified") for line in lines[:-1])
    assert [line.split()[3] for line in lines[:-1]] == ["P1", "P3", "P13"]


def test_check_json_schema():
    r = run("check", P3, "--json")
    assert r.returncode == 0
    data = json.loads(r.stdout)
    assert data["certified"] == data["total"] == 1
    th = data["theorems"][0]
    assert {"name", "status", "seconds", "region", "counterexample"} <= set(th)
    assert th["status"] == "certified" and th["counterexample"] is None
    assert "L*eta < 2" in th["region"]


WRONG = """
import sympy as sp
from lyapunov.engine import DescentLemma, OneStep, Smooth, f, params
from lyapunov.methods import sgd_step

eta, L, sigma2 = params("eta L sigma2")
step = OneStep(["x"], lambda x, g: sgd_step(x, g, eta), sigma2)
theorem = DescentLemma(
    name="too fast", step=step, region=[eta > 0, L > 0, L * eta < 2],
    lyapunov=lambda x: f(x), rho=eta, nu=L * eta**2 / 2,
    certificate={Smooth(L).upper(step.x, step.x1): 1, step.variance(): L * eta**2 / 2},
)
"""


def test_refuted_theorem_exits_one_with_counterexample(tmp_path):
    p = tmp_path / "wrong.py"
    p.write_text(WRONG)
    r = run("check", str(p), "--json")
    assert r.returncode == 1
    th = json.loads(r.stdout)["theorems"][0]
    assert th["status"] == "refuted" and th["outcome"] == "rejected"  # the certificate's fault
    assert set(th["counterexample"]["point"]) >= {"eta", "L"}
    r = run("check", str(p))
    assert r.returncode == 1 and "rejected certificate: " in r.stdout and "at " in r.stdout


@pytest.mark.parametrize(
    "content,needle",
    [
        ("x = (\n", "syntax error"),
        ("x = 1\n", "defines no theorem"),
        ("theorem = 42\n", "not a lyapunov Theorem"),
        ("raise RuntimeError('boom')\n", "RuntimeError: boom"),
        (WRONG.replace("rho=eta,", "rho=0.5 * eta,"), "float"),
        (WRONG.replace("rho=eta,", "rho=eta * mu,"), "NameError"),
        (
            WRONG.replace(
                "region=[eta > 0, L > 0, L * eta < 2]", "region=[eta > 1, eta < 1, L > 0]"
            ),
            "empty",
        ),
        (WRONG.replace("certificate={", "certificate={'upper': 1, "), "not a fact"),
    ],
)
def test_malformed_file_one_line_exit_two(tmp_path, content, needle):
    p = tmp_path / "bad.py"
    p.write_text(textwrap.dedent(content))
    r = run("check", str(p))
    assert r.returncode == 2
    assert r.stdout == ""
    err = r.stderr.strip()
    assert len(err.splitlines()) == 1, err
    assert "Traceback" not in err
    assert needle in err and "bad.py" in err


@pytest.mark.parametrize(
    "args,needle",
    [
        (["check", "/nonexistent/file.py"], "no such file"),
        (["check", "--timeout", "-3"], "--timeout"),
        (["check", "--timeout", "nan"], "--timeout"),
        (["check", "--timeout", "abc"], "--timeout"),
        (["check", "--jobs", "0"], "--jobs"),
        (["check", "--frobnicate"], "--frobnicate"),
        (["nosuchcommand"], "nosuchcommand"),
    ],
)
def test_bad_usage_one_line_exit_two(args, needle):
    r = run(*args)
    assert r.returncode == 2
    err = r.stderr.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert needle in err


def test_not_a_py_file(tmp_path):
    p = tmp_path / "notes.txt"
    p.write_text("hi")
    r = run("check", str(p))
    assert r.returncode == 2 and "not a proof file" in r.stderr


def test_help_lists_examples():
    r = run("check", "--help")
    assert r.returncode == 0 and "Examples" in r.stdout


def test_tiny_timeout_gives_not_proved_never_certified():
    r = run(
        "check", str(PROOFS / "p4b_spa_descent_primal_family.py"), "--timeout", "0.001", "--json"
    )
    assert r.returncode == 1
    th = json.loads(r.stdout)["theorems"][0]
    assert th["status"] == "not proved"
    assert "timeout" in th["reason"]


def test_bound_sgdm_json_matches_python_api():
    from lyapunov import bounds

    r = cli("bound sgdm --lr 0.1 --momentum 0.9 --L 1 --sigma2 0.01 --steps 1000 --gap 1 --json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    want = bounds.sgdm(lr=0.1, momentum=0.9, L=1.0, sigma2=0.01, steps=1000, gap=1.0, detail=True)
    assert data["bound"] == pytest.approx(want.value, rel=1e-12)
    assert data["theorem"] == want.theorem == "P8+P10"  # the horizon chain beats P4 here


def test_bound_outside_regions_is_inf_not_a_number():
    far = ("--steps", "100000")  # beyond the chain step by step, which covers every step size
    r = run("bound", "sgd", "--lr", "3", "--L", "1", *far, "--gap", "1", "--json")
    assert r.returncode == 0
    data = json.loads(r.stdout)
    assert data["bound"] == "inf" and data["theorem"] is None  # the JSON convention for inf
    r = run("bound", "sgd", "--lr", "3", "--L", "1", *far, "--gap", "1")
    assert "inf" in r.stdout


def test_bound_best_step():
    r = cli("bound sgd --best --L 1 --sigma2 0.01 --steps 1000 --gap 1 --json")
    data = json.loads(r.stdout)
    best = data["best"]  # the fields of bounds.BestStep, under the same names
    assert best["name"] == "lr" and 0 < best["step"] < 2 and data["bound"] > 0
    assert best["bound"] == data["bound"] and data["params"]["lr"] == best["step"]


@pytest.mark.parametrize(
    "args,needle",
    [
        (["bound", "sgdm", "--lr", "0.1", "--momentum", "1.0"], "momentum: must be in [0, 1)"),
        (["bound", "sgdm", "--lr", "nan", "--momentum", "0.5"], "lr: must be finite"),
        (["bound", "sgdm", "--lr", "-1", "--momentum", "0.5"], "lr: must be > 0"),
        (["bound", "spa", "--eta", "0.1", "--c", "0"], "c: must be in (0, 1]"),
        (["bound", "sgd", "--lr", "0.1", "--momentum", "0.5"], "--momentum does not apply"),
        (["bound", "sgd"], "--lr is required"),
        (["bound", "adam", "--lr", "0.1"], "adam"),
    ],
)
def test_bound_bad_input_one_line_exit_two(args, needle):
    base = ["--L", "1", "--steps", "10", "--gap", "1"] if "adam" not in args else []
    r = run(*args, *base)
    assert r.returncode == 2
    err = r.stderr.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert needle in err


def test_check_latex_export(tmp_path):
    out = tmp_path / "theorems.tex"
    r = run("check", P3, str(PROOFS / "p4_spa_descent.py"), "--latex", str(out))
    assert r.returncode == 0
    tex = out.read_text()
    assert tex.count(r"\begin{theorem}") == 2 == tex.count(r"\end{theorem}")
    assert r"\begin{document}" in tex and tex.rstrip().endswith(r"\end{document}")
    assert "upper}(x_k, x_{k+1})" in tex and r"\sigma^2" in tex
    assert tex.count("{") == tex.count("}")


def test_check_latex_only_certified(tmp_path):
    bad = tmp_path / "wrong.py"
    bad.write_text(WRONG)
    out = tmp_path / "t.tex"
    r = run("check", P3, str(bad), "--latex", str(out))
    assert r.returncode == 1
    tex = out.read_text()
    assert "P3 SGD" in tex and "too fast" not in tex


def test_simulate_json_keys_and_pass():
    r = cli(
        "simulate --objective cosine --lr 0.01 --momentum 0.9 --steps 200 --runs 20 "
        "--sigma2 0.1 --seed 3 --json"
    )
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert {"empirical", "ci_low", "ci_high", "bound", "diverged"} <= set(data)
    assert data["ci_low"] <= data["empirical"] <= data["ci_high"] <= data["bound"]
    again = cli(
        "simulate --objective cosine --lr 0.01 --momentum 0.9 --steps 200 --runs 20 "
        "--sigma2 0.1 --seed 3 --json"
    )
    assert json.loads(again.stdout)["empirical"] == data["empirical"]  # same seed, same number


def test_simulate_divergence_is_reported_not_averaged():
    r = cli("simulate --objective cosine --lr 50 --momentum 0.9 --steps 100 --runs 4 --json")
    data = json.loads(r.stdout)
    assert data["diverged"] == 4 and data["empirical"] is None
    assert "4 of 4 runs diverged" in r.stderr


@pytest.mark.parametrize(
    "line,needle",
    [
        ("simulate --objective nope --lr 0.1 --momentum 0.5 --steps 5 --runs 2", "objective"),
        ("simulate --objective cosine --lr 0.1 --steps 5 --runs 2", "momentum"),
        ("simulate --objective cosine --lr nan --momentum 0.5 --steps 5 --runs 2", "lr"),
        ("simulate --objective cosine --lr 0.1 --momentum 0.5 --steps 0 --runs 2", "steps"),
        (
            "simulate --objective cosine --lr 0.1 --momentum 0.5 --steps 5 --runs 2 --sigma2 -1",
            "sigma2",
        ),
    ],
)
def test_simulate_bad_input(line, needle):
    r = cli(line)
    assert r.returncode == 2
    err = r.stderr.strip()
    assert len(err.splitlines()) == 1 and needle in err and "Traceback" not in err


def test_nothing_imports_the_cli():
    """The command line is a leaf: no module of the package (outside lyapunov/cli) and no
    benchmark imports it (tests may)."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    cli_dir = root / "lyapunov" / "cli"
    files = [p for p in (root / "lyapunov").rglob("*.py") if cli_dir not in p.parents]
    files += list((root / "benchmarks").rglob("*.py"))
    for path in files:
        package = ".".join(path.relative_to(root).with_suffix("").parts[:-1])
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                mod = ".".join((parts if node.level else []) + [node.module or ""]).strip(".")
                names = [mod] + [f"{mod}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            assert not any(n == "lyapunov.cli" or n.startswith("lyapunov.cli.") for n in names), (
                path
            )


def test_each_command_is_one_module_and_only_parses_and_prints():
    """Every command module defines ``command`` and is registered; the calculators are reached
    through the one dispatcher, never named in the command line."""
    import ast
    from pathlib import Path

    import click

    from lyapunov.cli import COMMANDS, cli, command_module

    listed = cli.list_commands(click.Context(cli))
    assert sorted(listed) == sorted(COMMANDS)
    assert all(command_module(name).command.name == name for name in listed)
    # every module of the package but its plumbing is a command, and is listed
    plumbing = {"__init__", "__main__", "common", "interrupt"}
    folder = Path(__file__).resolve().parent.parent / "lyapunov" / "cli"
    assert set(COMMANDS) == {p.stem for p in folder.glob("*.py")} - plumbing
    allowed = {"dispatch", "AVERAGES", "UniformAverageWarning", "schedule_input", "methods"}
    for path in (Path(__file__).resolve().parent.parent / "lyapunov" / "cli").glob("*.py"):
        text = path.read_text()
        assert len(text.splitlines()) < 500, path.name
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ImportFrom) and "bounds" in (node.module or ""):
                assert {a.name for a in node.names} <= allowed, (path.name, node.lineno)
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                assert node.value.id != "bounds", (path.name, node.lineno)


def test_a_command_loads_only_its_own_module():
    """`lyapunov check` starts without loading the calculators, the simulator, the figures or
    the other commands (each command module is imported when it runs)."""
    code = (
        "import sys\n"
        "from lyapunov.cli import cli\n"
        f"cli.main(['check', {P3!r}], standalone_mode=False)\n"
        "heavy = ('lyapunov.bounds', 'lyapunov.sim', 'lyapunov.figures', 'matplotlib', "
        "'lyapunov.cli.bound', 'lyapunov.cli.simulate')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)))\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "1 of 1 theorems certified" in r.stdout
    assert r.stdout.strip().splitlines()[-1] == "[]"
