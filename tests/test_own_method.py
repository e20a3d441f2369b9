"""A method written by someone else, in their own files, through every tool without touching
the package: its exact worst case, its simulation, and a proof file that imports it."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from lyapunov import pep
from lyapunov.loader import load_file
from lyapunov.methods import load
from lyapunov.prove import prove_file
from lyapunov.sim import simulate

METHOD = textwrap.dedent(
    """
    from lyapunov.methods import Method


    def step(x, g, *, lr):
        return x - lr * g


    method = Method("my_gd", state=("x",), step=step, params=("lr",))
    """
)

LEMMA = textwrap.dedent(
    '''
    """my_gd's descent lemma: E f(x_{k+1}) <= f(x_k) - rho |grad f(x_k)|^2 + nu sigma2."""

    from pathlib import Path

    from lyapunov.engine import AUTO, DescentLemma, Smooth, f, params
    from lyapunov.methods import load

    method = load(Path(__file__).with_name("my_method.py"))
    lr, L, sigma2 = params("lr L sigma2")
    step = method.one_step(sigma2, {"lr": lr})

    theorem = DescentLemma(
        name="my_gd descent lemma",
        statement=__doc__,
        step=step,
        region=[*method.region({"lr": lr}), L > 0, L * lr < 2],
        lyapunov=lambda x: f(x),
        rho=RHO,
        nu=L * lr**2 / 2,
        certificate=AUTO,
        function_class=Smooth(L),
    )
    '''
)


@pytest.fixture()
def files(tmp_path):
    (tmp_path / "my_method.py").write_text(METHOD)
    return tmp_path


def test_worst_case_of_my_method_is_gradient_descents(files):
    pytest.importorskip("cvxpy")
    mine = pep.solve(str(files / "my_method.py"), lr=0.5, steps=6)
    ref = pep.solve("sgd", lr=0.5, steps=6)
    assert mine.method == "my_gd" and mine.value == pytest.approx(ref.value, rel=1e-7)


def test_simulation_of_my_method(files):
    mine = simulate("cosine", str(files / "my_method.py"), lr=0.1, steps=50, runs=4, sigma2=0.1)
    ref = simulate("cosine", "sgd", lr=0.1, steps=50, runs=4, sigma2=0.1, engine="numpy")
    np.testing.assert_allclose(mine.run_grad2, ref.run_grad2, rtol=1e-10)


@pytest.mark.parametrize(
    "rho, certified",
    [("lr * (1 - L * lr / 2)", True), ("lr * (1 - L * lr / 4)", False)],
)
def test_proof_file_importing_my_method(files, rho, certified):
    """The AUTO certificate is found for the true rate and the written proof is certified;
    a rate too good to be true gets no certificate."""
    pytest.importorskip("cvxpy")
    src = files / "my_lemma.py"
    src.write_text(LEMMA.replace("RHO", rho))
    assert load(str(files / "my_method.py")).name == "my_gd"
    out = files / "my_lemma_proved.py"
    result = prove_file(src, out, timeout=60)
    assert all(r.certified for r in result.results) is certified
    if certified:
        (th,) = [it.theorem for it in load_file(out)]
        assert th.check(timeout=60).certified
