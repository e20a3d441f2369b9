"""Defects of issue 21 in running commands: sizes refused up front (sweep pep, sweep simulate,
simulate naming steps), Ctrl-C stopping a command and its processes (exit 130), float
overflow told apart from a violated bound, the natural order of `check`, and the help texts
(engine rule, examples)."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from test_cli import run  # lyapunov ARGS in a subprocess

from lyapunov.objectives import make
from lyapunov.sim import memory, simulate

ROOT = Path(__file__).resolve().parents[1]
PROOFS = ROOT / "proofs"


def one_error_line(r) -> str:
    """The single stderr line of a refused command (exit 2, no traceback)."""
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, r.stderr
    return lines[0]


def needs(*modules):
    for m in modules:
        pytest.importorskip(m)


# --- 1. sweep pep: a worst case that cannot fit is refused before any worker starts ----------


def test_sweep_pep_huge_steps_is_one_line_exit_two():
    needs("dask", "distributed", "cvxpy")
    r = run("sweep", "pep", "--eta", "0.1", "--c", "0.5", "--steps", "100000", "--workers", "2")
    line = one_error_line(r)
    assert line.startswith("lyapunov: error: steps: an exact worst case of 100000 steps needs")
    fit = int(re.search(r"use at most about (\d+) steps", line).group(1))
    assert 0 < fit < 100000


def test_worst_cases_api_raises_the_same_message(monkeypatch):
    needs("dask", "distributed", "cvxpy")
    from lyapunov import sweep
    from lyapunov.sweep import cluster

    def no_cluster(*a, **k):
        raise AssertionError("a cluster was started for a refused grid")

    monkeypatch.setattr(cluster, "client_for", no_cluster)
    with pytest.raises(ValueError) as exc:
        sweep.worst_cases(0.1, 0.5, steps=100000, workers=2)
    api = str(exc.value)
    assert api.startswith("steps: an exact worst case of 100000 steps needs about")
    cli = run("sweep", "pep", "--eta", "0.1", "--c", "0.5", "--steps", "100000", "--workers", "2")
    head = api.split(" GB of memory")[0]  # the rest states the memory available now
    assert one_error_line(cli).startswith(f"lyapunov: error: {head} GB of memory")


def test_pep_memory_limit_is_the_largest_fitting_steps():
    from lyapunov.sweep.grid import check_pep_memory, pep_bytes, pep_grid

    have = 3e9
    g = pep_grid(0.1, 0.5, 1000, L=1.0, gap=1.0, condition="lower_bound", z_points=True)
    with pytest.raises(ValueError, match=r"^steps: .* more than the 3 GB available") as exc:
        check_pep_memory(g, have)
    fit = int(re.search(r"at most about (\d+) steps", str(exc.value)).group(1))
    assert pep_bytes(fit, True) <= have < pep_bytes(fit + 1, True)
    ok = pep_grid(0.1, 0.5, [4, fit], L=1.0, gap=1.0, condition="lower_bound", z_points=True)
    check_pep_memory(ok, have)  # the limit itself is accepted
    check_pep_memory(g, None)  # unknown memory: no refusal


def test_pep_memory_estimate_is_not_below_a_measured_peak():
    needs("cvxpy")
    from lyapunov.sweep.grid import pep_bytes

    code = (
        "import resource, sys\n"
        "from lyapunov.pep import pep_spa\n"
        "pep_spa(0.1, 0.5, steps=2, condition='lower_bound')\n"  # imports and solver set up
        "base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "pep_spa(0.1, 0.5, steps=16, condition='lower_bound')\n"
        "print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) * 1024)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    measured = int(r.stdout.split()[-1])
    assert measured <= pep_bytes(16, True)


# --- 2. sweep simulate: a chunk that cannot fit is refused before any worker starts ----------


def test_sweep_simulate_huge_runs_is_refused_before_any_worker(monkeypatch):
    needs("dask", "distributed")
    from lyapunov import sweep
    from lyapunov.sweep import cluster

    def no_cluster(*a, **k):
        raise AssertionError("a cluster was started for a refused grid")

    monkeypatch.setattr(cluster, "client_for", no_cluster)
    with pytest.raises(ValueError, match=r"^runs: 1000000000 runs x 200 steps .* dask workers"):
        sweep.simulations("cosine", lr=0.01, momentum=0.9, steps=200, runs=10**9, workers=2)


def test_sweep_simulate_huge_runs_cli_prints_no_worker_noise():
    needs("dask", "distributed")
    r = run(
        *shlex.split(
            "sweep simulate --objective cosine --lr 0.01 --momentum 0.9 --steps 200 "
            "--runs 1000000000 --workers 2"
        )
    )
    line = one_error_line(r)
    assert line.startswith("lyapunov: error: runs: 1000000000 runs x 200 steps")
    assert "distributed" not in r.stderr and "Compute Failed" not in r.stderr


# --- 8. simulate: huge steps name steps ---------------------------------------------------------


def test_huge_steps_name_steps_not_runs_cli():
    r = run(*shlex.split("simulate --objective cosine --steps 1000000000 --runs 1 --lr 0.1"))
    line = one_error_line(r)
    assert line.startswith("lyapunov: error: steps: 1000000000 steps x 1 run x ")
    fit = int(re.search(r"use at most about (\d+) steps with 1 run", line).group(1))
    assert 0 < fit < 10**9
    assert "0 runs" not in line


def test_steps_limit_is_exact_for_the_estimate(monkeypatch):
    obj = make("cosine", 10)
    have = memory.memory_estimate(1, 2, 10, 10**6, False, memory.objective_bytes_per_run(obj))
    monkeypatch.setattr(memory, "available_memory", lambda: have)
    with pytest.raises(ValueError, match=r"^steps: 3000000 steps x 2 runs") as exc:
        memory.check_memory(obj, 1, 2, 3 * 10**6, False, "sgdm")
    fit = int(re.search(r"at most about (\d+) steps", str(exc.value)).group(1))
    memory.check_memory(obj, 1, 2, fit, False, "sgdm")  # fits
    with pytest.raises(ValueError, match="^steps: "):
        memory.check_memory(obj, 1, 2, fit + 1, False, "sgdm")
    with pytest.raises(ValueError, match=r"^runs: .* use at most about \d+ runs with 10 steps"):
        memory.check_memory(obj, 1, 10**9, 10, False, "sgdm")  # runs are the larger part


# --- 9. overflow is not a violated theorem -------------------------------------------------------


@pytest.mark.parametrize(
    "args", ["--lr 0.05 --momentum 0.9 --sigma2 1e308", "--lr 1e308 --momentum 0.9 --sigma2 0.1"]
)
def test_overflow_is_reported_as_overflow_exit_two(args):
    r = run(*shlex.split(f"simulate --objective lsq --steps 100 --runs 8 {args} --json"))
    line = one_error_line(r)
    assert line.startswith("lyapunov: error: overflow: ") and "float64" in line
    doc = json.loads(r.stdout)
    assert doc["outcome"] == "overflow" and doc["passed"] is None and doc["overflowed"] > 0
    assert "violated" not in r.stdout + r.stderr


def test_confirm_api_overflow_outcome_and_large_noise_is_no_alarm():
    from lyapunov.confirm import confirm, outcome

    out = confirm("lsq", lr=0.05, momentum=0.9, sigma2=1e308, steps=100, runs=8, engine="numpy")
    assert out["outcome"] == "overflow" and out["overflowed"] > 0 and out["diverged"] == 0
    assert out["passed"] is None
    # a step far beyond every theorem: runs that run away, no bound, no alarm either
    far = confirm("lsq", "spa", eta=1e300, c=0.5, sigma2=0.1, steps=50, runs=4, engine="numpy")
    assert far["outcome"] in ("no bound", "overflow") and far["passed"] is None
    assert outcome(float("nan"), float("nan"), 1.0, 0, 3) == ("overflow", None)
    # huge but representable noise: |x| grows with sqrt(sigma2), not a divergence
    big = confirm("cosine", lr=0.05, momentum=0.9, sigma2=1e12, steps=100, runs=8, engine="numpy")
    assert big["outcome"] != "violated" and big["diverged"] == 0 and big["overflowed"] == 0
    assert big["ci_high"] <= big["bound"]


def test_real_divergence_is_still_a_divergence_not_an_overflow():
    res = simulate("lsq", "sgd", lr=1e3, steps=50, runs=4, engine="numpy")
    assert res.diverged.all() and not res.overflowed.any()


def test_sweep_chunk_reports_overflow():
    from lyapunov.sweep.tasks import simulate_chunk

    part = simulate_chunk(
        "lsq", "sgdm", {"lr": np.array([0.05, 0.05]), "momentum": np.array([0.9, 0.9]),
                        "sigma2": np.array([0.1, 1e308])},
        steps=50, runs=4, seed=0, dim=10, level=0.99, engine="numpy",
    )  # fmt: skip
    assert [r["outcome"] for r in part["rows"]][1] == "overflow"
    assert part["rows"][0]["outcome"] != "overflow"


# --- 4. Ctrl-C stops everything, exit 130 ----------------------------------------------------


def descendants(pid: int) -> list[int]:
    """The processes below ``pid`` (children, their children, ...)."""
    psutil = pytest.importorskip("psutil")
    try:
        return [p.pid for p in psutil.Process(pid).children(recursive=True)]
    except psutil.Error:
        return []


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _interrupt(args: list[str], started, *, group: bool = False, wait: float = 60.0):
    """Start ``lyapunov ARGS``, wait until ``started(children, stderr so far)`` holds, send
    SIGINT (to the process, or to its whole group as a terminal's Ctrl-C does); returns
    (returncode, stderr, seconds to exit, the descendants seen before the signal)."""
    if not hasattr(signal, "SIGKILL") or not Path("/proc").is_dir():
        pytest.skip("POSIX signals and /proc needed")
    proc = subprocess.Popen(
        [sys.executable, "-m", "lyapunov.cli", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=group,
    )
    err: list[str] = []
    reader = threading.Thread(target=lambda: err.extend(proc.stderr), daemon=True)
    reader.start()
    try:
        t0 = time.monotonic()
        kids: list[int] = []
        while time.monotonic() - t0 < wait and proc.poll() is None:
            kids = descendants(proc.pid)
            if started(kids, "".join(err)):
                break
            time.sleep(0.2)
        assert proc.poll() is None, f"ended before the signal: {''.join(err)}"
        assert started(kids, "".join(err)), "the command did not start its work in time"
        time.sleep(0.5)
        kids = descendants(proc.pid)
        t1 = time.monotonic()
        if group:
            os.killpg(proc.pid, signal.SIGINT)
        else:
            proc.send_signal(signal.SIGINT)
        proc.wait(timeout=20)
        seconds = time.monotonic() - t1
        reader.join(5)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return proc.returncode, "".join(err), seconds, kids


def _assert_stopped(code, err, seconds, kids, before=()):
    """Exit 130 within seconds, one line (after the lines ``before`` the signal), nothing
    left running."""
    assert code == 130, err
    assert "Traceback" not in err and "Error" not in err, err
    lines = [line for line in err.splitlines() if line.strip() and line not in before]
    assert lines == ["lyapunov: interrupted"], err
    assert seconds < 8, seconds  # a hang was minutes; slack for a loaded machine
    deadline = time.monotonic() + 5
    while any(_alive(k) for k in kids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [k for k in kids if _alive(k)], "processes left behind"


def test_ctrl_c_stops_simulate():
    args = shlex.split(
        "simulate --objective cosine --lr 0.05 --momentum 0.9 --steps 20000 --runs 3000 "
        "--sigma2 0.1 --engine numpy"
    )
    code, err, seconds, kids = _interrupt(args, lambda kids, err: "simulating" in err)
    _assert_stopped(code, err, seconds, kids, before=("simulating",))


@pytest.mark.parametrize("group", [False, True], ids=["parent", "group"])
def test_ctrl_c_stops_check_and_its_workers(group):
    code, err, seconds, kids = _interrupt(
        ["check", str(PROOFS), "--jobs", "2"], lambda kids, err: len(kids) >= 2, group=group
    )
    assert len(kids) >= 2
    _assert_stopped(code, err, seconds, kids)


@pytest.mark.parametrize("group", [False, True], ids=["parent", "group"])
def test_ctrl_c_stops_a_sweep_and_its_dask_workers(group):
    needs("dask", "distributed")
    args = shlex.split(
        "sweep simulate --objective cosine --lr 0.01,0.02 --momentum 0,0.9 --steps 5000 "
        "--runs 4000 --workers 2 --engine numpy --quiet"
    )
    code, err, seconds, kids = _interrupt(args, lambda kids, err: len(kids) >= 3, group=group)
    _assert_stopped(code, err, seconds, kids)


# --- 11. order of check, wording, help texts, engine rule ----------------------------------------


def test_check_lists_theorems_in_natural_order(tmp_path):
    from lyapunov.loader import proof_files

    names = [p.name for p in proof_files([PROOFS])]
    numbers = [re.match(r"p(\d+)([a-z]*)_", n).groups() for n in names]
    assert numbers == sorted(numbers, key=lambda t: (int(t[0]), t[1]))
    assert names[0].startswith("p1_")
    body = (PROOFS / "p3_sgd_descent.py").read_text()
    for name in ("p10_a.py", "p2_a.py", "p4c_a.py", "p1_a.py", "p4_a.py", "p4b_a.py"):
        (tmp_path / name).write_text(body)
    r = run("check", str(tmp_path), "--json", "--jobs", "1")
    assert r.returncode == 0, r.stderr
    files = [Path(t["file"]).name for t in json.loads(r.stdout)["theorems"]]
    assert files == ["p1_a.py", "p2_a.py", "p4_a.py", "p4b_a.py", "p4c_a.py", "p10_a.py"]


def test_schedule_file_wording(tmp_path):
    f = tmp_path / "lr.txt"
    f.write_text("\n".join(["0.01"] * 50))
    r = run(
        *shlex.split(f"bound sgdm --schedule-file {f} --momentum 0.9 --L 1 --sigma2 0.01 --gap 1")
    )
    assert r.returncode == 0, r.stderr
    assert "from " + str(f) not in r.stdout and "the from" not in r.stdout
    assert str(f) in r.stdout


def _help(*command: str) -> str:
    """``lyapunov COMMAND --help``, in this process (click renders it as on a terminal)."""
    from click.testing import CliRunner

    from lyapunov.cli import cli

    r = CliRunner().invoke(cli, [*command, "--help"])
    assert r.exit_code == 0, r.output
    return r.stdout


def _examples(*command: str) -> list[str]:
    """The example command lines of ``lyapunov COMMAND --help`` (continuations joined)."""
    block = _help(*command).split("Examples:")[1].split("Options:")[0]
    lines = block.replace("\\\n", " ").splitlines()
    return [" ".join(line.split()) for line in lines if line.strip()]


@pytest.mark.parametrize("command", [(), ("simulate",), ("sweep",), ("check",)])
def test_help_examples_have_no_runs_of_spaces(command):
    block = _help(*command).split("Examples:")[1].split("Options:")[0]
    for line in block.splitlines():
        code = line.split("#")[0].strip()
        assert not re.search(r"\S {3,}\S", code), line


def test_simulate_examples_have_noise_so_runs_differ():
    from click.testing import CliRunner

    from lyapunov.cli import cli

    lines = [e for e in _examples("simulate") + _examples() if e.startswith("lyapunov simulate")]
    assert len(lines) >= 4
    for line in lines:
        assert re.search(r"--sigma2 (?!0(\.0*)?( |$))[0-9.]", line) or "--batch" in line, line
        if ".py" in line:  # a method file of the reader's own
            continue
        args = shlex.split(line)[1:]
        for option, tiny in (("--steps", "20"), ("--runs", "8")):  # the example, made small
            args[args.index(option) + 1] = tiny
        r = CliRunner().invoke(cli, [*args, "--json"])
        assert r.exception is None, (line, r.output)
        doc = json.loads(r.stdout)
        assert doc["ci_high"] > doc["ci_low"], line  # the runs are not all the same


def test_engine_auto_rule_is_stated_and_followed():
    from lyapunov.sim.core import AUTO_NUMBA_WORK, auto_engine
    from lyapunov.sim.engine_numba import available

    help_text = " ".join(_help("simulate").split())
    assert f"at least {AUTO_NUMBA_WORK:.0e}" in help_text
    assert "numba" in help_text and "numpy" in help_text
    small = simulate("cosine", "sgdm", lr=0.05, momentum=0.9, steps=20, runs=4, sigma2=0.1)
    assert small.engine == "numpy" == auto_engine(20 * 4 * 10)
    assert auto_engine(AUTO_NUMBA_WORK, trajectory=True) == "numpy"
    assert auto_engine(AUTO_NUMBA_WORK, gaussian=False) == "numpy"
    assert auto_engine(AUTO_NUMBA_WORK - 1) == "numpy"
    assert auto_engine(AUTO_NUMBA_WORK) == ("numba" if available() else "numpy")
