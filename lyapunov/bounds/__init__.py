"""Certified bound calculators: the numbers that were proved, for your hyper-parameters.

Every function returns an upper bound on

    (1/steps) * sum_{k < steps} E|grad f(x_k)|^2

valid for every L-smooth f with f(x_0) - inf f <= gap and unbiased gradient noise of variance
at most sigma2, the momentum buffer starting at zero (z_0 = x_0). The formulas are generated
from the certified theorems in ``proofs/`` (lambdified once, cached); where no certified theorem
covers the parameters the value is ``inf``. All arguments are keyword-only and broadcast like
numpy; a scalar call returns a float.

    >>> from lyapunov import bounds
    >>> bounds.sgdm(lr=0.01, momentum=0.9, L=1.0, sigma2=0.01, steps=1000, gap=1.0)

Theorems used: P3 (SGD, 0 < L lr < 2), P4 (SGD+M in SPA form, L eta <= 2 - c for c < 1) and
beyond it P4c (L eta < 4 (2-c)^2 / ((2-c)^2 + c^2), free weights searched: :mod:`.large_step`);
``detail=True`` says why a point is not covered and how far the certified steps reach
(:mod:`.why`);
schedules: P8 (and P2 for PyTorch schedules), with ``average="uniform"`` or ``"weighted"``
(the rho_k-weighted average, for decaying schedules; see :mod:`.schedule`).
P4b (the primal-averaging family) is not used: on its whole region it is never smaller than P4
(checked on random points by the tests), so it would only cost time.

The momentum family (bounds on the average of |grad f|^2 where the gradients are taken, the
optimizer's parameters): ``gspa`` (P11; P4 at beta = 1, P3 at c = 1), ``nesterov`` (torch
SGD(nesterov=True), also ``sgdm(..., nesterov=True)``), ``qhm`` (qhoptim's QHM) and
``schedule_free`` (schedulefree.SGDScheduleFree, P12 over the horizon).

Other function classes (:mod:`.classes`): ``sgd``, ``sgdm``, ``spa``, ``schedule_free`` and
:func:`certified_bound` take ``function_class`` ("smooth", the default; "smooth_convex",
"smooth_strongly_convex" with ``mu``, "pl" with ``mu`` and ``gap``, "convex_lipschitz" with
``G`` instead of ``L``), ``distance`` = |x_0 - x_*| and ``measure`` ("last_gap" =
E f(x_n) - f_*, "last_dist2" = E|x_n - x_*|^2, "avg_gap"), each where a certified theorem
covers it, e.g. ``bounds.sgd(lr=1, L=1, sigma2=0, steps=10, function_class="smooth_convex",
distance=1)``; the result (``detail=True``) names its measure.

One entry for every method (its registry name and parameters, constant or per-step):
:func:`certified_bound` (:mod:`.dispatch`), e.g.
``bounds.certified_bound("nesterov", lr=0.01, momentum=0.9, L=1, sigma2=0.01, steps=1000,
gap=1)`` or ``bounds.certified_bound("sgdm", schedule={"lr": lrs}, momentum=0.9, L=1,
sigma2=0.01, gap=1)``; :func:`best_step` for the best step.

Modules: :mod:`.dispatch` (method -> calculator), :mod:`.constant` (sgd, spa),
:mod:`.family` (sgdm and the rest of the momentum family),
:mod:`.free` (theorems with free weights), :mod:`.best` (the best step), :mod:`.schedule`
(schedules), :mod:`.rate` (theorems -> numpy functions), :mod:`.compile` (the exact float test
of certified regions), :mod:`.optimize` (the step search),
:mod:`.display` (notebook display), :mod:`.large_step` (P4c), :mod:`.why` (reasons),
:mod:`.classes` (the convex, strongly convex, PL and Lipschitz classes). This file
only re-exports.
"""

from __future__ import annotations

from .best import (
    BestStep,
    best_gspa_eta,
    best_nesterov_lr,
    best_qhm_lr,
    best_sgd_lr,
    best_sgdm_lr,
    best_spa_eta,
)
from .constant import BoundResult, rates, sgd, spa
from .dispatch import NoCalculatorError, best_step, certified_bound
from .family import gspa, gspa_schedule, nesterov, qhm, schedule_free, sgdm
from .schedule import UniformAverageWarning, sgdm_schedule, spa_schedule

__all__ = [
    "certified_bound",
    "best_step",
    "NoCalculatorError",
    "sgd",
    "spa",
    "sgdm",
    "gspa",
    "gspa_schedule",
    "nesterov",
    "qhm",
    "schedule_free",
    "spa_schedule",
    "sgdm_schedule",
    "best_sgd_lr",
    "best_spa_eta",
    "best_sgdm_lr",
    "best_nesterov_lr",
    "best_qhm_lr",
    "best_gspa_eta",
    "BoundResult",
    "BestStep",
    "UniformAverageWarning",
    "rates",
]
