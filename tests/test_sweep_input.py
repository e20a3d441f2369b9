"""lyapunov.sweep without a cluster: validation at the boundary (API and CLI), grids, chunks,
the tidy table, and the clear error when dask is missing. Runs with or without dask."""

from __future__ import annotations

import csv
import io
import json
import math
import sys

import numpy as np
import pytest

from lyapunov import sweep
from lyapunov.cli import main
from lyapunov.sweep.grid import chunks, default_chunk_size, pep_grid, sim_grid
from lyapunov.sweep.sweeps import _engine

GOOD = dict(lr=[0.01, 0.1], momentum=[0.0, 0.9], sigma2=[0.0, 0.1], steps=20, runs=4)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"lr": [0.1, -0.1]}, "lr: must be > 0, got -0.1"),
        ({"lr": [float("nan")]}, "lr: must be finite, got nan"),
        ({"lr": [0.1, float("inf")]}, "lr: must be finite, got inf"),
        ({"lr": "fast"}, "lr: must be a number or an array of numbers"),
        ({"lr": [[0.1, 0.2]]}, "lr: must be a number or a list of numbers"),
        ({"momentum": [1.5]}, "momentum: must be in [0, 1), got 1.5"),
        ({"momentum": None}, "momentum: required by method 'sgdm'"),
        ({"eta": [0.1]}, "eta: not a parameter of method 'sgdm'"),
        ({"sigma2": [-1.0]}, "sigma2: must be >= 0, got -1.0"),
        ({"objectives": "nope"}, "objectives: unknown name 'nope'"),
        ({"objectives": []}, "objectives: must be a name or a non-empty list"),
        ({"method": "adam"}, "method: unknown method 'adam'"),
        ({"runs": 1}, "runs: must be an integer >= 2, got 1"),
        ({"runs": 2.5}, "runs: must be an integer >= 2, got 2.5"),
        ({"steps": 0}, "steps: must be an integer >= 1, got 0"),
        ({"seed": -1}, "seed: must be an integer >= 0, got -1"),
        ({"dim": 0}, "dim: must be an integer >= 1, got 0"),
        ({"level": 1.5}, "level: must be in (0, 1), got 1.5"),
        ({"chunk_size": 0}, "chunk_size: must be an integer >= 1, got 0"),
        ({"workers": 0}, "workers: must be an integer >= 1, got 0"),
        ({"engine": "gpu"}, "engine: must be 'auto', 'numpy' or 'numba', got 'gpu'"),
        ({"scheduler": "not an address"}, "scheduler: must be an address like tcp://HOST:PORT"),
        ({"scheduler": "tcp://localhost:99999"}, "(port 1-65535), got 'tcp://localhost:99999'"),
        ({"scheduler": "http://localhost:8786"}, "scheduler: must be an address like"),
        ({"connect_timeout": 0}, "connect_timeout: must be a number of seconds > 0, got 0"),
        ({"connect_timeout": float("nan")}, "connect_timeout: must be a number of seconds > 0"),
        ({"keep_runs": "yes"}, "keep_runs: must be True or False, got 'yes'"),
    ],
)
def test_simulations_refuses_bad_input_naming_it(change, message):
    kwargs = {"objectives": "cosine", **GOOD, **change}
    with pytest.raises((ValueError, TypeError)) as err:
        sweep.simulations(**kwargs)
    assert message in str(err.value)


def test_engine_numba_refused_without_numba(monkeypatch):
    monkeypatch.setattr("lyapunov.sweep.sweeps.numba_available", lambda: False)
    with pytest.raises(ValueError, match="engine: 'numba' asked for but numba is not installed"):
        _engine("numba", 1.0)
    assert _engine("auto", 1e12) == "numpy"
    monkeypatch.setattr("lyapunov.sweep.sweeps.numba_available", lambda: True)
    assert _engine("auto", 1e12) == "numba"  # one engine for every chunk, from chunk size
    assert _engine("auto", 10.0) == "numpy"


@pytest.mark.parametrize(
    "change, message",
    [
        ({"eta": [0.1, 0.0]}, "eta: must be > 0, got 0.0"),
        ({"c": [1.5]}, "c: must be in (0, 1], got 1.5"),
        ({"c": [float("nan")]}, "c: must be finite, got nan"),
        ({"steps": [12, 0]}, "steps: must be an integer >= 1, got 0.0"),
        ({"steps": 2.5}, "steps: must be an integer >= 1, got 2.5"),
        ({"L": 0.0}, "L: must be > 0, got 0.0"),
        ({"gap": -1.0}, "gap: must be >= 0, got -1.0"),
        ({"condition": "any"}, "condition: must be 'iterates' or 'lower_bound', got 'any'"),
        ({"z_points": 1}, "z_points: must be True or False, got 1"),
        ({"scheduler": "host"}, "scheduler: must be an address like tcp://HOST:PORT"),
    ],
)
def test_worst_cases_refuses_bad_input_naming_it(change, message):
    kwargs = {"eta": [0.1], "c": [0.5], "steps": 12, **change}
    with pytest.raises((ValueError, TypeError)) as err:
        sweep.worst_cases(**kwargs)
    assert message in str(err.value)


def test_grid_is_the_product_in_c_order_sigma2_fastest():
    g = sim_grid(
        ["cosine", "lsq"],
        "sgdm",
        {"lr": [0.01, 0.1, 0.2], "momentum": [0.0, 0.9]},
        [0.0, 0.5],
        steps=5,
        runs=2,
        seed=0,
        dim=3,
        level=0.9,
    )
    assert g.size == 2 * 12 and g.per_objective == 12 and g.names == ["lr", "momentum", "sigma2"]
    assert g.params["lr"].tolist() == [0.01] * 4 + [0.1] * 4 + [0.2] * 4
    assert g.params["momentum"].tolist() == [0.0, 0.0, 0.9, 0.9] * 3
    assert g.params["sigma2"].tolist() == [0.0, 0.5] * 6
    p = pep_grid([0.1, 0.5], [1.0], [3, 4], L=1.0, gap=1.0, condition="iterates", z_points=True)
    assert p.eta.tolist() == [0.1, 0.1, 0.5, 0.5] and p.steps.tolist() == [3, 4, 3, 4]


@pytest.mark.parametrize("size, k", [(1, 1), (10, 3), (12, 4), (7, 100)])
def test_chunks_cover_the_grid_once_in_order(size, k):
    parts = chunks(size, k)
    assert [i for r in parts for i in r] == list(range(size))
    assert all(0 < len(r) <= k for r in parts)


def test_default_chunk_size_balances_and_caps_memory():
    assert default_chunk_size(80, 2) == 10  # about 4 chunks per worker
    assert default_chunk_size(3, 8) == 1
    # 10^4 runs x dim 1000 = 10^7 numbers per configuration: one configuration per chunk
    assert default_chunk_size(80, 1, per_config=10**7) == 1
    assert default_chunk_size(80, 1, per_config=10**5) == 20  # 2e6 / 1e5


def test_table_columns_csv_json_roundtrip(tmp_path):
    rows = [
        {"objective": "a", "params": {"lr": 0.1}, "bound": math.inf, "empirical": 0.5},
        {"objective": "b", "params": {"lr": 0.2}, "bound": 1.25, "empirical": math.nan},
    ]
    t = sweep.Table(rows, first=("objective", "lr"))
    assert t.columns == ["objective", "lr", "bound", "empirical"]
    assert t["lr"].tolist() == [0.1, 0.2] and t["objective"].tolist() == ["a", "b"]
    with pytest.raises(KeyError, match="no column 'nope'"):
        t["nope"]
    back = list(csv.DictReader(io.StringIO(t.to_csv())))
    assert [float(r["bound"]) for r in back] == [math.inf, 1.25]
    assert math.isnan(float(back[1]["empirical"]))
    data = json.loads(t.save(tmp_path / "t.json").read_text())
    assert data[0]["bound"] == "inf" and data[1]["empirical"] is None and data[1]["lr"] == 0.2
    assert (tmp_path / "t.csv").exists() is False
    t.save(tmp_path / "t.csv")
    assert (tmp_path / "t.csv").read_text() == t.to_csv()
    with pytest.raises(ValueError, match=r"out: must end in \.csv or \.json, got"):
        t.save(tmp_path / "t.txt")


@pytest.fixture
def no_dask(monkeypatch):
    """Make `import dask` / `import distributed` fail, as when they are not installed."""
    for name in ("dask", "distributed"):
        monkeypatch.setitem(sys.modules, name, None)


def test_missing_dask_is_a_clear_import_error(no_dask):
    with pytest.raises(ImportError) as err:
        sweep.simulations("cosine", **GOOD)
    assert str(err.value) == sweep.MISSING
    assert 'pip install "lyapunov[sweep]"' in sweep.MISSING
    with pytest.raises(ImportError, match="needs dask and distributed"):
        sweep.require_dask()


def _cli(capsys, *args) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(["sweep", *args])
    out, err = capsys.readouterr()
    return exc.value.code, out, err


def test_cli_missing_dask_is_one_line_exit_2(no_dask, capsys):
    code, out, err = _cli(
        capsys, "simulate", "--lr", "0.1", "--momentum", "0.9", "--steps", "5", "--runs", "2"
    )
    assert code == 2 and out == ""
    assert err.strip().splitlines() == [f"lyapunov: error: {sweep.MISSING}"]


SIM = ["simulate", "--lr", "0.1", "--momentum", "0.9", "--steps", "5", "--runs", "2"]
PEP = ["pep", "--eta", "0.1", "--c", "0.5", "--steps", "3"]


def _with(base: list[str], option: str, value: str | None) -> list[str]:
    args = list(base)
    if option in args:
        i = args.index(option)
        del args[i : i + 2]
    return args + ([option] if value is None else [option, value])


@pytest.mark.parametrize(
    "base, option, value, message",
    [
        (SIM, "--lr", "0.1,-0.1", "lr: must be > 0, got -0.1"),
        (SIM, "--lr", "nan", "lr: must be finite, got nan"),
        (SIM, "--lr", "0.1,fast", "--lr: must be numbers separated by commas, got '0.1,fast'"),
        (SIM, "--momentum", "1.5", "momentum: must be in [0, 1), got 1.5"),
        (SIM, "--sigma2", "-1", "sigma2: must be >= 0, got -1.0"),
        (SIM, "--objective", "cosine,nope", "objectives: unknown name 'nope'"),
        (SIM, "--runs", "1", "runs: must be an integer >= 2, got 1"),
        (SIM, "--runs", "many", "Invalid value for '--runs'"),
        (SIM, "--steps", "0", "steps: must be an integer >= 1, got 0"),
        (SIM, "--steps", "10,20", "--steps: one number of steps, got '10,20'"),
        (SIM, "--steps", "1.5", "--steps: must be integers separated by commas, got '1.5'"),
        (SIM, "--eta", "0.1", "eta: not a parameter of method 'sgdm'"),
        (SIM, "--L", "2", "--L does not apply to `lyapunov sweep simulate`"),
        (SIM, "--workers", "0", "workers: must be an integer >= 1, got 0"),
        (SIM, "--chunk-size", "-3", "chunk_size: must be an integer >= 1, got -3"),
        (SIM, "--scheduler", "localhost", "scheduler: must be an address like tcp://HOST:PORT"),
        (SIM, "--scheduler", "tcp://h:0", "(port 1-65535), got 'tcp://h:0'"),
        (SIM, "--connect-timeout", "-1", "connect_timeout: must be a number of seconds > 0"),
        (SIM, "--out", "table.txt", "--out: must end in .csv or .json, got 'table.txt'"),
        (SIM, "--out", "/no/such/dir/t.csv", "--out: no such folder '/no/such/dir'"),
        (SIM, "--level", "0", "level: must be in (0, 1), got 0.0"),
        (PEP, "--eta", "-0.1", "eta: must be > 0, got -0.1"),
        (PEP, "--c", "0", "c: must be in (0, 1], got 0.0"),
        (PEP, "--steps", "12,0", "steps: must be an integer >= 1, got 0.0"),
        (PEP, "--L", "nan", "L: must be finite, got nan"),
        (PEP, "--gap", "-1", "gap: must be >= 0, got -1.0"),
        (PEP, "--runs", "10", "--runs does not apply to `lyapunov sweep pep`"),
        (PEP, "--lr", "0.1", "--lr does not apply to `lyapunov sweep pep`"),
        (PEP, "--scheduler", "tcp://:80", "scheduler: must be an address like"),
    ],
)
def test_cli_bad_input_one_line_exit_2(capsys, base, option, value, message):
    code, out, err = _cli(capsys, *_with(base, option, value))
    assert code == 2, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], err
    assert lines[0].startswith("lyapunov")


def test_cli_missing_required_lists(capsys):
    code, _, err = _cli(capsys, "simulate", "--lr", "0.1", "--momentum", "0.9", "--steps", "5")
    assert (
        code == 2
        and err.strip() == "lyapunov: error: --runs is required for `lyapunov sweep simulate`"
    )
    code, _, err = _cli(capsys, "pep", "--eta", "0.1", "--steps", "5")
    assert code == 2 and err.strip() == "lyapunov: error: --c is required for `lyapunov sweep pep`"
    code, _, err = _cli(capsys, "simulate", "--lr", "0.1", "--steps", "5", "--runs", "3")
    assert code == 2 and "momentum: required by method 'sgdm'" in err


def test_np_values_accepted_like_lists():
    g = sim_grid("cosine", "sgd", {"lr": np.array([0.1, 0.2])}, 0.0, steps=3, runs=2, seed=0,
                 dim=2, level=0.5)  # fmt: skip
    assert g.params["lr"].tolist() == [0.1, 0.2] and g.objectives == ("cosine",)
