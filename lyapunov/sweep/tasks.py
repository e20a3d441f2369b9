r"""What one dask task computes: a chunk of a grid, by the single-process functions themselves.

Nothing here imports dask: a task is a plain function of plain arguments, so a chunk computed
on a worker is the same computation as in one process, bit for bit:

* :func:`simulate_chunk` is one call of :func:`lyapunov.sim.simulate` with a (P, 1) grid of
  constants (each run uses the noise of its seed index, a pure function of (seed, run, step),
  the same in any chunk), then per configuration the confirmation row of
  :mod:`lyapunov.confirm` (Monte-Carlo mean of Y_r = (1/n) sum_{k<n} |grad f(x_k)|^2, its
  normal-approximation interval at ``level``, the certified bound of :mod:`lyapunov.bounds`
  with gap = f(x_0) - f_lower, the number of diverged runs);
* :func:`pep_chunk` calls :func:`lyapunov.pep.pep_spa` (the exact worst case of the average
  (1/n) sum_{k<n} |grad f(x_k)|^2, the quantity the calculators bound) and
  :func:`lyapunov.bounds.spa` (sigma2 = 0) per point.
"""

from __future__ import annotations

import math

import numpy as np

from .. import bounds, confirm
from ..objectives import Objective, make
from ..sim import simulate

__all__ = ["simulate_chunk", "pep_chunk"]


def simulate_chunk(
    objective: str | Objective,
    method: str,
    params: dict[str, np.ndarray],
    *,
    steps: int,
    runs: int,
    seed: int,
    dim: int,
    level: float,
    engine: str,
    keep_runs: bool = False,
) -> dict:
    """Simulate the configurations ``params`` (name -> (P,) values) of one objective.

    Returns ``{"rows": [one dict per configuration], "run_grad2": (P, runs) or None,
    "diverged_step": (P, runs) or None}`` (per-run arrays only with ``keep_runs``).
    """
    obj = make(objective, dim) if isinstance(objective, str) else objective
    res = simulate(
        obj,
        method,
        steps=steps,
        runs=runs,
        seed=seed,
        engine=engine,
        **{k: np.asarray(v, dtype=float).reshape(-1, 1) for k, v in params.items()},
    )
    rows = []
    for p in range(res.configs):
        row = confirm.confirmation(res, p, obj, level=level)  # as lyapunov.confirm builds it
        row.update(seed=seed, level=level, engine=res.engine)
        rows.append(row)
    return {
        "rows": rows,
        "run_grad2": res.run_grad2 if keep_runs else None,
        "diverged_step": res.diverged_step if keep_runs else None,
    }


def pep_chunk(
    eta: np.ndarray,
    c: np.ndarray,
    steps: np.ndarray,
    *,
    L: float,
    gap: float,
    condition: str,
    z_points: bool,
) -> dict:
    """Worst case of (1/n) sum_{k<n} |grad f(x_k)|^2 (deterministic SPA, lyapunov.pep's
    average metric) and the certified bound per point: ``ratio`` = bound / worst case, like
    with like (>= 1 for a sound bound where the PEP's function class is the bound's).
    """
    from ..pep import pep_spa

    rows = []
    for e, cc, n in zip(eta, c, steps, strict=True):
        e, cc, n = float(e), float(cc), int(n)
        pep = pep_spa(e, cc, L=L, steps=n, gap=gap, condition=condition, z_points=z_points)
        b = bounds.spa(eta=e, c=cc, L=L, sigma2=0.0, steps=n, gap=gap, detail=True)
        value, bound = float(pep.value), float(b.value)
        ok = math.isfinite(bound) and math.isfinite(value) and value > 0
        rows.append(
            {
                "eta": e,
                "c": cc,
                "steps": n,
                "L": L,
                "gap": gap,
                "condition": condition,
                "z_points": z_points,
                "worst_case": value,
                "status": pep.status,
                "solve_time": pep.solve_time,
                "bound": bound,
                "theorem": str(b.theorem) or None,
                "ratio": bound / value if ok else None,
            }
        )
    return {"rows": rows}
