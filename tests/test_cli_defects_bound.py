"""`lyapunov bound` and the calculators behind it at the edges, and the momentum family.

* huge, tiny, NaN and infinite inputs: a number (inf where no theorem covers the point, with
  the reason) or one error line naming the parameter the user gave; never warning text;
* nesterov and qhm are first-class on the command line: --best, --nesterov (torch's flag on
  sgdm), help texts generated from the registry, and a reason wherever the bound is inf (no
  empty "step_limit").
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import warnings

import pytest

from lyapunov import bounds
from lyapunov.bounds import dispatch
from lyapunov.cli import main
from lyapunov.cli.bound import CHOICES, command
from lyapunov.methods.registry import get

COMMON = {"L": 1.0, "sigma2": 0.01, "steps": 100, "gap": 1.0}
#: a point inside every method's ranges
POINT = {"lr": 0.01, "momentum": 0.9, "eta": 0.1, "c": 0.1, "nu": 0.7, "beta": 0.5}


def run(*args: str) -> subprocess.CompletedProcess:
    """``lyapunov bound ...`` in a fresh process: what a user sees, warnings included."""
    return subprocess.run(
        [sys.executable, "-m", "lyapunov.cli", "bound", *args],
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture
def bound(capsys):
    """``lyapunov bound ...`` in this process, any warning an error: (exit code, out, err)."""

    def call(*args: str) -> tuple[int, str, str]:
        with warnings.catch_warnings(), pytest.raises(SystemExit) as exc:
            warnings.simplefilter("error")
            main(["bound", *args])
        cap = capsys.readouterr()
        return exc.value.code, cap.out, cap.err

    return call


def options(**values) -> list[str]:
    return [x for k, v in values.items() for x in (f"--{k}", str(v))]


# -- defect 3: huge inputs ------------------------------------------------------------------------
def test_huge_lr_of_sgdm_is_inf_with_a_reason_in_lr_and_nothing_on_stderr():
    r = run("sgdm", *options(lr="1e308", momentum=0.9, L=1, sigma2=0.01, steps=1000, gap=1))
    assert r.returncode == 0 and r.stderr == "", r.stderr
    out = r.stdout
    assert "bound = inf" in out and "lr/(1 - momentum) = inf" in out
    limit = bounds.sgdm(lr=0.01, momentum=0.9, L=1, sigma2=0.01, steps=1000, gap=1, detail=True)
    assert f"Certified at every horizon: lr < {limit.step_limit:.6g} at momentum=0.9" in out


@pytest.mark.parametrize(
    "method,params",
    [
        ("sgdm", {"momentum": 0.9}),
        ("nesterov", {"momentum": 0.9}),
        ("qhm", {"momentum": 0.9, "nu": 0.7}),
        ("sgd", {}),
    ],
)
def test_python_api_at_lr_1e308_is_inf_with_a_reason_never_a_warning(method, params):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = dispatch.certified_bound(method, lr=1e308, **params, **COMMON, detail=True)
        assert res.value == math.inf and "lr" in res.reason  # named in the user's terms
        if method == "sgdm":
            same = bounds.sgdm(lr=1e308, momentum=0.9, nesterov=True, **COMMON, detail=True)
            other = bounds.nesterov(lr=1e308, momentum=0.9, **COMMON, detail=True)
            assert same.value == other.value == math.inf and same.reason == other.reason != ""


def _cases():
    for method in CHOICES:
        names = [*get(method).params, "L", "sigma2", "gap"]
        for name in names:
            for value in (1e308, 5e-324, float("nan"), float("inf"), -float("inf")):
                yield method, name, value


@pytest.mark.parametrize("method,name,value", list(_cases()))
def test_every_calculator_at_extreme_values_gives_a_number_a_reason_or_a_named_error(
    method, name, value
):
    """Float overflow is inf with its reason ("exceeds the largest float"), a step beyond the
    theorems is inf with the failing condition, a value out of range an error naming it."""
    kw = {n: POINT[n] for n in get(method).params} | COMMON | {name: value}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            res = dispatch.certified_bound(method, **kw, detail=True)
        except ValueError as exc:
            assert str(exc).startswith(f"{name}: must be"), exc
            return
    assert res.value >= 0
    assert math.isfinite(res.value) or res.reason, (method, name, value)


@pytest.mark.parametrize(
    "args,name",
    [
        (options(lr="nan", momentum=0.9), "lr"),
        (options(lr="-1e308", momentum=0.9), "lr"),
        (options(lr=0.1, momentum="1e308"), "momentum"),
        (options(lr=0.1, momentum="inf"), "momentum"),
    ],
)
def test_cli_bad_values_are_one_line_naming_what_the_user_gave(bound, args, name):
    code, _, err = bound("sgdm", *args, *options(L=1, steps=100, gap=1))
    assert code == 2
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"lyapunov: error: {name}: must be"), err


def test_cli_tiny_smoothness_is_a_number_or_inf_with_a_reason_and_stderr_stays_empty(bound):
    for method, extra in (("sgd", {"lr": 0.5}), ("nesterov", {"lr": 0.01, "momentum": 0.9})):
        code, out, err = bound(
            method, *options(**extra, L="5e-324", steps=100, gap=1, sigma2="1e308")
        )
        assert code == 0 and err == "", err
        assert "bound = inf. Why: " in out or "certified bound" in out


# -- defect 6: the momentum family on the command line ------------------------------------------
@pytest.mark.parametrize(
    "method,params", [("nesterov", {"momentum": 0.9}), ("qhm", {"momentum": 0.9, "nu": 0.7})]
)
def test_best_works_for_nesterov_and_qhm(bound, method, params):
    code, out, err = bound(
        method, "--best", *options(**params, L=1, sigma2=0.01, steps=1000, gap=1), "--json"
    )
    assert code == 0, err
    doc = json.loads(out)
    best = doc["best"]
    assert best["name"] == "lr" and doc["theorem"] and "step_limit" not in doc
    calc = getattr(bounds, method)
    args = {**params, "L": 1, "sigma2": 0.01, "steps": 1000, "gap": 1}
    assert doc["bound"] == best["bound"] == calc(lr=best["step"], **args)  # certified there
    for factor in (0.8, 1.25):  # a minimum: nearby steps are no better
        assert calc(lr=factor * best["step"], **args) >= best["bound"]


def test_best_is_refused_in_one_line_where_there_is_no_search(bound):
    code, _, err = bound("schedule_free", "--best", *options(momentum=0.9, L=1, steps=100, gap=1))
    assert code == 2
    lines = err.splitlines()
    assert len(lines) == 1 and "--best: no best-step search for schedule_free: " in lines[0]
    assert "(available: " in lines[0] and "nesterov" in lines[0]


def test_nesterov_flag_is_torchs_flag_on_sgdm(bound):
    args = options(lr=0.01, momentum=0.9, L=1, sigma2=0.01, steps=1000, gap=1)
    flag = json.loads(bound("sgdm", "--nesterov", *args, "--json")[1])
    method = json.loads(bound("nesterov", *args, "--json")[1])
    python = bounds.sgdm(lr=0.01, momentum=0.9, nesterov=True, L=1, sigma2=0.01, steps=1000, gap=1)
    assert flag["method"] == "nesterov" and flag["bound"] == method["bound"] == python
    plain = json.loads(bound("sgdm", *args, "--json")[1])
    assert plain["method"] == "sgdm" and plain["bound"] != flag["bound"]
    code, out, _ = bound(
        "sgdm", "--nesterov", "--best", *options(momentum=0.9, L=1, steps=100, gap=1)
    )
    assert code == 0 and out.startswith("best lr: ")


def test_nesterov_flag_applies_to_sgdm_only(bound):
    code, _, err = bound(
        "qhm", "--nesterov", *options(lr=0.1, momentum=0.9, nu=0.7, L=1, steps=10, gap=1)
    )
    assert code == 2
    assert err.splitlines() == [
        "lyapunov: error: --nesterov applies to sgdm (torch.optim.SGD's nesterov=True), not to qhm"
    ]


@pytest.mark.parametrize("name", ["lr", "momentum", "eta", "c", "nu", "beta"])
def test_help_of_each_parameter_lists_every_method_that_takes_it(name):
    (opt,) = [p for p in command.params if p.name == name]
    listed = opt.help.split("(")[-1].split(")")[0].split(", ")
    assert listed == [m for m in CHOICES if name in get(m).params]
    if name in ("lr", "momentum"):
        assert {"nesterov", "qhm", "sgdm"} <= set(listed)


def test_help_of_best_lists_the_methods_with_a_search():
    (opt,) = [p for p in command.params if p.name == "best"]
    for method in CHOICES:
        assert (f"{method}," in opt.help or f"{method})" in opt.help) == (
            not dispatch.no_best(method)
        )


@pytest.mark.parametrize(
    "method,params",
    [
        ("nesterov", {"lr": 2, "momentum": 0.9}),
        ("qhm", {"lr": 2, "momentum": 0.9, "nu": 0.7}),
        ("qhm", {"lr": 20, "momentum": 0.9, "nu": 0.7}),
        ("gspa", {"eta": 30, "c": 0.5, "beta": 0.5}),
        ("schedule_free", {"lr": 50, "momentum": 0.9}),
    ],
)
def test_inf_points_of_the_family_say_why_and_have_no_empty_step_limit(bound, method, params):
    args = options(**params, L=1, steps=100, gap=1)
    doc = json.loads(bound(method, *args, "--json")[1])
    assert doc["bound"] == "inf" and isinstance(doc["reason"], str) and doc["reason"]
    limit = doc.get("step_limit")
    assert limit is None or (limit["name"] and limit["value"] is not None)
    text = bound(method, *args)[1]
    assert "bound = inf. Why: " + doc["reason"] in text


# -- schedules and --best at the edges ------------------------------------------------------------
def test_schedule_beyond_the_floats_is_one_error_line_naming_the_option(bound):
    code, _, err = bound(
        "sgdm", "--schedule", "cosine", *options(lr="1e308", momentum=0.9, L=1, steps=10, gap=1)
    )
    assert code == 2
    assert err.splitlines() == [
        "lyapunov: error: --lr: the cosine schedule from 1e+308 overflows a float at step 0: "
        "give smaller values"
    ]


def test_schedule_with_huge_values_is_inf_with_its_reason(bound):
    args = options(lr=1, milestones=5, gamma="1e308", L=1, steps=10, gap=1)
    code, out, err = bound("sgd", "--schedule", "step", *args, "--json")
    assert code == 0 and err == "", err
    doc = json.loads(out)
    assert doc["bound"] == "inf" and doc["reason"].startswith("P8 run backwards")


def test_best_at_extreme_smoothness_never_warns(bound):
    for method, extra in (
        ("sgd", {}),
        ("sgdm", {"momentum": 0.9}),
        ("nesterov", {"momentum": 0.9}),
    ):
        for L in ("5e-324", "1e308"):
            code, out, err = bound(method, "--best", *options(**extra, L=L, steps=100, gap=1))
            assert code == 0 and err == "", err
            assert out.startswith("best lr: ")
            if out.startswith("best lr: none"):
                assert "bound = inf. Why: " in out


# -- defect 11: the label of a schedule from a file -----------------------------------------------
def test_a_schedule_file_is_named_by_its_path(bound, tmp_path):
    path = tmp_path / "lr.txt"
    path.write_text("0.1\n0.1\n0.05\n")
    code, out, err = bound("sgdm", "--schedule-file", str(path), *options(momentum=0.9, L=1, gap=1))
    assert code == 0 and err == "", err
    assert f" for the {path} schedule (lr 0.1 -> 0.05, momentum=0.9, 3 steps): " in out
    assert "the from " not in out
    doc = json.loads(bound("sgdm", "--schedule-file", str(path), *options(momentum=0.9, L=1, gap=1),
                           "--json")[1])  # fmt: skip
    assert doc["schedule"] == str(path)
