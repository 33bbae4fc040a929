"""The pack page from small hand-made figures: whole tables, formatted cells, SPC icons."""

from __future__ import annotations

import re
from datetime import date
from functools import partial

import numpy as np
import pandas as pd

from consortia.pack import charts
from consortia.pack.figure import Figure
from consortia.pack.html import render, table_view
from consortia.stats import xmr


def test_a_table_is_whole_with_readable_headers_and_explained_gaps() -> None:
    table = pd.DataFrame(
        {
            "pod": ["elective", "ae"] * 20,  # drawn by charts; the table shows the name
            "point_of_delivery": ["Elective admissions", "A&E attendances"] * 20,
            "events": np.arange(40) * 1000,
            "denominator": [np.nan] * 40,
            "brand_new_column": [1.5] * 40,
        }
    )
    view = table_view(table, "Table 1. Test")
    assert len(view.rows) == 40  # no truncation
    assert [lab.header for lab, _ in view.headers] == [
        "Point of delivery",
        "Events",
        "Out of",
        "Brand new column",  # a column the registry does not know yet still reads as words
    ]
    assert [cell.text for cell in view.rows[2]] == ["Elective admissions", "2,000", "—", "1.50"]
    assert view.notes == ("— under “Out of”: a count, not a share.",)


def _spc_figure(values: list[float], improvement: str) -> Figure:
    """A monthly SPC figure in the shape the trends section makes."""
    result = xmr(values, direction=improvement)  # type: ignore[arg-type]
    table = pd.DataFrame(
        {
            "month": pd.date_range("2013-04-01", periods=len(values), freq="MS").strftime(
                "%Y-%m-%d"
            ),
            "numerator": values,
            "denominator": np.nan,
            "value": values,
            "mean": result.mean[0],
            "lower_limit": result.lower[0],
            "upper_limit": result.upper[0],
            "point_type": result.point_type[0],
            "target": None,
        }
    )
    return Figure(
        id="trend_test",
        section="Trends",
        title="Test admissions per month",
        method="XmR.",
        table=table,
        chart=partial(charts.spc, table, "Test admissions per month"),
        improvement=improvement,
    )


def test_an_spc_figure_carries_its_icons_beside_the_chart_and_in_the_summary() -> None:
    # 10, 11 six times then 30: the last point is beyond the upper limit of 14.66; where
    # fewer admissions are better, that is a concerning high special cause.
    figure = _spc_figure([10.0, 11.0] * 6 + [30.0], "decrease")
    html = render((figure,), ccg_code="00A", ccg_name="NHS Test CCG", made=date(2015, 4, 1))
    assert html.count('data-icon="concerning_high"') == 2  # beside the chart, in the summary
    assert html.count('data-icon="no_target"') == 2
    assert "Special cause – concerning high" in html
    assert "Special cause – concerning" in html  # the chart's legend, in words
    assert "special_cause" not in re.sub(r"<svg.*?</svg>", "", html, flags=re.S)
    assert "13 monthly points from April 2013 to April 2014" in html
    # the first twelve points all lie below the mean of 12: a run (improving, where lower is
    # better), so every point is a special cause
    assert "13 points are special causes." in html
    assert 'href="#maincontent"' in html
    body = html.split("<body>", 1)[1]
    assert 'class="nhsuk-header"' in body
    assert "nhsuk-header__logo" not in body  # no NHS logo by default
    assert "https://" not in html
    assert "url(/assets" not in html
