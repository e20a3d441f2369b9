"""House rules: bounds/__init__ only re-exports, figures only plot, packaging, .gitignore."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "lyapunov"


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text())


def test_bounds_init_only_reexports():
    tree = _tree(PKG / "bounds" / "__init__.py")
    for node in tree.body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # the docstring
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            continue
        if isinstance(node, ast.Assign) and [t.id for t in node.targets] == ["__all__"]:
            continue
        pytest.fail(
            f"bounds/__init__.py line {node.lineno}: {type(node).__name__} is not a re-export"
        )
    import lyapunov.bounds as b

    for name in b.__all__:
        assert getattr(b, name).__module__.startswith("lyapunov.bounds."), name


@pytest.mark.parametrize("path", sorted((PKG / "bounds").glob("*.py")), ids=lambda p: p.name)
def test_bounds_modules_do_not_import_the_package_back(path):
    if path.name == "__init__.py":
        return
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.ImportFrom):
            mod = "." * node.level + (node.module or "")
            assert mod not in (".", "lyapunov.bounds"), f"{path.name}:{node.lineno} imports {mod}"


@pytest.mark.parametrize("name", ["correlation.py", "momentum_drop.py", "schedules.py"])
def test_figures_only_plot(name):
    """No update rule, noise or step loop in a figure module: runs live in lyapunov.sim."""
    tree = _tree(PKG / "figures" / name)
    banned = {"spa_step", "pytorch_sgd_step", "heavy_ball_step", "sgd_step", "normal_block"}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            assert not banned & {a.name for a in node.names}, f"{name}:{node.lineno}"
        if isinstance(node, ast.Name):
            assert node.id not in banned, f"{name}:{node.lineno} uses {node.id}"


def test_the_studies_are_a_room_of_their_own():
    from lyapunov.studies import correlation, digits

    assert callable(correlation.spa_records) and callable(digits.train)


def _pyproject() -> dict:
    tomllib = pytest.importorskip("tomllib")
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_torch_extra_is_a_range_and_dev_pins_the_cpu_build():
    from packaging.requirements import Requirement

    extras = _pyproject()["project"]["optional-dependencies"]
    (torch_req,) = [Requirement(r) for r in extras["torch"] if Requirement(r).name == "torch"]
    assert torch_req.specifier.contains("2.13.0")
    assert torch_req.specifier.contains("2.5.1") and torch_req.specifier.contains("2.13.1")
    assert not any(s.operator in ("==", "===") for s in torch_req.specifier)
    (dev_torch,) = [Requirement(r) for r in extras["dev"] if Requirement(r).name == "torch"]
    assert str(dev_torch.specifier) == "==2.13.0"


def test_gitignore_ignores_virtual_environments():
    lines = (ROOT / ".gitignore").read_text().split()
    assert ".venv*/" in lines


def test_templates_are_not_installed_as_theorems():
    """proofs/templates (AUTO inputs for `lyapunov prove`) is not a package, so a wheel of
    `lyapunov.proofs` does not ship it, and `lyapunov check` (proofs/*.py) does not read it."""
    tomllib = pytest.importorskip("tomllib")  # Python >= 3.11

    root = Path(__file__).resolve().parent.parent
    cfg = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert not any(p.startswith("lyapunov.proofs.") for p in cfg["packages"])
    assert "lyapunov.proofs" not in cfg.get("package-data", {})
    assert (root / "proofs" / "templates").is_dir()
    assert not (root / "proofs" / "templates" / "__init__.py").exists()


def test_nothing_points_to_the_developers_brief():
    """The project stands alone: no file of the package, the proofs, the tests, the figures,
    the benchmarks or the docs refers users to the developers' own brief or folder."""
    root = Path(__file__).resolve().parent.parent
    needles = ("MISSION" + ".md", "../" + "shared")
    files = [root / "README.md"]
    for sub in ("lyapunov", "proofs", "tests", "figures", "benchmarks", "docs"):
        if (root / sub).is_dir():
            files += [p for p in (root / sub).rglob("*") if p.suffix in (".py", ".md", ".txt")]
    offending = [
        str(p.relative_to(root))
        for p in files
        if any(n in p.read_text(encoding="utf-8", errors="replace") for n in needles)
    ]
    assert offending == []


def test_every_package_is_listed_for_installation():
    """pyproject's explicit package list is exactly the package folders (and the proofs), so
    a wheel or a fresh install has them all and names none that is gone."""
    listed = set(_pyproject()["tool"]["setuptools"]["packages"])
    found = {
        ".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "lyapunov").rglob("__init__.py")
    }
    assert listed == found | {"lyapunov.proofs"}
