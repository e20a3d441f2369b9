"""Figures: regenerated with --quick, real non-blank images with the expected curves."""

from __future__ import annotations

import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.image as mpimg  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lyapunov.figures import FIGURES, figure_module  # noqa: E402


@pytest.fixture(scope="module")
def quick_figures(tmp_path_factory):
    out = tmp_path_factory.mktemp("figs")
    r = subprocess.run(
        [sys.executable, "-m", "lyapunov.cli", "figures", "--quick", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )
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
    colours = np.unique((rgb.reshape(-1, 3) * 255).astype(np.uint8), axis=0)
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
    r = subprocess.run(
        [sys.executable, "-m", "lyapunov.cli", "figures", "--only", "nope"],
        capture_output=True,
        text=True,
    )
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
