"""A lake on disk: one folder of Parquet files per dataset, opened as Ibis tables.

A part is read only once it is known to be a whole Parquet file: a folder, a dangling link,
an empty or truncated file or another format renamed `.parquet` is named in one line instead.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from consortia.engine.backends import is_duckdb
from consortia.errors import DataError
from consortia.schema.datasets import DATASETS

MANIFEST = "_lake.json"
# The layout of a generated lake, in its manifest: 2 since registration and activity records
# carry the patient's sex, birth and deprivation decile.
LAKE_FORMAT = 2
PARQUET_RULE = "a dataset's parts are whole Parquet files"
_MAGIC = b"PAR1"  # a Parquet file begins and ends with these four bytes
_SMALLEST = 2 * len(_MAGIC) + 4  # both markers and the footer's length


def unreadable(path: Path) -> str | None:
    """Why `path` is not a whole Parquet file, or None when its footer reads."""
    if path.is_symlink() and not path.exists():
        return "a link to nothing"
    if path.is_dir():
        return "a folder, not a Parquet file"
    if not path.is_file():
        return "not a regular file"
    try:
        with path.open("rb") as file:
            size = file.seek(0, 2)
            if size == 0:
                return "an empty file"
            file.seek(0)
            head = file.read(len(_MAGIC))
            file.seek(max(size - len(_MAGIC), 0))
            tail = file.read(len(_MAGIC))
    except OSError as error:
        return f"cannot be read ({error.strerror or type(error).__name__})"
    if head != _MAGIC:
        return "not a Parquet file (another format renamed .parquet?)"
    if tail != _MAGIC or size < _SMALLEST:
        return "not a whole Parquet file (truncated?)"
    try:
        pq.read_schema(path)
    except Exception as error:  # any failure to parse an untrusted footer means unreadable
        return f"an unreadable Parquet footer ({first_line(error)})"
    return None


def identity(path: Path) -> list[Any]:
    """A part as checks and stored aggregates vouch for it: name, size, modification time and
    inode of what it leads to (git's index keeps the same); only its name if it cannot be read,
    which matches nothing recorded, since nothing is recorded of a lake with such a part."""
    try:
        status = path.stat()
    except OSError:
        return [path.name]
    return [path.name, status.st_size, status.st_mtime_ns, status.st_ino]


def write_whole(path: Path, write: Callable[[Path], object]) -> bool:
    """Write `path` whole or not at all (see `replace_whole`); False, leaving nothing behind,
    when it cannot be written."""
    try:
        replace_whole(path, write)
    except OSError:
        return False
    return True


def replace_whole(path: Path, write: Callable[[Path], object]) -> None:
    """Write `path` whole or not at all: `write` fills a temporary file beside it, which is
    then renamed into place (a reader, or a run killed half-way, never sees a torn file).
    An error (a full disk) is raised, with nothing left behind."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write(temporary)
        temporary.replace(path)
    finally:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)


def first_line(error: BaseException) -> str:
    """The first line of an error's message, for a one-line report."""
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0]


@dataclass(frozen=True)
class Lake:
    """A lake folder, checked to hold the datasets an analysis needs."""

    path: Path

    def files(self, dataset: str) -> list[Path]:
        """Everything named `*.parquet` in `dataset`'s folder, in order (not yet checked)."""
        folder = self.path / dataset
        # by name (the order paths sort in, within one folder), which is ten times quicker
        # than comparing paths: England's lake has over 13,000 parts, listed several times
        parts = folder.glob("*.parquet") if folder.is_dir() else []
        return sorted(parts, key=lambda path: path.name)

    def identities(self, dataset: str) -> list[list[Any]]:
        """Each part of `dataset` as checks and kept results vouch for it (`identity`)."""
        return [identity(path) for path in self.files(dataset)]

    def unreadable_parts(self, dataset: str) -> list[tuple[Path, str]]:
        """Each part of `dataset` that is not a whole Parquet file, with the reason."""
        found = []
        for path in self.files(dataset):
            reason = unreadable(path)
            if reason is not None:
                found.append((path, reason))
        return found

    def parts(self, dataset: str) -> list[Path]:
        """The Parquet files of `dataset`; fails naming the first that cannot be read."""
        for path, reason in self.unreadable_parts(dataset):
            raise DataError(reason, file=str(path), rule=PARQUET_RULE)
        return self.files(dataset)

    def require(self, datasets: Iterable[str]) -> None:
        """Fail with one line naming the lake and every missing dataset."""
        if not self.path.is_dir():
            raise DataError(f"no lake at {self.path}", file=str(self.path))
        missing = [d for d in datasets if not self.files(d)]
        if missing:
            raise DataError(
                f"the lake has no {', '.join(missing)} dataset{'s' if len(missing) > 1 else ''}",
                file=str(self.path),
                rule="a lake holds a folder of Parquet files per dataset",
            )

    def manifest(self) -> dict[str, Any]:
        """The generator's manifest, if the lake has one."""
        path = self.path / MANIFEST
        if not path.is_file():
            return {}
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise DataError(f"unreadable manifest ({first_line(error)})", file=str(path)) from None
        if not isinstance(manifest, dict):
            raise DataError("the manifest is not a JSON object", file=str(path))
        return manifest

    def open(
        self, backend: Any, datasets: Iterable[str] = DATASETS, *, whole: bool = False
    ) -> Mapping[str, Any]:
        """Ibis tables for `datasets`, read in place from their Parquet files. With `whole`,
        every part is already known to be a whole Parquet file (a clean check still vouches
        for it) and no footer is read again: at England's size, 7,000 parts and 4 seconds."""
        names = list(datasets)
        self.require(names)
        return {name: self._read(backend, name, whole) for name in names}

    def _read(self, backend: Any, name: str, whole: bool = False) -> Any:
        """One dataset as a table: DuckDB reads the list of its parts; Spark reads a list as
        one broken path, so it is given the folder's pattern (the same parts: checked, every
        `*.parquet`)."""
        parts = [str(p) for p in (self.files(name) if whole else self.parts(name))]
        if not is_duckdb(backend):
            # a Spark session's views are shared by every lake it reads: named per lake
            lake = hashlib.sha256(str(self.path.resolve()).encode()).hexdigest()[:8]
            pattern = str(self.path / name / "*.parquet")
            return backend.read_parquet(pattern, table_name=f"lake_{name}_{lake}")
        return backend.read_parquet(parts, table_name=f"lake_{name}")
