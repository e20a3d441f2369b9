"""The symbolic engine: the trusted kernel (forms, facts, function classes, regions, exact
decisions, PSD tests, theorems, verdicts, the second solver: :mod:`.kernel`), the untrusted
certificate search (:mod:`.search`) and presentation (:mod:`.present`).

A proof file needs only what this module exports::

    from lyapunov.engine import DescentLemma, OneStep, Smooth, f, params, sqnorm

(a :class:`Potential` for last-iterate rates in the convex, strongly convex and PL classes)

and, for a certificate the toolkit finds itself (``lyapunov prove``), ``AUTO`` and
``unknowns``; ``Rational`` (sympy's) writes exact constants such as ``Rational(1, 2)``.
"""

from sympy import Rational

from .kernel.auto import AUTO, Unknown, unknowns
from .kernel.classes import (
    Convex,
    ConvexLipschitz,
    FunctionClass,
    Smooth,
    SmoothConvex,
    SmoothPL,
    SmoothStronglyConvex,
)
from .kernel.decide import Decision, decide, find_point
from .kernel.facts import Fact, assumption
from .kernel.forms import Form, Point, VecSymbol, f, inner, sqnorm, vector_coefficients, vectors
from .kernel.potential import Potential
from .kernel.psd import decide_psd, indefinite_witness
from .kernel.region import MalformedError, Region, params
from .kernel.setting import OneStep
from .kernel.theorems import DescentLemma, Identities, Inequalities, Theorem
from .kernel.verdict import CERTIFIED, NOT_PROVED, REFUTED, REJECTED, Check, Verdict
from .present import theorem_latex_repr as _  # noqa: F401 - gives theorems their renderings
from .search.synthesis import SynthesisResult, synthesize

__all__ = [
    "AUTO",
    "SynthesisResult",
    "Unknown",
    "synthesize",
    "unknowns",
    "CERTIFIED",
    "NOT_PROVED",
    "REFUTED",
    "REJECTED",
    "Check",
    "Decision",
    "DescentLemma",
    "Convex",
    "ConvexLipschitz",
    "SmoothConvex",
    "SmoothPL",
    "SmoothStronglyConvex",
    "Fact",
    "FunctionClass",
    "Form",
    "Identities",
    "Inequalities",
    "MalformedError",
    "OneStep",
    "Potential",
    "Point",
    "Rational",
    "Region",
    "Smooth",
    "Theorem",
    "VecSymbol",
    "Verdict",
    "assumption",
    "decide",
    "decide_psd",
    "f",
    "find_point",
    "indefinite_witness",
    "inner",
    "params",
    "sqnorm",
    "vector_coefficients",
    "vectors",
]
