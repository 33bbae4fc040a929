"""A generated corpus of broken lake files through `check` and `pack`: no traceback, ever.

Hypothesis damages one file of a small good lake — random bytes, a truncation at a random
offset, a column of the wrong type, NaN, infinities, huge integers or odd strings in a valid
Parquet file, CSV or JSON renamed `.parquet`, an empty folder or a dangling link — and the
command's entry point is run in-process. It may succeed or refuse with a documented exit
code and one-line errors; anything else (a traceback, exit code 1) fails the test.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from tests import bad_lakes
from tests.cli_run import DOCUMENTED, run
from tests.conftest import make_lake

from consortia.errors import ExitCode
from consortia.pack.build import DATASETS as PACKED
from consortia.schema.datasets import DATASETS

NAMES = sorted(DATASETS)
# Examples are slow (a lake each): shrinking a failure would take minutes; report it as found.
BOUNDED = settings(
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ODD_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"]),  # Parquet text is UTF-8
    max_size=40,
)


@dataclass(frozen=True)
class Damage:
    """One change to a copied lake, described for hypothesis's report."""

    description: str
    apply: Callable[[Path], object]

    def __repr__(self) -> str:
        return self.description


@pytest.fixture(scope="module")
def good_lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One CCG of 300 patients."""
    return make_lake(tmp_path_factory.mktemp("corpus"), "lake", patients=300, seed=8)


def _new_part(dataset: str, data: bytes) -> Damage:
    def apply(lake: Path) -> None:
        (lake / dataset / "part-99999.parquet").write_bytes(data)

    return Damage(f"{dataset}: new part of {len(data)} bytes {data[:16]!r}", apply)


def _truncate(dataset: str, fraction: float) -> Damage:
    def apply(lake: Path) -> None:
        path = bad_lakes.part(lake, dataset)
        data = path.read_bytes()
        path.unlink()
        path.write_bytes(data[: int(len(data) * fraction)])

    return Damage(f"{dataset}: truncated to {fraction:.3f} of its bytes", apply)


def _replace_column(where: tuple[str, str], values: list[object], kind: pa.DataType) -> Damage:
    dataset, column = where

    def change(table: pa.Table) -> pa.Table:
        n = table.num_rows
        array = pa.array([values[i % len(values)] for i in range(n)], type=kind)
        index = table.schema.get_field_index(column)
        return table.set_column(index, pa.field(column, kind), array)

    return Damage(
        f"{dataset}.{column} as {kind}: {values[:3]!r}",
        lambda lake: bad_lakes.rewrite(lake, dataset, change),
    )


def _set_value(where: tuple[str, str], row: int, value: object) -> Damage:
    dataset, column = where

    def change(table: pa.Table) -> pa.Table:
        field = table.schema.field(column)
        values = table[column].to_pylist()
        values[row % len(values)] = value
        return table.set_column(
            table.schema.get_field_index(column), field, pa.array(values, type=field.type)
        )

    return Damage(
        f"{dataset}.{column} row {row}: {value!r}",
        lambda lake: bad_lakes.rewrite(lake, dataset, change),
    )


def _not_utf8(where: tuple[str, str], row: int) -> Damage:
    dataset, column = where

    def change(table: pa.Table) -> pa.Table:
        return bad_lakes.not_utf8(table, column, row % table.num_rows)

    return Damage(
        f"{dataset}.{column} row {row}: bytes FF FE",
        lambda lake: bad_lakes.rewrite(lake, dataset, change),
    )


def _entry(dataset: str, kind: str) -> Damage:
    def apply(lake: Path) -> None:
        path = lake / dataset / "part-99999.parquet"
        if kind == "folder":
            path.mkdir()
        else:
            path.symlink_to(lake / "missing.parquet")

    return Damage(f"{dataset}: {kind} named part-99999.parquet", apply)


def _columns(dtype: str, names: list[str] = NAMES) -> st.SearchStrategy[tuple[str, str]]:
    pairs = [(d, c.name) for d in names for c in DATASETS[d].columns if c.dtype == dtype]
    return st.sampled_from(pairs)


HUGE = st.sampled_from([2**63 - 1, -(2**63), 2**31, -1])
FLOATS = st.sampled_from([float("nan"), float("inf"), float("-inf"), -1e308, 1e308])


def raw(names: list[str]) -> st.SearchStrategy[Damage]:
    """Files that are not Parquet, or not whole, among the parts of `names`."""
    dataset = st.sampled_from(names)
    return st.one_of(
        st.builds(_new_part, dataset, st.binary(max_size=600)),
        st.builds(
            _new_part,
            dataset,
            st.sampled_from([b"code,name\n00A,NHS Somewhere CCG\n", b'{"code": "00A"}\n', b"PAR1"]),
        ),
        st.builds(_truncate, dataset, st.floats(0.0, 0.999)),
        st.builds(_entry, dataset, st.sampled_from(["folder", "dangling link"])),
    )


def wrong_values(names: list[str]) -> st.SearchStrategy[Damage]:
    """Valid Parquet breaking a rule: a column's type, a number not finite, text not UTF-8."""
    return st.one_of(
        st.builds(
            _replace_column,
            _columns("int64", names),
            st.lists(ODD_TEXT, min_size=1, max_size=3),
            st.just(pa.string()),
        ),
        st.builds(
            _replace_column,
            _columns("string", names),
            st.lists(HUGE, min_size=1, max_size=3),
            st.just(pa.int64()),
        ),
        st.builds(_set_value, _columns("float64", names), st.integers(0), FLOATS),
        st.builds(_not_utf8, _columns("string", names), st.integers(0)),
    )


VALID_BUT_ODD = st.one_of(
    st.builds(_set_value, _columns("string"), st.integers(0), ODD_TEXT),
    st.builds(_set_value, _columns("int64"), st.integers(0), HUGE),
)


def damaged(good: Path, damage: Damage) -> Path:
    lake = bad_lakes.copy_lake(good, good.parent / f"case-{uuid.uuid4().hex}")
    damage.apply(lake)
    return lake


def assert_clean_exit(code: int, stderr: str, allowed: set[int]) -> None:
    assert code in allowed, stderr
    assert "Traceback" not in stderr
    assert all(line.startswith("error: ") for line in stderr.strip().splitlines()), stderr


@pytest.fixture(autouse=True)
def _quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONSORTIA_PROGRESS", "false")


@settings(BOUNDED, max_examples=12)
@given(damage=st.one_of(raw(NAMES), wrong_values(NAMES), VALID_BUT_ODD))
def test_check_never_crashes_on_a_broken_file(good_lake: Path, damage: Damage) -> None:
    lake = damaged(good_lake, damage)
    try:
        code, stderr = run("check", "--data", str(lake))
        assert_clean_exit(code, stderr, DOCUMENTED)
    finally:
        shutil.rmtree(lake)


@settings(BOUNDED, max_examples=6)
@given(damage=st.one_of(raw(list(PACKED)), wrong_values(list(PACKED))))
def test_pack_refuses_a_broken_file_before_any_analysis(
    good_lake: Path, tmp_path: Path, damage: Damage
) -> None:
    lake = damaged(good_lake, damage)
    out = tmp_path / uuid.uuid4().hex
    try:
        code, stderr = run("pack", "--data", str(lake), "--out", str(out))
        assert_clean_exit(code, stderr, {int(ExitCode.DATA)})
        assert not out.exists()
    finally:
        shutil.rmtree(lake)
