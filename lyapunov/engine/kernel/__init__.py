"""The trusted kernel: what decides whether a theorem is certified.

Forms and facts (:mod:`.forms`, :mod:`.facts`, the function classes :mod:`.classes`), the
symbolic step of a method (:mod:`.setting`), regions (:mod:`.region`), exact decisions
(:mod:`.decide`, with the second solver :mod:`.second_solver`), PSD tests (:mod:`.psd`,
:mod:`.ldl`, :mod:`.structure`), theorems and their verdicts (:mod:`.theorems`,
:mod:`.verdict`). Nothing here imports the search (:mod:`lyapunov.engine.search`) or the
presentation (:mod:`lyapunov.engine.present`). Floating point enters only to *screen*
candidate counterexamples (:mod:`.sampling`), each re-verified in exact arithmetic before it
counts; breaking the screening can slow a refutation, never change a verdict.
"""
