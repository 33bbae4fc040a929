"""Column labels and formatting: what a reader sees for each kind of value."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from consortia.pack.labels import MISSING, Kind, Label, format_value, label


@pytest.mark.parametrize(
    ("column", "value", "shown"),
    [
        ("patients", 12345, "12,345"),
        ("events", np.int64(5062), "5,062"),
        ("share", 0.027130, "2.7%"),
        ("share", 0.000099, "<0.1%"),  # a tiny share is not shown as 0.0%
        ("share", 0.0, "0.0%"),
        ("growth", -0.0134, "−1.3%"),
        ("cost", 572890.0, "£572,890"),
        ("cost_per_head", 28.448207, "£28.45"),
        ("per_patient", 0.600168, "£0.60"),
        ("rate_per_1000", 251.365578, "251.4"),
        ("ratio", 0.987591, "0.99"),
        ("expected", 291.618629, "291.6"),
        ("hhi", 3918.023385, "3,918"),
        ("hhi_change", -29.6, "−30"),
        ("month", "2013-04-01", "April 2013"),
        ("pod", "non_elective", "Non-elective admissions (emergency, maternity and transfers)"),
        ("pod", "emergency", "Emergency admissions (admission methods 21–28)"),
        ("pod", "other_non_elective", "Other non-elective admissions (maternity and transfers)"),
        ("pod", "op_first", "Outpatient first attendances"),
        ("sex", "F", "Female"),
        ("category", "qof", "Quality and Outcomes Framework"),
        ("provider_kind", "independent_sector", "Independent-sector provider"),
        ("point_type", "special_cause_concern", "Special cause – concerning"),
        ("service_line", "outpatient 100", "Outpatient: 100 General Surgery"),
        ("service_line", "A&E", "A&E"),
        ("service_line", "non-elective", "Non-elective"),
        ("at_least_5_pounds", False, "No"),
        ("practice", "A10000", "A10000"),
        ("financial_year", "2013/14", "2013/14"),
    ],
)
def test_values_read_as_a_reader_expects(column: str, value: object, shown: str) -> None:
    assert format_value(label(column), value) == shown


@pytest.mark.parametrize("value", [None, float("nan"), np.nan, pd.NA, pd.NaT])
def test_missing_values_are_an_em_dash(value: object) -> None:
    assert format_value(label("denominator"), value) == MISSING == "—"


def test_an_spc_value_is_a_share_only_in_a_series_of_shares() -> None:
    assert format_value(label("value"), 0.95, as_share=True) == "95.0%"
    assert format_value(label("value"), 184.0) == "184"


def test_dates_read_as_words() -> None:
    assert format_value(Label("On", Kind.DATE), date(2014, 4, 1)) == "1 April 2014"


def test_columns_named_by_date_have_labels() -> None:
    registered = label("registered_2013-04-01")
    assert registered.header == "Registered on 1 April 2013"
    assert registered.kind is Kind.COUNT


def test_schema_columns_take_their_description_from_the_schema() -> None:
    assert label("deprivation_decile").description.startswith("IMD decile")
    assert label("condition").names["diabetes"] == "Diabetes mellitus (aged 17 and over)"


def test_an_unknown_column_is_refused_by_name() -> None:
    with pytest.raises(KeyError, match="new_column"):
        label("new_column")


def test_no_header_looks_like_code() -> None:
    from consortia.pack.labels import LABELS

    for name, entry in LABELS.items():
        assert "_" not in entry.header, name
        assert entry.header[:1].isupper() or entry.header[:1] in "£", name
