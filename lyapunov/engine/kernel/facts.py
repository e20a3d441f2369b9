"""Facts: named inequalities ``form <= 0`` that a certificate combines with multipliers.

A fact comes from a function class (:mod:`lyapunov.engine.classes`), from the noise of a step
(:class:`lyapunov.engine.setting.OneStep`) or from a theorem's own hypothesis
(:func:`assumption`).
"""

from __future__ import annotations

from dataclasses import dataclass

from .forms import Form

__all__ = ["Fact", "assumption"]


@dataclass(frozen=True)
class Fact:
    """A named inequality ``form <= 0`` (in expectation where ``expected`` is True)."""

    name: str
    form: Form
    expected: bool = False  # holds in expectation only (noise facts)
    origin: tuple | None = None  # (function class, kind, i, j): lets tools rebuild the fact
    zero_mean: bool = False  # E[form] = 0 (an equality): its multiplier may have either sign

    def __hash__(self) -> int:
        return hash(self.name)

    def __eq__(self, other) -> bool:
        return isinstance(other, Fact) and other.name == self.name

    def __repr__(self) -> str:
        return self.name


def assumption(name: str, form: Form) -> Fact:
    """A hypothesis ``E[form] <= 0`` of a theorem, usable in its certificate like a fact.

    Its name is shown as ``assume: name``, so a verdict makes plain that the theorem is
    conditional on it.
    """
    if not isinstance(form, Form):
        raise TypeError("assumption: form must be a Form (e.g. -inner(g, x - z))")
    if form.fvals:
        raise ValueError("assumption: a hypothesis on function values is not supported")
    return Fact(f"assume: {name}", form, expected=True)
