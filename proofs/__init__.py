"""The theorems, one per file; importable as ``lyapunov.proofs.<file>``.

Each file states its theorem in its docstring and defines ``theorem`` (or ``theorems``).
``lyapunov check`` re-verifies them; the bound calculators import their certified expressions.
"""
