"""`@shared`: a definition computed once per run and scope, and plain everywhere else."""

from __future__ import annotations

import inspect
from datetime import date
from pathlib import Path
from typing import Any

import ibis
import pandas as pd
import pytest
from ibis import _

from consortia.analyses.scope import Scope, Tables
from consortia.analyses.shared import SLICED, Run, shared
from consortia.engine.backends import connect
from consortia.pack.build import open_tables
from tests.conftest import make_lake

built: list[Scope] = []


@shared
def events_by_practice(tables: Tables, scope: Scope) -> Any:
    """Events per practice (built once per run and scope when `tables` is a `Run`)."""
    built.append(scope)
    return tables["events"].group_by("practice").aggregate(events=_.count())


def _tables() -> dict[str, Any]:
    backend = ibis.duckdb.connect()
    frame = pd.DataFrame({"practice": ["A", "A", "B"]})
    return {"events": backend.create_table("events", frame)}


def test_in_a_run_each_scope_is_computed_once_and_read_back_after() -> None:
    built.clear()
    run = Run(_tables())
    ccg, everyone = Scope("01A", 2013, 1), Scope(None, 2013, 1)
    first = events_by_practice(run, ccg)
    assert events_by_practice(run, ccg) is first
    assert events_by_practice(run, everyone) is not first
    assert built == [ccg, everyone]
    # in the run it reads a temporary table (why the pack shows the plain definition's SQL)
    assert "ibis_cached" in ibis.to_sql(first, dialect="duckdb")
    # A has two events and B one, counted by hand
    rows = first.execute().sort_values("practice")
    assert rows.to_dict("list") == {"practice": ["A", "B"], "events": [2, 1]}


def test_outside_a_run_the_definition_is_plain() -> None:
    built.clear()
    tables = _tables()
    scope = Scope("01A", 2013, 1)
    first = events_by_practice(tables, scope)
    events_by_practice(tables, scope)
    assert built == [scope, scope]
    # the plain expression groups the lake's table itself, not a materialised copy
    sql = ibis.to_sql(first, dialect="duckdb")
    assert "GROUP BY" in sql
    assert "ibis_cached" not in sql
    assert list(Run(tables)) == ["events"]
    assert len(Run(tables)) == 1


@pytest.fixture(scope="module")
def three_ccgs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three CCGs sharing providers, with patients who move between practices."""
    return make_lake(tmp_path_factory.mktemp("three"), "lake", patients=24_000, ccgs=3, seed=7)


def _arguments(definition: Any) -> list[Any]:
    """A value for each argument after the scope (a day, for those taking one)."""
    names = list(inspect.signature(definition).parameters)[2:]
    assert set(names) <= {"on"}, f"{definition.__name__}: give the test a value for {names}"
    return [date(2014, 1, 1) for _ in names]


def test_a_ccg_sliced_from_everyone_is_the_ccg_computed_directly(three_ccgs: Path) -> None:
    """The promise behind `shared(by=...)`, for every definition that makes it: in a run, a
    CCG's result (everyone's, restricted to the CCG) equals the definition computed for the
    CCG alone on the lake's own tables."""
    import consortia.pack.build  # noqa: F401  (registers every definition of the pack)

    assert {d.__name__ for d in SLICED} >= {"activity_detail", "population_by_age"}
    backend = connect()
    tables = open_tables(backend, three_ccgs)
    ccgs = sorted(backend.execute(tables["ccg"])["code"])
    assert len(ccgs) == 3
    run = Run(tables)
    for definition in SLICED:
        arguments = _arguments(definition)
        for ccg in ccgs:
            scope = Scope(ccg, 2013, 2)
            sliced = backend.execute(definition(run, scope, *arguments))
            direct = backend.execute(definition(tables, scope, *arguments))
            assert len(direct) > 0, (definition.__name__, ccg)
            keys = list(direct.columns)
            pd.testing.assert_frame_equal(
                sliced[keys].sort_values(keys).reset_index(drop=True),
                direct.sort_values(keys).reset_index(drop=True),
                obj=f"{definition.__name__} for {ccg}",
            )
