"""`lyapunov prove` on a time-varying potential whose f-weight has an unknown constant.

A template ``(w + k) (f(x) - f_*) + ...`` with ``w = unknowns("w")`` (the shapes of P13 and
P21b): the unknown is solved for -- a constant of the potential, free of the step counter k --
and substituted in every field that carries it (the weight, the initial bound), the written
file is certified by ``lyapunov check``, and an unknown the claim cannot determine (one that
occurs only in the initial bound, or an unknown contraction times a potential with unknowns)
is one line naming the field, exit 2, never a traceback.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
import sympy as sp

from lyapunov.engine import MalformedError, synthesize
from lyapunov.engine.kernel.auto import Unknown, unknowns
from lyapunov.engine.kernel.linear import ONE, Affine
from lyapunov.engine.search.synthesis import _solve_free_of, _solve_linear
from lyapunov.loader import load_file

pytest.importorskip("cvxpy")

P13 = '''"""P13's potential, its f-weight's constant left unknown."""

from lyapunov.engine import AUTO, Potential, SmoothConvex, f, params, sqnorm, unknowns
from lyapunov.methods import get

eta, L, sigma2, k = params("eta L sigma2 k")
(w,) = unknowns("w")
step = get("sgd").one_step(sigma2, {"lr": eta})
smooth_convex = SmoothConvex(L)

theorem = Potential(
    name="P13 with an unknown weight",
    step=step,
    region=[eta > 0, L > 0, L * eta <= 1, k >= 0],
    lyapunov=lambda x, star: (w + k) * (f(x) - f(star)) + sqnorm(x - star) / (2 * eta),
    counter=k,
    measure="last_gap",
    nu=eta * (k + 2) / 2,
    function_class=smooth_convex,
    certificate=AUTO,{extra}
)
'''

P21B = '''"""P21b's potential (SGD+M, last iterate), its f-weight's constant left unknown."""

from lyapunov.engine import AUTO, Potential, SmoothConvex, f, params, sqnorm, unknowns
from lyapunov.methods import get

t, c, L, sigma2, k = params("t c L sigma2 k")
(w,) = unknowns("w")
eta = t / L
step = get("spa").one_step(sigma2, {"eta": eta, "c": c})
smooth_convex = SmoothConvex(L)
e1 = c / (2 * eta * (1 - c))
e0 = ((1 + c * t) / (1 - c) - 1 - t) / (2 * L * eta**2)
nu1 = c * eta * (1 - c + c * t) / 2
nu0 = eta / 2 + eta**2 * ((e0 + e1) * (1 - c) ** 2 + L * c**2 / 2)



def potential(x, z, star):
    """A_k of P21b, its f-weight w + k with w unknown."""
    gap = f(x) - f(star)
    return (w + k) * gap + sqnorm(z - star) / (2 * eta) + (e0 + k * e1) * sqnorm(z - x)


theorem = Potential(
    name="P21b with an unknown weight",
    lyapunov=potential,
    certificate=AUTO,
    function_class=smooth_convex,
    step=step,
    nu=nu0 + k * nu1,
    counter=k,
    output="x",
    region=[t > 0, t < 2, L > 0, c > 0, c < 1, c - 3 * t + 4 * c * t - c * t**2 >= 0, k >= 0],
)
'''

#: the initial bound B_0 = w (f(x_0) - f_*) + |x_0 - x_*|^2 / (2 eta): it carries w too
WITH_BOUND = (
    "\n    initial_bound=lambda x0, star: w * (f(x0) - f(star)) + sqnorm(x0 - star) / (2 * eta),"
)


def p13(extra: str = "") -> str:
    """P13's template with ``extra`` keyword arguments of Potential."""
    return P13.replace("{extra}", extra)


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "lyapunov.cli", *args],
        capture_output=True,
        text=True,
        timeout=600,
    )


def _has_unknown(expr) -> bool:
    return any(isinstance(s, Unknown) for s in sp.sympify(expr).free_symbols)


@pytest.mark.parametrize("stem, text", [("p13_w", p13()), ("p21b_w", P21B)], ids=["P13", "P21b"])
def test_unknown_weight_is_solved_written_and_checked(tmp_path, stem, text):
    src = tmp_path / f"{stem}.py"
    src.write_text(text)
    out = tmp_path / f"{stem}_proved.py"
    r = cli("prove", str(src), "-o", str(out))
    assert "Traceback" not in r.stdout + r.stderr, r.stderr
    assert r.returncode == 0, r.stdout + r.stderr
    written = out.read_text()
    assert "unknowns(" not in written and "AUTO" not in written
    (item,) = load_file(out)
    th = item.theorem
    assert not th.unknowns and not _has_unknown(th.weight)
    assert th.check(timeout=120).certified
    again = cli("check", str(out))
    assert again.returncode == 0, again.stdout + again.stderr
    assert "certified" in again.stdout


def test_every_field_with_the_unknown_is_filled(tmp_path):
    """An explicit weight and an initial bound that carry w get the solved value too."""
    src = tmp_path / "p13_bound.py"
    src.write_text(p13("\n    weight=w + k," + WITH_BOUND))
    (item,) = load_file(src)
    r = synthesize(item.theorem, timeout=120)
    assert r.certified, r.reason
    filled = r.theorem
    assert not _has_unknown(filled.weight)
    assert not any(_has_unknown(s) for s in filled.B_init.scalars())
    assert not any(_has_unknown(s) for s in filled.A_now.scalars())
    assert filled.check(timeout=120).certified


@pytest.mark.parametrize(
    "extra, field",
    [
        # w left out of the potential: only the initial bound has it
        (WITH_BOUND, "initial_bound"),
        # q = 1 - w times a potential with w: not linear in w
        ("\n    contraction=1 - w,", "contraction"),
    ],
    ids=["only-in-initial-bound", "contraction"],
)
def test_undetermined_unknown_is_one_line(tmp_path, extra, field):
    text = p13(extra)
    if field == "initial_bound":
        text = text.replace("(w + k) * (f(x) - f(star))", "k * (f(x) - f(star))")
    src = tmp_path / "bad.py"
    src.write_text(text)
    (item,) = load_file(src)
    with pytest.raises(MalformedError, match=f"{field}: "):
        synthesize(item.theorem, timeout=60)
    r = cli("prove", str(src), "-o", str(tmp_path / "out.py"))
    assert r.returncode == 2, r.stdout + r.stderr
    assert "Traceback" not in r.stdout + r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and f"{field}: " in lines[0], r.stderr
    assert not (tmp_path / "out.py").exists()


def test_unknowns_are_constants_of_the_counter():
    """w1 + k w2 = k: for every k only w1 = 0, w2 = 1; w + k = 0 has no k-free solution."""
    k = sp.Symbol("k", real=True)
    w1, w2 = unknowns("w1 w2")
    eq = Affine({w1: sp.Integer(1), w2: k, ONE: -k})
    sol, free = _solve_free_of(k)([eq], [w1, w2])
    assert (sol[w1], sol[w2], free) == (0, 1, [])
    sol, free = _solve_linear([eq], [w1, w2])  # k an ordinary parameter: w1 = k (1 - w2)
    assert free == [w2] and sp.simplify(sol[w1] - k) == 0
    (w,) = unknowns("w")
    assert _solve_free_of(k)([Affine({w: sp.Integer(1), ONE: k})], [w])[0] is None
