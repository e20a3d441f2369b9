"""Figure: certified bound versus lr for the momentum family, with Monte-Carlo means (P3, P4,
P4c, P11, P12; the simulator)."""

from __future__ import annotations

import numpy as np

NAME = "family"
TITLE = "The momentum family at a fixed budget: certified bound versus lr (P3, P4, P11, P12)"
CAPTION = """
Lines: the certified bound on the average squared gradient norm (1/n) sum_{k<n} E|grad f|^2,
each gradient taken at the optimizer's parameters (x_k for SGD and SGD+M, y_k for Nesterov, QHM
and schedule-free SGD), against the learning rate, at n = 200 steps, L = 1,
gradient noise sigma2 = 0.1, for SGD (P3) and SGD+M (torch SGD, momentum 0.9: P4, P4c beyond
it), each with the short-horizon chain of P8 and P10 where smaller,
Nesterov's SGD (torch SGD(nesterov=True), momentum 0.9: P11), QHM (momentum 0.999, nu 0.7:
P11) and schedule-free SGD (momentum 0.9, c_k = 1/(k+1): P12 run backwards over the horizon)
(`lyapunov.bounds`), with gap = f(x_0) minus the certified lower bound of the non-convex
`cosine` objective (L = 1). A curve stops, marked x, where the certified region stops: no
certified theorem covers a larger lr. Dots: Monte-Carlo means of the same quantity on that
objective from 100 seeded runs (`lyapunov.confirm`); each dot lies under its line.
"""

N, SIGMA2 = 200, 0.1
METHODS = (
    ("SGD", "sgd", {}, "tab:blue"),
    ("SGD+M, momentum 0.9", "sgdm", {"momentum": 0.9}, "tab:orange"),
    ("Nesterov, momentum 0.9", "nesterov", {"momentum": 0.9}, "tab:green"),
    ("QHM, momentum 0.999, nu 0.7", "qhm", {"momentum": 0.999, "nu": 0.7}, "tab:red"),
    ("schedule-free SGD, momentum 0.9", "schedule_free", {"momentum": 0.9}, "tab:purple"),
)


def curves(lrs: np.ndarray, gap: float) -> dict[str, np.ndarray]:
    """label -> certified bound at each lr (:func:`lyapunov.bounds.certified_bound`)."""
    from ..bounds.dispatch import certified_bound

    g = {"L": 1.0, "sigma2": SIGMA2, "steps": N, "gap": gap}
    out = {}
    for label, method, params, _ in METHODS:
        if method == "schedule_free":  # O(n) per lr: one call per value
            values = [certified_bound(method, lr=float(a), **params, **g) for a in lrs]
            out[label] = np.array(values)
        else:
            out[label] = np.asarray(certified_bound(method, lr=lrs, **params, **g), dtype=float)
    return out


def data(quick: bool, seed: int) -> dict:
    from ..confirm import confirm

    lrs = np.geomspace(0.003, 3.0, 25 if quick else 60)
    dots_lr = (0.01, 0.1, 0.5) if quick else (0.01, 0.03, 0.1, 0.3, 1.0)
    runs = 20 if quick else 100
    dots, gap = {}, None
    for label, method, params, _ in METHODS:
        rows = []
        for lr in dots_lr:
            r = confirm("cosine", method, steps=N, runs=runs, sigma2=SIGMA2, seed=seed,
                        engine="numpy", lr=lr, **params)  # fmt: skip
            gap = r["gap"]
            if r["bound"] is not None and np.isfinite(r["bound"]) and not r["diverged"]:
                rows.append((lr, r["empirical"], r["bound"]))
        dots[label] = np.array(rows).reshape(-1, 3)
    return {"lrs": lrs, "curves": curves(lrs, gap), "dots": dots, "gap": gap, "runs": runs}


def ends(y: np.ndarray) -> np.ndarray:
    """Indices of the finite values of ``y`` next to a non-finite one (or to the end of a
    curve that is finite everywhere: none): where a certified region stops."""
    ok = np.isfinite(y)
    before = np.r_[ok[1:], True]  # the next value is finite (or there is none)
    after = np.r_[True, ok[:-1]]  # the previous value is finite (or there is none)
    stop = ok & ~before
    start = ok & ~after
    return np.flatnonzero(stop | start)


YLABEL = (
    "average squared gradient norm over n steps\n"
    r"$\frac{1}{n}\sum_{k<n} E|\nabla f|^2$ at the optimizer's parameters"
)


def make(quick: bool = False, seed: int = 0):
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    d = data(quick, seed)
    fig, ax = plt.subplots(figsize=(10, 4.8))
    for label, _, _, col in METHODS:
        y = d["curves"][label]
        ax.loglog(d["lrs"], np.where(np.isfinite(y), y, np.nan), color=col, label=label)
        end = ends(y)
        ax.loglog(d["lrs"][end], y[end], "x", color=col, ms=8, mew=2)
        pts = d["dots"][label]
        if len(pts):
            ax.loglog(pts[:, 0], pts[:, 1], "o", color=col, ms=4, alpha=0.8)
    ax.set_xlabel("learning rate lr (as in torch.optim)")
    ax.set_ylabel(YLABEL)
    ax.set_title(
        "Certified bounds (lines) and simulated means (dots) after n = "
        f"{N} steps, cosine objective\n"
        rf"$L$ = 1, gradient noise variance $\sigma^2$ = {SIGMA2}, "
        rf"gap $f(x_0) - \inf f \leq$ {d['gap']:.3g}",
        fontsize=10,
    )
    handles, labels = ax.get_legend_handles_labels()
    handles = [h for h, lab in zip(handles, labels, strict=True) if not lab.startswith("_")]
    labels = [lab for lab in labels if not lab.startswith("_")]
    handles += [
        Line2D([], [], color="gray"),
        Line2D([], [], color="gray", ls="", marker="o", ms=4),
        Line2D([], [], color="gray", ls="", marker="x", ms=8, mew=2),
    ]
    labels += [
        "line: certified bound (lyapunov.bounds)",
        f"dot: simulated mean, {d['runs']} seeded runs",
        "x: curve ends, the certified\nregion stops (larger lr: no bound)",
    ]
    ax.legend(handles, labels, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    return fig
