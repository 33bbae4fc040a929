"""Generated extracts: records in = records loaded + records quarantined, for 1,000 files.

Each file mixes good records (unique ids, every rule kept) with records spoiled in one field by
generated text, and is written with generated quirks (byte-order mark, line ends, quoting).
Whatever the spoiling, every good record is loaded, every record loaded is a good one or a
spoiled one that happens to keep every rule, and nothing is counted twice or lost.
"""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.ingest_files import FIELDS, GOOD, KEY, ROW, SECOND, make_base

from consortia.engine.backends import connect
from consortia.engine.lake import Lake
from consortia.ingest.batch import import_file

pytestmark = pytest.mark.slow

spoiled_field = st.sampled_from(FIELDS)
spoiling = st.one_of(
    # no lone carriage return: csv.writer leaves it unquoted under "\n" line ends, so the file
    # would truly hold one more record than the plan
    st.text(st.characters(exclude_characters="\r"), max_size=30),
    st.sampled_from(["", "NaN", "-1", "1e999", "9223372036854775808", "2014-02-30", "=1+1"]),
    st.integers().map(str),
    st.dates().map(str),
)
record = st.one_of(st.none(), st.tuples(spoiled_field, spoiling))  # None: a good record


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("extracts")
    return make_base(connect("duckdb"), folder, tmp_path_factory.mktemp("base") / "lake")


def _write(plan: list[Any], bom: bool, end: str, quoting: Any) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=end, quoting=quoting)
    writer.writerow(FIELDS)
    for index, spoil in enumerate(plan):
        values = {**ROW, "spell_id": str(index + 1), "nhs_number": (GOOD, SECOND)[index % 2]}
        if spoil is not None:
            field, text = spoil
            values[field] = text
            if field != "spell_id":
                values["spell_id"] = str(1_000_000 + index)
        writer.writerow([values[f] for f in FIELDS])
    return (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode("utf-8", "surrogatepass")


@settings(
    max_examples=1_000,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    plan=st.lists(record, max_size=25),
    bom=st.booleans(),
    end=st.sampled_from(["\n", "\r\n"]),
    quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
)
def test_every_record_is_loaded_or_quarantined_once(
    base: Path, plan: list[Any], bom: bool, end: str, quoting: Any
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        lake = Path(folder) / "lake"
        shutil.copytree(base, lake)
        source = Path(folder) / "apc.csv"
        source.write_bytes(_write(plan, bom, end, quoting))
        outcome = import_file(connect_once(), source, "apc", lake, KEY, max_share=1.0)
        assert outcome.rows_in == len(plan)
        assert outcome.loaded + outcome.quarantined == len(plan)
        [part] = Lake(lake).files("apc")
        loaded = pq.read_table(part, columns=["spell_id"]).column(0).to_pylist()
        assert len(loaded) == outcome.loaded == len(set(loaded))
        good = {i + 1 for i, spoil in enumerate(plan) if spoil is None}
        assert good <= set(loaded)


_CON: list[Any] = []


def connect_once() -> Any:
    """One engine for every example (connecting costs more than the import of a small file)."""
    if not _CON:
        _CON.append(connect("duckdb"))
    return _CON[0]
