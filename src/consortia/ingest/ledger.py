"""The ingest ledger of a lake: which files were imported, under which key, with what result.

A batch — one source file — becomes one Parquet part named by the SHA-256 of the file's
content, `DATASET/ingest-<hash>.parquet`, whose footer records that hash and the batch's
counts. The part is written beside its place and renamed into it, so the rows and the record
that the file was imported arrive in one step: a killed import leaves the batch whole or
absent, and a file imported before is known by its name and never loaded twice. The ledger
(`_ingest/ledger.json`) lists the batches for people to read and holds the key's check value;
it is rebuilt from the parts' footers whenever it lags behind them.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from consortia.engine.lake import MANIFEST, Lake, write_whole
from consortia.errors import DataError, UsageError
from consortia.schema.datasets import DATASETS

FOLDER = "_ingest"
LEDGER = "ledger.json"
QUARANTINE = "quarantine"
PART_PREFIX = "ingest-"
METADATA_KEY = b"consortia.ingest"
FORMAT = 1


@dataclass(frozen=True)
class Batch:
    """One source file's import, as its part's footer and the ledger record it."""

    source: str
    dataset: str
    sha256: str
    rows_in: int
    loaded: int
    quarantined: int
    key: str  # the check value of the key its pseudonyms were made with
    at: str  # when it was imported, ISO 8601 in UTC

    def metadata(self) -> dict[bytes, bytes]:
        """The batch as a Parquet footer's key-value metadata."""
        return {METADATA_KEY: json.dumps(asdict(self)).encode()}


def part_path(lake: Path, dataset: str, sha256: str) -> Path:
    """Where the part of a file with this content goes."""
    return lake / dataset / f"{PART_PREFIX}{sha256[:32]}.parquet"


def read_batch(part: Path) -> Batch | None:
    """The batch a part's footer records, or None (not a part ingest wrote, or damaged)."""
    try:
        metadata = pq.read_schema(part).metadata or {}
        fields = json.loads(metadata[METADATA_KEY])
        return Batch(**fields)
    except Exception:  # an untrusted footer: any failure means "not one of ours"
        return None


def batches(lake: Path) -> list[Batch]:
    """Every batch whose part is in the lake, in dataset and import order."""
    found = []
    for name in DATASETS:
        for part in Lake(lake).files(name):
            if part.name.startswith(PART_PREFIX):
                batch = read_batch(part)
                if batch is not None:
                    found.append(batch)
    return sorted(found, key=lambda b: (list(DATASETS).index(b.dataset), b.at, b.source))


def _read(lake: Path) -> dict[str, Any]:
    path = lake / FOLDER / LEDGER
    try:
        ledger = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise DataError(f"an unreadable ingest ledger ({error})", file=str(path)) from None
    if not isinstance(ledger, dict) or ledger.get("format") != FORMAT:
        raise DataError("not an ingest ledger of this version", file=str(path))
    return ledger


def key_of(lake: Path) -> str | None:
    """The check value of the key the lake's pseudonyms were made with, if any were."""
    key = _read(lake).get("key")
    if key is None:
        made = {b.key for b in batches(lake)}
        key = made.pop() if len(made) == 1 else None
    return key if isinstance(key, str) else None


def require_key(lake: Path, check: str) -> None:
    """Refuse a key other than the one the lake's pseudonyms were made with: records of one
    person would not join up."""
    if (lake / MANIFEST).exists():
        raise UsageError(
            "this lake was written by the synthetic generator: ingest into a lake of extracts "
            "(its pseudonyms and the generator's cannot meet in one lake)",
            file=str(lake),
        )
    made = key_of(lake)
    if made is not None and made != check:
        raise UsageError(
            "this lake's pseudonyms were made with another key: its records and these would "
            "never join up (use the key the lake was made with)",
            file=str(lake),
            field="--key",
        )


def write(lake: Path, check: str) -> None:
    """Write the ledger again from the parts' footers (whole or not at all)."""
    ledger = {"format": FORMAT, "key": check, "batches": [asdict(b) for b in batches(lake)]}
    text = json.dumps(ledger, indent=1) + "\n"
    path = lake / FOLDER / LEDGER
    if not write_whole(path, lambda temporary: temporary.write_text(text, encoding="utf-8")):
        raise UsageError("cannot write the ingest ledger", file=str(path))


@contextlib.contextmanager
def locked(lake: Path) -> Iterator[None]:
    """Hold the lake's ingest lock: one import at a time (a second waits for none: refused)."""
    folder = lake / FOLDER
    try:
        folder.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(folder / "lock", os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as error:
        raise UsageError(
            f"cannot write to the lake ({error.strerror or type(error).__name__})", file=str(lake)
        ) from None
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UsageError("another import into this lake is running", file=str(lake)) from None
        yield
    finally:
        os.close(descriptor)
