"""simulate and confirm: three outcomes (confirmed, violated, inconclusive); exit 1 if violated."""

from __future__ import annotations

import math
import subprocess
import sys

import pytest

from lyapunov import confirm as confirm_mod
from lyapunov.confirm import confirm, format_rows, outcome, runs_needed

# the case a user met: a tight bound on the quadratic, the interval straddles it (since the
# short-horizon chain of P8 and P10 the bound is the exact expectation there)
TIGHT = dict(lr=0.01, momentum=0.9, steps=100, sigma2=0.1, dim=10, engine="numpy")


@pytest.mark.parametrize(
    "lo,hi,bound,diverged,want",
    [
        (0.9, 0.95, 1.0, 0, ("confirmed", True)),
        (0.9, 1.0, 1.0, 0, ("confirmed", True)),  # touching is under
        (0.95, 1.05, 1.0, 0, ("inconclusive", None)),
        (1.0, 1.05, 1.0, 0, ("inconclusive", None)),  # the bound inside the interval
        (1.01, 1.05, 1.0, 0, ("violated", False)),
        (0.5, 0.6, 1.0, 3, ("violated", False)),  # runs diverged under a finite bound
        (0.5, 0.6, math.inf, 3, ("no bound", None)),
        (0.5, 0.6, None, 0, ("no bound", None)),
    ],
)
def test_outcome_table(lo, hi, bound, diverged, want):
    assert outcome(lo, hi, bound, diverged) == want


def test_runs_needed_separates_at_the_measured_spread():
    n = runs_needed(10, 0.98, 0.004, 0.981)
    # the half-width shrinks like 1/sqrt(runs): at n runs it is below |bound - mean|
    assert n is not None and 0.004 * math.sqrt(10 / n) < 0.001 <= 0.004 * math.sqrt(10 / (n / 2))
    assert runs_needed(10, 0.981, 0.004, 0.981) is None
    assert runs_needed(10, 0.5, 0.004, math.inf) is None


def test_the_quadratic_meets_the_bound_exactly_so_runs_never_settle_it():
    """On f = (L/2)|x|^2 the certified bound (the chain of P8 and P10) is the exact expected
    average: no number of runs separates them, the outcome stays inconclusive (never violated)."""
    many = confirm("quadratic", "sgdm", runs=4000, **TIGHT)
    assert many["ci_low"] <= many["bound"] <= many["ci_high"]
    assert many["outcome"] == "inconclusive" and many["passed"] is None
    assert abs(many["bound"] / ((many["ci_low"] + many["ci_high"]) / 2) - 1) < 1e-3


def test_straddling_interval_is_inconclusive_then_confirmed_with_more_runs(monkeypatch):
    """A bound 0.3% above the exact expectation (the quadratic's, previous test): 10 runs
    straddle it, 4000 runs confirm it."""
    real = confirm_mod.certified_bound

    def slightly_above(*a, **k):
        b, kind = real(*a, **k)
        return b * 1.003, kind

    monkeypatch.setattr(confirm_mod, "certified_bound", slightly_above)
    few = confirm("quadratic", "sgdm", runs=10, **TIGHT)
    assert few["ci_low"] <= few["bound"] < few["ci_high"]
    assert few["outcome"] == "inconclusive" and few["passed"] is None
    assert few["runs_needed"] > 10
    many = confirm("quadratic", "sgdm", runs=4000, **TIGHT)
    assert many["outcome"] == "confirmed" and many["ci_high"] <= many["bound"]
    assert "?" in format_rows([few]).split()[0] and format_rows([many]).startswith("ok")


def _cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "lyapunov.cli", *args], capture_output=True, text=True, timeout=600
    )


def test_cli_inconclusive_exits_zero_and_suggests_runs():
    r = _cli(
        "simulate", "--objective", "quadratic", "--lr", "0.01", "--momentum", "0.9",
        "--steps", "100", "--runs", "10", "--sigma2", "0.1", "--engine", "numpy",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("?") and "FAIL" not in r.stdout
    assert "inconclusive" in r.stderr and "runs" in r.stderr


def test_cli_violated_exits_one(monkeypatch):
    """A bound that is too small (a wrong calculator) must be caught: violated, exit 1."""
    from lyapunov.cli import main

    real = confirm_mod.certified_bound

    def too_small(*a, **k):
        b, kind = real(*a, **k)
        return b / 10, kind

    monkeypatch.setattr(confirm_mod, "certified_bound", too_small)
    with pytest.raises(SystemExit) as exc:
        main(
            ["simulate", "--objective", "cosine", "--lr", "0.05", "--momentum", "0.9",
             "--steps", "100", "--runs", "20", "--sigma2", "0.1", "--engine", "numpy"]
        )  # fmt: skip
    assert exc.value.code == 1
    row = confirm(
        "cosine", "sgdm", lr=0.05, momentum=0.9, steps=100, runs=20, sigma2=0.1, engine="numpy"
    )
    assert row["outcome"] == "violated" and row["passed"] is False
