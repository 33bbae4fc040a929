"""Each statistic carries its method in words, built from the constants it computes with, and
the table helpers add exactly the statistics they name."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from consortia.stats import dsr, isr, rate, xmr
from consortia.stats.comparison import compare, describe_outlying
from consortia.stats.intervals import EXACT_BELOW
from consortia.stats.rates import with_rate
from consortia.stats.spc import LIMIT, SCREEN
from consortia.stats.standardisation import MINIMUM_EVENTS, with_dsr


def test_descriptions_name_their_constants() -> None:
    assert f"under {EXACT_BELOW} events" in rate([5, 50], [100, 100]).description
    assert "90% confidence" in rate([5], [100], confidence=0.9).description
    assert f"under {MINIMUM_EVENTS} events" in dsr([[20, 30]], [[100, 100]], [1, 1]).description
    assert "Dobson" in dsr([[20, 30]], [[100, 100]], [1, 1]).description
    assert "over the expected count" in isr([12], [10]).description
    chart = xmr(np.arange(20.0), run_length=8, trend_length=6)
    assert f"mean ± {LIMIT} × mean moving range" in chart.method
    assert f"above {SCREEN} × their mean" in chart.method
    assert "a run of 6 rising or falling" in chart.method
    assert "8 points on one side of the mean" in chart.method


def test_with_rate_adds_the_rate_and_its_limits() -> None:
    table = pd.DataFrame({"events": [5, 50], "population": [1000, 2000]})
    rated = with_rate(table, confidence=0.95, multiplier=1000)
    expected = rate([5, 50], [1000, 2000], multiplier=1000)
    np.testing.assert_allclose(rated.table["rate_per_1000"], [5.0, 25.0])
    np.testing.assert_allclose(rated.table["lower"], expected.lower)
    assert list(rated.table["method"]) == ["Exact", "Byars"]
    assert rated.description == expected.description


def test_with_dsr_pivots_bands_in_the_standards_order() -> None:
    # Group a: bands young 10/100 and old 30/100; group b: 5/50 and 40/100. Standard weights
    # old 3, young 1 (given old first). DSR a = (3 × 0.3 + 1 × 0.1)/4 = 0.25;
    # b = (3 × 0.4 + 1 × 0.1)/4 = 0.325 (per person).
    bands = pd.DataFrame(
        {
            "group": ["a", "a", "b", "b"],
            "age_band": ["young", "old", "young", "old"],
            "events": [10, 30, 5, 40],
            "population": [100, 100, 50, 100],
        }
    )
    standard = pd.DataFrame({"age_band": ["old", "young"], "population": [3.0, 1.0]})
    table = pd.DataFrame({"group": ["b", "a"], "label": ["B", "A"]})
    result = with_dsr(table, bands, standard, keys=["group"], multiplier=1)
    assert list(result.table["label"]) == ["B", "A"]
    np.testing.assert_allclose(result.table["dsr_per_1"], [0.325, 0.25])
    assert "Dobson" in result.description


def test_compare_per_group() -> None:
    # Measure m: ten units with E = 100 and O = 100 … 150, 50 (as in test_overdispersion);
    # measure n: two units; a unit with E = 0 is left out.
    frame = pd.DataFrame(
        {
            "measure": ["m"] * 10 + ["n"] * 3,
            "practice": [f"P{i}" for i in range(13)],
            "observed": [100] * 8 + [150, 50] + [10, 20, 0],
            "expected": [100.0] * 10 + [15.0, 15.0, 0.0],
        }
    )
    comparison = compare(frame, "measure")
    table = comparison.table
    assert len(table) == 12
    m = table[table["measure"] == "m"]
    assert list(m["outlying"]) == [False] * 8 + [True, True]
    assert m["ratio"].iloc[8] == pytest.approx(1.5)
    assert m["percentile"].iloc[8] == pytest.approx(100.0)
    assert m["percentile"].iloc[9] == pytest.approx(0.0)
    assert describe_outlying(m) == "P8 (high), P9 (low)"
    curves = comparison.limit_curves("n")
    assert curves["expected"].min() == pytest.approx(12.0)
    assert "over the expected count" in comparison.ratio_description
