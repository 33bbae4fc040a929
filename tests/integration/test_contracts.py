"""`consortia contracts` end to end on the 12-CCG synthetic lake: year-to-date actual and the
grown plan against sums read straight from the lake's files, and one-line errors."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest

from consortia.errors import ExitCode
from tests.integration.test_allocate import ccg_codes
from tests.integration.test_cli import assert_one_line_error, consortia

DATES = {"apc": "admitted_on", "op": "attended_on", "ae": "arrived_at"}


def costs(lake: Path, ccg: str, start: date, end: date) -> float:
    """The cost of every record naming one of the CCG's practices, from `start` to `end`."""
    practices = pq.read_table(lake / "practice").to_pandas()
    members = set(practices.loc[practices["ccg"] == ccg, "code"])
    total = 0.0
    for dataset, column in DATES.items():
        rows = pq.read_table(lake / dataset, columns=["practice", column, "cost"]).to_pandas()
        days = pd.to_datetime(rows[column])
        chosen = (
            rows["practice"].isin(members)
            & (days >= pd.Timestamp(start))
            & (days < pd.Timestamp(end))
        )
        total += float(rows.loc[chosen, "cost"].sum())
    return total


@pytest.fixture(scope="module")
def position(england_lake: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("contracts")
    out, page = folder / "c.json", folder / "c.html"
    code = ccg_codes(england_lake)[1]
    result = consortia(
        "contracts", "--data", str(england_lake), "--ccg", code, "--year", "2014/15",
        "--growth", "0.03", "--month", "2014-10", "--json", str(out), "--html", str(page),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "monitored to October 2014 (7 of 12 months)" in result.stdout
    assert "Contract position to October 2014" in page.read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return loaded


def test_year_to_date_and_plan_match_the_lake(england_lake: Path, position: dict[str, Any]) -> None:
    lines = position["lines"]
    ytd = sum(line["actual_ytd_value"] for line in lines)
    assert ytd == pytest.approx(
        costs(england_lake, position["ccg"], date(2014, 4, 1), date(2014, 11, 1)), rel=1e-9
    )
    previous = costs(england_lake, position["ccg"], date(2013, 4, 1), date(2014, 4, 1))
    assert sum(line["plan_value"] for line in lines) == pytest.approx(previous * 1.03, rel=1e-9)
    for line in lines:
        assert line["forecast_run_rate_value"] == pytest.approx(line["actual_ytd_value"] * 12 / 7)
        assert line["variance_ytd_value"] == pytest.approx(
            line["actual_ytd_value"] - line["plan_ytd_value"]
        )
    months = {row["month"] for row in position["monthly"]}
    assert max(months) == "2014-10-01"
    assert min(months) == "2013-04-01"


@pytest.mark.parametrize(
    ("args", "words", "code"),
    [
        (["--ccg", "99Z", "--year", "2014/15"], "no CCG with code '99Z'", ExitCode.DATA),
        (["--year", "2014/15", "--month", "2015-07"], "not a month of 2014/15", ExitCode.DATA),
        (["--year", "2014/15", "--month", "soon"], "not a month such as 2014-12", ExitCode.DATA),
        (["--year", "2013/14"], "no activity of CCG", ExitCode.DATA),
        (
            ["--year", "2014/15", "--plan", "{tmp}/plan.csv"],
            "row 2, field 'provider'",
            ExitCode.DATA,
        ),
        (["--year", "2014/15", "--growth", "7"], "--growth", ExitCode.USAGE),
    ],
)
def test_bad_options_give_one_line(
    tmp_path: Path, small_lake: Path, args: list[str], words: str, code: ExitCode
) -> None:
    (tmp_path / "plan.csv").write_text(
        "provider,pod,activity,value\nRAA,theatre,1,1\n", encoding="utf-8"
    )
    filled = [a.replace("{tmp}", str(tmp_path)) for a in args]
    if "--ccg" not in filled:
        filled = ["--ccg", ccg_codes(small_lake)[0], *filled]
    result = consortia("contracts", "--data", str(small_lake), *filled)
    assert words in assert_one_line_error(result, code)
