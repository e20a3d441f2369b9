"""The documentation site: it builds with warnings as errors (the command docs/index.md gives,
into a temporary folder), its theorem catalogue lists every theorem of proofs/ (names from the
loader) with the verdict of the build's own run of `lyapunov check`, the figures page shows
every committed figure with its caption, the API reference carries the docstrings of the
public modules, every tutorial ran (outputs set against values computed here), and nothing
points outside the repository."""

from __future__ import annotations

import functools
import html
import importlib
import inspect
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

pytest.importorskip("sphinx")
pytest.importorskip("myst_nb")
pytest.importorskip("ipykernel", reason="the tutorials run in an IPython kernel")
for _module in ("cvxpy", "distributed"):  # what the tutorials run (the `docs` extra has them)
    pytest.importorskip(_module, reason="the tutorials need the `docs` extra")

#: the modules the API reference documents, by page (lyapunov.torch needs torch: mocked
#: without it)
API = {
    "bounds": "lyapunov.bounds",
    "engine": "lyapunov.engine",
    "methods": "lyapunov.methods",
    "measures": "lyapunov.measures",
    "pep": "lyapunov.pep",
    "sim": "lyapunov.sim",
    "torch": "lyapunov.torch",
}


def build_command(out: Path) -> list[str]:
    """The build command of docs/index.md, writing into ``out`` instead of docs/_build/html."""
    text = (DOCS / "index.md").read_text(encoding="utf-8")
    (line,) = {m.strip() for m in re.findall(r"^python -m sphinx .*$", text, re.M)}
    args = shlex.split(line)
    assert args[-2:] == ["docs", "docs/_build/html"] and "-W" in args, line
    return [sys.executable, *args[1:-1], "-q", str(out)]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The site, built once with the documented command (``-W``: a warning fails it)."""
    out = tmp_path_factory.mktemp("docs") / "html"
    proc = subprocess.run(
        build_command(out), cwd=ROOT, capture_output=True, text=True, timeout=1200
    )
    assert proc.returncode == 0, f"the docs build failed:\n{proc.stderr[-6000:]}"
    return out


def _text(fragment: str) -> str:
    """The visible text of an HTML fragment, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _page(site: Path, name: str) -> str:
    return (site / f"{name}.html").read_text(encoding="utf-8")


def _rows(page: str) -> list[list[str]]:
    """The cells of every table row of a page."""
    return [
        [_text(cell) for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", page, re.S)
    ]


def _role_text(m: re.Match) -> str:
    """What a reST role shows: its title, or its target (``~``: the last name only)."""
    short, target = m.groups()
    title = target.split("<")[0]
    return title if "<" in target else target.rsplit(".", 1)[-1] if short else target


def _words(text: str) -> list[str]:
    """The words of ``text`` (three letters or more) as it reads once rendered: a reST role
    (``:func:`~a.b```) stands for what it shows."""
    return re.findall(r"[A-Za-z]{3,}", re.sub(r":[\w-]+:`(~?)([^`]*)`", _role_text, text))


def _in_order(words: list[str], text: str) -> bool:
    """``words`` occur in ``text``'s words in this order (markup may sit between them)."""
    rest = iter(_words(text))
    return all(w in rest for w in words)


def _outputs(page: str) -> str:
    """The text of a tutorial page's cell outputs (what the kernel printed or returned)."""
    chunks = page.split('class="cell_output')[1:]
    return " ".join(_text(c.split('class="cell docutils')[0]) for c in chunks)


@functools.cache
def _proof_items() -> list:
    """(proof file, loaded theorem) for every theorem of proofs/, as the loader sees them."""
    from lyapunov.loader import load_file, proof_files

    return [(p, it) for p in proof_files([ROOT / "proofs"]) for it in load_file(p)]


def test_site_builds_with_warnings_as_errors(site):
    for page in ("index", "catalogue", "checker", "figures", "api/index"):
        assert (site / f"{page}.html").is_file(), page
    guide = sorted((DOCS / "guide").glob("*.md"))
    for md in guide:  # the guide's pages are in the site, linked from the index
        assert (site / "guide" / f"{md.stem}.html").is_file(), md.name
        assert f'href="guide/{md.stem}.html"' in _page(site, "index"), md.name


def test_catalogue_lists_every_theorem_as_certified(site):
    rows = _rows(_page(site, "catalogue"))
    verdicts = {row[0]: row[1] for row in rows if len(row) == 3}
    names = [it.theorem.name for _, it in _proof_items()]
    assert len(names) >= 30
    missing = [n for n in names if n not in verdicts]
    assert missing == [], f"not in the catalogue: {missing}"
    assert {n: verdicts[n] for n in names if verdicts[n] != "certified"} == {}
    assert len(verdicts) - 1 == len(names)  # and nothing else (the header row)
    summary = f"{len(names)} of {len(names)} theorems certified by lyapunov check"
    assert summary in _text(_page(site, "catalogue"))


def test_catalogue_typesets_the_certified_objects(site):
    """Each proof file's statement is there, and every descent lemma shows its rate, noise
    coefficient and multipliers: one certificate row per fact of its certificate, from the
    theorem object itself."""
    from lyapunov.engine import DescentLemma

    page = _page(site, "catalogue")
    sections = re.split(r'<section id="thm-', page)[1:]
    by_name = {_text(re.search(r"<h3>(.*?)<a", s, re.S).group(1)): s for s in sections}
    items = _proof_items()
    for path in {p for p, _ in items}:
        assert f"proofs/{path.name}" in page, path.name
    lemmas = [it.theorem for _, it in items if isinstance(it.theorem, DescentLemma)]
    assert lemmas
    for th in lemmas:
        section = by_name[th.name]
        rows = len(th.certificate) + len(getattr(th, "initial", None) or {})
        assert section.count(r"&amp;: \quad") == rows, th.name
        assert r"\rho &amp;=" in section and r"\nu &amp;=" in section, th.name
        assert "Verdict: certified in" in _text(section), th.name


def test_figures_page_shows_every_committed_figure(site):
    from lyapunov.figures import figure_module

    page = _page(site, "figures")
    text = _text(page)
    pngs = sorted(p.name for p in (ROOT / "figures").glob("*.png"))
    assert pngs
    for name in pngs:
        assert f'src="_images/{name}"' in page, name
        assert (site / "_images" / name).is_file(), name
        assert f"lyapunov figures --only {Path(name).stem}" in text, name
        caption = figure_module(Path(name).stem).CAPTION
        assert _in_order(_words(caption), text), f"{name}: caption missing"


def test_api_reference_carries_the_docstrings(site):
    """Each public function and class of a module's __all__ that has a docstring is on its
    page, with the first paragraph of that docstring (autodoc skips members without one)."""
    for page, modname in API.items():
        text = _page(site, f"api/{page}")
        mod = importlib.import_module(modname)
        names = [
            n
            for n in getattr(mod, "__all__", [])
            if (inspect.isfunction(getattr(mod, n)) or inspect.isclass(getattr(mod, n)))
            and inspect.getdoc(getattr(mod, n))
        ]
        assert names, modname
        for n in names:
            anchor = f'id="{modname}.{n}"'
            assert anchor in text, f"{modname}.{n}: not on api/{page}"
            entry = text.split(anchor, 1)[1].split("</dl>", 1)[0]
            first = inspect.getdoc(getattr(mod, n)).split("\n\n")[0]
            assert _in_order(_words(first), _text(entry)), f"{modname}.{n}: docstring"


def test_every_tutorial_ran(site):
    tutorials = sorted((DOCS / "tutorials").glob("*.md"))
    assert len(tutorials) >= 5
    for md in tutorials:
        page = _page(site, f"tutorials/{md.stem}")
        cells = page.count('class="cell docutils container"')
        outputs = page.count('class="cell_output docutils container"')
        assert cells >= 2 and outputs >= 2, md.name
        assert "Traceback" not in _outputs(page), md.name


def test_tutorial_outputs_are_todays_values(site):
    """What the executed tutorials show, set against the same calls made here: the bound of
    the training-run tutorial's first cell, the verdicts of the check tutorial and the sweep's
    bounds above its confidence intervals."""
    from lyapunov import bounds

    value = bounds.sgdm(lr=0.01, momentum=0.9, steps=1000, L=1.0, sigma2=0.01, gap=1.0)
    assert repr(value) in _outputs(_page(site, "tutorials/bound-your-training-run"))
    checked = _outputs(_page(site, "tutorials/check-a-lemma"))
    assert "certified in" in checked and "rejected certificate:" in checked
    swept = _outputs(_page(site, "tutorials/sweeps-on-dask"))
    assert "[ True True True True]" in swept and swept.count("confirmed") == 4


def test_nothing_points_outside_the_repository(site):
    """No page links or loads anything from the developers' own notes folder, and the
    sources do not name them."""
    for source in [*DOCS.glob("**/*.md"), *DOCS.glob("**/*.py")]:
        if "_build" in source.parts:
            continue
        assert "shared" + "/" not in source.read_text(encoding="utf-8"), source
    for page in site.glob("**/*.html"):
        links = re.findall(r'(?:href|src)="([^"]*)"', page.read_text(encoding="utf-8"))
        assert not [u for u in links if "shared" in u], page


def test_checker_page_quotes_todays_constants():
    """The numbers docs/checker.md quotes are the checker's: the short first z3 attempt and
    the default time allowed per theorem of `lyapunov check`."""
    from lyapunov.cli.check import check
    from lyapunov.engine.kernel.decide import QUICK

    text = " ".join((DOCS / "checker.md").read_text(encoding="utf-8").split())
    (timeout,) = [p.default for p in check.params if p.name == "timeout"]
    assert f"A short z3 attempt first ({QUICK:g} s)" in text
    assert f"(`--timeout`, {timeout:g} s per theorem by default)" in text


def test_docstring_bars_are_escaped_in_prose_only():
    """The autodoc hook escapes the plain-text norms of the package's docstrings (a bar
    starts a reST substitution) and leaves literal text alone."""
    sys.path.insert(0, str(DOCS / "_ext"))
    try:
        from lyapunov_docs.docstrings import escape_bars
    finally:
        sys.path.remove(str(DOCS / "_ext"))
    lines = [
        "Bounds (1/n) sum |grad f(x_k)|^2, see ``|x|`` and :func:`a|b`::",
        "",
        "    |z_k - x_k|^2 stays",
        "",
        "after the block |v|",
        ">>> abs(-1) | 0",
    ]
    assert escape_bars(lines) == [
        r"Bounds (1/n) sum \|grad f(x_k)\|^2, see ``|x|`` and :func:`a|b`::",
        "",
        "    |z_k - x_k|^2 stays",
        "",
        r"after the block \|v\|",
        ">>> abs(-1) | 0",
    ]
