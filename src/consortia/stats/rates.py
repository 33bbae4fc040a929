"""Crude rates with Poisson confidence intervals (PHEindicatormethods `phe_rate`).

Exact (chi-square) limits for counts under 10, Byar's method otherwise; the method is
reported per row. A count may exceed its denominator (events per person-year).
"""

from __future__ import annotations

import pandas as pd
from numpy.typing import ArrayLike

from consortia.stats import arguments
from consortia.stats.intervals import EXACT_BELOW, poisson_limits, poisson_method
from consortia.stats.result import Described, Estimate, FloatArray


def rate(
    x: ArrayLike, n: ArrayLike, *, confidence: float = 0.95, multiplier: float = 100_000
) -> Estimate:
    """Crude rate x/n per row, scaled by the multiplier, with exact or Byar's limits."""
    level = arguments.check_confidence(confidence)
    scale = arguments.check_multiplier(multiplier)
    counts = arguments.as_vector(x, "x")
    denominators = arguments.as_vector(n, "n")
    arguments.check_same_shape(x=counts, n=denominators)
    arguments.check_non_negative(counts, "x")
    arguments.check_positive(denominators, "n")
    return poisson_estimate(counts, denominators, level, scale)


def poisson_estimate(
    counts: FloatArray, denominators: FloatArray, level: float, scale: float
) -> Estimate:
    """Counts over denominators, scaled, with the counts' Poisson limits (exact under 10
    events, Byar's otherwise) over the same denominators: a crude rate, or O/E."""
    lower, upper, exact = poisson_limits(counts, level)
    return Estimate(
        value=counts / denominators * scale,
        lower=lower / denominators * scale,
        upper=upper / denominators * scale,
        confidence=level,
        method=poisson_method(exact),
        description=poisson_description(level),
    )


def poisson_description(level: float) -> str:
    """The Poisson interval method in words."""
    return (
        f"{level:.0%} confidence intervals by the exact Poisson method under {EXACT_BELOW} "
        "events and Byar's method otherwise (PHE Fingertips methods)"
    )


def with_rate(
    table: pd.DataFrame,
    events: str = "events",
    population: str = "population",
    *,
    confidence: float = 0.95,
    multiplier: float = 1000,
) -> Described:
    """`table` with the crude rate per `multiplier` of each row (`rate_per_<multiplier>`),
    its limits (`lower`, `upper`) and the method of each row (`method`)."""
    estimate = rate(
        table[events].to_numpy(),
        table[population].to_numpy(),
        confidence=confidence,
        multiplier=multiplier,
    )
    rated = table.assign(
        **{f"rate_per_{multiplier:g}": estimate.value},
        lower=estimate.lower,
        upper=estimate.upper,
        method=estimate.method.astype(object),
    )
    return Described(rated, estimate.description)
