"""A fast subset of the kernel mutation harness (benchmarks/kernel_mutation.py runs it all).

Every kernel mutant still applies to today's source (exactly one line changed), names tests
that exist, and a few mutants of the most critical decisions are run against their tests: each
is killed by a unit-level test and by an end-to-end test.
"""

from __future__ import annotations

import re

import pytest
from support.kernel_mutants import (
    KERNEL_MUTANTS,
    ROOT,
    KernelMutant,
    PatternNotFoundError,
    run_mutant,
)


def test_every_mutant_applies_to_exactly_one_line():
    assert len(KERNEL_MUTANTS) >= 25
    assert len({m.name for m in KERNEL_MUTANTS}) == len(KERNEL_MUTANTS)
    for m in KERNEL_MUTANTS:
        src = (ROOT / m.path).read_text()
        out = m.apply(src)
        changed = [
            (a, b) for a, b in zip(src.splitlines(), out.splitlines(), strict=True) if a != b
        ]
        assert len(changed) == 1, m.name
        assert changed[0][0].strip() == m.line


def test_every_named_killer_exists():
    for m in KERNEL_MUTANTS:
        assert m.unit and m.end_to_end, m.name
        for node in (*m.unit, *m.end_to_end):
            path, _, name = node.partition("::")
            text = (ROOT / path).read_text()
            assert not name or re.search(rf"^def {re.escape(name)}\(", text, re.M), node


def test_missing_pattern_fails_loudly():
    path = "lyapunov/engine/kernel/decide.py"
    m = KernelMutant("ghost", path, "x = 1  # not there", "1", "2", "")
    with pytest.raises(PatternNotFoundError, match="found 0 times"):
        m.apply((ROOT / m.path).read_text())
    dup = KernelMutant("dup", "x.py", "pass", "pass", "return", "")
    with pytest.raises(PatternNotFoundError, match="found 2 times"):
        dup.apply("def f():\n    pass\n\ndef g():\n    pass\n")


FAST = ["z3-unknown-as-proved", "recheck-always-passes", "sylvester-nonstrict", "nsd-sign"]


@pytest.mark.parametrize("name", FAST)
def test_critical_mutant_killed_by_unit_and_end_to_end_test(name):
    m = next(k for k in KERNEL_MUTANTS if k.name == name)
    run = run_mutant(m, [*m.unit, *m.end_to_end], timeout=600)
    assert run.outcome == "killed", run.log[-3000:]
    assert set(run.killed_by) == {*m.unit, *m.end_to_end}, run.killed_by
    assert not run.crashed
