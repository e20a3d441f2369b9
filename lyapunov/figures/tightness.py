"""Figure: certified bound versus exact worst case over (eta, c) (tightness of P4)."""

from __future__ import annotations

import numpy as np

NAME = "tightness"
TITLE = "Tightness: certified bound / exact worst case over (eta, c) (P4 vs performance estimation)"
CAPTION = """
Ratio of the certified bound (`bounds.spa`: the smallest of P4, P4c and the horizon-aware chain
of P8 and P10; deterministic, L = 1, n = 12, gap 1) on the average
(1/n) sum_{k<n} |grad f(x_k)|^2 to the worst case of the same average computed by performance
estimation (`lyapunov.pep`, metric "average", over L-smooth f with f(x_0) - f(y) <= 1 at every
iterate y = x_k, z_k, PEPit's setup). That class is larger than the calculators' own
(f(x_0) - inf f <= 1), so a ratio below 1 is no contradiction: with the horizon-aware chain the
bound equals the exact average on f = x^2/2 at every point of this grid (the exact worst case of
the calculators' class), and the ratio is at most 1 (it was up to 2.1 with P4 alone at c = 0.05,
where the one-step Lyapunov function pays for the transient of the momentum buffer).
Red dashes: L eta (1 - c)/c = 1.
"""


def make(quick: bool = False, seed: int = 0):
    import matplotlib.pyplot as plt

    from .. import bounds
    from ..pep import worst_case_spa

    del seed  # deterministic
    etas = np.array([0.05, 0.25, 1.0]) if quick else np.geomspace(0.05, 1.5, 8)
    cs = np.array([0.1, 0.5, 1.0]) if quick else np.geomspace(0.05, 1.0, 8)
    ratio = np.full((len(cs), len(etas)), np.nan)
    for i, c in enumerate(cs):
        for j, eta in enumerate(etas):
            b = bounds.spa(eta=eta, c=c, L=1.0, sigma2=0.0, steps=12, gap=1.0)
            if np.isfinite(b):
                w = worst_case_spa(eta, c, L=1.0, steps=12, gap=1.0, metric="average")
                ratio[i, j] = b / w
    fig, ax = plt.subplots(figsize=(6.6, 4.8))
    im = ax.imshow(ratio, origin="lower", cmap="viridis", aspect="auto")
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
    ax.set_xlabel(r"SPA step $\eta$ ($L = 1$)")
    ax.set_ylabel(r"averaging weight $c$ (momentum $1 - c$)")
    ax.set_title(r"bound / exact worst case, average of $|\nabla f(x_k)|^2$ over $k < n = 12$")
    fig.colorbar(im, ax=ax, label="bound / PEP worst case")
    # below the axes: the title keeps the space above them
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), fontsize=8, frameon=False)
    fig.tight_layout()
    return fig
