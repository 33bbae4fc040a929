"""Plain SQL over a generated lake's Parquet files: the measuring stick of the synth tests."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import duckdb


def connect(lake: Path, datasets: Iterable[str]) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with one view per dataset of `lake`."""
    con = duckdb.connect()
    for name in datasets:
        con.execute(f"create view {name} as select * from read_parquet('{lake}/{name}/*.parquet')")
    return con


def scalar(db: duckdb.DuckDBPyConnection, sql: str) -> float:
    """The single value `sql` returns."""
    row = db.execute(sql).fetchone()
    assert row is not None
    return float(row[0])
