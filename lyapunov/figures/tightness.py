"""Figure: certified bound versus exact worst case over (eta, c) (P4 alone, and bounds.spa)."""

from __future__ import annotations

import numpy as np

NAME = "tightness"
TITLE = "Tightness: certified bound / exact worst case over (eta, c) (P4, P8 + P10 vs PEP)"
CAPTION = """
Ratio of a certified bound on the average (1/n) sum_{k<n} |grad f(x_k)|^2 (deterministic,
L = 1, n = 12, gap 1) to the worst case of the same average over the calculators' own class,
L-smooth f with f(x_0) - inf f <= 1, computed by performance estimation (`lyapunov.pep`,
metric "average", condition "lower_bound": an upper bound on that worst case). Left: theorem
P4 alone (a one-step Lyapunov function with the weight 1 on f for ever: up to 2.38 at c = 0.05,
where it pays for the transient of the momentum buffer). Right: `bounds.spa`, the smallest of
P4, P4c and the horizon-aware chain of P8 and P10: 1.00 at every point, i.e. the certified
bound is the exact worst case (it also equals the average on f = x^2/2) inside P4's region,
and within 0.1% of it at the point outside, where P4c gives the bound. Red dashes:
L eta (1 - c)/c = 1. White cells, marked "no bound": outside the theorem's region, where its
bound is inf (P4 alone at eta = 1.5, c = 0.65: P4 needs L eta <= 2 - c).
"""


def make(quick: bool = False, seed: int = 0):
    import matplotlib.pyplot as plt

    from .. import bounds
    from ..pep import worst_case_spa

    del seed  # deterministic
    # the quick grid keeps one point outside P4's region (eta = 1.5, c = 0.7), as the full one
    etas = np.array([0.05, 0.25, 1.5]) if quick else np.geomspace(0.05, 1.5, 8)
    cs = np.array([0.1, 0.7, 1.0]) if quick else np.geomspace(0.05, 1.0, 8)
    ratios = np.full((2, len(cs), len(etas)), np.nan)
    kw = {"L": 1.0, "steps": 12, "gap": 1.0}
    for i, c in enumerate(cs):
        for j, eta in enumerate(etas):
            p4 = bounds.rates()["P4"](eta=eta, c=c, sigma2=0.0, **kw)
            b = bounds.spa(eta=eta, c=c, sigma2=0.0, **kw)
            if np.isfinite(b):
                w = worst_case_spa(eta, c, metric="average", condition="lower_bound", **kw)
                ratios[:, i, j] = p4 / w, b / w
    ratios[~np.isfinite(ratios)] = np.nan
    fig, axes = plt.subplots(1, 2, figsize=(12, 5.4), sharey=True)
    top = max(2.0, float(np.nanmax(ratios)))
    for ax, ratio, what in zip(axes, ratios, ("P4 alone", "bounds.spa (P4, P4c, P8 + P10)"),
                               strict=True):  # fmt: skip
        im = _panel(ax, ratio, etas, cs, top)
        ax.set_title(f"{what} / exact worst case, n = 12", fontsize=10)
    axes[0].set_ylabel(r"SPA averaging weight $c$ (momentum $= 1 - c$)")
    fig.suptitle(
        r"How tight is the certified bound on $\frac{1}{n}\sum_{k<n}|\nabla f(x_k)|^2$? "
        "Its ratio to the exact worst case (performance estimation, PEP)\n"
        r"over every $L$-smooth $f$ with $f(x_0) - \inf f \leq 1$, without noise, at $n$ = 12 "
        "steps; 1.00: the bound is attained",
        fontsize=10,
    )
    fig.subplots_adjust(bottom=0.25, top=0.82, wspace=0.12)
    fig.colorbar(im, ax=axes, label="certified bound / exact worst case (PEP)")
    return fig


#: what a white cell means (the legend of each panel)
NO_BOUND = "white, 'no bound': outside the theorem's\nregion (there its bound is inf)"


def _panel(ax, ratio, etas, cs, top: float):
    from matplotlib.patches import Patch

    im = ax.imshow(ratio, origin="lower", cmap="viridis", aspect="auto", vmin=1.0, vmax=top)
    for i in range(len(cs)):
        for j in range(len(etas)):
            if np.isfinite(ratio[i, j]):
                ax.text(
                    j,
                    i,
                    f"{ratio[i, j]:.2f}",
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="w" if ratio[i, j] < 1.5 else "k",
                )
            else:  # masked (drawn white): the theorem gives no bound here
                ax.text(j, i, "no\nbound", ha="center", va="center", fontsize=6, color="0.3")
    ax.set_xticks(range(len(etas)), [f"{e:.2g}" for e in etas])
    ax.set_yticks(range(len(cs)), [f"{c:.2g}" for c in cs])
    # the curve L eta (1 - c)/c = 1, in index coordinates
    ee = np.geomspace(etas[0], etas[-1], 200)
    cc = ee / (1 + ee)
    keep = (cc >= cs[0]) & (cc <= cs[-1])
    ax.plot(
        np.interp(np.log(ee[keep]), np.log(etas), np.arange(len(etas))),
        np.interp(np.log(cc[keep]), np.log(cs), np.arange(len(cs))),
        "--",
        color="tab:red",
        lw=1.4,
        label=r"$L\eta(1-c)/c = 1$",
    )
    ax.set_xlabel(r"SPA step $\eta$ = lr / (1 - momentum), $L = 1$")
    handles, _ = ax.get_legend_handles_labels()
    handles.append(Patch(facecolor="white", edgecolor="0.5", label=NO_BOUND))
    # below the axes: the title keeps the space above them
    ax.legend(
        handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.12), fontsize=8,
        frameon=False,
    )  # fmt: skip
    return im
