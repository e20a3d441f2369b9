"""Suite-wide set-up: parallel runs with pytest-xdist.

pyproject.toml runs the suite on every core (``-n auto``) with ``--dist loadgroup``: tests are
handed out a few at a time, in collection order, to whichever worker is free, except the tests
of a group, which all run on one worker (groups go first). Here:

* a module with a module-scoped fixture of its own (a figure rendered once, a dask cluster,
  ...) is made a group, so that the fixture is built once, not once per worker;
* the slowest tests (``pytest --durations``) are collected first, so that no worker is left
  with one of them at the end while the other waits. This changes the order only: every test
  runs, and none depends on the order.
"""

from __future__ import annotations

import pytest

# the helpers' own asserts report their values too (they must be registered before import)
pytest.register_assert_rewrite("support.survivors")


#: node id prefixes of the slowest tests (tens of seconds each on 2 cores), slowest first
SLOWEST = (
    "tests/test_docs.py::",  # one group: the docs build (lyapunov check and the tutorials)
    "tests/test_proofs.py::test_descent_mutants_all_rejected[p11",
    "tests/test_mutation_survivors.py::test_sampled_widening_survives_exactly_when_documented",
    "tests/test_readme.py::test_samples_print_what_they_quote",
    "tests/test_synthesis_robust.py::",
    "tests/test_guide.py::test_samples_print_what_they_quote",
    "tests/test_kernel_crosscheck.py::test_every_shipped_theorem_passes_the_cross_check",
    "tests/test_proofs.py::test_descent_mutants_all_rejected",
    "tests/test_synthesis.py::test_auto_version_of_each_shipped_lemma_certifies",
    "tests/test_synthesis.py::test_guide_prove_page_works_as_written",
    "tests/test_bounds.py::test_best_sgd_lr_matches_dense_search_and_is_certified_at_its_step",
    "tests/test_sim.py::test_numba_engine_agrees_with_numpy",
)


def _slowness_rank(item) -> int:
    """Position of the first prefix of SLOWEST that ``item`` matches; len(SLOWEST) if none."""
    return next(
        (i for i, prefix in enumerate(SLOWEST) if item.nodeid.startswith(prefix)), len(SLOWEST)
    )


def _module_fixture_module(item) -> str | None:
    """The module's node id when ``item`` uses a module-scoped fixture defined in its module."""
    module = item.nodeid.split("::")[0]
    info = getattr(item, "_fixtureinfo", None)
    for defs in getattr(info, "name2fixturedefs", {}).values():
        for fd in defs:
            if getattr(fd, "scope", None) == "module" and getattr(fd, "baseid", "") == module:
                return module
    return None


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook, which reads the groups
def pytest_collection_modifyitems(config, items):
    items.sort(key=_slowness_rank)  # stable: the collection order otherwise
    for item in items:
        module = _module_fixture_module(item)
        if module is not None:
            item.add_marker(pytest.mark.xdist_group(name=module))
