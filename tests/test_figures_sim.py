"""The figures made from fresh runs: correlation (claim C4, P7) and momentum_drop (claim C5)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lyapunov.figures import correlation, momentum_drop  # noqa: E402


def _curves(ax):
    """The labelled data curves of an axis (not reference lines or legend-only entries)."""
    return [
        ln
        for ln in ax.get_lines()
        if len(ln.get_xdata()) > 2 and not ln.get_label().startswith("_")
    ]


@pytest.fixture(scope="module")
def corr_fig():
    fig = correlation.make(quick=True, seed=0)
    yield fig
    plt.close(fig)


@pytest.fixture(scope="module")
def drop_run():
    fig = momentum_drop.make(quick=True, seed=0)
    yield fig, momentum_drop.train(quick=True, seed=0)
    plt.close(fig)


# ----------------------------------------------------------------------------- correlation
def test_correlation_axes_legends_and_curves(corr_fig):
    axes = corr_fig.axes
    assert len(axes) == 4  # (cosine, rosenbrock) x (cos, gain)
    for ax in axes:
        assert ax.get_ylabel() and ax.get_title()
        assert len(_curves(ax)) == len(correlation.C_VALUES)
        assert len(ax.get_legend().get_texts()) >= len(correlation.C_VALUES)
    for ax in axes[2:]:
        assert ax.get_xlabel()


def test_correlation_says_momentum_as_the_other_figures(corr_fig):
    import matplotlib.text

    texts = [t.get_text() for t in corr_fig.findobj(matplotlib.text.Text) if t.get_text()]
    assert not any("beta" in t.lower() for t in texts)
    for ax in corr_fig.axes:
        legend = [t.get_text() for t in ax.get_legend().get_texts()]
        assert [t.split()[0] for t in legend[: len(correlation.C_VALUES)]] == ["momentum"] * 3
    # the symbols of the panels are defined under them
    note = " ".join(t.get_text() for t in corr_fig.texts)
    assert "$b_k$: momentum buffer" in note and "$g_k$: stochastic gradient" in note
    assert "P7's certified coefficients" in note


def test_correlation_positive_early_and_not_late(corr_fig):
    # momentum 0.9 (c = 0.1) is the second curve of each panel; x starts at k = 1
    for ax_cos, ax_gain in (corr_fig.axes[0:2], corr_fig.axes[2:4]):
        cos = np.asarray(_curves(ax_cos)[1].get_ydata())
        gain = np.asarray(_curves(ax_gain)[1].get_ydata())
        n = len(cos)
        early, late = cos[:10].mean(), cos[2 * n // 3 :].mean()
        assert early > 0.9 and abs(late) < 0.2 and early > late + 0.7
        assert gain[:10].mean() > 1.0 > 0.0 > gain[2 * n // 3 :].mean()


def test_correlation_figure_plots_the_simulators_cosine(corr_fig):
    D = correlation.data(quick=True, seed=0)
    for ax, name in ((corr_fig.axes[0], "cosine"), (corr_fig.axes[2], "rosenbrock")):
        for p, ln in enumerate(_curves(ax)):
            np.testing.assert_array_equal(ln.get_ydata(), D[name]["cos"][p][1:])


def test_correlation_spa_loop_matches_the_simulator():
    # the SPA-form loop (P7's gain) runs the same iterates as simulate's PyTorch form (P1)
    D = correlation.data(seed=3, steps=80, runs=16)
    for name in correlation.OBJECTIVES:
        np.testing.assert_allclose(D[name]["cos_spa"], D[name]["cos"], atol=1e-10)
        assert D[name]["diverged"] == 0


def test_correlation_seeded():
    a = correlation.data(seed=0, steps=40, runs=8)
    b = correlation.data(seed=0, steps=40, runs=8)
    c = correlation.data(seed=1, steps=40, runs=8)
    for name in correlation.OBJECTIVES:
        np.testing.assert_array_equal(a[name]["gain"], b[name]["gain"])
        np.testing.assert_array_equal(a[name]["cos"], b[name]["cos"])
        assert not np.allclose(a[name]["gain"][:, 5:], c[name]["gain"][:, 5:])


# ----------------------------------------------------------------------------- momentum drop
def test_momentum_drop_axes_legends_and_curves(drop_run):
    fig, _ = drop_run
    assert len(fig.axes) == 2
    for ax in fig.axes:
        assert ax.get_xlabel() and ax.get_ylabel()
        assert len(_curves(ax)) == 3
        texts = [t.get_text() for t in ax.get_legend().get_texts()]
        assert len(texts) == 3 and "dropped" in texts[1]


def test_momentum_drop_accuracy_and_loss(drop_run):
    fig, R = drop_run
    acc, loss = R["test_acc"], R["train_loss"]  # (variants, seeds, epochs + 1)
    assert np.all(acc[:, :, -1] > 0.85)
    final = acc[:, :, -1].mean(axis=1)
    # dropping momentum after epoch 1 stays within a few points of momentum throughout
    assert final[0] - final[1] < 0.03
    # the first epoch is the same run for the two momentum variants, bit for bit
    np.testing.assert_array_equal(acc[0, :, 1], acc[1, :, 1])
    # training loss: momentum throughout < dropped < no momentum, for every seed
    assert np.all(loss[0, :, -1] < loss[1, :, -1]) and np.all(loss[1, :, -1] < loss[2, :, -1])
    # the figure draws the means of these records
    for v, ln in enumerate(_curves(fig.axes[1])):
        np.testing.assert_array_equal(ln.get_ydata(), acc[v].mean(axis=0))


def test_momentum_drop_seeded():
    a = momentum_drop.train(seed=0, epochs=1, seeds=2)
    b = momentum_drop.train(seed=0, epochs=1, seeds=2)
    c = momentum_drop.train(seed=1, epochs=1, seeds=2)
    np.testing.assert_array_equal(a["train_loss"], b["train_loss"])
    np.testing.assert_array_equal(a["test_acc"], b["test_acc"])
    assert not np.allclose(a["train_loss"], c["train_loss"])


def test_momentum_drop_without_sklearn(monkeypatch):
    from lyapunov.studies import digits

    monkeypatch.setattr(digits, "load_data", lambda: None)
    fig = momentum_drop.make(quick=True, seed=0)
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert any("scikit-learn" in t for t in texts)
    plt.close(fig)
