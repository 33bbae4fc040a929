"""Spec test of the national comparison on a tiny economy worked by hand.

Two CCGs of one practice each, four patients born January 1950 and registered throughout
2013/14: A10001 (CCG 01A) has patients 1 (F) and 2 (M); B10001 (CCG 02B) patients 3 (F) and
4 (M). Emergency admissions: patient 1 two, patients 2, 3 and 4 one each.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from consortia.analyses import national
from consortia.analyses.scope import Scope
from consortia.engine.lake import Lake
from tests.engines import backend_of
from tests.spec.test_population_and_activity import START, patient, spell
from tests.spec.tiny import emergency_measure, write_lake

EVERYONE = Scope(first_year=2013, years=1)


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory, engine: str) -> tuple[Any, Any]:
    practice = {"contract": "GMS", "deprivation_decile": 5, "opened": START, "closed": None}
    rows: dict[str, list[dict[str, Any]]] = {
        "ccg": [
            {"code": "01A", "name": "NHS One CCG", "region": "north"},
            {"code": "02B", "name": "NHS Two CCG", "region": "south"},
        ],
        "practice": [
            {"code": "A10001", "name": "A", "ccg": "01A"} | practice,
            {"code": "B10001", "name": "B", "ccg": "02B"} | practice,
        ],
        "patient": [
            patient(1, "A10001", "F", (1950, 1), START),
            patient(2, "A10001", "M", (1950, 1), START),
            patient(3, "B10001", "F", (1950, 1), START),
            patient(4, "B10001", "M", (1950, 1), START),
        ],
        "apc": [
            spell(1, 1, "emergency", date(2013, 5, 1), 1000),
            spell(2, 1, "emergency", date(2013, 6, 1), 1000),
            spell(3, 2, "emergency", date(2013, 7, 1), 1000),
            spell(4, 3, "emergency", date(2013, 8, 1), 1000),
            spell(5, 4, "emergency", date(2013, 9, 1), 1000),
        ],
    }
    folder = write_lake(tmp_path_factory.mktemp("tiny-national"), rows)
    backend = backend_of(engine)
    return backend, Lake(folder).open(backend)


def test_ccg_observed_and_expected(lake: tuple[Any, Any]) -> None:
    """Standardised for sex: women had 2 + 1 = 3 admissions in 2 person-years (1.5 a year),
    men 1 + 1 = 2 in 2 (1 a year). Each CCG has one woman and one man for a year, so each
    expects 1.5 + 1 = 2.5; 01A observed 3 (ratio 1.2), 02B observed 2 (ratio 0.8)."""
    backend, tables = lake
    measure = emergency_measure(["sex"])
    result = backend.execute(national.ccg_observed_and_expected(tables, EVERYONE, (measure,)))
    assert result.to_dict("list") == {
        "measure": ["test", "test"],
        "ccg": ["01A", "02B"],
        "observed": [3, 2],
        "expected": [pytest.approx(2.5, rel=1e-12)] * 2,
        "person_years": [pytest.approx(2.0, rel=1e-9)] * 2,
    }


def test_ccgs(lake: tuple[Any, Any]) -> None:
    backend, tables = lake
    result = backend.execute(national.ccgs(tables, EVERYONE))
    assert result.to_dict("list") == {
        "ccg": ["01A", "02B"],
        "name": ["NHS One CCG", "NHS Two CCG"],
        "region": ["north", "south"],
        "practices": [1, 1],
        "patients": [2, 2],
    }
