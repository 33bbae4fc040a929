"""DuckDB and Spark give the same answers: random small economies, every definition the pack
slices per CCG and the national ones, run on both engines and compared."""

from __future__ import annotations

import inspect
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from tests.engines import SPARK, require_spark
from tests.spec.test_population_and_activity import START, patient, spell
from tests.spec.tiny import write_lake

import consortia.pack.build  # noqa: F401  (registers every definition of the pack)
from consortia.analyses import national, variation
from consortia.analyses.scope import Scope
from consortia.analyses.shared import SLICED
from consortia.engine.backends import connect
from consortia.measures.definition import measures
from consortia.pack.build import open_tables

pytestmark = [*SPARK.marks]
PRACTICES = {"A10001": "01A", "B10001": "02B", "C10001": "02B"}
PERIOD_START, PERIOD_DAYS = date(2013, 4, 1), 730


@st.composite
def economies(draw: st.DrawFn) -> dict[str, list[dict[str, Any]]]:
    """A few patients of three practices in two CCGs, registered and dying at random days,
    with emergency and elective spells at random days of the period."""
    people = []
    for pid in range(1, draw(st.integers(1, 10)) + 1):
        start = START + timedelta(days=draw(st.integers(0, 5600)))
        ends = draw(st.one_of(st.none(), st.integers(1, 900)))
        people.append(
            patient(
                pid,
                draw(st.sampled_from(sorted(PRACTICES))),
                draw(st.sampled_from("FM")),
                (draw(st.integers(1920, 2012)), draw(st.integers(1, 12))),
                start,
                end=None if ends is None else start + timedelta(days=ends),
            )
        )
    spells = [
        spell(
            sid,
            draw(st.integers(1, len(people))),
            draw(st.sampled_from(["emergency", "elective"])),
            PERIOD_START + timedelta(days=draw(st.integers(0, PERIOD_DAYS - 1))),
            draw(st.integers(0, 500_000)) / 100,
        )
        for sid in range(1, draw(st.integers(0, 25)) + 1)
    ]
    practice = {"contract": "GMS", "deprivation_decile": 5, "opened": START, "closed": None}
    return {
        "ccg": [
            {"code": "01A", "name": "NHS One CCG", "region": "north"},
            {"code": "02B", "name": "NHS Two CCG", "region": "south"},
        ],
        "practice": [
            {"code": code, "name": code, "ccg": ccg} | practice for code, ccg in PRACTICES.items()
        ],
        "patient": people,
        "apc": spells,
    }


def _arguments(definition: Any) -> list[Any]:
    names = list(inspect.signature(definition).parameters)[2:]
    return [date(2014, 1, 1) for _ in names]


def _normalised(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Rows in key order with pandas' nullable types; a column with no values at all is
    Float64 (DuckDB hands it back as objects, Spark as integers: no disagreement)."""
    frame = frame.sort_values(keys, ignore_index=True).convert_dtypes()
    for column in frame.columns:
        if frame[column].isna().all():
            frame[column] = pd.Series(pd.NA, index=frame.index, dtype="Float64")
    return frame


def _same(duckdb: pd.DataFrame, spark: pd.DataFrame, what: str) -> None:
    keys = list(duckdb.columns)
    assert list(spark.columns) == keys, what
    left, right = _normalised(duckdb, keys), _normalised(spark, keys)
    pd.testing.assert_frame_equal(left, right, check_dtype=False, rtol=1e-9, obj=what)


@settings(
    max_examples=3,
    deadline=None,
    # no shrinking: each example costs Spark seconds; the failing economy is printed whole
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=economies())
def test_both_engines_agree_on_random_economies(
    rows: dict[str, list[dict[str, Any]]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    require_spark()
    folder: Path = write_lake(tmp_path_factory.mktemp("random"), rows)
    on = {name: connect(name) for name in ("duckdb", "spark")}
    tables = {name: open_tables(backend, folder) for name, backend in on.items()}
    every = tuple(measures().values())
    runs: list[tuple[str, Any, Scope, list[Any]]] = [
        (d.__name__, d, Scope(ccg, 2013, 2), _arguments(d)) for d in SLICED for ccg in ("01A", None)
    ]
    runs += [
        ("observed_and_expected", variation.observed_and_expected, Scope("02B"), [every]),
        ("ccg_observed_and_expected", national.ccg_observed_and_expected, Scope(), [every]),
        ("ccgs", national.ccgs, Scope(), []),
    ]
    compared = 0
    for what, definition, scope, arguments in runs:
        results = {
            name: backend.execute(definition(tables[name], scope, *arguments))
            for name, backend in on.items()
        }
        _same(results["duckdb"], results["spark"], f"{what} over {scope}")
        compared += len(results["duckdb"])
    assert compared > 0  # every economy has CCGs and practices, so some result has rows
