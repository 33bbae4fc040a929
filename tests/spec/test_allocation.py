"""Spec tests: what an allocation is fitted from, on each engine, worked by hand.

CCG 01A has practice A10001, CCG 02B practice C10001; all registered since 2000. The base
year is 2013/14 (the allocation for 2014/15):

- patient 1, a woman born June 1950 (63 on 1 October 2013: 60-64), deprivation decile 5
  (quintile 3), A10001, hypertension (2010) and diabetes (2011) on the registers: morbidity 2;
  an elective admission £1,000 and an outpatient appointment £100 (planned), an emergency
  admission £3,000 (urgent); an emergency admission £500 in May 2014 (not the base year);
- patient 2, a boy born January 2010 (3: 0-4), decile 1 (quintile 1), A10001, no
  conditions; an A&E attendance £150 (urgent);
- patient 3, a woman born March 1950 (63: 60-64), decile 5, C10001, asthma recorded in June
  2013 (after the year began: morbidity 0); an emergency admission £2,000; died on
  1 October 2013, when her registration ended: 183 days of 365 registered, one death under 75.

Budget risk's person costs for 2013/14 are of those listed on 1 April 2013: patient 1
£1,000 + £100 + £3,000 = £4,100 (May 2014 is the next year), patient 2 £150, patient 3 £2,000
(before she died); 01A lists two patients, 02B one.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from consortia.analyses.scope import Scope
from consortia.engine.lake import Lake
from consortia.finance.budget_risk import list_sizes, person_costs
from consortia.finance.need import base_spend, base_year, deaths_under_75, need_cells
from consortia.finance.parameters import allocation_parameters
from tests.engines import backend_of
from tests.spec.test_population_and_activity import START, appointment, arrival, patient, spell
from tests.spec.test_registration import practice
from tests.spec.tiny import write_lake

DIED = date(2013, 10, 1)
COMPONENTS = tuple(allocation_parameters("2014/15").components)  # planned, urgent


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
            patient(2, "A10001", "M", (2010, 1), START) | {"deprivation_decile": 1},
            patient(3, "C10001", "F", (1950, 3), START, end=DIED, died=DIED),
        ],
        "condition": [
            {"patient_id": 1, "condition": "hypertension", "recorded_on": date(2010, 1, 1)},
            {"patient_id": 1, "condition": "diabetes", "recorded_on": date(2011, 1, 1)},
            {"patient_id": 3, "condition": "asthma", "recorded_on": date(2013, 6, 1)},
        ],
        "apc": [
            spell(1, 1, "elective", date(2013, 5, 1), 1000),
            spell(2, 1, "emergency", date(2013, 6, 1), 3000),
            spell(3, 3, "emergency", date(2013, 9, 1), 2000),
            spell(4, 1, "emergency", date(2014, 5, 1), 500),
        ],
        "op": [appointment(1, 1, "first", "attended", date(2013, 7, 1), 100)],
        "ae": [arrival(1, 2, datetime(2013, 8, 1, 10, 0), 150)],
    }
    folder = write_lake(tmp_path_factory.mktemp("allocation"), rows)
    backend = backend_of(engine)
    return backend, Lake(folder).open(backend)


def test_person_years_and_spend_by_cell(lake: tuple[Any, Any]) -> None:
    backend, tables = lake
    cells = backend.execute(need_cells(tables, base_year(2013), COMPONENTS))
    got: dict[Any, Any] = {
        (r.practice, r.age_band, r.sex, int(r.deprivation_quintile), r.morbidity): (
            pytest.approx(r.person_years, rel=1e-12),
            r.cost_planned,
            r.cost_urgent,
        )
        for r in cells.itertuples()
    }
    assert got == {
        ("A10001", "60-64", "F", 3, "2"): (1.0, 1100.0, 3000.0),
        ("A10001", "0-4", "M", 1, "0"): (1.0, 0.0, 150.0),
        ("C10001", "60-64", "F", 3, "0"): (183 / 365, 0.0, 2000.0),
    }


def test_deaths_under_75(lake: tuple[Any, Any]) -> None:
    backend, tables = lake
    deaths = backend.execute(deaths_under_75(tables, base_year(2013)))
    assert deaths.to_dict(orient="records") == [
        {"practice": "C10001", "age_band": "60-64", "sex": "F", "deaths": 1}
    ]


def test_baseline_spend_by_practice(lake: tuple[Any, Any]) -> None:
    backend, tables = lake
    spend = backend.execute(base_spend(tables, base_year(2013), COMPONENTS))
    keys = zip(spend["practice"], spend["component"], strict=True)
    assert dict(zip(keys, spend["cost"], strict=True)) == {
        ("A10001", "planned"): 1100.0,
        ("A10001", "urgent"): 3150.0,
        ("C10001", "urgent"): 2000.0,
    }


def test_budget_risk_person_costs_and_list_sizes(lake: tuple[Any, Any]) -> None:
    backend, tables = lake
    parameters = allocation_parameters("2014/15")
    everyone = backend.execute(person_costs(tables, Scope(None, 2013, 1), parameters))
    assert sorted(everyone["cost"]) == [150.0, 2000.0, 4100.0]
    one = backend.execute(person_costs(tables, Scope("02B", 2013, 1), parameters))
    assert one["cost"].tolist() == [2000.0]
    sizes = backend.execute(list_sizes(tables, Scope(None, 2013, 1)))
    assert dict(zip(sizes["ccg"], sizes["people"], strict=True)) == {"01A": 2, "02B": 1}
