"""Verdicts: what the checker says about a theorem, condition by condition.

The checker's decision (``status``): a theorem is *certified* only when every one of its
conditions was proved; *refuted* when a condition was refuted (an exact, re-verified point of
the region where it fails); otherwise *not proved* (a condition the solver could not decide --
``unknown`` -- or on which two solvers disagreed -- ``error``), with the reason.

What a refuted condition means depends on what it is a condition of (``Check.of``), and
``outcome`` says it in words a reader of the claim can act on:

* ``"rejected"`` (a *rejected certificate*): a condition of the certificate (a
  :class:`~lyapunov.engine.kernel.theorems.DescentLemma`'s multipliers and Lyapunov function)
  fails at the point. The claim itself may still be true with another certificate:
  ``lyapunov prove`` searches the class's facts for one, and says *refuted claim* where none
  exists.
* ``"refuted"`` (a *refuted claim*): a condition of the claim itself (an identity, an
  inequality decided directly, the sign of a claimed rate) fails, so the claim is false at the
  point, whatever the certificate.

The reason names the failing condition, the point and the value there (how far it fails).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction

__all__ = [
    "Check",
    "Verdict",
    "CERTIFIED",
    "REFUTED",
    "NOT_PROVED",
    "REJECTED",
    "CERTIFICATE",
    "CLAIM",
]

CERTIFIED = "certified"
REFUTED = "refuted"
NOT_PROVED = "not proved"
#: the outcome of a refuted condition of a certificate: the certificate is rejected
REJECTED = "rejected"
#: what a condition is a condition of (``Check.of``): the claim itself, or its certificate
CLAIM, CERTIFICATE = "claim", "certificate"
#: how an outcome reads in words (the start of a reason, the headline of a table)
_PHRASE = {REJECTED: "rejected certificate", REFUTED: "refuted claim"}


def _fmt(q) -> str:
    if isinstance(q, Fraction):
        return str(q.numerator) if q.denominator == 1 else f"{q.numerator}/{q.denominator}"
    return str(q)


@dataclass
class Check:
    """One exact condition of a proof and how it was decided; ``of``: :data:`CLAIM` for a
    condition of the claim itself (failing, it refutes the claim), :data:`CERTIFICATE` for one
    of the certificate (failing, it rejects the certificate)."""

    label: str
    status: str  # "proved" | "refuted" | "unknown" | "error" (solvers disagree)
    seconds: float = 0.0
    point: dict | None = None
    detail: str = ""
    of: str = CLAIM

    def counterexample(self) -> dict | None:
        if self.point is None:
            return None
        return {k: _fmt(v) for k, v in sorted(self.point.items())}


@dataclass
class Verdict:
    """The checker's decision on a theorem (``status``), the conditions it checked and, in
    words, what the decision means for the claim (``outcome``)."""

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
    def outcome(self) -> str:
        """``"certified"``, ``"rejected"`` (the certificate does not prove the claim: a
        condition of it fails at an exact point), ``"refuted"`` (the claim itself is false at
        an exact point) or ``"not proved"``."""
        bad = self.failed
        if self.status == REFUTED and bad is not None and bad.of == CERTIFICATE:
            return REJECTED
        return self.status

    @property
    def headline(self) -> str:
        """The outcome in words: "certified", "rejected certificate", "refuted claim" or
        "not proved"."""
        return _PHRASE.get(self.outcome, self.outcome)

    @property
    def failure(self) -> str:
        """The failing condition of a refutation, where and by how much, e.g. ``"constant
        term <= 0 fails at L=1, eta=1/2, value 0.125 (value there: 1/8)"``; "" otherwise."""
        bad = self.failed
        if bad is None or bad.status != REFUTED:
            return ""
        where = ""
        if bad.point is not None:
            where = " at " + ", ".join(f"{k}={x}" for k, x in bad.counterexample().items())
        value = _value(bad.detail)
        return (
            f"{bad.label} fails{where}"
            + (f", value {float(Fraction(value)):.6g}" if value else "")
            + (f" ({bad.detail})" if bad.detail else "")
        )

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
        if _value(c.detail):
            out["value"] = _value(c.detail)  # exact: how far the condition fails
        return out

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "status": self.status,
            "outcome": self.outcome,
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
        """The verdict of ``checks``: the status from their statuses alone (what each is a
        condition of names the outcome of a refutation, never changes the status)."""
        for c in checks:
            if c.of not in (CLAIM, CERTIFICATE):
                raise ValueError(f"of: must be {CLAIM!r} or {CERTIFICATE!r}, got {c.of!r}")
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
        if bad is not None and bad.status == REFUTED:  # only re-verified points are shown
            v.reason = f"{_PHRASE[v.outcome]}: {v.failure}"
        elif bad is not None:
            v.reason = f"{bad.label}: {bad.status}" + (f" ({bad.detail})" if bad.detail else "")
        return v


_VALUE = re.compile(r"value there: (?:[^;=]*= )?([+-]?\d+(?:/\d+)?)")


def _value(detail: str) -> str:
    """The exact value at the point of a failed condition, read from its detail (``value
    there: -1/8`` or ``value there: residual = +1/200 > 0 at ...``): how far it fails."""
    found = _VALUE.search(detail)
    return found.group(1).lstrip("+") if found is not None else ""
