"""`@shared`: a definition computed once per run and scope, and plain everywhere else."""

from __future__ import annotations

from typing import Any

import ibis
import pandas as pd
from ibis import _

from consortia.analyses.scope import Scope, Tables
from consortia.analyses.shared import Run, shared

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
