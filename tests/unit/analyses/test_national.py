"""Every CCG side by side: CCG ratios are their practices' sums, and what they must add up to."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from consortia.analyses import national, population, variation
from consortia.analyses.scope import Scope
from consortia.engine.backends import connect
from consortia.measures.definition import measures
from consortia.pack.build import open_tables
from tests.conftest import make_lake

EVERYONE = Scope()
MEASURES = tuple(measures().values())


@pytest.fixture(scope="module")
def three_ccgs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, dict[str, Any]]:
    lake = make_lake(tmp_path_factory.mktemp("national"), "lake", patients=24_000, ccgs=3, seed=7)
    backend = connect()
    return backend, open_tables(backend, lake)


def test_summed_over_ccgs_expected_events_equal_observed(
    three_ccgs: tuple[Any, dict[str, Any]],
) -> None:
    """With everyone as the reference, indirect standardisation expects, in total, exactly the
    events observed: the reference rates are the totals' own."""
    backend, tables = three_ccgs
    result = backend.execute(national.ccg_observed_and_expected(tables, EVERYONE, MEASURES))
    assert set(result["ccg"]) == set(backend.execute(tables["ccg"])["code"])
    totals = result.groupby("measure")[["observed", "expected"]].sum()
    assert len(totals) == len(MEASURES)
    assert (totals["observed"] > 0).all()
    pd.testing.assert_series_equal(
        totals["expected"], totals["observed"].astype(float), check_names=False, rtol=1e-9
    )


def test_a_ccgs_counts_are_its_practices_counted_for_it_alone(
    three_ccgs: tuple[Any, dict[str, Any]],
) -> None:
    """Each CCG's observed events, expected events and person-years equal the sums of the
    practice variation figures of its own pack (a separate query per CCG)."""
    backend, tables = three_ccgs
    result = backend.execute(national.ccg_observed_and_expected(tables, EVERYONE, MEASURES))
    for ccg, rows in result.groupby("ccg"):
        own = backend.execute(
            variation.observed_and_expected(tables, Scope(ccg=str(ccg)), MEASURES)
        )
        sums = own.groupby("measure")[["observed", "expected", "person_years"]].sum()
        mine = rows.set_index("measure")[["observed", "expected", "person_years"]]
        pd.testing.assert_frame_equal(
            mine.sort_index(), sums.sort_index(), check_dtype=False, rtol=1e-9
        )


def test_each_ccg_lists_its_practices_and_everyone_ever_registered(
    three_ccgs: tuple[Any, dict[str, Any]],
) -> None:
    backend, tables = three_ccgs
    listed = backend.execute(national.ccgs(tables, EVERYONE)).set_index("ccg")
    practice = backend.execute(tables["practice"])
    ccg = backend.execute(tables["ccg"]).set_index("code")
    assert list(listed.index) == sorted(ccg.index)
    for code, row in listed.iterrows():
        assert row["name"] == ccg.loc[code, "name"]
        assert row["region"] == ccg.loc[code, "region"]
        assert row["practices"] == (practice["ccg"] == code).sum()
        counted = backend.execute(population.in_scope(tables, Scope(ccg=str(code))).count())
        assert row["patients"] == counted > 0


def test_a_ccgs_scope_is_refused(three_ccgs: tuple[Any, dict[str, Any]]) -> None:
    _, tables = three_ccgs
    with pytest.raises(ValueError, match="every CCG"):
        national.ccgs(tables, Scope(ccg="00A"))
