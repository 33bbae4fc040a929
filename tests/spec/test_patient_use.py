"""Spec tests: each practice's patients with most emergency admissions, under pseudonyms.

CCG 01A has practices A10001 and B10001; CCG 02B has C10001. Scope: 2013/14 only, so the
list is of 31 March 2014.

- patient 1, born June 1950 (63 on 31 March 2014), with A10001: emergency admissions on
  1 June 2013 (£100) and 1 December 2013 (£200), an A&E attendance on 2 February 2014 (£50),
  and an emergency admission on 1 March 2013, before the period (not counted): 2 emergency
  admissions, 1 A&E attendance, £350;
- patient 2, born January 1951 (63), with A10001: an elective admission on 1 May 2013 (£400),
  an outpatient attendance on 1 June 2013 (£80) and a missed appointment (not paid, not
  counted): 1 elective admission, 1 outpatient attendance, £480;
- patient 3, born March 1970 (44: her birthday month has come), with B10001: nothing;
- patient 4 with A10001 left on 1 January 2014 (not on the list), with an emergency admission;
- patient 5 with C10001, in the other CCG.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from consortia.analyses.patients import patient_use
from consortia.analyses.scope import Scope
from consortia.engine.lake import Lake
from tests.engines import backend_of
from tests.spec.test_population_and_activity import START, appointment, arrival, patient, spell
from tests.spec.test_registration import practice
from tests.spec.tiny import write_lake

SCOPE = Scope(ccg="01A", first_year=2013, years=1)


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory, engine: str) -> tuple[Any, Any]:
    rows: dict[str, list[dict[str, Any]]] = {
        "ccg": [
            {"code": "01A", "name": "NHS One CCG", "region": "north"},
            {"code": "02B", "name": "NHS Two CCG", "region": "south"},
        ],
        "practice": [
            practice("A10001", "01A"),
            practice("B10001", "01A"),
            practice("C10001", "02B"),
        ],
        "patient": [
            patient(1, "A10001", "F", (1950, 6), START),
            patient(2, "A10001", "M", (1951, 1), START),
            patient(3, "B10001", "F", (1970, 3), START),
            patient(4, "A10001", "F", (1960, 1), START, end=date(2014, 1, 1)),
            patient(5, "C10001", "F", (1960, 1), START),
        ],
        "apc": [
            spell(1, 1, "emergency", date(2013, 6, 1), 100),
            spell(2, 1, "emergency", date(2013, 12, 1), 200),
            spell(3, 1, "emergency", date(2013, 3, 1), 1000),  # before the period
            spell(4, 2, "elective", date(2013, 5, 1), 400),
            spell(5, 4, "emergency", date(2013, 7, 1), 800),
            spell(6, 5, "emergency", date(2013, 7, 1), 1600),
        ],
        "op": [
            appointment(1, 2, "first", "attended", date(2013, 6, 1), 80),
            appointment(2, 2, "follow_up", "did_not_attend", date(2013, 7, 1), 90),
        ],
        "ae": [arrival(1, 1, datetime(2014, 2, 2, 10, 0), 50)],
    }
    folder = write_lake(tmp_path_factory.mktemp("patients"), rows)
    backend = backend_of(engine)
    return backend, Lake(folder).open(backend)


COLUMNS = [
    "practice", "rank", "patient_id", "sex", "age", "deprivation_decile", "emergency_admissions",
    "elective_admissions", "ae_attendances", "outpatient_attendances", "cost",
]  # fmt: skip


def test_each_practice_lists_its_patients_by_emergency_admissions(lake: tuple[Any, Any]) -> None:
    backend, tables = lake
    found = backend.execute(patient_use(tables, SCOPE))
    assert list(found.columns) == COLUMNS
    assert found.astype(object).values.tolist() == [
        ["A10001", 1, 1, "F", 63, 5, 2, 0, 1, 0, 350.0],
        ["A10001", 2, 2, "M", 63, 5, 0, 1, 0, 1, 480.0],
        ["B10001", 1, 3, "F", 44, 5, 0, 0, 0, 0, 0.0],
    ]


def test_a_shorter_list_keeps_each_practices_first(lake: tuple[Any, Any]) -> None:
    backend, tables = lake
    found = backend.execute(patient_use(tables, SCOPE, listed=1))
    assert found[["practice", "patient_id"]].values.tolist() == [["A10001", 1], ["B10001", 3]]
