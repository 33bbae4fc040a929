"""Import one extract file: every record loaded or quarantined, the batch whole or absent.

The file is read (`read`), its records judged (`verdict`), and then either committed — its
quarantine report written, then its part renamed into the lake (`ledger`) — or, when more
of it breaks a rule than a batch may lose, rejected whole with nothing loaded. Records in =
records loaded + records quarantined, for every file, or the import stops as a fault.
"""

from __future__ import annotations

import csv
import hashlib
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from consortia.engine.lake import Lake, replace_whole
from consortia.errors import DataError, out_of_memory
from consortia.ingest import ledger
from consortia.ingest.pseudonym import Key
from consortia.ingest.read import LINE, Quarantined, read_csv, read_parquet
from consortia.ingest.verdict import RULE, VALUE, verdict_sql
from consortia.schema.datasets import DATASETS

STAGING = ".staging-"
SHOWN = 200  # characters of a value a quarantine report shows
_FORMULA = ("=", "+", "-", "@", "\t", "\r")

Status = Literal["loaded", "already imported", "rejected"]


@dataclass(frozen=True)
class Outcome:
    """What became of one file."""

    source: Path
    dataset: str
    status: Status
    rows_in: int
    loaded: int
    quarantined: int
    report: Path | None = None  # the quarantine report, when a record was quarantined
    first: Quarantined | None = None  # the first record quarantined


def content_hash(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as file:
            while chunk := file.read(1 << 20):
                digest.update(chunk)
    except OSError as error:
        raise DataError(
            f"cannot be read ({error.strerror or type(error).__name__})", file=str(path)
        ) from None
    return digest.hexdigest()


def import_file(
    con: Any,
    source: Path,
    dataset: str,
    lake: Path,
    key: Key,
    max_share: float,
    progress: Callable[[int], None] | None = None,
) -> Outcome:
    """Import `source` (an extract of `dataset`) into `lake`."""
    sha256 = content_hash(source)
    part = ledger.part_path(lake, dataset, sha256)
    done = ledger.read_batch(part) if part.exists() else None
    if done is not None and done.sha256 == sha256:
        return Outcome(
            source, dataset, "already imported", done.rows_in, done.loaded, done.quarantined
        )
    try:
        staging = Path(tempfile.mkdtemp(prefix=STAGING, dir=lake / ledger.FOLDER))
    except OSError as error:
        raise _unwritable(lake, error) from None
    try:
        return _import(con, source, dataset, lake, key, max_share, sha256, staging, progress)
    except OSError as error:  # the disk filled, or the file went while it was read
        raise _unwritable(lake, error, source) from None
    except (duckdb.Error, MemoryError) as error:  # the engine's limits, not the file's fault
        resource = out_of_memory(error)
        if resource is None:
            raise
        raise resource from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _unwritable(lake: Path, error: OSError, source: Path | None = None) -> DataError:
    """An import stopped by the machine: named, with nothing of the file left in the lake."""
    reason = error.strerror or type(error).__name__
    where = f" while importing {source}" if source else ""
    return DataError(
        f"cannot write to the lake ({reason}){where}; nothing of it was loaded", file=str(lake)
    )


def _import(
    con: Any,
    source: Path,
    dataset: str,
    lake: Path,
    key: Key,
    max_share: float,
    sha256: str,
    staging: Path,
    progress: Callable[[int], None] | None,
) -> Outcome:
    declared = DATASETS[dataset]
    reader = read_parquet if source.suffix.lower() == ".parquet" else read_csv
    staged = staging / "records.parquet"
    set_aside: list[Quarantined] = []
    writer: pq.ParquetWriter | None = None
    read = 0
    try:
        for batch in reader(source, declared, key, progress):
            set_aside += batch.quarantined
            read += batch.records.num_rows
            if writer is None:
                writer = pq.ParquetWriter(staged, batch.records.schema)
            writer.write_table(batch.records)
    finally:
        if writer is not None:
            writer.close()
    sql, rules = verdict_sql(con, staged, declared, Lake(lake))
    name = f"judged_{sha256[:16]}"
    con.con.execute(f"CREATE TEMP TABLE {name} AS {sql}")
    try:
        result = con.table(name)
        broken = (
            result.filter(result[RULE].notnull()).select(LINE, RULE, VALUE).to_pyarrow().to_pylist()
        )
        parse_stage = len(set_aside)
        for row in broken:
            rule = rules[row[RULE]]
            set_aside.append(Quarantined(row[LINE], rule.field, rule.words, row[VALUE] or ""))
        set_aside.sort(key=lambda q: q.line)
        loaded = int(result.filter(result[RULE].isnull()).count().to_pyarrow().as_py())
        outcome = _commit_or_reject(
            result,
            source,
            dataset,
            lake,
            key,
            max_share,
            sha256,
            read + parse_stage,
            loaded,
            set_aside,
        )
    finally:
        con.drop_table(name, force=True)
    return outcome


def _commit_or_reject(
    result: Any,
    source: Path,
    dataset: str,
    lake: Path,
    key: Key,
    max_share: float,
    sha256: str,
    rows_in: int,
    loaded: int,
    set_aside: list[Quarantined],
) -> Outcome:
    quarantined = len(set_aside)
    if rows_in != loaded + quarantined:  # conservation: never lose or invent a record
        raise AssertionError(f"{source}: {rows_in} records in, {loaded} + {quarantined} out")
    report = _report(lake, source, dataset, sha256, set_aside) if set_aside else None
    first = set_aside[0] if set_aside else None
    if quarantined > max_share * rows_in:
        return Outcome(source, dataset, "rejected", rows_in, 0, quarantined, report, first)
    batch = ledger.Batch(
        source=source.name,
        dataset=dataset,
        sha256=sha256,
        rows_in=rows_in,
        loaded=loaded,
        quarantined=quarantined,
        key=key.check,
        at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    _write_part(result, dataset, ledger.part_path(lake, dataset, sha256), batch)
    return Outcome(source, dataset, "loaded", rows_in, loaded, quarantined, report, first)


def _write_part(result: Any, dataset: str, part: Path, batch: ledger.Batch) -> None:
    """The loaded records, in the schema's types, as one part whose footer records the batch."""
    schema = DATASETS[dataset].arrow_schema.with_metadata(batch.metadata())
    kept = result.filter(result[RULE].isnull()).order_by(LINE).select(*schema.names)

    def write(temporary: Path) -> None:
        with pq.ParquetWriter(temporary, schema) as writer:
            for records in _batches(kept):
                writer.write_batch(records.cast(schema, safe=False))

    replace_whole(part, write)


def _batches(table: Any) -> Iterator[pa.RecordBatch]:
    """A table's rows in batches, streamed from DuckDB (Ibis's own streaming goes through a
    call DuckDB 1.5 deprecates)."""
    con = table._find_backend()
    yield from con.con.execute(con.compile(table)).to_arrow_reader(65_536)


def shown(value: str) -> str:
    """A value as a quarantine report shows it: cut short, never run as a formula by the
    spreadsheet that opens the report (OWASP: a leading apostrophe), characters that are not
    text escaped."""
    text = value[:SHOWN] + ("…" if len(value) > SHOWN else "")
    text = text.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")
    return f"'{text}" if text.startswith(_FORMULA) else text


def _report(
    lake: Path, source: Path, dataset: str, sha256: str, set_aside: list[Quarantined]
) -> Path:
    """Write the quarantine report of a batch (whole or not at all)."""
    path = lake / ledger.FOLDER / ledger.QUARANTINE / f"{dataset}-{sha256[:16]}.csv"

    def write(temporary: Path) -> None:
        with temporary.open("w", encoding="utf-8", newline="") as file:
            out = csv.writer(file)
            out.writerow(["file", "line", "field", "rule", "value"])
            for q in set_aside:
                out.writerow([shown(source.name), q.line, q.field, q.rule, shown(q.value)])

    replace_whole(path, write)
    return path
