"""What an engine runs: one parameter object for the three simulation engines.

:func:`lyapunov.sim.simulate` validates its inputs and fills a :class:`Run`; each engine
(:mod:`.engine_numpy`, :mod:`.engine_numba`, :mod:`.engine_method`) takes it whole, so their
signatures cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["Run"]


@dataclass(frozen=True)
class Run:
    """One simulation, ready to run.

    Common: the ``objective``, starting points ``X0`` (P, S, d), ``steps``, the noise ``keys``
    of the runs (:func:`.noise.run_keys`), the noise scale per coordinate ``SIG`` (P, T),
    ``blowup2`` (a run whose |x_k|^2 exceeds it diverges), what to record (``rec_f``,
    ``rec_cos``) and ``progress(done_steps, steps)``.

    The built-in forms (:mod:`.forms`): their ``code`` and parameters ``P1``, ``P2``, ``P3``
    as (P, T) arrays; the numpy engine also takes ``trajectory``, minibatch noise (``batch``
    samples drawn with ``idx_rng``) and ``rec_var``. Any other method (:mod:`.engine_method`):
    its state-space matrices ``mats`` and the ``start`` pattern of its state.
    """

    objective: object
    X0: np.ndarray
    steps: int
    keys: np.ndarray
    SIG: np.ndarray
    blowup2: float
    rec_f: bool = True
    rec_cos: bool = False
    progress: Callable | None = None
    code: int = 0
    P1: np.ndarray | None = None
    P2: np.ndarray | None = None
    P3: np.ndarray | None = None
    trajectory: bool = False
    batch: int | None = None
    idx_rng: np.random.Generator | None = None
    rec_var: bool = False
    mats: tuple | None = None
    start: tuple[int, ...] | None = None
