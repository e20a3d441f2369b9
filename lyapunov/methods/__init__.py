"""The methods, each defined once by its update rule.

Every rule is written with ``+``, ``-`` and scalar ``*`` only, so the same function steps
symbolic vectors (sympy, for the proofs), numbers or numpy arrays (for simulation), torch
tensors and PEPit's points. The stochastic gradient at step k is ``g_k = grad f(y_k) + xi_k``.

:class:`Method` bundles a rule with its state, parameters and ranges; the registry
(:data:`METHODS`, :func:`get`) holds the built-in methods and :func:`load` a method from a
file of your own.
"""

from .accelerated import ogm_step, tmm_step
from .gspa import gspa_point, gspa_yz_step
from .heavy_ball import heavy_ball_step
from .load import load
from .method import Method
from .momentum_family import nesterov_step, qhm_step, schedule_free_step
from .pytorch import pytorch_sgd_step
from .registry import FAMILY, METHODS, get, to_gspa
from .sgd import sgd_step
from .spa import spa_step

__all__ = [
    "FAMILY",
    "METHODS",
    "Method",
    "get",
    "load",
    "to_gspa",
    "sgd_step",
    "spa_step",
    "heavy_ball_step",
    "pytorch_sgd_step",
    "gspa_point",
    "gspa_yz_step",
    "nesterov_step",
    "qhm_step",
    "schedule_free_step",
    "tmm_step",
    "ogm_step",
]
