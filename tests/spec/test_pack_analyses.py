"""Spec tests of the pack's analyses: a tiny health economy whose answers are worked by hand.

Six patients, all born January 1950 and registered throughout 2013/14: practice A10001 has
patients 1–4 (F, F, M, M), practice B10001 patients 5–6 (F, M); both are in CCG 01A.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pandas as pd
import pytest

from consortia.analyses import fragmentation, investment, prevalence, trends, variation
from consortia.analyses.scope import Scope
from consortia.engine.lake import Lake
from tests.engines import backend_of
from tests.spec.test_population_and_activity import START, arrival, patient, spell
from tests.spec.tiny import emergency_measure, write_lake

SCOPE = Scope(ccg="01A", first_year=2013, years=1)


def emergency(sid: int, pid: int, provider: str, on: date) -> dict[str, Any]:
    return spell(sid, pid, "emergency", on, 1000) | {"provider": provider}


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory, engine: str) -> tuple[Any, Any]:
    practice = {"contract": "GMS", "deprivation_decile": 5, "opened": START, "closed": None}
    elective_17 = spell(20, 3, "elective", date(2013, 6, 10), 500) | {"rtt_weeks": 17}
    elective_18 = spell(21, 4, "elective", date(2013, 6, 11), 500) | {"rtt_weeks": 18}
    rows: dict[str, list[dict[str, Any]]] = {
        "ccg": [{"code": "01A", "name": "NHS One CCG", "region": "north"}],
        "practice": [
            {"code": "A10001", "name": "A", "ccg": "01A"} | practice,
            {"code": "B10001", "name": "B", "ccg": "01A"} | practice,
        ],
        "patient": [
            patient(i, "A10001" if i <= 4 else "B10001", sex, (1950, 1), START)
            for i, sex in zip(range(1, 7), "FFMMFM", strict=True)
        ],
        "apc": [
            emergency(1, 1, "RAA", date(2013, 5, 1)),
            emergency(2, 1, "RAA", date(2013, 6, 1)),
            emergency(3, 2, "RAA", date(2013, 7, 1)),
            emergency(4, 3, "RBB", date(2013, 8, 1)),
            emergency(5, 5, "RAA", date(2013, 9, 1)),
            emergency(6, 6, "RBB", date(2013, 10, 1)),
            emergency(7, 6, "RBB", date(2013, 11, 1)),
            elective_17 | {"provider": "RAA"},
            elective_18 | {"provider": "RAA"},
        ],
        "ae": [
            arrival(1, 1, datetime(2013, 5, 2, 10, 0), 100)
            | {"departed_at": datetime(2013, 5, 2, 13, 59)},
            arrival(2, 2, datetime(2013, 5, 3, 10, 0), 100)
            | {"departed_at": datetime(2013, 5, 3, 14, 1)},
        ],
        "condition": [
            {"patient_id": 1, "condition": "hypertension", "recorded_on": date(2010, 1, 1)},
            {"patient_id": 3, "condition": "hypertension", "recorded_on": date(2014, 6, 1)},
        ],
        "practice_payment": [
            {
                "practice": "A10001",
                "financial_year": "2013/14",
                "category": "ccg_local_investment",
                "amount": 20.0,
            },
            {
                "practice": "B10001",
                "financial_year": "2013/14",
                "category": "ccg_local_investment",
                "amount": 30.0,
            },
        ],
    }
    folder = write_lake(tmp_path_factory.mktemp("tiny-pack"), rows)
    backend = backend_of(engine)
    return backend, Lake(folder).open(backend)


def by(frame: Any, *keys: str) -> dict[Any, dict[str, Any]]:
    return {
        tuple(row[k] for k in keys) if len(keys) > 1 else row[keys[0]]: row
        for row in frame.to_dict("records")
    }


def test_variation_observed_and_expected(lake: tuple[Any, Any]) -> None:
    """Standardised for sex. Emergency admissions: women (1, 2, 5) had 2 + 1 + 1 = 4 in 3
    person-years, men (3, 4, 6) 1 + 0 + 2 = 3 in 3. A10001 (2 women, 2 men): observed 4,
    expected 2 × 4/3 + 2 × 1 = 14/3; B10001 (1 woman, 1 man): observed 3, expected 7/3."""
    backend, tables = lake
    measure = emergency_measure(["sex"])
    result = by(
        backend.execute(variation.observed_and_expected(tables, SCOPE, [measure])), "practice"
    )
    assert result["A10001"]["observed"] == 4
    assert result["A10001"]["expected"] == pytest.approx(14 / 3, rel=1e-12)
    assert result["B10001"]["observed"] == 3
    assert result["B10001"]["expected"] == pytest.approx(7 / 3, rel=1e-12)
    assert result["A10001"]["person_years"] == pytest.approx(4.0)


def test_practice_continuity(lake: tuple[Any, Any]) -> None:
    """Contacts in 2013/14 — patient 1: two emergency spells and an A&E attendance at RAA (3
    contacts, 1 provider, COC (9 − 3)/(3 × 2) = 1); patient 2: a spell and an A&E attendance
    at RAA (2 contacts); patient 3: RBB spell and RAA elective (2 providers); patient 4: RAA
    elective. A10001: 4 patients, providers 1, 1, 2, 1 (mean 1.25, one with several), one
    patient with 3+ contacts, mean COC 1. B10001: patient 5 (RAA), patient 6 (RBB × 2).
    """
    backend, tables = lake
    result = by(backend.execute(fragmentation.practice_continuity(tables, SCOPE)), "practice")
    a, b = result["A10001"], result["B10001"]
    assert (a["patients"], a["several_providers"], a["continuity_patients"]) == (4, 1, 1)
    assert a["mean_providers"] == pytest.approx(1.25)
    assert a["mean_continuity"] == pytest.approx(1.0)
    assert (b["patients"], b["several_providers"], b["continuity_patients"]) == (2, 0, 0)
    assert b["mean_providers"] == pytest.approx(1.0)


def test_market_concentration(lake: tuple[Any, Any]) -> None:
    """Non-elective: RAA 4 spells, RBB 3: HHI = (400/7)² + (300/7)² = 250,000/49."""
    backend, tables = lake
    result = by(backend.execute(fragmentation.concentration(tables, SCOPE)), "service_line")
    assert result["non-elective"]["hhi"] == pytest.approx(250_000 / 49, rel=1e-12)
    assert result["non-elective"]["providers"] == 2
    assert result["A&E"]["hhi"] == pytest.approx(10_000)
    assert result["elective 300"]["largest_share"] == pytest.approx(1.0)


def test_monthly_series(lake: tuple[Any, Any]) -> None:
    """May: one of two A&E patients within four hours (3 h 59 and 4 h 01); June: one of two
    elective admissions within 18 weeks (17 and 18 completed weeks)."""
    backend, tables = lake
    frame = backend.execute(trends.monthly_series(tables, SCOPE))
    frame["month"] = [pd.Timestamp(m).date() for m in frame["month"]]
    result = by(frame, "series", "month")
    may, june = date(2013, 5, 1), date(2013, 6, 1)
    within = result[("ae_within_4_hours", may)]
    assert (within["numerator"], within["denominator"]) == (1, 2)
    rtt = result[("rtt_within_18_weeks", june)]
    assert (rtt["numerator"], rtt["denominator"]) == (1, 2)
    assert result[("emergency_admissions", may)]["numerator"] == 1
    assert sum(1 for key in result if key[0] == "emergency_admissions") == 7


def test_prevalence_observed_and_expected(lake: tuple[Any, Any]) -> None:
    """All aged 64 on 31 March 2014. Women: 1 of 3 on the register; men: 0 of 3 (patient 3's
    record is later). A10001: observed 1, expected 2 × 1/3; B10001: observed 0, expected 1/3."""
    backend, tables = lake
    result = by(
        backend.execute(prevalence.observed_and_expected(tables, SCOPE, date(2014, 3, 31))),
        "practice",
    )
    assert result["A10001"]["observed"] == 1
    assert result["A10001"]["expected"] == pytest.approx(2 / 3, rel=1e-12)
    assert result["B10001"]["expected"] == pytest.approx(1 / 3, rel=1e-12)
    assert result["B10001"]["patients"] == 2


def test_local_investment_per_head(lake: tuple[Any, Any]) -> None:
    """£20 + £30 over 4 + 2 patients registered on 1 April 2013: £8.33 a head, above £5."""
    backend, tables = lake
    result = backend.execute(investment.ccg_local_investment(tables, SCOPE)).iloc[0]
    assert result["per_head"] == pytest.approx(50 / 6, rel=1e-12)
    assert bool(result["at_least_5_pounds"])
