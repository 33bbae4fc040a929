"""Funnel limits allowing for over-dispersion (Spiegelhalter 2005), as NHS Digital's SHMI does.

When units differ by more than chance alone allows (always, for large counts), exact Poisson
limits flag most units. Spiegelhalter's additive random-effects method estimates the
between-unit variance τ² from z-scores winsorised at the 10th and 90th percentiles (so the
outliers being looked for do not inflate it) and widens every unit's limits to
target ± z·√(s² + τ²), where s = √(target/E) is the unit's Poisson standard error.

Sources: Spiegelhalter DJ. Handling over-dispersion of performance indicators. Quality and
Safety in Health Care 2005;14:347–351; Spiegelhalter DJ. Funnel plots for comparing
institutional performance. Statistics in Medicine 2005;24:1185–1202; NHS Digital, Summary
Hospital-level Mortality Indicator (SHMI) methodology (random-effects funnel, 10% winsorising).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import special

from consortia.stats import arguments
from consortia.stats.funnels import LEVELS, NOT_SIGNIFICANT
from consortia.stats.intervals import z_value
from consortia.stats.result import FloatArray, TextArray

BoolArray = NDArray[np.bool_]

WINSORISE = 0.1
CURVE_POINTS = 100  # points on each limit curve: smooth at chart size


@dataclass(frozen=True)
class OverdispersedFunnel:
    """Over-dispersion estimates, each unit's widened limits (levels × units) and its label."""

    ratio: FloatArray  # O/E of each unit
    z: FloatArray  # unadjusted z-scores
    phi: float  # over-dispersion factor: mean squared winsorised z-score
    tau2: float  # between-unit variance (0 when not over-dispersed)
    p_value: float  # chance of a φ this large if units differed by chance alone
    levels: tuple[float, ...]
    lower: FloatArray
    upper: FloatArray
    labels: TextArray
    method: str
    target: float = 1.0

    @property
    def outlying(self) -> BoolArray:
        """Whether each unit lies beyond the outermost limits."""
        row = int(np.argmax(self.levels))
        return np.asarray((self.ratio > self.upper[row]) | (self.ratio < self.lower[row]))

    @property
    def approach(self) -> str:
        """The method in a sentence, without this funnel's estimates."""
        levels = " and ".join(_percent(level) for level in self.levels)
        return (
            f"Funnel limits at {levels} allow for over-dispersion between units "
            f"({self.method}, as in NHS Digital's SHMI)"
        )

    @property
    def description(self) -> str:
        """The method and its estimates in a sentence, for the caption of a funnel plot."""
        return f"{self.approach}: φ = {self.phi:.2f}, τ = {np.sqrt(self.tau2):.3f}"

    def limit_curves(self, expected: ArrayLike, points: int = CURVE_POINTS) -> pd.DataFrame:
        """The funnel's limits along expected counts from 0.8 × the smallest to 1.2 × the
        largest of `expected` (log-spaced): one row per point and level, with columns
        expected, level (e.g. "95%"), lower and upper."""
        means = arguments.as_vector(expected, "expected")
        arguments.check_positive(means, "expected")
        grid = np.geomspace(max(means.min() * 0.8, 1e-9), means.max() * 1.2, points)
        spread = np.sqrt(self.target / grid + self.tau2)
        frames = [
            pd.DataFrame(
                {
                    "expected": grid,
                    "level": _percent(level),
                    "lower": self.target - z_value(level) * spread,
                    "upper": self.target + z_value(level) * spread,
                }
            )
            for level in self.levels
        ]
        return pd.concat(frames, ignore_index=True)


def _percent(level: float) -> str:
    """A confidence level as people write it: 95%, 99.8%."""
    return f"{level * 100:g}%"


def winsorise(values: FloatArray, share: float = WINSORISE) -> FloatArray:
    """Values pulled in to their `share` and 1 − `share` quantiles."""
    low, high = np.quantile(values, [share, 1 - share])
    return np.clip(values, low, high)


def ratio_funnel(
    observed: ArrayLike,
    expected: ArrayLike,
    *,
    target: float = 1.0,
    levels: tuple[float, ...] = LEVELS,
    share: float = WINSORISE,
) -> OverdispersedFunnel:
    """Random-effects funnel for indirectly standardised ratios O/E around `target`."""
    counts = arguments.as_vector(observed, "observed")
    means = arguments.as_vector(expected, "expected")
    arguments.check_same_shape(observed=counts, expected=means)
    arguments.check_non_negative(counts, "observed")
    arguments.check_positive(means, "expected")
    checked = tuple(arguments.check_confidence(level, "levels") for level in levels)
    ratio = counts / means
    s = np.sqrt(target / means)
    z = (ratio - target) / s
    units = z.size
    phi = float(np.mean(winsorise(z, share) ** 2))
    weights = 1 / s**2
    excess = units * phi - (units - 1)
    spread_of_weights = weights.sum() - (weights**2).sum() / weights.sum()
    tau2 = max(0.0, excess / spread_of_weights) if units > 1 else 0.0  # one unit: no spread
    spread = np.sqrt(s**2 + tau2)
    half = np.array([z_value(level) for level in checked])[:, None] * spread[None, :]
    labels = np.full(units, NOT_SIGNIFICANT, dtype=object)
    for row in np.argsort(checked):  # innermost level first, outermost overwrites it
        tail = f"{(1 - checked[row]) / 2:g}"
        labels[ratio > target + half[row]] = f"High ({tail})"
        labels[ratio < target - half[row]] = f"Low ({tail})"
    return OverdispersedFunnel(
        ratio=ratio,
        z=z,
        phi=phi,
        tau2=tau2,
        p_value=float(special.chdtrc(units - 1, units * phi)),  # chi-square upper tail
        levels=checked,
        lower=target - half,
        upper=target + half,
        labels=labels.astype(str),
        method=f"Spiegelhalter's random-effects method, z-scores {share:.0%} winsorised",
        target=target,
    )
