"""A chart's data is written as Altair's own transformer writes it, whatever the column kinds."""

from __future__ import annotations

import math

import altair as alt
import numpy as np
import pandas as pd
import pytest

from consortia.pack import charts


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "month": pd.to_datetime(pd.Series(["2013-04-01", "2013-05-01", None])),
            "count": np.array([3, 0, 7], dtype="int64"),
            "rate": [1.5, math.nan, math.inf],
            "ratio": [-math.inf, 0.25, 2.0],
            "name": pd.array(["Ash", None, "Elm"], dtype="string"),
            "kind": pd.Categorical(["a", "b", "a"]),
            "flag": [True, False, True],
            "note": [None, None, None],
        }
    )


def test_inline_values_are_altairs_own() -> None:
    """Times as local ISO text, missing and infinite numbers as null, the rest as they are:
    the same values, in the same order, as Altair's default transformer (where a time is
    given: a missing one Altair writes as "", which Vega reads as an invalid date)."""
    frame = _frame().iloc[:2]
    altairs = alt.data_transformers.get()
    assert altairs is not None
    assert charts.inline_values(frame) == altairs(frame)


def test_inline_values_by_hand() -> None:
    """Worked by hand for the first and last rows."""
    values = charts.inline_values(_frame())["values"]
    assert values[0] == {
        "month": "2013-04-01T00:00:00",
        "count": 3,
        "rate": 1.5,
        "ratio": None,
        "name": "Ash",
        "kind": "a",
        "flag": True,
        "note": None,
    }
    assert values[2]["month"] is None  # missing, not an invalid date
    assert values[2]["rate"] is None


def test_a_chart_spec_uses_them() -> None:
    """A chart drawn through `spec` carries its table as inline values, infinity as null."""
    frame = pd.DataFrame({"x": ["a", "b"], "y": [1.0, math.inf]})
    specification = charts.spec(alt.Chart(frame).mark_bar().encode(x="x:N", y="y:Q"))
    (values,) = specification["datasets"].values()
    assert values == [{"x": "a", "y": 1.0}, {"x": "b", "y": None}]


def test_too_many_rows_are_refused_as_altair_refuses_them() -> None:
    with pytest.raises(alt.MaxRowsError):
        charts.inline_values(pd.DataFrame({"x": range(5001)}))


def _colour_keys(specification: dict[str, object]) -> list[list[str]]:
    layers = specification["layer"]
    assert isinstance(layers, list)
    return [
        layer["encoding"]["color"]["scale"]["domain"]
        for layer in layers
        if "color" in layer["encoding"]
    ]


def test_the_allocation_chart_keys_this_ccg_only_where_one_is_marked() -> None:
    table = pd.DataFrame(
        {
            "ccg": ["00A", "00B"],
            "name": ["A", "B"],
            "distance_before": [-0.02, 0.01],
            "distance_after": [-0.01, 0.005],
            "this_ccg": [False, False],
        }
    )
    national = charts.draw(lambda: charts.allocation_distance(table))
    assert _colour_keys(national) == [["Every CCG"], ["Every CCG"]]
    marked = table.assign(this_ccg=[True, False])
    pack = charts.draw(lambda: charts.allocation_distance(marked))
    assert _colour_keys(pack) == [["This CCG", "Other CCGs"], ["This CCG", "Other CCGs"]]


def test_layers_built_whole_carry_their_properties_and_share_one_dataset() -> None:
    frame = pd.DataFrame({"x": ["a", "b"], "y": [1.0, 2.0]})
    bars = alt.Chart(frame).mark_bar().encode(x="x:N", y="y:Q")
    dots = alt.Chart(frame).mark_point().encode(x="x:N", y="y:Q")
    specification = charts.draw(lambda: charts._layers(bars, dots, width=100, title="t"))
    assert specification == charts.draw(lambda: charts._layers(bars, dots, width=100, title="t"))
    assert len(specification["datasets"]) == 1
    assert specification["width"] == 100
    assert specification["title"] == "t"
