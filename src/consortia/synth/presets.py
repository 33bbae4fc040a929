"""Named economies `consortia synth --preset` generates: England's CCGs in April 2013.

Sizes follow the ONS mid-2012 estimates for the 211 CCGs (`consortia.schema.england`: median
221,000; smallest 63,100, NHS Corby; largest 869,400, North, East, West Devon). Registered
lists exceed resident populations, so the preset registers 56 million patients in about
7,900 practices (a mean list of about 7,100).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtri

from consortia.errors import UsageError
from consortia.schema import england as england_ccgs


@dataclass(frozen=True)
class Preset:
    """A whole economy's shape: its CCGs' registered patients and the mean practice list."""

    name: str
    ccg_patients: tuple[int, ...]
    list_size: int

    @property
    def patients(self) -> int:
        """Registered patients at the start, across every CCG."""
        return sum(self.ccg_patients)

    @property
    def ccgs(self) -> int:
        """How many CCGs."""
        return len(self.ccg_patients)


ENGLAND_CCGS = england_ccgs.CCGS
ENGLAND_MEDIAN = england_ccgs.MEDIAN_POPULATION
ENGLAND_SMALLEST = england_ccgs.SMALLEST_POPULATION
ENGLAND_LARGEST = england_ccgs.LARGEST_POPULATION
ENGLAND_PATIENTS = 56_000_000
ENGLAND_PRACTICES = 7_900


def england() -> Preset:
    """211 CCGs whose sizes have England's median, smallest and largest, 56 million in all.

    The sizes are the quantiles of a log-normal distribution with England's median, clipped
    to its smallest and largest CCG, whose spread is chosen (by bisection) so that they add
    up to the registered total; the largest-remainder rule makes the total exact.
    """
    sizes = _sizes(
        ENGLAND_CCGS, ENGLAND_MEDIAN, ENGLAND_SMALLEST, ENGLAND_LARGEST, ENGLAND_PATIENTS
    )
    return Preset("england", tuple(int(s) for s in sizes), ENGLAND_PATIENTS // ENGLAND_PRACTICES)


def _sizes(n: int, median: float, smallest: float, largest: float, total: int) -> np.ndarray:
    z = ndtri((np.arange(n) + 0.5) / n)

    def clipped(sigma: float) -> np.ndarray:
        return np.asarray(np.clip(median * np.exp(sigma * z), smallest, largest))

    low, high = 0.0, 5.0
    for _ in range(100):
        sigma = (low + high) / 2
        low, high = (sigma, high) if clipped(sigma).sum() < total else (low, sigma)
    sizes = clipped((low + high) / 2)
    exact = sizes * total / sizes.sum()
    whole = np.floor(exact).astype(np.int64)
    whole[np.argsort(-(exact - whole), kind="stable")[: total - int(whole.sum())]] += 1
    return whole


PRESETS = {"england": england}


def preset(name: str) -> Preset:
    """The preset called `name`, or a usage error listing those there are."""
    if name not in PRESETS:
        raise UsageError(
            f"unknown preset {name!r}; presets are {', '.join(PRESETS)}", field="--preset"
        )
    return PRESETS[name]()
