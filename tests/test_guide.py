"""The guide (docs/guide/*.md): every sample runs and prints what the page quotes, so a number
that drifts fails here with the page, the line and the number (tests/support/snippets.py says
how samples are compared); the pages are tidy MyST that Sphinx builds without warnings."""

from __future__ import annotations

import re

import pytest
from support.snippets import ROOT, blocks, run_page

GUIDE = ROOT / "docs" / "guide"
PAGES = sorted(GUIDE.glob("*.md"))
EVERY = [ROOT / "README.md", *PAGES]
#: blocks a page may leave unrun (skip) or leave to another test module (tested-in)
MAX_SKIPPED = 2
MAX_ELSEWHERE = 4


def _ids(pages):
    return [p.name for p in pages]


def test_the_guide_has_its_pages():
    names = {p.stem for p in PAGES}
    assert {"calculators", "proofs", "simulation", "pep", "own_method", "sweeps", "torch"} <= names
    assert {"cli"} <= names


@pytest.mark.parametrize("page", PAGES, ids=_ids(PAGES))
def test_samples_print_what_they_quote(page, tmp_path):
    """Each page's python, pycon, console and bash samples, in order, in a scratch folder."""
    run_page(page, tmp_path)


@pytest.mark.parametrize("page", PAGES, ids=_ids(PAGES))
def test_page_is_tidy_myst(page):
    """One title (the first line), headings one level at a time, fences with a language,
    links to other guide pages that exist (no link outside docs/: the site stands alone)."""
    text = page.read_text()
    lines = text.splitlines()
    outside = re.sub(r"^(```+).*?^\1", "", text, flags=re.S | re.M)  # headings outside code
    headings = re.findall(r"^(#+) ", outside, re.M)
    assert lines[0].startswith("# ") and headings.count("#") == 1
    depth = [len(h) for h in headings]
    assert all(b <= a + 1 for a, b in zip(depth, depth[1:], strict=False)), depth
    assert all(b.lang for b in blocks(page)), "a fence without a language"
    for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", outside):
        if "://" in target:
            continue
        assert (page.parent / target).resolve().is_file(), target
        assert (page.parent / target).resolve().is_relative_to(ROOT / "docs"), target
    assert "\t" not in text and not re.search(r"[ ]+$", text, re.M)


def test_few_samples_are_not_run_here():
    """`skip` blocks are not run at all and `tested-in` blocks run in another test module: few
    of each, each with its reason or its module, which names the page."""
    marked = [b for page in EVERY for b in blocks(page)]
    skipped = [b for b in marked if b.marker == "skip"]
    elsewhere = [b for b in marked if b.marker == "tested-in"]
    assert len(skipped) <= MAX_SKIPPED, [b.where for b in skipped]
    assert len(elsewhere) <= MAX_ELSEWHERE, [b.where for b in elsewhere]
    assert all(b.arg for b in skipped)
    for b in elsewhere:
        module = ROOT / b.arg
        assert module.is_file(), b.where
        assert b.page.name in module.read_text(), f"{b.arg} does not read {b.page.name}"


def test_quoted_numbers_are_checked_outputs():
    """A number after `# ` at the end of a python line is the unchecked way of quoting an
    output that went stale before (`# 0.02003`): outputs are quoted with `# prints`, `>>>`
    or a console sample, which the tests compare."""
    bare = re.compile(r"#\s*[~=]?\s*'?[-+]?\d*\.\d+'?\s*$")
    found = [
        f"{b.where}: {line.strip()}"
        for page in EVERY
        for b in blocks(page)
        if b.lang in ("python", "bash", "console", "pycon")
        for line in b.text.splitlines()
        if bare.search(line) and "# prints" not in line
    ]
    assert found == []


def test_simulation_samples_have_noise():
    """A sample that simulates several runs gives them noise (issue 21, defect 11: with
    sigma2 = 0 the runs of a seeded simulation are identical, and its interval says nothing)."""
    found = []
    for page in EVERY:
        for b in blocks(page):
            for line in b.text.splitlines():
                runs = re.search(r"(?:--runs |runs=)(\d+)", line)
                if "simulate" not in line or not runs or int(runs[1]) < 2:
                    continue
                found.append(line)
                sigma2 = re.search(r"(?:--sigma2 |sigma2=)\[?([\d.eE+-]+(?:, ?[\d.eE+-]+)*)", line)
                values = [float(v) for v in sigma2[1].split(",")] if sigma2 else [0.0]
                assert max(values) > 0, f"{b.where}: {line.strip()}"
    assert any("--method qhm" in line for line in found)


def test_only_commands_that_just_print_share_a_run(tmp_path):
    """The runner reuses a run only for bound, pep and simulate without an output file, keyed
    by the arguments and the contents of the files they name (a method file edited between
    two pages is a new run)."""
    from support.snippets import run_key

    method = tmp_path / "m.py"
    method.write_text("one")
    key = run_key(["pep", "m.py", "--steps", "3"], tmp_path)
    assert key is not None and key == run_key(["pep", "m.py", "--steps", "3"], tmp_path)
    method.write_text("two")
    assert run_key(["pep", "m.py", "--steps", "3"], tmp_path) != key
    for argv in (["check"], ["prove", "x.py"], ["simulate", "--out", "a.csv"], ["figures"]):
        assert run_key(argv, tmp_path) is None, argv


@pytest.mark.parametrize(
    ("want", "got", "same"),
    [
        ("0.0200191", "0.020019122674173166", True),
        ("0.02003", "0.020019122674173166", False),  # issue 21's stale README number
        ("bound=0.9813 (~1800 runs)", "bound=0.9805 (~654 runs)", False),
        ("theorem 'P4'", "theorem 'P8+P10'", False),
        ("certified 2.79 s  P4", "certified     17.03 s  P4", True),  # times: any number
        ("30 of 30 theorems", "33 of 33 theorems", False),
        ("a\n...\nz", "a\nb\nc\nz", True),
        ("a\n...\nz", "a\nz", True),
        ("lr < 0.399 ...", "lr < 0.398895 at momentum 0.9", True),
        ("(0.1, 0.1)", "(0.10000000000000002, 0.09999999999999998)", True),
        ("1e-3", "0.001", True),
        ("654", "654.4", False),
    ],
)
def test_outputs_compare_at_the_quoted_precision(want, got, same):
    from support.snippets import matches

    assert matches(want, got) is same


def test_theorem_table_lists_every_proof_file_with_its_theorems():
    """The table of docs/guide/proofs.md has one row per file of proofs/, and its second
    column is the labels (first words) of the theorems the file defines."""
    from lyapunov.loader import load_file, proof_files

    text = (GUIDE / "proofs.md").read_text()
    rows = [line for line in text.splitlines() if line.startswith("| `proofs/")]
    table = {}
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split(" | ")]
        table[cells[0].strip("`")] = {label.strip() for label in cells[1].split(",")}
    files = {str(p.relative_to(ROOT)): p for p in proof_files([ROOT / "proofs"])}
    assert set(table) == set(files)
    for name, path in files.items():
        labels = {t.theorem.name.split()[0] for t in load_file(path)}
        assert table[name] == labels, name


def test_layout_names_files_that_exist():
    """Every `path` of docs/guide/layout.md is a file or folder of the repository: a path with a
    folder from the root, a bare name in the folder named last or one of its parents."""
    text = (GUIDE / "layout.md").read_text()
    missing, folder = [], ROOT
    for name in re.findall(r"`([\w./]+\.py|[\w./]+/)`", text):
        if "/" in name.rstrip("/"):
            path = ROOT / name
        else:
            chain = [folder, *folder.relative_to(ROOT).parents]
            found = [ROOT / p / name for p in chain if (ROOT / p / name).exists()]
            path = found[0] if found else ROOT / name
        if not path.exists():
            missing.append(name)
        folder = path if name.endswith("/") else path.parent
    assert missing == []


def test_constants_quoted_in_prose_are_the_code_s():
    """The few numbers the prose quotes from the code, not from an output."""
    import inspect

    from lyapunov import confirm
    from lyapunov.bounds import schedule
    from lyapunov.figures import DPI
    from lyapunov.loader import load_file

    text = {p.stem: p.read_text() for p in PAGES}
    readme = (ROOT / "README.md").read_text()
    assert f"more than {schedule.COLLAPSE:g} times" in text["calculators"]
    assert f"PNG at {DPI} dpi" in text["cli"]
    level = inspect.signature(confirm.confirm).parameters["level"].default
    assert f"{level:.0%} interval" in text["simulation"] and f"{level:.0%} interval" in readme
    p6 = " ".join(
        t.theorem.name for t in load_file(ROOT / "proofs" / "p6_momentum_vs_sgd_ratio.py")
    )
    assert "239/577" in p6 and "239/577" in text["claims"]
    assert "beta >= 0.55" in p6 and "of at least 0.55 (P6d')" in text["claims"]


STALE_PAGE = """# A page

Numbers quoted at two precisions, one of them stale, in the three ways of quoting:

```pycon
>>> 2 / 3, 1 / 7
(0.6667, 0.1428)
```

```python
print(f"{22 / 7} and 3")  # prints 3.14 and 3
```

```console
$ lyapunov pep sgd --set lr=1 --class smooth_convex --distance 1 --measure last_gap --steps 5
worst case 0.0454  last_gap of sgd(lr=1), 5 steps, smooth_convex L=1, |x_0 - x_*| <= 1  [9.99 s]
```
"""


def test_a_stale_number_fails_with_its_place_and_update_rewrites_it(tmp_path):
    """The runner fails on a drifted number, naming it; `--update` rewrites exactly the
    drifted numbers at their quoted precision (0.1428 -> 0.1429, 3.14 -> 3.14 kept, 0.0454 ->
    0.0455) and leaves the rest of the page as it was; the rewritten page then passes."""
    pytest.importorskip("cvxpy")
    from support.snippets import main

    page = tmp_path / "page.md"
    page.write_text(STALE_PAGE)
    with pytest.raises(AssertionError, match=r"0\.1428"):
        run_page(page, tmp_path)
    main(["--update", str(page)])
    want = STALE_PAGE.replace("0.1428)", "0.1429)").replace(
        "worst case 0.0454", "worst case 0.0455"
    )
    assert page.read_text() == want
    run_page(page, tmp_path)
