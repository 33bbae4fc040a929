"""A lake is checked once per content: the stamp of a clean check holds only while nothing it
vouches for has changed, and a pack never skips the check of a lake that changed since."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from consortia.engine.backends import connect
from consortia.engine.lake import Lake
from consortia.errors import DataError
from consortia.ingest import checked
from consortia.ingest.validate import check_and_record, require_valid

NAMES = ("ccg", "practice", "patient", "registration")


@pytest.fixture
def lake(small_lake: Path, tmp_path: Path) -> Path:
    """A private copy of the small lake (the session's own is shared by other tests)."""
    copy = tmp_path / "lake"
    shutil.copytree(small_lake, copy)
    (copy / checked.STAMP).unlink(missing_ok=True)
    return copy


def current(lake: Path, names: tuple[str, ...] = NAMES) -> dict[str, object]:
    return checked.fingerprint(Lake(lake), names)


def test_a_clean_check_is_stamped_and_holds_until_a_part_changes(lake: Path) -> None:
    assert not checked.holds(lake, current(lake))
    assert check_and_record(connect(), lake, NAMES) == []
    assert checked.holds(lake, current(lake))
    # Any subset of what one clean check covered is vouched for; a dataset it did not check is not.
    assert checked.holds(lake, current(lake, ("patient",)))
    assert not checked.holds(lake, current(lake, ("apc",)))

    part = Lake(lake).files("patient")[0]
    stat = part.stat()
    os.utime(part, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))  # rewritten: a new mtime
    assert not checked.holds(lake, current(lake))


def test_a_new_part_or_changed_rules_void_the_stamp(lake: Path) -> None:
    check_and_record(connect(), lake, NAMES)
    first = Lake(lake).files("practice")[0]
    shutil.copy(first, first.with_name("part-99999.parquet"))
    assert not checked.holds(lake, current(lake))

    first.with_name("part-99999.parquet").unlink()
    assert checked.holds(lake, current(lake))
    stamp = json.loads((lake / checked.STAMP).read_text())
    stamp["checks"][-1]["practice"]["rules"] = "0" * 64  # checked under other rules
    (lake / checked.STAMP).write_text(json.dumps(stamp))
    assert not checked.holds(lake, current(lake))


@pytest.mark.parametrize("content", ["", "{", "[]", '{"format": 2, "checks": []}', "\udcff"])
def test_a_broken_stamp_means_check_again(lake: Path, content: str) -> None:
    (lake / checked.STAMP).write_bytes(content.encode("utf-8", "surrogateescape"))
    assert not checked.holds(lake, current(lake))
    require_valid(connect(), lake, NAMES)  # checks, finds it clean, and stamps it afresh
    assert checked.holds(lake, current(lake))


def test_bad_data_written_after_a_clean_check_is_still_refused(lake: Path) -> None:
    require_valid(connect(), lake, NAMES)
    part = Lake(lake).files("patient")[0]
    table = pq.read_table(part)
    sexes = table.column("sex").to_pylist()
    sexes[0] = "unknown"  # not a code of the schema
    table = table.set_column(table.schema.get_field_index("sex"), "sex", [sexes])
    pq.write_table(table, part)
    with pytest.raises(DataError) as refused:
        require_valid(connect(), lake, NAMES)
    assert refused.value.field == "sex"
    assert not checked.holds(lake, current(lake))  # a refusal leaves no stamp


def test_a_read_only_lake_is_checked_each_time_and_left_as_it_was(lake: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root writes into read-only folders")
    before = sorted(p.name for p in lake.iterdir())
    lake.chmod(0o555)
    try:
        require_valid(connect(), lake, NAMES)
        assert sorted(p.name for p in lake.iterdir()) == before
    finally:
        lake.chmod(0o755)


def test_a_stamp_that_cannot_be_written_leaves_the_lake_as_it_was(lake: Path) -> None:
    (lake / checked.STAMP).mkdir()  # in the way, for root as for anyone
    before = sorted(p.name for p in lake.iterdir())
    require_valid(connect(), lake, NAMES)
    assert sorted(p.name for p in lake.iterdir()) == before
    assert not checked.holds(lake, current(lake))
