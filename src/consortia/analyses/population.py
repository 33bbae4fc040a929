"""The registered population: who is on member practices' lists, by age band and sex."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import ibis
from ibis import _

from consortia.analyses.scope import Scope, Tables, financial_year_label, member_practices
from consortia.analyses.shared import shared
from consortia.schema.reference_tables import AGE_BANDS

DATASETS = ("patient", "registration", "practice")
MID_YEAR = (10, 1)  # rates use the list on 1 October, the middle of the financial year


def age_on(patient: Any, on: date) -> Any:
    """Age in whole years on `on`, from year and month of birth (birthday taken as the 1st)."""
    before_birthday = ibis.literal(on.month) < patient.birth_month
    return on.year - patient.birth_year - before_birthday.cast("int16")


def mid_year_age(patient: Any, year_start: Any) -> Any:
    """Age in whole years on 1 October (`MID_YEAR`) of the financial year starting in
    `year_start` (a number or a column), as `age_on` gives it for that date."""
    before_birthday = (ibis.literal(MID_YEAR[0]) < patient.birth_month).cast("int16")
    return year_start - patient.birth_year - before_birthday


def age_band(age: Any) -> Any:
    """Five-year age band label, 0-4 to 90+ (the European Standard Population's bands).

    Looked up by position in the list of labels rather than written out for each row: at
    England's size, building a string for each of 250 million events cost a fifth of their
    grouping by cell.
    """
    return ibis.literal(list(AGE_BANDS))[(age.clip(lower=0, upper=90) // 5).cast("int8")]


def registrations(tables: Tables, scope: Scope) -> Any:
    """Each registration with a practice in scope, with its patient's sex, birth and
    deprivation decile as the registration records them (`registration`): the registered list
    is counted from these rows alone.

    The practice and dates are the registration's, not the patient row's latest practice: a
    patient whose practice closed has one row for each practice.
    """
    return in_practices(tables, scope, tables["registration"])


def in_scope(tables: Tables, scope: Scope) -> Any:
    """Patients registered with a practice in scope at any time (one row each)."""
    registration = registrations(tables, scope)
    return tables["patient"].semi_join(registration, "patient_id")


def registered_on(tables: Tables, scope: Scope, on: date) -> Any:
    """Patients registered (and alive) on `on` with a practice in scope, with that practice.

    One row per patient: the registration covering `on` (registrations of one patient do not
    overlap; each runs from `registered_from` up to, not including, `registered_to`).
    """
    registration = registrations(tables, scope)
    return registration.filter(
        (registration.registered_from <= on)
        & (registration.registered_to.isnull() | (registration.registered_to > on))
    )


def in_practices(tables: Tables, scope: Scope, rows: Any) -> Any:
    """The rows of `rows` (with a `practice` column) credited to practices in scope.

    Activity records carry the practice the patient was registered with on the day of the
    event, as national extracts do, so a CCG's activity is the rows naming its practices.
    """
    practices = member_practices(tables, scope)
    return rows.semi_join(practices, rows.practice == practices.code)


# The column giving the date of each activity dataset's rows.
EVENT_DATE = {"apc": "admitted_on", "op": "attended_on", "ae": "arrived_at"}


def equal_to_any(table: Any, where: Mapping[str, Sequence[str]]) -> Any:
    """Whether each row's value in every column named in `where` is one of its values (a
    measure's numerator, an allocation component's rows); true for every row when empty."""
    condition = ibis.literal(True)
    for column, values in where.items():
        condition = condition & table[column].isin(list(values))
    return condition


def event_date(table: Any, dataset: str) -> Any:
    """The date of each row of the activity `dataset` (A&E's arrival time as its date)."""
    day = table[EVENT_DATE[dataset]]
    return day.date() if dataset == "ae" else day


@shared(by="practice")
def registered_population(tables: Tables, scope: Scope, on: date) -> Any:
    """Registered patients on `on` by practice, age band and sex."""
    patient = registered_on(tables, scope, on)
    return (
        patient.mutate(age_band=age_band(age_on(patient, on)))
        .group_by("practice", "age_band", "sex")
        .aggregate(patients=_.count())
        .order_by("practice", "age_band", "sex")
    )


@shared(by="practice")
def mid_year_population(tables: Tables, scope: Scope) -> Any:
    """Registered patients per practice on 1 October of each financial year."""
    parts = []
    for start in scope.year_starts():
        on = date(start.year, *MID_YEAR)
        counts = (
            registered_on(tables, scope, on)
            .group_by("practice")
            .aggregate(patients=_.count())
            .mutate(financial_year=ibis.literal(financial_year_label(start.year)))
        )
        parts.append(counts)
    return ibis.union(*parts).select("financial_year", "practice", "patients")


def deprivation_quintile(decile: Any) -> Any:
    """IMD quintile from decile (1 = most deprived fifth)."""
    return ((decile + 1) // 2).cast("int8")


def patient_years(tables: Tables, scope: Scope) -> Any:
    """Registered person-years of each registration in each financial year, with its cell.

    A patient who moved practice has a row for each practice, splitting the year's days
    between them. The cell is the patient's age band on 1 October (mid-year), sex and
    deprivation quintile; standardisation and rates per person-year are computed over these
    cells.
    """
    registration = registrations(tables, scope)
    parts = []
    for start in scope.year_starts():
        end = date(start.year + 1, 4, 1)
        first = ibis.greatest(registration.registered_from, ibis.literal(start))
        last = ibis.least(registration.registered_to.fill_null(end), ibis.literal(end))
        days = last.delta(first, unit="day")
        parts.append(
            registration.filter(days > 0).select(
                "patient_id",
                "practice",
                "sex",
                financial_year=ibis.literal(financial_year_label(start.year)),
                year_start=ibis.literal(start.year, type="int16"),
                age_band=age_band(mid_year_age(registration, start.year)),
                deprivation_quintile=deprivation_quintile(registration.deprivation_decile),
                person_years=days.cast("float64") / 365.0,
            )
        )
    return ibis.union(*parts)


def with_cells(events: Any) -> Any:
    """`events` (activity records, with `year_start` of the scope's years) with their
    patient's cell in that financial year, as `patient_years` gives it for a registration: age
    band on 1 October, sex and deprivation quintile.

    The cell is read from the record itself, which carries the patient's sex, month and year
    of birth and deprivation decile as HES records do: an event counts at the practice and in
    the cell its record names, as rates from national activity data count it, with no join to
    the patient table (at England's size, that join of 300 million records to 56 million
    patients was the largest cost of a pack for every CCG).
    """
    return events.mutate(
        age_band=age_band(mid_year_age(events, events.year_start)),
        deprivation_quintile=deprivation_quintile(events.deprivation_decile),
    )


@shared(by="practice")
def deprivation_by_practice(tables: Tables, scope: Scope, on: date) -> Any:
    """Registered patients on `on` by practice and deprivation decile of residence: counted
    once for every CCG, each CCG's profile summed from its practices' rows."""
    return (
        registered_on(tables, scope, on)
        .group_by("practice", "deprivation_decile")
        .aggregate(patients=_.count())
        .order_by("practice", "deprivation_decile")
    )


def deprivation_profile(tables: Tables, scope: Scope, on: date) -> Any:
    """Registered patients on `on` by deprivation decile of residence."""
    return (
        deprivation_by_practice(tables, scope, on)
        .group_by("deprivation_decile")
        .aggregate(patients=_.patients.sum())
        .order_by("deprivation_decile")
    )


def _band_order() -> Any:
    """The age bands with their position, youngest first, to sort by."""
    return ibis.memtable({"age_band": list(AGE_BANDS), "band_order": list(range(len(AGE_BANDS)))})


def age_sex_profile(tables: Tables, scope: Scope, on: date) -> Any:
    """Registered patients on `on` by age band and sex, each cell's share of the list, and the
    same cell's share of England's mid-2013 population (`england_share`)."""
    counts = (
        registered_population(tables, scope, on)
        .group_by("age_band", "sex")
        .aggregate(patients=_.patients.sum())
    )
    england = tables["england_population_2013"]
    england = england.select(
        "age_band",
        "sex",
        england_share=england.population.cast("float64") / england.population.sum().as_scalar(),
    )
    shares = counts.mutate(share=counts.patients.cast("float64") / counts.patients.sum().over())
    return (
        shares.join(england, ["age_band", "sex"])
        .join(_band_order(), "age_band")
        .order_by("band_order", "sex")
        .select("age_band", "sex", "patients", "share", "england_share")
    )


def deprivation_comparison(tables: Tables, scope: Scope, on: date) -> Any:
    """Registered patients on `on` by deprivation decile for the scope (`patients`, `share`)
    and for every patient in the lake (`patients_all`, `share_all`)."""
    ours = deprivation_profile(tables, scope, on)
    everyone = deprivation_profile(tables, scope.everyone, on).select(
        "deprivation_decile", patients_all="patients"
    )
    joined = ours.join(everyone, "deprivation_decile")
    return joined.mutate(
        share=joined.patients.cast("float64") / joined.patients.sum().over(),
        share_all=joined.patients_all.cast("float64") / joined.patients_all.sum().over(),
    ).order_by("deprivation_decile")


@shared(by="practice")
def list_growth(tables: Tables, scope: Scope) -> Any:
    """Each member practice's list on 1 April of every year of the scope (columns
    `registered_<date>`) and its growth from the first to the last."""
    starts = scope.year_starts()
    columns = [f"registered_{start.isoformat()}" for start in starts]
    lists = [
        registered_on(tables, scope, start).group_by("practice").aggregate(**{column: _.count()})
        for start, column in zip(starts, columns, strict=True)
    ]
    joined = lists[0]
    for other, column in zip(lists[1:], columns[1:], strict=True):
        both = joined.outer_join(other, joined.practice == other.practice)
        joined = both.select(
            *[c for c in joined.columns if c != "practice"],
            column,
            practice=ibis.coalesce(both.practice, both.practice_right),
        )
    growth = joined[columns[-1]].cast("float64") / joined[columns[0]] - 1
    return joined.select("practice", *columns, growth=growth).order_by("practice")
