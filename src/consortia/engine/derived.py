"""Lake-wide aggregates kept beside the lake, computed once per lake content.

Comparisons set a CCG against every patient in the lake (indirect standardisation, capitation
weights, deprivation of the whole population). Computed afresh, that reference would make one
CCG's pack cost as much as the whole lake, however small the CCG. A shared definition over
everyone (`consortia.analyses.shared`) is therefore written once to `_derived/` in the lake as
Parquet, named by a SHA-256 of its SQL and of the lake's parts (name, size, modification time
and inode, as the check's stamp keeps them): a change of definition or of data names another
file, so a stale aggregate is never read. Every later pack of any CCG reads the small file.
A lake that cannot be written is simply computed each run.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.operations as ops
import pyarrow.parquet as pq

from consortia import __version__
from consortia.engine.lake import Lake, identity, unreadable
from consortia.schema import reference_tables
from consortia.schema.datasets import DATASETS

FOLDER = "_derived"
FORMAT = 1  # how aggregates are written; a change names new files


def content(lake: Lake) -> str:
    """SHA-256 naming what the lake holds now: every part of every dataset, by stat."""
    parts: dict[str, Any] = {}
    for name in DATASETS:
        parts[name] = [identity(path) for path in lake.files(name)]
    parts["reference tables"] = _reference_files()
    parts["format"] = [FORMAT, __version__]
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def definition(expression: Any) -> str:
    """The expression's SQL with each in-memory table named by its content (Ibis names them
    afresh in every run), so the same definition gives the same text in every run."""
    sql = str(ibis.to_sql(expression, dialect="duckdb"))
    for table in expression.op().find(ops.InMemoryTable):
        data = table.data.to_frame().to_csv(index=False)
        sql = sql.replace(table.name, hashlib.sha256(data.encode()).hexdigest())
    return sql


def _reference_files() -> list[list[Any]]:
    """The reference tables' files as shipped (their content is not in the SQL)."""
    folder = Path(reference_tables.__file__).with_name("reference")
    return [[p.name, hashlib.sha256(p.read_bytes()).hexdigest()] for p in sorted(folder.iterdir())]


@dataclass
class Derived:
    """The lake's derived aggregates, read or written through one backend."""

    lake: Lake
    backend: Any
    _content: str | None = field(default=None, repr=False)

    @property
    def folder(self) -> Path:
        """Where the aggregates are kept."""
        return self.lake.path / FOLDER

    def path(self, name: str, plain: Any) -> Path:
        """The file of aggregate `name` whose definition on the lake's own tables is `plain`."""
        if self._content is None:
            self._content = content(self.lake)
        sql = definition(plain)
        key = hashlib.sha256(f"{self._content}\n{sql}".encode()).hexdigest()
        return self.folder / f"{name}-{key[:24]}.parquet"

    def table(self, name: str, plain: Any, computed: Any) -> Any | None:
        """The stored aggregate `name` (computing `computed` and storing it when absent), or
        None when it can be neither read nor written here."""
        path = self.path(name, plain)
        if not path.exists() or unreadable(path) is not None:
            if not self._write(path, computed):
                return None
            self._prune(name, keep=path)
        return self.backend.read_parquet(str(path))

    def _write(self, path: Path, computed: Any) -> bool:
        """Write whole or not at all: to a temporary file renamed into place."""
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            self.folder.mkdir(exist_ok=True)
            # Through Arrow, which keeps the declared types: DuckDB sums integers as 128-bit,
            # which its own Parquet writer would store as floating point. Aggregates are small.
            pq.write_table(self.backend.to_pyarrow(computed), temporary)
            temporary.replace(path)
        except OSError:
            with contextlib.suppress(OSError):
                temporary.unlink(missing_ok=True)
            return False
        return True

    def _prune(self, name: str, keep: Path) -> None:
        """Remove the earlier versions of aggregate `name` (only consortia writes here)."""
        for old in self.folder.glob(f"{name}-*.parquet"):
            if old != keep:
                with contextlib.suppress(OSError):
                    old.unlink()
