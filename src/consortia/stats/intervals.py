"""Confidence intervals of the public-health reference methods (the Fingertips methods).

One definition each: Byar's and the exact chi-square method for Poisson counts, the Wilson
score method for proportions and Student's t for means. Every statistic in this package that
needs one of these intervals calls it from here.

Sources: Breslow & Day (1987) for Byar's method; Armitage & Berry (2002) for the exact
method; Wilson (1927), Newcombe & Altman (2000) for the score method; as implemented in
PHEindicatormethods v2.1.0 (`byars_lower`, `byars_upper`, `wilson_lower`, `wilson_upper`).
The quantiles come from `scipy.special`, the functions `scipy.stats` itself calls for these
distributions (chi-square with 2k degrees of freedom halved is the gamma quantile of shape k),
without the second or more that importing `scipy.stats` costs every command.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import special

FloatArray = NDArray[np.float64]

# Under this many events a Poisson interval is exact (chi-square); at or above it, Byar's.
EXACT_BELOW = 10
EXACT = "Exact"
BYARS = "Byars"


def z_value(confidence: float) -> float:
    """The two-sided standard normal quantile for a confidence level (1.959964 at 95%)."""
    return float(special.ndtri(0.5 + confidence / 2))


def byars_lower(observed: FloatArray, confidence: float) -> FloatArray:
    """Byar's lower limit of a Poisson count; NaN where the approximation goes negative."""
    z = z_value(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        limit = observed * (1 - 1 / (9 * observed) - z / (3 * np.sqrt(observed))) ** 3
    # A negative Byar's limit means the approximation has failed, as PHE treats it.
    return np.where(limit < 0, np.nan, limit)


def byars_upper(observed: FloatArray, confidence: float) -> FloatArray:
    """Byar's upper limit of a Poisson count."""
    z = z_value(confidence)
    shifted = observed + 1
    return shifted * (1 - 1 / (9 * shifted) + z / (3 * np.sqrt(shifted))) ** 3


def exact_lower(observed: FloatArray, confidence: float) -> FloatArray:
    """The exact (chi-square) lower limit of a Poisson count; zero for a zero count."""
    with np.errstate(invalid="ignore"):
        limit = special.gammaincinv(observed, (1 - confidence) / 2)
    return np.where(observed == 0, 0.0, limit)


def exact_upper(observed: FloatArray, confidence: float) -> FloatArray:
    """The exact (chi-square) upper limit of a Poisson count."""
    return np.asarray(special.gammaincinv(observed + 1, 0.5 + confidence / 2), np.float64)


def poisson_limits(
    observed: FloatArray, confidence: float
) -> tuple[FloatArray, FloatArray, NDArray[np.bool_]]:
    """Limits of Poisson counts: exact under 10 events, Byar's otherwise; and the exact mask."""
    exact = observed < EXACT_BELOW
    lower = np.empty_like(observed)
    upper = np.empty_like(observed)
    # Each method runs only on its own rows: the chi-square quantile is the costly one.
    lower[exact] = exact_lower(observed[exact], confidence)
    upper[exact] = exact_upper(observed[exact], confidence)
    lower[~exact] = byars_lower(observed[~exact], confidence)
    upper[~exact] = byars_upper(observed[~exact], confidence)
    return lower, upper, exact


def poisson_method(exact: NDArray[np.bool_]) -> NDArray[np.str_]:
    """The method label of each Poisson interval."""
    return np.where(exact, EXACT, BYARS)


def wilson_limits(x: FloatArray, n: FloatArray, confidence: float) -> tuple[FloatArray, FloatArray]:
    """Wilson score limits of the proportion x/n."""
    z = z_value(confidence)
    centre = 2 * x + z**2
    with np.errstate(invalid="ignore"):
        spread = z * np.sqrt(z**2 + 4 * x * (1 - x / n))
    denominator = 2 * (n + z**2)
    return (centre - spread) / denominator, (centre + spread) / denominator


def t_half_width(sd: FloatArray, n: FloatArray, confidence: float) -> FloatArray:
    """Half the width of Student's t interval of a mean; NaN with fewer than two values."""
    with np.errstate(divide="ignore", invalid="ignore"):
        t = special.stdtrit(n - 1, 0.5 + confidence / 2)
        return np.asarray(t * sd / np.sqrt(n), np.float64)
