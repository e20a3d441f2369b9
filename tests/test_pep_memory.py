"""A worst case too large for this machine is refused up front, naming steps (one line, exit 2
on the command line; ValueError in Python), never an ArrayMemoryError traceback."""

from __future__ import annotations

import importlib

import pytest
from test_cli import run

from lyapunov import pep

# the module (lyapunov.pep.solve is the function)
solve_module = importlib.import_module("lyapunov.pep.solve")

pytest.importorskip("cvxpy")


def test_cli_refuses_a_worst_case_that_cannot_fit():
    r = run("pep", "sgdm", "--steps", "100000", "--set", "lr=0.1", "--set", "momentum=0.5")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("lyapunov: error: steps: ")
    assert "use at most about" in lines[0]


def test_api_raises_the_same_message_and_the_suggestion_fits():
    with pytest.raises(ValueError, match=r"^steps: .* use at most about (\d+) steps") as exc:
        pep.solve("sgdm", lr=0.1, momentum=0.5, steps=100000)
    fit = int(str(exc.value).split("at most about ")[1].split()[0])
    per_step = 3  # sgdm's gradient point, its other state point and the output
    have = solve_module._machine_memory()
    assert solve_module._memory_bytes(fit, per_step) <= have
    assert solve_module._memory_bytes(fit + 1, per_step) > have * 0.999


def test_an_allocation_that_fails_anyway_is_one_clear_line(monkeypatch):
    def no_memory(*args, **kwargs):
        raise MemoryError("Unable to allocate")

    monkeypatch.setattr(solve_module, "run", no_memory)
    with pytest.raises(ValueError, match=r"^steps: an exact worst case of 12 steps needs more"):
        pep.solve("sgdm", lr=0.1, momentum=0.5, steps=12)
