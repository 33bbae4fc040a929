"""Is a scipy interpolator as exact and as fast as the hand-written Poisson quantiles?

Run on demand: `.venv/bin/python bench/bench_poisson_interpolation.py`. For a million
expected counts, log-uniform over 1 … 10⁶, it times the upper 99.8% funnel count by:

* the exact inverse chi-square (`scipy.special.chdtriv`), the reference;
* `consortia.stats.poisson_quantiles.upper_counts` (Chebyshev pieces, built per call);
* scipy interpolators of the same smooth function g(ln μ) = ln(O/μ), built per call from
  exact values at as many nodes as the hand-written table uses (and at four times as many):
  `CubicSpline`, `make_interp_spline(k=5)` and `PchipInterpolator`.

It prints each method's best-of-three time and its largest relative error against the
exact inverse; the tests (tests/unit/stats/test_poisson_quantiles.py) require 1e-9.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial

import numpy as np
from scipy import interpolate

from consortia.stats.poisson_quantiles import (
    CHECKS,
    NODES,
    WIDTH,
    exact_lower_counts,
    exact_upper_counts,
    lower_counts,
    upper_counts,
)

MEANS = 1_000_000
TAIL = 0.001  # the upper tail of the 99.8% limits
Interpolator = Callable[[np.ndarray, np.ndarray], Callable[[np.ndarray], np.ndarray]]


def best_of(repeats: int, work: Callable[[], np.ndarray]) -> tuple[float, np.ndarray]:
    """The fastest of several runs (seconds) and the last result."""
    times, result = [], np.empty(0)
    for _ in range(repeats):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return min(times), result


def scipy_counts(
    means: np.ndarray, nodes: int, build: Interpolator, lower: bool = False
) -> np.ndarray:
    """Counts by a scipy interpolator of g(t) = ln(O/(μ − μ₀)), t = ln μ, on `nodes` points
    (μ₀ = −ln tail for the lower count, below which it is 0; 0 for the upper)."""
    origin, exact = (-np.log(TAIL), exact_lower_counts) if lower else (0.0, exact_upper_counts)
    live = means > origin
    t = np.log(means[live])
    grid = np.linspace(t.min(), t.max(), nodes)
    at = np.exp(grid)
    g = np.log(exact(at, TAIL) / (at - origin))
    counts = np.zeros_like(means)
    counts[live] = (means[live] - origin) * np.exp(build(grid, g)(t))
    return counts


BUILDERS: dict[str, Interpolator] = {
    "CubicSpline": lambda x, y: interpolate.CubicSpline(x, y),
    "make_interp_spline k=5": lambda x, y: interpolate.make_interp_spline(x, y, k=5),
    "PchipInterpolator": lambda x, y: interpolate.PchipInterpolator(x, y),
}


def main() -> None:
    rng = np.random.default_rng(2013)
    means = np.exp(rng.uniform(0, np.log(1e6), MEANS))
    pieces = int(np.ceil(np.log(means.max()) / WIDTH))
    budget = pieces * (NODES.size + CHECKS.size)  # exact values the hand-written table takes
    for lower in (False, True):
        side = "lower" if lower else "upper"
        exact_count = exact_lower_counts if lower else exact_upper_counts
        solve = lower_counts if lower else upper_counts
        exact_time, exact = best_of(1, partial(exact_count, means, TAIL))
        print(f"\n{side} 99.8% count of {MEANS:,} means")
        print(f"{'method':<42} {'seconds':>8} {'max rel error':>14}")
        print(f"{'exact inverse chi-square (chdtriv)':<42} {exact_time:8.3f} {0:14.1e}")
        cases: dict[str, Callable[[], np.ndarray]] = {
            "hand-written Chebyshev pieces": partial(solve, means, TAIL),
        }
        for name, build in BUILDERS.items():
            for nodes in (budget, 4 * budget):
                cases[f"scipy {name}, {nodes} nodes"] = partial(
                    scipy_counts, means, nodes, build, lower
                )
        for name, work in cases.items():
            seconds, result = best_of(3, work)
            with np.errstate(divide="ignore", invalid="ignore"):
                error = np.abs(result / exact - 1)
            worst = float(np.nanmax(np.where(exact > 0, error, np.abs(result))))
            print(f"{name:<42} {seconds:8.3f} {worst:14.1e}")


if __name__ == "__main__":
    main()
