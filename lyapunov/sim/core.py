"""``simulate``: SGD / SGD+M in any form and the momentum family (Nesterov, QHM, schedule-free
SGD, GSPA), schedules and grids, many seeds, one array program."""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from ..methods import Method
from ..methods import load as load_method
from ..objectives import Objective, make
from ..validate import check_range
from . import engine_method, engine_numba, engine_numpy
from .forms import CODES, GSPA, METHODS, gspa_coordinates
from .noise import run_keys
from .params import as_param, broadcast_configs
from .spec import Run

__all__ = [
    "simulate",
    "SimResult",
    "AUTO_NUMBA_WORK",
    "auto_engine",
    "memory_estimate",
    "available_memory",
    "check_memory",
    "default_blowup",
    "overflowed",
]

#: engine="auto" compiles the numba kernel only for at least this many element-steps
#: (P x runs x steps x dim), where compiling it pays (:func:`auto_engine`)
AUTO_NUMBA_WORK = 1e8
#: float64 arrays of shape (P, runs, dim) alive at once at the peak of a numpy-engine step
#: besides the objective's own temporaries (x, the second state, the noise and its counters,
#: the noisy gradient, the two updated states, np.where copies), and of shape (P, runs)
#: (per-run records and masks); measured with tracemalloc on every objective, rounded up
STATE_ARRAYS, RUN_ARRAYS = 15, 12
#: the GSPA kernel keeps y_k = (1 - beta) z_k + beta x_k alive besides, and one temporary of
#: building it (measured the same way)
GSPA_STATE_ARRAYS = STATE_ARRAYS + 2


def objective_bytes_per_run(objective: Objective) -> int:
    """Peak bytes of one call of ``objective.grad`` and ``objective.f`` per run (measured on 64
    runs with tracemalloc; 4 arrays of dim floats where tracing is already on elsewhere)."""
    import tracemalloc

    d = objective.dim
    if tracemalloc.is_tracing():
        return 4 * 8 * d
    X = np.broadcast_to(np.asarray(objective.x0(), dtype=float), (1, 64, d)).copy()
    tracemalloc.start()
    try:
        with np.errstate(all="ignore"):
            objective.grad(X)
            objective.f(X)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return int(np.ceil(peak / 64))


def memory_estimate(
    configs: int,
    runs: int,
    dim: int,
    steps: int,
    trajectory: bool,
    objective_bytes: int = 0,
    method: str | None = None,
    state_vectors: int | None = None,
) -> int:
    """Bytes a simulation needs at its peak (an estimate erring on the large side):

    8 (15 P S d + 12 P S + 6 P n) + P S objective_bytes  (+ 8 (n + 1) P S d with
    ``trajectory``), for P configurations, S runs, dim d, n steps, and ``objective_bytes`` the
    objective's own temporaries per run (:func:`objective_bytes_per_run`); 17 P S d instead
    of 15 for a ``method`` run by the GSPA kernel (nesterov, qhm, schedule_free, gspa).
    """
    P, S, d, n = configs, runs, dim, steps
    arrays = GSPA_STATE_ARRAYS if CODES.get(method) == GSPA else STATE_ARRAYS
    if state_vectors is not None:  # a method run from its matrices: state, next state, einsums
        arrays = max(arrays, 4 * state_vectors + 8)
    total = 8 * (arrays * P * S * d + RUN_ARRAYS * P * S + 6 * P * n)
    total += P * S * objective_bytes
    if trajectory:
        total += 8 * (n + 1) * P * S * d
    return total


def available_memory() -> int | None:
    """Bytes of memory available now (MemAvailable of /proc/meminfo, else the free physical
    pages), or None where the system does not say."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, OSError, ValueError):
        return None


def _gb(b: float) -> str:
    return f"{b / 1e9:.3g} GB"


def _fit(need_at, have: float, low: int = 1) -> int:
    """The largest integer v >= low with ``need_at(v) <= have`` (``need_at`` affine and
    increasing in v), or ``low - 1`` if none."""
    a = need_at(0)
    slope = need_at(1) - a
    if slope <= 0:
        return low if a <= have else low - 1
    v = int((have - a) // slope)
    return v if v >= low else low - 1


def check_memory(
    objective: Objective,
    configs: int,
    runs: int,
    steps: int,
    trajectory: bool,
    method: str | None = None,
    state_vectors: int | None = None,
    *,
    have: float | None = None,
    where: str = "",
) -> None:
    """ValueError if the simulation would not fit in the memory available (``have`` bytes,
    default :func:`available_memory`; ``where`` says whose memory, e.g. " per dask worker").

    The need is :func:`memory_estimate`: a part growing with the runs (the state arrays of
    runs x dim numbers, or the trajectory) and a part growing with the steps (the per-step
    records). The message names ``runs`` or ``steps``, whichever part is the larger, with
    the product steps x runs x dim and how many would fit with the other held fixed.
    """
    dim = objective.dim
    have = available_memory() if have is None else have
    m = {"method": method, "state_vectors": state_vectors}
    if have is None or memory_estimate(configs, runs, dim, steps, trajectory, **m) <= have / 2:
        return  # clearly fits: no need to measure the objective
    ob = objective_bytes_per_run(objective)

    def need(r: int, n: int) -> int:
        return memory_estimate(configs, r, dim, n, trajectory, ob, **m)

    total = need(runs, steps)
    if total <= have:
        return
    by_steps = need(0, steps) - need(0, 0)  # the per-step records alone
    name = "steps" if 2 * by_steps >= total else "runs"  # the larger part of the need
    other = "runs" if name == "steps" else "steps"
    value, held = (steps, runs) if name == "steps" else (runs, steps)

    def need_at(v: int, w: int = held) -> int:
        return need(w, v) if name == "steps" else need(v, w)

    fit = _fit(need_at, have)
    hint = f"use at most about {_count(fit, name)} with {_count(held, other)}"
    if fit < 1:  # the other part alone is too large
        most = _fit(lambda v: need_at(v, 1), have)
        hint = f"use fewer {other}, and at most about {_count(most, name)}"
    raise ValueError(
        f"{name}: {_count(value, name)} x {_count(held, other)} x {configs} configuration(s) "
        f"x dim {dim}"
        + (f" x {steps + 1} recorded steps" if trajectory else "")
        + f" need about {_gb(total)} of memory, more than the {_gb(have)} available{where}; "
        + hint
    )


def _count(n: int, plural: str) -> str:
    """``_count(1, "runs")`` = "1 run", ``_count(5, "runs")`` = "5 runs"."""
    return f"{n} {plural[:-1] if n == 1 else plural}"


def auto_engine(work: float, *, gaussian: bool = True, trajectory: bool = False) -> str:
    """What ``engine="auto"`` runs: ``"numba"`` when numba is installed, the noise is Gaussian,
    no trajectory is kept and the ``work`` P x runs x steps x dim is at least
    :data:`AUTO_NUMBA_WORK` element-steps; ``"numpy"`` otherwise.

    Why that many: compiling the fused kernel takes 10 to 15 s (once per objective and
    process) and the kernel then runs about 2 to 2.5 times as fast as numpy, so it pays from
    W* = T_compile / (1/r_numpy - 1/r_numba) element-steps: measured on 2 cores by
    ``benchmarks/engine_breakeven.py``, W* = 8e7 on cosine and 1.7e8 on lsq.
    """
    if gaussian and not trajectory and work >= AUTO_NUMBA_WORK and engine_numba.available():
        return "numba"
    return "numpy"


@dataclass
class SimResult:
    r"""What a simulation records. P configurations x S seeds (runs), dim d, n steps.

    Per step k (mean over the runs of a configuration still alive at step k; ``alive`` counts
    them, and a mean over no run is NaN, never a silent 0):

    x_k below is the point where the k-th gradient is taken (the optimizer's parameters in
    train mode): GSPA's y_k = (1 - beta_k) z_k + beta_k x_k for the GSPA members
    (``nesterov``, ``qhm``, ``schedule_free``, ``gspa``), the iterate itself otherwise.

    * ``grad2[p, k]`` = mean |grad f(x_k)|^2,  ``f[p, k]`` = mean f(x_k) (if recorded),
    * ``cos[p, k]`` = mean cos(buffer_k, grad f(x_k)) (momentum methods, if recorded; taken as
      0 where the buffer is 0, e.g. at k = 0), the C4 correlation.

    Per run: ``run_grad2[p, s]`` = (1/n) sum_{k<n} |grad f(x_k)|^2, NaN for a diverged run;
    ``diverged[p, s]`` and ``diverged_step[p, s]`` (-1 if it did not diverge: the first k
    with a non-finite gradient or |x_k| > blowup; the run is frozen at x_k from then on);
    ``overflowed[p, s]``: the run left the range of float64 (it stopped at a point within
    blowup, or at a non-finite one, because its arithmetic overflowed; or its sum of
    |grad f(x_k)|^2 overflowed): a numerical limit of the input's scale, not a divergence of
    the method; ``run_grad2`` is NaN there too. ``f0[p, s]`` = f(x_0). ``x`` is the final
    state (P, S, d) (x_k of the step of divergence for diverged runs) and ``state`` the
    second state (b, z or x_{k-1}); for the GSPA members ``x`` is y_n (with the last step's
    beta if beta is a schedule), ``x_eval`` is GSPA's final x_n (schedule-free's eval-mode
    parameters; None for the other methods) and ``gspa`` holds their (eta_k, c_k, beta_k) as
    (P, T) arrays. ``trajectory``
    (n + 1, P, S, d) only if asked. ``var_mean``/``var_max``: minibatch noise only, the exact
    conditional variance E|xi_k|^2 at x_k (mean per step, max over steps and runs).
    """

    method: str
    params: dict[str, np.ndarray]
    steps: int
    seeds: int
    seed: int
    engine: str
    grad2: np.ndarray
    f: np.ndarray | None
    cos: np.ndarray | None
    alive: np.ndarray
    run_grad2: np.ndarray
    diverged_step: np.ndarray
    f0: np.ndarray
    x: np.ndarray
    state: np.ndarray
    trajectory: np.ndarray | None = None
    var_mean: np.ndarray | None = None
    var_max: np.ndarray | None = None
    extra: dict = field(default_factory=dict)
    x_eval: np.ndarray | None = None
    gspa: dict[str, np.ndarray] | None = None
    overflowed: np.ndarray | None = None
    blowup: float | None = None

    @property
    def diverged(self) -> np.ndarray:
        return self.diverged_step >= 0

    @property
    def configs(self) -> int:
        return self.grad2.shape[0]


def _int(name: str, value, low: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise ValueError(f"{name}: must be an integer >= {low}, got {value!r}")
    return int(value)


def _mean(s: np.ndarray, n: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, s / np.maximum(n, 1), np.nan)


def simulate(
    objective: Objective | str,
    method: str | Method = "sgdm",
    *,
    steps: int,
    runs: int = 1,
    seed: int = 0,
    lr=None,
    momentum=None,
    eta=None,
    c=None,
    nu=None,
    beta=None,
    sigma2=0.0,
    batch: int | None = None,
    dim: int = 10,
    x0=None,
    record: tuple[str, ...] = ("f", "cos"),
    record_variance: bool = False,
    trajectory: bool = False,
    blowup: float | None = None,
    engine: str = "auto",
    progress=None,
    params: Mapping | None = None,
    **method_params,
) -> SimResult:
    r"""Run ``runs`` seeds of ``method`` on ``objective`` for every configuration at once.

    method: ``"sgd"`` (lr), ``"sgdm"`` (PyTorch form: lr, momentum), ``"spa"`` (eta, c),
    ``"heavy_ball"`` (lr, momentum), and the members of generalized SPA (GSPA),

        y_k = (1 - beta) z_k + beta x_k,  z_{k+1} = z_k - eta_k g_k(y_k),
        x_{k+1} = (1 - c_k) x_k + c_k z_{k+1},  z_0 = x_0:

    ``"nesterov"`` (torch.optim.SGD(lr, momentum, nesterov=True): lr, momentum), ``"qhm"``
    (qhoptim's QHM: lr, momentum, nu), ``"schedule_free"`` (schedulefree.SGDScheduleFree
    with warmup_steps=0: lr, momentum) and ``"gspa"`` (eta, c, beta), all run by one GSPA
    kernel in the coordinates of the registry of methods (:mod:`lyapunov.sim.forms`). Parameters
    (and ``sigma2``) are numbers, schedules (length ``steps``) or (P, T) grids
    (:mod:`lyapunov.sim.params`); the step k uses the value at index k. Schedules of the GSPA
    members: any for ``gspa``; lr only for ``schedule_free`` (the package's weights c_k, e.g.
    its warm-up); none for ``nesterov`` and ``qhm`` (their maps to GSPA hold for constants).

    Noise: ``g_k = grad f(x_k) + xi_k`` with xi_k = sqrt(sigma2/dim) N(0, I), so
    E|xi_k|^2 = sigma2 *in total* (not per coordinate); or, with ``batch = m``, the minibatch
    gradient of m samples drawn uniformly with replacement (finite sums only; numpy engine).

    Seeds: ``runs`` seed indices s = 0..runs-1 for each of the P configurations; run (p, s)
    uses the Gaussian noise of seed index s (:mod:`lyapunov.sim.noise`, a pure function of
    (seed, s, k, coordinate)): the same for every configuration (common random numbers) and
    for any number of runs, so results are bit-reproducible for the same arguments and
    engine. Minibatch indices come from ``numpy.random.default_rng([seed, 1])``, a block of
    (runs, m) per step, also shared by the configurations.

    x0: default ``objective.x0()`` for every run, else an array broadcastable to (P, S, dim).
    record: any of ``"f"``, ``"cos"`` (|grad f|^2 is always recorded). engine: ``"numpy"``,
    ``"numba"`` (fused, parallel; compiling costs 10 to 15 s per objective and process) or
    ``"auto"`` (:func:`auto_engine`: numba if installed and applicable -- Gaussian noise, no
    trajectory -- and the work P x runs x steps x dim is at least ``AUTO_NUMBA_WORK`` = 1e8
    element-steps, where compiling pays).

    Memory: before allocating anything the peak memory is estimated
    (:func:`memory_estimate`); a simulation that would not fit in the available memory is
    refused with a ValueError naming ``runs`` or ``steps``, whichever needs the larger part
    (one line: the estimate, what is available, how many would fit; :func:`check_memory`).

    A run diverges when |grad f(x_k)|^2 is not finite or |x_k| > ``blowup`` (default
    :func:`default_blowup`: 1e6 max(1, sqrt(sigma2)), far beyond where the noise alone takes
    x); it is frozen and reported, and excluded from every mean. A run whose arithmetic left
    the range of float64 (``overflowed``: a gradient, an iterate or the sum of |grad f|^2
    became inf at an input of huge scale) is told apart from a divergence. ``progress``: an
    optional callable ``progress(done_steps, steps)`` called about 20 times (a progress bar).

    Any other method -- a :class:`lyapunov.methods.Method`, the path of a method file, or a
    registered method without a fused kernel (``"tmm"``, ``"ogm"``) -- runs from its one
    definition, the state-space matrices of its rule (:mod:`.engine_method`, numpy engine,
    Gaussian noise, the same noise numbers), with its parameters given as keywords (or by name
    in ``params``); its rule gets the objective's L where it uses L.
    """
    if isinstance(objective, str):
        objective = make(objective, dim)
    elif not isinstance(objective, Objective):
        raise ValueError(f"objective: must be an Objective or a name, got {objective!r}")
    steps, runs, seed = _int("steps", steps), _int("runs", runs), _int("seed", seed, 0)
    if blowup is not None:
        blowup = float(check_range("blowup", blowup, "lr"))
    for r in record:
        if r not in ("f", "cos"):
            raise ValueError(f"record: unknown record {r!r}, choose from ['cos', 'f']")
    if not (isinstance(method, str) and method in METHODS):
        named = dict(lr=lr, momentum=momentum, eta=eta, c=c, nu=nu, beta=beta)
        named.update(method_params)
        given = {**(params or {}), **{k: v for k, v in named.items() if v is not None}}
        return _simulate_method(
            objective, method, steps=steps, runs=runs, seed=seed, sigma2=sigma2, batch=batch,
            x0=x0, record=record, trajectory=trajectory, blowup=blowup, engine=engine,
            progress=progress, params=given,
        )  # fmt: skip
    for name in method_params:
        raise ValueError(
            f"{name}: not a parameter of method {method!r} (it takes {', '.join(METHODS[method])})"
        )
    if params:
        raise ValueError(
            f"params: method {method!r} takes its parameters as keywords "
            f"({', '.join(METHODS[method])})"
        )
    given = {"lr": lr, "momentum": momentum, "eta": eta, "c": c, "nu": nu, "beta": beta}
    names = METHODS[method]
    for name, v in given.items():
        if v is not None and name not in names:
            raise ValueError(
                f"{name}: not a parameter of method {method!r} (it takes {', '.join(names)})"
            )
    for name in names:
        if given[name] is None:
            raise ValueError(f"{name}: required by method {method!r}")
    params = {name: as_param(name, given[name], steps) for name in names}
    if batch is not None:
        batch = _int("batch", batch)
        if objective.n_samples is None:
            raise ValueError(f"batch: objective {objective.name!r} is not a finite sum")
        if np.any(np.asarray(sigma2) != 0):
            raise ValueError("sigma2: must be 0 with minibatch noise (batch is given)")
    params["sigma2"] = as_param("sigma2", sigma2, steps)
    P = broadcast_configs(params)
    blowup = default_blowup(params["sigma2"]) if blowup is None else blowup
    code = CODES[method]
    coords = None
    if code == GSPA:
        eta_k, c_k, beta_k = gspa_coordinates(method, params, steps)
        coords = {
            k: np.ascontiguousarray(np.broadcast_to(v, (P, v.shape[1])))
            for k, v in (("eta", eta_k), ("c", c_k), ("beta", beta_k))
        }
    d = objective.dim
    if x0 is None:
        x0 = objective.x0()
    check_memory(objective, P, runs, steps, trajectory, method)
    X0 = np.array(np.broadcast_to(check_range_x0(x0), (P, runs, d)), dtype=float)
    if engine not in ("auto", "numpy", "numba"):
        raise ValueError(f"engine: must be 'auto', 'numpy' or 'numba', got {engine!r}")
    if engine == "numba" and not engine_numba.available():
        raise ValueError("engine: 'numba' asked for but numba is not installed")
    if engine == "numba" and (batch is not None or trajectory):
        raise ValueError("engine: 'numba' supports Gaussian noise without trajectory only")
    if engine == "auto":
        engine = auto_engine(P * runs * steps * d, gaussian=batch is None, trajectory=trajectory)
    full = {k: np.ascontiguousarray(np.broadcast_to(v, (P, v.shape[1]))) for k, v in params.items()}
    if coords is not None:
        P1, P2, P3 = coords["eta"], coords["c"], coords["beta"]
    else:
        P1 = full[names[0]]
        P2 = full[names[1]] if len(names) > 1 else np.zeros((P, 1))
        P3 = np.zeros((P, 1))
    SIG = np.sqrt(full["sigma2"] / d)
    keys = run_keys(seed, runs)
    rec_f, rec_cos = "f" in record, "cos" in record and code != 0
    run = Run(
        objective,
        X0,
        steps,
        keys,
        SIG,
        blowup * blowup,
        rec_f=rec_f,
        rec_cos=rec_cos,
        progress=progress,
        code=code,
        P1=P1,
        P2=P2,
        P3=P3,
        trajectory=trajectory,
        batch=batch,
        idx_rng=np.random.default_rng([seed, 1]) if batch is not None else None,
        rec_var=record_variance,
    )
    out = (engine_numba if engine == "numba" else engine_numpy).run(run)
    return _result(
        out,
        objective,
        X0,
        method=method,
        params=full,
        steps=steps,
        seeds=runs,
        seed=seed,
        engine=engine,
        f=rec_f,
        cos=rec_cos,
        var=batch is not None and record_variance,
        x_eval=out["x_eval"] if coords is not None else None,
        gspa=coords,
        blowup=blowup,
    )


def default_blowup(sigma2: np.ndarray) -> float:
    """The default blow-up threshold of |x_k|: 1e6 max(1, sqrt(max sigma2)). The noise alone
    moves x by about lr sqrt(sigma2 k) / (1 - momentum) in k steps (at most 2 sqrt(sigma2 k)
    / L in the certified region), so only a run that really runs away passes it."""
    with np.errstate(over="ignore", invalid="ignore"):
        top = float(np.max(sigma2)) if np.size(sigma2) else 0.0
    return 1e6 * max(1.0, math.sqrt(top)) if math.isfinite(top) else math.inf


def overflowed(run_grad2: np.ndarray, diverged_step: np.ndarray, x: np.ndarray, blowup: float):
    """(P, S) mask of the runs that left the range of float64: stopped at a point that is
    not beyond ``blowup`` (or not finite), i.e. by a gradient that overflowed, or alive with
    a non-finite sum of |grad f(x_k)|^2."""
    with np.errstate(all="ignore"):
        norm = np.hypot.reduce(np.abs(x), axis=-1)  # |x| without squaring (no overflow)
    beyond = np.isfinite(norm) & (norm > blowup)
    stopped = diverged_step >= 0
    return (stopped & ~beyond) | (~stopped & ~np.isfinite(run_grad2))


def _result(
    out: dict, objective, X0, *, f: bool, cos: bool, var: bool, blowup: float, **fields
) -> SimResult:
    """A :class:`SimResult` from an engine's records (means over the live runs)."""
    n, s = out["count"], out["sums"]
    over = overflowed(out["run_grad2"], out["diverged_step"], out["x"], blowup)
    return SimResult(
        grad2=_mean(s["grad2"], n),
        f=_mean(s["f"], n) if f else None,
        cos=_mean(s["cos"], n) if cos else None,
        alive=n,
        run_grad2=np.where(over, np.nan, out["run_grad2"]),
        diverged_step=out["diverged_step"],
        f0=objective.f(X0),
        x=out["x"],
        state=out["state"],
        trajectory=out["trajectory"],
        var_mean=_mean(s["var"], n) if var else None,
        var_max=out["var_max"],
        overflowed=over,
        blowup=blowup,
        **fields,
    )


def _simulate_method(
    objective, method, *, steps, runs, seed, sigma2, batch, x0, record, trajectory, blowup,
    engine, progress, params,
) -> SimResult:  # fmt: skip
    """:func:`simulate` for any :class:`Method`, from its state-space matrices (the common
    arguments already validated by :func:`simulate`)."""
    method = load_method(method)
    if engine not in ("auto", "numpy"):
        raise ValueError(
            f"engine: {method.name} runs on the numpy engine ('auto' or 'numpy'), got {engine!r}"
        )
    if batch is not None or trajectory:
        raise ValueError(
            f"method: {method.name} runs with Gaussian noise and without trajectory "
            "(batch and trajectory are for the built-in methods)"
        )
    given = dict(params or {})
    method.check_params({k: np.asarray(v, dtype=float).ravel()[0] for k, v in given.items()})
    full = {p: as_param(p, given[p], steps, method.ranges[p]) for p in method.params}
    full["sigma2"] = as_param("sigma2", sigma2, steps)
    P = broadcast_configs(full)
    blowup = default_blowup(full["sigma2"]) if blowup is None else blowup
    full = {k: np.ascontiguousarray(np.broadcast_to(v, (P, v.shape[1]))) for k, v in full.items()}
    d = objective.dim
    check_memory(objective, P, runs, steps, False, state_vectors=len(method.state))
    X0 = np.array(
        np.broadcast_to(check_range_x0(objective.x0() if x0 is None else x0), (P, runs, d)),
        dtype=float,
    )
    mats = engine_method.matrices(method, {p: full[p] for p in method.params}, steps, objective.L)
    run = Run(
        objective,
        X0,
        steps,
        run_keys(seed, runs),
        np.sqrt(full["sigma2"] / d),
        blowup * blowup,
        rec_f="f" in record,
        progress=progress,
        mats=mats,
        start=method.start,
    )
    out = engine_method.run(run)
    return _result(
        out,
        objective,
        X0,
        method=method.name,
        params=full,
        steps=steps,
        seeds=runs,
        seed=seed,
        engine="numpy",
        f="f" in record,
        cos=False,
        var=False,
        x_eval=out["x_eval"],
        blowup=blowup,
    )


def check_range_x0(x0) -> np.ndarray:
    from ..validate import as_array

    return as_array("x0", x0)
