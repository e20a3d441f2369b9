"""Figure: the certified last-iterate bounds of the convex, strongly convex, PL and Lipschitz
classes against the exact worst case and a simulation (P13, P14, P15, P16; lyapunov.pep; the
simulator)."""

from __future__ import annotations

import math

import numpy as np

NAME = "classes"
TITLE = (
    "Convex, strongly convex, PL and Lipschitz classes: certified last-iterate bound, exact worst "
    "case and simulation (P13, P14, P15, P16)"
)
CAPTION = """
One panel per function class, each against the horizon n: the quantity bounded (f(x_n) - f_*,
or |x_n - x_*|^2 for the strongly convex class) after n steps, with gradient noise of variance
sigma2 (E|xi_k|^2 = sigma2). Solid line: the certified bound at the panel's sigma2
(`lyapunov.bounds`, from the certified theorem the panel names: P13 SGD on L-smooth convex f,
P14 SGD on mu-strongly convex L-smooth f, P15 SGD under the PL inequality, P16 schedule-free SGD
on convex G-Lipschitz f, whose x_n is the averaged point x, the gradient taken at y); dashed: the
same bound without noise (sigma2 = 0); squares: the exact worst case of the same quantity without
noise over the whole class with the same constants and the same |x_0 - x_*| (f(x_0) - f_* for
PL) (`lyapunov.pep`; for PL a relaxation, an upper bound on the worst case, since the PL
inequality is not an interpolation condition); dots: the Monte-Carlo mean over seeded runs of
`lyapunov.sim` on one objective of the class (`lyapunov.objectives`: logistic regression on
fixed synthetic data, a quadratic with spectrum in [0.1, 1], Karimi et al.'s x^2 + 3 sin^2 x
scaled to L = 1, a weighted l1 distance), with its 99% interval (`lyapunov.studies.classes`),
started at the distance and gap the bound uses. Every interval lies under its solid line. The
dashed line meets the squares for P14 (exact without noise), lies within 4% above the PL
relaxation, a factor (4n + 2)/(2n) above the squares for P13 (Drori and Teboulle's exact
L D^2/(4n + 2) against P13's L D^2/(2n) at lr = 1/L), and for P16 a factor at most 2.2 at n = 5
and 1.1 at n = 20 (lr = D/(G sqrt(N + 1)) is the step for the last horizon N = 300; P16's noise
term is thinner than the line there, so its dashed line lies under the solid one).
"""

#: one panel per class: (function class, objective name and arguments, method, parameters,
#: sigma2, last horizon N, runs of the full figure); lr "1/L" is 1 over the objective's L,
#: "D/G" is D/(G sqrt(N + 1)), Defazio et al.'s step for the horizon N
PANELS = (
    ("smooth_convex", ("logistic", {"m": 100}), "sgd", {"lr": "1/L"}, 1e-3, 300, 500),
    ("smooth_strongly_convex", ("convex_quadratic", {"mu": 0.1, "L": 1.0}), "sgd", {"lr": "1/L"},
     1e-2, 100, 1000),
    ("pl", ("pl_sine", {"a": 0.125}), "sgd", {"lr": "1/L"}, 1e-3, 1000, 1000),
    ("convex_lipschitz", ("l1", {}), "schedule_free", {"lr": "D/G", "momentum": 0.9}, 0.1, 300,
     1000),
)  # fmt: skip

MEASURE_TEXT = {"last_gap": r"$E\,f(x_n) - f_*$", "last_dist2": r"$E\,|x_n - x_*|^2$"}
CLASS_TEXT = {
    "smooth_convex": "L-smooth convex",
    "smooth_strongly_convex": "mu-strongly convex, L-smooth",
    "pl": "L-smooth, mu-PL (non-convex)",
    "convex_lipschitz": "convex, G-Lipschitz",
}
OBJECTIVE_TEXT = {
    "logistic": lambda o: f"logistic regression ({o.n_rows} samples)",
    "convex_quadratic": lambda o: f"a quadratic, spectrum in [{o.mu:g}, {o.L:g}]",
    "pl_sine": lambda o: f"{o.a:g} sum_i (x_i^2 + 3 sin^2 x_i)",
    "l1": lambda o: "sum_i w_i |x_i - c_i|",
}
DIM = 10


def _params(obj, params: dict, N: int) -> dict:
    """The panel's parameters with lr "1/L" (the objective's L) or "D/G" resolved."""
    if params.get("lr") == "1/L":
        return {**params, "lr": 1 / obj.L}
    if params.get("lr") == "D/G":
        lr = obj.distance() / (obj.G * math.sqrt(N + 1))
        return {**params, "lr": float(f"{lr:.3g}")}
    return dict(params)


def setup(panel) -> tuple:
    """(objective, parameters with lr resolved, measure, bound inputs) of a panel."""
    from ..objectives import make
    from ..studies.classes import bound_inputs

    cls, (name, kwargs), _, params, _, N, _ = panel
    obj = make(name, DIM, **kwargs)
    _, measure, inputs = bound_inputs(obj, cls, None)
    return obj, _params(obj, params, N), measure, inputs


def panel_data(panel, quick: bool, seed: int) -> dict:
    """The curves of one panel: dense n with the certified bound at sigma2 and at 0, the PEP
    horizons and worst cases, and the simulation (a ClassConfirmation)."""
    from ..bounds.classes import class_bound
    from ..studies.classes import confirm_class, worst_cases

    cls, _, method, _, sigma2, N, runs = panel
    obj, params, measure, inputs = setup(panel)

    def bound(s2):
        return class_bound(method, function_class=cls, sigma2=s2, steps=n, measure=measure,
                           detail=True, **params, **inputs)  # fmt: skip

    pep_n = np.array([5] if quick else [5, 10, 20])
    sim_n = np.unique(np.geomspace(1, N, 4 if quick else 9).astype(int))
    n = np.unique(np.concatenate([np.geomspace(1, N, 200).astype(int), pep_n, sim_n]))
    noisy, clean = bound(sigma2), bound(0.0)
    if not np.all(np.isfinite(noisy.value)):
        raise RuntimeError(f"figure classes, panel {cls}: {np.atleast_1d(noisy.reason)[0]}")
    sim = confirm_class(obj, method, steps=sim_n, sigma2=sigma2, function_class=cls,
                        runs=100 if quick else runs, seed=seed, **params)  # fmt: skip
    return {
        "class": cls, "objective": obj, "method": method, "params": params, "sigma2": sigma2,
        "measure": measure, "n": n, "bound": noisy.value, "bound0": clean.value,
        "theorem": sorted(set(np.atleast_1d(noisy.theorem)) - {""}),
        "pep_n": pep_n, "pep": worst_cases(obj, method, steps=pep_n, function_class=cls, **params),
        "sim": sim,
    }  # fmt: skip


def data(quick: bool, seed: int) -> list[dict]:
    return [panel_data(p, quick, seed) for p in PANELS]


def _title(d: dict) -> str:
    obj, sim = d["objective"], d["sim"]
    consts = ", ".join(f"{k} = {v:.3g}" for k, v in sim.constants.items())
    method = "SGD" if d["method"] == "sgd" else "schedule-free SGD"
    par = ", ".join(f"{k} {v:.3g}" for k, v in d["params"].items())
    start = f"|x_0 - x_*| = {sim.distance:.3g}" if d["class"] != "pl" else f"gap {sim.gap:.3g}"
    return (
        f"{CLASS_TEXT[d['class']]} ({consts}): {'+'.join(d['theorem'])}\n"
        f"{method}, {par}, sigma2 = {d['sigma2']:g}; {sim.runs} runs on\n"
        f"{OBJECTIVE_TEXT[obj.name](obj)} (dim {obj.dim}), {start}"
    )


def make(quick: bool = False, seed: int = 0):
    import matplotlib.pyplot as plt

    panels = data(quick, seed)
    fig, axes = plt.subplots(2, 2, figsize=(11, 9.2))
    for ax, d in zip(axes.ravel(), panels, strict=True):
        sim = d["sim"]
        ax.loglog(d["n"], d["bound"], "-", color="tab:blue", lw=1.8,
                  label="certified bound at the sigma2 of the title (lyapunov.bounds)")  # fmt: skip
        ax.loglog(d["n"], d["bound0"], "--", color="tab:blue", lw=1.2, alpha=0.8,
                  label="certified bound without noise (sigma2 = 0)")  # fmt: skip
        ax.loglog(d["pep_n"], d["pep"], "s", color="black", ms=6, mfc="none", mew=1.5,
                  label="exact worst case over the class, no noise (lyapunov.pep; "
                  "PL: relaxation, an upper bound)")  # fmt: skip
        low = np.maximum(sim.ci_low, 1e-300)  # log axis: an interval below 0 runs off it
        err = np.vstack([sim.mean - low, sim.ci_high - sim.mean])
        ax.errorbar(sim.n, sim.mean, yerr=err, fmt="o", color="tab:red", ms=4, capsize=2,
                    label=f"simulation on the objective of the title: mean and {sim.level:.0%} "
                    "interval over its seeded runs (lyapunov.sim)")  # fmt: skip
        ax.set_xlabel("steps n")
        ax.set_ylabel(MEASURE_TEXT[d["measure"]])
        ax.set_title(_title(d), fontsize=8.5)
        ax.grid(True, which="both", alpha=0.3)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=2, fontsize=8, frameon=False)
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    return fig
