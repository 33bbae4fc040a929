"""Spec tests: what the risk models know of each patient on 1 April 2014, and what followed.

CCG 01A has practices A10001 and B10001; CCG 02B has C10001. Reference day: 1 April 2014,
look-back 1 April 2013 – 31 March 2014, outcome 1 April 2014 – 31 March 2015.

- patient 1, woman born June 1950 (63 on 1 April 2014), with A10001: diabetes recorded in
  2010 and COPD on 1 April 2014 itself (not before the reference day: not known); emergency
  admissions on 1 June 2013 (£100) and 1 March 2014 (£200): 31 days before the reference day;
  one before the look-back (1 March 2013, not counted); an A&E attendance (£50) and an attended
  first outpatient appointment (£80); then emergency admissions on 1 April 2014 and
  30 March 2015 (2) and 1 April 2015 (after the horizon: not counted);
- patient 2, man born April 1951 (63: his birthday month has come), with B10001: an elective
  admission (£400), a follow-up attended (£60) and one missed (not counted); no admission after;
- patient 3 with A10001 left on 1 January 2014 (not registered on the reference day);
- patient 4 with C10001, in the other CCG: an emergency admission in the outcome year.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pandas as pd
import pytest

from consortia.analyses.scope import Scope
from consortia.engine.lake import Lake
from consortia.risk.features import CONDITIONS, NEVER, Sample, features
from tests.engines import backend_of
from tests.spec.test_population_and_activity import START, appointment, arrival, patient, spell
from tests.spec.test_registration import practice
from tests.spec.tiny import write_lake

REFERENCE = date(2014, 4, 1)


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
            patient(2, "B10001", "M", (1951, 4), START),
            patient(3, "A10001", "F", (1960, 1), START, end=date(2014, 1, 1)),
            patient(4, "C10001", "F", (1960, 1), START),
        ],
        "condition": [
            {"patient_id": 1, "condition": "diabetes", "recorded_on": date(2010, 5, 1)},
            {"patient_id": 1, "condition": "copd", "recorded_on": REFERENCE},
        ],
        "apc": [
            spell(1, 1, "emergency", date(2013, 6, 1), 100),
            spell(2, 1, "emergency", date(2014, 3, 1), 200),
            spell(3, 1, "emergency", date(2013, 3, 1), 1000),  # before the look-back
            spell(4, 1, "emergency", date(2014, 4, 1), 300),  # outcome
            spell(5, 1, "emergency", date(2015, 3, 30), 300),  # outcome
            spell(6, 1, "emergency", date(2015, 4, 1), 300),  # after the horizon
            spell(7, 2, "elective", date(2013, 5, 1), 400),
            spell(8, 3, "emergency", date(2013, 7, 1), 800),
            spell(9, 4, "emergency", date(2014, 7, 1), 1600),
        ],
        "op": [
            appointment(1, 1, "first", "attended", date(2013, 9, 1), 80),
            appointment(2, 2, "follow_up", "attended", date(2013, 6, 1), 60),
            appointment(3, 2, "follow_up", "did_not_attend", date(2013, 7, 1), 90),
        ],
        "ae": [arrival(1, 1, datetime(2014, 2, 2, 10, 0), 50)],
    }
    folder = write_lake(tmp_path_factory.mktemp("risk"), rows)
    backend = backend_of(engine)
    return backend, Lake(folder).open(backend)


def test_each_patient_on_the_reference_day_with_what_came_before_and_after(
    lake: tuple[Any, Any],
) -> None:
    backend, tables = lake
    found = backend.execute(features(tables, Scope("01A"), REFERENCE))
    assert found["patient_id"].tolist() == [1, 2]
    first, second = (row for _, row in found.iterrows())
    assert (first.practice, first.sex, first.male, first.age) == ("A10001", "F", 0, 63)
    assert (second.practice, second.sex, second.male, second.age) == ("B10001", "M", 1, 63)
    assert {c for c in CONDITIONS if first[c]} == {"diabetes"}
    assert (first.conditions, second.conditions) == (1, 0)
    assert (first.emergency_admissions, first.ae_attendances, first.outpatient_attendances) == (
        2, 1, 1,
    )  # fmt: skip
    assert (second.elective_admissions, second.outpatient_attendances) == (1, 1)
    assert (first.cost, second.cost) == (430.0, 460.0)
    assert (first.days_since_emergency, second.days_since_emergency) == (31, NEVER)
    assert (first.admitted, second.admitted) == (2, 0)


def test_every_ccg_and_no_outcome(lake: tuple[Any, Any]) -> None:
    backend, tables = lake
    found = backend.execute(features(tables, Scope(None), REFERENCE, horizon=None))
    assert found["patient_id"].tolist() == [1, 2, 4]
    assert "admitted" not in found.columns
    assert found.set_index("patient_id").loc[4, "emergency_admissions"] == 0


def test_a_sample_is_its_patients_rows_of_everyone(lake: tuple[Any, Any]) -> None:
    """Patients 2 and 4 are even: a sample of pseudonyms modulo 2 below 1 keeps exactly them,
    with the very features and outcome everyone's rows give them."""
    backend, tables = lake
    everyone = backend.execute(features(tables, Scope(None), REFERENCE))
    sampled = backend.execute(features(tables, Scope(None), REFERENCE, sample=Sample(1, 2)))
    assert sampled["patient_id"].tolist() == [2, 4]
    expected = everyone[everyone["patient_id"].isin([2, 4])].reset_index(drop=True)
    pd.testing.assert_frame_equal(sampled.reset_index(drop=True), expected)
