r"""Confirm the certified bounds by simulation: Monte-Carlo mean and interval under the bound.

For an objective with smoothness L and certified floor f_lower, a method of the registry
(:mod:`lyapunov.methods.registry`: its parameters by name) and its parameters, run R i.i.d.
runs (seed indices 0..R-1, the same x_0) and take per run

    Y_r = (1/n) sum_{k<n} |grad f(p_k)|^2,

p_k the point where the k-th gradient is taken (x_k; GSPA's y_k for nesterov, qhm,
schedule_free and gspa).

The empirical value is the mean of the Y_r; the interval is the **normal-approximation**
two-sided interval at ``level`` (default 99%): mean +- z sd / sqrt(R), z = Phi^{-1}(1 -
(1 - level)/2), sd the sample standard deviation (ddof = 1). The bound is the certified one
from :mod:`lyapunov.bounds` for the same parameters with gap = f(x_0) - f_lower (>= f(x_0) -
inf f, so conservative) and the noise variance sigma2 (for minibatch noise: the largest exact
conditional variance met along the runs, measured, not an a-priori bound). The check passes
when no run diverged and ci_high <= bound. The calculator is the one of the dispatcher,
:func:`lyapunov.bounds.dispatch.certified_bound`: ``bounds.<method>`` for constants (P3, P4,
P4c, P8 + P10; P11, P12 for the members of GSPA, :data:`FAMILY`, on the average at y_k) and
``spa_schedule`` / ``sgdm_schedule`` / ``gspa_schedule`` (gspa's eta and c) for schedules (the
uniform average, which is what is simulated); where none exists (a schedule of QHM, say) the
bound is ``None``.

Outcomes (``"outcome"``), from the interval [ci_low, ci_high] and the bound B:

* ``"overflow"``: some run left the range of float64 (``"overflowed"`` runs: a gradient, an
  iterate or the sum of |grad f|^2 became inf, at an input of huge scale such as sigma2 =
  1e308): the simulation says nothing about the bound; never a violation (the CLI exits 2);
* ``"confirmed"``: ci_high <= B (and no run diverged);
* ``"violated"``: ci_low > B, or some run diverged (ran away past the blow-up threshold R,
  not an overflow) although B is finite and below (L R)^2, the squared gradient on the
  quadratic at the threshold (a larger B, from the chain of P24 and P10 beyond every descent
  lemma, allows runs that far out): a real alarm (the certified bound or the simulator is
  wrong); the CLI exits 1 only for this;
* ``"inconclusive"``: ci_low <= B < ci_high, the interval straddles the bound (common when the
  bound is tight, e.g. on a quadratic); more runs narrow the interval, and ``"runs_needed"``
  estimates how many would separate them if the mean and spread stay as measured;
* ``"no bound"``: no certified bound applies, or it is inf.

``"passed"`` is True / False / None for confirmed / violated / anything else.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from .bounds import dispatch
from .bounds.schedule import UniformAverageWarning
from .jsonio import jsonable
from .methods import Method
from .methods.registry import FAMILY, METHODS
from .methods.registry import get as get_method
from .objectives import Objective, make
from .sim import simulate
from .sim.result import default_blowup

__all__ = [
    "confirm",
    "confirmation",
    "suite",
    "format_rows",
    "certified_bound",
    "jsonable",
    "outcome",
    "runs_needed",
    "OUTCOMES",
]

OUTCOMES = ("confirmed", "violated", "inconclusive", "no bound", "overflow")


def _z(level: float) -> float:
    from scipy.stats import norm

    if not (0 < level < 1):
        raise ValueError(f"level: must be in (0, 1), got {level!r}")
    return float(norm.ppf(1 - (1 - level) / 2))


def certified_bound(
    method: str, params: dict, L: float, sigma2: float, steps: int, gap: float
) -> tuple[float | None, str]:
    """The certified bound for one configuration and the calculator used (or why none).

    ``params`` maps parameter names to (T,) arrays (T = 1: constant, T = steps: schedule).
    The calculator is the one :func:`lyapunov.bounds.dispatch.certified_bound` chooses for the
    method (SGD+M in PyTorch and heavy-ball form: ``sgdm``, the same iterates by P1; a
    schedule: ``spa_schedule``, ``sgdm_schedule`` or ``gspa_schedule``, the uniform average,
    which is what is simulated); where there is none (e.g. a schedule of QHM) the bound is
    ``None`` and the second item says why.
    """
    if method not in METHODS:
        return None, f"no certified calculator for {method} (a method of your own)"
    const = all(v.shape[-1] == 1 for v in params.values())
    g = {"L": L, "sigma2": sigma2, "gap": gap}
    numbers = {k: float(v[0]) for k, v in params.items() if v.shape[-1] == 1}
    if const:
        schedule = None
    else:
        schedule = {k: np.broadcast_to(v, (steps,)) for k, v in params.items() if k not in numbers}
    try:
        fun = dispatch.calculator(method, schedule=schedule)
    except dispatch.NoCalculatorError as exc:
        return None, str(exc)
    if const:
        return float(dispatch.certified_bound(method, steps=steps, **numbers, **g)), fun.__name__
    with warnings.catch_warnings():  # the uniform average is what is simulated
        warnings.simplefilter("ignore", UniformAverageWarning)
        value = dispatch.certified_bound(method, schedule=schedule, **numbers, **g)
    return float(value), fun.__name__


def outcome(
    ci_low: float,
    ci_high: float,
    bound: float | None,
    diverged: int = 0,
    overflowed: int = 0,
    alarm: float = math.inf,
) -> tuple[str, bool | None]:
    """(outcome, passed) of an interval against a bound; see the module docstring
    (``diverged``: runs that ran away; ``overflowed``: runs that left float64's range, one
    more where the mean or the spread of the others did; ``alarm``: a divergence is a
    violation only where the bound is at most this, (L R)^2)."""
    if overflowed > 0:
        return "overflow", None
    if bound is None or not math.isfinite(bound):
        return "no bound", None
    if diverged > 0 and bound > alarm:
        return "inconclusive", None
    if diverged > 0 or ci_low > bound:
        return "violated", False
    if ci_high <= bound:
        return "confirmed", True
    return "inconclusive", None


def runs_needed(runs: int, mean: float, half: float, bound: float | None) -> int | None:
    """Runs after which the interval half-width |bound - mean| would separate the mean from
    the bound (half-width ~ 1/sqrt(runs)), or None if it cannot (mean == bound, no bound)."""
    if bound is None or not math.isfinite(bound) or not math.isfinite(half):
        return None
    gap = abs(bound - mean)
    if not math.isfinite(gap) or gap == 0:
        return None
    return int(math.ceil(runs * 1.1 * (half / gap) ** 2))


def _row(res, p: int, obj: Objective, z: float, sigma2: float | None) -> dict:
    """The confirmation of configuration p of a simulation result."""
    y = res.run_grad2[p]
    over = res.overflowed[p]
    div = res.diverged[p] & ~over  # ran away (an overflow is counted apart)
    ok = y[~div & ~over]
    n = ok.size
    with np.errstate(over="ignore", invalid="ignore"):
        mean = float(ok.mean()) if n else math.nan
        half = float(z * ok.std(ddof=1) / math.sqrt(n)) if n > 1 else math.inf
    spread = n > 1 and not (math.isfinite(mean) and math.isfinite(half))  # it overflowed
    params = {k: v[p] for k, v in res.params.items() if k != "sigma2"}
    s2 = float(res.params["sigma2"][p].max()) if sigma2 is None else float(sigma2)
    gap = float(np.max(res.f0[p]) - obj.f_lower)
    bound, kind = certified_bound(res.method, params, obj.L, s2, res.steps, max(gap, 0.0))
    lo, hi = mean - half, mean + half
    radius = res.blowup if res.blowup is not None else default_blowup(res.params["sigma2"][p])
    scale = float(obj.L) * float(radius)
    alarm = scale * scale if scale < 1e150 else math.inf  # (L R)^2; inf beyond the floats
    verdict, passed = outcome(lo, hi, bound, int(div.sum()), int(over.sum()) + spread, alarm)
    needed = runs_needed(int(y.size), mean, half, bound) if verdict == "inconclusive" else None
    show = {k: (float(v[0]) if v.shape[0] == 1 else v.tolist()) for k, v in params.items()}
    return {
        "objective": obj.name,
        "dim": obj.dim,
        "method": res.method,
        "params": show,
        "steps": res.steps,
        "runs": int(y.size),
        "sigma2": s2,
        "L": obj.L,
        "gap": gap,
        "empirical": mean,
        "ci_low": lo,
        "ci_high": hi,
        "bound": bound,
        "calculator": kind,
        "ratio": (hi / bound) if bound not in (None, 0.0) and math.isfinite(bound) else None,
        "diverged": int(div.sum()),
        "overflowed": int(over.sum()),
        "outcome": verdict,
        "passed": passed,
        "runs_needed": needed,
        "cos_mean": None if res.cos is None else float(np.nanmean(res.cos[p])),
        "f_final": None if res.f is None else float(res.f[p, -1]),
    }


def confirmation(res, p: int, obj: Objective, *, level: float = 0.99) -> dict:
    """The row of configuration ``p`` of the simulation result ``res`` on ``obj`` (the dict of
    :func:`confirm` without ``level`` and ``engine``): its Monte-Carlo mean and interval at
    ``level`` against the certified bound, with the variance of the simulated noise."""
    return _row(res, p, obj, _z(level), None)


def confirm(
    objective: Objective | str,
    method: str | Method = "sgdm",
    *,
    steps: int,
    runs: int,
    sigma2: float = 0.0,
    lr=None,
    momentum=None,
    eta=None,
    c=None,
    nu=None,
    beta=None,
    seed: int = 0,
    dim: int = 10,
    batch: int | None = None,
    level: float = 0.99,
    engine: str = "auto",
    progress=None,
    params: dict | None = None,
) -> dict:
    """Simulate one configuration and set its Monte-Carlo mean and interval against the bound.

    Returns a dict with keys ``empirical, ci_low, ci_high, bound, diverged`` (number of
    diverged runs, excluded from the mean), ``overflowed`` (runs that left float64's range,
    excluded too), ``outcome`` ("confirmed", "violated", "inconclusive", "no bound" or
    "overflow", see the module docstring), ``passed`` (True / False / None
    for confirmed / violated / otherwise), ``runs_needed`` (inconclusive only: about how many
    runs would separate the interval from the bound), ``ratio`` (ci_high /
    bound), ``gap``, ``L``, ``sigma2`` (the variance the bound uses), ``calculator``,
    ``level``, ``objective``, ``method``, ``params``, ``steps``, ``runs``, ``cos_mean``
    (mean C4 cosine), ``f_final``.
    ``method`` and its parameters: as :func:`lyapunov.sim.simulate` (the names of the registry
    of methods: lr, momentum, eta, c, nu, beta; any method's by name in ``params``: a method
    of your own, a :class:`lyapunov.methods.Method` or a method file, has no certified bound,
    only its Monte-Carlo mean). Parameters are numbers or schedules (1-D arrays of length
    ``steps``), not grids.
    ``progress(done_steps, steps)``, if given, is called about 20 times (a progress bar).
    """
    z = _z(level)
    if isinstance(runs, bool) or not isinstance(runs, int) or runs < 2:
        raise ValueError(f"runs: must be an integer >= 2 for an interval, got {runs!r}")
    obj = make(objective, dim) if isinstance(objective, str) else objective
    given = {"lr": lr, "momentum": momentum, "eta": eta, "c": c, "nu": nu, "beta": beta}
    given.update(params or {})
    for name, v in given.items():
        if v is not None and np.ndim(v) > 1:
            raise ValueError(f"{name}: confirm takes one configuration (use suite for grids)")
    res = simulate(
        obj,
        method,
        steps=steps,
        runs=runs,
        seed=seed,
        **{k: v for k, v in given.items() if v is not None},
        sigma2=sigma2,
        batch=batch,
        record=("f", "cos"),
        record_variance=batch is not None,
        engine=engine,
        progress=progress,
    )
    s2 = float(res.var_max[0]) if batch is not None else None
    out = _row(res, 0, obj, z, s2)
    out["level"] = level
    out["engine"] = res.engine
    if batch is not None:
        out["batch"] = batch
        out["note"] = "sigma2 = largest exact minibatch variance measured along the runs"
    return out


def _constant_grid(L: float, momenta, fractions) -> dict[str, np.ndarray]:
    """(lr, momentum) pairs with lr a fraction of the largest certified lr (1 - m^2)/L."""
    pairs = [(f * (1 - m * m) / L, m) for m in momenta for f in fractions]
    return {"lr": np.array([[a] for a, _ in pairs]), "momentum": np.array([[m] for _, m in pairs])}


#: the parameters beyond the (lr, momentum) grid of the members of GSPA (:data:`FAMILY`, the
#: registry's) the suite adds with ``family=True``: QHM at nu = 0.7 (its authors' default),
#: GSPA half-way between heavy ball (beta = 1) and SGD on z (beta = 0)
_FAMILY_EXTRA = {"nu": 0.7, "beta": 0.5}


def _family_grid(method: str, g: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The parameters of ``method`` on the (lr, momentum) grid ``g``: by name, from the extras,
    or (gspa) eta = lr/(1 - momentum), c = 1 - momentum (heavy ball's map, P1)."""
    from .methods.registry import to_gspa

    eta, c, _ = to_gspa("sgdm", lr=g["lr"], momentum=g["momentum"])
    known = {**g, "eta": eta, "c": c}
    return {p: known[p] if p in known else _FAMILY_EXTRA[p] for p in get_method(method).params}


def suite(
    objectives=("cosine", "lsq", "rosenbrock", "net"),
    *,
    dim: int = 10,
    steps: int = 200,
    runs: int = 64,
    sigma2s=(0.0, 0.1),
    momenta=(0.0, 0.5, 0.9),
    fractions=(0.2, 0.9),
    schedules: bool = True,
    family: bool = False,
    seed: int = 0,
    level: float = 0.99,
    engine: str = "auto",
) -> list[dict]:
    """Confirmations across objectives x sigma2 x (lr, momentum) grid (+ schedules).

    The grid is ``lr = fraction (1 - momentum^2)/L`` (the certified region of P4 is
    L lr <= 1 - momentum^2 in PyTorch coordinates) for every momentum, all configurations of
    one objective and sigma2 in one batched simulation. With ``schedules``: a PyTorch step
    decay of lr (x0.1 at steps/2) at momentum 0.9, a cosine lr, a momentum drop 0.9 -> 0 at
    steps/4, and SPA with a cosine eta at c = 0.1, each checked against the schedule
    calculators when they exist. With ``family``: the same grid for each member of
    :data:`FAMILY` (torch's Nesterov, QHM at nu = 0.7, schedule-free SGD, GSPA at heavy ball's
    eta, c and beta = 0.5; "no bound" until their calculators are wired). Every row is the
    dict of :func:`confirm`.
    """
    from .sim import schedules as sch

    z = _z(level)
    rows: list[dict] = []
    for name in objectives:
        obj = make(name, dim) if isinstance(name, str) else name
        L = obj.L
        for s2 in sigma2s:
            g = _constant_grid(L, momenta, fractions)
            res = simulate(
                obj, "sgdm", steps=steps, runs=runs, seed=seed, sigma2=s2, engine=engine, **g
            )
            rows += [_row(res, p, obj, z, None) for p in range(res.configs)]
            for method in FAMILY if family else ():
                res = simulate(
                    obj, method, steps=steps, runs=runs, seed=seed, sigma2=s2, engine=engine,
                    **_family_grid(method, g),
                )  # fmt: skip
                rows += [_row(res, p, obj, z, None) for p in range(res.configs)]
            if not schedules:
                continue
            m = 0.9
            top = 0.9 * (1 - m * m) / L
            lr_sched = np.stack(
                [
                    sch.step_decay(top, steps, steps // 2),
                    sch.cosine(top, steps),
                    np.full(steps, top),
                ]
            )
            mom_sched = np.stack(
                [np.full(steps, m), np.full(steps, m), sch.momentum_drop(m, steps, steps // 4)]
            )
            res = simulate(
                obj,
                "sgdm",
                steps=steps,
                runs=runs,
                seed=seed,
                sigma2=s2,
                lr=lr_sched,
                momentum=mom_sched,
                engine=engine,
            )
            rows += [_row(res, p, obj, z, None) for p in range(res.configs)]
            cc = 0.1
            res = simulate(
                obj,
                "spa",
                steps=steps,
                runs=runs,
                seed=seed,
                sigma2=s2,
                eta=sch.cosine(0.9 * (2 - cc) / L, steps, 0.1 / L),
                c=cc,
                engine=engine,
            )
            rows.append(_row(res, 0, obj, z, None))
    return rows


_SHORT = {
    "confirmed": "ok",
    "violated": "FAIL",
    "inconclusive": "?",
    "no bound": "skip",
    "overflow": "OVER",
}


def format_rows(rows: list[dict]) -> str:
    """A text table: outcome (ok, FAIL = violated, ? = inconclusive, skip = no bound, OVER =
    overflow), objective, method, parameters, empirical [ci], bound, ratio, diverged runs."""
    out = []
    for r in rows:
        ps = ", ".join(
            f"{k}={v:.4g}" if isinstance(v, float) else f"{k}=sched" for k, v in r["params"].items()
        )
        b = "n/a" if r["bound"] is None else f"{r['bound']:.4g}"
        ratio = "" if r["ratio"] is None else f"{r['ratio']:.3f}"
        verdict = _SHORT[r.get("outcome", "no bound")]
        out.append(
            f"{verdict:5} {r['objective']:10} {r['method']:5} {ps:36} s2={r['sigma2']:<5.3g} "
            f"emp={r['empirical']:.4g} [{r['ci_low']:.4g}, {r['ci_high']:.4g}] bound={b} "
            f"ci/bound={ratio} div={r['diverged']}"
        )
    return "\n".join(out)
