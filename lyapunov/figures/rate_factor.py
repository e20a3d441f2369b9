"""Figure: how much SGD+M's certified rate loses against SGD's (claims C2, C3)."""

from __future__ import annotations

import numpy as np

NAME = "rate_factor"
TITLE = "SGD+M versus SGD: the certified rate factor (P4, P5, P6)"
CAPTION = """
Left: ratio of the best certified SGD+M rate to the best certified SGD rate (each at its own
best step size, `bounds.best_sgdm_lr` / `bounds.best_sgd_lr`), against the momentum, for several
noise levels s = sigma2 n / (L gap); dashed: the certified upper factor F(eta*) of P6a at SGD's
best step; dotted at 1: the rate under the look-ahead hypothesis of P5 (exactly SGD's); the
paper's sqrt(2) is marked. Right: the certified factor F(eta, c) of P6a over the step L eta and
the momentum 1 - c, with the contour F = sqrt(2) and, dashed, the contour
kappa = L eta (1-c)/c = 239/577 ~ 0.414 (P6b: F <= sqrt(2) holds below it).
With little noise the ratio is 1/(1 - momentum^2) (P6d), so there is no universal sqrt(2).
"""


def _factor():
    import sympy as sp

    from ..proofs import p6_momentum_vs_sgd_ratio as p6

    return sp.lambdify([p6.eta, p6.c, p6.L], p6.F, "numpy")


def make(quick: bool = False, seed: int = 0):
    import matplotlib.pyplot as plt

    from .. import bounds

    del seed  # deterministic
    F = _factor()
    beta = np.linspace(0.0, 0.99, 30 if quick else 120)
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    # a long horizon (beyond the short-horizon chain of P8 and P10): the rates of P3, P4 and
    # P4c, which depend on the noise level s only
    L, gap, n = 1.0, 1.0, 10_000
    for s, col in zip(
        (0.0, 10.0, 100.0, 1e3, 1e4), plt.cm.viridis(np.linspace(0, 0.9, 5)), strict=True
    ):
        sigma2 = s * L * gap / n
        sgd = bounds.best_sgd_lr(L=L, sigma2=sigma2, steps=n, gap=gap)
        spa = bounds.best_sgdm_lr(momentum=beta, L=L, sigma2=sigma2, steps=n, gap=gap)
        ax.semilogy(beta, spa.bound / sgd.bound, color=col, label=f"s = {s:g}")
        f_cert = F(sgd.step, 1 - beta, L)  # eta* = SGD's best lr, at c = 1 - beta
        ax.semilogy(beta, np.maximum(f_cert, 1.0), color=col, ls="--", lw=1)
    # legend-only entries: what the line styles of the coloured curves mean
    ax.plot([], [], color="gray", lw=1.5, label="solid: best certified rate ratio")
    ax.plot(
        [],
        [],
        color="gray",
        ls="--",
        lw=1,
        label=r"dashed: certified factor $F(\eta^*)$ at SGD's best step (P6a)",
    )
    ax.axhline(np.sqrt(2), color="k", lw=1.2, ls="-.", label=r"paper: $\sqrt{2}$")
    ax.axhline(1.0, color="tab:red", lw=1.5, ls=":", label="under P5's hypothesis")
    ax.set_xlabel(r"momentum $\beta = 1 - c$")
    ax.set_ylabel(r"$\min_\eta B_{SGD+M} \,/\, \min_\eta B_{SGD}$ (certified)")
    ax.set_title(
        "best certified rates (solid); certified factor $F(\\eta^*)$ at SGD's best step (dashed)",
        fontsize=9,
    )
    ax.legend(fontsize=8, loc="upper left")
    ax.grid(alpha=0.3, which="both")

    m = 60 if quick else 200
    le = np.linspace(0.01, 1.99, m)
    bb = np.linspace(0.0, 0.99, m)
    LE, BB = np.meshgrid(le, bb)
    C = 1 - BB
    inside = LE <= 2 - C
    val = np.where(inside, F(LE, C, 1.0), np.nan)
    im = ax2.pcolormesh(LE, BB, np.log10(val), shading="auto", cmap="magma_r")
    cs = ax2.contour(LE, BB, val, levels=[np.sqrt(2)], colors="cyan", linewidths=1.5)
    ax2.clabel(cs, fmt={np.sqrt(2): r"$F=\sqrt{2}$"}, fontsize=8)
    kap = ax2.contour(
        LE,
        BB,
        np.where(inside, LE * BB / C, np.nan),
        levels=[239 / 577],
        colors="tab:blue",
        linestyles="--",
        linewidths=1.2,
    )
    ax2.clabel(kap, fmt={239 / 577: r"$\kappa = 0.414$"}, fontsize=8)
    # the contours explained in the figure (their inline labels can be too short to print),
    # in the empty corner outside the region
    ax2.plot([], [], color="cyan", lw=1.5, label=r"$F = \sqrt{2}$")
    ax2.plot(
        [], [], color="tab:blue", ls="--", lw=1.2,
        label=r"dashed: $\kappa = L\eta(1-c)/c = 239/577$ (P6b)",
    )  # fmt: skip
    ax2.legend(fontsize=7, loc="lower right", framealpha=0.9)
    fig.colorbar(im, ax=ax2, label=r"$\log_{10} F(\eta, c)$")
    ax2.set_xlabel(r"$L\eta$")
    ax2.set_ylabel(r"momentum $\beta = 1 - c$")
    ax2.set_title(r"certified factor $F = \rho_{SGD}/\rho_{SGD+M}$ (P6a), region $L\eta \leq 2-c$")
    fig.tight_layout()
    return fig
