"""`lyapunov bound --class ...`: the convex, strongly convex, PL and Lipschitz calculators on the
command line (issue 19).

Every class result the command prints is checked against the exact worst case of the same
method, class and measure (:func:`lyapunov.pep.solve`, no noise): a certified bound is at least
the worst case. Bad input is one line and exit 2, and the Python API raises ValueError with the
same message.
"""

from __future__ import annotations

import json

import pytest

from lyapunov import bounds, pep
from lyapunov.bounds import dispatch
from lyapunov.cli import main


def cli(capsys, *args: str) -> tuple[int, str, str]:
    """``lyapunov bound ...`` in this process: (exit code, stdout, stderr)."""
    with pytest.raises(SystemExit) as exc:
        main(["bound", *args])
    cap = capsys.readouterr()
    return exc.value.code, cap.out, cap.err


def flags(**values) -> list[str]:
    return [x for k, v in values.items() for x in (f"--{k}", str(v))]


#: (method, its parameters, class options, measure, steps): one point per class and method
CROSS = [
    ("sgd", {"lr": 1.0}, {"class": "smooth_convex", "L": 1, "distance": 1}, "last_gap", 5),
    ("sgd", {"lr": 0.5}, {"class": "smooth_convex", "L": 2, "distance": 0.5}, "last_gap", 8),
    (
        "sgd",
        {"lr": 0.5},
        {"class": "smooth_strongly_convex", "L": 1, "mu": 0.1, "distance": 1},
        "last_dist2",
        6,
    ),
    ("sgd", {"lr": 0.5}, {"class": "pl", "L": 1, "mu": 0.1, "gap": 1}, "last_gap", 5),
    (
        "sgdm",
        {"lr": 0.2, "momentum": 0.5},
        {"class": "smooth_convex", "L": 1, "distance": 1},
        "last_gap",
        8,
    ),
    (
        "spa",
        {"eta": 0.4, "c": 0.5},
        {"class": "smooth_convex", "L": 1, "distance": 1},
        "last_gap",
        6,
    ),
    (
        "schedule_free",
        {"lr": 0.5, "momentum": 0.9},
        {"class": "smooth_convex", "L": 1, "distance": 1},
        "last_gap",
        6,
    ),
    (
        "schedule_free",
        {"lr": 0.3, "momentum": 0.5},
        {"class": "convex_lipschitz", "G": 1, "distance": 1},
        "last_gap",
        5,
    ),
]


@pytest.mark.parametrize(
    "method, params, opts, measure, steps", CROSS, ids=[f"{c[0]}-{c[2]['class']}" for c in CROSS]
)
def test_class_bound_on_the_cli_is_at_least_the_exact_worst_case(
    capsys, method, params, opts, measure, steps
):
    code, out, err = cli(capsys, method, *flags(**params, **opts, steps=steps), "--json")
    assert code == 0 and err == "", err
    doc = json.loads(out)
    assert doc["function_class"] == opts["class"] and doc["measure"] == measure  # the default
    assert doc["theorem"] and doc["reason"] is None
    consts = {k: float(v) for k, v in opts.items() if k != "class"}
    if method == "spa":  # the worst case of SGD+M at the same point (P1: the same method)
        c = params["c"]
        pep_method, pep_params = "sgdm", {"lr": c * params["eta"], "momentum": 1 - c}
    else:
        pep_method, pep_params = method, params
    worst = pep.solve(
        pep_method, steps=steps, function_class=opts["class"], measure=measure,
        **pep_params, **consts,
    ).value  # fmt: skip
    assert doc["bound"] >= worst * (1 - 1e-6), (doc["bound"], worst)
    # the Python calculator of the method gives the same number
    calc = getattr(bounds, method)
    python = calc(**params, sigma2=0.0, steps=steps, function_class=opts["class"], **consts)
    assert doc["bound"] == python


def test_text_output_names_the_measure_the_class_and_the_theorem(capsys):
    args = flags(lr=0.1, momentum=0.5, L=1, distance=1, steps=100)
    code, out, _ = cli(capsys, "sgdm", "--class", "smooth_convex", *args)
    assert code == 0
    assert out.startswith(
        f"certified bound on {dispatch.MEASURES['last_gap']} after n = 100 steps at lr=0.1, "
        "momentum=0.5, for every smooth_convex f (L=1, distance=1, sigma2=0): "
    )
    assert out.rstrip().endswith("[theorem P21b]")


def test_measure_option_picks_among_the_class_s_measures(capsys):
    args = flags(lr=0.5, L=1, mu=0.1, gap=1, steps=10)
    doc = json.loads(
        cli(capsys, "sgd", "--class", "pl", "--measure", "last_gap", *args, "--json")[1]
    )
    assert doc["measure"] == "last_gap" and doc["theorem"] == "P15"


def test_inf_in_a_class_says_which_condition_fails(capsys):
    args = flags(lr=3, L=1, distance=1, steps=10)
    code, out, _ = cli(capsys, "sgd", "--class", "smooth_convex", *args)
    assert code == 0
    assert "bound = inf. Why: P13: L*lr <= 1 fails: L*lr = 3." in out


#: (a request in Python's keywords, the error line): the CLI gets the same request as options
BAD = [
    (
        dict(function_class="smooth_strongly_convex", mu=0.0, distance=1, lr=0.5, L=1),
        "mu: must be > 0, got 0.0",
    ),
    (dict(function_class="pl", mu=-1.0, gap=1, lr=0.5, L=1), "mu: must be > 0, got -1.0"),
    (
        dict(function_class="smooth_strongly_convex", mu=1, distance=1, lr=0.5, L=1),
        "mu: must be < L for function_class='smooth_strongly_convex', got mu = 1, L = 1",
    ),
    (
        dict(function_class="pl", mu=2, gap=1, lr=0.5, L=1),
        "mu: must be <= L for function_class='pl', got mu = 2, L = 1",
    ),
    (
        dict(method="schedule_free", function_class="convex_lipschitz", G=0.0, distance=1, lr=0.1,
             momentum=0.5),
        "G: must be > 0, got 0.0",
    ),
    (
        dict(function_class="smooth_convex", distance=-1.0, lr=0.5, L=1),
        "distance: must be >= 0, got -1.0",
    ),
    (
        dict(method="sgdm", function_class="smooth_convex", lr=0.1, momentum=0.5, L=1),
        "distance: required for function_class='smooth_convex' (|x_0 - x_*|)",
    ),
    (
        dict(function_class="pl", measure="last_dist2", mu=0.1, gap=1, lr=0.5, L=1),
        "measure: must be last_gap for function_class='pl', got 'last_dist2'",
    ),
    (
        dict(method="spa", function_class="smooth_strongly_convex", measure="last_dist2",
             eta=0.2, c=0.5, L=1, mu=0.1, distance=1),
        "measure: no certified theorem bounds last_dist2 of spa in function_class="
        "'smooth_strongly_convex' (there it bounds: last_gap)",
    ),
    (
        dict(method="nesterov", function_class="smooth_convex", lr=0.1, momentum=0.5, L=1,
             distance=1),
        "function_class: no certified theorem for nesterov in class 'smooth_convex' (certified "
        "there: schedule_free, sgd, sgdm, spa; classes with a theorem for nesterov: smooth)",
    ),
    (
        dict(method="schedule_free", function_class="convex_lipschitz", L=1, G=1, distance=1,
             lr=0.1, momentum=0.5),
        "L: not a constant of function_class='convex_lipschitz' (give G)",
    ),
    (
        dict(function_class="smooth_convex", mu=0.1, distance=1, lr=0.5, L=1),
        "mu: not a constant of function_class='smooth_convex' (theorem P13 takes L, distance)",
    ),
]  # fmt: skip


@pytest.mark.parametrize("python, message", BAD, ids=[m.split(":")[0] for _, m in BAD])
def test_bad_class_input_is_one_line_exit_2_and_the_same_valueerror(capsys, python, message):
    python = {"method": "sgd", **python, "sigma2": 0.0, "steps": 10}
    method = python.pop("method")
    names = {"function_class": "class"}
    args = [x for k, v in python.items() for x in (f"--{names.get(k, k)}", str(v))]
    code, out, err = cli(capsys, method, *args)
    assert code == 2 and out == ""
    assert err.splitlines() == [f"lyapunov: error: {message}"]
    with pytest.raises(ValueError) as exc:
        dispatch.certified_bound(method, **python)
    assert str(exc.value) == message


@pytest.mark.parametrize(
    "args, message",
    [
        (["sgd", "--best", "--class", "smooth_convex"], "--best applies to --class smooth"),
        (["sgd", "--lr", "0.5", "--schedule", "cosine", "--class", "pl", "--mu", "0.1"],
         "--schedule applies to --class smooth"),
        (["sgd", "--lr", "0.5", "--distance", "1", "--gap", "1"],
         "--distance applies to --class smooth_convex, smooth_strongly_convex or convex_lipschitz"),
        (["sgd", "--lr", "0.5", "--mu", "0.1", "--gap", "1"], "--mu applies to --class "),
        (["sgd", "--lr", "0.5", "--G", "1", "--gap", "1"], "--G applies to --class convex_lip"),
        (["sgd", "--lr", "0.5", "--measure", "last_gap", "--gap", "1"],
         "--measure last_gap: the class smooth bounds avg_grad2 only"),
        (["sgd", "--lr", "0.5", "--L", "1"], "--gap is required"),
    ],
)  # fmt: skip
def test_options_of_another_class_are_refused_in_one_line(capsys, args, message):
    if "--L" not in args:
        args = [*args, "--L", "1"]
    code, _, err = cli(capsys, *args, "--steps", "10")
    assert code == 2
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"lyapunov: error: {message}"), err


def test_help_lists_every_class_with_its_measures(capsys):
    code, out, _ = cli(capsys, "--help")
    assert code == 0
    text = " ".join(out.split())
    for cls, measures in bounds.classes.MEASURES.items():
        assert f"{cls}: {', '.join(measures)}" in text
