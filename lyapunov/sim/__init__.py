"""Vectorized simulation of SGD and SGD+M (PyTorch, SPA and heavy-ball forms) and of the
momentum family of generalized SPA (torch's Nesterov, QHM, schedule-free SGD, GSPA).

    >>> from lyapunov.sim import simulate, grid, schedules
    >>> res = simulate("cosine", "sgdm", lr=0.01, momentum=0.9, steps=1000, runs=100,
    ...                sigma2=0.01, seed=0)
    >>> res.run_grad2.mean(), res.diverged.sum()
    >>> res = simulate("cosine", "qhm", lr=0.1, momentum=0.9, nu=0.7, steps=1000, runs=100,
    ...                sigma2=0.01, seed=0)   # one GSPA kernel: eta = lr, c = 0.1, beta = 0.7

Modules: :mod:`.core` (``simulate``), :mod:`.result` (``SimResult``), :mod:`.memory` (the memory
a simulation needs), :mod:`.forms` (the methods in the simulator's state layout), :mod:`.params`
(constants, schedules, grids), :mod:`.schedules`, :mod:`.noise` (the counter-based Gaussian),
:mod:`.spec` (what an engine runs), :mod:`.engine_numpy`, the optional fused
:mod:`.engine_numba` and :mod:`.engine_method` (any method from its state-space matrices). The
runs behind the figures ``correlation`` and ``momentum_drop`` are studies
(:mod:`lyapunov.studies`). A simulation that would not fit in the available memory is refused up
front (:func:`.memory.memory_estimate`).
"""

from . import schedules
from .core import simulate
from .forms import METHODS
from .params import grid
from .result import SimResult

__all__ = ["simulate", "SimResult", "grid", "schedules", "METHODS"]
