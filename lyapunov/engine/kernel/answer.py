"""What a solver (z3 or cvc5) answers, before the exact re-check turns it into a Decision."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Answer"]


@dataclass
class Answer:
    """A solver's answer to "is there a point of the region where the condition fails?"."""

    result: str  # "sat" | "unsat" | "unknown"
    point: dict | None = None  # symbol -> Fraction (an approximation when ``algebraic``)
    algebraic: bool = False  # the model has irrational coordinates
    reason: str = ""
