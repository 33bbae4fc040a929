"""Spec tests: people and events belong to the practice a patient was registered with at the
time, not to the practice on the patient row.

CCG 01A has practices A10001 and B10001; CCG 02B has C10001. A10001 closes on 1 July 2013.
All patients are women (so standardising for sex leaves one cell):

- patient 1, born June 1950, registered with A10001 since 2000; re-registered with B10001 on
  1 July 2013 when A10001 closed (two registrations; the patient row shows B10001);
- patient 2, born January 1951, registered with B10001 throughout;
- patient 3, born March 1970, registered with A10001 until she moved away on 1 May 2013;
- patient 4, born January 1960, registered with C10001 (the other CCG) throughout.

Emergency admissions, each record naming the practice the patient was registered with on the
day (as national extracts do): patient 1 on 1 June 2013 (at A10001), on 1 July 2013 (the day
of the move: B10001) and on 1 September 2013 (B10001); patient 2 on 1 August 2013 (B10001);
patient 3 on 15 June 2013, after she left (her last practice, A10001); patient 4 on
1 August 2013 (C10001, not in 01A).

In 2013/14 (365 days from 1 April 2013): patient 1 spends 30 + 31 + 30 = 91 days with
A10001 (April to June) and 365 − 91 = 274 with B10001; patient 2 365 days with B10001;
patient 3 30 days (April) with A10001; patient 4 365 days with C10001.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import ibis
import pandas as pd
import pytest

from consortia.analyses import (
    activity,
    fragmentation,
    investment,
    population,
    prevalence,
    trends,
    variation,
)
from consortia.analyses.scope import Scope
from consortia.engine.lake import Lake
from tests.engines import backend_of
from tests.spec.test_population_and_activity import START, patient, spell
from tests.spec.tiny import emergency_measure, write_lake

CLOSED = date(2013, 7, 1)
LEFT = date(2013, 5, 1)
SCOPE = Scope(ccg="01A", first_year=2013, years=1)
TWO_YEARS = Scope(ccg="01A", first_year=2013, years=2)


def registration(pid: int, practice: str, start: date, end: date | None) -> dict[str, Any]:
    return {"patient_id": pid, "practice": practice, "registered_from": start, "registered_to": end}


def practice(code: str, ccg: str, closed: date | None = None) -> dict[str, Any]:
    return {
        "code": code,
        "name": code,
        "ccg": ccg,
        "contract": "GMS",
        "deprivation_decile": 5,
        "opened": START,
        "closed": closed,
    }


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory, engine: str) -> tuple[Any, Any]:
    rows: dict[str, list[dict[str, Any]]] = {
        "ccg": [
            {"code": "01A", "name": "NHS One CCG", "region": "north"},
            {"code": "02B", "name": "NHS Two CCG", "region": "south"},
        ],
        "practice": [
            practice("A10001", "01A", CLOSED),
            practice("B10001", "01A"),
            practice("C10001", "02B"),
        ],
        "patient": [
            patient(1, "B10001", "F", (1950, 6), START),  # latest practice; first registration
            patient(2, "B10001", "F", (1951, 1), START),
            patient(3, "A10001", "F", (1970, 3), START, end=LEFT),
            patient(4, "C10001", "F", (1960, 1), START),
        ],
        "registration": [
            registration(1, "A10001", START, CLOSED),
            registration(1, "B10001", CLOSED, None),
            registration(2, "B10001", START, None),
            registration(3, "A10001", START, LEFT),
            registration(4, "C10001", START, None),
        ],
        "apc": [
            spell(1, 1, "emergency", date(2013, 6, 1), 100) | {"practice": "A10001"},
            spell(2, 1, "emergency", CLOSED, 200) | {"practice": "B10001"},
            spell(3, 1, "emergency", date(2013, 9, 1), 400) | {"practice": "B10001"},
            spell(4, 2, "emergency", date(2013, 8, 1), 800) | {"practice": "B10001"},
            spell(5, 3, "emergency", date(2013, 6, 15), 1600) | {"practice": "A10001"},
            spell(6, 4, "emergency", date(2013, 8, 1), 3200) | {"practice": "C10001"},
        ],
        "condition": [
            {"patient_id": 1, "condition": "hypertension", "recorded_on": date(2010, 1, 1)},
        ],
        "practice_payment": [
            {
                "practice": code,
                "financial_year": "2013/14",
                "category": "ccg_local_investment",
                "amount": amount,
            }
            for code, amount in (("A10001", 20.0), ("B10001", 30.0))
        ],
    }
    folder = write_lake(tmp_path_factory.mktemp("moves"), rows)
    backend = backend_of(engine)
    return backend, Lake(folder).open(backend)


def counts(frame: pd.DataFrame, key: str, value: str) -> dict[Any, Any]:
    return dict(zip(frame[key], frame[value], strict=True))


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        # patients 1 and 3 with A10001, patient 2 with B10001
        (date(2013, 4, 1), {"A10001": 2, "B10001": 1}),
        # patient 3 left on 1 May (her last day on the list was 30 April)
        (LEFT, {"A10001": 1, "B10001": 1}),
        # the day before the closure: patient 1 still with A10001
        (date(2013, 6, 30), {"A10001": 1, "B10001": 1}),
        # the day of the closure: patient 1 is with B10001; A10001 has nobody
        (CLOSED, {"B10001": 2}),
    ],
)
def test_list_on_each_date(lake: tuple[Any, Any], on: date, expected: dict[str, int]) -> None:
    backend, tables = lake
    frame = backend.execute(population.registered_population(tables, SCOPE, on))
    totals = frame.groupby("practice")["patients"].sum().to_dict()
    assert totals == expected


def test_the_ccg_list_is_unchanged_by_a_move_within_it(lake: tuple[Any, Any]) -> None:
    """Patients 1 and 2 on both sides of the closure: two on 30 June and on 1 July."""
    backend, tables = lake
    for on in (date(2013, 6, 30), CLOSED):
        listed = backend.execute(population.registered_on(tables, SCOPE, on))
        assert sorted(listed["patient_id"]) == [1, 2]
    assert backend.execute(population.in_scope(tables, SCOPE).count()) == 3


def test_mid_year_list_and_list_growth(lake: tuple[Any, Any]) -> None:
    """1 October 2013: patients 1 and 2 with B10001. 1 April 2013: A10001 2, B10001 1;
    1 April 2014: B10001 2 (growth 2/1 − 1 = 1), A10001 none."""
    backend, tables = lake
    mid = backend.execute(population.mid_year_population(tables, SCOPE))
    assert counts(mid, "practice", "patients") == {"B10001": 2}
    growth = backend.execute(population.list_growth(tables, TWO_YEARS)).set_index("practice")
    assert growth.loc["A10001", "registered_2013-04-01"] == 2
    assert pd.isna(growth.loc["A10001", "registered_2014-04-01"])
    assert growth.loc["B10001", "registered_2013-04-01"] == 1
    assert growth.loc["B10001", "registered_2014-04-01"] == 2
    assert growth.loc["B10001", "growth"] == pytest.approx(1.0)


def test_person_years_are_split_at_the_move(lake: tuple[Any, Any]) -> None:
    backend, tables = lake
    years = backend.execute(population.patient_years(tables, SCOPE))
    mover = years[years["patient_id"] == 1].set_index("practice")["person_years"].to_dict()
    assert mover == {
        "A10001": pytest.approx(91 / 365, rel=1e-12),
        "B10001": pytest.approx(274 / 365, rel=1e-12),
    }
    by_practice = years.groupby("practice")["person_years"].sum().to_dict()
    assert by_practice == {
        "A10001": pytest.approx((91 + 30) / 365, rel=1e-12),
        "B10001": pytest.approx((274 + 365) / 365, rel=1e-12),
    }


def test_an_event_s_cell_is_read_from_its_own_record(lake: tuple[Any, Any]) -> None:
    """Age on 1 October of the event's year from the record's month and year of birth (the
    birthday taken as the 1st): born October 1948 is 65 on 1 October 2013, born November 1948
    still 64, and 65 a year later; born March 1970 is 43 then 44. Deciles 1, 5, 6 and 10 are
    quintiles 1, 3, 3 and 5. An event of a year its patient (3) was registered nowhere counts
    with its record's cell: nothing is left out, and no patient row is needed (patient 9 has
    none)."""
    backend, _ = lake
    events = ibis.memtable(
        {
            "patient_id": [1, 1, 1, 3, 9],
            "year_start": [2013, 2013, 2014, 2014, 2013],
            "sex": ["M", "F", "F", "F", "M"],
            "birth_year": [1948, 1948, 1948, 1970, 1970],
            "birth_month": [10, 11, 11, 3, 3],
            "deprivation_decile": [1, 5, 6, 10, 5],
            "n": [0, 1, 2, 3, 4],
        }
    )
    cells = backend.execute(population.with_cells(events)).sort_values("n")
    assert cells["n"].tolist() == [0, 1, 2, 3, 4]
    assert cells["age_band"].tolist() == ["65-69", "60-64", "65-69", "40-44", "40-44"]
    assert cells["sex"].tolist() == ["M", "F", "F", "F", "M"]
    assert cells["deprivation_quintile"].tolist() == [1, 3, 3, 5, 3]


def test_each_admission_is_credited_to_the_practice_of_its_date(lake: tuple[Any, Any]) -> None:
    """A10001: spells 1 (before the move, £100) and 5 (after patient 3 left, £1,600); B10001:
    spells 2 (the day of the move, £200), 3 (£400) and 4 (£800). Spell 6 is 02B's."""
    backend, tables = lake
    detail = backend.execute(activity.activity_detail(tables, SCOPE))
    per_practice = detail.groupby("practice")[["events", "cost"]].sum()
    assert per_practice.to_dict("index") == {
        "A10001": {"events": 2, "cost": 1700.0},
        "B10001": {"events": 3, "cost": 1400.0},
    }
    events = backend.execute(activity.scoped_events(tables, SCOPE))
    assert sorted(events["cost"]) == [100, 200, 400, 800, 1600]  # every 01A patient's spell


def test_practice_rates_use_the_list_of_the_practice(lake: tuple[Any, Any]) -> None:
    """B10001: 3 emergency admissions over its 1 October list of 2: 1,500 per 1,000; the CCG:
    5 over 2. A10001 has no list on 1 October, so no rate."""
    backend, tables = lake
    rates = backend.execute(activity.practice_rates(tables, SCOPE))
    assert rates["practice"].tolist() == ["B10001"]
    row = rates.iloc[0]
    assert (row["events"], row["population"]) == (3, 2)
    assert row["rate_per_1000"] == pytest.approx(1500.0)
    assert row["ccg_rate_per_1000"] == pytest.approx(2500.0)


def test_variation_credits_events_and_person_years_at_the_time(lake: tuple[Any, Any]) -> None:
    """Standardised for sex (all women: one cell). Everyone: 6 admissions in
    (91 + 30 + 274 + 365 + 365) = 1,125 days. A10001: observed 2, expected 121 × 6 / 1,125;
    B10001: observed 3, expected 639 × 6 / 1,125."""
    backend, tables = lake
    measure = emergency_measure(["sex"])
    frame = backend.execute(variation.observed_and_expected(tables, SCOPE, [measure]))
    result = frame.set_index("practice").to_dict("index")
    assert set(result) == {"A10001", "B10001"}
    assert result["A10001"]["observed"] == 2
    assert result["A10001"]["expected"] == pytest.approx(121 * 6 / 1125, rel=1e-12)
    assert result["A10001"]["person_years"] == pytest.approx(121 / 365, rel=1e-12)
    assert result["B10001"]["observed"] == 3
    assert result["B10001"]["expected"] == pytest.approx(639 * 6 / 1125, rel=1e-12)


def test_continuity_counts_the_mover_at_each_practice(lake: tuple[Any, Any]) -> None:
    """A10001: patient 1 (1 contact) and patient 3 (1); B10001: patient 1 (2) and patient 2."""
    backend, tables = lake
    result = backend.execute(fragmentation.practice_continuity(tables, SCOPE))
    assert counts(result, "practice", "patients") == {"A10001": 2, "B10001": 2}
    contacts = backend.execute(fragmentation.patient_continuity(tables, SCOPE))
    mover = contacts[contacts["patient_id"] == 1]
    assert counts(mover, "practice", "contacts") == {"A10001": 1, "B10001": 2}


def test_monthly_emergency_admissions_of_the_ccg(lake: tuple[Any, Any]) -> None:
    """June: spells 1 and 5; July: 2; August: 4 (spell 6 is 02B's); September: 3."""
    backend, tables = lake
    frame = backend.execute(trends.monthly_series(tables, SCOPE))
    emergency = frame[frame["series"] == "emergency_admissions"]
    assert counts(emergency, "month", "numerator") == {
        "2013-06-01": 2,
        "2013-07-01": 1,
        "2013-08-01": 1,
        "2013-09-01": 1,
    }


def test_prevalence_before_the_closure(lake: tuple[Any, Any]) -> None:
    """On 30 June 2013 patient 1 (aged 63, hypertension) is on A10001's list, patient 2 (62,
    not on the register) on B10001's: women of 60-64 have prevalence 1/2, so each practice
    expects 1/2."""
    backend, tables = lake
    result = backend.execute(prevalence.observed_and_expected(tables, SCOPE, date(2013, 6, 30)))
    rows = result.set_index("practice").to_dict("index")
    assert (rows["A10001"]["patients"], rows["A10001"]["observed"]) == (1, 1)
    assert (rows["B10001"]["patients"], rows["B10001"]["observed"]) == (1, 0)
    assert rows["A10001"]["expected"] == pytest.approx(0.5)
    assert rows["B10001"]["expected"] == pytest.approx(0.5)


def test_payments_per_patient_on_1_april(lake: tuple[Any, Any]) -> None:
    """1 April 2013: A10001 has patients 1 and 3 (£20 / 2), B10001 patient 2 (£30 / 1); the
    CCG £50 over 3."""
    backend, tables = lake
    payments = backend.execute(investment.payments_per_patient(tables, SCOPE))
    assert counts(payments, "practice", "per_patient") == {"A10001": 10.0, "B10001": 30.0}
    ccg = backend.execute(investment.ccg_local_investment(tables, SCOPE)).iloc[0]
    assert ccg["per_head"] == pytest.approx(50 / 3, rel=1e-12)
