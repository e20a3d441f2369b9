"""Figure: where SGD+M converges, where it is certified, in (lr, momentum) at L = 1.

Draws the region study (:mod:`lyapunov.studies.region`, which computes every region and holds
the stored PEP data) for ``torch.optim.SGD(lr, momentum)`` on L-smooth non-convex functions:
P4's certified region (shaded), the edge of P4c's (solid), the quadratic stability limit
(dashed) and the PEP verdicts of the stored grid (markers).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..studies import region as study

NAME = "region"
TITLE = "Where SGD+M converges and where it is certified, in (lr, momentum) (P4, P4c, PEP)"
CAPTION = """
`torch.optim.SGD(lr, momentum)` on L-smooth non-convex functions, L = 1 (SPA with
eta = lr/(1 - momentum), c = 1 - momentum, P1). Shaded: the region certified by P4 (its region
conditions, evaluated on the grid: lr <= (1 - momentum^2)/L, and lr < 2/L at momentum 0);
solid curve: the largest lr where P4c (certified large-step lemma, free weights (b, t)) has a
weight (b, t) satisfying all its region conditions (searched on a grid of (b, t), so slightly
inside its certified limit L eta < 4(2-c)^2/((2-c)^2 + c^2)); the calculators use P4c between
the two; dashed: the
quadratic stability limit (the spectral radius of the method's update on f = L x^2/2 is 1:
lr = 2(1 + momentum)/L). Markers: the exact worst case W_n of (1/n) sum_{k<n} |grad f(x_k)|^2
by performance estimation (`lyapunov.pep`, average metric, every L-smooth f with
f(x_0) - f(x_k) <= 1 at every iterate x_k), at n = 12 and 25 on the whole grid and n = 50 at the
last bounded lr of each momentum and at (0.3, 0.9): filled where it is finite and
non-increasing in n (bounded as n grows), open where it grows with n, crosses where it is
unbounded (inf), question marks where the solver failed or ran out of time (all at lr = 2:
gradient descent at the edge L lr = 2, and momentum >= 0.8, where W_12 is already 2e3 to 4e4).
Near the edge the bounded points decrease more slowly than 1/n (n W_n grows) and could still
turn at longer horizons: at (0.45, 0.9) W_n decreased to n = 25 and grew at n = 50. At
lr = 0.3, momentum = 0.9 (ringed), outside P4 but certified by P4c, W_12 = 0.747,
W_25 = 0.452, W_50 = 0.248 (n W_n = 9.0, 11.3, 12.4): bounded. The PEP-bounded region ends
close to P4c's limit and far inside the quadratic stability limit: on non-convex L-smooth
functions the worst case stops converging at much smaller lr than on quadratics (at momentum
0.9: between lr 0.3 and 0.45, against 3.8). The data are in
`lyapunov/studies/data/region_pep.csv` (`python benchmarks/region_pep.py --recompute`
recomputes them, about half an hour on 2 cores).
"""


def make(quick: bool = False, seed: int = 0, data: str | Path = study.DATA):
    import matplotlib.pyplot as plt

    del seed  # deterministic
    points = study.read_data(data)
    table = study.verdicts(points)
    ms = np.linspace(0.0, 0.97, 40 if quick else 100)
    lr_max = 4.0
    lr_fine = np.linspace(1e-3, lr_max, 200 if quick else 400)
    LR, M = np.meshgrid(lr_fine, ms)

    fig, ax = plt.subplots(figsize=(9.0, 5.4))
    p4 = study.p4_inside(LR, M)
    ax.contourf(LR, M, p4.astype(float), levels=[0.5, 1.5], colors=["tab:green"], alpha=0.3)
    ax.plot([], [], "s", color="tab:green", alpha=0.3, ms=10, label="certified: P4")
    mod = study.p4c_theorem()
    if mod is not None:
        m_c = np.linspace(0.02, 0.97, 12 if quick else 40)
        edge = study.largest_lr(lambda lr, m: study.p4c_inside(lr, m, module=mod), m_c, lr_max, 14)
        ax.plot(edge, m_c, "-", color="tab:blue", lw=1.8, label="certified: P4c (edge)")
    stable = study.quadratic_stable(LR, M)
    ax.contour(LR, M, stable.astype(float), levels=[0.5], colors="k", linestyles="--")
    ax.plot([], [], "k--", label="quadratic stability limit")

    style = {
        "bounded": dict(marker="o", color="tab:red", mfc="tab:red"),
        "growing": dict(marker="o", color="tab:red", mfc="none"),
        "unbounded": dict(marker="x", color="tab:gray", mfc="none"),
        "unknown": dict(marker="$?$", color="tab:gray", mfc="none"),
    }
    names = {
        "bounded": "PEP worst case bounded as n grows",
        "growing": "PEP worst case grows with n",
        "unbounded": "PEP worst case unbounded",
        "unknown": "PEP solve failed (no verdict)",
    }
    for kind, st in style.items():
        pts = [k for k, v in table.items() if v == kind]
        if pts:
            lr, m = np.array(pts).T
            ax.plot(lr, m, ls="none", ms=6, label=names[kind], **st)
    probe = sorted((p.steps, p.worst_case) for p in points if (p.lr, p.momentum) == (0.3, 0.9))
    if probe:
        ax.plot([0.3], [0.9], "o", ms=11, mfc="none", mec="k", mew=1.2)
        lines = [f"$W_{{{n}}}$ = {w:.4g}" for n, w in probe]
        ax.text(
            1.03,
            0.28,
            "lr = 0.3, momentum = 0.9\n(black ring), worst case\n" + "\n".join(lines),
            transform=ax.transAxes,
            fontsize=8,
            va="top",
        )
    ax.set_xlim(0, lr_max)
    ax.set_ylim(0, 1)
    ax.set_xlabel(r"torch lr ($L = 1$)")
    ax.set_ylabel("momentum")
    ax.set_title("torch.optim.SGD(lr, momentum) on L-smooth f: certified and PEP regions")
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8, frameon=False)
    fig.tight_layout()
    return fig
