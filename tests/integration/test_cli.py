"""The `consortia` command end to end, in a real process: outputs, exit codes, one-line errors."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from consortia.errors import ExitCode


def consortia(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the command as a user would, without colour or progress bars."""
    env = dict(os.environ, CONSORTIA_PROGRESS="false", NO_COLOR="1")
    return subprocess.run(
        [sys.executable, "-m", "consortia", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=600,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], code: ExitCode) -> str:
    assert result.returncode == code, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.stderr
    return lines[0]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["synth", "--out", "{tmp}/a", "--patients", "-5"], "--patients must be at least 1"),
        (["synth", "--out", "{tmp}/a", "--patients", "many"], "--patients"),
        (["synth", "--out", "{tmp}/a", "--ccgs", "0"], "--ccgs must be at least 1"),
        (["synth", "--out", "{tmp}/file/lake"], "cannot write to"),
        (["synth", "--out", "{tmp}/a", "--truth", "{tmp}/a/inside"], "inside the lake"),
        (["schema", "wards"], "unknown dataset 'wards'"),
        (["check", "--data", "{tmp}", "--dataset", "wards"], "unknown dataset wards"),
        (["no-such-command"], "No such command"),
    ],
)
def test_bad_arguments_give_one_line_and_usage_code(
    tmp_path: Path, args: list[str], expected: str
) -> None:
    (tmp_path / "file").write_text("not a folder")
    result = consortia(*[a.format(tmp=tmp_path) for a in args])
    assert expected in assert_one_line_error(result, ExitCode.USAGE)


def test_existing_lake_is_not_overwritten(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    lake.mkdir()
    (lake / "keep.txt").write_text("precious")
    result = consortia("synth", "--out", str(lake), "--patients", "100")
    assert "already holds data" in assert_one_line_error(result, ExitCode.USAGE)
    assert (lake / "keep.txt").read_text() == "precious"


def test_missing_lake_and_dataset_name_what_is_missing(tmp_path: Path, small_lake: Path) -> None:
    result = consortia("pack", "--data", str(tmp_path / "nowhere"), "--out", str(tmp_path / "p"))
    assert "no lake at" in assert_one_line_error(result, ExitCode.DATA)
    partial = tmp_path / "partial"
    partial.mkdir()
    (partial / "ccg").symlink_to(small_lake / "ccg")
    result = consortia("pack", "--data", str(partial), "--out", str(tmp_path / "p"))
    line = assert_one_line_error(result, ExitCode.DATA)
    assert "practice" in line
    assert "patient" in line


def test_unknown_ccg(tmp_path: Path, small_lake: Path) -> None:
    result = consortia("pack", "--data", str(small_lake), "--out", str(tmp_path), "--ccg", "99Z")
    assert "no CCG with code '99Z'" in assert_one_line_error(result, ExitCode.DATA)


def test_synth_then_check_then_pack(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    made = consortia("synth", "--out", str(lake), "--patients", "4000", "--ccgs", "2")
    assert made.returncode == 0, made.stderr
    assert (tmp_path / "lake-truth" / "practice_effects.parquet").exists()
    checked = consortia("check", "--data", str(lake))
    assert checked.returncode == 0, checked.stderr
    ccg = json.loads((lake / "_lake.json").read_text())["ccgs"]
    assert ccg == 2
    result = consortia("pack", "--data", str(lake), "--out", str(tmp_path / "pack"))
    assert "choose one with --ccg" in assert_one_line_error(result, ExitCode.DATA)
    built = consortia("pack", "--data", str(lake), "--out", str(tmp_path / "pack"), "--ccg", "00A")
    assert built.returncode == 0, built.stderr
    index = json.loads((tmp_path / "pack" / "pack.json").read_text())
    assert index["ccg"]["code"] == "00A"
    for figure in index["figures"]:
        table = (tmp_path / "pack" / figure["table"]).read_bytes()
        assert figure["sha256"] == hashlib.sha256(table).hexdigest()  # what a plan cites
        assert figure["method"]
        if figure["section"] == "Quality premium":  # four lake measures: no one SQL
            assert figure["source_sql"] == ""
            continue
        assert figure["source_sql"].lstrip().upper().startswith(("SELECT", "WITH"))
    sql = {figure["id"]: figure["source_sql"] for figure in index["figures"]}
    # The money figures name the query they are computed from, this CCG's where it is its own.
    contracts = {text for id, text in sql.items() if id.startswith("contract_")}
    assert len(contracts) == 1
    assert "'00A'" in contracts.pop()
    assert sql["allocation_practices"] == sql["allocation_distance"]
    assert "'00A'" not in sql["allocation_distance"]
    html = (tmp_path / "pack" / "pack.html").read_text()
    assert "<svg" in html  # Making Data Count icons
    assert '<script type="application/json" id="population_pyramid-spec">' in html  # a chart
    assert "http://" not in html.replace("http://www.w3.org", "")


def test_check_names_file_row_field_and_rule(tmp_path: Path, small_lake: Path) -> None:
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    broken = tmp_path / "broken"
    for folder in small_lake.iterdir():
        if folder.is_dir():
            (broken / folder.name).mkdir(parents=True)
            for part in folder.glob("*.parquet"):
                (broken / folder.name / part.name).symlink_to(part)
    practice = pq.read_table(small_lake / "practice" / "part-00000.parquet")
    contract = practice["contract"].to_pylist()
    contract[2] = "XYZ"  # not a contract type
    practice = practice.set_column(3, "contract", pc.cast(contract, practice["contract"].type))
    target = broken / "practice" / "part-00000.parquet"
    target.unlink()
    pq.write_table(practice, target)
    result = consortia("check", "--data", str(broken))
    assert result.returncode == ExitCode.DATA
    assert f"{target}, row 3, field 'contract'" in result.stderr
    assert "one of contract" in result.stderr


@pytest.mark.slow
def test_demo_builds_lake_and_pack(tmp_path: Path) -> None:
    result = consortia("demo", "--out", str(tmp_path / "demo"), "--no-serve")
    assert result.returncode == 0, result.stderr
    assert "commissioning pack written to" in result.stdout
    assert (tmp_path / "demo" / "pack" / "pack.html").exists()
    assert (tmp_path / "demo" / "truth" / "model.json").exists()
    # the demo's sign-ins: one per role, printed, their passwords kept only as argon2 hashes
    assert "  analyst                      analyst-demo" in result.stdout
    users = (tmp_path / "demo" / "web-users.toml").read_text(encoding="utf-8")
    assert users.count("[[users]]") == 10
    assert "analyst-demo" not in users
    again = consortia("demo", "--out", str(tmp_path / "demo"), "--no-serve")  # reuses the lake
    assert again.returncode == 0
    assert "building the demo lake" not in again.stdout


def test_empty_lake(tmp_path: Path) -> None:
    from tests.spec.tiny import write_lake

    lake = write_lake(tmp_path / "empty", {})
    result = consortia("pack", "--data", str(lake), "--out", str(tmp_path / "p"))
    assert "ccg dataset is empty" in assert_one_line_error(result, ExitCode.DATA)
