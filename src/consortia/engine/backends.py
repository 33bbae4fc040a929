"""Backends that execute analysis definitions: DuckDB, embedded (nothing to start), and Spark.

Every analysis definition is an Ibis expression, so the same definition runs on either; the
tests hold both to the same answers. What only DuckDB can do (checking a lake names each broken
rule's row by the file's own row numbers) raises `EngineGapError` on Spark rather than
silently doing something else: the lake is checked with DuckDB, which reads its files in
place, before Spark analyses it.
"""

from __future__ import annotations

import atexit
import os
import secrets
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import Any

import ibis

from consortia.config import Settings
from consortia.errors import UsageError

BACKENDS = ("duckdb", "spark")
# Spark settings for a pack's small, many queries; a cluster's own configuration (its
# spark-defaults.conf, or Databricks' session) is kept for everything not named here.
SPARK_CONF = {
    "spark.app.name": "consortia",
    "spark.sql.session.timeZone": "UTC",  # dates and times as written, wherever it runs
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.ansi.enabled": "false",  # Ibis's pyspark backend compiles for non-ANSI SQL
}


class EngineGapError(UsageError):
    """Something only another engine can do was asked of this one."""


def spill_folder() -> str:
    """Where an embedded DuckDB spills what does not fit in its memory: a folder of its own in
    the system's temporary space, made by the engine only if it spills and removed when the
    process ends. DuckDB's default, `.tmp` in the working folder, would leave a folder wherever
    a command was run (and fail to spill where that folder cannot be written)."""
    name = f"consortia-engine-{os.getpid()}-{secrets.token_hex(4)}"
    folder = Path(tempfile.gettempdir()) / name
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return str(folder)


def connect(name: str = "duckdb", settings: Settings | None = None) -> Any:
    """A connection to backend `name`, configured from `settings`."""
    settings = settings or Settings()
    if name == "duckdb":
        options: dict[str, Any] = {"threads": settings.threads, "temp_directory": spill_folder()}
        if settings.memory_limit is not None:
            options["memory_limit"] = settings.memory_limit
        return ibis.duckdb.connect(**options)
    if name == "spark":
        return ibis.pyspark.connect(spark_session(settings))
    raise UsageError(
        f"unknown engine {name!r}; choose one of {', '.join(BACKENDS)}", field="--engine"
    )


def spark_session(settings: Settings) -> Any:
    """The Spark session: the active one (a cluster's, Databricks'), or one started on
    `settings.spark_master`, local with `settings.threads` cores by default."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise UsageError(
            "--engine spark needs pyspark and Java: pip install 'consortia[spark]' and a Java "
            "runtime (Debian: apt-get install default-jre-headless)",
            field="--engine",
        ) from None
    # pyspark 4.0 converts results with pandas' deprecated `copy` keyword: nothing to act on.
    warnings.filterwarnings("ignore", "The copy keyword is deprecated", module="pyspark")
    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    builder = SparkSession.builder.master(settings.spark_master or f"local[{settings.threads}]")
    for key, value in SPARK_CONF.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def is_duckdb(backend: Any) -> bool:
    """Whether `backend` is DuckDB's."""
    return str(getattr(backend, "name", "")) == "duckdb"


def checking(backend: Any) -> Any:
    """The backend that checks a lake for `backend`: itself if DuckDB, else an embedded DuckDB
    (only DuckDB names each broken rule's row by the file's own row numbers)."""
    return backend if is_duckdb(backend) else ibis.duckdb.connect(temp_directory=spill_folder())


def small_table(backend: Any, name: str, data: Any) -> Any:
    """A small Arrow table (a reference table) as a table of `backend`: copied into DuckDB
    under `name`; on Spark held in memory, since Spark's own tables are written to a warehouse
    folder and it has no temporary ones."""
    if is_duckdb(backend):
        return backend.create_table(name, data, overwrite=True)
    return ibis.memtable(data)
