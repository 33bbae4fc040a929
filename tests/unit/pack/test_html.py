"""The pack page from small hand-made figures: whole tables, formatted cells, SPC icons."""

from __future__ import annotations

import json
import re
from datetime import date
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from consortia.pack import charts
from consortia.pack.figure import Figure
from consortia.pack.html import render, table_view
from consortia.privacy.release import Audience, released
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


def shown(*figures: Figure) -> tuple[Figure, ...]:
    """The figures as the governing body's release leaves them: what a page may show."""
    return released(figures, Audience.GOVERNING_BODY)


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
        chart=partial(charts.spc, title="Test admissions per month"),
        improvement=improvement,
    )


def _outside_scripts(html: str) -> str:
    """The page without its script elements (the chart libraries and specifications)."""
    return re.sub(r"<script\b.*?</script>", "", html, flags=re.S)


def _specs(html: str) -> dict[str, Any]:
    """Each chart's specification as the page holds it, by figure id."""
    found = re.findall(r'<script type="application/json" id="([^"]+)-spec">(.*?)</script>', html)
    return {figure: json.loads(text) for figure, text in found}


def test_an_spc_figure_carries_its_icons_beside_the_chart_and_in_the_summary() -> None:
    # 10, 11 six times then 30: the last point is beyond the upper limit of 14.66; where
    # fewer admissions are better, that is a concerning high special cause.
    figure = _spc_figure([10.0, 11.0] * 6 + [30.0], "decrease")
    html = render(shown(figure), ccg_code="00A", ccg_name="NHS Test CCG", made=date(2015, 4, 1))
    assert html.count('data-icon="concerning_high"') == 2  # beside the chart, in the summary
    assert html.count('data-icon="no_target"') == 2
    assert "Special cause – concerning high" in html
    page = _outside_scripts(html)
    legend = _specs(html)["trend_test"]["layer"][2]["encoding"]["color"]["legend"]["values"]
    assert "Special cause – concerning" in legend  # the chart's legend, in words
    assert "special_cause" not in page
    assert "13 monthly points from April 2013 to April 2014" in html
    # the first twelve points all lie below the mean of 12: a run (improving, where lower is
    # better), so every point is a special cause
    assert "13 points are special causes." in html
    assert 'href="#maincontent"' in html
    body = html.split("<body>", 1)[1]
    assert 'class="nhsuk-header"' in body
    assert "nhsuk-header__logo" not in body  # no NHS logo by default
    assert "https://" not in page
    assert "url(/assets" not in html


def test_each_chart_is_its_specification_drawn_by_the_page_with_scripts_inlined_once() -> None:
    # a label that would end a <script> element, or open a comment, if written as it is
    hostile = "</script><script>alert(1)</script><!--"
    table = pd.DataFrame({"deprivation_decile": [1, 2], "share": [0.6, 0.4], "share_all": 0.5})
    bars = Figure(
        id="deprivation_profile",
        section="Population",
        title=hostile,
        method="Shares.",
        table=table,
        chart=lambda t: charts.deprivation_bars(t).properties(title=hostile),
    )
    spc = _spc_figure([10.0, 11.0] * 6 + [30.0], "decrease")
    html = render(shown(bars, spc), ccg_code="00A", ccg_name="NHS Test CCG", made=date(2015, 4, 1))
    # two specifications, the libraries and the drawing script: four script elements, and
    # nothing in the data ends one early
    assert html.count("<script") == html.count("</script>") == 4
    assert "<!--" not in html
    specs = _specs(html)
    assert list(specs) == ["deprivation_profile", "trend_test"]
    assert specs["deprivation_profile"] == charts.spec(bars.draw())
    assert specs["deprivation_profile"]["title"] == hostile
    assert specs["deprivation_profile"]["config"]["range"]["category"][0] == charts.NHS_BLUE
    # each chart's image points at its specification and says what it shows without a script
    for figure in ("deprivation_profile", "trend_test"):
        image = re.search(rf'<div class="pack-chart__image"[^>]*data-spec="{figure}-spec"', html)
        assert image is not None
        assert 'role="img"' in image.group(0)
        assert 'aria-label="' in image.group(0)
    assert html.count("<noscript>") == 2
    assert html.count("/*! Vega 6.2.0") == html.count("/*! Vega-Lite 6.4.1") == 1
    assert "//# sourceMappingURL" not in html  # no reference to a file beside the scripts


def test_a_pack_without_charts_carries_no_chart_scripts() -> None:
    table = pd.DataFrame({"events": [1, 2]})
    figure = Figure(id="plain", section="Activity", title="Plain", method="Counts.", table=table)
    html = render(shown(figure), ccg_code="00A", ccg_name="NHS Test CCG", made=date(2015, 4, 1))
    assert "<script" not in html
