"""A signed change reads as commissioners write it; what rounds to zero carries no sign."""

from __future__ import annotations

import pytest

from consortia.signed import signed


@pytest.mark.parametrize(
    ("value", "spec", "text"),
    [
        (0.031, ".1%", "+3.1%"),
        (-0.004, ".1%", "-0.4%"),
        (-1e-12, ".1%", "0.0%"),
        (1e-12, ".1%", "0.0%"),
        (0.0, ".2%", "0.00%"),
        (-0.0, ".2%", "0.00%"),
        (-0.00049, ".1%", "0.0%"),
        (-0.0005, ".1%", "-0.1%"),  # 0.05% rounds half to even in the 4th place: 0.1%
        (-1234.5, ",.0f", "-1,234"),
        (0.4, ".0f", "0"),
        (2.5, ".2f", "+2.50"),
    ],
)
def test_signed(value: float, spec: str, text: str) -> None:
    assert signed(value, spec) == text
