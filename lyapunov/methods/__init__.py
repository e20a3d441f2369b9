"""The method in its forms, defined once as update rules.

Every rule is written with ``+``, ``-`` and scalar ``*`` only, so the same function steps
symbolic vectors (sympy, for the proofs) and numbers or numpy arrays (for simulation).
The stochastic gradient at step k is ``g_k = grad f(x_k) + xi_k``.
"""

from .gspa import gspa_point, gspa_yz_step
from .heavy_ball import heavy_ball_step
from .momentum_family import nesterov_step, qhm_step, schedule_free_step
from .pytorch import pytorch_sgd_step
from .sgd import sgd_step
from .spa import spa_step

__all__ = [
    "sgd_step",
    "spa_step",
    "heavy_ball_step",
    "pytorch_sgd_step",
    "gspa_point",
    "gspa_yz_step",
    "nesterov_step",
    "qhm_step",
    "schedule_free_step",
]
