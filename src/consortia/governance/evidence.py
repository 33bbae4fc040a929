"""The evidence a plan cites: pack figures by id and the SHA-256 of their released tables.

A pack's `pack.json` lists each figure's table with its hash. Citing reads the hash from there
and checks the table file still has it, so the record holds exactly what the members saw.
Comparing the citations with a later pack shows which figures have changed since.
"""

from __future__ import annotations

import hashlib
import json
import stat
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from consortia.errors import DataError
from consortia.pack.destination import INDEX, TABLES
from consortia.store import models
from consortia.textfile import read_text

INDEX_BYTES = 20_000_000  # a pack's index holds each figure's SQL: a few MB at most


def read_index(pack: Path) -> dict[str, dict[str, Any]]:
    """The figures of the pack in folder `pack`, by id, with the pack's CCG code on each."""
    path = pack / INDEX
    try:
        index = json.loads(read_text(path, INDEX_BYTES))
        code = str(index["ccg"]["code"])
        figures = {str(f["id"]): {**f, "ccg": code} for f in index["figures"]}
    except (ValueError, KeyError, TypeError) as error:
        raise DataError(
            f"not a pack's index ({type(error).__name__}: {error})",
            file=str(path),
            rule="a pack.json written by `consortia pack`",
        ) from None
    return figures


def table_hash(pack: Path, figure: str) -> str | None:
    """SHA-256 of the figure's table file as it is now, or None if there is no such file."""
    path = pack / TABLES / f"{figure}.csv"
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            return None
        with path.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return None


def cite(pack: Path, figures: list[str]) -> list[dict[str, str]]:
    """Each named figure of the pack as a citation (`figure`, `title`, `ccg`, `sha256`).

    Refused, naming the file and figure: a figure the pack lacks, an index without hashes (a
    pack written before they were kept), or a table whose bytes no longer match its hash.
    """
    index = read_index(pack)
    cited = []
    for figure in figures:
        found = index.get(figure)
        if found is None:
            raise DataError(
                f"the pack has no figure {figure!r}",
                file=str(pack / INDEX),
                field=figure,
                rule="a plan cites figures of the pack",
            )
        digest = found.get("sha256")
        if not isinstance(digest, str):
            raise DataError(
                f"figure {figure!r} has no table hash: build the pack again",
                file=str(pack / INDEX),
                field=figure,
                rule="a cited figure names the hash of its released table",
            )
        if table_hash(pack, figure) != digest:
            raise DataError(
                f"the table of {figure!r} is not the one the pack released (its hash differs)",
                file=str(pack / TABLES / f"{figure}.csv"),
                field=figure,
                rule="a plan cites the table as released",
            )
        cited.append(
            {"figure": figure, "title": str(found["title"]), "ccg": found["ccg"], "sha256": digest}
        )
    return cited


def compare(session: Session, plan: int, pack: Path) -> list[dict[str, str]]:
    """Each figure the plan cites against the pack in `pack`: `same`, `changed` (its table
    differs from the one cited) or `missing` (the pack has no such figure)."""
    index = read_index(pack)
    rows = session.scalars(
        select(models.PlanEvidence)
        .where(models.PlanEvidence.plan == plan)
        .order_by(models.PlanEvidence.figure)
    )
    found = []
    for row in rows:
        now = index.get(row.figure)
        if now is None or now["ccg"] != row.ccg:
            state = "missing"
        else:
            state = "same" if now.get("sha256") == row.sha256 else "changed"
        found.append({"figure": row.figure, "cited": row.sha256, "state": state})
    return found
