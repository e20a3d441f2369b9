"""Figures: regenerated with --quick, real non-blank images with the expected curves."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.image as mpimg  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lyapunov.figures import FIGURES, QUICK_OUT, check_out, figure_module, generate  # noqa: E402


def _cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """``lyapunov figures ARGS`` in a fresh process (in ``cwd``)."""
    argv = [sys.executable, "-m", "lyapunov.cli", "figures", *args]
    return subprocess.run(argv, capture_output=True, text=True, cwd=cwd, timeout=900)


@pytest.fixture(scope="module")
def quick_figures(tmp_path_factory):
    out = tmp_path_factory.mktemp("figs")
    r = _cli("--quick", "--out", str(out))
    assert r.returncode == 0, r.stderr
    return out


@pytest.mark.parametrize("name", list(FIGURES))
def test_png_is_a_real_non_blank_image(quick_figures, name):
    png = quick_figures / f"{name}.png"
    assert png.stat().st_size > 20_000
    img = mpimg.imread(png)
    assert img.ndim == 3 and img.shape[0] > 300 and img.shape[1] > 400
    rgb = img[..., :3]
    assert rgb.std() > 0.05  # not blank
    q = (rgb * 255).astype(np.uint32)  # each colour as one integer: np.unique of a 1-D array
    colours = np.unique((q[..., 0] << 16) | (q[..., 1] << 8) | q[..., 2])
    assert len(colours) > 50
    pdf = quick_figures / f"{name}.pdf"
    assert pdf.read_bytes()[:4] == b"%PDF"


def test_readme_has_a_caption_per_figure(quick_figures):
    text = (quick_figures / "README.md").read_text()
    for name in FIGURES:
        mod = figure_module(name)
        assert f"({name}.png)" in text and mod.TITLE in text
        assert "P" in mod.CAPTION  # names the theorem it comes from


def _lines(fig):
    return [ln for ax in fig.axes for ln in ax.get_lines() if len(ln.get_xdata()) > 1]


def test_rate_factor_curves_and_sqrt2_line():
    fig = figure_module("rate_factor").make(quick=True)
    ax = fig.axes[0]
    labels = [ln.get_label() for ln in ax.get_lines()]
    assert any("sqrt" in lab for lab in labels)
    assert sum(lab.startswith("s = ") for lab in labels) == 5
    assert ax.get_xlabel() and ax.get_ylabel()
    # the curves are ratios >= 1 (SGD+M's best certified rate is never better than SGD's)
    for ln in ax.get_lines():
        if ln.get_label().startswith("s = "):
            assert np.all(np.asarray(ln.get_ydata()) >= 1 - 1e-9)


def test_schedules_figure_has_three_schedules_in_each_panel():
    fig = figure_module("schedules").make(quick=True)
    names = list(figure_module("schedules").schedules(30))
    (legend,) = fig.legends  # one legend for the figure, below the panels
    texts = [t.get_text() for t in legend.get_texts()]
    assert texts[:3] == names and any("certified bound" in t for t in texts)
    for ax in fig.axes:
        assert ax.get_legend() is None  # nothing drawn over a panel
        assert ax.get_xlabel() and ax.get_ylabel()
        assert len([ln for ln in ax.get_lines() if len(ln.get_xdata()) > 1]) >= 3
    assert len(_lines(fig)) >= 12


def test_tightness_ratios_at_least_one():
    fig = figure_module("tightness").make(quick=True)
    for ax in fig.axes[:2]:  # P4 alone, bounds.spa: never below the worst case of their class
        data = ax.get_images()[0].get_array()
        vals = np.asarray(data[~np.ma.getmaskarray(data)]).ravel()
        vals = vals[np.isfinite(vals)]
        assert len(vals) >= 6 and np.all(vals >= 1 - 1e-6)


def test_unknown_figure_is_a_clear_error():
    r = _cli("--only", "nope")
    assert r.returncode == 2 and "unknown figure 'nope'" in r.stderr
    with pytest.raises(ValueError, match="unknown figure"):
        figure_module("nope")


def test_bounds_vs_steps_every_band_under_its_bound():
    mod = figure_module("bounds_vs_steps")
    d = mod.data(quick=True, seed=0)
    assert len(d) == 6
    for key, r in d.items():
        assert np.all(np.isfinite(r["bound"])), key
        assert np.all(r["ci_low"] <= r["empirical"]) and np.all(r["empirical"] <= r["ci_high"])
        assert np.all(r["ci_high"] <= r["bound"]), key
    again = mod.data(quick=True, seed=0)
    other = mod.data(quick=True, seed=1)
    k = ("cosine", mod.CONFIGS[0][0])
    np.testing.assert_array_equal(d[k]["empirical"], again[k]["empirical"])
    assert not np.array_equal(d[k]["empirical"], other[k]["empirical"])


# ------------------------------------------------ resolution, and legends that hide no curve
def _png_dpi(path) -> float:
    """Resolution from the PNG pHYs chunk (pixels per metre)."""
    import struct

    data = path.read_bytes()
    i = data.index(b"pHYs")
    ppm_x, ppm_y, unit = struct.unpack(">IIB", data[i + 4 : i + 13])
    assert unit == 1 and ppm_x == ppm_y
    return ppm_x * 0.0254


@pytest.mark.parametrize("name", list(FIGURES))
def test_png_resolution_at_least_200_dpi(quick_figures, name):
    from lyapunov.figures import DPI

    assert DPI >= 200
    assert _png_dpi(quick_figures / f"{name}.png") == pytest.approx(DPI, abs=0.5)


def _covered(fig) -> list[str]:
    """Curves drawn under a legend box: (axes title, label) of every line with a point
    (segments sampled densely, in display coordinates) inside a legend of its axes."""
    fig.canvas.draw()
    hits = []
    for ax in fig.axes:
        leg = ax.get_legend()
        if leg is None:
            continue
        box = leg.get_window_extent()
        for ln in ax.get_lines():
            xy = ln.get_transform().transform(ln.get_xydata())
            xy = xy[np.all(np.isfinite(xy), axis=1)]
            if len(xy) < 2:
                continue  # legend-only entries
            t = np.linspace(0, 1, 50)[:, None, None]
            pts = (xy[:-1] * (1 - t) + xy[1:] * t).reshape(-1, 2)
            inside = (pts[:, 0] > box.x0) & (pts[:, 0] < box.x1)
            inside &= (pts[:, 1] > box.y0) & (pts[:, 1] < box.y1)
            if np.any(inside):
                hits.append(f"{ax.get_title()}: {ln.get_label()}")
    return hits


@pytest.mark.parametrize("name", ["schedules", "rate_factor"])
def test_legends_hide_no_curve(name):
    import matplotlib.pyplot as plt

    fig = figure_module(name).make(quick=True)
    assert _covered(fig) == []
    plt.close(fig)


def test_rate_factor_legend_explains_the_dashed_curves():
    import matplotlib.pyplot as plt

    fig = figure_module("rate_factor").make(quick=True)
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    dashed = [t for t in texts if t.startswith("dashed")]
    assert dashed and "F(" in dashed[0] and "P6a" in dashed[0]
    handle = [h for h, t in zip(ax.get_legend().legend_handles, texts, strict=True) if t in dashed]
    assert handle[0].get_linestyle() == "--"
    # and the dashed curves are drawn: one per noise level
    assert sum(ln.get_linestyle() == "--" and len(ln.get_xdata()) > 1 for ln in ax.get_lines()) == 5
    plt.close(fig)


# ------------------------------------------- a quick preview never overwrites the full figures
REPO_FIGURES = Path(__file__).resolve().parents[1] / "figures"


def _snapshot(folder: Path) -> dict[str, tuple[int, bytes]]:
    """name -> (mtime in ns, sha256) of every file of ``folder``."""
    return {
        p.name: (p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).digest())
        for p in sorted(folder.iterdir())
    }


@pytest.fixture
def checkout(tmp_path):
    """A folder laid out like the repository: figures/ holds the committed full-run figures."""
    if not (REPO_FIGURES / "region.png").is_file():
        pytest.skip("no committed figures/ next to the tests")
    shutil.copytree(REPO_FIGURES, tmp_path / "figures", copy_function=shutil.copy2)
    return tmp_path


def test_quick_run_from_the_repository_leaves_figures_alone(checkout):
    before = _snapshot(checkout / "figures")
    r = _cli("--quick", "--only", "region", cwd=checkout)
    assert r.returncode == 0, r.stderr
    assert _snapshot(checkout / "figures") == before
    assert (checkout / QUICK_OUT / "region.png").is_file()
    # it says where the previews went
    assert str((checkout / QUICK_OUT).resolve()) in r.stdout and "quick previews" in r.stdout


def test_quick_run_into_full_figures_is_refused(checkout):
    before = _snapshot(checkout / "figures")
    r = _cli("--quick", "--out", "figures", "--only", "region", cwd=checkout)
    assert r.returncode == 2
    (line,) = r.stderr.strip().splitlines()  # one line, no traceback
    assert "--out" in line and "region.png" in line and "drop --quick" in line
    assert _snapshot(checkout / "figures") == before


def test_previews_overwrite_previews_and_the_api_defaults_to_the_quick_folder(
    tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "figures").mkdir()
    (png,) = generate(quick=True, only="region")
    assert png == Path(QUICK_OUT) / "region.png" and png.is_file()
    assert not any((tmp_path / "figures").iterdir())
    generate(QUICK_OUT, quick=True, only="region")  # a preview may replace a preview
    # a full-run figure (no preview mark) is kept from any quick run
    full = tmp_path / "full"
    generate(full, quick=False, only="region")
    with pytest.raises(ValueError, match=r"^out: must not hold full-run figures"):
        generate(full, quick=True, only="region")
    with pytest.raises(ValueError, match="region.png"):
        check_out(full, quick=True)
    assert check_out(full, quick=False) == full  # the full run may rewrite them


def test_quick_readme_says_it_is_a_preview(quick_figures):
    text = (quick_figures / "README.md").read_text()
    assert "Quick preview" in text and "lyapunov figures --only" in text


# ------------------------------------------------------ each figure explains itself in words
def _texts(fig) -> list[str]:
    """Every piece of text of a figure: titles, axis labels, legend entries and titles, notes."""
    import matplotlib.text

    return [t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_text()]


def _legends(ax) -> list:
    from matplotlib.legend import Legend

    return [c for c in ax.get_children() if isinstance(c, Legend)]


@pytest.fixture(scope="module")
def family_fig():
    import matplotlib.pyplot as plt

    mod = figure_module("family")
    d = mod.data(quick=True, seed=0)
    fig = mod.make(quick=True, seed=0)
    yield fig, d
    plt.close(fig)


def test_family_says_lines_are_bounds_and_dots_simulations(family_fig):
    fig, _ = family_fig
    (ax,) = fig.axes
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(t.startswith("line") and "certified bound" in t for t in legend)
    assert any(t.startswith("dot") and "simulated" in t for t in legend)
    assert any("region stops" in t for t in legend)
    text = " ".join(_texts(fig))
    assert "p_k" not in text and "p_{k}" not in text  # the gradient point is named in words
    assert "optimizer's parameters" in ax.get_ylabel()


def test_family_marks_where_each_certified_curve_stops(family_fig):
    fig, d = family_fig
    mod = figure_module("family")
    (ax,) = fig.axes
    marks = [ln for ln in ax.get_lines() if ln.get_marker() == "x" and len(ln.get_xdata())]
    stopped = 0
    for label, *_ in mod.METHODS:
        y = d["curves"][label]
        ok = np.isfinite(y)
        if ok.all():
            continue
        stopped += 1
        last = d["lrs"][np.flatnonzero(ok)[-1]]  # the largest lr with a bound
        assert any(np.isclose(ln.get_xdata(), last).any() for ln in marks), label
    assert stopped >= 3  # SGD+M, Nesterov and SGD stop inside the lr range drawn


def test_family_curve_ends():
    ends = figure_module("family").ends
    inf = np.inf
    assert list(ends(np.array([1.0, 2.0, 3.0]))) == []
    assert list(ends(np.array([1.0, 2.0, inf, inf]))) == [1]
    assert list(ends(np.array([np.nan, 2.0, 3.0]))) == [1]
    assert list(ends(np.array([inf, 1.0, inf]))) == [1]


def test_rate_factor_defines_s_and_names_the_paper():
    import matplotlib.pyplot as plt

    fig = figure_module("rate_factor").make(quick=True)
    ax = fig.axes[0]
    texts = [t.get_text() for leg in _legends(ax) for t in leg.get_texts()]
    titles = [leg.get_title().get_text() for leg in _legends(ax)]
    assert "noise level $s$" in titles
    assert r"s = \sigma^2 n" in ax.get_title()  # s is defined where it is used
    paper = [t for t in texts if "sqrt{2}" in t]
    assert paper and 'Defazio 2020, "Momentum via Primal Averaging"' in paper[0]
    assert not any(t.lower().startswith("paper") for t in texts)
    for a in fig.axes[:2]:
        assert "beta" not in a.get_xlabel() + a.get_ylabel()
    # P6's threshold on kappa comes from the proof file: 239/577
    assert any("239/577" in t for t in _texts(fig))
    plt.close(fig)


@pytest.fixture(scope="module")
def schedules_fig():
    import matplotlib.pyplot as plt

    fig = figure_module("schedules").make(quick=True)
    yield fig
    plt.close(fig)


def test_schedules_three_simulated_curves_each_visible(schedules_fig):
    bound_ax = schedules_fig.axes[3]
    sims = [ln for ln in bound_ax.get_lines() if ln.get_label().endswith(": simulation")]
    assert len(sims) == 3
    ys = [np.asarray(ln.get_ydata()) for ln in sims]
    for i in range(3):
        for j in range(i + 1, 3):
            assert not np.array_equal(ys[i], ys[j])  # distinct data, not one run drawn thrice
    # each curve is drawn wider than every curve drawn over it, so it shows where they coincide
    order = sorted(sims, key=lambda ln: (ln.get_zorder(), bound_ax.get_lines().index(ln)))
    widths = [ln.get_linewidth() for ln in order]
    assert widths == sorted(widths, reverse=True) and len(set(widths)) == 3
    # the inset separates them: each relative to the first, the first flat at 0
    (inset,) = bound_ax.child_axes
    rel = [np.asarray(ln.get_ydata()) for ln in inset.get_lines()]
    assert len(rel) == 3 and np.all(rel[0] == 0) and np.ptp(rel[2]) > 0 and np.ptp(rel[1]) > 0
    np.testing.assert_allclose(rel[1], 100 * (ys[1] / ys[0] - 1))


def test_schedules_explains_overlap_and_rising_bound(schedules_fig):
    note = " ".join(t.get_text() for t in schedules_fig.texts)
    assert "nearly coincide" in note and "share their seeded noise" in note
    assert "rise with n" in note and "smallest certified per-step rate" in note


def test_schedules_notes_from_the_data():
    mod = figure_module("schedules")
    n = 30
    sched = mod.schedules(n)
    base = np.linspace(2.0, 1.0, n)
    sims = dict(zip(sched, (base, base * 1.001, base * 0.9), strict=True))
    text = mod.notes(sims, sched, n)
    first = n // 6  # the momentum is dropped after the first epoch: the schedules agree until
    assert f"their first {first} steps" in text
    names = list(sched)
    assert f"({names[0]} and {names[1]} differ by at most 0.1%)" in text
