"""Tightness per function class: the certified bound against the exact worst case.

Deterministic (sigma2 = 0), L = 1 (G = 1 for convex Lipschitz), |x_0 - x_*| = 1 (or
f(x_0) - f_* = 1 under PL). For each calculator of :mod:`lyapunov.bounds.classes` and each
n in (5, 10, 20), over a grid of step sizes (and momenta for schedule-free and SGD+M), prints
the median and the max of B / W, B the certified bound and W the exact worst case of the same
measure over the same class (``lyapunov.pep.solve``; for PL a relaxation, so B / W is an upper
bound on the true ratio), and the known exact constants where they exist (Drori-Teboulle for
gradient descent on smooth convex f). SGD+M goes through :func:`lyapunov.bounds.sgdm`: P17 (the
average gap, smooth convex), P21 (the last gap, smooth convex), P19 and P23 (smooth strongly
convex: the least of the two, then each alone) and P20 (PL); a grid point outside a theorem's
region (bound inf) is left out, and "points" counts those kept.

    nice python benchmarks/tightness_classes.py        # a few minutes on 2 cores
"""

from __future__ import annotations

import time

import numpy as np

from lyapunov import pep
from lyapunov.bounds import sgdm
from lyapunov.bounds.classes import class_bound, class_theorems

STEPS = (5, 10, 20)

# (label, method, class, measure, constants, initial, grid of (lr, momentum or None))
CASES = [
    (
        "sgd, smooth convex (P13)",
        "sgd",
        "smooth_convex",
        "last_gap",
        {"L": 1.0},
        {"distance": 1.0},
        [(lr, None) for lr in (0.25, 0.5, 0.75, 1.0)],
    ),
    (
        "sgd, strongly convex mu=0.1 (P14)",
        "sgd",
        "smooth_strongly_convex",
        "last_dist2",
        {"L": 1.0, "mu": 0.1},
        {"distance": 1.0},
        [(lr, None) for lr in (0.25, 0.5, 1.0, 1.8)],
    ),
    (
        "sgd, PL mu=0.1 (P15)",
        "sgd",
        "pl",
        "last_gap",
        {"L": 1.0, "mu": 0.1},
        {"gap": 1.0},
        [(lr, None) for lr in (0.25, 0.5, 1.0, 1.5)],
    ),
]


#: SGD+M's grid: t = L lr / (1 - momentum) (P21 needs t < 2) at momentum 1/2 and 9/10
_SGDM_GRID = [(t * (1 - m), m) for m in (0.5, 0.9) for t in (0.25, 0.5, 1.0, 1.5)]

SGDM_CASES = [
    (
        "sgdm, smooth convex, avg gap (P17)",
        "sgdm",
        "smooth_convex",
        "avg_gap",
        {"L": 1.0},
        {"distance": 1.0},
        _SGDM_GRID,
    ),
    (
        "sgdm, smooth convex, last gap (P21)",
        "sgdm",
        "smooth_convex",
        "last_gap",
        {"L": 1.0},
        {"distance": 1.0},
        _SGDM_GRID,
    ),
    (
        "sgdm, strongly convex mu=0.1 (P19, P23)",
        "sgdm",
        "smooth_strongly_convex",
        "last_gap",
        {"L": 1.0, "mu": 0.1},
        {"distance": 1.0},
        _SGDM_GRID,
    ),
    *(
        (
            f"sgdm, strongly convex mu=0.1, {label} alone",
            f"sgdm:{label}",
            "smooth_strongly_convex",
            "last_gap",
            {"L": 1.0, "mu": 0.1},
            {"distance": 1.0},
            _SGDM_GRID,
        )
        for label in ("P19", "P23")
    ),
    (
        "sgdm, PL mu=0.1 (P20)",
        "sgdm",
        "pl",
        "last_gap",
        {"L": 1.0, "mu": 0.1},
        {"gap": 1.0},
        _SGDM_GRID,
    ),
]


def _bound(method: str, **kw) -> float:
    """The certified bound: SGD+M through its own calculator (:func:`lyapunov.bounds.sgdm`,
    which takes the class and the measure, and the least of its theorems there), the others
    through :func:`class_bound`; ``"sgdm:P19"`` is one theorem of SGD+M alone."""
    if method.startswith("sgdm:"):
        return _one_theorem(method.split(":")[1], **kw)
    if method == "sgdm":
        return sgdm(**kw)
    return class_bound(method, **kw)


def _one_theorem(label: str, *, function_class: str, measure: str, distance, **kw) -> float:
    """The bound of the theorem ``label`` of SGD+M alone (inf outside its region); the start's
    gap is L distance^2 / 2, as the calculator takes it."""
    ct = next(t for t in class_theorems()["sgdm", function_class, measure] if t.label == label)
    values = {k: np.asarray(v, float) for k, v in kw.items()}
    values["dist2"] = np.asarray(distance**2, float)
    values["gap"] = values["L"] * values["dist2"] / 2
    return float(ct(**values))


def _free_cases():
    grid = [(s, m) for s in (0.5, 1.0, 2.0) for m in (0.0, 0.5, 0.9)]
    return (
        "schedule-free, convex 1-Lipschitz (P16)",
        "schedule_free",
        "convex_lipschitz",
        "last_gap",
        {"G": 1.0},
        {"distance": 1.0},
        grid,
    )


def main() -> None:
    t0 = time.perf_counter()
    print(f"{'calculator':42s} {'n':>3s} {'median B/W':>11s} {'max B/W':>9s} {'points':>7s}")
    for label, method, cls, measure, consts, init, grid in [
        *CASES,
        _free_cases(),
        *SGDM_CASES,
    ]:
        for n in STEPS:
            ratios = []
            for lr, m in grid:
                if method == "schedule_free":
                    lr = lr / np.sqrt(n + 1)  # the scale of Defazio et al.'s step D/(G sqrt T)
                extra = {} if m is None else {"momentum": m}
                b = _bound(
                    method,
                    function_class=cls,
                    measure=measure,
                    lr=lr,
                    sigma2=0.0,
                    steps=n,
                    **consts,
                    **init,
                    **extra,
                )
                w = pep.solve(
                    method.split(":")[0],
                    steps=n,
                    function_class=cls,
                    measure=measure,
                    lr=lr,
                    **consts,
                    **init,
                    **extra,
                ).value
                if np.isfinite(b) and w > 0:
                    ratios.append(b / w)
            if not ratios:  # no point of the grid in the theorem's region
                print(f"{label:42s} {n:3d} {'-':>11s} {'-':>9s} {0:7d}")
                continue
            r = np.array(ratios)
            print(f"{label:42s} {n:3d} {np.median(r):11.3f} {r.max():9.3f} {len(r):7d}")
    print(
        "\nknown: GD at lr = 1/L on smooth convex f has the exact worst case "
        "L D^2/(4n + 2) (Drori-Teboulle); P13 gives L D^2/(2n), so B/W = 2 + 1/n there: a "
        "potential a_k (f - f_*) + b |x - x_*|^2 can grow a_k by at most L lr per step."
    )
    print(f"total {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
