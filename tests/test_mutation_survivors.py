"""Mutants that stay certified must be true for an independent reason (issue: mutation testing).

Every wrong variant of every theorem is rejected (benchmarks/mutation.py) except some region
widenings: dropping a condition can leave a true, stronger theorem. tests/support/survivors.py
lists exactly which widenings are certified, with the reason (``EXPECTED``); a certified one is
confirmed *numerically*, without the exact checker.

The suite checks a seeded sample of the widenings (a fixed third of the documented ones and a
fixed third of the others), each in a test of its own: a documented widening must be certified
and confirmed numerically, any other one must not be certified. Every widening, with its time,
is checked by ``python benchmarks/mutation_survivors.py`` (about 6 minutes).
"""

from __future__ import annotations

import random

import numpy as np
import pytest
from support.survivors import (
    EXPECTED,
    WIDENING_SECONDS,
    check_widening,
    confirm_survivor,
    documented,
    shipped,
    widening_id,
    widening_seed,
    widenings,
)

from lyapunov.engine import CERTIFIED

#: the sample: this fraction of the documented widenings and of the others, drawn with SEED
SAMPLE_FRACTION = 1 / 3
SEED = 20240611
#: seconds for a documented widening, which must be certified (P11's takes ~25 s): generous, as
#: for the shipped theorems (tests/test_proofs.py), so that a loaded machine does not fail it
DOCUMENTED_SECONDS = 300

WIDENINGS = widenings(shipped())


def _sample() -> list[int]:
    rng = random.Random(SEED)
    picked: list[int] = []
    for stratum in (True, False):
        idx = [i for i, (th, c) in enumerate(WIDENINGS) if bool(documented(th, c)) is stratum]
        picked += rng.sample(idx, max(1, round(SAMPLE_FRACTION * len(idx))))
    return sorted(picked)


SAMPLE = _sample()


def _id(i: int) -> str:
    th, cond = WIDENINGS[i]
    return f"{i:03d}:{widening_id(th, cond)}".replace(" ", "")


def test_every_documented_widening_exists():
    """Each reason in EXPECTED names a condition of a shipped theorem (no stale entry)."""
    keys = {documented(th, c) for th, c in WIDENINGS} - {None}
    assert set(EXPECTED) == keys, set(EXPECTED) - keys


def test_sample_covers_both_kinds_of_widening():
    kinds = [bool(documented(*WIDENINGS[i])) for i in SAMPLE]
    assert sum(kinds) >= 5 and len(kinds) - sum(kinds) >= 20
    assert len(SAMPLE) == len(set(SAMPLE)) and _sample() == SAMPLE  # seeded: the same sample


@pytest.mark.parametrize("index", SAMPLE, ids=_id)
def test_sampled_widening_survives_exactly_when_documented(index):
    th, cond = WIDENINGS[index]
    if not documented(th, cond):
        m, status = check_widening(th, cond, timeout=WIDENING_SECONDS)
        assert status != CERTIFIED, f"certified widening without a documented reason: {m.name}"
        return
    m, status = check_widening(th, cond, timeout=DOCUMENTED_SECONDS)
    assert status == CERTIFIED, (th.name, str(cond), status)
    rng = np.random.default_rng(widening_seed(th, cond))
    assert confirm_survivor(th, cond, m, rng) in ("confirmed", "implied")
