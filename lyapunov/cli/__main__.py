"""``python -m lyapunov.cli``: the ``lyapunov`` command."""

from . import main

main()
