"""Figure: schedules in both coordinate systems, and their certified bounds (claim C6)."""

from __future__ import annotations

import numpy as np

NAME = "schedules"
TITLE = "Schedules in PyTorch and SPA coordinates, and their certified bounds (P2, P8)"
CAPTION = """
Three schedules of SGD+M (L = 1, sigma2 = 0.1, gap = 1): a PyTorch step decay (lr 0.05 -> 0.005
at mid-run, momentum 0.9); a gradual SPA schedule (eta from 0.5 down to 0.05 linearly over the
middle third, c = 0.1); momentum dropped after the first epoch (momentum 0.9 -> 0, lr 0.05).
Top: each drawn in SPA coordinates (eta_k, c_k) by the exact map of P2 (`convert`), where the
step decay is no longer a drop: eta decays over the ~10 steps *before* it while c jumps up
(P2c). Bottom left: the same schedules in PyTorch coordinates. Bottom right, on the `cosine`
objective (L = 1) with Gaussian noise sigma2 = 0.1: the certified bound (dashed; P8, or P8
chained with P10 where smaller, via `bounds.sgdm_schedule` / `bounds.spa_schedule`, gap =
f(x_0) minus the certified lower bound)
and the simulated mean (solid, `lyapunov.sim`, seeded runs) of the average of |grad f(x_k)|^2
over the first n steps, against n. Missing bound points are horizons where the schedule
changes too suddenly for P8 to certify it.
"""


COLOURS = ("tab:blue", "tab:green", "tab:orange")


def schedules(n: int) -> dict[str, dict[str, np.ndarray]]:
    """name -> {"lr", "momentum", "eta", "c"}: each schedule in both coordinate systems (P2).

    The PyTorch-defined schedules are mapped to SPA by `convert.schedule_to_spa`; the SPA one
    to PyTorch by `convert.schedule_to_pytorch` (a fast decrease of eta needs a momentum above
    1 in PyTorch coordinates, so its bound is computed in SPA coordinates).
    """
    from ..convert import schedule_to_pytorch, schedule_to_spa

    k = np.arange(n)
    half, epoch = n // 2, max(n // 6, 1)
    out = {}
    for name, lr, mom in (
        ("PyTorch step decay", np.where(k < half, 0.05, 0.005), np.full(n, 0.9)),
        ("momentum dropped after epoch 1", np.full(n, 0.05), np.where(k < epoch, 0.9, 0.0)),
    ):
        eta, c = schedule_to_spa(lr=lr, momentum=mom)
        out[name] = {"lr": lr, "momentum": mom, "eta": eta, "c": c}
    eta = np.interp(k, [n / 3, 2 * n / 3], [0.5, 0.05])
    c = np.full(n, 0.1)
    lr, mom = schedule_to_pytorch(eta=eta, c=c)
    out["gradual SPA schedule"] = {"lr": lr, "momentum": mom, "eta": eta, "c": c}
    return out


def _simulated(sc: dict, n: int, runs: int, seed: int) -> np.ndarray:
    """Running mean over k < m of the Monte-Carlo mean |grad f(x_k)|^2, m = 1..n."""
    from ..sim import simulate

    # a schedule that needs momentum > 1 in PyTorch form is run in SPA form (same iterates)
    if np.all(sc["momentum"][1:] < 1):
        method, params = "sgdm", {"lr": sc["lr"], "momentum": sc["momentum"]}
    else:
        method, params = "spa", {"eta": sc["eta"], "c": sc["c"]}
    res = simulate(
        "cosine", method, steps=n, runs=runs, sigma2=0.1, seed=seed, engine="numpy", **params
    )
    return np.cumsum(res.grad2[0]) / np.arange(1, n + 1)


def make(quick: bool = False, seed: int = 0):
    import matplotlib.pyplot as plt

    from .. import bounds
    from ..objectives import make as objective

    obj = objective("cosine", dim=10)
    gap = float(obj.f(obj.x0()) - obj.f_lower)
    n = 120 if quick else 300
    runs = 20 if quick else 100
    sched = schedules(n)
    fig, axes = plt.subplots(2, 2, figsize=(11, 7))
    (a_eta, a_c), (a_lr, a_bound) = axes
    horizons = np.unique(np.linspace(10, n, 12 if quick else 30).astype(int))
    for (name, sc), col in zip(sched.items(), COLOURS, strict=True):
        lr, mom, eta, c = sc["lr"], sc["momentum"], sc["eta"], sc["c"]
        a_eta.plot(eta, color=col, label=name)
        a_c.plot(c, color=col, label=name)
        a_lr.plot(lr, color=col, label=f"{name}: lr")
        a_lr.plot(np.minimum(mom, 1.5) * lr.max(), color=col, ls=":", lw=1)
        # a horizon n is its own run: the SPA form of the first n steps is re-derived (P2b)
        if name == "gradual SPA schedule":
            vals = [
                bounds.spa_schedule(eta=eta[:h], c=c[:h], L=obj.L, sigma2=0.1, gap=gap)
                for h in horizons
            ]
        else:
            vals = [
                bounds.sgdm_schedule(lr=lr[:h], momentum=mom[:h], L=obj.L, sigma2=0.1, gap=gap)
                for h in horizons
            ]
        a_bound.semilogy(horizons, vals, "o--", color=col, ms=3, label=f"{name}: bound")
        a_bound.semilogy(
            np.arange(1, n + 1),
            _simulated(sc, n, runs, seed),
            "-",
            color=col,
            lw=1.2,
            label=f"{name}: simulation",
        )
    a_eta.set_ylabel(r"SPA step $\eta_k$")
    a_eta.set_title("in SPA coordinates (P2)")
    a_c.set_ylabel(r"SPA averaging weight $c_k$")
    a_c.set_title("in SPA coordinates: c jumps before a step decay")
    a_lr.set_ylabel(r"PyTorch lr$_k$ (dotted: momentum$_k$ $\times$ max lr)")
    a_lr.set_title("in PyTorch coordinates")
    a_bound.set_ylabel(r"$\frac{1}{n}\sum_{k<n} E|\nabla f(x_k)|^2$")
    a_bound.set_title("certified bound (P8) and simulation, objective 'cosine'")
    for ax in axes.ravel():
        ax.set_xlabel("step k" if ax is not a_bound else "horizon n")
        ax.grid(alpha=0.3)
    # one legend below the panels (inside a panel it would hide a curve): colours name the
    # schedules, line styles the kinds of curve
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], color=col, lw=2) for col in COLOURS]
    labels = list(sched)
    handles += [
        Line2D([], [], color="gray", ls=":", lw=1),
        Line2D([], [], color="gray", ls="--", marker="o", ms=3),
        Line2D([], [], color="gray", lw=1.2),
    ]
    labels += [
        r"dotted (PyTorch panel): momentum$_k$ $\times$ max lr",
        "dashed, dots (right panel): certified bound (P8)",
        "solid (right panel): simulated mean",
    ]
    fig.legend(handles, labels, loc="lower center", ncol=3, fontsize=8, frameon=False)
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    return fig
