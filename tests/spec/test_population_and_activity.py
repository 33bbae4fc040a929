"""Spec tests: tiny tables in, hand-worked answers out.

The patients and events below are few enough to count by hand; each expected number is
worked out in the comments, not taken from the code's output.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from consortia.analyses import activity, population
from consortia.analyses.scope import Scope
from consortia.engine.lake import Lake
from tests.engines import backend_of
from tests.spec.tiny import write_lake


def patient(
    pid: int, practice: str, sex: str, born: tuple[int, int], start: date, **kw: Any
) -> dict[str, Any]:
    return {
        "patient_id": pid,
        "practice": practice,
        "sex": sex,
        "birth_year": born[0],
        "birth_month": born[1],
        "deprivation_decile": 5,
        "registered_from": start,
        "registered_to": kw.get("end"),
        "date_of_death": kw.get("died"),
    }


def spell(sid: int, pid: int, method: str, on: date, cost: float) -> dict[str, Any]:
    return {
        "spell_id": sid,
        "patient_id": pid,
        "provider": "RAA",
        "admitted_on": on,
        "discharged_on": on,
        "method": method,
        "day_case": method == "elective",
        "primary_diagnosis": "R074",
        "hrg": "EB12",
        "treatment_function": "300",
        "cost": cost,
        "rtt_weeks": 5 if method == "elective" else None,
    }


def appointment(
    aid: int, pid: int, kind: str, status: str, on: date, cost: float
) -> dict[str, Any]:
    return {
        "attendance_id": aid,
        "patient_id": pid,
        "provider": "RAA",
        "attended_on": on,
        "attendance_type": kind,
        "treatment_function": "300",
        "referral_source": "gp",
        "attendance_status": status,
        "cost": cost,
    }


def arrival(aid: int, pid: int, at: datetime, cost: float) -> dict[str, Any]:
    return {
        "attendance_id": aid,
        "patient_id": pid,
        "provider": "RAA",
        "arrived_at": at,
        "departed_at": at,
        "department_type": "01",
        "arrival_mode": "other",
        "disposal": "discharged",
        "cost": cost,
    }


START = date(2000, 1, 1)


def rows() -> dict[str, list[dict[str, Any]]]:
    """The tiny economy's rows: two CCGs, seven patients, a few events each."""
    return {
        "ccg": [
            {"code": "01A", "name": "NHS One CCG", "region": "north"},
            {"code": "02B", "name": "NHS Two CCG", "region": "south"},
        ],
        "practice": [
            {
                "code": "A10001",
                "name": "A",
                "ccg": "01A",
                "contract": "GMS",
                "deprivation_decile": 5,
                "opened": START,
                "closed": None,
            },
            {
                "code": "B10001",
                "name": "B",
                "ccg": "02B",
                "contract": "PMS",
                "deprivation_decile": 5,
                "opened": START,
                "closed": None,
            },
        ],
        "patient": [
            patient(1, "A10001", "F", (1950, 6), START),  # 63 on 1 Oct 2013: 60-64
            patient(2, "A10001", "M", (2013, 11), date(2013, 11, 20)),  # not yet registered
            patient(3, "A10001", "M", (1920, 1), START),  # 93: 90+
            patient(4, "B10001", "F", (1960, 1), START),  # another CCG's
            patient(5, "A10001", "F", (1983, 10), START),  # 30 (birthday month): 30-34
            patient(6, "A10001", "F", (1983, 11), START),  # 29: 25-29
            patient(
                7, "A10001", "F", (1940, 1), START, end=date(2013, 8, 1), died=date(2013, 8, 1)
            ),  # died before 1 October
        ],
        "apc": [
            spell(1, 1, "emergency", date(2013, 5, 1), 1000),
            spell(2, 1, "elective", date(2013, 6, 1), 500),
            spell(3, 5, "maternity", date(2014, 1, 10), 2000),
            spell(4, 4, "emergency", date(2013, 5, 1), 9999),  # other CCG: excluded
            spell(5, 3, "transfer", date(2014, 5, 1), 300),
        ],
        "op": [
            appointment(1, 6, "first", "attended", date(2013, 7, 1), 100),
            appointment(2, 6, "follow_up", "did_not_attend", date(2013, 8, 1), 0),
            appointment(3, 6, "follow_up", "attended", date(2014, 7, 1), 80),
        ],
        "ae": [
            arrival(1, 2, datetime(2015, 3, 31, 23, 0), 120),
            arrival(2, 1, datetime(2015, 4, 1, 0, 30), 120),  # after the period
        ],
    }


@pytest.fixture(scope="module")
def tables(tmp_path_factory: pytest.TempPathFactory, engine: str) -> tuple[Any, Any]:
    lake = write_lake(tmp_path_factory.mktemp("tiny"), rows())
    backend = backend_of(engine)
    return backend, Lake(lake).open(backend)


def test_registered_population(tables: tuple[Any, Any]) -> None:
    backend, lake = tables
    result = backend.execute(
        population.registered_population(lake, Scope(ccg="01A"), date(2013, 10, 1))
    )
    assert sorted(map(tuple, result.to_numpy().tolist())) == [
        ("A10001", "25-29", "F", 1),
        ("A10001", "30-34", "F", 1),
        ("A10001", "60-64", "F", 1),
        ("A10001", "90+", "M", 1),
    ]


def test_activity_rates(tables: tuple[Any, Any]) -> None:
    backend, lake = tables
    result = backend.execute(activity.activity_rates(lake, Scope(ccg="01A")))
    got = {
        (r.financial_year, r.pod): (
            r.events,
            r.cost,
            r.population,
            r.rate_per_1000,
            r.cost_per_head,
        )
        for r in result.itertuples()
    }
    # 2013/14: 4 registered on 1 Oct 2013 (patients 1, 3, 5, 6)
    # 2014/15: 5 registered on 1 Oct 2014 (patient 2 joined in November 2013)
    # Emergency admissions are spell 1 only; the maternity spell (3) and the transfer (5) are
    # other non-elective admissions, never counted as emergencies.
    assert got == {
        ("2013/14", "emergency"): (1, 1000.0, 4, 250.0, 250.0),
        ("2013/14", "other_non_elective"): (1, 2000.0, 4, 250.0, 500.0),
        ("2013/14", "elective"): (1, 500.0, 4, 250.0, 125.0),
        ("2013/14", "op_first"): (1, 100.0, 4, 250.0, 25.0),
        ("2014/15", "other_non_elective"): (1, 300.0, 5, 200.0, 60.0),
        ("2014/15", "op_follow_up"): (1, 80.0, 5, 200.0, 16.0),
        ("2014/15", "ae"): (1, 120.0, 5, 200.0, 24.0),
    }
    names = dict(zip(result["pod"], result["point_of_delivery"], strict=True))
    assert names["emergency"] == "emergency admissions (admission methods 21–28)"
    assert names["other_non_elective"] == "other non-elective admissions (maternity and transfers)"
