"""Lake-wide aggregates kept beside the lake, computed once per lake content.

Comparisons set a CCG against every patient in the lake (indirect standardisation, capitation
weights, deprivation of the whole population). Computed afresh, that reference would make one
CCG's pack cost as much as the whole lake, however small the CCG. A shared definition over
everyone (`consortia.analyses.shared`) is therefore written once to `_derived/` in the lake as
Parquet, named by a SHA-256 of the definition (its name and arguments, and the code of the
analyses, measures and schema) and of the lake's parts (name, size, modification time and
inode, as the check's stamp keeps them): a change of code or of data names another file, so a
stale aggregate is never read. Every later pack of any CCG reads the small file.
A lake that cannot be written is simply computed each run.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import ibis
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from consortia import __version__
from consortia.engine.backends import is_duckdb
from consortia.engine.lake import Lake, unreadable, write_whole
from consortia.engine.plans import PLACEHOLDER, Plans, general
from consortia.schema.datasets import DATASETS

FOLDER = "_derived"
FORMAT = 1  # how aggregates are written; a change names new files
WORDS = b"consortia"  # the schema metadata key of a kept frame's words


def content(lake: Lake) -> str:
    """SHA-256 naming what the lake holds now: every part of every dataset, by stat."""
    parts = {name: lake.identities(name) for name in DATASETS}
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


# Every package a kept result's definition may live in (the money's aggregates are finance's,
# the risk figures' models are risk's).
PACKAGES = ("analyses", "finance", "measures", "risk", "schema")
SOURCES = {".py", ".csv", ".toml", ".yaml", ".yml", ".json"}


@functools.cache
def code() -> str:
    """SHA-256 of what definitions are made of: the analyses, finance, measures and schema
    (reference tables and shipped parameters included) and the engine's versions. Any change
    names new files: conservative, and free of compiling each definition's SQL to name it."""
    versions = (
        f"{FORMAT} consortia {__version__} ibis {ibis.__version__} duckdb {duckdb.__version__}"
    )
    digest = hashlib.sha256(versions.encode())
    root = Path(__file__).parents[1]
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*")):
            if path.is_file() and path.suffix in SOURCES:
                digest.update(f"\n{path.relative_to(root)}\n".encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


@dataclass
class Derived:
    """The lake's derived aggregates, read or written through one backend."""

    lake: Lake
    backend: Any
    cache: Path | None = None  # the user's cache, where figures' plans are kept (if anywhere)
    all_kept: bool = True  # False once a result could not be written beside the lake

    @functools.cached_property
    def content(self) -> str:
        """What the lake holds now (`content`), read once per run."""
        return content(self.lake)

    @property
    def folder(self) -> Path:
        """Where the aggregates are kept."""
        return self.lake.path / FOLDER

    def path(self, definition: Callable[..., Any], arguments: str) -> Path:
        """The file of `definition` over these arguments (their text) on this lake."""
        # by engine too: each engine's results are its own (they agree to rounding, not bits)
        engine = getattr(self.backend, "name", "")
        named = f"{engine}:{definition.__module__}.{definition.__qualname__}({arguments})"
        what = hashlib.sha256(named.encode()).hexdigest()
        key = hashlib.sha256(f"{self.content}\n{code()}\n{what}".encode()).hexdigest()
        # name-what-key: versions of one result share the first two, so older ones can go
        return self.folder / f"{definition.__name__}-{what[:12]}-{key[:24]}.parquet"

    def table(self, definition: Callable[..., Any], arguments: str, computed: Any) -> Any:
        """The stored result of `definition` over `arguments`, computing `computed` and storing
        it when absent, unreadable or not of its columns and types (held in memory instead when
        the lake cannot be written)."""
        # Through Arrow, which keeps the declared types: DuckDB sums integers as 128-bit,
        # which its own Parquet writer would store as floating point. Aggregates are small.
        rows = functools.cache(lambda: self.backend.to_pyarrow(computed))
        path = self.path(definition, arguments)
        stored = self._kept(path, computed, lambda temporary: pq.write_table(rows(), temporary))
        return stored if stored is not None else ibis.memtable(rows())

    def frame(
        self,
        definition: Callable[..., Any],
        arguments: str,
        compute: Callable[[], tuple[pd.DataFrame, dict[str, Any]] | None],
        accept: Callable[[dict[str, Any]], bool] = lambda _: True,
    ) -> tuple[pd.DataFrame, dict[str, Any]] | None:
        """A table computed in Python from kept results, and words about it (JSON), kept beside
        the lake like them: read when there (and its words are what `accept` expects), else
        `compute()`d, written and read back, so a run that computes it and one that reads it
        give the same. None when `compute` gives nothing to keep; the computed table itself
        when the lake cannot be written."""
        path = self.path(definition, arguments)
        if path.exists() and unreadable(path) is None:
            found = _read_frame(path)
            if found is not None and accept(found[1]):
                return found
        computed = compute()
        if computed is None:
            return None
        table = pa.Table.from_pandas(computed[0], preserve_index=False)
        words = json.dumps(computed[1]).encode()
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), WORDS: words})
        if not write_whole(path, lambda temporary: pq.write_table(table, temporary)):
            self.all_kept = False
            return computed
        _remove_earlier(path)
        return _read_frame(path) or computed

    def _kept(self, path: Path, computed: Any, write: Callable[[Path], object]) -> Any | None:
        """The file at `path` if it holds `computed`'s columns and types, else `computed`
        written there by `write` and read back; None when it cannot be written."""
        if path.exists() and unreadable(path) is None:
            stored = self._read(path)
            if stored.schema() == computed.schema():  # anything else is written again
                return stored
        if not write_whole(path, write):
            self.all_kept = False
            return None
        _remove_earlier(path)
        return self._read(path)

    def _read(self, path: Path) -> Any:
        """The kept result at `path` as a table of the backend (a view plans can name)."""
        if self.plans is not None:
            return self.plans.derived_view(path)
        return self.backend.read_parquet(str(path))

    @functools.cached_property
    def plans(self) -> Plans | None:
        """Where each figure's SQL is kept for this lake's content (DuckDB only): in the
        user's own cache, never in the lake, since it is run as it is written."""
        if self.cache is None or not is_duckdb(self.backend):
            return None
        version = f"{self.content}\n{code()}"
        lake = hashlib.sha256(str(self.lake.path.resolve()).encode()).hexdigest()[:24]
        return Plans(self.cache / "plans" / lake, self.folder, version, self.backend)

    def sql(
        self, definition: Callable[..., Any], scope: Any, args: tuple[Any, ...], tables: Any
    ) -> str:
        """The SQL of `definition(tables, scope, *args)`, compiled once per code version for
        every CCG: compiled with a placeholder for the CCG's code and kept, then the code put
        in its place (codes are checked letters and digits, so never need quoting)."""
        template = general(scope)
        named = f"{definition.__module__}.{definition.__qualname__}({template!r}, {args!r})"
        what = hashlib.sha256(named.encode()).hexdigest()
        path = self.folder / "sql" / f"{what[:24]}-{code()[:16]}.sql"
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            text = str(ibis.to_sql(definition(tables, template, *args), dialect="duckdb"))
            if write_whole(path, lambda temporary: temporary.write_text(text, "utf-8")):
                _remove_earlier(path)
        if scope.ccg is None:
            return text
        return text.replace(f"'{PLACEHOLDER}'", f"'{scope.ccg}'")


def _read_frame(path: Path) -> tuple[pd.DataFrame, dict[str, Any]] | None:
    """A table kept by `Derived.frame` with its words; None if it is not one."""
    try:
        table = pq.read_table(path)
        words = json.loads((table.schema.metadata or {})[WORDS])
    except (OSError, KeyError, ValueError, pa.ArrowException):
        return None
    return (table.to_pandas(), words) if isinstance(words, dict) else None


def _remove_earlier(keep: Path) -> None:
    """Remove earlier versions of what is kept at `keep`: the files named as it is up to its
    last part, the version (only consortia writes in this folder)."""
    same = keep.name.rsplit("-", 1)[0]
    for old in keep.parent.glob(f"{same}-*{keep.suffix}"):
        if old != keep:
            with contextlib.suppress(OSError):
                old.unlink()
