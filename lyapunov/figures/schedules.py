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
changes too suddenly for P8 to certify it. The three simulated means nearly coincide (the runs
share their seeded noise and their first 50 steps, and the average over n is dominated by its
first steps: the step decay and the gradual SPA schedule differ by 0.2%); each is drawn
thinner than the one before it, and the inset shows them relative to the step decay's. A bound
can rise with n: P8 bounds the plain average by (gap + noise terms) / (n times the smallest
certified per-step rate rho_k over the first n steps), and rho_k drops with the step size; the
average weighted by the rates rho_k (`average="weighted"`) has no such jump.
"""


COLOURS = ("tab:blue", "tab:green", "tab:orange")
# curves that coincide stay visible: each schedule is drawn thinner than the one before it
WIDTHS = (4.5, 2.8, 1.2)
MARKERS = (7, 5, 3)


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
    fig, axes = plt.subplots(2, 2, figsize=(11, 8))
    (a_eta, a_c), (a_lr, a_bound) = axes
    horizons = np.unique(np.linspace(10, n, 12 if quick else 30).astype(int))
    simulated = {}
    for (name, sc), col, lw, ms in zip(sched.items(), COLOURS, WIDTHS, MARKERS, strict=True):
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
        a_bound.semilogy(horizons, vals, "o--", color=col, ms=ms, lw=1, label=f"{name}: bound")
        simulated[name] = _simulated(sc, n, runs, seed)
        a_bound.semilogy(
            np.arange(1, n + 1),
            simulated[name],
            "-",
            color=col,
            lw=lw,
            alpha=0.75,
            label=f"{name}: simulation",
        )
    a_eta.set_ylabel(r"SPA step $\eta_k$")
    a_eta.set_title("in SPA coordinates (P2)")
    a_c.set_ylabel(r"SPA averaging weight $c_k$")
    a_c.set_title("in SPA coordinates: c jumps before a step decay")
    a_lr.set_ylabel(r"PyTorch lr$_k$ (dotted: momentum$_k$ $\times$ max lr)")
    a_lr.set_title("in PyTorch coordinates")
    a_bound.set_ylabel(r"$\frac{1}{n}\sum_{k<n} E|\nabla f(x_k)|^2$")
    a_bound.set_title(
        f"certified bound (P8), simulated mean ({runs} runs), 'cosine'",
        fontsize=10,
    )
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
    fig.legend(
        handles, labels, loc="lower center", bbox_to_anchor=(0.5, 0.085), ncol=3, fontsize=8,
        frameon=False,
    )  # fmt: skip
    _inset(a_bound, simulated)
    fig.text(0.02, 0.01, notes(simulated, sched, n), fontsize=8, va="bottom", ha="left")
    fig.tight_layout(rect=(0, 0.17, 1, 1))
    return fig


def notes(simulated: dict[str, np.ndarray], sched: dict, n: int) -> str:
    """What the bottom-right panel does not say by itself: why simulated curves overlap, and
    why a bound can rise with n (the smallest relative gap between two simulated curves, and
    the steps where all schedules agree, are computed from the drawn data)."""
    names = list(simulated)
    gaps = {
        (a, b): float(np.max(np.abs(simulated[a] / simulated[b] - 1)))
        for i, a in enumerate(names)
        for b in names[i + 1 :]
    }
    (a, b), gap = min(gaps.items(), key=lambda kv: kv[1])
    lrs = np.array([sched[name]["lr"] for name in names])
    mom = np.array([sched[name]["momentum"] for name in names])
    same = np.all(lrs == lrs[0], axis=0) & np.all(mom == mom[0], axis=0)
    first = n if same.all() else int(np.argmin(same))
    return "\n".join(
        (
            "Simulated means (solid) nearly coincide: the three runs share their seeded noise "
            f"and their first {first} steps, and an average over n steps is dominated by its first",
            f"steps. The inset shows each relative to the step decay's ({a} and {b} differ by "
            f"at most {100 * gap:.2g}%).",
            "A bound can rise with n: P8 bounds the plain average by (gap + noise terms) / (n "
            "times the smallest certified per-step rate over the first n steps), and that rate",
            "drops with the step size (the average weighted by the per-step rates, "
            "bounds.sgdm_schedule(..., average='weighted'), does not jump).",
        )
    )


def _inset(ax, simulated: dict[str, np.ndarray]) -> None:
    """Each simulated mean relative to the first schedule's, in percent (they overlap in ax)."""
    names = list(simulated)
    ref = simulated[names[0]]
    ins = ax.inset_axes((0.5, 0.69, 0.47, 0.21))  # the empty upper right of the panel
    k = np.arange(1, len(ref) + 1)
    for name, col, lw in zip(names, COLOURS, WIDTHS, strict=True):
        ins.plot(k, 100 * (simulated[name] / ref - 1), color=col, lw=lw / 2)
    ins.set_title(f"simulated mean / {names[0]}'s - 1", fontsize=7)
    ins.set_xlabel("horizon n", fontsize=6, labelpad=1)
    ins.set_ylabel("%", fontsize=6, labelpad=1)
    ins.tick_params(labelsize=6)
    ins.grid(alpha=0.3)
