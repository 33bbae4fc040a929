"""Opening a lake for a pack: parts a clean check still vouches for are not read again; a part
changed since is, and a torn one is refused by name."""

from __future__ import annotations

from pathlib import Path

import pytest

import consortia.engine.lake as lake_module
from consortia.engine.backends import connect
from consortia.errors import DataError
from consortia.ingest.validate import check_and_record
from consortia.pack.build import DATASETS, open_tables


def counted(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The parts whose footers are read."""
    read: list[Path] = []
    unreadable = lake_module.unreadable

    def counting(path: Path) -> str | None:
        read.append(path)
        return unreadable(path)

    monkeypatch.setattr(lake_module, "unreadable", counting)
    return read


def test_a_checked_lake_opens_without_reading_its_footers(
    lake: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    read = counted(monkeypatch)
    open_tables(connect(), lake)
    parts = sum(len(list((lake / name).glob("*.parquet"))) for name in DATASETS)
    assert len(read) == parts  # not checked: every part's footer read
    assert check_and_record(connect(), lake, DATASETS) == []
    read.clear()
    backend = connect()
    tables = open_tables(backend, lake)
    assert read == []
    assert backend.execute(tables["patient"].count()) > 0
    # a part torn since the check: the stamp no longer holds, the part is named
    part = sorted((lake / "apc").glob("*.parquet"))[0]
    part.write_bytes(part.read_bytes()[:-100])
    with pytest.raises(DataError, match="truncated") as refused:
        open_tables(connect(), lake)
    assert refused.value.file == str(part)
