"""The region study and its figure: certified regions from the theorem objects, the quadratic
stability limit from the method, and the PEP grid (computed on a tiny grid here; the stored
data are checked for consistency with the theory)."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import sympy as sp  # noqa: E402

from lyapunov import bounds, convert  # noqa: E402
from lyapunov.figures import region as figure  # noqa: E402
from lyapunov.methods import spa_step  # noqa: E402
from lyapunov.studies import region  # noqa: E402

OK_STATUS = {"optimal", "optimal_inaccurate", "unbounded", "unbounded_inaccurate"}


@pytest.fixture(scope="module")
def p4c():
    mod = region.p4c_theorem()
    if mod is None:
        pytest.skip("the draft P4c is not in this installation")
    return mod


# --- verdicts ------------------------------------------------------------------------------


def test_classify():
    assert region.classify({12: 1.0, 25: 0.5, 50: 0.25}) == "bounded"
    assert region.classify({25: 0.5, 12: 1.0}) == "bounded"  # ordered by n, not by the dict
    assert region.classify({25: 1.0, 12: 0.5}) == "growing"
    assert region.classify({12: 1.0, 25: 0.5, 50: 0.6}) == "growing"
    assert region.classify({12: 1.0, 25: math.inf}) == "unbounded"
    assert region.classify({12: math.inf, 25: math.nan}) == "unknown"


# --- certified regions come from the theorems ----------------------------------------------


def test_p4_region_is_the_theorems_region():
    m = np.array([0.0, 0.5, 0.9])
    edge = region.largest_lr(region.p4_inside, m, iterations=40)
    # P4: L eta <= 2 - c for c < 1, i.e. lr <= (1 - momentum^2)/L; L eta < 2 at c = 1 (SGD)
    np.testing.assert_allclose(edge, [2.0, 0.75, 0.19], rtol=1e-6)
    assert region.p4_inside(0.1899, 0.9) and not region.p4_inside(0.3, 0.9)
    # the same points as where the calculator uses P4 (beyond them it uses P4c) over a long
    # horizon, where the chain of P8 and P10 (smaller inside its region) holds only inside P4's
    lr = np.linspace(0.013, 2.5, 60)
    for mom in (0.0, 0.5, 0.9):
        steps = 10**8
        res = bounds.sgdm(lr=lr, momentum=mom, L=1.0, sigma2=0.0, steps=steps, gap=1.0, detail=True)
        np.testing.assert_array_equal(
            region.p4_inside(lr, np.full_like(lr, mom)), np.isin(res.theorem, ["P4", "P8+P10"])
        )


def test_p4c_edge_is_below_and_near_the_drafts_limit(p4c):
    m = np.array([0.3, 0.5, 0.9])
    edge = region.largest_lr(lambda lr, mm: region.p4c_inside(lr, mm, module=p4c), m, 4.0, 20)
    c = 1 - m
    limit = c * 4 * (2 - c) ** 2 / ((2 - c) ** 2 + c**2)  # the draft's docstring, as lr = c eta
    assert np.all(edge < limit) and np.all(edge > 0.98 * limit)
    assert np.all(edge > 1 - m**2)  # beyond P4


def test_p4c_witnesses_hold_exactly(p4c):
    lr = np.array([0.5, 1.5, 0.3, 0.1])
    m = np.array([0.5, 0.5, 0.9, 0.9])
    wb, wt = region.p4c_witness(lr, m, module=p4c)
    assert np.all(np.isfinite(wb)) and np.all(wt > 0)
    eta, c = convert.to_spa(lr=lr, momentum=m)
    for i in range(len(lr)):
        point = {
            p4c.eta: sp.Rational(eta[i]),
            p4c.c: sp.Rational(c[i]),
            p4c.L: sp.Integer(1),
            p4c.b: sp.Rational(wb[i]),
            p4c.t: sp.Rational(wt[i]),
            p4c.sigma2: sp.Integer(0),
        }
        assert p4c.theorem.region.contains(point), i
    # beyond the draft's limit (lr 1.8 at momentum 0.5, 0.3989 at 0.9) there is none
    wb, _ = region.p4c_witness(np.array([1.85, 0.41]), np.array([0.5, 0.9]), module=p4c)
    assert np.all(np.isnan(wb))


def test_quadratic_stability_limit_from_the_method():
    m = np.array([0.0, 0.5, 0.9])
    edge = region.largest_lr(region.quadratic_stable, m, iterations=40)
    np.testing.assert_allclose(edge, 2 * (1 + m), rtol=1e-6)
    # and a run of the method on f = x^2/2: decays just inside, grows just outside
    for mom in (0.5, 0.9):
        for factor, grows in ((0.97, False), (1.03, True)):
            eta, c = convert.to_spa(lr=factor * 2 * (1 + mom), momentum=mom)
            x = z = 1.0
            for _ in range(3000):
                x, z = spa_step(x, z, x, eta, c)
            if grows:
                assert not abs(x) < 1e3, (mom, factor)  # (overflows to nan: also not < 1e3)
            else:
                assert abs(x) < 1e-3, (mom, factor)


# --- the PEP grid ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_grid():
    pytest.importorskip("cvxpy")
    return region.pep_grid((0.5, 3.0), (0.0, 0.5), steps=(3, 6, 9), extra=[(0.5, 0.5)])


def test_pep_grid_solves_where_needed(tiny_grid):
    by_n = {}
    for p in tiny_grid:
        by_n.setdefault(p.steps, set()).add((p.lr, p.momentum))
    full = {(0.5, 0.0), (3.0, 0.0), (0.5, 0.5), (3.0, 0.5)}
    assert by_n[3] == full and by_n[6] == full
    table = region.verdicts(tiny_grid)
    assert table[(0.5, 0.0)] == "bounded" and table[(3.0, 0.0)] == "unbounded"
    # the longest horizon at the edge of the bounded region of each row and at the extra point
    assert by_n[9] == {(0.5, 0.0), (0.5, 0.5)}
    for p in tiny_grid:
        assert p.status in OK_STATUS
        assert math.isinf(p.worst_case) == p.status.startswith("unbounded")
        eta, c = convert.to_spa(lr=p.lr, momentum=p.momentum)
        assert (p.eta, p.c) == (float(eta), float(c))


def test_pep_grid_reuses_previous_points(tiny_grid, monkeypatch):
    def no_solve(*args, **kwargs):
        raise AssertionError("solved again")

    monkeypatch.setattr(region, "solve_point", no_solve)
    again = region.pep_grid(
        (0.5, 3.0), (0.0, 0.5), steps=(3, 6, 9), extra=[(0.5, 0.5)], previous=tiny_grid
    )
    assert sorted(again, key=repr) == sorted(tiny_grid, key=repr)
    with pytest.raises(AssertionError, match="solved again"):  # a new point is solved
        region.pep_grid((0.5, 1.0), (0.0,), steps=(3, 6), previous=tiny_grid)


def test_pep_grid_values_are_the_pep(tiny_grid):
    from lyapunov.pep import worst_case_spa

    p = next(q for q in tiny_grid if (q.lr, q.momentum, q.steps) == (0.5, 0.5, 6))
    assert p.worst_case == pytest.approx(worst_case_spa(1.0, 0.5, steps=6, z_points=False))


def test_data_round_trip_and_malformed_file(tiny_grid, tmp_path):
    path = region.write_data(tiny_grid, tmp_path / "grid.csv")
    back = region.read_data(path)
    assert [(p.lr, p.momentum, p.steps, p.status) for p in back] == [
        (p.lr, p.momentum, p.steps, p.status) for p in tiny_grid
    ]
    np.testing.assert_array_equal([p.worst_case for p in back], [p.worst_case for p in tiny_grid])
    bad = tmp_path / "bad.csv"
    bad.write_text("lr,momentum\n0.1,0.5\n")
    with pytest.raises(ValueError, match="bad.csv: expected the columns"):
        region.read_data(bad)
    rows = path.read_text().splitlines()
    rows[1] = rows[1].replace(rows[1].split(",")[0], "abc", 1)
    bad.write_text("\n".join(rows) + "\n")
    with pytest.raises(ValueError, match="bad.csv:2: malformed row"):
        region.read_data(bad)


def test_the_figure_only_draws():
    """The study (PEP solves, CSV I/O, regions) lives in lyapunov.studies.region; the figure
    module defines only what a figure is: NAME, TITLE, CAPTION and make()."""
    import ast
    from pathlib import Path

    tree = ast.parse(Path(figure.__file__).read_text())
    defined = {t.id for node in tree.body if isinstance(node, ast.Assign) for t in node.targets} | {
        node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))
    }
    assert defined == {"NAME", "TITLE", "CAPTION", "make"}
    assert region.DATA.parent.parent == Path(region.__file__).parent and region.DATA.is_file()


def test_figure_from_a_data_file(tiny_grid, tmp_path):
    path = region.write_data(tiny_grid, tmp_path / "grid.csv")
    fig = figure.make(quick=True, data=path)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "certified: P4" in labels and "quadratic stability limit" in labels
    assert "PEP worst case bounded as n grows" in labels
    assert "PEP worst case unbounded" in labels
    marked = sum(len(ln.get_xdata()) for ln in ax.get_lines() if ln.get_label().startswith("PEP"))
    assert marked == 4  # one marker per grid point
    assert ax.get_xlabel() and ax.get_ylabel()


# --- the stored data ---------------------------------------------------------------------------


def test_stored_data_cover_the_grid_and_agree_with_the_theory():
    points = region.read_data()
    assert {p.steps for p in points} == {12, 25, 50}
    grid = {(lr, m) for lr in region.LRS for m in region.MOMENTA}
    for n in (12, 25):
        assert {(p.lr, p.momentum) for p in points if p.steps == n} == grid
    assert {p.steps for p in points if (p.lr, p.momentum) == (0.3, 0.9)} == {12, 25, 50}
    for p in points:
        # a value exactly when the solver ended optimal or unbounded; nan otherwise
        assert math.isnan(p.worst_case) == (p.status not in OK_STATUS), p
        assert math.isinf(p.worst_case) == p.status.startswith("unbounded"), p
    assert sum(p.status not in OK_STATUS for p in points) <= 10
    table = region.verdicts(points)
    for (lr, m), verdict in table.items():
        # where P4 certifies a rate, the worst case is bounded; where the method is unstable
        # on a quadratic, it is not
        if region.p4_inside(lr, m):
            assert verdict == "bounded", (lr, m)
        if not region.quadratic_stable(lr, m):
            assert verdict != "bounded", (lr, m)
