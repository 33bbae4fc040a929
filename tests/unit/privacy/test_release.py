"""The release seam: nothing row-level leaves, and what does leave is fixed in precision."""

from __future__ import annotations

import pandas as pd
import pytest

from consortia.pack.figure import Figure
from consortia.privacy.publication import Public, Ratio
from consortia.privacy.release import (
    IDENTIFIERS,
    Audience,
    ReleaseRefusedError,
    midpoint6,
    release,
    released,
    rounded_count,
)


def figure(table: pd.DataFrame) -> Figure:
    return Figure(id="test_figure", section="Test", title="t", method="m", table=table)


@pytest.mark.parametrize("identifier", sorted(IDENTIFIERS))
def test_a_row_level_identifier_is_refused(identifier: str) -> None:
    table = pd.DataFrame({"practice": ["A10001", "B10001"], identifier: [1, 2]})
    with pytest.raises(ReleaseRefusedError) as refused:
        release(figure(table))
    assert "test_figure" in str(refused.value)
    assert identifier in str(refused.value)


def test_a_patient_id_column_among_aggregates_is_refused() -> None:
    table = pd.DataFrame({"patients": [12], "rate_per_1000": [3.5], "patient_id": [7]})
    with pytest.raises(ReleaseRefusedError, match="patient_id"):
        release(figure(table))


def test_aggregates_pass_with_floats_rounded_to_six_places() -> None:
    table = pd.DataFrame({"practice": ["A10001"], "patients": [3], "share": [1 / 3]})
    shown = release(figure(table))
    assert shown is not None
    assert shown.table["share"].iloc[0] == 0.333333
    assert shown.table["patients"].iloc[0] == 3
    assert table["share"].iloc[0] == 1 / 3  # the analysis's own table is left alone


# The public's rule, worked by hand (OpenSAFELY's released-files example, methods.md §1:
# heart disease [3, 8, 16, 23] → [withheld, 10, 15, 25]; population [18, 23, 31, 44] →
# [20, 25, 30, 45]).


def public_figure(table: pd.DataFrame, public: Public | None = None) -> Figure:
    return Figure(
        id="public_figure",
        section="Test",
        title="t",
        method="m",
        table=table,
        public=Public() if public is None else public,
    )


def test_counts_of_one_to_seven_are_withheld_and_the_rest_rounded_to_five() -> None:
    counts = pd.Series([0, 1, 3, 7, 8, 12, 13, 16, 23, 18, 44, 1_000_002], name="patients")
    assert rounded_count(counts).tolist() == [
        0, pd.NA, pd.NA, pd.NA, 10, 10, 15, 15, 25, 20, 45, 1_000_000,
    ]  # fmt: skip


@pytest.mark.parametrize("bad", [-1, 7.1])
def test_a_count_that_is_no_count_is_refused(bad: float) -> None:
    with pytest.raises(ReleaseRefusedError, match="patients"):
        rounded_count(pd.Series([10, bad], name="patients"))


def test_rates_are_worked_out_again_from_the_released_counts() -> None:
    table = pd.DataFrame(
        {
            "practice": ["A", "B", "C", "D"],
            "events": [3, 8, 16, 23],
            "population": [1000, 2000, 3000, 4000],
            "rate_per_1000": [3.0, 4.0, 5.333, 5.75],  # from the exact counts
            "lower": [0.6, 1.7, 3.0, 3.6],
        }
    )
    ratio = Ratio("rate_per_1000", "events", "population", scale=1000)
    released = release(public_figure(table, Public((ratio,))), Audience.PUBLIC)
    assert released is not None
    shown = released.table
    assert shown["events"].tolist() == [pd.NA, 10, 15, 25]
    assert shown["population"].tolist() == [1000, 2000, 3000, 4000]
    # 10/2000, 15/3000, 25/4000 per 1,000; none for the withheld count
    assert shown["rate_per_1000"].tolist()[1:] == [5.0, 5.0, 6.25]
    assert pd.isna(shown["rate_per_1000"].iloc[0])
    assert shown["lower"].isna().all()  # an interval would give the exact count back
    assert "Lower 95% limit" in released.disclosure
    assert "counts of 1 to 7 are withheld" in released.disclosure


def test_shares_are_worked_out_within_their_groups() -> None:
    table = pd.DataFrame(
        {
            "service_line": ["A", "A", "B", "B"],
            "contacts": [3, 8, 16, 23],
            "share": [3 / 11, 8 / 11, 16 / 39, 23 / 39],
        }
    )
    public = Public((Ratio("share", "contacts", within=("service_line",)),))
    released = release(public_figure(table, public), Audience.PUBLIC)
    assert released is not None
    share = released.table["share"]
    assert pd.isna(share.iloc[0])
    # A: the total of what is released is 10, B: 15 + 25 = 40
    assert share.tolist()[1:] == [1.0, 0.375, 0.625]


def test_growth_is_worked_out_from_the_released_lists() -> None:
    table = pd.DataFrame(
        {
            "practice": ["A", "B"],
            "registered_2013-04-01": [100, 7],
            "registered_2014-04-01": [112, 20],
            "growth": [0.12, 2],
        }
    )
    public = Public(
        (Ratio("growth", "registered_2014-04-01", "registered_2013-04-01", offset=-1.0),)
    )
    released = release(public_figure(table, public), Audience.PUBLIC)
    assert released is not None
    assert released.table["growth"].iloc[0] == pytest.approx(0.1)  # 110 / 100 − 1
    assert pd.isna(released.table["growth"].iloc[1])  # its first list is withheld


def test_a_row_with_a_withheld_count_keeps_no_finding_of_it() -> None:
    table = pd.DataFrame(
        {
            "practice": ["A", "B"],
            "observed": [5, 120],
            "expected": [11.2, 98.4],
            "ratio": [5 / 11.2, 120 / 98.4],
            "significance": ["lower", "higher"],
            "outlying": [True, False],
            "minimum_age": [18, 18],  # a count of years: no person in it
        }
    )
    public = Public((Ratio("ratio", "observed", "expected"),), as_is=("expected",))
    released = release(public_figure(table, public), Audience.PUBLIC)
    assert released is not None
    first, second = released.table.iloc[0], released.table.iloc[1]
    assert pd.isna(first["observed"])
    assert pd.isna(first["ratio"])
    assert pd.isna(first["expected"])
    assert first["significance"] is None
    assert first["outlying"] is None
    assert second["observed"] == 120
    assert second["ratio"] == pytest.approx(120 / 98.4)
    assert second["expected"] == 98.4
    assert second["significance"] == "higher"
    assert released.table["minimum_age"].tolist() == [18, 18]
    assert "A row with a withheld count" in released.disclosure


def test_a_figure_that_declares_no_publication_is_not_released_to_the_public() -> None:
    table = pd.DataFrame({"practice": ["A"], "patients": [3]})
    undeclared = figure(table)
    assert release(undeclared, Audience.PUBLIC) is None
    assert released((undeclared, public_figure(table)), Audience.PUBLIC)[0].id == "public_figure"
    governing_body = release(undeclared)
    assert governing_body is not None
    assert governing_body.table["patients"].tolist() == [3]  # the commissioners see the count
    assert governing_body.disclosure == ""


def test_midpoint6_keeps_zero_and_shows_each_block_of_six_by_its_middle() -> None:
    # methods.md, OpenSAFELY's rule: 0 → 0; 1–6 → 3; 7–12 → 9; 13–18 → 15
    counts = pd.Series([0, 1, 6, 7, 12, 13, 18, 19], name="numerator")
    assert midpoint6(counts).tolist() == [0, 3, 3, 9, 9, 15, 15, 21]
    with pytest.raises(ReleaseRefusedError):
        midpoint6(pd.Series([2.5], name="numerator"))


def test_a_rate_by_midpoint6_is_worked_out_again_and_no_count_is_withheld() -> None:
    table = pd.DataFrame(
        {
            "month": ["2014-04-01", "2014-05-01", "2014-06-01"],
            "numerator": [0, 2, 13],
            "denominator": [40, 40, 40],
            "value": [0.0, 0.05, 0.325],
            "point_type": ["common_cause"] * 3,
        }
    )
    figure = Figure(
        id="trend", section="Test", title="t", method="m", table=table,
        public=Public((Ratio("value", "numerator", "denominator"),), midpoint6=True),
    )  # fmt: skip
    shown = release(figure, Audience.PUBLIC)
    assert shown is not None
    assert shown.table["numerator"].tolist() == [0, 3, 15]
    assert shown.table["denominator"].tolist() == [39, 39, 39]  # 37–42 → 39
    assert shown.table["value"].tolist() == pytest.approx([0.0, 3 / 39, 15 / 39], abs=1e-6)
    # the month of 2 keeps its worked-out rate; its finding, read from the exact count, goes
    assert shown.table["point_type"].tolist() == ["common_cause", None, "common_cause"]
    assert "rounded by midpoint 6" in shown.disclosure
