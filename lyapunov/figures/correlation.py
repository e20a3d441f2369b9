"""Figure: the momentum-buffer / gradient correlation over training and P7's gain (claim C4)."""

from __future__ import annotations

from functools import cache

import numpy as np

NAME = "correlation"
TITLE = "Momentum-buffer / gradient correlation over training and its certified gain (P7, C4)"
CAPTION = """
Left: the mean over runs of cos_k = cos(b_k, grad f(x_k)) between the momentum buffer and the
true gradient, recorded by `lyapunov.sim.simulate` (SGD+M in PyTorch form, lr = c eta,
momentum = 1 - c, P1), for three momenta at the same long-run step L eta = 0.5, Gaussian
gradient noise of total variance sigma2 = 0.1, on two non-convex objectives with L = 1
(`cosine`, `rosenbrock`, dim 10, every run from the objective's default x_0); band: 95%
confidence interval of the mean over the runs. The buffer is almost parallel to the gradient
early in training (cos ~ 1 until the iterate first overshoots), then swings with the
underdamped momentum oscillation, and at the noise floor it is about uncorrelated, in fact
slightly negative (-0.05 to -0.3). Right: the theory's predicted gain per step,
gamma <g_k, x_k - z_k> / (rho |g_k|^2) of theorem P7 (its certified expressions gamma, rho
lambdified at b = 0, where the gain is largest; every parameter point is inside P7's region
L eta <= 2 - c), from the same runs in SPA form (x_k - z_k = momentum eta b_k, P1; band: 95%
interval of the numerator's mean): step k is credited with the decrease (1 + gain_k) rho |g_k|^2.
The gain is large early (mean over k <= 10 about 4 at momentum 0.9, peaks of 15-17, beyond
SGD's level) and negative at the noise floor (about -0.4 at momentum 0.9, because there the
buffer is mostly accumulated noise, |b_k| >> |g_k|), where P4 (gamma = 0) is the better
certificate. Dotted: SGD's certified rate at the same eta (P3), as a gain relative to
rho: above it, momentum's certified decrease beats SGD's.
"""

L_ETA = 0.5  # the long-run step L eta, the same for every momentum (inside P7's region)
SIGMA2 = 0.1
C_VALUES = (0.5, 0.1, 0.05)  # momentum = 1 - c: 0.5, 0.9, 0.95
OBJECTIVES = ("cosine", "rosenbrock")
DIM = 10


@cache
def _p7():
    """gamma(b = 0), rho(b = 0) of P7 and rho of P3, lambdified from the certified files."""
    import sympy as sp

    from ..proofs import p3_sgd_descent as p3
    from ..proofs import p7_spa_correlation_gain as p7

    gamma0 = sp.lambdify([p7.eta, p7.c, p7.L], p7.gamma.subs(p7.b, 0), "numpy")
    rho0 = sp.lambdify([p7.eta, p7.c, p7.L], p7.rho.subs(p7.b, 0), "numpy")
    rho_sgd = sp.lambdify([p3.eta, p3.L], p3.theorem.rho, "numpy")
    return gamma0, rho0, rho_sgd


def _settings(quick: bool) -> tuple[int, int]:
    """(steps, runs)."""
    return (600, 100) if quick else (3000, 500)


def data(quick: bool = False, seed: int = 0, steps: int | None = None, runs: int | None = None):
    """Everything the figure draws, per objective: the simulator's mean cosines and P7's gain
    (``steps``, ``runs`` override the quick/full settings)."""
    from .. import convert
    from ..objectives import make as make_objective
    from ..sim import simulate
    from ..studies.correlation import spa_records

    steps = _settings(quick)[0] if steps is None else steps
    runs = _settings(quick)[1] if runs is None else runs
    gamma0, rho0, rho_sgd = _p7()
    c = np.asarray(C_VALUES)
    res = {"steps": steps, "runs": runs, "c": c}
    for name in OBJECTIVES:
        obj = make_objective(name, DIM)
        eta = np.full_like(c, L_ETA / obj.L)
        lr, momentum = convert.to_pytorch(eta=eta, c=c)
        sim = simulate(
            obj,
            "sgdm",
            lr=lr[:, None],
            momentum=momentum[:, None],
            sigma2=SIGMA2,
            steps=steps,
            runs=runs,
            seed=seed,
            record=("cos",),
            engine="numpy",
        )
        rec = spa_records(obj, eta, c, SIGMA2, steps, runs, seed)
        g0, r0 = gamma0(eta, c, obj.L)[:, None], rho0(eta, c, obj.L)[:, None]
        assert np.all(g0 >= 0) and np.all(r0 > 0)
        with np.errstate(invalid="ignore", divide="ignore"):
            gain = g0 * rec["gxz"] / (r0 * rec["grad2"])
            gain_se = g0 * rec["gxz_se"] / (r0 * rec["grad2"])
        res[name] = {
            "momentum": momentum,
            "lr": lr,
            "eta": eta,
            "cos": sim.cos,
            "cos_se": rec["cos_se"],
            "cos_spa": rec["cos"],
            "gain": gain,
            "gain_se": gain_se,
            "sgd_level": rho_sgd(eta, obj.L) / r0[:, 0] - 1,
            "diverged": int(sim.diverged.sum()),
        }
    return res


def make(quick: bool = False, seed: int = 0):
    import matplotlib.pyplot as plt

    D = data(quick, seed)
    k = np.arange(D["steps"])
    fig, axes = plt.subplots(2, 2, figsize=(11, 8), sharex=True)
    colors = plt.cm.viridis(np.linspace(0.0, 0.8, len(D["c"])))
    z95 = 1.96
    for row, name in zip(axes, OBJECTIVES, strict=True):
        r = D[name]
        ax, ax2 = row
        for p, col in enumerate(colors):
            lab = rf"momentum {r['momentum'][p]:g} ($c$ = {D['c'][p]:g})"
            m, se = r["cos"][p], r["cos_se"][p]
            ax.plot(k[1:], m[1:], color=col, lw=1.2, label=lab)
            ax.fill_between(k[1:], (m - z95 * se)[1:], (m + z95 * se)[1:], color=col, alpha=0.2)
            gm, gs = r["gain"][p], r["gain_se"][p]
            ax2.plot(k[1:], gm[1:], color=col, lw=1.2, label=lab)
            ax2.fill_between(k[1:], (gm - z95 * gs)[1:], (gm + z95 * gs)[1:], color=col, alpha=0.2)
            ax2.axhline(r["sgd_level"][p], color=col, lw=1, ls=":")
        ax.axhline(0.0, color="k", lw=0.8)
        ax2.axhline(0.0, color="k", lw=0.8)
        ax2.plot([], [], color="gray", ls=":", label=r"SGD's $\rho$ (P3) at the same $\eta$")
        ax.set_xscale("log")
        ax2.set_xscale("log")
        ax2.set_yscale("symlog", linthresh=0.1)
        ax.set_ylabel(r"$E\,\cos(b_k, \nabla f(x_k))$" "\n(buffer vs true gradient)")
        ax2.set_ylabel(
            "predicted gain per step\n"
            r"$\gamma\,E\langle g_k, x_k - z_k\rangle \,/\, (\rho\,E|g_k|^2)$"
        )
        ax.set_title(
            f"{name}: buffer/gradient cosine (simulator, {D['runs']} runs, "
            rf"$\sigma^2$ = {SIGMA2:g}, $L\eta$ = {L_ETA:g})",
            fontsize=9,
        )
        ax2.set_title(f"{name}: P7's predicted gain per step (P7's weight b = 0)", fontsize=9)
        ax.legend(fontsize=8, loc="lower left")
        ax2.legend(fontsize=8, loc="lower left")
        ax.grid(alpha=0.3, which="both")
        ax2.grid(alpha=0.3, which="both")
    for ax in axes[1]:
        ax.set_xlabel("step $k$")
    fig.text(0.01, 0.005, SYMBOLS, fontsize=8, va="bottom", ha="left")
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    return fig


#: the symbols of the panels, in words (under the figure)
SYMBOLS = "\n".join(
    (
        r"$b_k$: momentum buffer of torch.optim.SGD;  $g_k$: stochastic gradient;  $c$ = 1 - "
        r"momentum and $\eta$ = lr / (1 - momentum): SPA's weight and step (P1);  "
        r"$x_k - z_k$ = momentum $\cdot\,\eta\, b_k$ (SPA form).",
        r"$\gamma, \rho$: P7's certified coefficients; step $k$ is credited with the decrease "
        r"$(1 + \mathrm{gain}_k)\,\rho\,|g_k|^2$.  Band: 95% confidence interval of the mean.",
        r"Dotted: SGD's certified rate at the same $\eta$ (P3), as a gain: above it, momentum's "
        "certified decrease beats SGD's.",
    )
)
