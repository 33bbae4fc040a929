"""Hand-made malformed extracts: every record is loaded or quarantined where it breaks a rule.

Each case is a file written by hand, with the number of records it holds counted by hand and
the line, field and rule where each bad record must be set aside. For every case:
records in = records loaded + records quarantined, the lake's part holds exactly the loaded
records, and the quarantine report exactly the quarantined ones. A file that is not an
extract at all is refused whole, naming it, and leaves nothing behind.
"""

from __future__ import annotations

import csv
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from consortia.engine.backends import connect
from consortia.engine.lake import Lake
from consortia.errors import DataError
from consortia.ingest import ledger
from consortia.ingest.batch import import_file
from tests.ingest_files import (
    APC,
    FIELDS,
    GOOD,
    KEY,
    NO_CHECK,
    PATIENT,
    SECOND,
    UNKNOWN,
    WRONG_CHECK,
    lines,
    make_base,
    row,
)


@dataclass(frozen=True)
class Case:
    """A malformed file: how many records it holds, and where each bad one is set aside."""

    content: bytes
    records: int
    bad: dict[int, tuple[str, str]] = field(default_factory=dict)  # line -> (field, rule words)
    dataset: str = "apc"
    suffix: str = ".csv"


def good_rows(n: int, first: int = 2001) -> list[str]:
    return [row(first + i, nhs_number=GOOD if i % 2 else SECOND) for i in range(n)]


CASES: dict[str, Case] = {
    "header only": Case(lines(), 0),
    "BOM and CRLF": Case(b"\xef\xbb\xbf" + lines(*good_rows(2), end="\r\n"), 2),
    "CR only line ends": Case(lines(*good_rows(2), end="\r"), 2),
    "no newline at the end": Case(lines(*good_rows(2)).rstrip(b"\n"), 2),
    "mixed line ends": Case(lines(good_rows(1)[0]) + (row(3001) + "\r\n").encode(), 2),
    "every field quoted": Case(
        ("\n".join(",".join(f'"{v}"' for v in r.split(",")) for r in [APC, row()]) + "\n").encode(),
        1,
    ),
    "columns in another order": Case(
        (",".join(reversed(FIELDS)) + "\n" + ",".join(reversed(row().split(","))) + "\n").encode(),
        1,
    ),
    "header in capitals with spaces": Case(
        lines(row(), header=", ".join(f.upper() for f in FIELDS)), 1
    ),
    "NHS number written with spaces": Case(lines(row(nhs_number="943 476 5919")), 1),
    "an id padded with spaces": Case(lines(row(spell_id=" 1004 ")), 1),
    "true in capitals": Case(lines(row(day_case="TRUE")), 1),
    "a blank line between records": Case(lines(row(1), "", row(2)), 2),
    "too few fields": Case(
        lines(row(1), ",".join(row(2).split(",")[:-1])), 2, {3: ("", f"{len(FIELDS)} fields")}
    ),
    "too many fields": Case(lines(row(1), row(2) + ",x"), 2, {3: ("", f"{len(FIELDS)} fields")}),
    "a line of spaces": Case(lines(row(1), "   ", row(2)), 3, {3: ("", f"{len(FIELDS)} fields")}),
    "a quoted newline in a coded field": Case(
        lines(row(1, method="emergency,\nelective"), row(2), row(3, method="x")),
        3,
        {2: ("method", "one of admission_method"), 5: ("method", "one of admission_method")},
    ),
    "an unterminated quote at the end": Case(
        lines(row(1))
        + b"2,"
        + GOOD.encode()
        + b',A10001,F,1950,6,3,RAA,2014-05-01,2014-05-03,"emergency',
        2,
        {3: ("", f"{len(FIELDS)} fields")},
    ),
    "a field over a mebibyte": Case(
        lines(row(1), row(2, hrg="E" * (1 << 21)), row(3)), 3, {3: ("", "a CSV record")}
    ),
    "bytes that are not UTF-8": Case(
        lines(row(1)) + row(2, hrg="EB10@").encode().replace(b"@", b"\xe9") + b"\n",
        2,
        {3: ("hrg", "UTF-8 text")},
    ),
    "a NUL byte": Case(lines(row(1), row(2, hrg="EB\x0010A")), 2, {3: ("hrg", "NUL")}),
    "NHS number with a wrong check digit": Case(
        lines(row(1), row(2, nhs_number=WRONG_CHECK)), 2, {3: ("nhs_number", "modulus-11")}
    ),
    "NHS number whose check digit would be 10": Case(
        lines(row(1, nhs_number=NO_CHECK)), 1, {2: ("nhs_number", "modulus-11")}
    ),
    "NHS number of nine digits": Case(
        lines(row(1, nhs_number="943476591")), 1, {2: ("nhs_number", "ten digits")}
    ),
    "NHS number of eleven digits": Case(
        lines(row(1, nhs_number="94347659190")), 1, {2: ("nhs_number", "ten digits")}
    ),
    "NHS number in Arabic-Indic digits": Case(
        lines(row(1, nhs_number="٩٤٣٤٧٦٥٩١٩")), 1, {2: ("nhs_number", "ten digits")}
    ),
    "NHS number with a letter": Case(
        lines(row(1, nhs_number="943476591O")), 1, {2: ("nhs_number", "ten digits")}
    ),
    "NHS number missing": Case(lines(row(1, nhs_number="")), 1, {2: ("nhs_number", "required")}),
    "NHS number of nobody in the lake": Case(
        lines(row(1, nhs_number=UNKNOWN)), 1, {2: ("patient_id", "exists in patient.patient_id")}
    ),
    "an id past 2^63": Case(
        lines(row(spell_id="9223372036854775808")), 1, {2: ("spell_id", "whole number")}
    ),
    "an id below -2^63": Case(
        lines(row(spell_id="-9223372036854775809")), 1, {2: ("spell_id", "whole number")}
    ),
    "an id with a decimal point": Case(
        lines(row(spell_id="1.0")), 1, {2: ("spell_id", "whole number")}
    ),
    "an id in exponent form": Case(
        lines(row(spell_id="1e3")), 1, {2: ("spell_id", "whole number")}
    ),
    "a repeated key": Case(
        lines(row(7), row(8), row(7, cost="1")), 3, {4: ("spell_id", "repeats the key")}
    ),
    "a cost that is not a number": Case(lines(row(cost="NaN")), 1, {2: ("cost", "finite")}),
    "an infinite cost": Case(lines(row(cost="inf")), 1, {2: ("cost", "finite")}),
    "a negative cost": Case(lines(row(cost="-1")), 1, {2: ("cost", "≥ 0")}),
    "a cost past the largest double": Case(lines(row(cost="1e400")), 1, {2: ("cost", "")}),
    "a cost with a currency sign": Case(
        lines(row(cost="£1500")), 1, {2: ("cost", "decimal number")}
    ),
    "a formula in a number": Case(lines(row(cost="=1+1")), 1, {2: ("cost", "decimal number")}),
    "a date in day/month/year": Case(
        lines(row(admitted_on="03/04/2014")), 1, {2: ("admitted_on", "YYYY-MM-DD")}
    ),
    "the 30th of February": Case(
        lines(row(admitted_on="2014-02-30")), 1, {2: ("admitted_on", "YYYY-MM-DD")}
    ),
    "a date without leading zeros": Case(
        lines(row(admitted_on="2014-5-1")), 1, {2: ("admitted_on", "YYYY-MM-DD")}
    ),
    "a date in year 1": Case(
        lines(row(admitted_on="0001-01-01", discharged_on="0001-01-02")),
        1,
        {2: ("admitted_on", "from 1890-01-01")},
    ),
    "discharged before admitted": Case(
        lines(row(discharged_on="2014-04-30")),
        1,
        {2: ("discharged_on", "discharged_on ≥ admitted_on")},
    ),
    "a wait on an emergency spell": Case(
        lines(row(rtt_weeks="3")), 1, {2: ("rtt_weeks", "present if and only if")}
    ),
    "a code in the wrong case": Case(
        lines(row(method="Emergency")), 1, {2: ("method", "one of admission_method")}
    ),
    "a formula in a coded field": Case(
        lines(row(method='=HYPERLINK("http://example.invalid","x")')),
        1,
        {2: ("method", "one of admission_method")},
    ),
    "yes for a true or false": Case(
        lines(row(day_case="yes")), 1, {2: ("day_case", "true or false")}
    ),
    "a diagnosis too short": Case(
        lines(row(primary_diagnosis="I2")), 1, {2: ("primary_diagnosis", "matches")}
    ),
    "a practice the lake does not hold": Case(
        lines(row(practice="A99999")), 1, {2: ("practice", "exists in practice.code")}
    ),
    "a provider code of the wrong form": Case(
        lines(row(provider="XYZ")), 1, {2: ("provider", "matches")}
    ),
    "a required field empty": Case(lines(row(hrg="")), 1, {2: ("hrg", "required")}),
    "one good, one of each fault": Case(
        lines(row(1), row(2, cost="x"), row(3, method="y"), row(1)),
        4,
        {3: ("cost", "decimal"), 4: ("method", "one of"), 5: ("spell_id", "repeats")},
    ),
    "a month 13": Case(
        (PATIENT + "\n" + f"{UNKNOWN},A10001,F,1950,13,3,2013-04-01,,\n").encode(),
        1,
        {2: ("birth_month", "≤ 12")},
        dataset="patient",
    ),
    "death before birth": Case(
        (
            PATIENT + "\n" + f"{UNKNOWN},A10001,F,1950,6,3,2013-04-01,2013-05-01,1949-01-01\n"
        ).encode(),
        1,
        {2: ("date_of_death", "not before the month of birth")},
        dataset="patient",
    ),
    "a sex not in the code list": Case(
        (PATIENT + "\n" + f"{UNKNOWN},A10001,X,1950,6,3,2013-04-01,,\n").encode(),
        1,
        {2: ("sex", "one of sex")},
        dataset="patient",
    ),
    "a patient already in the lake": Case(
        (PATIENT + "\n" + f"{GOOD},A10001,F,1950,6,3,2013-04-01,,\n").encode(),
        1,
        {2: ("patient_id", "the lake already holds")},
        dataset="patient",
    ),
    "a practice named as a formula": Case(
        b"code,name,ccg,contract,deprivation_decile,opened,closed\n"
        b"A10002,=cmd|' /C calc'!A0,00A,GMS,5,1990-01-01,\n"
        b"A10003,@SUM(1),00A,GMS,5,1990-01-01,\n"
        b"A10004,Riverside Surgery,00A,GMS,5,1990-01-01,\n",
        3,
        {2: ("name", "formula"), 3: ("name", "formula")},
        dataset="practice",
    ),
}

WHOLE: dict[str, tuple[bytes, str]] = {
    "an empty file": (b"", "empty"),
    "only a byte-order mark": (b"\xef\xbb\xbf", "empty"),
    "an unknown column": (lines(row() + ",x", header=APC + ",postcode"), "postcode"),
    "a missing column": (
        ("\n".join(",".join(r.split(",")[:-1]) for r in [APC, row()]) + "\n").encode(),
        "rtt_weeks",
    ),
    "a column twice": (lines(row() + ",1", header=APC + ",spell_id"), "each once"),
    "another dataset's header": (b"code,name,kind\nRAA,Trust,nhs_trust\n", "an extract of apc"),
    "a PNG renamed": (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "not UTF-8"),
    "UTF-16 text": (lines(row()).decode().encode("utf-16"), ""),
}


@pytest.fixture(scope="module")
def con() -> object:
    return connect("duckdb")


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory, con: object) -> Path:
    """A lake of one CCG, practice, provider and two patients, by hand, through ingest."""
    folder = tmp_path_factory.mktemp("extracts")
    return make_base(con, folder, tmp_path_factory.mktemp("base") / "lake")


def _lake(base: Path, tmp_path: Path) -> Path:
    lake = tmp_path / "lake"
    shutil.copytree(base, lake)
    return lake


def _rows(part: Path) -> int:
    return pq.ParquetFile(part).metadata.num_rows


def test_there_are_at_least_fifty_hand_made_malformed_files() -> None:
    assert len(CASES) + len(WHOLE) >= 50


@pytest.mark.parametrize("name", list(CASES))
def test_every_record_is_loaded_or_quarantined_where_it_breaks_a_rule(
    name: str, base: Path, tmp_path: Path, con: object
) -> None:
    case = CASES[name]
    lake = _lake(base, tmp_path)
    source = tmp_path / f"{case.dataset}{case.suffix}"
    source.write_bytes(case.content)
    before = {p.name for p in Lake(lake).files(case.dataset)}
    outcome = import_file(con, source, case.dataset, lake, KEY, max_share=1.0)
    assert outcome.status == "loaded"
    assert outcome.rows_in == case.records
    assert outcome.quarantined == len(case.bad)
    assert outcome.loaded + outcome.quarantined == outcome.rows_in
    [part] = [p for p in Lake(lake).files(case.dataset) if p.name not in before]
    assert _rows(part) == outcome.loaded
    if not case.bad:
        assert outcome.report is None
        return
    assert outcome.report is not None
    with outcome.report.open(encoding="utf-8", newline="") as file:
        reported = list(csv.DictReader(file))
    assert [int(r["line"]) for r in reported] == sorted(case.bad)
    for record in reported:
        field_name, words = case.bad[int(record["line"])]
        assert record["field"] == field_name, record
        assert words in record["rule"], record
        assert record["file"] == source.name
        assert GOOD not in record["value"]
        assert WRONG_CHECK not in record["value"]
        assert not record["value"].startswith(("=", "+", "@")), "a report cell read as a formula"


@pytest.mark.parametrize("name", list(WHOLE))
def test_a_file_that_is_not_an_extract_is_refused_whole(
    name: str, base: Path, tmp_path: Path, con: object
) -> None:
    content, words = WHOLE[name]
    lake = _lake(base, tmp_path)
    source = tmp_path / "apc.csv"
    source.write_bytes(content)
    with pytest.raises(DataError) as raised:
        import_file(con, source, "apc", lake, KEY, max_share=1.0)
    assert raised.value.file == str(source)
    assert words in str(raised.value)
    assert not Lake(lake).files("apc")
    assert not list((lake / ledger.FOLDER).glob(".staging-*"))


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"PAR1" + b"\x00" * 20 + b"PAR1", "Parquet"),
        (b"PAR1\x00\x00", "not a whole Parquet file"),
        (b"", "an empty file"),
    ],
)
def test_a_damaged_parquet_extract_is_refused_whole(
    content: bytes, words: str, base: Path, tmp_path: Path, con: object
) -> None:
    lake = _lake(base, tmp_path)
    source = tmp_path / "apc.parquet"
    source.write_bytes(content)
    with pytest.raises(DataError, match=words):
        import_file(con, source, "apc", lake, KEY, max_share=1.0)
    assert not Lake(lake).files("apc")


def test_a_parquet_extract_with_the_schemas_types_loads_and_quarantines_like_csv(
    base: Path, tmp_path: Path, con: object
) -> None:
    from datetime import date

    lake = _lake(base, tmp_path)
    source = tmp_path / "apc-2014-05.parquet"
    records = {
        "spell_id": pa.array([1, 2, 3], pa.int64()),
        "nhs_number": pa.array([GOOD, SECOND, WRONG_CHECK]),
        "practice": pa.array(["A10001"] * 3),
        "sex": pa.array(["F", "M", "F"]),
        "birth_year": pa.array([1950, 1980, 1950], pa.int16()),
        "birth_month": pa.array([6, 1, 6], pa.int8()),
        "deprivation_decile": pa.array([3] * 3, pa.int8()),
        "provider": pa.array(["RAA"] * 3),
        "admitted_on": pa.array([date(2014, 5, 1)] * 3),
        "discharged_on": pa.array([date(2014, 5, 3), date(2014, 4, 1), date(2014, 5, 3)]),
        "method": pa.array(["elective", "emergency", "emergency"]),
        "day_case": pa.array([False] * 3),
        "primary_diagnosis": pa.array(["I21"] * 3),
        "hrg": pa.array(["EB10A"] * 3),
        "treatment_function": pa.array(["320"] * 3),
        "cost": pa.array([1500.5, 2.0, 3.0]),
        "rtt_weeks": pa.array([12, None, None], pa.int16()),
    }
    pq.write_table(pa.table(records), source)
    outcome = import_file(con, source, "apc", lake, KEY, max_share=1.0)
    assert (outcome.rows_in, outcome.loaded, outcome.quarantined) == (3, 1, 2)
    assert outcome.first is not None
    assert outcome.first.line == 2
    [part] = Lake(lake).files("apc")
    loaded = pq.read_table(part).to_pylist()
    assert [(r["spell_id"], r["cost"], r["rtt_weeks"]) for r in loaded] == [(1, 1500.5, 12)]


def test_a_file_losing_more_than_its_share_is_rejected_whole(
    base: Path, tmp_path: Path, con: object
) -> None:
    lake = _lake(base, tmp_path)
    source = tmp_path / "apc.csv"
    source.write_bytes(lines(*good_rows(9), row(9999, method="x")))  # 1 of 10 bad: 10%
    outcome = import_file(con, source, "apc", lake, KEY, max_share=0.05)
    assert (outcome.status, outcome.rows_in, outcome.loaded, outcome.quarantined) == (
        "rejected",
        10,
        0,
        1,
    )
    assert not Lake(lake).files("apc")
    assert outcome.report is not None
    assert outcome.report.is_file()
    kept = import_file(con, source, "apc", lake, KEY, max_share=0.1)  # 10% is not more than 10%
    assert (kept.status, kept.loaded) == ("loaded", 9)


def test_a_record_whose_key_the_lake_holds_is_quarantined_not_loaded_twice(
    base: Path, tmp_path: Path, con: object
) -> None:
    lake = _lake(base, tmp_path)
    first, second = tmp_path / "apc-1.csv", tmp_path / "apc-2.csv"
    first.write_bytes(lines(row(1), row(2)))
    second.write_bytes(lines(row(2), row(3)))  # a re-delivered record in a new file
    import_file(con, first, "apc", lake, KEY, max_share=1.0)
    outcome = import_file(con, second, "apc", lake, KEY, max_share=1.0)
    assert (outcome.loaded, outcome.quarantined) == (1, 1)
    assert outcome.first is not None
    assert "already holds" in outcome.first.rule
    assert sum(_rows(p) for p in Lake(lake).files("apc")) == 3
