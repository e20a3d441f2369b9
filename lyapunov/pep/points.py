"""The points of a worst-case problem: a method's run, with vectors as coefficients.

A deterministic run of a method (:class:`lyapunov.methods.Method`) from x_0 is linear in the
gradients it sees, so every point is a fixed combination of g_0, ..., g_{n-1} (and of x_0 -
x_*, for a class with a minimiser x_*, placed at the origin). The method's own rule steps
these coefficient vectors (it uses +, - and scalar * only), so no second copy of the method
exists here.

Points, in order: the gradient points y_0, ..., y_n (the gradient at y_n enters only the
constraints), then for each name in ``extra`` (a state variable that is a point, or
``"output"``) its values at k = 1..n; a point equal to an earlier one is not repeated. The
basis of the problem's Gram matrix is the gradient at each point (column p for point p), then
x_0 - x_* if the class has a minimiser.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["Trajectory", "run"]


@dataclass(frozen=True)
class Trajectory:
    """A run's points: ``labels``, positions ``pos`` (m, nb) over the basis, the basis column
    of each point's gradient ``gcol`` (m,), the index ``output`` of x_n among the points (or
    -1 when it is not one), ``n`` steps and whether column nb-1 is x_0 - x_*."""

    labels: tuple[str, ...]
    pos: np.ndarray
    gcol: np.ndarray
    output: int
    n: int
    minimizer: bool

    @property
    def m(self) -> int:
        return len(self.labels)

    @property
    def nb(self) -> int:
        return self.pos.shape[1]


def _is_new(row: np.ndarray, rows: list[np.ndarray]) -> bool:
    return not any(np.allclose(row, r, rtol=0.0, atol=1e-12) for r in rows)


def _at(values: Mapping[str, np.ndarray], k: int) -> dict[str, float]:
    """The parameters of step k (a schedule's k-th value; its last one beyond its end)."""
    out = {}
    for p, v in values.items():
        v = np.asarray(v, dtype=float)
        out[p] = float(v) if v.ndim == 0 else float(v[min(k, v.shape[0] - 1)])
    return out


def run(
    method,
    values: Mapping[str, np.ndarray],
    steps: int,
    *,
    L: float,
    extra: Sequence[str] = (),
    output: bool = False,
    minimizer: bool = False,
) -> Trajectory:
    """The points of ``steps`` steps of ``method`` with parameters ``values`` (numbers or
    schedules of ``steps`` values, validated by the caller), as in the module docstring;
    ``output`` makes x_n a point (for the measures on the last iterate)."""
    n = steps
    s = len(method.state)
    width = n + 1  # g_0..g_{n-1}, then x_0 - x_*
    d = np.zeros(width)
    if minimizer:
        d[n] = 1.0
    state = tuple(d * method.start[i] for i in range(s))
    unit = np.eye(width)
    ys, states, outs = [], [], []
    with np.errstate(all="ignore"):
        for k in range(n + 1):
            vk = _at(values, k)
            ys.append(np.asarray(method.gradient_point(state, vk, k=k, n=n, L=L), dtype=float))
            outs.append(np.asarray(method.output_point(state, vk, k=k, n=n, L=L), dtype=float))
            states.append(state)
            if k < n:
                state = tuple(
                    np.asarray(v, dtype=float)
                    for v in method.apply(state, unit[k], vk, k=k, n=n, L=L)
                )
    labels = [f"{_prefix(method)}{k}" for k in range(n + 1)]
    rows = [np.broadcast_to(y, (width,)) for y in ys]
    for name in extra:
        if name == "output":
            seq, tag = outs, method.output if isinstance(method.output, str) else "x"
        elif name in method.state and method.start[method.state.index(name)] == 1:
            i = method.state.index(name)
            seq, tag = [st[i] for st in states], name
        else:
            points = [v for v, st in zip(method.state, method.start, strict=True) if st == 1]
            raise ValueError(
                f"points: {name!r} is not a point of {method.name} "
                f"(its points: {', '.join(points)}, output)"
            )
        for k in range(1, n + 1):
            row = np.broadcast_to(seq[k], (width,))
            if _is_new(row, rows):
                labels.append(f"{tag}{k}")
                rows.append(row)
    out_index = -1
    last = np.broadcast_to(outs[n], (width,))
    for i, r in enumerate(rows):
        if np.allclose(last, r, rtol=0.0, atol=1e-12):
            out_index = i
            break
    if output and out_index < 0:
        tag = method.output if isinstance(method.output, str) else "x"
        labels.append(f"{tag}{n}")
        rows.append(last)
        out_index = len(rows) - 1
    m = len(rows)
    nb = m + (1 if minimizer else 0)
    pos = np.zeros((m, nb))
    R = np.array(rows)
    if not np.all(np.isfinite(R)):
        raise ValueError(f"{method.name}: the run's coefficients are not finite")
    pos[:, :n] = R[:, :n]
    if minimizer:
        pos[:, m] = R[:, n]
    return Trajectory(tuple(labels), pos, np.arange(m), out_index, n, minimizer)


def _prefix(method) -> str:
    return method.gradient_at if isinstance(method.gradient_at, str) else "y"
