"""Verdicts: what the checker says about a theorem, condition by condition."""

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
    status: str  # "proved" | "refuted" | "unknown"
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
        for c in self.checks:
            if c.status == "refuted":
                return c
        for c in self.checks:
            if c.status == "unknown":
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
        if any(c.status == "refuted" for c in checks):
            status = REFUTED
        elif all(c.status == "proved" for c in checks) and checks:
            status = CERTIFIED
        else:
            status = NOT_PROVED
        v = Verdict(name, status, seconds, region, checks)
        bad = v.failed
        if bad is not None:
            where = ""
            if bad.point is not None:
                where = " at " + ", ".join(f"{k}={x}" for k, x in bad.counterexample().items())
            v.reason = f"{bad.label}: {bad.status}{where}" + (
                f" ({bad.detail})" if bad.detail else ""
            )
        return v
