"""The pack shows the CCG's governance record (`consortia pack --record`): its configuration
check and its dependence on outside commissioning support, computed independently here from
the demo round's arrangements."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from consortia.errors import ExitCode
from tests.integration.test_cli import assert_one_line_error, consortia

EXAMPLES = Path(__file__).parents[2] / "docs" / "examples"
pytestmark = pytest.mark.slow


def rows(pack: Path, figure: str) -> list[dict[str, str]]:
    with (pack / "tables" / f"{figure}.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_the_pack_shows_the_record(small_lake: Path, tmp_path: Path) -> None:
    first = tmp_path / "pack"
    built = consortia("pack", "--data", str(small_lake), "--out", str(first))
    assert built.returncode == 0, built.stderr
    without = json.loads((first / "pack.json").read_text())
    assert not [f for f in without["figures"] if f["section"].startswith("Governance")]

    record = tmp_path / "record.sqlite"
    round_script = str(EXAMPLES / "commissioning-round.yaml")
    ran = consortia("gov", "run", round_script, "--db", str(record), "--pack", str(first))
    assert ran.returncode == 0, ran.stderr

    second = tmp_path / "with-record"
    built = consortia(
        "pack", "--data", str(small_lake), "--out", str(second), "--record", str(record)
    )
    assert built.returncode == 0, built.stderr
    checks = {r["check"]: r for r in rows(second, "configuration_check")}
    # 30,000 patients: smaller than the smallest CCG England authorised (63,100).
    assert checks["Size"]["result"] == "flag"
    assert checks["Governing body"]["result"] == "pass"
    assert checks["Authorisation"]["result"] == "pass"  # both conditions lifted on review
    # Read as at the end of the lake's latest year, 2014/15, not as at the day the pack is made.
    assert "on 31 March 2015" in checks["Governing body"]["finding"]
    shown = json.loads((second / "pack.json").read_text())
    method = next(f["method"] for f in shown["figures"] if f["id"] == "configuration_check")
    assert "as at 31 March 2015" in method
    dependence = rows(second, "support_dependence")
    assert [r["financial_year"] for r in dependence] == ["2013/14", "2014/15"]
    # 2013/14: the CSU performs 4 of 11 functions, £1.45m of £3.55m; 2014/15: 7 of 12, £2.3m
    # of £3.8m; per head over the lists of the constitution's 34 member practices.
    assert [float(r["share_of_functions_outside"]) for r in dependence] == pytest.approx(
        [4 / 11, 7 / 12]
    )
    assert [float(r["share_of_cost_outside"]) for r in dependence] == pytest.approx(
        [1.45 / 3.55, 2.3 / 3.8]
    )
    constitution = (EXAMPLES / "aylfield-constitution.yaml").read_text()
    lists = sum(int(part.split(",")[0]) for part in constitution.split("list_size: ")[1:])
    assert float(dependence[0]["support_cost_per_head"]) == pytest.approx(3_550_000 / lists)
    html = (second / "pack.html").read_text()
    assert "Dependence on outside commissioning support" in html


def test_a_record_of_another_ccg_is_refused(small_lake: Path, tmp_path: Path) -> None:
    record = tmp_path / "northborough.sqlite"
    ran = consortia("gov", "run", str(EXAMPLES / "meeting.yaml"), "--db", str(record))
    assert ran.returncode == 0, ran.stderr
    out = tmp_path / "pack"
    refused = consortia(
        "pack", "--data", str(small_lake), "--out", str(out), "--record", str(record)
    )
    line = assert_one_line_error(refused, ExitCode.DATA)
    assert "not CCG 00A's" in line
    assert not (out / "pack.json").exists()  # nothing written
    both = consortia(
        "pack", "--data", str(small_lake), "--out", str(out), "--all-ccgs", "--record", "x"
    )
    assert "one CCG's" in assert_one_line_error(both, ExitCode.USAGE)
    broken = tmp_path / "broken.sqlite"
    broken.write_text("not a database")
    refused = consortia(
        "pack", "--data", str(small_lake), "--out", str(out), "--record", str(broken)
    )
    assert "field '--record'" in assert_one_line_error(refused, ExitCode.DATA)
    assert not out.exists() or not any(out.iterdir())  # refused before any work
