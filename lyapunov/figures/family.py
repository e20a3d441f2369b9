"""Figure: certified bound versus lr for the momentum family, with Monte-Carlo means (P3, P4,
P4c, P11, P12; the simulator)."""

from __future__ import annotations

import numpy as np

NAME = "family"
TITLE = "The momentum family at a fixed budget: certified bound versus lr (P3, P4, P11, P12)"
CAPTION = """
Certified bound on (1/n) sum_{k<n} E|grad f(p_k)|^2 (p_k: where the k-th gradient is taken,
the optimizer's parameters) against the learning rate, at n = 200 steps, L = 1,
gradient noise sigma2 = 0.1, for SGD (P3) and SGD+M (torch SGD, momentum 0.9: P4, P4c beyond
it), each with the short-horizon chain of P8 and P10 where smaller,
Nesterov's SGD (torch SGD(nesterov=True), momentum 0.9: P11), QHM (momentum 0.999, nu 0.7:
P11) and schedule-free SGD (momentum 0.9, c_k = 1/(k+1): P12 run backwards over the horizon)
(`lyapunov.bounds`), with gap = f(x_0) minus the certified lower bound of the non-convex
`cosine` objective (L = 1). A curve stops where no certified theorem covers the lr. Dots:
Monte-Carlo means of the same quantity on that objective from seeded runs
(`lyapunov.confirm`); each dot lies under its curve.
"""

N, SIGMA2 = 200, 0.1
METHODS = (
    ("SGD", "sgd", {}, "tab:blue"),
    ("SGD+M (0.9)", "sgdm", {"momentum": 0.9}, "tab:orange"),
    ("Nesterov (0.9)", "nesterov", {"momentum": 0.9}, "tab:green"),
    ("QHM (0.999, nu 0.7)", "qhm", {"momentum": 0.999, "nu": 0.7}, "tab:red"),
    ("schedule-free (0.9)", "schedule_free", {"momentum": 0.9}, "tab:purple"),
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
    return {"lrs": lrs, "curves": curves(lrs, gap), "dots": dots, "gap": gap}


def make(quick: bool = False, seed: int = 0):
    import matplotlib.pyplot as plt

    d = data(quick, seed)
    fig, ax = plt.subplots(figsize=(7.5, 4.6))
    for label, _, _, col in METHODS:
        y = d["curves"][label]
        ax.loglog(d["lrs"], np.where(np.isfinite(y), y, np.nan), color=col, label=label)
        pts = d["dots"][label]
        if len(pts):
            ax.loglog(pts[:, 0], pts[:, 1], "o", color=col, ms=4, alpha=0.8)
    ax.set_xlabel("lr (PyTorch)")
    ax.set_ylabel(r"$\frac{1}{n}\sum_k E|\nabla f(p_k)|^2$")
    ax.set_title(f"n = {N}, L = 1, sigma2 = {SIGMA2}, gap = {d['gap']:.3g} (cosine objective)")
    ax.legend(fontsize=8, loc="upper center")
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    return fig
