"""Every proof file reads the same way: the statement, then Assumptions, the certificate (or
proof), and References, in that order; anything numerical or practical comes after, marked as
not part of the certified statement."""

from __future__ import annotations

import ast
import re

import pytest
from proofutil import PROOFS

FILES = sorted(PROOFS.glob("p*.py"))


def sections(path) -> list[str]:
    doc = ast.get_docstring(ast.parse(path.read_text()))
    heads = re.findall(r"^(Assumptions|Certificate|Proof|References|Notes)\b", doc, re.M)
    return doc, heads


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_docstring_layout(path):
    doc, heads = sections(path)
    assert re.match(r"P\d+[a-z]?\. ", doc), "the first line states the theorem: 'Pn. ...'"
    core = [h for h in heads if h != "Notes"]
    assert core[0] == "Assumptions" and core[-1] == "References", heads
    assert len(core) == 3 and core[1] in ("Certificate", "Proof"), heads
    if "Notes" in heads:
        assert heads.index("Notes") > heads.index("References")
    refs = doc.split("References:")[1].split("Notes")[0]
    assert re.search(r"^- \S", refs, re.M), "at least one reference"


def test_numerical_claims_are_marked_as_such():
    """A sentence about a numerical SDP is never part of a certified statement."""
    for path in FILES:
        doc, _ = sections(path)
        statement = doc.split("Assumptions:")[0]
        assert "numerical SDP" not in statement, path.name


def test_the_check_fails_on_a_bad_layout(tmp_path):
    bad = tmp_path / "p0_bad.py"
    bad.write_text('"""P0. A statement.\n\nReferences: none.\n\nAssumptions: none.\n"""\n')
    _, heads = sections(bad)
    assert heads[0] != "Assumptions"
