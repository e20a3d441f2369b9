"""Verdicts: what the checker says about a theorem, condition by condition.

A theorem is *certified* only when every one of its conditions was proved; *refuted* when a
condition was refuted (an exact, re-verified point of the region where it fails); otherwise
*not proved* (a condition the solver could not decide -- ``unknown`` -- or on which two
solvers disagreed -- ``error``), with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

__all__ = ["Check", "Verdict", "CERTIFIED", "REFUTED", "NOT_PROVED"]

CERTIFIED = "certified"
REFUTED = "refuted"
NOT_PROVED = "not proved"


def _fmt(q) -> str:
    if isinstance(q, Fraction):
        return str(q.numerator) if q.denominator == 1 else f"{q.numerator}/{q.denominator}"
    return str(q)


@dataclass
class Check:
    """One exact condition of a proof and how it was decided."""

    label: str
    status: str  # "proved" | "refuted" | "unknown" | "error" (solvers disagree)
    seconds: float = 0.0
    point: dict | None = None
    detail: str = ""

    def counterexample(self) -> dict | None:
        if self.point is None:
            return None
        return {k: _fmt(v) for k, v in sorted(self.point.items())}


@dataclass
class Verdict:
    name: str
    status: str
    seconds: float
    region: str
    checks: list[Check] = field(default_factory=list)
    reason: str = ""

    @property
    def certified(self) -> bool:
        return self.status == CERTIFIED

    @property
    def failed(self) -> Check | None:
        """The check that decides the verdict: a disagreement first, then a refutation, then
        any other condition not proved."""
        for wanted in ("error", "refuted"):
            for c in self.checks:
                if c.status == wanted:
                    return c
        for c in self.checks:
            if c.status != "proved":
                return c
        return None

    def counterexample(self) -> dict | None:
        c = self.failed
        if c is None or c.status != "refuted":
            return None
        out: dict = {"condition": c.label}
        if c.point is not None:
            out["point"] = c.counterexample()
        if c.detail:
            out["detail"] = c.detail
        return out

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "status": self.status,
            "seconds": round(self.seconds, 4),
            "region": self.region,
            "counterexample": self.counterexample(),
            "reason": self.reason,
            "checks": [
                {"condition": c.label, "status": c.status, "seconds": round(c.seconds, 4)}
                for c in self.checks
            ],
        }

    @staticmethod
    def aggregate(name: str, region: str, checks: list[Check], seconds: float) -> Verdict:
        if any(c.status == "error" for c in checks):
            status = NOT_PROVED  # the solvers disagree: nothing is decided
        elif any(c.status == "refuted" for c in checks):
            status = REFUTED
        elif checks and all(c.status == "proved" for c in checks):
            status = CERTIFIED
        else:
            status = NOT_PROVED
        v = Verdict(name, status, seconds, region, checks)
        bad = v.failed
        if bad is not None:
            where = ""
            if bad.point is not None and bad.status == "refuted":  # only re-verified points
                where = " at " + ", ".join(f"{k}={x}" for k, x in bad.counterexample().items())
            v.reason = f"{bad.label}: {bad.status}{where}" + (
                f" ({bad.detail})" if bad.detail else ""
            )
        return v
