"""Helpers for the tests and benchmarks (not part of the installed package).

* :mod:`support.instances` -- concrete L-smooth instances for numeric cross-checks;
* :mod:`support.mutants` -- wrong variants of theorems (mutation testing of the proofs);
* :mod:`support.kernel_mutants` -- mutants of the checker's own code (kernel mutation testing);
* :mod:`support.fuzzing` -- input generators for fuzzing the CLI and the proof loader;
* :mod:`support.snippets` -- runs the samples of the README and docs/guide/ and compares what
  they print with what the pages quote (tests/test_readme.py, tests/test_guide.py);
* :mod:`support.survivors` -- the region widenings that stay certified, and their numeric
  confirmation (a sample in the suite, every one in benchmarks/mutation_survivors.py).

``pytest`` finds this package through ``pythonpath = ["tests"]`` in pyproject.toml; the
benchmarks put tests/ on ``sys.path`` themselves.
"""
