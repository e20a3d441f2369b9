"""Studies: computations whose results are stored as data, read by the figures and the
benchmarks (the figures in :mod:`lyapunov.figures` only draw).

* :mod:`.region`: where SGD+M converges and where it is certified, in (lr, momentum): the
  certified regions of P4 and P4c (from the theorem objects), the quadratic stability limit
  (from the method), and the exact worst cases by performance estimation on a grid, stored in
  ``data/region_pep.csv`` (computed by ``benchmarks/region_pep.py --recompute``);
* :mod:`.correlation`: SPA runs recording P7's correlation terms (the figure ``correlation``);
* :mod:`.digits`: training on scikit-learn's digits with momentum kept or dropped (the figure
  ``momentum_drop``);
* :mod:`.classes`: Monte-Carlo confirmation of the certified bounds in the convex, strongly
  convex, Lipschitz and PL classes, and their exact worst cases (the figure ``classes``).
"""
