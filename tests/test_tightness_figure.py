"""The figure `tightness` compares like with like: bound on the average / worst-case average."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lyapunov.figures import figure_module  # noqa: E402


@pytest.fixture(scope="module")
def fig():
    pytest.importorskip("cvxpy")
    return figure_module("tightness").make(quick=True)


def test_exact_at_c_equal_one_and_never_below_one(fig):
    data = np.ma.filled(fig.axes[0].get_images()[0].get_array(), np.nan)
    # quick grid: rows c = 0.1, 0.5, 1; columns eta = 0.05, 0.25, 1
    assert data.shape == (3, 3)
    # at c = 1 the certified rate (P3) is the exact worst case of the average; against the
    # min metric these ratios were 1.01 to 1.46
    np.testing.assert_allclose(data[2], 1.0, atol=2e-3)
    assert np.all(data[np.isfinite(data)] >= 1 - 1e-6)
    assert np.nanmax(data[0]) > 1.1  # small c: looser


def test_title_is_not_overprinted_by_the_legend(fig):
    ax = fig.axes[0]
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    title = ax.title.get_window_extent(renderer)
    legend = ax.get_legend().get_window_extent(renderer)
    assert ax.title.get_text() and not title.overlaps(legend)
    assert not legend.overlaps(ax.get_window_extent(renderer))  # nor the cells
