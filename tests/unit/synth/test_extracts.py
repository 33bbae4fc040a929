"""Extracts written from a lake are the lake, in the extract format, with the planted faults.

Every expectation is worked out here from the lake and the files themselves: NHS numbers are
checked with the `nhs-number` package and a modulus-11 sum of our own; rows are compared
with the lake's by reading the files back with the csv module; patients are matched between
the lake and the extracts by everything else the patient dataset says of them.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import re
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from nhs_number.validate import is_valid

from consortia.errors import UsageError
from consortia.schema.datasets import DATASETS
from consortia.schema.extract import IDENTIFIER, PSEUDONYM, as_text, columns
from consortia.synth.extracts import ExtractFile, Extracts, nhs_numbers, write_extracts

SEED = 41
BOM = b"\xef\xbb\xbf"
SMALL = ("ccg", "practice", "clinician", "provider", "patient", "registration", "condition")
EVENTS = {"apc": "admitted_on", "op": "attended_on", "ae": "arrived_at"}
KINDS = {
    "too-few-fields",
    "too-many-fields",
    "check-digit",
    "nine-digits",
    "arabic-indic-digits",
    "formula",
    "date-form",
    "multiline-field",
    "repeated-key",
    "id-overflow",
    "unknown-patient",
    "not-finite",
}
ARABIC_INDIC = "٠١٢٣٤٥٦٧٨٩"
Signature = tuple[str, ...]


@dataclass(frozen=True)
class Written:
    """One run of write_extracts on the small lake, and the progress it reported."""

    extracts: Extracts
    progress: list[tuple[int, int]]


@dataclass(frozen=True)
class Record:
    """A CSV record read back: the line it starts on and its fields."""

    number: int
    line: int
    fields: list[str]


@pytest.fixture(scope="module")
def written(small_lake: Path, tmp_path_factory: pytest.TempPathFactory) -> Written:
    calls: list[tuple[int, int]] = []
    out = tmp_path_factory.mktemp("extracts") / "delivery"  # not there yet: made
    extracts = write_extracts(
        small_lake, out, SEED, lambda done, total: calls.append((done, total))
    )
    return Written(extracts, calls)


@pytest.fixture(scope="module")
def extracts(written: Written) -> Extracts:
    return written.extracts


def read(path: Path) -> tuple[list[str], list[Record]]:
    """A CSV extract's header and records, each with the physical line it starts on."""
    with path.open(encoding="utf-8-sig", newline="") as file:
        reader = csv.reader(file)
        header = next(reader)
        records: list[Record] = []
        while True:
            line = reader.line_num + 1
            try:
                fields = next(reader)
            except StopIteration:
                break
            records.append(Record(len(records) + 1, line, fields))
    return header, records


def lake_rows(lake: Path, dataset: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = pq.read_table(lake / dataset).to_pylist()
    return rows


def digits(number: str) -> str:
    return number.replace(" ", "")


def modulus_11(number: str) -> bool:
    """Our own reading of the rule: ten digits, the last 11 − (Σ digit × (10…2) mod 11)."""
    if not re.fullmatch(r"[0-9]{10}", number):
        return False
    check = 11 - sum(int(d) * w for d, w in zip(number[:9], range(10, 1, -1), strict=True)) % 11
    return check != 10 and check % 11 == int(number[9])


def csv_files(extracts: Extracts, dataset: str | None = None) -> list[ExtractFile]:
    return [
        f
        for f in extracts.files
        if f.name.endswith(".csv") and (dataset is None or f.dataset == dataset)
    ]


def named(extracts: Extracts, name: str) -> ExtractFile:
    return next(f for f in extracts.files if f.name == name)


def real_records(extracts: Extracts, extract: ExtractFile) -> list[dict[str, str]]:
    """The records of a CSV file that are not planted junk, by column name."""
    header, records = read(extracts.out / extract.name)
    junk = {j.record for j in extract.junk}
    return [dict(zip(header, r.fields, strict=True)) for r in records if r.number not in junk]


@pytest.fixture(scope="module")
def by_number(extracts: Extracts) -> dict[str, Signature]:
    """Each NHS number of the patient extract, with all else it says of the patient."""
    names = [c for c in columns(DATASETS["patient"]) if c != IDENTIFIER]
    found = {}
    for values in real_records(extracts, named(extracts, "patient.csv")):
        found[digits(values[IDENTIFIER])] = tuple(values[n] for n in names)
    return found


@pytest.fixture(scope="module")
def by_id(small_lake: Path) -> dict[int, Signature]:
    """Each patient_id of the lake, with all else the patient dataset says of the patient."""
    others = [c for c in DATASETS["patient"].columns if c.name != PSEUDONYM]
    return {
        row[PSEUDONYM]: tuple(as_text(row[c.name], c) for c in others)
        for row in lake_rows(small_lake, "patient")
    }


# NHS numbers


def test_nhs_numbers_are_valid_distinct_and_in_the_test_range(
    extracts: Extracts, by_number: dict[str, Signature], by_id: dict[int, Signature]
) -> None:
    patients = real_records(extracts, named(extracts, "patient.csv"))
    assert len(by_number) == len(patients) == len(by_id)  # distinct patients, distinct numbers
    assert len(set(by_id.values())) > 0.99 * len(by_id)  # so matching patients by them means it
    seen: set[str] = set()
    for extract in csv_files(extracts):
        if IDENTIFIER in extract.columns:
            seen |= {digits(v[IDENTIFIER]) for v in real_records(extracts, extract)}
    for extract in extracts.files:
        if extract.name.endswith(".parquet"):
            table = pq.read_table(extracts.out / extract.name, columns=[IDENTIFIER])
            seen |= set(table.column(0).to_pylist())
    assert seen == set(by_number)  # every person named is a patient of the patient extract
    for number in seen:
        assert is_valid(number), number
        assert modulus_11(number), number
        assert 9_000_000_000 <= int(number) <= 9_999_999_999


def test_spaced_numbers_are_written_as_people_write_them(extracts: Extracts) -> None:
    spaced = 0
    for extract in csv_files(extracts):
        if IDENTIFIER not in extract.columns:
            continue
        numbers = [v[IDENTIFIER] for v in real_records(extracts, extract)]
        written = [n for n in numbers if " " in n]
        assert all(re.fullmatch(r"[0-9]{3} [0-9]{3} [0-9]{4}", n) for n in written)
        assert len(written) == extract.spaced
        spaced += len(written)
    assert spaced > 0


def test_numbers_are_a_bijection_drawn_from_the_seed() -> None:
    ids = np.random.default_rng(3).choice(1 << 62, size=20_000, replace=False).astype(np.int64)
    numbers, spare = nhs_numbers(ids, seed=5)
    every = [str(n) for n in [*numbers.tolist(), *spare.tolist()]]
    assert len(numbers) == len(ids)
    assert len(spare) > 0
    assert len(set(every)) == len(every)  # distinct, and the spare ones given to no one
    assert all(is_valid(n) for n in every)
    assert all(modulus_11(n) for n in every)
    assert all(9_000_000_000 <= int(n) <= 9_999_999_999 for n in every)
    again, _ = nhs_numbers(ids, seed=5)
    assert (again == numbers).all()
    other, _ = nhs_numbers(ids, seed=6)
    assert (other != numbers).mean() > 0.99
    shuffled = np.random.default_rng(4).permutation(len(ids))  # a patient's number is theirs,
    assert (nhs_numbers(ids[shuffled], seed=5)[0] == numbers[shuffled]).all()  # not a row's


# Files


def test_every_dataset_is_written_in_its_files(extracts: Extracts, small_lake: Path) -> None:
    expected = {f"{name}.csv" for name in (*SMALL, "practice_payment")} | {"ccg-resent.csv"}
    for dataset, event in EVENTS.items():
        suffix = ".parquet" if dataset == "op" else ".csv"
        days = pq.read_table(small_lake / dataset, columns=[event]).column(0).to_pylist()
        expected |= {f"{dataset}-{day:%Y-%m}{suffix}" for day in days}
    assert {f.name for f in extracts.files} == expected
    on_disk = {p.name for p in extracts.out.iterdir()}
    assert on_disk == expected | {"extracts.json"}  # and no temporary file left


def test_the_manifest_says_what_was_written(extracts: Extracts, written: Written) -> None:
    manifest = json.loads((extracts.out / "extracts.json").read_text(encoding="utf-8"))
    assert manifest["seed"] == SEED
    assert set(manifest["kinds"]) == KINDS
    assert manifest["files"] == json.loads(json.dumps([asdict(f) for f in extracts.files]))
    for extract in csv_files(extracts):
        _, records = read(extracts.out / extract.name)
        assert len(records) == extract.records, extract.name
    total = len(extracts.files) + 1  # and extracts.json
    assert written.progress[-1] == (total, total)
    assert all(t == total for _, t in written.progress)
    assert [d for d, _ in written.progress] == sorted({d for d, _ in written.progress})


@pytest.mark.parametrize(
    "dataset", [*SMALL, "practice_payment", "apc", "ae"], ids=lambda name: str(name)
)
def test_csv_files_hold_exactly_the_lakes_rows(
    dataset: str,
    extracts: Extracts,
    small_lake: Path,
    by_number: dict[str, Signature],
    by_id: dict[int, Signature],
) -> None:
    declared = DATASETS[dataset]
    names = columns(declared)
    written: Counter[tuple[object, ...]] = Counter()
    for extract in csv_files(extracts, dataset):
        if extract.copy_of:
            continue
        records = real_records(extracts, extract)
        if dataset in EVENTS:  # a month's file holds that month's events
            month = extract.name.removeprefix(f"{dataset}-").removesuffix(".csv")
            assert all(v[EVENTS[dataset]].startswith(month) for v in records)
        for values in records:
            written[
                tuple(by_number[digits(values[n])] if n == IDENTIFIER else values[n] for n in names)
            ] += 1
    lake = Counter(
        tuple(
            by_id[row[c.name]] if c.name == PSEUDONYM else as_text(row[c.name], c)
            for c in declared.columns
        )
        for row in lake_rows(small_lake, dataset)
    )
    assert written == lake


def test_parquet_files_hold_exactly_the_lakes_rows(
    extracts: Extracts,
    small_lake: Path,
    by_number: dict[str, Signature],
    by_id: dict[int, Signature],
) -> None:
    declared = DATASETS["op"]
    written: Counter[tuple[object, ...]] = Counter()
    parquet = [f for f in extracts.files if f.name.endswith(".parquet")]
    assert parquet
    assert all(f.dataset == "op" and not f.junk for f in parquet)
    for extract in parquet:
        table = pq.read_table(extracts.out / extract.name)
        assert table.num_rows == extract.records
        assert table.schema.names == list(columns(declared))
        for name, column in zip(table.schema.names, declared.columns, strict=True):
            wanted = pa.string() if name == IDENTIFIER else column.arrow_type
            assert table.schema.field(name).type == wanted, name
        month = extract.name.removeprefix("op-").removesuffix(".parquet")
        for row in table.to_pylist():
            assert f"{row['attended_on']:%Y-%m}" == month
            row[IDENTIFIER] = by_number[row[IDENTIFIER]]
            written[tuple(row.values())] += 1
    lake = Counter(
        tuple(by_id[v] if k == PSEUDONYM else v for k, v in row.items())
        for row in lake_rows(small_lake, "op")
    )
    assert written == lake


# Quirks


def test_quirks_are_where_the_manifest_says(extracts: Extracts) -> None:
    files = list(csv_files(extracts))
    for extract in files:
        raw = (extracts.out / extract.name).read_bytes()
        assert raw.startswith(BOM) == extract.bom, extract.name
        body = raw.removeprefix(BOM)
        bare = len(re.findall(rb"(?<!\r)\n", body))  # line feeds without a carriage return
        multiline = sum(j.kind == "multiline-field" for j in extract.junk)
        if extract.line_ending == "CRLF":
            assert body.count(b"\r\n") >= extract.records + 1
            assert bare == multiline
        else:
            assert extract.line_ending == "LF"
            assert b"\r" not in body
        top = body.split(b"\n", 1)[0].rstrip(b"\r").decode()
        quoted = ",".join(f'"{name}"' for name in extract.columns)
        assert top == (quoted if extract.quote_all else ",".join(extract.columns)), extract.name
        header, _ = read(extracts.out / extract.name)
        assert tuple(header) == extract.columns
        schema_order = columns(DATASETS[extract.dataset])
        assert sorted(header) == sorted(schema_order)
        assert extract.shuffled == (tuple(header) != schema_order)
    for quirk in ("bom", "line_ending", "quote_all", "shuffled"):
        assert len({getattr(f, quirk) for f in files}) == 2, quirk  # on some files, off others
    people = [f for f in files if IDENTIFIER in f.columns]
    assert any(f.spaced for f in people)
    assert not all(f.spaced for f in people)


def test_quoted_files_quote_every_field(extracts: Extracts) -> None:
    quoted = [f for f in csv_files(extracts) if f.quote_all and f.records]
    assert quoted
    for extract in quoted:
        body = (extracts.out / extract.name).read_bytes().removeprefix(BOM).decode()
        second = body.splitlines()[1]
        assert second.startswith('"')
        assert second.endswith('"')
        assert second.count('"') >= 2 * len(extract.columns)


def test_one_file_is_delivered_twice(extracts: Extracts) -> None:
    original = (extracts.out / "ccg.csv").read_bytes()
    assert (extracts.out / "ccg-resent.csv").read_bytes() == original
    resent = named(extracts, "ccg-resent.csv")
    assert resent.copy_of == "ccg.csv"
    assert resent.dataset == "ccg"
    assert resent.records == 1


# Junk


def test_junk_is_planted_sparingly_in_large_activity_files(extracts: Extracts) -> None:
    kinds: Counter[str] = Counter()
    for extract in extracts.files:
        kinds.update(j.kind for j in extract.junk)
        if not extract.junk:
            continue
        assert extract.dataset in ("apc", "ae")
        assert extract.name.endswith(".csv")
        assert len(extract.junk) <= 5
        assert extract.records - len(extract.junk) >= 1_000
        assert len(extract.junk) < 0.01 * extract.records
        assert len({j.record for j in extract.junk}) == len(extract.junk)
    assert set(kinds) == KINDS


def junk_cases(extracts: Extracts) -> list[tuple[ExtractFile, Record, list[str], list[Record]]]:
    """Each junk record with its file, header and the file's records."""
    found = []
    for extract in extracts.files:
        if extract.junk:
            header, records = read(extracts.out / extract.name)
            for junk in extract.junk:
                found.append((extract, records[junk.record - 1], header, records))
    return found


def test_junk_records_start_on_the_lines_listed(extracts: Extracts) -> None:
    cases = junk_cases(extracts)
    assert cases
    for extract, record, _, records in cases:
        junk = next(j for j in extract.junk if j.record == record.number)
        assert record.line == junk.line, (extract.name, junk)
        if junk.kind == "multiline-field" and record.number < len(records):
            assert records[record.number].line == junk.line + 2  # the record spans two lines


def test_each_junk_record_breaks_its_rule_and_no_other(
    extracts: Extracts, small_lake: Path, by_number: dict[str, Signature]
) -> None:
    lake_ids = {
        name: {row[DATASETS[name].key[0]] for row in lake_rows(small_lake, name)}
        for name in ("apc", "ae")
    }
    fresh: list[str] = []
    for extract, record, header, records in junk_cases(extracts):
        junk = next(j for j in extract.junk if j.record == record.number)
        declared = DATASETS[extract.dataset]
        key = declared.key[0]
        fields = record.fields
        if junk.kind == "too-few-fields":
            assert len(fields) == len(header) - 1
        elif junk.kind == "too-many-fields":
            assert len(fields) == len(header) + 1
        else:
            assert len(fields) == len(header)
        values = dict(zip(header, fields, strict=False))
        value = values.get(junk.field, "")
        if junk.kind == "check-digit":
            assert re.fullmatch(r"[0-9]{10}", value)
            assert not is_valid(value)
            assert not modulus_11(value)
        elif junk.kind == "nine-digits":
            assert re.fullmatch(r"[0-9]{9}", value)
        elif junk.kind == "arabic-indic-digits":
            assert len(value) == 10
            assert set(value) <= set(ARABIC_INDIC)
            assert modulus_11(value.translate(str.maketrans(ARABIC_INDIC, "0123456789")))
        elif junk.kind in ("formula", "multiline-field"):
            codes = declared.column(junk.field).codes
            assert codes is not None
            assert value not in codes
            if junk.kind == "formula":
                assert value[0] in "=+-@"
            else:
                assert "\n" in value
                assert "," in value
        elif junk.kind == "date-form":
            assert re.fullmatch(r"[0-9]{2}/[0-9]{2}/[0-9]{4}( [0-9]{2}:[0-9]{2})?", value)
        elif junk.kind == "repeated-key":
            earlier = [r.fields for r in records[: record.number - 1]]
            assert fields in earlier
        elif junk.kind == "id-overflow":
            assert int(value) == 2**63
        elif junk.kind == "unknown-patient":
            assert modulus_11(value)
            assert value not in by_number
            assert 9_000_000_000 <= int(value) <= 9_999_999_999
        elif junk.kind == "not-finite":
            assert not math.isfinite(float(value))
        elif junk.kind not in ("too-few-fields", "too-many-fields"):
            pytest.fail(f"an unknown kind of junk: {junk.kind}")
        if junk.kind not in ("repeated-key", "id-overflow") and key in values:
            assert int(values[key]) not in lake_ids[extract.dataset]  # a fresh identifier
            fresh.append(f"{extract.dataset}:{values[key]}")
        if junk.kind != "repeated-key":
            assert_copy_of_a_real_record(extract, values, header, records, {key, junk.field})
    assert len(fresh) == len(set(fresh))


def assert_copy_of_a_real_record(
    extract: ExtractFile,
    values: dict[str, str],
    header: list[str],
    records: list[Record],
    changed: set[str],
) -> None:
    """Some real record of the file agrees with the junk record on every field but `changed`."""
    junk = {j.record for j in extract.junk}
    kept = [n for n in header if n in values and n not in changed]
    for record in records:
        if record.number not in junk:
            real = dict(zip(header, record.fields, strict=True))
            if all(real[n] == values[n] for n in kept):
                return
    pytest.fail(f"{extract.name}: no real record like {values}")


# The folder and the seed


def test_refuses_a_folder_that_is_not_empty(small_lake: Path, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("last month's delivery")
    with pytest.raises(UsageError, match="not empty") as raised:
        write_extracts(small_lake, tmp_path, SEED)
    assert str(tmp_path) in str(raised.value)
    assert "\n" not in str(raised.value)
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_refuses_a_file(small_lake: Path, tmp_path: Path) -> None:
    path = tmp_path / "extracts"
    path.write_text("")
    with pytest.raises(UsageError, match="not a folder"):
        write_extracts(small_lake, path, SEED)


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.mark.slow
def test_the_same_seed_writes_the_same_bytes(
    extracts: Extracts, small_lake: Path, tmp_path: Path
) -> None:
    again = write_extracts(small_lake, tmp_path, SEED)
    assert digest(again.out) == digest(extracts.out)


@pytest.mark.slow
def test_another_seed_gives_other_numbers(
    extracts: Extracts, small_lake: Path, tmp_path: Path, by_number: dict[str, Signature]
) -> None:
    other = write_extracts(small_lake, tmp_path, SEED + 1)
    patients = real_records(other, named(other, "patient.csv"))
    names = [c for c in columns(DATASETS["patient"]) if c != IDENTIFIER]
    number_of = {tuple(v[n] for n in names): digits(v[IDENTIFIER]) for v in patients}
    same = sum(number_of.get(signature) == number for number, signature in by_number.items())
    assert len(number_of) > 0.99 * len(by_number)
    assert same < 0.01 * len(by_number)
