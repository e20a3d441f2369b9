"""Figure: certified bound versus steps, against Monte-Carlo means (P3, P4, P8 + P10; the
simulator)."""

from __future__ import annotations

import numpy as np

NAME = "bounds_vs_steps"
TITLE = "Certified bounds versus simulation: SGD and SGD+M on two objectives (P3, P4, P8 + P10)"
CAPTION = """
(1/n) sum_{k<n} |grad f(x_k)|^2 against the horizon n, for SGD (lr 0.1) and SGD+M with the
same long-run step eta = lr/(1 - momentum) = 0.1 (momentum 0.5 and 0.9), with Gaussian
gradient noise sigma2 = 0.1, on two synthetic non-convex objectives with proved L = 1
(`lyapunov.objectives`: `cosine` and `lsq`). Solid: Monte-Carlo mean over independent seeded
runs with its 99% confidence band (`lyapunov.confirm`); dashed: the certified bound for the same
parameters (`lyapunov.bounds`: the smaller of P3 for SGD, P4 for SGD+M, and the short-horizon
chain of P8 and P10) with gap = f(x_0) minus the objective's certified lower bound. Every band
lies under its bound.
"""

CONFIGS = (
    ("SGD, lr 0.1", "sgd", {"lr": 0.1}, "tab:blue"),
    ("SGD+M, lr 0.05, momentum 0.5", "sgdm", {"lr": 0.05, "momentum": 0.5}, "tab:orange"),
    ("SGD+M, lr 0.01, momentum 0.9", "sgdm", {"lr": 0.01, "momentum": 0.9}, "tab:green"),
)


def data(quick: bool, seed: int) -> dict:
    """(objective, label) -> arrays of horizons, empirical, ci_low, ci_high, bound."""
    from ..confirm import confirm

    horizons = [20, 60, 200] if quick else [10, 25, 50, 100, 200, 400, 800]
    runs = 40 if quick else 200
    out = {}
    for obj in ("cosine", "lsq"):
        for label, method, params, _ in CONFIGS:
            rows = [
                confirm(
                    obj, method, steps=n, runs=runs, sigma2=0.1, seed=seed, engine="numpy", **params
                )
                for n in horizons
            ]
            out[obj, label] = {
                k: np.array([r[k] for r in rows], dtype=float)
                for k in ("empirical", "ci_low", "ci_high", "bound")
            }
            out[obj, label]["n"] = np.array(horizons)
    return out


def make(quick: bool = False, seed: int = 0):
    import matplotlib.pyplot as plt

    d = data(quick, seed)
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.3), sharey=True)
    for ax, obj in zip(axes, ("cosine", "lsq"), strict=True):
        for label, _, _, col in CONFIGS:
            r = d[obj, label]
            ax.fill_between(r["n"], r["ci_low"], r["ci_high"], color=col, alpha=0.3, lw=0)
            ax.loglog(
                r["n"],
                r["empirical"],
                "-",
                color=col,
                marker="o",
                ms=3,
                label=f"{label}: simulation",
            )
            ax.loglog(r["n"], r["bound"], "--", color=col, label=f"{label}: certified bound")
        ax.set_title(f"objective '{obj}' (L = 1, $\\sigma^2$ = 0.1)")
        ax.set_xlabel("steps n")
        ax.grid(alpha=0.3, which="both")
    axes[0].set_ylabel(r"$\frac{1}{n}\sum_{k<n} |\nabla f(x_k)|^2$")
    axes[1].legend(fontsize=7, loc="upper right")
    fig.tight_layout()
    return fig
