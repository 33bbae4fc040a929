"""Pace of change: how far each CCG moves from its baseline towards its target in a year.

Every CCG grows by at least the minimum and at most the maximum; within those limits each is
given the same fraction `scale` of its target, the one fraction at which the allocations
spend the envelope exactly. An under-target CCG therefore gains more than the minimum and an
over-target one is held at it, as NHS England's pace-of-change policy does. An optional floor
(no CCG more than `floor` under target) overrides the maximum, as from 2016/17.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from consortia.errors import DataError

FloatArray = np.ndarray


@dataclass(frozen=True)
class Pace:
    """Allocations, each CCG's lowest and highest possible allocation, and the common scale."""

    allocation: FloatArray
    lowest: FloatArray
    highest: FloatArray
    scale: float


def limits(
    baseline: FloatArray,
    target: FloatArray,
    minimum_growth: float,
    maximum_growth: float,
    floor: float | None,
) -> tuple[FloatArray, FloatArray]:
    """Each CCG's lowest and highest allocation: its baseline grown by the minimum and the
    maximum, the lowest raised to (1 − floor) × target where there is a floor."""
    lowest = baseline * (1 + minimum_growth)
    highest = baseline * (1 + maximum_growth)
    if floor is not None:
        lowest = np.maximum(lowest, (1 - floor) * target)
        highest = np.maximum(highest, lowest)
    return lowest, highest


def pace_of_change(
    baseline: FloatArray,
    target: FloatArray,
    envelope: float,
    minimum_growth: float,
    maximum_growth: float,
    floor: float | None = None,
) -> Pace:
    """Allocations that sum to `envelope`: clip(scale × target, lowest, highest) for the
    `scale` that makes them do so (found by Brent's method; the sum rises with the scale)."""
    lowest, highest = limits(baseline, target, minimum_growth, maximum_growth, floor)
    if lowest.sum() > envelope * (1 + 1e-12):
        raise DataError(
            f"the envelope (£{envelope:,.0f}) is less than every CCG's minimum growth and "
            f"floor need (£{lowest.sum():,.0f})",
            field="envelope_growth",
            rule="pace of change",
        )
    if highest.sum() < envelope * (1 - 1e-12):
        raise DataError(
            f"the envelope (£{envelope:,.0f}) is more than every CCG's maximum growth allows "
            f"(£{highest.sum():,.0f})",
            field="envelope_growth",
            rule="pace of change",
        )

    def surplus(scale: float) -> float:
        return float(np.clip(scale * target, lowest, highest).sum() - envelope)

    positive = target > 0
    top = float(np.max(highest[positive] / target[positive])) if positive.any() else 0.0
    if surplus(0.0) >= 0:
        scale = 0.0
    elif surplus(top) <= 0:
        scale = top
    else:  # imported here: half a second that every pack reading a kept allocation saves
        from scipy.optimize import brentq

        scale = float(brentq(surplus, 0.0, top, xtol=1e-14, rtol=1e-15, maxiter=500))
    allocation = np.clip(scale * target, lowest, highest)
    return Pace(allocation, lowest, highest, scale)
