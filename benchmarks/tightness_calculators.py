"""Tightness of every bound calculator, schedules included, against the exact relaxed PEP.

For each calculator of :mod:`lyapunov.bounds` (sgd, sgdm, spa, nesterov, qhm, gspa,
schedule_free, spa_schedule, sgdm_schedule, gspa_schedule) draws points with a fixed seed
(``--seed``): n = steps in 1..20 (1 and 20 always among them), the calculator's own parameters
spread over its region, with many points at and near the region's edges (the edge of the
certified theorem, e.g. L eta = 2 - c for spa, L lr = 1 - momentum^2 for sgdm, and the
method's stability edge on f = L x^2/2, the step where the GSPA map at curvature L reaches
spectral radius 1), exactly on them, just inside and just outside; momentum, c, beta, nu at
0 / 1 and near them; for schedules the shapes people run (constant, linear decay, step decay,
cosine, warm-up, warm-up + cosine; momentum warm-up and momentum dropped at the end).

At each point: the deterministic bound B (L = 1, sigma2 = 0, gap = 1) on
(1/n) sum_{k<n} |grad f(y_k)|^2, y_k where the k-th gradient is taken, and the worst case W of
that same average from ``lyapunov.pep.solve(method, params, condition="lower_bound",
points="gradient")``: L-smooth interpolation at y_0..y_n and a free f_* with
f(y_0) - f_* <= 1 and f_* <= f(y) - |grad f(y)|^2/(2L) at every point (a relaxation of
{f L-smooth, f(x_0) - inf f <= 1}, so every certified B must be >= W). Schedules go through
the same entry point (a per-step array for each parameter; the registry's method runs the
steps, e.g. torch's SGD+M recursion for sgdm).

Prints per calculator: points, finite B, median and max of B / W over finite B, the number of
points with B = inf where W <= 10, UNSOUND points (B < W (1 - 1e-6), re-solved at tight
solver tolerances before being reported) and whether the goal holds (median <= 1.05,
max <= 1.5, no inf where W <= 10); then the loosest point of each calculator.

    nice -n 10 python benchmarks/tightness_calculators.py                 # ~1000 points
    nice -n 10 python benchmarks/tightness_calculators.py --points-scale 0.1 --seed 1
"""

from __future__ import annotations

import argparse
import math
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from lyapunov import bounds, pep
from lyapunov.methods.registry import to_gspa

#: every calculator -> the registry method whose PEP is its worst case
CALCULATORS = {
    "sgd": "sgd",
    "sgdm": "sgdm",
    "spa": "spa",
    "nesterov": "nesterov",
    "qhm": "qhm",
    "gspa": "gspa",
    "schedule_free": "schedule_free",
    "spa_schedule": "spa",
    "sgdm_schedule": "sgdm",
    "gspa_schedule": "gspa",
}
SCHEDULES = ("spa_schedule", "sgdm_schedule", "gspa_schedule")
#: points per calculator at --points-scale 1
PER_CALCULATOR = 100
MAX_STEPS = 20
#: multiples of an edge: on it, just inside and just outside
EDGE_FACTORS = (0.9, 0.97, 0.99, 0.999, 1.0, 1.0, 1.001, 1.01, 1.03, 1.1)
#: momentum (and 1 - c) values at and near the ends of [0, 1)
MOMENTA = (0.0, 1e-3, 0.01, 0.1, 0.5, 0.9, 0.99, 0.999)
UNIT = (0.0, 1e-3, 0.01, 0.5, 0.99, 0.999, 1.0)  # beta, nu in [0, 1]
GOAL_MEDIAN, GOAL_MAX, W_INF = 1.05, 1.5, 10.0
SOUND_TOL = 1e-6
TIGHT = {"tol_gap_abs": 1e-10, "tol_gap_rel": 1e-10, "tol_feas": 1e-10}
SHAPES = ("constant", "linear", "step", "cosine", "warmup", "warmup_cosine")


@dataclass
class Point:
    """One evaluation: a calculator, its parameters (numbers or per-step arrays), n, a label."""

    calculator: str
    params: dict
    steps: int
    label: str
    bound: float = math.nan
    worst: float = math.nan
    note: str = ""


# --- edges ---------------------------------------------------------------------------------


def gspa_radius(eta: float, c: float, beta: float, L: float = 1.0) -> float:
    """Spectral radius of one GSPA step on f = L x^2/2, state (x, z):
    y = beta x + (1 - beta) z, z' = z - eta L y, x' = (1 - c) x + c z'."""
    a = eta * L
    M = np.array(
        [
            [1 - c - c * a * beta, c * (1 - a * (1 - beta))],
            [-a * beta, 1 - a * (1 - beta)],
        ]
    )
    return float(np.max(np.abs(np.linalg.eigvals(M))))


def stability_edge(coords: Callable[[float], tuple[float, float, float]]) -> float:
    """The first step s > 0 where the GSPA map coords(s) = (eta, c, beta) at curvature L = 1
    leaves spectral radius <= 1 (log grid, then bisection); inf if none below 1e3."""
    grid = np.geomspace(1e-3, 1e3, 300)
    above = [gspa_radius(*coords(s)) > 1 + 1e-9 for s in grid]
    if not any(above):
        return math.inf
    i = above.index(True)
    if i == 0:
        return float(grid[0])
    lo, hi = float(grid[i - 1]), float(grid[i])
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if gspa_radius(*coords(mid)) <= 1 + 1e-9 else (lo, mid)
    return lo


def method_edge(method: str, step: str, k: int = 0, **others: float) -> float:
    """The stability edge of ``method``'s step parameter ``step`` (lr or eta), the others
    fixed, from the registry's map to GSPA at step k."""

    def coords(s: float) -> tuple[float, float, float]:
        return tuple(float(v) for v in to_gspa(method, k, **{step: s}, **others))

    return stability_edge(coords)


# --- drawing points -------------------------------------------------------------------------


class Draw:
    """Random choices with one generator (fixed seed)."""

    def __init__(self, seed: int):
        self.rng = np.random.default_rng(seed)

    def steps(self, i: int) -> int:
        """n: 1 and MAX_STEPS for the first two points of each calculator, then uniform."""
        return (1, MAX_STEPS)[i] if i < 2 else int(self.rng.integers(1, MAX_STEPS + 1))

    def pick(self, values):
        return values[int(self.rng.integers(len(values)))]

    def unit(self, ends=MOMENTA) -> float:
        """Half from ``ends`` (values at and near 0 and 1), half uniform."""
        return float(self.pick(ends)) if self.rng.random() < 0.5 else float(self.rng.random())

    def c(self) -> float:
        """c in (0, 1]: 1 - momentum, with c = 1 and c near 0 included."""
        return 1.0 - min(self.unit(), 0.999)

    def scale(self) -> tuple[float, str]:
        """A multiple of an edge: 55% from EDGE_FACTORS, else log-uniform or uniform inside."""
        u = self.rng.random()
        if u < 0.55:
            f = float(self.pick(EDGE_FACTORS))
            return f, f"edge x {f:g}"
        if u < 0.75:
            return float(10 ** self.rng.uniform(-3, 0)), "inside"
        return float(self.rng.uniform(0.05, 1.0)), "inside"

    def step(self, edges: dict[str, float]) -> tuple[float, str]:
        """A step size at a multiple of one of ``edges`` (name -> value; inf ones skipped, 2/L
        where none is finite)."""
        finite = {k: v for k, v in edges.items() if math.isfinite(v) and v > 0}
        finite = finite or {"2/L (no finite edge)": 2.0}
        name = self.pick(sorted(finite))
        f, how = self.scale()
        return f * finite[name], f"{how} of {name} {finite[name]:.4g}"


def _p4c_reach(c: float) -> float:
    return 4 * (2 - c) ** 2 / ((2 - c) ** 2 + c**2)


def constant_points(calc: str, draw: Draw, count: int) -> list[Point]:
    """``count`` points of a constant-parameter calculator."""
    out = []
    for i in range(count):
        n = draw.steps(i)
        if calc == "sgd":
            lr, how = draw.step({"2/L": 2.0})
            params = {"lr": lr}
        elif calc == "spa":
            c = draw.c()
            eta, how = draw.step(
                {"2-c (P4)": 2 - c, "P4c reach": _p4c_reach(c), "stability": _spa_edge(c)}
            )
            params = {"eta": eta, "c": c}
        elif calc == "sgdm":
            m = draw.unit()
            edges = {"1-m^2 (P4)": 1 - m * m, "stability": method_edge("sgdm", "lr", momentum=m)}
            lr, how = draw.step(edges)
            params = {"lr": lr, "momentum": m}
        elif calc == "nesterov":
            m = draw.unit()
            lr, how = draw.step({"stability": method_edge("nesterov", "lr", momentum=m)})
            params = {"lr": lr, "momentum": m}
        elif calc == "qhm":
            m, nu = draw.unit(), draw.unit(UNIT)
            lr, how = draw.step({"stability": method_edge("qhm", "lr", momentum=m, nu=nu)})
            params = {"lr": lr, "momentum": m, "nu": nu}
        elif calc == "gspa":
            c, beta = draw.c(), draw.unit(UNIT)
            edges = {"stability": method_edge("gspa", "eta", c=c, beta=beta)}
            if beta == 1.0:
                edges["2-c (P4)"] = 2 - c
            eta, how = draw.step(edges)
            params = {"eta": eta, "c": c, "beta": beta}
        elif calc == "schedule_free":
            m = draw.unit()
            edges = {
                "5/(5-2m) (P22)": 5 / (5 - 2 * m),
                "3/(3-2m) (P22)": 3 / (3 - 2 * m),
                "stability at c=1/n": method_edge("schedule_free", "lr", k=n - 1, momentum=m),
            }
            lr, how = draw.step(edges)
            params = {"lr": lr, "momentum": m}
        else:
            raise ValueError(calc)
        out.append(Point(calc, params, n, how))
    return out


def _spa_edge(c: float) -> float:
    return method_edge("spa", "eta", c=c)


def shape(kind: str, n: int, peak: float, rng: np.random.Generator) -> np.ndarray:
    """A schedule of n values with maximum ``peak``: constant, linear decay to peak/10, step
    decay (x 0.1 at a random milestone), cosine to peak/100, linear warm-up over about n/4
    steps then constant, or warm-up then cosine."""
    k = np.arange(n)
    if kind == "constant":
        return np.full(n, peak)
    if kind == "linear":
        return np.linspace(peak, 0.1 * peak, n)
    if kind == "step":
        milestone = int(rng.integers(1, n)) if n > 1 else 1
        return np.where(k < milestone, peak, 0.1 * peak)
    low = 0.01 * peak
    if kind == "cosine":
        return low + (peak - low) * (1 + np.cos(np.pi * k / n)) / 2
    w = max(1, n // 4)
    warm = peak * np.minimum(1.0, (k + 1) / w)
    if kind == "warmup":
        return warm
    if kind == "warmup_cosine":
        rest = np.maximum(k - w + 1, 0)
        return np.where(
            k < w, warm, low + (peak - low) * (1 + np.cos(np.pi * rest / (n - w + 1))) / 2
        )
    raise ValueError(kind)


def second(draw: Draw, n: int, kind_of: str) -> tuple[np.ndarray, str]:
    """The second parameter per step: momentum (``kind_of="momentum"``) or c, constant (60%),
    a momentum warm-up (momentum 0.5 -> m; c 0.5 -> c), or (momentum) dropped to 0 for the
    last quarter of the steps (the end only: torch's semantics at momentum 0 elsewhere differ)."""
    u = draw.rng.random()
    m = draw.unit() if kind_of == "momentum" else draw.c()
    if u < 0.6 or n == 1:
        return np.full(n, m), f"{kind_of} {m:.4g}"
    if u < 0.85 or kind_of != "momentum":
        return np.linspace(0.5, m, n), f"{kind_of} 0.5->{m:.4g}"
    drop = max(1, n // 4)
    return np.r_[np.full(n - drop, m), np.zeros(drop)], f"momentum {m:.4g}, 0 for the last {drop}"


def schedule_points(calc: str, draw: Draw, count: int) -> list[Point]:
    """``count`` points of a schedule calculator, the issue's example first (spa_schedule)."""
    out = []
    if calc == "spa_schedule":
        eta = np.linspace(1.0, 0.1, 12)
        out.append(Point(calc, {"eta": eta, "c": np.full(12, 0.1)}, 12, "linear eta 1->0.1, c 0.1"))
    while len(out) < count:
        n = draw.steps(len(out))
        kind = draw.pick(SHAPES)
        if calc == "sgdm_schedule":
            mom, what = second(draw, n, "momentum")
            edge = float(np.min(1 - mom**2))  # P4 at every step
            edges = {"1-m^2 (P4)": edge}
            if np.ptp(mom) == 0:
                edges["stability"] = method_edge("sgdm", "lr", momentum=float(mom[0]))
            peak, how = draw.step(edges)
            params = {"lr": shape(kind, n, peak, draw.rng), "momentum": mom}
        else:
            c, what = second(draw, n, "c")
            beta = 1.0 if calc == "spa_schedule" else draw.unit(UNIT)
            edges = {"stability": method_edge("gspa", "eta", c=float(c.max()), beta=beta)}
            if beta == 1.0:
                edges["2-c (P4)"] = float(np.min(2 - c))
            peak, how = draw.step(edges)
            params = {"eta": shape(kind, n, peak, draw.rng), "c": c}
            if calc == "gspa_schedule":
                params["beta"] = beta
                what += f", beta {beta:.4g}"
        out.append(Point(calc, params, n, f"{kind} peak {peak:.4g} ({how}), {what}"))
    return out


def draw_points(calculators, scale: float, seed: int) -> list[Point]:
    draw = Draw(seed)
    count = max(3, round(PER_CALCULATOR * scale))
    out = []
    for calc in calculators:
        make = schedule_points if calc in SCHEDULES else constant_points
        out += make(calc, draw, count)
    return out


# --- evaluating ------------------------------------------------------------------------------


def bound_of(p: Point) -> float:
    """The calculator's deterministic bound (L = 1, sigma2 = 0, gap = 1); nan if it raised."""
    fun = getattr(bounds, p.calculator)
    kw = {"L": 1.0, "sigma2": 0.0, "gap": 1.0}
    if p.calculator not in SCHEDULES:
        kw["steps"] = p.steps
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return float(fun(**p.params, **kw))
    except Exception as e:  # a calculator bug is a result here: shown, never fatal
        p.note += f"bound raised {type(e).__name__}: {e}; "
        return math.nan


def worst_of(p: Point, solver_options: dict | None = None) -> float:
    """W: the relaxed PEP of the calculator's method at the same parameters and n."""
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            w = pep.solve(
                CALCULATORS[p.calculator],
                p.params,
                steps=p.steps,
                L=1.0,
                gap=1.0,
                condition="lower_bound",
                points="gradient",
                solver_options=solver_options,
            ).value
        if any("inaccurately" in str(c.message) for c in caught):
            p.note += "PEP inaccurate; "
        return w
    except (RuntimeError, ValueError) as e:
        p.note += f"PEP failed: {e}; "
        return math.nan


def evaluate(points: list[Point], verbose: bool) -> None:
    for i, p in enumerate(points):
        p.bound, p.worst = bound_of(p), worst_of(p)
        if is_unsound(p):  # re-solve at tight tolerances before calling it unsound
            loose = p.worst
            p.worst = worst_of(p, TIGHT)
            p.note += f"W at default tolerances {loose:.10g}; "
        if verbose:
            print(f"  {p.calculator:<14} n={p.steps:<3} B={p.bound:<10.5g} W={p.worst:<10.5g} "
                  f"{describe(p)} {p.note}", flush=True)  # fmt: skip
        elif i == len(points) - 1 or points[i + 1].calculator != p.calculator:
            print(f"  {p.calculator}: done", flush=True)


def is_unsound(p: Point) -> bool:
    if not math.isfinite(p.bound) or math.isnan(p.worst):
        return False
    return p.worst == math.inf or p.bound < p.worst * (1 - SOUND_TOL)


def _fmt(v) -> str:
    a = np.asarray(v, dtype=float)
    if a.ndim == 0:
        return f"{float(a):.6g}"
    if np.ptp(a) == 0:
        return f"{a[0]:.6g} (x{a.size})"
    return "[" + ", ".join(f"{x:.4g}" for x in a) + "]"


def _ratio(r: float) -> str:
    return f"{r:.3f}" if r < 1000 else f"{r:.3g}"


def describe(p: Point) -> str:
    params = ", ".join(f"{k}={_fmt(v)}" for k, v in p.params.items())
    return f"{params}, n={p.steps} [{p.label}]"


# --- report ----------------------------------------------------------------------------------


def summarise(points: list[Point], calculators) -> None:
    head = (
        f"| {'calculator':<14}| {'points':>6} | {'finite B':>8} | {'median':>7} | {'max':>8} "
        f"| {'inf (W<=10)':>11} | {'unsound':>7} | {'failed':>6} | goal"
    )
    print(head)
    print("|" + "|".join("-" * len(s) for s in head.split("|")[1:]))
    loosest, bad = [], []
    for calc in calculators:
        pts = [p for p in points if p.calculator == calc]
        ok = [p for p in pts if math.isfinite(p.bound) and math.isfinite(p.worst) and p.worst > 0]
        ratio = np.array([p.bound / p.worst for p in ok])
        small = [p for p in pts if p.worst <= W_INF]
        inf = sum(p.bound == math.inf for p in small)
        unsound = [p for p in pts if is_unsound(p)]
        failed = sum(math.isnan(p.bound) or math.isnan(p.worst) for p in pts)
        bad += unsound
        med = float(np.median(ratio)) if ratio.size else math.nan
        top = float(ratio.max()) if ratio.size else math.nan
        misses = []
        if not med <= GOAL_MEDIAN:
            misses.append("median")
        if not top <= GOAL_MAX:
            misses.append("max")
        if inf:
            misses.append("inf")
        if unsound:
            misses.append("UNSOUND")
        goal = "met" if not misses else "not met (" + ", ".join(misses) + ")"
        print(
            f"| {calc:<14}| {len(pts):>6} | {len(ok):>8} | {med:>7.3f} | {_ratio(top):>8} "
            f"| {f'{inf} of {len(small)}':>11} | {len(unsound):>7} | {failed:>6} | {goal}"
        )
        if ratio.size:
            w = ok[int(np.argmax(ratio))]
            loosest.append(
                f"{calc}: B/W {top:.4f} (B {w.bound:.6g}, W {w.worst:.6g}) at {describe(w)}"
            )
        infs = [p for p in small if p.bound == math.inf]
        if infs:
            lo = min(infs, key=lambda p: p.worst)
            loosest.append(f"{calc}: inf with the smallest W {lo.worst:.6g} at {describe(lo)}")
    print("\nloosest point per calculator (and its inf point with the smallest W):")
    for line in loosest:
        print("  " + line)
    notes = [p for p in points if p.note and not is_unsound(p)]
    if notes:
        print(f"\nnotes ({len(notes)} points):")
        for p in notes:
            print(f"  {p.calculator}: {p.note}at {describe(p)}")
    print()
    if bad:
        print(f"!!! UNSOUND: {len(bad)} points with B < W (1 - {SOUND_TOL:g}) !!!")
        for p in bad:
            print(f"  {p.calculator}: B {p.bound!r} < W {p.worst!r} at {describe(p)} {p.note}")
            for k, v in p.params.items():
                print(f"    {k} = {np.asarray(v).tolist()!r}")
    else:
        print(f"no unsound point (B >= W (1 - {SOUND_TOL:g}) everywhere)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--points-scale",
        type=float,
        default=1.0,
        help=f"points per calculator = {PER_CALCULATOR} x this (at least 3)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", nargs="+", choices=list(CALCULATORS), help="these calculators")
    parser.add_argument("--verbose", action="store_true", help="print every point")
    args = parser.parse_args()
    if not args.points_scale > 0:
        parser.error(f"--points-scale: must be > 0, got {args.points_scale}")
    calculators = args.only or list(CALCULATORS)
    t0 = time.perf_counter()
    points = draw_points(calculators, args.points_scale, args.seed)
    print(
        f"{len(points)} points, seed {args.seed}, n <= {MAX_STEPS}, L = 1, sigma2 = 0, gap = 1; "
        "W: lyapunov.pep.solve(condition='lower_bound', points='gradient')",
        flush=True,
    )
    evaluate(points, args.verbose)
    print(f"\nB / W over the points with finite B and W (goal: median <= {GOAL_MEDIAN}, "
          f"max <= {GOAL_MAX}, no inf where W <= {W_INF:g})\n")  # fmt: skip
    summarise(points, calculators)
    print(f"\ntotal time {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
