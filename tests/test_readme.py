"""The README, the front page: short, standalone, and every sample in it runs and prints what
it quotes (tests/support/snippets.py says how samples are compared)."""

from __future__ import annotations

import re

import pytest
from support.snippets import ROOT, blocks, run_page

README = ROOT / "README.md"
TEXT = README.read_text()


def _project() -> dict:
    """pyproject.toml's [project] table."""
    tomllib = pytest.importorskip("tomllib")  # Python >= 3.11
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _dev_pins() -> dict[str, str]:
    """The `dev` extra's exact pins, name -> version."""
    dev = _project()["optional-dependencies"]["dev"]
    return dict(re.findall(r"^([\w-]+)==([\w.]+)$", "\n".join(dev), re.M))


def _section(title: str) -> str:
    """The text of the README's ``## title`` section."""
    m = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", TEXT, re.M | re.S)
    assert m, f"no section {title!r}"
    return m[1]


def test_is_a_front_page():
    assert len(TEXT.splitlines()) <= 200
    assert TEXT.startswith("# lyapunov\n")
    assert "arXiv:2010.00406" in TEXT and "Momentum via Primal Averaging" in TEXT
    assert "Defazio" in TEXT


def test_stands_alone_and_quotes_no_counts_or_timings_in_prose():
    """Nothing points into the project's working files; the prose claims no test count or
    duration (they go stale; the samples' times are matched as any number)."""
    assert "/work/" not in TEXT and "MISSION" not in TEXT
    prose = re.sub(r"^(```+).*?^\1", "", TEXT, flags=re.S | re.M)
    assert not re.search(r"\d[\d,]* tests\b", prose)
    assert not re.search(r"\d+(\.\d+)? ?(s|min|minutes|seconds)\b", prose)


def test_your_own_method_section_runs_a_file_of_the_user_s():
    """Issue 18's section: the method file, and `lyapunov pep` and `simulate --method` on it
    (run as written by test_samples_print_what_they_quote)."""
    text = _section("Your own method")
    assert "<!-- file: my_method.py -->" in text
    assert "$ lyapunov pep my_method.py --steps 12 --set lr=0.1 --set momentum=0.5" in text
    assert "$ lyapunov simulate --method my_method.py" in text
    assert "(docs/guide/own_method.md)" in text


def test_classes_section_uses_the_class_calculators():
    """Issue 19's section: the calculators with function_class, distance, measure and G."""
    text = _section("Convex, strongly convex and PL")
    # a call as one line (the samples are formatted like code: long calls one argument a line)
    flat = re.sub(r"\s+", " ", text.replace("\n...", " ")).replace("( ", "(").replace(", )", ")")
    for call in (
        'bounds.sgd(lr=1.0, L=1.0, sigma2=0.0, steps=10, function_class="smooth_convex", '
        "distance=1.0)",
        'function_class="smooth_strongly_convex", mu=0.1',
        'function_class="pl", mu=0.1, gap=1.0, measure="last_gap"',
        'dict(G=1.0, function_class="convex_lipschitz", distance=1.0)',
        "bounds.schedule_free(lr=0.1, momentum=0.9, sigma2=0.0, steps=99, **lipschitz)",
    ):
        assert call in flat, call
    assert "(docs/guide/classes.md)" in text


def test_samples_print_what_they_quote(tmp_path):
    """Every python, pycon, console and bash sample, in order, in a scratch folder: the
    quoted outputs (bounds, worst cases, a simulation, lyapunov check's verdicts) are what the
    tool prints today, numbers at the precision they are quoted."""
    ran = run_page(README, tmp_path)
    langs = [b.lang for b in ran]
    assert langs.count("console") >= 7 and langs.count("pycon") >= 2 and "python" in langs
    assert "certificate={" in (tmp_path / "p3_proved.py").read_text()  # prove wrote it


def test_no_sample_is_skipped():
    assert not [b.where for b in blocks(README) if b.marker in ("skip", "tested-in")]


def test_set_up_and_test_commands_are_the_ci_s():
    """The first bash block is exactly the set-up and test commands that .ci/run runs."""
    setup = next(b for b in blocks(README) if b.lang == "bash")
    lines = [ln.split("#")[0].strip() for ln in setup.text.splitlines()]
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert lines == [ln.strip() for ln in ci if re.match(r"python -m (pip|pytest)\b", ln)]


def test_cpu_torch_command_names_the_pinned_version():
    """The README's way to the CPU build installs exactly the torch that `dev` pins."""
    pin = _dev_pins()["torch"]
    cmd = f"python -m pip install torch=={pin} --index-url https://download.pytorch.org/whl/cpu"
    assert cmd in TEXT
    assert f"`torch=={pin}`" in TEXT
    assert _project()["optional-dependencies"]["torch"] == ["torch>=2.1,<3"]
    assert "accepts any torch 2.x from 2.1" in TEXT


def test_extras_it_names_exist():
    extras = _project()["optional-dependencies"]
    named = set(re.findall(r'`(?:pip install -e )?"?\.\[(\w+)\]"?`', TEXT))
    named |= set(re.findall(r"the `(\w+)` extra", TEXT))
    assert named and named <= set(extras), named - set(extras)


def test_links_resolve():
    """Every relative link is a file of the repository (the README stands alone)."""
    links = re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", TEXT)
    local = [link for link in links if "://" not in link]
    assert any(link.startswith("docs/guide/") for link in local)
    missing = [link for link in local if not (ROOT / link).is_file()]
    assert missing == []


def test_docs_build_command_is_the_documented_one():
    cmd = "python -m sphinx -W --keep-going -b html docs docs/_build/html"
    assert cmd in TEXT
    conf = ROOT / "docs" / "conf.py"
    if not conf.is_file():
        pytest.skip("no docs/conf.py")
    assert cmd in conf.read_text()


def test_citation_file_is_cff_of_this_version_citing_the_paper():
    """CITATION.cff: valid CFF 1.2.0 keys (the software, its version the package's) with the
    paper as preferred-citation."""
    yaml = pytest.importorskip("yaml")  # PyYAML (dask's dependency, in the dev extra)
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert {"cff-version", "message", "title", "authors"} <= set(cff)
    assert cff["cff-version"] == "1.2.0" and cff["type"] == "software"
    assert str(cff["version"]) == _project()["version"]
    assert all(a.get("name") or a.get("family-names") for a in cff["authors"])
    paper = cff["preferred-citation"]
    assert {"type", "title", "authors"} <= set(paper)
    assert paper["title"].startswith("Momentum via Primal Averaging")
    assert paper["authors"][0]["family-names"] == "Defazio" and paper["year"] == 2020
    assert "2010.00406" in paper["url"]


def test_changelog_keeps_a_changelog_with_this_version():
    text = (ROOT / "CHANGELOG.md").read_text()
    sections = re.findall(r"^## \[([^\]]+)\]", text, re.M)
    assert sections[0] == "Unreleased" and _project()["version"] in sections
    kinds = set(re.findall(r"^### (\w+)", text, re.M))
    assert kinds <= {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}
