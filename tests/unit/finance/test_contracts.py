"""Contract monitoring worked by hand.

One line, provider RAA, elective: in 2013/14 ten admissions in April and five in each other
month (65), £100 each. Growth 10%: plan 71.5 admissions, £7,150. The year before's profile
puts 10/65 of the year in April and 5/65 in each other month. In 2014/15, to June: 12, 6 and 6
admissions (24, £2,400). Year-to-date share (10 + 5 + 5)/65 = 20/65, so the year-to-date plan
is £7,150 × 20/65 = £2,200 and the variance +£200 (+9.09%). Forecast outturn: run rate
£2,400 × 12/3 = £9,600; seasonal £2,400 ÷ 20/65 = £7,800, £650 over the plan.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from consortia.errors import DataError
from consortia.finance.contracts import _edited, _monitor, _month, _plan, _profile, read_plan


def year_before() -> pd.DataFrame:
    months = [_month(2013, i) for i in range(12)]
    events = [10] + [5] * 11
    return pd.DataFrame(
        {
            "financial_year": "2013/14",
            "month": months,
            "provider": "RAA",
            "pod": "elective",
            "events": events,
            "cost": [100.0 * e for e in events],
        }
    )


def this_year() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "financial_year": "2014/15",
            "month": [date(2014, 4, 1), date(2014, 5, 1), date(2014, 6, 1), date(2014, 7, 1)],
            "provider": "RAA",
            "pod": "elective",
            "events": [12, 6, 6, 9],
            "cost": [1200.0, 600.0, 600.0, 900.0],
        }
    )


def test_the_worked_example() -> None:
    plan = _plan(year_before(), 0.10)
    assert plan["plan_activity"].iloc[0] == pytest.approx(71.5)
    assert plan["plan_value"].iloc[0] == pytest.approx(7150.0)
    profile = _profile(year_before(), 2013)
    april = profile[(profile["pod"] == "elective") & (profile["index"] == 0)]["share"].iloc[0]
    assert april == pytest.approx(10 / 65)
    months = [_month(2014, i) for i in range(3)]  # April to June: July is not yet monitored
    line = _monitor(plan, this_year(), profile, months).iloc[0]
    assert line["actual_ytd_activity"] == 24
    assert line["actual_ytd_value"] == pytest.approx(2400.0)
    assert line["plan_ytd_value"] == pytest.approx(2200.0)
    assert line["variance_ytd_value"] == pytest.approx(200.0)
    assert line["variance_ytd_share"] == pytest.approx(200 / 2200)
    assert line["forecast_run_rate_value"] == pytest.approx(9600.0)
    assert line["forecast_seasonal_value"] == pytest.approx(7800.0)
    assert line["forecast_variance_value"] == pytest.approx(650.0)


def test_a_plan_file_replaces_and_adds_lines(tmp_path: Path) -> None:
    path = tmp_path / "plan.csv"
    path.write_text(
        "provider,pod,activity,value\nRAA,elective,80,8000\nRAA,ae,100,10000\n", encoding="utf-8"
    )
    given = read_plan(path, {"RAA"})
    lines = _edited(_plan(year_before(), 0.10), given).set_index("pod")
    assert lines.loc["elective", "plan_value"] == 8000.0
    assert lines.loc["elective", "plan_source"] == "given"
    assert lines.loc["elective", "previous_value"] == pytest.approx(6500.0)
    assert lines.loc["ae", "plan_activity"] == 100.0
    assert lines.loc["ae", "previous_activity"] == 0.0


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "an empty file"),
        ("provider,pod,events,value\n", "the header must be provider,pod,activity,value"),
        ("provider,pod,activity,value\nRZZ,elective,1,1\n", "row 2, field 'provider'"),
        ("provider,pod,activity,value\nRAA,surgery,1,1\n", "'surgery' is not a point of delivery"),
        ("provider,pod,activity,value\nRAA,ae,-1,1\n", "field 'activity'"),
        ("provider,pod,activity,value\nRAA,ae,1,nan\n", "field 'value'"),
        ("provider,pod,activity,value\nRAA,ae,1,1e300\n", "field 'value'"),
        ("provider,pod,activity,value\nRAA,ae,1\n", "3 fields, not 4"),
        ("provider,pod,activity,value\nRAA,ae,1,1\nRAA,ae,2,2\n", "RAA ae given twice"),
    ],
)
def test_a_bad_plan_file_is_refused(tmp_path: Path, text: str, words: str) -> None:
    path = tmp_path / "plan.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as caught:
        read_plan(path, {"RAA"})
    assert words in str(caught.value)
    assert str(path) in str(caught.value)
