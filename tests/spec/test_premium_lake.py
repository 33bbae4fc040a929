"""Spec tests: the quality premium's lake measures on each engine, worked by hand.

CCG 01A (practice A10001) and 02B (C10001), everyone registered since 2000:

- patient 1, a woman born June 1950, A10001: an emergency admission for asthma (J45, a
  chronic ambulatory-care-sensitive condition) in May 2013, aged 63 on 1 October 2013
  (60-64); an emergency admission for chest pain (R07.4, not sensitive) in May 2014; A&E on
  1 June 2013 from 10:00 to 13:59 (within four hours); elective spells treated at 17 and 18
  weeks in 2013/14 (one within 18 weeks);
- patient 2, a man born January 1980, A10001: an emergency admission for tonsillitis (J03,
  acute sensitive) in July 2014, aged 34 (30-34); A&E on 1 July 2013 10:00–14:01 (not within)
  and 1 June 2014 10:00–14:00 (exactly four hours: within);
- patient 3, a woman born March 1945, A10001, died 1 June 2014 aged 69: 74 − 69 = 5 whole
  years lost, in 2014/15, age band 65-69;
- patient 4, a boy born May 2000, C10001 (CCG 02B), died 1 August 2013 aged 13: 61 years lost
  in 2013/14, age band 10-14.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from consortia.analyses.scope import Scope
from consortia.engine.lake import Lake
from consortia.finance.premium.lake import (
    ae_within_4_hours,
    avoidable_admissions,
    rtt_within_18_weeks,
    values,
    years_lost,
)
from tests.engines import backend_of
from tests.spec.test_population_and_activity import START, arrival, patient, spell
from tests.spec.test_registration import practice
from tests.spec.tiny import write_lake

SCOPE = Scope(ccg=None, first_year=2013, years=2)


def admitted(
    sid: int, pid: int, method: str, on: date, diagnosis: str, **kw: Any
) -> dict[str, Any]:
    return spell(sid, pid, method, on, 500.0) | {"primary_diagnosis": diagnosis} | kw


def attended(aid: int, pid: int, arrived: datetime, departed: datetime) -> dict[str, Any]:
    return arrival(aid, pid, arrived, 100.0) | {"departed_at": departed}


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory, engine: str) -> tuple[Any, Any]:
    rows: dict[str, list[dict[str, Any]]] = {
        "ccg": [
            {"code": "01A", "name": "NHS One CCG", "region": "north"},
            {"code": "02B", "name": "NHS Two CCG", "region": "south"},
        ],
        "practice": [practice("A10001", "01A"), practice("C10001", "02B")],
        "patient": [
            patient(1, "A10001", "F", (1950, 6), START),
            patient(2, "A10001", "M", (1980, 1), START),
            patient(
                3, "A10001", "F", (1945, 3), START, end=date(2014, 6, 1), died=date(2014, 6, 1)
            ),
            patient(
                4, "C10001", "M", (2000, 5), START, end=date(2013, 8, 1), died=date(2013, 8, 1)
            ),
        ],
        "apc": [
            admitted(1, 1, "emergency", date(2013, 5, 1), "J45"),
            admitted(2, 1, "emergency", date(2014, 5, 1), "R074"),
            admitted(3, 2, "emergency", date(2014, 7, 1), "J03"),
            admitted(4, 1, "elective", date(2013, 9, 1), "R074", rtt_weeks=17),
            admitted(5, 1, "elective", date(2013, 10, 1), "R074", rtt_weeks=18),
        ],
        "ae": [
            attended(1, 1, datetime(2013, 6, 1, 10, 0), datetime(2013, 6, 1, 13, 59)),
            attended(2, 2, datetime(2013, 7, 1, 10, 0), datetime(2013, 7, 1, 14, 1)),
            attended(3, 2, datetime(2014, 6, 1, 10, 0), datetime(2014, 6, 1, 14, 0)),
        ],
    }
    folder = write_lake(tmp_path_factory.mktemp("premium"), rows)
    backend = backend_of(engine)
    return backend, Lake(folder).open(backend)


def records(backend: Any, expression: Any) -> set[tuple[Any, ...]]:
    return {tuple(row) for row in backend.execute(expression).itertuples(index=False)}


def test_avoidable_admissions(lake: tuple[Any, Any]) -> None:
    backend, tables = lake
    assert records(backend, avoidable_admissions(tables, SCOPE)) == {
        ("01A", "2013/14", "60-64", 1),
        ("01A", "2014/15", "30-34", 1),
    }


def test_years_of_life_lost(lake: tuple[Any, Any]) -> None:
    backend, tables = lake
    assert records(backend, years_lost(tables, SCOPE)) == {
        ("01A", "2014/15", "65-69", 5, 1),
        ("02B", "2013/14", "10-14", 61, 1),
    }


def test_four_hours_and_eighteen_weeks(lake: tuple[Any, Any]) -> None:
    backend, tables = lake
    assert records(backend, ae_within_4_hours(tables, SCOPE)) == {
        ("01A", "2013/14", 2, 1),
        ("01A", "2014/15", 1, 1),
    }
    assert records(backend, rtt_within_18_weeks(tables, SCOPE)) == {("01A", "2013/14", 2, 1)}


def test_values_read_shares_with_limits_and_drop_uncovered_years(lake: tuple[Any, Any]) -> None:
    backend, tables = lake
    found = values(backend, tables, Scope(ccg="01A", first_year=2012, years=3))
    ae = {
        row["financial_year"]: row
        for row in found[found["measure"] == "ae_within_4_hours"].to_dict(orient="records")
    }
    assert ae["2013/14"]["value"] == pytest.approx(0.5)
    assert ae["2014/15"]["value"] == pytest.approx(1.0)
    assert ae["2013/14"]["lower"] < 0.5 < ae["2013/14"]["upper"]
    # 2012/13 has registered patients but no activity in the lake: not covered
    assert "2012/13" not in set(found["financial_year"])
    # empty age bands (and fewer than 10 events): no standardised rate (NaN)
    rates = found[found["measure"] == "avoidable_emergency_admissions"]
    assert rates["value"].isna().all()
