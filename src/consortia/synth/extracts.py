"""Extracts as national systems deliver them to a CCG, written from a synthetic lake.

`consortia ingest` reads extracts (`consortia.schema.extract`), not lakes; these exercise it on
realistic input whose right answer is known. Every dataset is written as an extract: people
named by NHS numbers from the synthetic test range (one per patient, valid modulus 11, never a
real person's), activity split by month (outpatients as Parquet), with the quirks real
deliveries have — byte-order marks, CRLF, every field quoted, columns in another order, NHS
numbers written with spaces, a file delivered twice. A few junk records are planted in the
larger monthly files of admitted care and A&E, each an extra record that breaks one rule ingest
enforces, never a change to a real one: ingest into an empty lake should quarantine exactly
those and rebuild the generator's lake, patient_id values aside (ingest makes its own).
`extracts.json` lists every file, its quirks and its junk, for a test or a person to check.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, time
from pathlib import Path
from typing import IO, Any

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from consortia.engine.backends import spill_folder
from consortia.engine.lake import Lake, replace_whole
from consortia.errors import DataError, UsageError
from consortia.schema import extract
from consortia.schema.datasets import DATASETS
from consortia.schema.model import Column, Dataset
from consortia.synth.pseudonym import pseudonymise

MANIFEST = "extracts.json"
FORMAT = 1
EVENT = {"apc": "admitted_on", "op": "attended_on", "ae": "arrived_at"}  # split by its month
AS_PARQUET = frozenset({"op"})
RESENT = ("ccg.csv", "ccg-resent.csv")  # the same bytes delivered again under another name
MINIMUM_RECORDS = 1_000  # junk only in files this large: a batch loses far under 1 in 100
MOST_JUNK = 5  # junk records in one file at most
FIRST_NUMBER, LAST_NUMBER = 9_000_000_000, 9_999_999_999  # NHS numbers for testing only
SPARE = 64  # valid numbers issued to no patient: those of the unknown-patient junk
OVERFLOW = str(1 << 63)  # one past the largest 64-bit integer
BATCH = 65_536  # rows converted to text at a time

# The junk planted, each an extra record breaking one rule ingest enforces.
KINDS: dict[str, str] = {
    "too-few-fields": "a record with one field fewer than the header",
    "too-many-fields": "a record with one field more than the header (a trailing comma)",
    "check-digit": "an NHS number whose check digit is wrong",
    "nine-digits": "an NHS number of nine digits",
    "arabic-indic-digits": "an NHS number in Arabic-Indic digits (valid modulus 11 in those)",
    "formula": "a spreadsheet formula where a code belongs",
    "date-form": "a date written DD/MM/YYYY",
    "multiline-field": "a quoted code holding a comma and a line break (two physical lines)",
    "repeated-key": "an exact copy of an earlier record of the file",
    "id-overflow": "an identifier past the largest 64-bit integer",
    "unknown-patient": "a valid NHS number that no patient in the patient extract has",
    "not-finite": "a cost of NaN or infinity",
}
_FORMULAS = ('=HYPERLINK("http://example.invalid","x")', "@SUM(1+1)")
_NOT_FINITE = ("NaN", "inf")
_ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
_NHS_COLUMN = Column(extract.IDENTIFIER, "string", "NHS number")


@dataclass(frozen=True)
class _Targets:
    """The columns of a dataset junk records break, besides its key, NHS number and cost."""

    code: str  # coded: a formula, or a value spanning lines
    day: str  # a date or time: written in the wrong form


_TARGETS = {"apc": _Targets("method", "discharged_on"), "ae": _Targets("disposal", "departed_at")}


# Random streams, one per purpose, so that each draws the same numbers whatever the others do.
_NUMBERS, _STYLES, _JUNK, _PLANT, _SPACES = range(5)
_MASK = (1 << 63) - 1
_WEIGHTS = np.arange(10, 1, -1, dtype=np.int64)  # of an NHS number's first nine digits
_POWERS = 10 ** np.arange(8, -1, -1, dtype=np.int64)


@dataclass(frozen=True)
class Junk:
    """A junk record planted in a file: where it is, and the rule it breaks."""

    record: int  # 1-based, counting records after the header (a record may span lines)
    line: int  # the physical line it starts on (the header is line 1)
    kind: str  # one of KINDS
    field: str  # the field that breaks the rule ("" for the record as a whole)
    rule: str  # the rule it breaks, in words


@dataclass(frozen=True)
class ExtractFile:
    """One file written: its records and quirks, and the junk planted in it."""

    name: str
    dataset: str
    records: int  # CSV records after the header, junk included; or Parquet rows
    columns: tuple[str, ...]  # in the file's order
    shuffled: bool = False  # columns in an order other than the schema's
    bom: bool = False  # begins with a UTF-8 byte-order mark
    line_ending: str = ""  # "LF" or "CRLF" (CSV only)
    quote_all: bool = False  # every field quoted, not only those that must be
    spaced: int = 0  # records whose NHS number is written with spaces ("943 476 5919")
    copy_of: str = ""  # the file this one repeats byte for byte
    junk: tuple[Junk, ...] = ()


@dataclass(frozen=True)
class Extracts:
    """The extracts written to `out`, as `extracts.json` lists them."""

    out: Path
    seed: int
    files: tuple[ExtractFile, ...]


@dataclass(frozen=True)
class _Style:
    """How a CSV file is written."""

    bom: bool
    crlf: bool
    quote_all: bool
    order: tuple[int, ...]  # the extract's columns, by schema position, in the file's order
    spaces: float  # share of records whose NHS number is written with spaces


_File = tuple[str, str, date | None, int]  # name, dataset, month (of activity), records


@dataclass(frozen=True)
class _Planned:
    """A file to write: its dataset and month, how, and the junk to plant (kind, fresh id)."""

    name: str
    dataset: str
    month: date | None
    style: _Style | None  # None: Parquet
    junk: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class _Planted:
    """A junk record before it is written: at which real record, its fields in the schema's
    order, and whether the written record drops its last field (-1) or gains one (+1)."""

    position: int  # the number of real records written before it
    fields: tuple[str, ...]
    ragged: int
    kind: str
    field: str
    rule: str


@dataclass(frozen=True)
class _Texts:
    """Records as text, by column in the schema's order, with their line breaks."""

    columns: list[list[str]]
    breaks: npt.NDArray[np.int64] | None  # line breaks inside each record (None: none at all)
    spaced: int


def write_extracts(
    lake: Path, out: Path, seed: int, progress: Callable[[int, int], None] | None = None
) -> Extracts:
    """Write the lake's datasets as extracts into `out` (a new or empty folder), quirks and
    junk drawn from `seed`; `extracts.json`, saying which file got which, is written last."""
    if seed < 0:
        raise UsageError("the seed is a whole number ≥ 0", field="seed")
    source = Lake(lake)
    source.require(DATASETS)
    parts = {name: [str(p) for p in source.parts(name)] for name in DATASETS}
    _prepare(out)
    with duckdb.connect(config={"temp_directory": spill_folder()}) as con:
        for name, files in parts.items():
            con.read_parquet(files).to_view(f"lake_{name}")
        found = con.execute("SELECT patient_id FROM lake_patient").to_arrow_table()
        ids = np.unique(found.column(0).to_numpy())
        numbers, spare = nhs_numbers(ids, seed)
        con.register("numbers", pa.table({"patient_id": ids, "nhs_number": numbers.astype(str)}))
        planned = _plan(con, seed)
        total = len(planned) + 2  # the resent copy and the manifest too
        written: list[ExtractFile] = []
        for index, plan in enumerate(planned):
            rng = np.random.default_rng([seed, _PLANT, index])
            spaces = np.random.default_rng([seed, _SPACES, index])
            written.append(_write(con, out, plan, rng, spaces, spare))
            if progress:
                progress(len(written), total)
            if plan.name == RESENT[0]:
                replace_whole(out / RESENT[1], lambda t: shutil.copyfile(out / RESENT[0], t))
                written.append(_resent(written[-1]))
                if progress:
                    progress(len(written), total)
    extracts = Extracts(out, seed, tuple(written))
    _write_manifest(extracts)
    if progress:
        progress(total, total)
    return extracts


def check_digits(bases: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The modulus-11 check digit of nine-digit bases: 11 − (Σ digit × weight 10…2 mod 11),
    11 as 0; 10 where a base is never issued."""
    digits = bases[:, None] // _POWERS % 10
    return (11 - (digits @ _WEIGHTS) % 11) % 11


def nhs_numbers(
    patient_ids: npt.NDArray[np.int64], seed: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """A valid NHS number in the test range for each of `patient_ids` (distinct), and `SPARE`
    valid ones given to no one: the patients ranked in a seed's order get consecutive valid
    numbers from a seed's start, so distinct patients have distinct numbers."""
    count = len(patient_ids) + SPARE
    first, last = FIRST_NUMBER // 10, LAST_NUMBER // 10
    needed = count * 10 // 9 + 20  # at most one base in ten lacks a check digit
    if needed > last - first + 1:
        raise DataError(f"{len(patient_ids):,} patients: too many for the test range of numbers")
    rng = np.random.default_rng([seed, _NUMBERS])
    start = first + int(rng.integers(0, last - first + 2 - needed))
    bases = np.arange(start, start + needed, dtype=np.int64)
    checks = check_digits(bases)
    valid = (bases * 10 + checks)[checks < 10][:count]
    key = np.uint64(int(rng.integers(0, _MASK, dtype=np.int64, endpoint=True)))
    ranked = np.lexsort((patient_ids, pseudonymise(patient_ids.astype(np.int64), key)))
    numbers = np.empty(len(patient_ids), dtype=np.int64)
    numbers[ranked] = valid[: len(patient_ids)]
    return numbers, valid[len(patient_ids) :]


def _prepare(out: Path) -> None:
    """Make `out`, refusing a file or a folder with anything in it."""
    rule = "extracts are written to a new or empty folder"
    if out.exists() and not out.is_dir():
        raise UsageError("not a folder", file=str(out), rule=rule)
    if out.is_dir() and any(out.iterdir()):
        raise UsageError("the folder is not empty", file=str(out), rule=rule)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise UsageError(f"cannot make the folder ({reason})", file=str(out)) from None


def _plan(con: Any, seed: int) -> list[_Planned]:
    """Every file to write, in the schema's order, with its style and junk."""
    files: list[_File] = []
    for name in DATASETS:
        if name not in EVENT:
            count = con.execute(f"SELECT count(*) FROM lake_{name}").fetchone()[0]
            files.append((f"{name}.csv", name, None, int(count)))
            continue
        suffix = ".parquet" if name in AS_PARQUET else ".csv"
        for month, count in _months(con, name):
            files.append((f"{name}-{month:%Y-%m}{suffix}", name, month, count))
    styles = _styles([f for f in files if f[1] not in AS_PARQUET], seed)
    junk = _junk(con, files, seed)
    return [
        _Planned(name, dataset, month, styles.get(name), junk.get(name, ()))
        for name, dataset, month, _ in files
    ]


def _months(con: Any, name: str) -> list[tuple[date, int]]:
    """The months of a dataset's events, each with its number of records."""
    event = EVENT[name]
    found = con.execute(
        f"SELECT CAST(date_trunc('month', \"{event}\") AS DATE) AS month, count(*) "
        f"FROM lake_{name} GROUP BY month ORDER BY month"
    ).fetchall()
    if any(month is None for month, _ in found):
        raise DataError(
            f"a record of {name} has no {event}", field=event, rule="required (an event's date)"
        )
    return [(month, int(count)) for month, count in found]


def _styles(files: list[_File], seed: int) -> dict[str, _Style]:
    """Each CSV file's quirks, every quirk on some files and off on others."""
    rng = np.random.default_rng([seed, _STYLES])
    people = np.array([extract.carries_people(DATASETS[f[1]]) for f in files])
    drawn = {
        quirk: rng.random(len(files)) < share
        for quirk, share in (("bom", 0.5), ("crlf", 0.5), ("all", 0.3), ("shuffle", 0.2))
    }
    drawn["spaces"] = (rng.random(len(files)) < 0.3) & people
    for quirk, chosen in drawn.items():
        allowed = np.flatnonzero(people if quirk == "spaces" else np.ones(len(files), bool))
        if len(allowed) and not chosen[allowed].any():
            chosen[rng.choice(allowed)] = True
        elif len(allowed) > 1 and chosen[allowed].all():
            chosen[rng.choice(allowed)] = False
    styles = {}
    for i, (name, dataset, _, _) in enumerate(files):
        width = len(DATASETS[dataset].columns)
        order = tuple(range(width))
        if drawn["shuffle"][i]:
            order = tuple(int(c) for c in rng.permutation(width))
            if order == tuple(range(width)):
                order = (*order[1:], order[0])
        spaces = float(rng.uniform(0.01, 0.05)) if drawn["spaces"][i] else 0.0
        styles[name] = _Style(
            bool(drawn["bom"][i]), bool(drawn["crlf"][i]), bool(drawn["all"][i]), order, spaces
        )
    return styles


def _junk(con: Any, files: list[_File], seed: int) -> dict[str, tuple[tuple[str, int], ...]]:
    """The junk each file gets, by name: every kind once across the monthly CSV files of apc
    and ae large enough to hold it, then a few more, each with a fresh identifier."""
    eligible = [
        f[0]
        for f in files
        if f[1] in _TARGETS and f[1] not in AS_PARQUET and f[3] >= MINIMUM_RECORDS
    ]
    if not eligible:
        return {}
    rng = np.random.default_rng([seed, _JUNK])
    eligible = [eligible[i] for i in rng.permutation(len(eligible))]
    kinds = [list(KINDS)[i] for i in rng.permutation(len(KINDS))]
    chosen: dict[str, list[str]] = {name: [] for name in eligible}
    for i, kind in enumerate(kinds):
        name = eligible[i % len(eligible)]
        if len(chosen[name]) < MOST_JUNK:
            chosen[name].append(kind)
    for name in eligible:
        for _ in range(int(rng.integers(0, 3))):
            if len(chosen[name]) < MOST_JUNK:
                chosen[name].append(kinds[int(rng.integers(len(kinds)))])
    dataset = {f[0]: f[1] for f in files}
    fresh = {name: _fresh_start(con, DATASETS[name]) for name in _TARGETS}
    junk = {}
    for name, _, _, _ in files:  # in file order, so each file's identifiers rise
        planted = []
        for kind in chosen.get(name, []):
            planted.append((kind, fresh[dataset[name]]))
            fresh[dataset[name]] += 1
        if planted:
            junk[name] = tuple(planted)
    return junk


def _fresh_start(con: Any, dataset: Dataset) -> int:
    """The first of the identifiers junk records take: far above any of the lake's, so never
    one of them."""
    key = dataset.key[0]
    largest = con.execute(f'SELECT max("{key}") FROM lake_{dataset.name}').fetchone()[0]
    largest = -1 if largest is None else int(largest)
    room = _MASK - largest
    if room < 10_000:
        raise DataError(f"no identifiers are left above the largest {key} of {dataset.name}")
    return largest + 1 + min(10**12, room // 2)


def _write(
    con: Any,
    out: Path,
    plan: _Planned,
    rng: np.random.Generator,
    spaces: np.random.Generator,
    spare: npt.NDArray[np.int64],
) -> ExtractFile:
    """Write one planned file; `rng` draws its junk, `spaces` its spaced NHS numbers."""
    dataset = DATASETS[plan.dataset]
    query = _query(con, dataset, plan.month)
    if plan.style is None:
        return _write_parquet(out / plan.name, dataset, query)
    style = plan.style
    if plan.junk:
        month = _texts(_checked(query.to_arrow_table(), dataset), dataset, style.spaces, spaces)
        planted = [_plant(kind, fresh, month, dataset, rng, spare) for kind, fresh in plan.junk]
        batches: Iterable[_Texts] = [month]
    else:
        planted = []
        batches = _streamed(query, dataset, style.spaces, spaces)
    header = extract.columns(dataset)
    records, spaced, junk = _write_csv(out / plan.name, header, style, batches, planted)
    return ExtractFile(
        plan.name,
        plan.dataset,
        records,
        columns=tuple(header[i] for i in style.order),
        shuffled=style.order != tuple(range(len(header))),
        bom=style.bom,
        line_ending="CRLF" if style.crlf else "LF",
        quote_all=style.quote_all,
        spaced=spaced,
        junk=junk,
    )


def _resent(original: ExtractFile) -> ExtractFile:
    """The entry of the file delivered again: the original's, under its new name."""
    return replace(original, name=RESENT[1], copy_of=original.name)


def _query(con: Any, dataset: Dataset, month: date | None) -> Any:
    """The records of a dataset (of one month), NHS numbers in place of pseudonyms, in key
    order."""
    chosen = ", ".join(
        f'n.nhs_number AS "{extract.IDENTIFIER}"' if c == extract.PSEUDONYM else f'd."{c}"'
        for c in dataset.column_names
    )
    sql = f"SELECT {chosen} FROM lake_{dataset.name} d"
    if extract.carries_people(dataset):
        sql += f' LEFT JOIN numbers n ON d."{extract.PSEUDONYM}" = n.patient_id'
    parameters: list[Any] = []
    if month is not None:
        event = dataset.column(EVENT[dataset.name])
        after = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        parameters = [month, after]
        if event.dtype == "timestamp":
            parameters = [datetime.combine(day, time()) for day in parameters]
        sql += f' WHERE d."{event.name}" >= ? AND d."{event.name}" < ?'
    key = dataset.key or dataset.column_names
    sql += " ORDER BY " + ", ".join(f'd."{k}"' for k in key)
    return con.execute(sql, parameters)


def _checked(table: pa.Table | pa.RecordBatch, dataset: Dataset) -> pa.Table | pa.RecordBatch:
    """`table`, unless one of its records names a patient the patient dataset lacks."""
    if extract.carries_people(dataset) and table.column(extract.IDENTIFIER).null_count:
        raise DataError(
            f"a record of {dataset.name} names a patient the patient dataset does not hold",
            field=extract.PSEUDONYM,
            rule="exists in patient.patient_id",
        )
    return table


def _write_parquet(path: Path, dataset: Dataset, query: Any) -> ExtractFile:
    """A Parquet extract: the schema's types, the NHS number as text."""
    schema = pa.schema(
        [
            pa.field(name, pa.string() if name == extract.IDENTIFIER else c.arrow_type, c.nullable)
            for name, c in zip(extract.columns(dataset), dataset.columns, strict=True)
        ]
    )
    table = _checked(query.to_arrow_table(), dataset).cast(schema)
    replace_whole(path, lambda temporary: pq.write_table(table, temporary))
    return ExtractFile(path.name, dataset.name, table.num_rows, columns=tuple(schema.names))


def _streamed(
    query: Any, dataset: Dataset, spaces: float, rng: np.random.Generator
) -> Iterator[_Texts]:
    """A query's records as text, a batch at a time."""
    first = True
    for batch in query.to_arrow_reader(BATCH):
        yield _texts(_checked(batch, dataset), dataset, spaces, rng, first)
        first = False


def _texts(
    table: pa.Table | pa.RecordBatch,
    dataset: Dataset,
    spaces: float,
    rng: np.random.Generator,
    first: bool = True,
) -> _Texts:
    """Records as the extract writes them (`extract.as_text`), a share of NHS numbers spaced
    (at least one in a file that has them)."""
    columns: list[list[str]] = []
    spaced = 0
    breaks: npt.NDArray[np.int64] | None = None
    for index, column in enumerate(dataset.columns):
        values = table.column(index)
        if column.name == extract.PSEUDONYM:
            column = _NHS_COLUMN
        elif column.dtype == "string":
            found = pc.fill_null(pc.count_substring_regex(values, r"\r\n|\r|\n"), 0)
            counts = found.to_numpy().astype(np.int64)
            if counts.any():
                breaks = counts if breaks is None else breaks + counts
        texts = [extract.as_text(value, column) for value in values.to_pylist()]
        if column is _NHS_COLUMN and spaces > 0 and texts:
            chosen = rng.random(len(texts)) < spaces
            if first and not chosen.any():
                chosen[rng.integers(len(texts))] = True
            for i in np.flatnonzero(chosen):
                texts[i] = _spaced(texts[i])
            spaced = int(chosen.sum())
        columns.append(texts)
    return _Texts(columns, breaks, spaced)


def _spaced(number: str) -> str:
    """An NHS number as people write it: "943 476 5919"."""
    return f"{number[:3]} {number[3:6]} {number[6:]}"


def _plant(
    kind: str,
    fresh: int,
    month: _Texts,
    dataset: Dataset,
    rng: np.random.Generator,
    spare: npt.NDArray[np.int64],
) -> _Planted:
    """A junk record of `kind`: a copy of one of the file's real records (under a fresh
    identifier, unless the identifier is the point) with one field broken."""
    names = extract.columns(dataset)
    where = {name: i for i, name in enumerate(names)}
    count = len(month.columns[0])
    source = int(rng.integers(count))
    fields = [column[source] for column in month.columns]
    key = dataset.key[0]
    if kind != "repeated-key":
        fields[where[key]] = str(fresh)
    position = count if rng.random() < 0.25 else int(rng.integers(count + 1))
    number = fields[where[extract.IDENTIFIER]].replace(" ", "")
    targets = _TARGETS[dataset.name]
    codes = dataset.column(targets.code).codes
    assert codes is not None  # a coded column, by choice
    code_rule = f"one of {codes.name}: {', '.join(codes.values)}"
    nhs_rule = "an NHS number: ten digits 0-9 (spaces allowed)"
    broken = {
        "too-few-fields": ("", f"{len(names)} fields, as the header has"),
        "too-many-fields": ("", f"{len(names)} fields, as the header has"),
        "check-digit": (
            extract.IDENTIFIER,
            "an NHS number: its last digit is the modulus-11 check digit of the nine before it",
        ),
        "nine-digits": (extract.IDENTIFIER, nhs_rule),
        "arabic-indic-digits": (extract.IDENTIFIER, nhs_rule),
        "formula": (targets.code, code_rule),
        "date-form": (targets.day, _type_rule(dataset.column(targets.day))),
        "multiline-field": (targets.code, code_rule),
        "repeated-key": (key, "unique key (the extract repeats the key of an earlier record)"),
        "id-overflow": (key, _type_rule(dataset.column(key))),
        "unknown-patient": (extract.IDENTIFIER, "exists in patient.patient_id (in the lake)"),
        "not-finite": ("cost", "finite (not NaN or infinite)"),
    }
    field, rule = broken[kind]
    ragged = {"too-few-fields": -1, "too-many-fields": 1}.get(kind, 0)
    if kind == "check-digit":
        fields[where[field]] = number[:9] + str((int(number[9]) + rng.integers(1, 10)) % 10)
    elif kind == "nine-digits":
        fields[where[field]] = number[:9]
    elif kind == "arabic-indic-digits":
        fields[where[field]] = number.translate(_ARABIC_INDIC)
    elif kind == "formula":
        fields[where[field]] = _FORMULAS[int(rng.integers(len(_FORMULAS)))]
    elif kind == "date-form":
        fields[where[field]] = _day_first(fields[where[field]])
    elif kind == "multiline-field":
        fields[where[field]] = f"{codes.values[0]},\n{codes.values[1]}"
    elif kind == "repeated-key":
        position = int(rng.integers(source + 1, count + 1))  # after the record it copies
    elif kind == "id-overflow":
        fields[where[field]] = OVERFLOW
    elif kind == "unknown-patient":
        fields[where[field]] = str(spare[int(rng.integers(len(spare)))])
    elif kind == "not-finite":
        fields[where[field]] = _NOT_FINITE[int(rng.integers(len(_NOT_FINITE)))]
    return _Planted(position, tuple(fields), ragged, kind, field, rule)


def _type_rule(column: Column) -> str:
    """The rule a value not of its column's type breaks, in words."""
    return f"{extract.TEXT_FORMS[column.dtype]} ({column.dtype})"


def _day_first(text: str) -> str:
    """A date (or date and time) as a spreadsheet in Britain writes it: 03/04/2014 (14:05)."""
    year, month, day = text[:10].split("-")
    clock = f" {text[11:16]}" if len(text) > 10 else ""
    return f"{day}/{month}/{year}{clock}"


def _write_csv(
    path: Path,
    header: Sequence[str],
    style: _Style,
    batches: Iterable[_Texts],
    planted: list[_Planted],
) -> tuple[int, int, tuple[Junk, ...]]:
    """Write a CSV extract whole: its records, spaced NHS numbers and junk records."""
    done: list[tuple[int, int, tuple[Junk, ...]]] = []

    def write(temporary: Path) -> None:
        encoding = "utf-8-sig" if style.bom else "utf-8"
        with temporary.open("w", encoding=encoding, newline="") as file:
            done.append(_fill(file, header, style, batches, planted))

    replace_whole(path, write)
    return done[0]


def _fill(
    file: IO[str],
    header: Sequence[str],
    style: _Style,
    batches: Iterable[_Texts],
    planted: list[_Planted],
) -> tuple[int, int, tuple[Junk, ...]]:
    """Write the header, then each batch's records with the junk among them; the records,
    spaced NHS numbers and junk written."""
    writer = csv.writer(
        file,
        lineterminator="\r\n" if style.crlf else "\n",
        quoting=csv.QUOTE_ALL if style.quote_all else csv.QUOTE_MINIMAL,
    )
    writer.writerow([header[i] for i in style.order])
    pending = sorted(planted, key=lambda p: p.position)  # stable: drawn order among equals
    line, records, real, spaced = 2, 0, 0, 0
    junk: list[Junk] = []

    def plant(junked: _Planted) -> None:
        nonlocal line, records
        fields = [junked.fields[i] for i in style.order]
        fields = fields[:-1] if junked.ragged < 0 else fields + [""] * junked.ragged
        writer.writerow(fields)
        records += 1
        junk.append(Junk(records, line, junked.kind, junked.field, junked.rule))
        line += 1 + sum(_breaks(f) for f in fields)

    for batch in batches:
        rows = list(zip(*(batch.columns[i] for i in style.order), strict=True))
        spaced += batch.spaced
        start = 0
        while True:
            cut = len(rows)
            if pending and pending[0].position < real + len(rows):
                cut = pending[0].position - real
            writer.writerows(rows[start:cut])
            records += cut - start
            line += cut - start
            if batch.breaks is not None:
                line += int(batch.breaks[start:cut].sum())
            if cut == len(rows):
                break
            plant(pending.pop(0))
            start = cut
        real += len(rows)
    for junked in pending:  # appended after the last real record
        plant(junked)
    return records, spaced, tuple(junk)


def _breaks(text: str) -> int:
    """The line breaks in a value (CRLF counts once, as a reader splits lines)."""
    return text.count("\n") + text.count("\r") - text.count("\r\n")


def _write_manifest(extracts: Extracts) -> None:
    """`extracts.json`: the seed, the kinds of junk and every file's quirks and junk."""
    manifest = {
        "format": FORMAT,
        "seed": extracts.seed,
        "kinds": KINDS,
        "files": [asdict(f) for f in extracts.files],
    }
    text = json.dumps(manifest, indent=1, ensure_ascii=False) + "\n"
    replace_whole(
        extracts.out / MANIFEST, lambda temporary: temporary.write_text(text, encoding="utf-8")
    )
