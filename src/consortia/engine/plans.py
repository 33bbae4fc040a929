"""Each figure's query, kept as the SQL DuckDB ran, so a later pack runs it without Ibis.

Building a definition's Ibis expression and compiling it costs more than DuckDB takes to run
it on a CCG's kept results (about 50 ms a figure against 30). The first pack of a CCG on a lake
keeps, in the user's cache, the SQL each figure ran and what it read: the lake's and the
reference tables (opened by every run), results kept as Parquet beside the lake
(`consortia.engine.derived`), results of the run (temporary tables with names fixed by what
they hold, each with a plan of its own) and small in-memory tables (kept as Arrow files).
Every later pack of that CCG runs that SQL directly, once what it reads is in place. A plan is
named by the lake's path and content, the code of the analyses and the engine's versions, and
by the definition, its scope and arguments: a change of any names another plan. A CCG's plan
is its template's, compiled once for every CCG with a placeholder for the CCG's code
(`PLACEHOLDER`), and the code put in its place: every CCG after the first of a run, or of a
lake, is run without Ibis. A plan that
is missing, unreadable or refers to anything else is simply not used: the definition is built
as before. Plans are never kept in the lake: a plan is run as it is written, and whoever can
write a shared lake must not thereby run SQL as everyone who packs it. DuckDB only.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import duckdb
import ibis
import ibis.expr.operations as ops
import pandas as pd
import pyarrow as pa
import pyarrow.types as pat

from consortia.engine.lake import write_whole

FORMAT = 1  # how plans are written; a change names new files
# Tables every run opens under these names before any figure (`consortia.pack.build`).
OPENED = ("lake_", "reference_")
DERIVED = "derived_"  # a kept result, a view of its Parquet file
RUN = "run_"  # a result of the run, a temporary table
FIGURE = "figure_"  # what a figure shows
TEMPORARY = ("temp", "main")  # where DuckDB keeps temporary tables
VERSION = re.compile(r"[0-9a-f]{24}")  # the name of a version's folder
PLACEHOLDER = "CCG-CODE"  # stands for a CCG's code in SQL compiled for every CCG
# A CCG's plan: its template's name, then the CCG's code (letters and digits, as checked).
INSTANCE = re.compile(r"([a-z]+_[0-9a-f]{32})_([0-9A-Za-z]+)")


def general(scope: Any) -> Any:
    """`scope` (an `analyses.scope.Scope`) as a template compiled for every CCG names it: a
    CCG's code replaced by `PLACEHOLDER`; everyone's scope as it is."""
    return scope if getattr(scope, "ccg", None) is None else replace(scope, ccg=PLACEHOLDER)


@dataclass
class Plans:
    """Plans for one lake's content and code version (`version`), run on the DuckDB
    `backend`."""

    root: Path  # this lake's plans, in the user's cache
    kept: Path  # the lake's kept results (`consortia.engine.derived`)
    version: str
    backend: Any
    created: set[str] = field(default_factory=set)  # run tables made in this process
    # kept results by view name: each one's file and Ibis table (None until one is asked for)
    views: dict[str, tuple[Path, Any]] = field(default_factory=dict)
    _tidied: bool = field(default=False, repr=False)

    @property
    def folder(self) -> Path:
        """This version's plans: a folder of their own, so earlier versions' go together."""
        return self.root / hashlib.sha256(self.version.encode()).hexdigest()[:24]

    def name(self, prefix: str, definition: Callable[..., Any], described: str) -> str:
        """The fixed name of `definition` over `described` (its scope and arguments)."""
        named = f"{definition.__module__}.{definition.__qualname__}({described})"
        digest = hashlib.sha256(f"{FORMAT}\n{self.version}\n{named}".encode()).hexdigest()
        return f"{prefix}{digest[:32]}"

    def named(self, prefix: str, definition: Callable[..., Any], scope: Any, args: Any) -> str:
        """The fixed name of `definition` over `scope` (an `analyses.scope.Scope`) and `args`:
        for a CCG, its template's name (the scope with `PLACEHOLDER` for the CCG) with the
        CCG's code in the placeholder's place, so a plan kept for one CCG serves every CCG."""
        ccg = getattr(scope, "ccg", None)
        name = self.name(prefix, definition, f"{general(scope)!r}, {args!r}")
        return name if ccg is None else f"{name}_{ccg}"

    def run_table(self, name: str, expression: Any) -> Any:
        """The run's result `expression` as the temporary table `name`, its plan kept."""
        if name not in self.created:
            self.save(name, expression)
            self.backend.create_table(name, expression, temp=True, overwrite=True)
            self.created.add(name)
        return self.backend.table(name, database=TEMPORARY)

    def derived_view(self, path: Path) -> Any:
        """The kept result at `path` as a view named by its file, which plans can refer to."""
        name = DERIVED + hashlib.sha256(path.name.encode()).hexdigest()[:32]
        if self.views.get(name, (path, None))[1] is None:
            self.views[name] = path, self.backend.read_parquet(str(path), table_name=name)
        return self.views[name][1]

    def save(self, name: str, expression: Any) -> bool:
        """Keep the SQL of `expression` and what it reads, if every table it reads can be put
        in place again; otherwise keep nothing. Whether it was kept."""
        reads: dict[str, Any] = {}
        for table in expression.op().find(ops.DatabaseTable):
            if table.name.startswith(OPENED):
                continue
            if table.name in self.views:
                reads[table.name] = {"parquet": self.views[table.name][0].name}
            elif table.name.startswith(RUN) and table.name in self.created:
                reads[table.name] = {"plan": table.name}
            else:
                return False  # something no plan can make again (a table cached by Ibis)
        for memory in expression.op().find(ops.InMemoryTable):
            arrow = memory.data.to_pyarrow(memory.schema)
            write = functools.partial(_write_arrow, table=arrow)
            if not write_whole(self._memtable(memory.name), write):
                return False
            reads[memory.name] = {"arrow": memory.name}
        schema = expression.as_table().schema()
        plan = {
            "sql": str(self.backend.compile(expression)),
            "schema": [[column, str(kind)] for column, kind in schema.items()],
            "reads": reads,
        }
        text = json.dumps(plan, indent=1)
        if not write_whole(self._plan(name), lambda temporary: temporary.write_text(text, "utf-8")):
            return False
        self._tidy()
        return True

    def _tidy(self) -> None:
        """Remove the plans of earlier versions (of the lake or the code): no later run can
        use them, and only consortia writes in this folder."""
        if self._tidied:
            return
        self._tidied = True
        with contextlib.suppress(OSError):
            for other in self.root.iterdir():
                if other != self.folder and other.is_dir() and VERSION.fullmatch(other.name):
                    shutil.rmtree(other, ignore_errors=True)

    def execute(self, name: str) -> pd.DataFrame | None:
        """The result of the plan `name`, as Ibis would return it, or None if it is missing or
        cannot be run (the caller builds the definition instead)."""
        plan = self._load(name)
        if plan is None or not self._prepare(plan):
            return None
        try:
            table = self.backend.con.sql(plan["sql"]).to_arrow_table()
        except duckdb.Error:
            return None
        schema = _schema(plan["schema"])
        if schema is None:
            return None
        try:
            return _as_ibis_returns(table, schema)
        except (TypeError, ValueError):  # columns other than the plan's schema names
            return None

    def _prepare(self, plan: dict[str, Any]) -> bool:
        """Put in place every table the plan reads; False if one cannot be."""
        for name, source in plan["reads"].items():
            if not isinstance(source, dict) or len(source) != 1:
                return False
            kind, value = next(iter(source.items()))
            if kind == "parquet":
                path = self.kept / str(value)
                if path.name != value or not path.is_file():
                    return False
                if name not in self.views:  # a view in SQL: no Ibis table is needed here
                    quoted = str(path).replace("'", "''")
                    read = f"SELECT * FROM read_parquet('{quoted}')"
                    self.backend.con.execute(f'CREATE OR REPLACE TEMP VIEW "{name}" AS {read}')
                    self.views[name] = path, None
            elif kind == "plan" and name not in self.created:
                inner = self._load(str(value))
                if inner is None or not self._prepare(inner):
                    return False
                try:
                    make = f'CREATE OR REPLACE TEMP TABLE "{name}" AS {inner["sql"]}'
                    self.backend.con.execute(make)
                except duckdb.Error:
                    return False
                self.created.add(name)
            elif kind == "arrow":
                try:
                    with pa.memory_map(str(self._memtable(str(value)))) as source_file:
                        data = pa.ipc.open_file(source_file).read_all()
                except (OSError, pa.ArrowInvalid):
                    return False
                self.backend.con.register(name, data)
            elif kind not in ("plan",):
                return False
        return True

    def _load(self, name: str) -> dict[str, Any] | None:
        """The plan `name`: kept as it is, or a CCG's instance of its template (`named`)."""
        try:
            text = self._text(name)
            plan = json.loads(text) if text is not None else None
        except (UnicodeDecodeError, ValueError):
            return None
        if not isinstance(plan, dict) or not {"sql", "schema", "reads"} <= plan.keys():
            return None
        if not isinstance(plan["sql"], str) or not isinstance(plan["reads"], dict):
            return None
        return plan

    def _text(self, name: str) -> str | None:
        """The kept text of the plan `name`; for a CCG's plan kept only as its template, the
        template's with the CCG's code in the placeholder's place (letters and digits, which
        need no quoting in SQL or JSON). None if neither is kept."""
        with contextlib.suppress(OSError):
            return self._plan(name).read_text(encoding="utf-8")
        instance = INSTANCE.fullmatch(name)
        if instance is None:
            return None
        template, ccg = instance.groups()
        try:
            text = self._plan(f"{template}_{PLACEHOLDER}").read_text(encoding="utf-8")
        except OSError:
            return None
        return text.replace(PLACEHOLDER, ccg)

    def _plan(self, name: str) -> Path:
        return self.folder / f"{name}.json"

    def _memtable(self, name: str) -> Path:
        return self.folder / f"{name}.arrow"


def _schema(pairs: Any) -> Any | None:
    """The Ibis schema kept as [column, type] pairs, or None if it is not one."""
    try:
        return ibis.schema({str(column): _dtype(str(kind)) for column, kind in pairs})
    except (TypeError, ValueError, RuntimeError):  # a type that does not parse: RuntimeError
        return None


@functools.cache
def _dtype(text: str) -> Any:
    """The Ibis type written as `text` (parsing one costs about 0.2 ms: kept per process)."""
    return ibis.dtype(text)


def _write_arrow(path: Path, table: pa.Table) -> None:
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)


def _as_ibis_returns(table: pa.Table, schema: Any) -> pd.DataFrame:
    """An Arrow result as a DataFrame exactly as Ibis's DuckDB `execute` makes it (which then
    converts once more, to the same schema: a second pass that changes nothing)."""
    from ibis.backends.duckdb.converter import DuckDBPandasData

    frame = pd.DataFrame(
        {
            name: (
                column.to_pylist()
                if pat.is_nested(column.type) or pat.is_dictionary(column.type) or column.null_count
                else column.to_pandas()
            )
            for name, column in zip(table.column_names, table.columns, strict=True)
        }
    )
    return DuckDBPandasData.convert_table(frame, schema)
