"""Shared helpers: the shipped proof files and their theorems."""

from __future__ import annotations

from pathlib import Path

import sympy as sp
from support.instances import expected_claim, random_member, random_smooth

from lyapunov.engine.kernel.sampling import sample_region as engine_sample_region
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
    """Random rational points of the theorem's region (the engine's sampler: rejection in a
    box, a float pre-filter, the exact membership test decides)."""
    out = engine_sample_region(th.region, rng, n)
    assert out, "could not sample the region"
    return out


def instance_value(th, pt, rng, family, dim=3):
    """E[claim] on a random instance; None when the instance violates a hypothesis.

    Lemmas of the L-smooth class take a random member of ``family``; lemmas of another class
    (a :class:`~lyapunov.engine.Potential`'s ``function_class``) a random member of that class
    with its constants at ``pt`` (``family`` then only varies the draw)."""
    cls = getattr(th, "function_class", None)
    if cls is None or cls.name == "smooth":
        L = float(pt[next(s for s in th.region.symbols if s.name == "L")])
        inst = random_smooth(L, dim, rng, family)
    else:
        consts = {
            name: float(sp.sympify(getattr(cls, name)).subs(pt))
            for name in cls.__dataclass_fields__
        }
        inst = random_member(cls.name, consts, dim, rng)
        if inst is None:  # an empty class: the lemma says nothing
            return None
    scal = {s: float(v) for s, v in pt.items()}
    state = {name: rng.standard_normal(dim) * rng.uniform(0.1, 3) for name in th.step.state_names}
    noise = rng.standard_normal(dim) * rng.uniform(0, 1)
    for fact in th.certificate:
        hypothesis = fact.name.startswith("assume:")
        if hypothesis and expected_claim(th, scal, inst, state, noise, form=fact.form) > 0:
            return None  # the hypothesis is false here: the lemma says nothing
    return expected_claim(th, scal, inst, state, noise)
