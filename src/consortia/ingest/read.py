"""Read an extract as text, record by record, before any rule of the schema is applied.

Each source is read as it arrives — CSV with its quirks (a byte-order mark, CRLF, quoted
fields spanning lines, rows with too few or too many fields, bytes that are not UTF-8) or
Parquet — into batches of text columns, each record with the line it starts on. What cannot
be read as a record of the extract is set aside there and then as a `Quarantined` record; the
NHS number is checked and replaced by its keyed pseudonym here, so that it is never written
anywhere, not even to a temporary file. Whatever a file holds, reading it raises only a
`DataError` for the file as a whole (no header, the wrong columns, not a Parquet file).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from consortia.engine.lake import first_line, unreadable
from consortia.errors import DataError
from consortia.ingest.pseudonym import Key, identifier_problem, normalised
from consortia.schema import extract
from consortia.schema.model import Dataset

LINE = "_line"  # the line (CSV) or row (Parquet) a record starts on, 1-based
BATCH = 65_536  # records read before they are handed on as one batch
FIELD_LIMIT = 1 << 20  # a field longer than 1 MiB is not a value of this schema
WITHHELD = "(withheld: an NHS number is never written out)"
_UTF8_RULE = "UTF-8 text"


@dataclass(frozen=True)
class Quarantined:
    """A record set aside: where it is, the field and rule it breaks, and the value shown."""

    line: int
    field: str
    rule: str
    value: str = ""


@dataclass(frozen=True)
class Batch:
    """Records read as text (the extract's columns, `patient_id` in place of the NHS
    number), with the records set aside while reading them."""

    records: pa.Table
    quarantined: tuple[Quarantined, ...]
    position: int  # bytes (CSV) or rows (Parquet) of the source read so far


def header_problem(dataset: Dataset, names: Sequence[str]) -> tuple[str, str] | None:
    """(field, rule) when a header is not an extract of `dataset`, else None."""
    expected = extract.columns(dataset)
    rule = f"an extract of {dataset.name} has the columns {', '.join(expected)}"
    seen: set[str] = set()
    for name in names:
        if name in seen:
            return name, f"{rule}, each once"
        seen.add(name)
        if name not in expected:
            return name, f"{rule} (and no other: ingest stores only the schema's)"
    missing = [name for name in expected if name not in seen]
    return (missing[0], rule) if missing else None


class _Records:
    """Build one batch: text columns, each record's line, and the NHS number's pseudonym."""

    def __init__(self, dataset: Dataset, key: Key, header: Sequence[str]) -> None:
        self.names = extract.columns(dataset)
        self.order = [header.index(name) for name in self.names]  # where each is in a record
        self.key = key
        self.identifier = (
            header.index(extract.IDENTIFIER) if extract.carries_people(dataset) else None
        )
        self._pseudonyms: dict[str, int | str] = {}
        self.reset()

    def reset(self) -> None:
        self.records: list[Sequence[str | None]] = []
        self.lines: list[int] = []
        self.ids: list[int] = []
        self.quarantined: list[Quarantined] = []
        if len(self._pseudonyms) > 4 * BATCH:
            self._pseudonyms.clear()

    def __len__(self) -> int:
        return len(self.lines)

    def pseudonym(self, text: str | None) -> int | str:
        """The pseudonym of an NHS number, or the rule it breaks."""
        if not text:
            return "required"
        found = self._pseudonyms.get(text)
        if found is None:
            problem = identifier_problem(text)
            found = problem if problem else self.key.pseudonym(normalised(text))
            self._pseudonyms[text] = found
        return found

    def add(self, line: int, record: Sequence[str | None]) -> None:
        """Keep a record (its fields in the header's order; an empty field is missing), or set
        it aside when its NHS number is not one."""
        if self.identifier is not None:
            pseudonym = self.pseudonym(record[self.identifier])
            if isinstance(pseudonym, str):
                self.quarantined.append(Quarantined(line, extract.IDENTIFIER, pseudonym, WITHHELD))
                return
            self.ids.append(pseudonym)
        self.records.append(record)
        self.lines.append(line)

    def batch(self, position: int) -> Batch:
        arrays: dict[str, pa.Array] = {LINE: pa.array(self.lines, pa.int64())}
        for name, index in zip(self.names, self.order, strict=True):
            if name == extract.IDENTIFIER:
                arrays[extract.PSEUDONYM] = pa.array(self.ids, pa.int64())
            else:
                values = pa.array([r[index] for r in self.records], pa.string())
                arrays[name] = pc.if_else(pc.equal(values, ""), None, values)
        done = Batch(pa.table(arrays), tuple(self.quarantined), position)
        self.reset()
        return done


def _text_problem(header: Sequence[str], record: Sequence[str]) -> Quarantined | None:
    """A field the extract's encoding cannot hold: bytes that are not UTF-8, or a NUL (the
    whole record is looked at once, each field only when one is found)."""
    joined = "".join(record)
    if joined.isascii() and "\x00" not in joined:
        return None
    for name, value in zip(header, record, strict=True):
        if "\x00" in value:
            return Quarantined(0, name, "text without NUL characters", value)
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return Quarantined(0, name, _UTF8_RULE, value)
    return None


def read_csv(
    path: Path, dataset: Dataset, key: Key, progress: Callable[[int], None] | None = None
) -> Iterator[Batch]:
    """The records of a CSV extract, in batches."""
    try:
        raw = path.open("rb")
    except OSError as error:
        raise DataError(
            f"cannot be read ({error.strerror or type(error).__name__})", file=str(path)
        ) from None
    with raw:
        yield from csv_batches(raw, str(path), dataset, key, progress)


def csv_batches(
    raw: BinaryIO,
    name: str,
    dataset: Dataset,
    key: Key,
    progress: Callable[[int], None] | None = None,
) -> Iterator[Batch]:
    """The records of a CSV extract read from `raw` (called `name` in errors), in batches."""
    text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="surrogateescape", newline="")
    limit = csv.field_size_limit()
    csv.field_size_limit(FIELD_LIMIT)
    try:
        yield from _csv_batches(name, text, raw, dataset, key, progress)
    finally:
        csv.field_size_limit(limit)
        text.detach()


def _csv_batches(
    name: str,
    text: io.TextIOWrapper,
    raw: BinaryIO,
    dataset: Dataset,
    key: Key,
    progress: Callable[[int], None] | None,
) -> Iterator[Batch]:
    reader = csv.reader(text)
    header = _header(name, reader, dataset)
    records = _Records(dataset, key, header)
    width = len(header)
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            records.quarantined.append(Quarantined(start, "", "a CSV record", first_line(error)))
            continue
        if not row:
            continue  # a blank line is not a record
        if len(row) != width:
            rule = f"{width} fields, as the header has"
            records.quarantined.append(Quarantined(start, "", rule, f"{len(row)} fields"))
            continue
        problem = _text_problem(header, row)
        if problem is not None:
            shown = WITHHELD if problem.field == extract.IDENTIFIER else problem.value
            records.quarantined.append(Quarantined(start, problem.field, problem.rule, shown))
            continue
        records.add(start, row)
        if len(records) >= BATCH:
            position = raw.tell()
            if progress:
                progress(position)
            yield records.batch(position)
    yield records.batch(raw.tell())


def _header(name: str, reader: Iterator[list[str]], dataset: Dataset) -> list[str]:
    try:
        names = next(reader)
    except StopIteration:
        raise DataError(
            "an empty file (an extract begins with its header)", file=name, row=1
        ) from None
    except csv.Error as error:
        raise DataError(f"an unreadable header ({first_line(error)})", file=name, row=1) from None
    header = [column.strip().lower() for column in names]
    if _text_problem(header, header):
        raise DataError("a header that is not UTF-8 text", file=name, row=1)
    problem = header_problem(dataset, header)
    if problem:
        field, rule = problem
        raise DataError("not an extract of this dataset", file=name, row=1, field=field, rule=rule)
    return header


def read_parquet(
    path: Path, dataset: Dataset, key: Key, progress: Callable[[int], None] | None = None
) -> Iterator[Batch]:
    """The records of a Parquet extract, in batches, every value as text."""
    reason = unreadable(path)
    if reason:
        raise DataError(reason, file=str(path))
    yield from parquet_batches(path, str(path), dataset, key, progress)


def parquet_batches(
    source: Path | BinaryIO,
    name: str,
    dataset: Dataset,
    key: Key,
    progress: Callable[[int], None] | None = None,
) -> Iterator[Batch]:
    """The records of a Parquet extract read from `source` (called `name` in errors)."""
    try:
        parquet = pq.ParquetFile(source)
        header = [column.strip().lower() for column in parquet.schema_arrow.names]
        problem = header_problem(dataset, header)
        if problem:
            field, rule = problem
            raise DataError("not an extract of this dataset", file=name, field=field, rule=rule)
        records = _Records(dataset, key, header)
        row = 0
        for table in parquet.iter_batches(batch_size=BATCH):
            columns = [_as_text(c) for c in table.columns]
            for record in zip(*columns, strict=True):
                row += 1
                records.add(row, record)
            if progress:
                progress(row)
            yield records.batch(row)
        if row == 0:
            yield records.batch(0)
    except (pa.ArrowException, OSError, ValueError, TypeError, UnicodeError) as error:
        raise DataError(f"cannot be read as Parquet ({first_line(error)})", file=name) from None


def _as_text(column: pa.Array | pa.ChunkedArray) -> list[str | None]:
    """A Parquet column as the text a CSV extract would hold."""
    if pa.types.is_boolean(column.type):
        column = pc.if_else(column, "true", "false")
    elif pa.types.is_timestamp(column.type):
        column = pc.strftime(column, format="%Y-%m-%d %H:%M:%S")
    elif not pa.types.is_string(column.type) and not pa.types.is_large_string(column.type):
        column = pc.cast(column, pa.string())
    return [None if v == "" else v for v in column.to_pylist()]
