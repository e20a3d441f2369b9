"""Property-based tests and fuzzing: the calculators, the CLI and the proof loader never crash.

Deterministic (hypothesis derandomized); the counts are kept small for CI, and
``benchmarks/fuzz.py`` runs the same generators with many more inputs and reports the count.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.fuzzing import cli_argv, mutated_proof, run_cli_in_process, try_load

from lyapunov import bounds

SETTINGS = settings(
    max_examples=150,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

pos = st.floats(min_value=1e-6, max_value=1e3, allow_nan=False, allow_infinity=False)
cs = st.floats(min_value=1e-4, max_value=1.0, allow_nan=False)
nonneg = st.floats(min_value=0.0, max_value=1e3, allow_nan=False)
steps = st.integers(min_value=1, max_value=10**7)


@SETTINGS
@given(eta=pos, c=cs, L=pos, sigma2=nonneg, n=steps, gap=nonneg, t=st.floats(0.01, 100))
def test_spa_bound_properties(eta, c, L, sigma2, n, gap, t):
    res = bounds.spa(eta=eta, c=c, L=L, sigma2=sigma2, steps=n, gap=gap, detail=True)
    b = res.value
    assert b >= 0 and not math.isnan(b)
    inside = L * eta <= 2 - c if c < 1 else L * eta < 2
    if inside and abs(L * eta - (2 - c)) > 1e-9:
        assert math.isfinite(b)  # P4's region is certified
    if math.isfinite(b) and not inside:  # beyond P4: P4c (c < 1), or the short-horizon chain
        assert res.theorem in ("P8+P10", "P24+P10") or (res.theorem == "P4c" and c < 1)
    p4 = bounds.rates()["P4"](eta=eta, c=c, L=L, sigma2=sigma2, steps=n, gap=gap)
    assert b <= p4 * (1 + 1e-12)  # never worse than P4
    if math.isfinite(b):
        # every candidate (gap/(n rho) + nu sigma2/rho, the chain's ratio) is jointly linear in
        # (gap, sigma2), with weights that do not depend on them
        bt = bounds.spa(eta=eta, c=c, L=L, sigma2=t * sigma2, steps=n, gap=t * gap)
        assert bt == pytest.approx(t * b, rel=1e-9, abs=1e-300)


@SETTINGS
@given(lr=pos, L=pos, sigma2=nonneg, n=steps, gap=nonneg)
def test_sgd_is_spa_at_c_one(lr, L, sigma2, n, gap):
    a = bounds.sgd(lr=lr, L=L, sigma2=sigma2, steps=n, gap=gap)
    b = bounds.spa(eta=lr, c=1.0, L=L, sigma2=sigma2, steps=n, gap=gap)
    assert a == b or (math.isinf(a) and math.isinf(b)) or a == pytest.approx(b, rel=1e-12)


bad_numbers = st.one_of(
    st.just(float("nan")),
    st.just(float("inf")),
    st.just(-float("inf")),
    st.floats(max_value=-1e-9),
    st.text(max_size=3),
    st.none(),
    st.booleans(),
)


@SETTINGS
@given(which=st.sampled_from(["lr", "momentum", "L", "sigma2", "gap", "steps"]), value=bad_numbers)
def test_bad_values_raise_value_or_type_error_naming_the_parameter(which, value):
    args = dict(lr=0.1, momentum=0.5, L=1.0, sigma2=0.1, steps=10, gap=1.0)
    args[which] = value
    with pytest.raises((ValueError, TypeError), match=which):
        bounds.sgdm(**args)


@SETTINGS
@given(argv=cli_argv())
def test_cli_never_crashes(argv):
    code, out, err = run_cli_in_process(argv)
    assert code in (0, 1, 2), (argv, code, err)
    assert "Traceback" not in err and "Traceback" not in out
    if code == 2:
        assert len(err.strip().splitlines()) == 1, (argv, err)


@settings(max_examples=40, derandomize=True, deadline=None)
@given(src=mutated_proof())
def test_loader_never_crashes(tmp_path_factory, src):
    outcome = try_load(src, tmp_path_factory.mktemp("fuzz"))
    assert outcome in ("loaded", "rejected"), outcome


def test_arrays_never_crash():
    rng = np.random.default_rng(0)
    eta = rng.uniform(1e-4, 3, 1000)
    c = rng.uniform(1e-4, 1, 1000)
    out = bounds.spa(eta=eta, c=c, L=1.0, sigma2=0.1, steps=100, gap=1.0)
    assert out.shape == (1000,) and np.all(out >= 0) and not np.isnan(out).any()
