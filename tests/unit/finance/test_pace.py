"""Pace of change, worked by hand on three CCGs with baselines of £100."""

from __future__ import annotations

import numpy as np
import pytest

from consortia.errors import DataError
from consortia.finance.pace import pace_of_change

BASELINE = np.array([100.0, 100.0, 100.0])
TARGET = np.array([90.0, 100.0, 130.0])


def test_under_target_gains_within_the_limits() -> None:
    """Envelope £306 (2% growth), growth 1% to 5%. Every CCG may have £101 to £105. At a
    scale s, CCG 3 is given 130s; CCGs 1 and 2 (90s and 100s) stay at their minimum £101
    while s ≤ 1.01. 101 + 101 + 130s = 306 gives s = 0.8 and £104 for CCG 3 (within its
    limits): the over-target CCG 1 and the on-target CCG 2 get the minimum."""
    pace = pace_of_change(BASELINE, TARGET, 306.0, 0.01, 0.05)
    assert pace.scale == pytest.approx(0.8, rel=1e-12)
    np.testing.assert_allclose(pace.allocation, [101.0, 101.0, 104.0], rtol=1e-12)


def test_a_floor_overrides_the_maximum() -> None:
    """With no CCG more than 5% under target, CCG 3 needs at least 0.95 × 130 = £123.5, above
    its maximum £105, which the floor overrides. Envelope £330: 123.5 + CCG 2 + CCG 1 = 330.
    For s ≥ 1.05 CCG 2 is capped at £105, so CCG 1 = 90s = 101.5 and s = 101.5 / 90."""
    pace = pace_of_change(BASELINE, TARGET, 330.0, 0.01, 0.05, floor=0.05)
    assert pace.scale == pytest.approx(101.5 / 90, rel=1e-12)
    np.testing.assert_allclose(pace.allocation, [101.5, 105.0, 123.5], rtol=1e-12)


def test_the_allocations_spend_the_envelope_exactly() -> None:
    rng = np.random.default_rng(7)
    baseline = rng.uniform(50, 900, 211)
    target = baseline * rng.uniform(0.85, 1.15, 211)
    envelope = baseline.sum() * 1.031
    pace = pace_of_change(baseline, target, envelope, 0.0214, 0.049)
    assert pace.allocation.sum() == pytest.approx(envelope, rel=1e-12)
    growth = pace.allocation / baseline - 1
    assert growth.min() >= 0.0214 - 1e-12
    assert growth.max() <= 0.049 + 1e-12


@pytest.mark.parametrize(
    ("envelope", "words"), [(300.0, "less than every CCG's minimum"), (320.0, "more than")]
)
def test_an_envelope_the_limits_cannot_meet_is_refused(envelope: float, words: str) -> None:
    with pytest.raises(DataError, match=words):
        pace_of_change(BASELINE, TARGET, envelope, 0.01, 0.05)
