"""Shared helpers: the shipped proof files and their theorems."""

from __future__ import annotations

from pathlib import Path

import sympy as sp
from support.instances import expected_claim, random_smooth

from lyapunov.loader import load_file

ROOT = Path(__file__).resolve().parent.parent
PROOFS = ROOT / "proofs"


def load(stem: str):
    """The (first) theorem and the namespace of proofs/<stem>.py."""
    import runpy

    path = PROOFS / f"{stem}.py"
    ns = runpy.run_path(str(path))
    return load_file(path)[0].theorem, ns


def sample_region(th, rng, n):
    """Random rational points of the region (rejection sampling in a box; a float pre-filter
    keeps it fast, the exact membership test decides)."""
    out = []
    syms = th.region.symbols
    conds = [
        (sp.lambdify(syms, cnd.lhs - cnd.rhs, "math"), type(cnd)) for cnd in th.region.conditions
    ]
    ops = {
        sp.StrictGreaterThan: lambda v: v > -1e-9,
        sp.GreaterThan: lambda v: v >= -1e-9,
        sp.StrictLessThan: lambda v: v < 1e-9,
        sp.LessThan: lambda v: v <= 1e-9,
    }
    tries = 0
    while len(out) < n and tries < 2000 * n:
        tries += 1
        # parameters of the method in (0, 4]; any other (e.g. a Lyapunov weight) in (0, 1]
        pt = {
            s: sp.Rational(
                int(rng.integers(1, 4000 if s.name in ("eta", "L", "sigma2", "c") else 1000)), 1000
            )
            for s in syms
        }
        if "c" in {s.name for s in syms} and rng.random() < 0.2:
            pt[next(s for s in syms if s.name == "c")] = sp.Integer(1)
        vals = [float(pt[s]) for s in syms]
        try:
            rough = all(ops.get(op, lambda v: True)(fn(*vals)) for fn, op in conds)
        except ZeroDivisionError:
            rough = False
        if rough and th.region.contains(pt):
            out.append(pt)
    assert out, "could not sample the region"
    return out


def instance_value(th, pt, rng, family, dim=3):
    """E[claim] on a random instance; None when the instance violates a hypothesis."""
    L = float(pt[next(s for s in th.region.symbols if s.name == "L")])
    inst = random_smooth(L, dim, rng, family)
    scal = {s: float(v) for s, v in pt.items()}
    state = {name: rng.standard_normal(dim) * rng.uniform(0.1, 3) for name in th.step.state_names}
    noise = rng.standard_normal(dim) * rng.uniform(0, 1)
    for fact in th.certificate:
        hypothesis = fact.name.startswith("assume:")
        if hypothesis and expected_claim(th, scal, inst, state, noise, form=fact.form) > 0:
            return None  # the hypothesis is false here: the lemma says nothing
    return expected_claim(th, scal, inst, state, noise)
