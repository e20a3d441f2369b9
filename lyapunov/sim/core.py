"""``simulate``: SGD / SGD+M in any form and the momentum family (Nesterov, QHM, schedule-free
SGD, GSPA), schedules and grids, many seeds, one array program. The driver: arguments checked,
parameters laid out, the engine chosen and run; what it returns is :mod:`.result`, the memory
it needs :mod:`.memory`."""

from __future__ import annotations

import numbers
from collections.abc import Mapping

import numpy as np

from ..methods import Method
from ..methods import load as load_method
from ..objectives import Objective, make
from ..validate import check_range
from . import engine_method, engine_numba, engine_numpy
from .forms import CODES, GSPA, METHODS, gspa_coordinates
from .memory import check_memory
from .noise import run_keys
from .params import as_param, broadcast_configs
from .result import SimResult, default_blowup, from_records
from .spec import Run

__all__ = ["simulate", "AUTO_NUMBA_WORK", "auto_engine"]

#: engine="auto" compiles the numba kernel only for at least this many element-steps
#: (P x runs x steps x dim), where compiling it pays (:func:`auto_engine`)
AUTO_NUMBA_WORK = 1e8


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


def _int(name: str, value, low: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise ValueError(f"{name}: must be an integer >= {low}, got {value!r}")
    return int(value)


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
    (:func:`~.memory.memory_estimate`); a simulation that would not fit in the available
    memory is refused with a ValueError naming ``runs`` or ``steps``, whichever needs the
    larger part (one line: the estimate, what is available, how many would fit;
    :func:`~.memory.check_memory`).

    A run diverges when |grad f(x_k)|^2 is not finite or |x_k| > ``blowup`` (default
    :func:`~.result.default_blowup`: 1e6 max(1, sqrt(sigma2)), far beyond where the noise alone
    takes x); it is frozen and reported, and excluded from every mean. A run whose arithmetic
    left the range of float64 (``overflowed``: a gradient, an iterate or the sum of |grad f|^2
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
    return from_records(
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
    return from_records(
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
