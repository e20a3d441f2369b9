"""`lyapunov bound` with schedules, the JSON convention for inf, --best, and bad input."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
import warnings

import numpy as np
import pytest

from lyapunov import bounds
from lyapunov.sim import schedules as sch

BASE = "--L 1 --sigma2 0.01 --gap 1"


def cli(line: str):
    return subprocess.run(
        [sys.executable, "-m", "lyapunov.cli", *shlex.split(line)],
        capture_output=True,
        text=True,
        timeout=600,
    )


def in_process(line: str, capsys) -> tuple[int, str, str]:
    """Run the CLI in this process (fast, for the many bad-input cases): (exit code, out, err)."""
    from lyapunov.cli import main

    with pytest.raises(SystemExit) as exc:
        main(shlex.split(line))
    out, err = capsys.readouterr()
    return exc.value.code, out, err


def _quiet(fun, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", bounds.UniformAverageWarning)
        return fun(**kw)


def test_cosine_schedule_both_averages_match_the_python_api():
    n = 20000  # long enough for the plain average to be 50x the weighted one: a warning
    lr, m = sch.cosine(0.1, n), np.full(n, 0.9)
    g = dict(L=1.0, sigma2=0.01, gap=1.0)
    r = cli(f"bound sgdm --schedule cosine --lr 0.1 --momentum 0.9 --steps {n} {BASE} --json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    uniform = _quiet(bounds.sgdm_schedule, lr=lr, momentum=m, **g)
    assert data["bound"] == pytest.approx(uniform, rel=1e-12)
    assert data["theorem"] == "P2+P24+P10" and data["average"] == "uniform"
    assert "--average weighted" in data["warning"]  # the uniform bound is far above: say so
    (line,) = r.stderr.splitlines()
    assert line.startswith("warning: --average uniform") and "0.003837" in line
    r = cli(
        f"bound sgdm --schedule cosine --lr 0.1 --momentum 0.9 --steps {n} {BASE} "
        "--average weighted --json"
    )
    data = json.loads(r.stdout)
    weighted = bounds.sgdm_schedule(lr=lr, momentum=m, average="weighted", **g)
    assert data["bound"] == pytest.approx(weighted, rel=1e-12)
    assert weighted < uniform / 10 and "warning" not in data and r.stderr == ""


@pytest.mark.parametrize(
    "opts,want",
    [
        (
            "--schedule step --milestones 60,90 --gamma 0.5",
            sch.step_decay(0.05, 120, [60, 90], 0.5),
        ),
        ("--schedule linear --final 0.005", sch.linear(0.05, 120, 0.005)),
        ("--schedule constant", np.full(120, 0.05)),
    ],
)
def test_step_linear_constant_schedules(opts, want):
    r = cli(f"bound sgdm {opts} --lr 0.05 --momentum 0.5 --steps 120 {BASE} --json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    np.testing.assert_allclose(data["params"]["lr"], want)
    ref = _quiet(
        bounds.sgdm_schedule, lr=want, momentum=np.full(120, 0.5), L=1.0, sigma2=0.01, gap=1.0
    )
    assert data["bound"] == pytest.approx(ref, rel=1e-12)


def test_constant_schedule_equals_the_constant_bound():
    r = cli(f"bound spa --schedule constant --eta 0.2 --c 0.5 --steps 50 {BASE} --json")
    const = bounds.spa(eta=0.2, c=0.5, L=1.0, sigma2=0.01, steps=50, gap=1.0)
    assert json.loads(r.stdout)["bound"] == pytest.approx(const, rel=1e-9)


def test_schedule_file_one_and_two_columns(tmp_path):
    lr = sch.cosine(0.05, 80, 0.005)
    mom = np.r_[np.full(40, 0.9), np.full(40, 0.5)]
    one = tmp_path / "lr.txt"
    one.write_text("# lr per step\n" + "\n".join(repr(float(v)) for v in lr) + "\n\n")
    r = cli(f"bound sgdm --schedule-file {one} --momentum 0.9 {BASE} --json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["params"]["steps"] == 80
    ref = bounds.sgdm_schedule(lr=lr, momentum=np.full(80, 0.9), L=1.0, sigma2=0.01, gap=1.0)
    assert data["bound"] == pytest.approx(ref, rel=1e-12)
    two = tmp_path / "lr_momentum.csv"
    two.write_text("\n".join(f"{float(a)!r}, {float(b)!r}" for a, b in zip(lr, mom, strict=True)))
    data = json.loads(cli(f"bound sgdm --schedule-file {two} {BASE} --json").stdout)
    ref = bounds.sgdm_schedule(lr=lr, momentum=mom, L=1.0, sigma2=0.01, gap=1.0)
    assert data["bound"] == pytest.approx(ref, rel=1e-12)
    text = cli(f"bound sgdm --schedule-file {two} {BASE}")
    assert text.returncode == 0 and "certified bound" in text.stdout and "80 steps" in text.stdout


def test_too_sudden_schedule_is_inf_for_p8_alone_and_finite_for_the_chain(tmp_path):
    """A sudden drop: P8 alone does not cover it (the weighted average is inf, in JSON
    "inf" with no theorem), the chain of P24 and P10 does (the uniform average)."""
    f = tmp_path / "jump.txt"
    f.write_text("\n".join(["0.5"] * 20 + ["0.005"] * 20))
    r = cli(f"bound spa --schedule-file {f} --c 0.1 {BASE} --average weighted --json")
    data = json.loads(r.stdout)
    assert data["bound"] == "inf" and data["theorem"] is None
    text = cli(f"bound spa --schedule-file {f} --c 0.1 {BASE} --average weighted").stdout
    assert "bound = inf" in text
    data = json.loads(cli(f"bound spa --schedule-file {f} --c 0.1 {BASE} --json").stdout)
    assert data["theorem"] == "P24+P10" and 0 < data["bound"] < 10


def test_json_inf_convention_is_the_same_for_bound_and_simulate():
    b = json.loads(cli("bound sgd --lr 3 --L 1 --steps 100000 --gap 1 --json").stdout)
    s = json.loads(
        cli(
            "simulate --objective quadratic --method sgd --lr 10 --steps 5000 --runs 3 "
            "--engine numpy --json"
        ).stdout
    )
    assert b["bound"] == "inf" == s["bound"]
    assert float(b["bound"]) == float("inf")


@pytest.mark.parametrize(
    "line,needle",
    [
        ("bound sgdm --best --lr 0.1 --momentum 0.9 --steps 10", "give --best or --lr, not both"),
        ("bound spa --best --eta 0.1 --c 0.5 --steps 10", "give --best or --eta, not both"),
        ("bound sgdm --schedule cosine --momentum 0.9 --steps 10", "--lr is required"),
        ("bound sgdm --schedule cosine --lr 0.1 --steps 10", "--momentum is required"),
        ("bound sgdm --schedule step --lr 0.1 --momentum 0.9 --steps 10", "milestones: required"),
        ("bound sgdm --schedule linear --lr 0.1 --momentum 0.9 --steps 10", "final: required"),
        (
            "bound sgdm --schedule step --milestones a,b --lr 0.1 --momentum 0.9 --steps 10",
            "--milestones: must be whole steps",
        ),
        ("bound sgdm --schedule wavy --lr 0.1 --momentum 0.9 --steps 10", "wavy"),
        (
            "bound sgdm --schedule linear --final -1 --lr 0.1 --momentum 0.9 --steps 10",
            "lr: must be > 0",
        ),
        ("bound sgdm --final 0.1 --lr 0.1 --momentum 0.9 --steps 10", "--final applies"),
        ("bound sgdm --lr 0.1 --momentum 0.9", "--steps is required"),
        ("bound sgdm --schedule cosine --best --momentum 0.9 --steps 10", "not to a schedule"),
        ("bound sgdm --schedule-file /nonexistent/x.txt --momentum 0.9", "cannot read"),
        ("bound sgdm --schedule cosine --lr 0.1 --momentum 0.9 --steps 10 --average max", "max"),
        ("bound sgd --schedule cosine --lr -0.1 --steps 10", "lr: must be > 0, got -0.1"),
        ("bound qhm --schedule cosine --lr 0.1 --momentum 0.9 --nu 0.5 --steps 10", "not to qhm"),
    ],
)
def test_bad_input_one_line_exit_two(line, needle, capsys):
    code, out, err = in_process(f"{line} {BASE}", capsys)
    assert code == 2, out
    err = err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert needle in err


@pytest.mark.parametrize(
    "content,extra,needle",
    [
        ("0.1\nabc\n", "--momentum 0.9", "line 2: expected 1 or 2 numbers"),
        ("0.1 0.9\n0.1\n", "", "line 2: expected 2 numbers, got 1"),
        ("0.1 0.9 1\n", "", "expected 1 or 2 numbers, got 3"),
        ("# nothing\n", "--momentum 0.9", "has no values"),
        ("0.1\n0.1\n", "--momentum 0.9 --steps 3", "--steps: 3 given but"),
        ("0.1 0.5\n0.1 0.5\n", "--momentum 0.9", "--momentum comes from"),
        ("0.1\n-0.1\n", "--momentum 0.9", "lr: must be > 0"),
        ("0.1 0.5\n", "", None),  # sgd takes one column
    ],
)
def test_bad_schedule_files(tmp_path, content, extra, needle, capsys):
    f = tmp_path / "s.txt"
    f.write_text(content)
    method = "sgd" if needle is None else "sgdm"
    code, _, err = in_process(f"bound {method} --schedule-file {f} {extra} {BASE}", capsys)
    assert code == 2
    err = err.strip()
    assert len(err.splitlines()) == 1
    assert (needle or "takes one value per line") in err
