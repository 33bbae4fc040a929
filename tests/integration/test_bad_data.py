"""Bad data never crashes and never destroys: each broken input, through the real command.

Every case is a lake (or folder) a careless user or an attacker could hand the command; each
must give one line per broken rule naming the file, row, field and rule, and a documented
exit code — never a traceback — and nothing the command did not create may be deleted.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from consortia.engine.backends import connect
from consortia.errors import ExitCode
from consortia.ingest import validate
from consortia.ingest.validate import check_lake
from tests import bad_lakes
from tests.conftest import make_lake
from tests.integration.test_cli import assert_one_line_error, consortia

PARQUET_RULE = "rule: a dataset's parts are whole Parquet files"


@pytest.fixture(scope="module")
def tiny_lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One CCG of 2,000 patients, checked clean by `consortia check`."""
    lake = make_lake(tmp_path_factory.mktemp("tiny"), "lake", patients=2_000, seed=3)
    clean = consortia("check", "--data", str(lake))
    assert clean.returncode == 0, clean.stderr
    return lake


def assert_error_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    """The data exit code, and every line of stderr an error line: no traceback."""
    assert result.returncode == ExitCode.DATA, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines
    assert all(line.startswith("error: ") for line in lines), result.stderr
    return lines


Break = Callable[[Path], Path]

# (defect, what the line must say besides the broken file)
CHECK_CASES: list[tuple[Break, list[str]]] = [
    (bad_lakes.empty_part, ["an empty file", PARQUET_RULE]),
    (bad_lakes.csv_renamed, ["not a Parquet file", PARQUET_RULE]),
    (bad_lakes.truncated, ["not a whole Parquet file", PARQUET_RULE]),
    (bad_lakes.folder_named_parquet, ["a folder, not a Parquet file", PARQUET_RULE]),
    (bad_lakes.dangling_link, ["a link to nothing", PARQUET_RULE]),
    (bad_lakes.non_utf8_string, ["not valid UTF8", "rule: values the engine can read"]),
    (bad_lakes.nan_cost, ["row 5, field 'cost'", "value nan", "rule: finite"]),
    (bad_lakes.infinite_cost, ["row 5, field 'cost'", "value inf", "rule: finite"]),
    (bad_lakes.provider_not_a_code, ["row 5, field 'provider'", "value XYZ", "matches ^[RN]"]),
    (bad_lakes.birth_month_13, ["row 5, field 'birth_month'", "value 13", "rule: ≤ 12"]),
    (bad_lakes.registration_without_sex, ["row 5, field 'sex'", "rule: required"]),
    (bad_lakes.unknown_patient, ["row 5, field 'patient_id'", "value -1", "patient.patient_id"]),
    (bad_lakes.year_0001, ["row 5, field 'attended_on'", "value 0001-01-01", "1890-01-01"]),
    (bad_lakes.year_2999, ["row 5, field 'attended_on'", "value 2999-01-01", "2100-12-31"]),
    (
        bad_lakes.death_before_birth,
        ["row 5, field 'date_of_death'", "not before the month of birth"],
    ),
    (bad_lakes.nhs_number_column, ["field 'nhs_number'", "only the schema's columns"]),
    (bad_lakes.duplicated_part, ["row 1, field 'spell_id'", "value 0", "rule: unique key"]),
]


@pytest.mark.parametrize(("defect", "says"), CHECK_CASES, ids=lambda c: getattr(c, "__name__", ""))
def test_check_names_each_defect_in_one_line(
    tmp_path: Path, tiny_lake: Path, defect: Break, says: list[str]
) -> None:
    lake = bad_lakes.copy_lake(tiny_lake, tmp_path / "lake")
    broken = defect(lake)
    lines = assert_error_lines(consortia("check", "--data", str(lake)))
    named = [line for line in lines if line.startswith(f"error: {broken}")]
    assert named, lines
    for fragment in says:
        assert fragment in named[0], named[0]


def test_a_pattern_is_tested_row_by_row_when_a_column_has_too_many_values_to_list(
    tmp_path: Path, tiny_lake: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Codes are tested once per distinct value; past `DISTINCT_CODES` values, on every row:
    either way the same row is named."""
    lake = bad_lakes.copy_lake(tiny_lake, tmp_path / "lake")
    broken = bad_lakes.provider_not_a_code(lake)
    by_value = check_lake(connect(), lake, ["op"])
    monkeypatch.setattr(validate, "DISTINCT_CODES", 1)
    by_row = check_lake(connect(), lake, ["op"])
    assert by_value == by_row
    assert [(v.file, v.row, v.field, v.value, v.rule) for v in by_row] == [
        (str(broken), 5, "provider", "XYZ", r"matches ^[RN][A-Z0-9]{2}$"),
        (str(broken), 5, "provider", "XYZ", "exists in provider.code"),
    ]


def test_check_of_a_dataset_names_a_referenced_dataset_whose_key_has_the_wrong_type(
    tmp_path: Path, tiny_lake: Path
) -> None:
    lake = bad_lakes.copy_lake(tiny_lake, tmp_path / "lake")
    broken = bad_lakes.patient_key_as_text(lake)
    line = assert_one_line_error(
        consortia("check", "--data", str(lake), "--dataset", "apc"), ExitCode.DATA
    )
    assert line.startswith(f"error: {broken}, field 'patient_id'")
    assert "exists in patient.patient_id" in line
    assert "type int64 (found string)" in line
    everything = assert_error_lines(consortia("check", "--data", str(lake)))
    assert any("type int64 (found string)" in line for line in everything)


@pytest.mark.parametrize(
    ("defect", "says"),
    [
        (bad_lakes.infinite_cost, "value inf"),
        (bad_lakes.duplicated_part, "rule: unique key"),
        (bad_lakes.truncated, "not a whole Parquet file"),
    ],
    ids=["infinite-cost", "part-copied-twice", "truncated"],
)
def test_pack_refuses_a_lake_that_breaks_the_rules_it_relies_on(
    tmp_path: Path, tiny_lake: Path, defect: Break, says: str
) -> None:
    lake = bad_lakes.copy_lake(tiny_lake, tmp_path / "lake")
    broken = defect(lake)
    out = tmp_path / "pack"
    line = assert_one_line_error(
        consortia("pack", "--data", str(lake), "--out", str(out)), ExitCode.DATA
    )
    assert line.startswith(f"error: {broken}")
    assert says in line
    assert not out.exists()  # nothing published


@pytest.mark.parametrize(
    ("out", "says"),
    [("{tmp}/file", "exists and is not a folder"), ("{tmp}/file/pack", "is not a folder")],
    ids=["a-file", "under-a-file"],
)
def test_pack_refuses_an_unwritable_out_before_reading_the_lake(
    tmp_path: Path, out: str, says: str
) -> None:
    (tmp_path / "file").write_text("keep")
    # No lake at all: the refusal about --out comes first, so it comes before any analysis.
    result = consortia(
        "pack", "--data", str(tmp_path / "no-lake"), "--out", out.format(tmp=tmp_path)
    )
    line = assert_one_line_error(result, ExitCode.USAGE)
    assert says in line
    assert "field '--out'" in line
    assert (tmp_path / "file").read_text() == "keep"


def test_pack_refuses_a_read_only_out_before_reading_the_lake(tmp_path: Path) -> None:
    out = Path("/proc/consortia-pack")  # /proc takes no new folders, even for root
    result = consortia("pack", "--data", str(tmp_path / "no-lake"), "--out", str(out))
    assert "cannot write to /proc" in assert_one_line_error(result, ExitCode.USAGE)


@pytest.mark.slow
def test_pack_never_deletes_what_it_did_not_write(tmp_path: Path, tiny_lake: Path) -> None:
    out = tmp_path / "reports"
    out.mkdir()
    (out / "minutes.docx").write_text("the board's minutes")
    refused = consortia("pack", "--data", str(tiny_lake), "--out", str(out))
    line = assert_one_line_error(refused, ExitCode.USAGE)
    assert "not a commissioning pack" in line
    assert "--overwrite" in line
    assert sorted(p.name for p in out.iterdir()) == ["minutes.docx"]

    told = consortia("pack", "--data", str(tiny_lake), "--out", str(out), "--overwrite")
    assert told.returncode == 0, told.stderr
    assert (out / "minutes.docx").read_text() == "the board's minutes"
    tables = json.loads((out / "pack.json").read_text())["figures"]
    assert all((out / figure["table"]).is_file() for figure in tables)

    # A previous pack is replaced without being told: its stale tables go, nothing else does.
    stale = out / "tables" / "retired-figure.csv"
    stale.write_text("a,b\n")
    index = json.loads((out / "pack.json").read_text())
    index["figures"].append({"table": "tables/retired-figure.csv"})
    (out / "pack.json").write_text(json.dumps(index))
    mine = out / "tables" / "my-notes.csv"
    mine.write_text("kept\n")
    again = consortia("pack", "--data", str(tiny_lake), "--out", str(out))
    assert again.returncode == 0, again.stderr
    assert not stale.exists()
    assert mine.read_text() == "kept\n"
    assert (out / "minutes.docx").read_text() == "the board's minutes"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--patients", str(2**64 + 1)], "--patients must be at most 100,000,000"),
        (["--patients", str(2**63)], "--patients must be at most"),
        (["--patients", "5000", "--ccgs", "1700"], "--ccgs must be at most 1,000"),
    ],
    ids=["patients-beyond-2^64", "patients-2^63", "ccgs-1700"],
)
def test_synth_refuses_sizes_it_cannot_generate(tmp_path: Path, args: list[str], says: str) -> None:
    result = consortia("synth", "--out", str(tmp_path / "lake"), *args)
    assert says in assert_one_line_error(result, ExitCode.USAGE)
    assert not (tmp_path / "lake").exists()


def test_synth_overwrite_leaves_a_folder_that_is_not_its_lake(tmp_path: Path) -> None:
    folder = tmp_path / "governance"
    folder.mkdir()
    (folder / "governance.sqlite").write_bytes(b"SQLite format 3\x00")
    result = consortia("synth", "--out", str(folder), "--patients", "100", "--overwrite")
    line = assert_one_line_error(result, ExitCode.USAGE)
    assert "synth replaces only what it wrote" in line
    assert (folder / "governance.sqlite").read_bytes() == b"SQLite format 3\x00"


def test_synth_overwrite_leaves_a_lake_holding_something_else(
    tmp_path: Path, tiny_lake: Path
) -> None:
    lake = bad_lakes.copy_lake(tiny_lake, tmp_path / "lake")
    (lake / "governance.sqlite").write_bytes(b"SQLite format 3\x00")
    result = consortia("synth", "--out", str(lake), "--patients", "100", "--overwrite")
    line = assert_one_line_error(result, ExitCode.USAGE)
    assert "holds governance.sqlite, which synth did not write" in line
    assert (lake / "governance.sqlite").exists()
    assert (lake / "_lake.json").exists()


def test_demo_leaves_an_earlier_demo_lake_holding_something_else(
    tmp_path: Path, tiny_lake: Path
) -> None:
    """The demo builds its lake again when it finds an earlier layout, as synth replaces its
    own output: a lake holding a file synth did not write is refused, in words that name no
    option the user did not give, and nothing in it is touched."""
    lake = bad_lakes.copy_lake(tiny_lake, tmp_path / "demo" / "lake")
    manifest = json.loads((lake / "_lake.json").read_text(encoding="utf-8"))
    (lake / "_lake.json").write_text(json.dumps(manifest | {"format": 1}), encoding="utf-8")
    (lake / "notes.txt").write_text("mine", encoding="utf-8")
    before = sorted(p.relative_to(lake) for p in lake.rglob("*"))
    result = consortia("demo", "--out", str(tmp_path / "demo"), "--no-serve")
    line = assert_one_line_error(result, ExitCode.USAGE)
    assert f"synth replaces only what it wrote, and {lake} holds notes.txt" in line
    assert "--overwrite" not in line
    assert sorted(p.relative_to(lake) for p in lake.rglob("*")) == before
    assert (lake / "notes.txt").read_text(encoding="utf-8") == "mine"


@pytest.mark.slow
def test_synth_overwrite_replaces_its_own_lake_and_truth(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    first = consortia("synth", "--out", str(lake), "--patients", "300", "--seed", "1")
    assert first.returncode == 0, first.stderr
    again = consortia(
        "synth", "--out", str(lake), "--patients", "300", "--seed", "2", "--overwrite"
    )
    assert again.returncode == 0, again.stderr
    assert json.loads((lake / "_lake.json").read_text())["seed"] == 2


@pytest.mark.parametrize(
    "args",
    [
        ["gov", "verify"],
        ["gov", "minutes", "--meeting", "1"],
        ["gov", "register"],
        ["check", "--data", "lake"],
        ["pack", "--data", "lake", "--out", "pack"],
    ],
    ids=lambda a: " ".join(a[:2]),
)
def test_read_only_commands_create_no_demo_folder(tmp_path: Path, args: list[str]) -> None:
    result = consortia(*args, cwd=tmp_path)
    assert_one_line_error(result, ExitCode.DATA)
    assert list(tmp_path.iterdir()) == []
