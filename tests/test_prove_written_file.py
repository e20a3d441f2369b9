"""The file `lyapunov prove` writes is the user's code: ruff-clean, with no import left unused.

The certificate=AUTO and unknowns(...) it fills in leave AUTO and unknowns unused: they leave
the import line (the statement keeps its layout); a value written Rational(p, q) brings its
import, into a ``from sympy import`` or ``from lyapunov.engine import`` line the file has.
"""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from proofutil import PROOFS, ROOT

from lyapunov.prove import _tidy_imports

RUFF = shutil.which("ruff")
needs_ruff = pytest.mark.skipif(RUFF is None, reason="ruff is not installed")


def ruff(path, *options: str) -> subprocess.CompletedProcess:
    """``ruff check`` on one file: with the project's rules, or with ``options``."""
    config = () if options else ("--config", str(ROOT / "pyproject.toml"))
    return subprocess.run(
        [RUFF, "check", "--no-cache", *config, *options, str(path)],
        capture_output=True,
        text=True,
        cwd=path.parent,
    )


@needs_ruff
def test_written_file_is_ruff_clean(tmp_path):
    pytest.importorskip("cvxpy")
    src = PROOFS / "templates" / "p3_auto.py"
    assert ruff(src).returncode == 0  # the input is clean: so must the output be
    out = tmp_path / "p3_proved.py"
    r = subprocess.run(
        [sys.executable, "-m", "lyapunov.cli", "prove", str(src), "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "(lyapunov check: P3 SGD descent lemma (synthesized): certified)" in r.stdout
    text = out.read_text()
    assert "AUTO" not in text
    for check in (ruff(out), ruff(out, "--isolated", "--select", "F,I,W")):
        assert check.returncode == 0, check.stdout


BEFORE = '''"""A lemma."""

from lyapunov.engine import (
    AUTO,
    DescentLemma,
    f,
    unknowns,
)
from lyapunov.methods import sgd_step

a = unknowns("a")
theorem = DescentLemma(lyapunov=lambda x: a * f(x), certificate=AUTO, step=sgd_step)
'''

AFTER = '''"""A lemma."""

from lyapunov.engine import (
    AUTO,
    DescentLemma,
    f,
    unknowns,
)
from lyapunov.methods import sgd_step

a = Rational(1, 2)
theorem = DescentLemma(lyapunov=lambda x: a * f(x), certificate={1: a}, step=sgd_step)
'''


def test_unused_names_leave_the_import_and_rational_joins_it():
    out = _tidy_imports(BEFORE, AFTER)
    assert "from lyapunov.engine import (\n    DescentLemma,\n    Rational,\n    f,\n)\n" in out
    assert "AUTO" not in out and "unknowns" not in out and out.count("import") == 2


def test_rational_joins_a_sympy_import_and_one_line_stays_one_line():
    before = "from sympy import Integer\nfrom lyapunov.engine import AUTO, f\nx = f(AUTO)\n"
    after = (
        "from sympy import Integer\nfrom lyapunov.engine import AUTO, f\nx = f(Rational(1, 2))\n"
    )
    out = _tidy_imports(before, after)
    assert out.splitlines()[:2] == [
        "from sympy import Integer, Rational",
        "from lyapunov.engine import f",
    ]


def test_a_statement_left_empty_is_dropped_and_the_users_own_names_are_kept():
    before = "import os\nfrom lyapunov.engine import AUTO\nfrom x import unused\ny = AUTO\n"
    after = "import os\nfrom lyapunov.engine import AUTO\nfrom x import unused\ny = 1\n"
    assert _tidy_imports(before, after) == "import os\nfrom x import unused\ny = 1\n"


def test_rational_is_imported_only_where_a_bare_rational_is_written():
    before = "import sympy as sp\nfrom lyapunov.engine import AUTO, f\nx = f(AUTO)\n"
    qualified = (
        "import sympy as sp\nfrom lyapunov.engine import AUTO, f\nx = f(sp.Rational(1, 2))\n"
    )
    assert _tidy_imports(before, qualified) == (
        "import sympy as sp\nfrom lyapunov.engine import f\nx = f(sp.Rational(1, 2))\n"
    )
    bare = qualified.replace("sp.Rational", "Rational")
    assert "from lyapunov.engine import Rational, f\n" in _tidy_imports(before, bare)


@needs_ruff
def test_tidied_imports_pass_ruff(tmp_path):
    path = tmp_path / "lemma.py"
    path.write_text(_tidy_imports(BEFORE, AFTER))
    check = ruff(path, "--isolated", "--select", "F401,I")
    assert check.returncode == 0, check.stdout
