"""The figure ``classes``: one panel per class with the certified bound, the exact worst case and
the simulation; the numbers its caption states; `lyapunov figures --only classes --quick`."""

from __future__ import annotations

import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lyapunov.bounds.classes import class_bound  # noqa: E402
from lyapunov.figures import FIGURES, classes  # noqa: E402
from lyapunov.studies.classes import worst_cases  # noqa: E402


@pytest.fixture(scope="module")
def quick():
    panels = classes.data(quick=True, seed=0)
    fig = classes.make(quick=True, seed=0)
    yield panels, fig
    plt.close(fig)


def test_registered_with_name_title_and_caption():
    assert FIGURES["classes"] == "lyapunov.figures.classes" and classes.NAME == "classes"
    for theorem in ("P13", "P14", "P15", "P16"):
        assert theorem in classes.TITLE and theorem in classes.CAPTION


def test_one_panel_per_class_that_explains_itself(quick):
    panels, fig = quick
    assert [d["class"] for d in panels] == [
        "smooth_convex", "smooth_strongly_convex", "pl", "convex_lipschitz"
    ]  # fmt: skip
    axes = fig.axes
    assert len(axes) == 4
    for ax, d, theorem in zip(axes, panels, ("P13", "P14", "P15", "P16a"), strict=True):
        title = ax.get_title()
        assert d["theorem"] == [theorem] and theorem in title
        assert "sigma2" in title and "lr" in title and "runs" in title
        for name in d["sim"].constants:  # the class's constants, by name
            assert f"{name} = " in title
        assert ax.get_xlabel() == "steps n"
        assert ("x_*|^2" in ax.get_ylabel()) == (d["measure"] == "last_dist2")
        lines = ax.get_lines()[:4]  # bound, bound without noise, worst cases, simulated means
        assert [ln.get_linestyle() for ln in lines] == ["-", "--", "None", "None"]
        assert [ln.get_marker() for ln in lines[2:]] == ["s", "o"]
        assert len(lines[0].get_xdata()) > 50 and len(ax.containers) == 1  # + error bars
    (legend,) = fig.legends
    texts = " | ".join(t.get_text() for t in legend.get_texts())
    for words in ("certified bound", "without noise", "exact worst case", "simulation", "99%"):
        assert words in texts


def test_every_interval_under_its_bound_and_every_worst_case_under_the_clean_bound(quick):
    panels, _ = quick
    for d in panels:
        sim = d["sim"]
        assert sim.confirmed, d["class"]
        # the dense curve drawn is the same bound at the simulated horizons
        drawn = np.interp(sim.n, d["n"], d["bound"])
        np.testing.assert_allclose(drawn, sim.bound, rtol=1e-12)
        clean = np.interp(d["pep_n"], d["n"], d["bound0"])
        assert np.all(d["pep"] <= clean * (1 + 1e-6)), d["class"]
        assert np.all(d["bound0"] <= d["bound"])


def _ratios(panel, ns):
    """Certified bound without noise / exact worst case at the horizons ``ns``."""
    cls, _, method, _, _, _, _ = panel
    obj, params, measure, inputs = classes.setup(panel)
    clean = class_bound(method, function_class=cls, sigma2=0.0, steps=ns, measure=measure,
                        **params, **inputs)  # fmt: skip
    return clean / worst_cases(obj, method, steps=ns, function_class=cls, **params)


def test_the_numbers_of_the_caption():
    """P14 meets the exact worst case, P15 within 4% of the PL relaxation, P13 a factor
    (4n + 2)/(2n), P16 at most 2.2 at n = 5 and 1.1 at n = 20."""
    by = {p[0]: p for p in classes.PANELS}
    ns = np.array([5, 10, 20])
    np.testing.assert_allclose(_ratios(by["smooth_strongly_convex"], ns), 1, rtol=1e-5)
    pl = _ratios(by["pl"], ns)
    assert np.all((pl >= 1 - 1e-6) & (pl <= 1.04))
    np.testing.assert_allclose(_ratios(by["smooth_convex"], ns), (4 * ns + 2) / (2 * ns), rtol=1e-5)
    sf = _ratios(by["convex_lipschitz"], np.array([5, 20]))
    assert 1 <= sf[1] <= 1.1 <= sf[0] <= 2.2


def test_cli_quick_only_classes(tmp_path):
    argv = [sys.executable, "-m", "lyapunov.cli", "figures", "--quick", "--only", "classes",
            "--out", str(tmp_path)]  # fmt: skip
    r = subprocess.run(argv, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "classes.png").stat().st_size > 20_000
    assert (tmp_path / "classes.pdf").read_bytes()[:4] == b"%PDF"
