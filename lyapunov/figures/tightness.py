"""Figure: certified bound versus exact worst case over (eta, c) (tightness of P4)."""

from __future__ import annotations

import numpy as np

NAME = "tightness"
TITLE = "Tightness: certified bound / exact worst case over (eta, c) (P4 vs performance estimation)"
CAPTION = """
Ratio of the certified bound of P4 (`bounds.spa`, deterministic, L = 1, n = 12, gap 1; a bound
on the average of |grad f(x_k)|^2) to the exact worst case of min_k |grad f(x_k)|^2 computed by
performance estimation (`lyapunov.pep`, f(x_0) - f(y) <= 1 at every iterate). A ratio of 1 would
be exact; it is never below 1 (a ratio below 1 would mean an unsound bound). White cells: no
certified theorem (L eta > 2 - c). The dashed line is L eta (1 - c)/c = 1, beyond which the
one-step analysis degrades.
"""


def make(quick: bool = False, seed: int = 0):
    import matplotlib.pyplot as plt

    from .. import bounds
    from ..pep import worst_case_spa

    del seed  # deterministic
    etas = np.array([0.05, 0.25, 1.0]) if quick else np.geomspace(0.05, 1.5, 8)
    cs = np.array([0.1, 0.5, 1.0]) if quick else np.geomspace(0.1, 1.0, 8)
    ratio = np.full((len(cs), len(etas)), np.nan)
    for i, c in enumerate(cs):
        for j, eta in enumerate(etas):
            b = bounds.spa(eta=eta, c=c, L=1.0, sigma2=0.0, steps=12, gap=1.0)
            if np.isfinite(b):
                ratio[i, j] = b / worst_case_spa(eta, c, L=1.0, steps=12, gap=1.0)
    fig, ax = plt.subplots(figsize=(6.6, 4.8))
    im = ax.imshow(ratio, origin="lower", cmap="viridis", vmin=1.0, aspect="auto")
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
                    color="w" if ratio[i, j] < 1.6 else "k",
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
        "w--",
        lw=1.2,
        label=r"$L\eta(1-c)/c = 1$",
    )
    ax.set_xlabel(r"SPA step $\eta$ ($L = 1$)")
    ax.set_ylabel(r"averaging weight $c$ (momentum $1 - c$)")
    ax.set_title("certified bound / exact worst case (n = 12)", pad=22)
    fig.colorbar(im, ax=ax, label="ratio (1 = exact)")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.06), fontsize=8, frameon=False)
    fig.tight_layout()
    return fig
