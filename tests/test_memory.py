"""Huge simulations are refused up front with one clear line (no allocation, no OOM kill)."""

from __future__ import annotations

import subprocess
import sys
import time

import numpy as np
import pytest

from lyapunov.objectives import make
from lyapunov.sim import memory, simulate


def test_huge_runs_refused_before_allocating():
    t0 = time.perf_counter()
    with pytest.raises(ValueError, match=r"^runs: 1000000000000 runs .* GB of memory, more than"):
        simulate("cosine", "sgdm", lr=0.01, momentum=0.9, steps=10, runs=10**12)
    assert time.perf_counter() - t0 < 30  # refused, not attempted


def test_limit_follows_the_available_memory(monkeypatch):
    obj = make("cosine", 10)
    per_run = memory.memory_estimate(1, 1, 10, 50, False, memory.objective_bytes_per_run(obj))
    monkeypatch.setattr(memory, "available_memory", lambda: 1000 * per_run)
    simulate(obj, "sgdm", lr=0.01, momentum=0.9, steps=50, runs=500, engine="numpy")  # fits
    with pytest.raises(ValueError, match=r"use at most about \d+ runs") as exc:
        simulate(obj, "sgdm", lr=0.01, momentum=0.9, steps=50, runs=5000, engine="numpy")
    fit = int(str(exc.value).split("at most about ")[1].split()[0])
    records = memory.memory_estimate(1, 0, 10, 50, False)  # the per-step part, for any runs
    assert fit == (1000 * per_run - records) // (per_run - records)
    # a trajectory of every step counts too
    with pytest.raises(ValueError, match="recorded steps"):
        simulate(obj, "sgd", lr=0.01, steps=50, runs=900, trajectory=True, engine="numpy")
    monkeypatch.setattr(memory, "available_memory", lambda: None)  # unknown: no refusal
    simulate(obj, "sgd", lr=0.01, steps=5, runs=5000, engine="numpy")


@pytest.mark.parametrize("name", ["cosine", "lsq", "rosenbrock", "net", "quadratic"])
def test_estimate_is_not_below_the_measured_peak(name):
    import tracemalloc

    obj = make(name, 12)
    ob = memory.objective_bytes_per_run(obj)
    runs = 4000
    tracemalloc.start()
    try:
        simulate(obj, "sgdm", lr=1e-3, momentum=0.9, steps=5, runs=runs, sigma2=0.1,
                 engine="numpy")  # fmt: skip
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    est = memory.memory_estimate(1, runs, obj.dim, 5, False, ob)
    assert peak <= est <= 2 * peak, (peak, est)


def test_cli_refuses_in_one_line_exit_two():
    r = subprocess.run(
        [sys.executable, "-m", "lyapunov.cli", "simulate", "--objective", "quadratic", "--lr",
         "0.01", "--momentum", "0.9", "--steps", "100", "--runs", "100000000000"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert r.returncode == 2
    err = r.stderr.strip()
    assert len(err.splitlines()) == 1 and err.startswith("lyapunov: error: runs: 100000000000")
    assert "GB of memory" in err and "Traceback" not in err


def test_memory_estimate_formula():
    assert memory.memory_estimate(2, 3, 4, 5, False) == 8 * (15 * 24 + 12 * 6 + 6 * 10)
    with_traj = memory.memory_estimate(2, 3, 4, 5, True)
    assert with_traj - memory.memory_estimate(2, 3, 4, 5, False) == 8 * 6 * 24
    assert np.isfinite(memory.available_memory() or 0)
