"""Performance estimation (PEP): exact worst cases of first-order methods.

:func:`solve` is the one entry point: any method (a built-in name, a :class:`Method` or a
method file), function class and measure. The older entry points (``worst_case``,
``pep_spa``, ...) keep their signatures and numbers; they run on :func:`solve`'s machinery.
"""

from .legacy import (
    PEPResult,
    gspa_points,
    pep_gspa,
    pep_method,
    pep_spa,
    spa_points,
    worst_case,
    worst_case_gspa,
    worst_case_sgd,
    worst_case_spa,
)
from .solve import CONDITIONS, WorstCase, solve

__all__ = [
    "CONDITIONS",
    "PEPResult",
    "WorstCase",
    "gspa_points",
    "pep_gspa",
    "pep_method",
    "pep_spa",
    "solve",
    "spa_points",
    "worst_case",
    "worst_case_gspa",
    "worst_case_sgd",
    "worst_case_spa",
]
