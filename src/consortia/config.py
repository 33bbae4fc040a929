"""One typed settings object, read from the environment once at the edge and passed in."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Settings of a Consortia process. Only `cli` constructs this; everything else takes it."""

    model_config = SettingsConfigDict(env_prefix="CONSORTIA_", frozen=True)

    demo_dir: Path = Field(
        default=Path("demo-data"), description="Where `consortia demo` keeps its lake and pack."
    )
    threads: int = Field(
        default=2,
        ge=1,
        description=(
            "Threads the embedded engine (DuckDB) may use; also the worker processes "
            "`pack --all-ccgs` draws packs with."
        ),
    )
    memory_limit: str | None = Field(
        default=None,
        description=(
            "Memory the embedded engine may use before it spills to disk, e.g. '4GB' "
            "(default: DuckDB's own, 80% of the machine's memory). It spills to a folder of "
            "its own in the system's temporary folder ($TMPDIR, else /tmp), removed when the "
            "command ends."
        ),
    )
    cache_dir: Path = Field(
        default_factory=lambda: (
            Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "consortia"
        ),
        description=(
            "Where the pack keeps each figure's compiled query for later runs (default: "
            "consortia in the user's cache folder, $XDG_CACHE_HOME or ~/.cache)."
        ),
    )
    progress: bool = Field(default=True, description="Show progress bars on long work.")
    traceback: bool = Field(
        default=False,
        description=(
            "Show where an internal error (a fault in consortia, not in its input) arose, "
            "as Python's traceback, rather than its one line."
        ),
    )
    spark_master: str | None = Field(
        default=None,
        description=(
            "Where `--engine spark` runs: a Spark master URL such as 'spark://host:7077' or "
            "'yarn' (default: the session a cluster or Databricks already provides, else "
            "local with `threads` cores)."
        ),
    )
    public_threshold: int = Field(
        default=7,
        description=(
            "Counts of people from 1 to this many are withheld from the public (at least 7, "
            "NHS Digital's rule; a CCG may withhold more)."
        ),
    )
    public_multiple: int = Field(
        default=5,
        description="Other counts the public reads are rounded to the nearest multiple of this "
        "(a multiple of 5).",
    )
    internal_threshold: int = Field(
        default=0,
        description=(
            "Counts from 1 to this many are withheld from the commissioning roles too (default "
            "0: they read counts as counted; at most the public's threshold)."
        ),
    )
    internal_multiple: int = Field(
        default=1,
        description=(
            "Counts the commissioning roles read are rounded to the nearest multiple of this "
            "(default 1: as counted; a divisor of the public's)."
        ),
    )
    pseudonym_key: Path | None = Field(
        default=None,
        description=(
            "The file holding the key `consortia ingest` makes pseudonyms of NHS numbers with "
            "(`consortia new-key`); kept outside the lake and the database."
        ),
    )
