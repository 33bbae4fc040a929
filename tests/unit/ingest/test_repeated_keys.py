"""A key repeated anywhere in a dataset is found by sorting (`validate._repeats`)."""

from __future__ import annotations

import ibis
import pytest

from consortia.ingest.validate import _repeats


@pytest.mark.parametrize(
    ("rows", "repeated"),
    [
        ([(1, "a"), (1, "b"), (2, "a")], False),  # each column repeats, the pair does not
        ([(2, "a"), (1, "b"), (2, "a")], True),  # apart in the file, together once sorted
        ([(None, "a"), (None, "a")], True),  # missing values alike
        ([(None, "a"), (1, "a")], False),  # the first row has no row before it
        ([], False),
    ],
)
def test_a_key_repeats_only_when_every_column_does(
    rows: list[tuple[int | None, str]], repeated: bool
) -> None:
    table = ibis.memtable(
        {"id": [r[0] for r in rows], "code": [r[1] for r in rows]},
        schema={"id": "int64", "code": "string"},
    )
    assert _repeats(table, ["id", "code"]) is repeated
