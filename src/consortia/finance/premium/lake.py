"""The quality premium's measures the lake supplies, as engine definitions grouped by CCG and
financial year, and the statistics each is read with (`values`).

- avoidable emergency admissions: emergency spells whose primary diagnosis is a chronic or
  acute ambulatory-care-sensitive condition (`acsc_chronic`, `acsc_acute`), per 100,000
  registered patients, directly standardised by age (the composite of NHS Outcomes Framework
  2.3.i and 3a the 2013/14 premium rewarded; its other parts need secondary diagnoses);
- potential years of life lost under 75, per 100,000, directly standardised by age: all
  causes, as the lake holds no cause of death (the premium's measure counts amenable causes);
- A&E attendances left within four hours (arrival to departure), a share;
- elective spells treated within 18 weeks of referral (completed weeks under 18), a share.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import ibis
import numpy as np
import pandas as pd
from ibis import _

from consortia.analyses.activity import population_by_age
from consortia.analyses.population import age_band, in_practices, with_cells
from consortia.analyses.scope import Scope, Tables, financial_year, financial_year_start
from consortia.analyses.shared import shared
from consortia.analyses.value_sets import in_value_set
from consortia.schema.datasets import RECORDED_PERSON
from consortia.schema.reference_tables import AGE_BANDS, load
from consortia.stats.proportions import proportion
from consortia.stats.standardisation import dsr, dsr_repeat_events

PER = 100_000
PYLL_AGE = 75  # years of life lost are counted to this age
WITHIN_HOURS = 4
RTT_WEEKS = 18
CONFIDENCE = 0.95

METHODS = {
    "avoidable_emergency_admissions": (
        "Emergency admissions for chronic or acute ambulatory-care-sensitive conditions per "
        "100,000 patients registered on 1 October, directly standardised to the European "
        "Standard Population 2013 by five-year age band; Dobson 95% limits."
    ),
    "pyll_under_75": (
        "Potential years of life lost before 75 (74.5 − age at death, all causes) per 100,000 "
        "patients registered on 1 October, directly standardised by five-year age band; "
        "Dobson 95% limits for events that repeat in a person."
    ),
    "ae_within_4_hours": "Share of A&E attendances left within four hours; Wilson 95% limits.",
    "rtt_admitted_within_18_weeks": (
        "Share of elective spells treated within 18 weeks of referral; Wilson 95% limits."
    ),
}


def _with_ccg(tables: Tables, table: Any) -> Any:
    practices = tables["practice"].select(practice="code", ccg="ccg")
    return table.join(practices, "practice")


@shared
def avoidable_admissions(tables: Tables, scope: Scope) -> Any:
    """Emergency ACSC admissions by CCG, financial year and mid-year age band."""
    apc = tables["apc"]
    acsc = in_value_set(apc.primary_diagnosis, "acsc_chronic") | in_value_set(
        apc.primary_diagnosis, "acsc_acute"
    )
    rows = apc.filter(
        (apc.method == "emergency")
        & acsc
        & (apc.admitted_on >= scope.start)
        & (apc.admitted_on < scope.end)
    )
    rows = in_practices(tables, scope, rows).select(
        "patient_id",
        "practice",
        *RECORDED_PERSON,
        year_start=financial_year_start(rows.admitted_on, scope),
    )
    events = _with_ccg(tables, with_cells(rows))
    return (
        events.mutate(financial_year=financial_year(ibis.date(events.year_start, 4, 1), scope))
        .group_by("ccg", "financial_year", "age_band")
        .aggregate(events=_.count())
    )


def population(tables: Tables, scope: Scope) -> Any:
    """Patients registered on 1 October by CCG, financial year and age band."""
    people = population_by_age(tables, scope)
    return people.group_by("ccg", "financial_year", "age_band").aggregate(
        population=people.patients.sum()
    )


@shared
def years_lost(tables: Tables, scope: Scope) -> Any:
    """Deaths under 75 by CCG (of the practice the patient was registered with when they
    died), financial year, age band at death and whole years lost."""
    patient = tables["patient"]
    died = patient.filter(
        (patient.date_of_death >= scope.start) & (patient.date_of_death < scope.end)
    )
    died = in_practices(tables, scope, died)
    before_birthday = died.date_of_death.month() < died.birth_month
    age = died.date_of_death.year() - died.birth_year - before_birthday.cast("int16")
    young = died.filter(age < PYLL_AGE).mutate(age=age)
    rows = _with_ccg(tables, young.select("practice", "date_of_death", "age"))
    return (
        rows.mutate(
            financial_year=financial_year(rows.date_of_death, scope),
            age_band=age_band(rows.age),
            lost=PYLL_AGE - 1 - rows.age,  # completed years to 75, the year of death's half apart
        )
        .group_by("ccg", "financial_year", "age_band", "lost")
        .aggregate(deaths=_.count())
    )


@shared
def ae_within_4_hours(tables: Tables, scope: Scope) -> Any:
    """A&E attendances and those left within four hours, by CCG and financial year."""
    ae = tables["ae"]
    rows = ae.filter((ae.arrived_at >= scope.start) & (ae.arrived_at < scope.end))
    rows = _with_ccg(tables, in_practices(tables, scope, rows))
    minutes = rows.departed_at.delta(rows.arrived_at, unit="minute")
    return (
        rows.mutate(
            financial_year=financial_year(rows.arrived_at.date(), scope),
            within=(minutes <= WITHIN_HOURS * 60).cast("int64"),
        )
        .group_by("ccg", "financial_year")
        .aggregate(total=_.count(), within=_.within.sum())
    )


@shared
def rtt_within_18_weeks(tables: Tables, scope: Scope) -> Any:
    """Elective spells with a referral-to-treatment time, and those within 18 weeks."""
    apc = tables["apc"]
    rows = apc.filter(
        apc.rtt_weeks.notnull() & (apc.admitted_on >= scope.start) & (apc.admitted_on < scope.end)
    )
    rows = _with_ccg(tables, in_practices(tables, scope, rows))
    return (
        rows.mutate(
            financial_year=financial_year(rows.admitted_on, scope),
            within=(rows.rtt_weeks < RTT_WEEKS).cast("int64"),
        )
        .group_by("ccg", "financial_year")
        .aggregate(total=_.count(), within=_.within.sum())
    )


def values(
    backend: Any, tables: Tables, scope: Scope, by_age_and_sex: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Every lake measure for each CCG and year of `scope`: columns ccg, financial_year,
    measure, value, lower, upper, numerator, denominator (a year with no registered patients
    or no activity is absent: the lake does not cover it). `by_age_and_sex`, if a caller has
    it, is `population_by_age` of the same scope, so the lists are not counted twice."""
    if by_age_and_sex is None:
        people = backend.execute(population(tables, scope))
    else:
        keys = ["ccg", "financial_year", "age_band"]
        summed = by_age_and_sex.groupby(keys)["patients"].sum()
        people = summed.rename("population").reset_index()
    frames = [
        _standardised(
            "avoidable_emergency_admissions",
            backend.execute(avoidable_admissions(tables, scope)),
            people,
        ),
        _pyll(backend.execute(years_lost(tables, scope)), people),
        _shares("ae_within_4_hours", backend.execute(ae_within_4_hours(tables, scope))),
        _shares(
            "rtt_admitted_within_18_weeks", backend.execute(rtt_within_18_weeks(tables, scope))
        ),
    ]
    every = pd.concat(frames, ignore_index=True)
    # A year the lake holds activity for: registrations reach back before the lake's first
    # year, but its deaths and activity do not, so a year without activity is not covered.
    active = every[every["measure"] != "pyll_under_75"]
    covered = pd.MultiIndex.from_frame(active[["ccg", "financial_year"]]).unique()
    keep = pd.MultiIndex.from_frame(every[["ccg", "financial_year"]]).isin(covered)
    return every[keep].sort_values(["ccg", "measure", "financial_year"]).reset_index(drop=True)


def _standard() -> np.ndarray:
    esp = load("esp2013").to_pandas().set_index("age_band")["population"]
    return esp.reindex(list(AGE_BANDS)).to_numpy(dtype=np.float64)


def _grid(frame: pd.DataFrame, people: pd.DataFrame, column: str) -> tuple[Any, Any, Any]:
    """Counts and populations as groups (ccg, year) × age bands, every band present."""
    keys = ["ccg", "financial_year"]
    sums = people.groupby(keys)["population"].sum()
    covered = sums[sums > 0].index
    count = frame.pivot_table(index=keys, columns="age_band", values=column, aggfunc="sum")
    population_grid = people.pivot_table(
        index=keys, columns="age_band", values="population", aggfunc="sum"
    )
    count = count.reindex(index=covered, columns=list(AGE_BANDS)).fillna(0.0)
    population_grid = population_grid.reindex(index=covered, columns=list(AGE_BANDS)).fillna(0.0)
    return covered, count, population_grid


def _every_band(populations: np.ndarray) -> np.ndarray:
    """Groups with someone registered in every age band: only they have a standardised rate
    (a CCG always does; an empty band leaves the rate undefined)."""
    return np.asarray((populations > 0).all(axis=1))


@dataclass(frozen=True)
class _Values:
    value: np.ndarray
    lower: np.ndarray
    upper: np.ndarray


def _where(rows: np.ndarray, compute: Callable[[np.ndarray], Any]) -> _Values:
    """`compute(rows)`'s estimate on the rows selected, not a number (NaN) elsewhere."""
    value, lower, upper = (np.full(rows.size, np.nan) for _ in range(3))
    if rows.any():
        estimate = compute(rows)
        value[rows], lower[rows], upper[rows] = estimate.value, estimate.lower, estimate.upper
    return _Values(value, lower, upper)


def _frame(
    measure: str, index: Any, estimate: Any, numerator: Any, denominator: Any
) -> pd.DataFrame:
    frame = index.to_frame(index=False)
    return frame.assign(
        measure=measure,
        value=estimate.value,
        lower=estimate.lower,
        upper=estimate.upper,
        numerator=np.asarray(numerator, dtype=np.float64),
        denominator=np.asarray(denominator, dtype=np.float64),
    )


def _standardised(measure: str, events: pd.DataFrame, people: pd.DataFrame) -> pd.DataFrame:
    covered, count, population_grid = _grid(events, people, "events")
    has_events = set(events.groupby(["ccg", "financial_year"]).size().index)
    keep = [key in has_events for key in covered]
    covered, count, population_grid = covered[keep], count[keep], population_grid[keep]
    full = _every_band(population_grid.to_numpy())
    estimate = _where(
        full,
        lambda rows: dsr(
            count.to_numpy()[rows],
            population_grid.to_numpy()[rows],
            _standard(),
            confidence=CONFIDENCE,
            multiplier=PER,
        ),
    )
    return _frame(measure, covered, estimate, count.sum(axis=1), population_grid.sum(axis=1))


def _pyll(deaths: pd.DataFrame, people: pd.DataFrame) -> pd.DataFrame:
    """Years lost per 100,000, directly standardised: each death counts its years lost as
    that many events of one person (PHE's method for events that repeat in a person)."""
    keys = ["ccg", "financial_year"]
    sums = people.groupby(keys)["population"].sum()
    covered = sums[sums > 0].index
    lost = np.arange(1, PYLL_AGE + 1)
    persons = np.zeros((len(covered), len(AGE_BANDS), lost.size))
    groups = (
        pd.MultiIndex.from_frame(deaths[keys])
        if len(deaths)
        else pd.MultiIndex.from_tuples([], names=keys)
    )
    row = covered.get_indexer(groups)
    column = pd.Index(list(AGE_BANDS)).get_indexer(pd.Index(deaths["age_band"]))
    years = deaths["lost"].to_numpy(dtype=np.int64)
    kept = (row >= 0) & (column >= 0) & (years >= 1) & (years <= PYLL_AGE)
    np.add.at(
        persons,
        (row[kept], column[kept], years[kept] - 1),
        deaths["deaths"].to_numpy(dtype=np.float64)[kept],
    )
    population_grid = (
        people.pivot_table(index=keys, columns="age_band", values="population", aggfunc="sum")
        .reindex(index=covered, columns=list(AGE_BANDS))
        .fillna(0.0)
    )
    full = _every_band(population_grid.to_numpy())
    estimate = _where(
        full,
        lambda rows: dsr_repeat_events(
            persons[rows],
            population_grid.to_numpy()[rows],
            lost,
            _standard(),
            confidence=CONFIDENCE,
            multiplier=PER,
        ),
    )
    return _frame(
        "pyll_under_75", covered, estimate, persons.sum(axis=1) @ lost, population_grid.sum(axis=1)
    )


def _shares(measure: str, counts: pd.DataFrame) -> pd.DataFrame:
    counts = counts[counts["total"] > 0].sort_values(["ccg", "financial_year"])
    index = pd.MultiIndex.from_frame(counts[["ccg", "financial_year"]])
    estimate = proportion(
        counts["within"].to_numpy(), counts["total"].to_numpy(), confidence=CONFIDENCE
    )
    return _frame(measure, index, estimate, counts["within"], counts["total"])
