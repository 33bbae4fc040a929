"""Comparing units against expected: the shape of the result holds with nothing to compare."""

from __future__ import annotations

import pandas as pd

from consortia.stats.comparison import compare, outlying_units


def test_no_expected_events_gives_an_empty_table_with_every_column() -> None:
    frame = pd.DataFrame({"practice": ["A", "B"], "group": ["x", "x"], "observed": [0, 0]})
    frame["expected"] = 0.0
    table = compare(frame, "group").table
    assert table.empty
    for column in ("ratio", "lower", "upper", "significance", "outlying", "percentile"):
        assert column in table.columns
    assert outlying_units(table).empty


def test_ratio_is_observed_over_expected() -> None:
    frame = pd.DataFrame(
        {"practice": list("ABCD"), "group": ["x"] * 4, "observed": [10, 20, 30, 40]}
    )
    frame["expected"] = [20.0, 20.0, 20.0, 40.0]
    table = compare(frame, "group").table
    assert table["ratio"].tolist() == [0.5, 1.0, 1.5, 1.0]
