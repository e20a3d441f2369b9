"""lyapunov: machine-checked Lyapunov analysis of SGD with momentum (SPA form).

Rooms, with one-way doors:

* ``lyapunov.engine``  -- symbolic forms, facts, regions, exact decisions, theorems;
* ``lyapunov.methods`` -- the update rules (SGD, SPA, heavy ball, PyTorch SGD+M);
* ``proofs/``          -- the theorems (use the engine and the methods);
* ``lyapunov.loader``  -- loads proof files; ``lyapunov.cli`` -- the command line (imports
  everything, imported by nothing).

Importing the package is cheap: submodules load on first use.
"""

__version__ = "0.1.0"
