"""What a simulation returns: :class:`SimResult`, made from an engine's records
(:func:`from_records`: means over the runs still alive), with the runs that diverged told
apart from those that left the range of float64 (:func:`overflowed`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

__all__ = ["SimResult", "from_records", "default_blowup", "overflowed"]


@dataclass
class SimResult:
    r"""What a simulation records. P configurations x S seeds (runs), dim d, n steps.

    Per step k (mean over the runs of a configuration still alive at step k; ``alive`` counts
    them, and a mean over no run is NaN, never a silent 0):

    x_k below is the point where the k-th gradient is taken (the optimizer's parameters in
    train mode): GSPA's y_k = (1 - beta_k) z_k + beta_k x_k for the GSPA members
    (``nesterov``, ``qhm``, ``schedule_free``, ``gspa``), the iterate itself otherwise.

    * ``grad2[p, k]`` = mean |grad f(x_k)|^2,  ``f[p, k]`` = mean f(x_k) (if recorded),
    * ``cos[p, k]`` = mean cos(buffer_k, grad f(x_k)) (momentum methods, if recorded; taken as
      0 where the buffer is 0, e.g. at k = 0), the C4 correlation.

    Per run: ``run_grad2[p, s]`` = (1/n) sum_{k<n} |grad f(x_k)|^2, NaN for a diverged run;
    ``diverged[p, s]`` and ``diverged_step[p, s]`` (-1 if it did not diverge: the first k
    with a non-finite gradient or |x_k| > blowup; the run is frozen at x_k from then on);
    ``overflowed[p, s]``: the run left the range of float64 (it stopped at a point within
    blowup, or at a non-finite one, because its arithmetic overflowed; or its sum of
    |grad f(x_k)|^2 overflowed): a numerical limit of the input's scale, not a divergence of
    the method; ``run_grad2`` is NaN there too. ``f0[p, s]`` = f(x_0). ``x`` is the final
    state (P, S, d) (x_k of the step of divergence for diverged runs) and ``state`` the
    second state (b, z or x_{k-1}); for the GSPA members ``x`` is y_n (with the last step's
    beta if beta is a schedule), ``x_eval`` is GSPA's final x_n (schedule-free's eval-mode
    parameters; None for the other methods) and ``gspa`` holds their (eta_k, c_k, beta_k) as
    (P, T) arrays. ``trajectory``
    (n + 1, P, S, d) only if asked. ``var_mean``/``var_max``: minibatch noise only, the exact
    conditional variance E|xi_k|^2 at x_k (mean per step, max over steps and runs).
    """

    method: str
    params: dict[str, np.ndarray]
    steps: int
    seeds: int
    seed: int
    engine: str
    grad2: np.ndarray
    f: np.ndarray | None
    cos: np.ndarray | None
    alive: np.ndarray
    run_grad2: np.ndarray
    diverged_step: np.ndarray
    f0: np.ndarray
    x: np.ndarray
    state: np.ndarray
    trajectory: np.ndarray | None = None
    var_mean: np.ndarray | None = None
    var_max: np.ndarray | None = None
    extra: dict = field(default_factory=dict)
    x_eval: np.ndarray | None = None
    gspa: dict[str, np.ndarray] | None = None
    overflowed: np.ndarray | None = None
    blowup: float | None = None

    @property
    def diverged(self) -> np.ndarray:
        return self.diverged_step >= 0

    @property
    def configs(self) -> int:
        return self.grad2.shape[0]


def _mean(s: np.ndarray, n: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, s / np.maximum(n, 1), np.nan)


def default_blowup(sigma2: np.ndarray) -> float:
    """The default blow-up threshold of |x_k|: 1e6 max(1, sqrt(max sigma2)). The noise alone
    moves x by about lr sqrt(sigma2 k) / (1 - momentum) in k steps (at most 2 sqrt(sigma2 k)
    / L in the certified region), so only a run that really runs away passes it."""
    with np.errstate(over="ignore", invalid="ignore"):
        top = float(np.max(sigma2)) if np.size(sigma2) else 0.0
    return 1e6 * max(1.0, math.sqrt(top)) if math.isfinite(top) else math.inf


def overflowed(run_grad2: np.ndarray, diverged_step: np.ndarray, x: np.ndarray, blowup: float):
    """(P, S) mask of the runs that left the range of float64: stopped at a point that is
    not beyond ``blowup`` (or not finite), i.e. by a gradient that overflowed, or alive with
    a non-finite sum of |grad f(x_k)|^2."""
    with np.errstate(all="ignore"):
        norm = np.hypot.reduce(np.abs(x), axis=-1)  # |x| without squaring (no overflow)
    beyond = np.isfinite(norm) & (norm > blowup)
    stopped = diverged_step >= 0
    return (stopped & ~beyond) | (~stopped & ~np.isfinite(run_grad2))


def from_records(
    out: dict, objective, X0, *, f: bool, cos: bool, var: bool, blowup: float, **fields
) -> SimResult:
    """A :class:`SimResult` from an engine's records (means over the live runs)."""
    n, s = out["count"], out["sums"]
    over = overflowed(out["run_grad2"], out["diverged_step"], out["x"], blowup)
    return SimResult(
        grad2=_mean(s["grad2"], n),
        f=_mean(s["f"], n) if f else None,
        cos=_mean(s["cos"], n) if cos else None,
        alive=n,
        run_grad2=np.where(over, np.nan, out["run_grad2"]),
        diverged_step=out["diverged_step"],
        f0=objective.f(X0),
        x=out["x"],
        state=out["state"],
        trajectory=out["trajectory"],
        var_mean=_mean(s["var"], n) if var else None,
        var_max=out["var_max"],
        overflowed=over,
        blowup=blowup,
        **fields,
    )
