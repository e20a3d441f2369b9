"""lyapunov.sweep on a real dask cluster (2 worker processes): the same numbers as one
single-process ``simulate`` / ``worst_case_spa``, bit for bit; the CLI on a scheduler address
and on its default local cluster. Skipped when dask is not installed."""

from __future__ import annotations

import csv
import json
import logging
import math
import os
import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")

from lyapunov import bounds, sweep  # noqa: E402
from lyapunov.objectives import make  # noqa: E402
from lyapunov.sim import grid, simulate  # noqa: E402
from lyapunov.sweep.cluster import local_cluster  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def client():
    """A LocalCluster of 2 worker processes, closed after the module's tests."""
    cluster = local_cluster(2)
    c = distributed.Client(cluster, timeout="60s")
    try:
        c.wait_for_workers(2, timeout=60)
        yield c
    finally:
        c.close(timeout=30)
        cluster.close(timeout=30)


VALUES = dict(lr=[0.01, 0.3, 2.5], momentum=[0.0, 0.9], sigma2=[0.0, 0.2])
SETUP = dict(steps=40, runs=12, seed=3)


def test_sweep_equals_single_process_simulate_bit_for_bit(client):
    worker_pids = set(client.run(os.getpid).values())
    assert len(worker_pids) == 2 and os.getpid() not in worker_pids
    seen = []
    with distributed.get_task_stream(client) as ts:
        table = sweep.simulations(
            ["cosine", "quadratic"],
            "sgdm",
            **VALUES,
            **SETUP,
            engine="numpy",
            chunk_size=5,  # 12 configurations per objective -> chunks of 5, 5, 2
            keep_runs=True,
            client=client,
            progress=lambda done, total: seen.append((done, total)),
        )
    assert {t["worker"] for t in ts.data} == set(client.scheduler_info()["workers"])
    assert seen == [(i, 6) for i in range(7)]
    assert len(table) == 24 and table.run_grad2.shape == (24, 12)
    row = 0
    for name in ("cosine", "quadratic"):
        obj = make(name, 10)
        ref = simulate(obj, "sgdm", **grid(**VALUES), **SETUP, engine="numpy")
        got = slice(row, row + ref.configs)
        assert np.array_equal(table.run_grad2[got], ref.run_grad2, equal_nan=True)
        assert np.array_equal(table.diverged_step[got], ref.diverged_step)
        for p in range(ref.configs):
            r = table.rows[row + p]
            assert r["objective"] == name and r["runs"] == 12 and r["seed"] == 3
            assert (r["lr"], r["momentum"], r["sigma2"]) == (
                float(ref.params["lr"][p, 0]),
                float(ref.params["momentum"][p, 0]),
                float(ref.params["sigma2"][p, 0]),
            )
            div = ref.diverged[p]
            assert r["diverged"] == int(div.sum())
            ok = ref.run_grad2[p][~div]
            if ok.size:
                assert r["empirical"] == float(ok.mean())  # exactly, not approximately
                assert r["ci_low"] <= r["empirical"] <= r["ci_high"]
            else:
                assert math.isnan(r["empirical"])
            gap = float(np.max(ref.f0[p]) - obj.f_lower)
            b = bounds.sgdm(
                lr=r["lr"], momentum=r["momentum"], L=obj.L, sigma2=r["sigma2"],
                steps=40, gap=gap,
            )  # fmt: skip
            assert r["bound"] == b
        row += ref.configs
    # the grid reaches both a descent region and a diverging one, where only the chain of P24
    # and P10 certifies these 40 steps, with a bound that grows with the horizon
    assert np.isfinite(table["bound"]).any() and table["diverged"].max() == 12
    assert all(b > 1e12 for b in table["bound"][table["diverged"] > 0])


def test_chunking_does_not_change_a_bit(client):
    kw = dict(lr=[0.05, 0.2], momentum=0.5, sigma2=[0.0, 0.1, 1.0], steps=30, runs=8, seed=11)
    one = sweep.simulations("lsq", **kw, chunk_size=6, keep_runs=True, client=client)
    many = sweep.simulations("lsq", **kw, chunk_size=1, keep_runs=True, client=client)
    assert np.array_equal(one.run_grad2, many.run_grad2, equal_nan=True)
    assert one.to_csv() == many.to_csv()
    other_seed = sweep.simulations("lsq", **{**kw, "seed": 12}, keep_runs=True, client=client)
    assert not np.array_equal(one.run_grad2, other_seed.run_grad2)  # the seed matters


def test_worst_cases_equal_single_process_pep(client):
    pytest.importorskip("cvxpy")
    from lyapunov.pep import worst_case_spa

    table = sweep.worst_cases([0.1, 0.5], [0.5, 1.0], steps=[3], client=client)
    assert len(table) == 4
    for r in table:
        assert r["worst_case"] == worst_case_spa(
            r["eta"], r["c"], L=1.0, steps=3, gap=1.0, condition="lower_bound"
        )
        assert r["bound"] == bounds.spa(eta=r["eta"], c=r["c"], L=1.0, sigma2=0.0, steps=3, gap=1.0)
        assert r["ratio"] >= 1 - 1e-6  # a sound bound is never below the exact worst case


def test_unreachable_scheduler_is_a_value_error_naming_it():
    with pytest.raises(
        ValueError,
        match=r"scheduler: no dask scheduler answered at tcp://127\.0\.0\.1:9 within 1 s",
    ):
        sweep.simulations("cosine", lr=0.1, momentum=0.9, steps=5, runs=2,
                          scheduler="127.0.0.1:9", connect_timeout=1)  # fmt: skip


def _lyapunov(*args: str, timeout: float = 240) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "lyapunov.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
    )


def test_cli_on_a_scheduler_address_writes_the_same_table(client, tmp_path):
    address = client.scheduler.address
    out = tmp_path / "sweep.csv"
    r = _lyapunov(
        "sweep", "simulate", "--objective", "cosine,quadratic", "--lr", "0.01,2.5",
        "--momentum", "0.9", "--sigma2", "0,0.2", "--steps", "40", "--runs", "12",
        "--seed", "3", "--engine", "numpy", "--scheduler", address, "--out", str(out),
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().splitlines()[-1].startswith("8 configurations in")
    rows = list(csv.DictReader(out.open()))
    api = sweep.simulations(
        ["cosine", "quadratic"], lr=[0.01, 2.5], momentum=0.9, sigma2=[0.0, 0.2],
        **SETUP, engine="numpy", client=client,
    )  # fmt: skip
    assert len(rows) == len(api) == 8
    for got, want in zip(rows, api, strict=True):
        assert got["objective"] == want["objective"]
        assert int(got["diverged"]) == want["diverged"]
        for col in ("lr", "sigma2", "empirical", "ci_low", "ci_high", "bound"):
            a, b = float(got[col]), want[col]
            assert a == b or (math.isnan(a) and math.isnan(b)), (col, a, b)


def _guide_block(lang: str) -> str:
    """The block of docs/guide/sweeps.md in ``lang`` that the page leaves to this module."""
    from support.snippets import blocks

    page = ROOT / "docs" / "guide" / "sweeps.md"
    mine = [b for b in blocks(page) if (b.marker, b.arg) == ("tested-in", "tests/test_sweep.py")]
    found = [b.text for b in mine if b.lang == lang]
    assert found, f"sweeps.md has no {lang} block tested here"
    return found[0]


def test_guide_sweeps_run_as_written(client, tmp_path):
    script = tmp_path / "guide_sweep.py"
    script.write_text(_guide_block("python"))
    env = {**os.environ, "MPLBACKEND": "Agg"}
    r = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True,
        timeout=300, env=env,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "sweep.csv").read_text().startswith("objective,method,lr,momentum,sigma2")
    assert (tmp_path / "sweep.png").stat().st_size > 0
    simulate_line, pep_line = _guide_block("bash").strip().splitlines()
    # the first command as written (its own local cluster); the second on the test's cluster
    # (--scheduler), to start one cluster less
    for line, extra in ((simulate_line, []), (pep_line, ["--scheduler", client.scheduler.address])):
        args = shlex.split(line)
        assert args[:2] == ["lyapunov", "sweep"]
        if args[2] == "pep":
            pytest.importorskip("cvxpy")
        r = subprocess.run(
            [sys.executable, "-m", "lyapunov.cli", *args[1:], *extra],
            cwd=tmp_path, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert r.returncode == 0, (line, r.stderr)
        assert r.stdout.strip()
    rows = list(csv.DictReader((tmp_path / "sweep.csv").open()))
    assert len(rows) == 16 and {r["objective"] for r in rows} == {"cosine", "lsq"}
    pep = json.loads(r.stdout)
    assert len(pep) == 4 and all(p["ratio"] >= 1 - 1e-6 for p in pep)


def test_scheduler_without_workers_is_refused_not_waited_on():
    empty = distributed.LocalCluster(
        n_workers=0,
        processes=False,
        protocol="tcp",
        dashboard_address=None,
        scheduler_kwargs={"dashboard_address": ":0"},
        silence_logs=logging.ERROR,
    )
    try:
        with pytest.raises(ValueError, match=r"scheduler: the dask scheduler at .* has no workers"):
            sweep.simulations("cosine", lr=0.1, momentum=0.9, steps=5, runs=2,
                              scheduler=empty.scheduler_address, connect_timeout=1)  # fmt: skip
    finally:
        empty.close()


def test_a_worker_missing_a_module_says_what_to_install(client):
    from lyapunov.sweep.cluster import map_chunks

    with pytest.raises(
        ImportError, match="install lyapunov, with the same extras, on every worker"
    ):
        map_chunks(client, lambda k: __import__("no_such_module_for_the_test"), [(0,)], {})
    # the cluster is still usable afterwards
    assert map_chunks(client, lambda k: k + 1, [(1,), (2,)], {}) == [2, 3]


def test_spa_form_sweep_equals_simulate(client):
    kw = dict(steps=25, runs=6, seed=5)
    table = sweep.simulations("rosenbrock", "spa", eta=[0.1, 0.5], c=[0.1, 1.0], sigma2=0.05,
                              **kw, keep_runs=True, client=client)  # fmt: skip
    ref = simulate("rosenbrock", "spa", **grid(eta=[0.1, 0.5], c=[0.1, 1.0]), sigma2=0.05, **kw)
    assert np.array_equal(table.run_grad2, ref.run_grad2, equal_nan=True)
    assert table["c"].tolist() == [0.1, 1.0, 0.1, 1.0] and table.columns[2:4] == ["eta", "c"]
    assert (table["calculator"] == "spa").all()


def test_local_cluster_workers_run_without_dask_malloc_trim(client):
    """dask's MALLOC_TRIM_THRESHOLD_=65536 made simulation chunks 4x slower on workers."""
    if "MALLOC_TRIM_THRESHOLD_" in os.environ:
        pytest.skip("MALLOC_TRIM_THRESHOLD_ is set in this environment (kept for workers)")
    got = client.run(os.environ.get, "MALLOC_TRIM_THRESHOLD_")
    assert len(got) == 2 and set(got.values()) == {None}
