"""Integrity of the generated hospital activity, measured on the lake with plain SQL.

No patient is admitted while still an inpatient; outpatient clinics run on working days; A&E
attendances carry their department type; every record names the practice its patient was
registered with on its date, and its patient's own sex, birth and deprivation decile; every
diagnosis and HRG the generator draws is one
the reference tables know, and each HRG sits in a chapter that fits its diagnosis.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pytest

from consortia.schema.reference_tables import load
from consortia.synth import catalogue
from consortia.synth.activity import Events, without_overlaps
from consortia.synth.calendar import BANK_HOLIDAYS
from consortia.synth.targets import targets
from tests.lake_sql import connect, scalar

pytestmark = pytest.mark.xdist_group("england")


@pytest.fixture(scope="module")
def db(england_lake: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = connect(england_lake, ("patient", "registration", "practice", "apc", "op", "ae"))
    yield con
    con.close()


def test_no_admission_while_an_inpatient(db: duckdb.DuckDBPyConnection) -> None:
    """Every spell starts on or after the latest discharge of the patient's earlier spells."""
    overlapping = scalar(
        db,
        """select count(*) from (
             select admitted_on, max(discharged_on) over (partition by patient_id
               order by admitted_on, discharged_on, spell_id
               rows between unbounded preceding and 1 preceding) as still_in
             from apc) where admitted_on < still_in""",
    )
    assert overlapping == 0


@pytest.mark.parametrize("dataset", ["registration", "apc", "op", "ae"])
def test_each_record_carries_its_patients_own_sex_birth_and_deprivation(
    db: duckdb.DuckDBPyConnection, dataset: str
) -> None:
    """A registration or activity record's sex, birth and deprivation decile are its patient
    row's (the generator has one person behind both), and no record lacks a patient row."""
    differing = scalar(
        db,
        f"""select count(*) from {dataset} r left join patient p using (patient_id)
            where p.patient_id is null
               or (r.sex, r.birth_year, r.birth_month, r.deprivation_decile)
                  is distinct from (p.sex, p.birth_year, p.birth_month, p.deprivation_decile)""",
    )
    assert scalar(db, f"select count(*) from {dataset}") > 0
    assert differing == 0


@pytest.mark.parametrize(
    ("dataset", "day"),
    [("apc", "admitted_on"), ("op", "attended_on"), ("ae", "arrived_at::date")],
)
def test_each_record_names_the_practice_registered_with_on_its_date(
    db: duckdb.DuckDBPyConnection, dataset: str, day: str
) -> None:
    """The registration begun last on or before the record's date (an as-of join), or the
    patient's first for a record dated before any: its practice is the one on the record.
    Most records fall inside a registration; the rest (a death recorded after the list ended,
    a birth admission before registering) still name one of the patient's practices."""
    counted = db.execute(
        f"""with events as (select patient_id, practice, {day} as day from {dataset}),
             first as (select patient_id, arg_min(practice, registered_from) as practice
                       from registration group by patient_id),
             credited as (
               select e.practice as named, coalesce(r.practice, f.practice) as registered,
                      r.registered_to is null or e.day < r.registered_to as inside
               from events e
               asof left join registration r
                 on e.patient_id = r.patient_id and e.day >= r.registered_from
               left join first f on e.patient_id = f.patient_id)
           select count(*) filter (where named is distinct from registered),
                  count(*) filter (where inside), count(*) from credited"""
    ).fetchone()
    assert counted is not None
    mismatched, covered, total = counted
    assert total > 1_000
    assert mismatched == 0
    assert covered > 0.95 * total
    unknown = scalar(
        db, f"select count(*) from {dataset} anti join practice on {dataset}.practice = code"
    )
    assert unknown == 0


def test_outpatient_clinics_on_working_days(db: duckdb.DuckDBPyConnection) -> None:
    weekend = scalar(db, "select avg((dayofweek(attended_on) in (0, 6))::int) from op")
    target = targets()["op_weekend_share"]
    assert target.accepts(weekend), f"weekend share {weekend:.3%}"
    assert scalar(db, "select count(*) from op where dayofweek(attended_on) = 0") == 0
    holidays = ", ".join(f"date '{d.isoformat()}'" for d in BANK_HOLIDAYS)
    assert scalar(db, f"select count(*) from op where attended_on in ({holidays})") == 0


def test_ae_department_types_are_coded(db: duckdb.DuckDBPyConnection) -> None:
    types = dict(db.execute("select department_type, count(*) from ae group by 1").fetchall())
    assert set(types) == {"01", "02", "03"}
    minor_admissions = scalar(
        db, "select count(*) from ae where department_type <> '01' and disposal = 'admitted'"
    )
    assert minor_admissions == 0


# Easter Sundays (Church of England calendar), from which Good Friday and Easter Monday follow.
EASTER = {
    2012: date(2012, 4, 8),
    2013: date(2013, 3, 31),
    2014: date(2014, 4, 20),
    2015: date(2015, 4, 5),
}


def monday_on_or_after(day: date) -> date:
    return day + timedelta(days=-day.weekday() % 7)


def substitute(day: date, taken: set[date]) -> date:
    """A holiday on a weekend moves to the next weekday not already a holiday."""
    while day.weekday() >= 5 or day in taken:
        day += timedelta(days=1)
    return day


def england_bank_holidays(year: int) -> set[date]:
    """England's bank holidays of `year` by the Banking and Financial Dealings Act 1971 and the
    yearly proclamations (New Year's Day, early May; weekend days substituted by the next
    weekday), with 2012's spring holiday moved to 4 June and the Diamond Jubilee on 5 June."""
    days = {
        substitute(date(year, 1, 1), set()),
        EASTER[year] - timedelta(days=2),
        EASTER[year] + timedelta(days=1),
        monday_on_or_after(date(year, 5, 1)),
        monday_on_or_after(date(year, 8, 25)),  # the last Monday of August
    }
    if year == 2012:
        days |= {date(2012, 6, 4), date(2012, 6, 5)}
    else:
        days.add(monday_on_or_after(date(year, 5, 25)))  # the last Monday of May
    christmas = substitute(date(year, 12, 25), set())
    return days | {christmas, substitute(date(year, 12, 26), {christmas})}


def test_bank_holidays_are_englands() -> None:
    """The listed bank holidays are exactly England's, worked out from the statutory rules, from
    April 2012 to the end of April 2015 (a year before the period to its end)."""
    first, last = date(2012, 4, 1), date(2015, 4, 30)
    expected = {d for year in EASTER for d in england_bank_holidays(year) if first <= d <= last}
    assert set(BANK_HOLIDAYS) == expected
    assert all(d.weekday() < 5 for d in BANK_HOLIDAYS)
    assert date(2013, 12, 25) in BANK_HOLIDAYS
    assert date(2014, 4, 18) in BANK_HOLIDAYS


def test_overlapping_spells_are_moved_after_discharge() -> None:
    """Hand-worked: patient 0 admitted days 10–20 and again on day 15 (5 days): the second
    moves to day 20 and leaves on 25; a transfer on the first's discharge day stays after it."""

    class Stub:
        died_on = np.array([700, 700])
        registered_to = np.array([730, 730])

    spells = Events(
        np.array([0, 0, 1]),
        {
            "admitted_on": np.array([10, 15, 40], dtype=np.int32),
            "discharged_on": np.array([20, 20, 41], dtype=np.int32),
            "method": np.array(["emergency", "elective", "emergency"]),
        },
    )
    moved = without_overlaps(spells, Stub())  # type: ignore[arg-type]
    assert moved.patient.tolist() == [0, 0, 1]
    assert moved.columns["admitted_on"].tolist() == [10, 20, 40]
    assert moved.columns["discharged_on"].tolist() == [20, 25, 41]


# ICD-10 chapter letter(s) → HRG chapters that may group a spell with that primary diagnosis
# (HRG4 chapters: A nervous, B eye, C mouth/ENT, D respiratory, E cardiac, F digestive,
# G hepatobiliary, H musculoskeletal, J skin/breast, K endocrine, L urinary, M female
# reproductive, N obstetrics, P paediatrics and neonates, Q vascular, S haematology and
# chemotherapy, W multiple/other (sepsis, poisoning, mental health, observation)).
PLAUSIBLE = {
    "A": "FWPAJ",
    "B": "PJWCA",
    "C": "ADFGHJLMSW",
    "D": "SMFJLAD",
    "E": "KFP",
    "F": "AW",
    "G": "AHD",
    "H": "BC",
    "I": "EAQDFW",
    "J": "DPC",
    "K": "FGC",
    "L": "J",
    "M": "HJ",
    "N": "LMJ",
    "O": "N",
    "P": "P",
    "Q": "EFLPAC",
    "R": "EFADWPLCJHGKSM",
    "S": "HAJCDEF",
    "T": "WLFDJH",
    "Z": "WFHLSEMJ",
}


@pytest.mark.parametrize("which", ["emergency", "elective"])
def test_catalogue_codes_and_hrgs_are_known(which: str) -> None:
    cat = catalogue.emergency() if which == "emergency" else catalogue.elective()
    tariff = load("tariff").to_pydict()
    priced = {(p, c) for p, c in zip(tariff["pod"], tariff["code"], strict=True)}
    pods = ("non_elective",) if which == "emergency" else ("elective_day_case",)
    for code, hrg, value in zip(cat.code, cat.hrg, cat.value, strict=True):
        assert len(code) == 4, code
        assert code[0].isalpha(), code
        assert any((pod, hrg) in priced for pod in pods) or (
            which == "elective" and value == 0 and ("elective_ordinary", hrg) in priced
        ), f"{code}: HRG {hrg} not in tariff.csv"
        assert hrg[0] in PLAUSIBLE[code[0]], f"{code} grouped to {hrg}"
