"""The symbolic engine: forms, facts, regions, exact decisions and theorems.

A proof file needs only what this module exports::

    from lyapunov.engine import DescentLemma, OneStep, Smooth, f, params, sqnorm

and, for a certificate the toolkit finds itself (``lyapunov prove``), ``AUTO`` and
``unknowns``.
"""

from .auto import AUTO, Unknown, unknowns
from .classes import FunctionClass, Smooth
from .decide import Decision, decide, find_point
from .facts import Fact, assumption
from .forms import Form, Point, VecSymbol, f, inner, sqnorm, vector_coefficients, vectors
from .psd import decide_psd, indefinite_witness
from .region import MalformedError, Region, params
from .setting import OneStep
from .synthesis import SynthesisResult, synthesize
from .theorems import DescentLemma, Identities, Inequalities, Theorem
from .verdict import CERTIFIED, NOT_PROVED, REFUTED, Check, Verdict

__all__ = [
    "AUTO",
    "SynthesisResult",
    "Unknown",
    "synthesize",
    "unknowns",
    "CERTIFIED",
    "NOT_PROVED",
    "REFUTED",
    "Check",
    "Decision",
    "DescentLemma",
    "Fact",
    "FunctionClass",
    "Form",
    "Identities",
    "Inequalities",
    "MalformedError",
    "OneStep",
    "Point",
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
