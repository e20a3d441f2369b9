"""Figure: how much SGD+M's certified rate loses against SGD's (claims C2, C3)."""

from __future__ import annotations

import numpy as np

NAME = "rate_factor"
TITLE = "SGD+M versus SGD: the certified rate factor (P4, P5, P6)"
CAPTION = """
Left: ratio of the best certified SGD+M bound to the best certified SGD bound (each at its own
best step size, `bounds.best_sgdm_lr` / `bounds.best_sgd_lr`, n = 10,000 steps), against the
momentum, for several noise levels s = sigma2 n / (L gap) (sigma2: variance of the gradient
noise, n: steps, gap: f(x_0) - inf f); dashed: the certified upper factor F(eta*) of P6a at
SGD's best step; dotted at 1: the rate under the look-ahead hypothesis of P5 (exactly SGD's);
dash-dotted: the factor sqrt(2) claimed by Defazio 2020, "Momentum via Primal Averaging"
(claim C3). Right: the certified factor F(eta, c) = rho_SGD / rho_SGD+M of P6a (rho: the
certified decrease of f per unit of |grad f|^2 in one step) over the step L eta and the
momentum 1 - c (white: outside P6a's region L eta <= 2 - c), with the contour F = sqrt(2)
and, dashed, the contour kappa = L eta (1-c)/c = 239/577 ~ 0.414 (P6b: F <= sqrt(2) holds
below it). With little noise the ratio is 1/(1 - momentum^2) (P6d), so there is no universal
sqrt(2).
"""


#: the source of the claims (C3: SGD+M's rate is at most about sqrt(2) times SGD's)
PAPER = 'Defazio 2020, "Momentum via Primal Averaging"'


def _p6():
    """P6's factor F(eta, c, L) and kappa(eta, c, L), lambdified, and its threshold t on kappa
    (a sympy Rational), all from the certified file."""
    import sympy as sp

    from ..proofs import p6_momentum_vs_sgd_ratio as p6

    args = [p6.eta, p6.c, p6.L]
    return sp.lambdify(args, p6.F, "numpy"), sp.lambdify(args, p6.kappa, "numpy"), p6.t


def make(quick: bool = False, seed: int = 0):
    import matplotlib.pyplot as plt

    from .. import bounds

    del seed  # deterministic
    F, kappa, t = _p6()
    momentum = np.linspace(0.0, 0.99, 30 if quick else 120)
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(12, 5.6))
    # a long horizon (beyond the short-horizon chain of P8 and P10): the rates of P3, P4 and
    # P4c, which depend on the noise level s only
    L, gap, n = 1.0, 1.0, 10_000
    for s, col in zip(
        (0.0, 10.0, 100.0, 1e3, 1e4), plt.cm.viridis(np.linspace(0, 0.9, 5)), strict=True
    ):
        sigma2 = s * L * gap / n
        sgd = bounds.best_sgd_lr(L=L, sigma2=sigma2, steps=n, gap=gap)
        spa = bounds.best_sgdm_lr(momentum=momentum, L=L, sigma2=sigma2, steps=n, gap=gap)
        ax.semilogy(momentum, spa.bound / sgd.bound, color=col, label=f"s = {s:g}")
        f_cert = F(sgd.step, 1 - momentum, L)  # eta* = SGD's best lr, at c = 1 - momentum
        ax.semilogy(momentum, np.maximum(f_cert, 1.0), color=col, ls="--", lw=1)
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
    ax.axhline(
        np.sqrt(2), color="k", lw=1.2, ls="-.",
        label=PAPER + r": at most $\sqrt{2}$ (claim C3)",
    )  # fmt: skip
    ax.axhline(1.0, color="tab:red", lw=1.5, ls=":", label="1: under P5's look-ahead hypothesis")
    ax.set_xlabel(r"momentum ($= 1 - c$)")
    ax.set_ylabel("best certified bound of SGD+M / of SGD\n(each at its own best lr)")
    ax.set_title(
        f"How much momentum costs in the certified rate, n = {n:,} steps\n"
        r"noise level $s = \sigma^2 n / (L \cdot \mathrm{gap})$, $\sigma^2$: gradient noise "
        r"variance, gap $\geq f(x_0) - \inf f$",
        fontsize=9,
    )
    # two legends: the colours (noise levels) inside, the line styles below the panel
    handles, labels = ax.get_legend_handles_labels()
    noise = [i for i, lab in enumerate(labels) if lab.startswith("s = ")]
    styles = [i for i in range(len(labels)) if i not in noise]
    ax.add_artist(
        ax.legend(
            [handles[i] for i in noise], [labels[i] for i in noise], fontsize=8,
            loc="upper left", title=r"noise level $s$", title_fontsize=8,
        )
    )  # fmt: skip
    ax.legend(
        [handles[i] for i in styles], [labels[i] for i in styles], fontsize=8,
        loc="upper center", bbox_to_anchor=(0.5, -0.16), frameon=False,
    )  # fmt: skip
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
        np.where(inside, kappa(LE, C, 1.0), np.nan),
        levels=[float(t)],
        colors="tab:blue",
        linestyles="--",
        linewidths=1.2,
    )
    ax2.clabel(kap, fmt={float(t): rf"$\kappa = {float(t):.3f}$"}, fontsize=8)
    # the contours explained in the figure (their inline labels can be too short to print),
    # in the empty corner outside the region
    ax2.plot([], [], color="cyan", lw=1.5, label=r"$F = \sqrt{2}$ (claim C3)")
    ax2.plot(
        [], [], color="tab:blue", ls="--", lw=1.2,
        label=rf"dashed: $\kappa = L\eta(1-c)/c = {t.p}/{t.q}$ (P6b)",
    )  # fmt: skip
    ax2.fill([], [], color="white", ec="gray", lw=0.5, label=r"white: outside $L\eta \leq 2 - c$")
    ax2.legend(fontsize=7, loc="lower right", framealpha=0.9)
    fig.colorbar(im, ax=ax2, label=r"$\log_{10} F(\eta, c)$")
    ax2.set_xlabel(r"$L\eta$ (SPA step $\eta$ = lr / (1 - momentum), times $L$)")
    ax2.set_ylabel(r"momentum ($= 1 - c$)")
    ax2.set_title(
        r"certified factor $F = \rho_{SGD}/\rho_{SGD+M}$ (P6a), region $L\eta \leq 2-c$"
        "\n"
        r"$\rho$: certified decrease of $f$ per unit $|\nabla f|^2$ per step",
        fontsize=9,
    )
    fig.tight_layout()
    return fig
