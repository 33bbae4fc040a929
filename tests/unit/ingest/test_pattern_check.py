"""A column's pattern is tested once per distinct value; a list of values cut off at
`DISTINCT_CODES` is never taken for all of them, a missing value included."""

from __future__ import annotations

import ibis
import pytest

from consortia.engine.backends import connect
from consortia.ingest import validate
from consortia.schema.datasets import DATASETS

PROVIDER = next(c for c in DATASETS["op"].columns if c.name == "provider")


@pytest.mark.parametrize("limit", [1, 2, 3, 4, 100])
def test_one_broken_code_is_found_whatever_the_cut_off(
    limit: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Four distinct values, one of them missing and one ("X1") no provider code: with the
    list cut off at 1 to 3 values the rows are tested; at 4 or more the list is whole."""
    monkeypatch.setattr(validate, "DISTINCT_CODES", limit)
    backend = connect()
    rows = ibis.memtable({"provider": [None, "RAA", "RBB", "X1", "RAA", None]})
    table = backend.create_table("op_rows", rows, temp=True)
    assert validate._breaks_pattern(table, PROVIDER)
    good = ibis.memtable({"provider": [None, "RAA", "RBB", "NQ1", None]})
    clean = backend.create_table("op_good", good, temp=True)
    assert not validate._breaks_pattern(clean, PROVIDER)
