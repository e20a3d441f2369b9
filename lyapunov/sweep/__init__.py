"""Sweeps beyond one machine: grids of simulations and of exact worst cases on dask.

    >>> from lyapunov import sweep
    >>> table = sweep.simulations("cosine", lr=[0.01, 0.1], momentum=[0.0, 0.9],
    ...                           sigma2=0.1, steps=200, runs=1000)   # a local dask cluster
    >>> table.to_csv("sweep.csv")

Modules: :mod:`.sweeps` (``simulations``, ``worst_cases``), :mod:`.grid` (validation,
configurations, chunks), :mod:`.tasks` (what a worker computes: the single-process functions),
:mod:`.cluster` (the dask Client and the mapping of chunks), :mod:`.table` (the tidy table).
dask and distributed are optional: ``pip install "lyapunov[sweep]"``.
"""

from .cluster import MISSING, require_dask
from .sweeps import simulations, worst_cases
from .table import Table

__all__ = ["simulations", "worst_cases", "Table", "require_dask", "MISSING"]
