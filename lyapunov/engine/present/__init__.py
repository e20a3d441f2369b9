"""Presentation: theorems and verdicts as LaTeX (:mod:`.latex`) and HTML (:mod:`.display`).

Importing this package gives the kernel's theorems and verdicts their Jupyter renderings
(``_repr_latex_``, ``_repr_html_``); the kernel itself knows nothing of presentation.
"""

from ..kernel.theorems import Theorem
from ..kernel.verdict import Verdict
from .display import theorem_latex_repr, verdict_html
from .latex import verdict_latex

Theorem._repr_latex_ = theorem_latex_repr
Verdict._repr_html_ = verdict_html
Verdict._repr_latex_ = verdict_latex

__all__ = ["theorem_latex_repr", "verdict_html", "verdict_latex"]
