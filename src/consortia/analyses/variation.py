"""Practice variation: each measure's observed and expected events per practice.

Expected events come from indirect standardisation: the reference population's rate in each
cell (age band, sex, deprivation quintile) times the practice's registered person-years in
that cell. Person-years and events are credited to the practice the patient was registered
with at the time (a patient who moved counts at each practice for their time there). The
reference is every patient in the lake, so ratios compare a practice with the
whole population the lake covers (for a one-CCG lake, with the CCG itself).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, get_args

import ibis
from ibis import _

from consortia.analyses.population import (
    equal_to_any,
    event_date,
    patient_years,
    with_cells,
)
from consortia.analyses.scope import Scope, Tables, financial_year_start
from consortia.analyses.shared import shared
from consortia.analyses.value_sets import in_value_set
from consortia.measures.definition import CellColumn, Measure
from consortia.schema.datasets import RECORDED_PERSON

DATASETS = ("patient", "registration", "practice", "apc", "op", "ae")


def measure_events(tables: Tables, measure: Measure) -> Any:
    """The events a measure counts: patient, practice credited, date and the measure's id."""
    numerator = measure.numerator
    table = tables[numerator.dataset]
    condition = equal_to_any(table, numerator.where)
    if numerator.diagnosis_value_sets:
        matched = ibis.literal(False)
        for value_set in numerator.diagnosis_value_sets:
            matched = matched | in_value_set(table.primary_diagnosis, value_set)
        condition = condition & matched
    return table.filter(condition).select(
        "patient_id",
        "practice",
        *RECORDED_PERSON,
        event_date=event_date(table, numerator.dataset),
        measure=ibis.literal(measure.id),
    )


def observed_and_expected(tables: Tables, scope: Scope, measures: Sequence[Measure]) -> Any:
    """Per measure and practice of the scope: observed events, expected events, person-years.

    Pooled over the scope's financial years. Measures standardised for the same cells share
    one pass over the data.
    """
    result = every_practice(tables, scope.everyone, tuple(measures))
    practices = tables["practice"]
    if scope.ccg is not None:
        practices = practices.filter(practices.ccg == scope.ccg)
    result = result.semi_join(practices, result.practice == practices.code)
    return result.select("measure", "practice", "observed", "expected", "person_years").order_by(
        "measure", "practice"
    )


@shared
def every_practice(tables: Tables, scope: Scope, measures: tuple[Measure, ...]) -> Any:
    """`observed_and_expected` for every practice in the lake (`scope` names no CCG): the
    reference is everyone, so one pass serves every CCG's practices."""
    everyone = patient_years(tables, scope)
    cells = measure_cells(tables, scope, measures)
    by_cells: dict[tuple[str, ...], list[Measure]] = {}
    for measure in measures:
        by_cells.setdefault(tuple(measure.standardised_for), []).append(measure)
    parts = [_standardise(everyone, cells, list(keys), group) for keys, group in by_cells.items()]
    return ibis.union(*parts)


CELL = get_args(CellColumn)  # every column a measure may be standardised for


@shared
def measure_cells(tables: Tables, scope: Scope, measures: tuple[Measure, ...]) -> Any:
    """Each measure's events in the scope's years by practice credited and the patient's cell
    in the event's year (`CELL`): every measure's events meet their patients in one join,
    whatever cells each is standardised for."""
    events = ibis.union(*(measure_events(tables, m) for m in measures))
    events = events.filter((events.event_date >= scope.start) & (events.event_date < scope.end))
    events = events.mutate(year_start=financial_year_start(events.event_date, scope))
    return with_cells(events).group_by("measure", "practice", *CELL).aggregate(observed=_.count())


def _standardise(everyone: Any, counted: Any, keys: list[str], measures: list[Measure]) -> Any:
    """Observed and expected per measure and practice, standardised for the cells `keys`, from
    the events `counted` by `measure_cells`."""
    ids = [m.id for m in measures]
    event_cells = (
        counted.filter(counted.measure.isin(ids))
        .group_by(["measure", "practice", *keys])
        .aggregate(observed=_.observed.sum())
    )
    exposure = everyone.group_by(["practice", *keys]).aggregate(person_years=_.person_years.sum())
    grid = ibis.union(*(exposure.mutate(measure=ibis.literal(m)) for m in ids))
    cells = grid.left_join(event_cells, ["measure", "practice", *keys]).select(
        "measure", "practice", *keys, "person_years", observed=_.observed.fill_null(0)
    )
    reference = cells.group_by(["measure", *keys]).aggregate(
        rate=_.observed.sum().cast("float64") / _.person_years.sum()
    )
    expected = cells.join(reference, ["measure", *keys]).mutate(expected=_.person_years * _.rate)
    return expected.group_by("measure", "practice").aggregate(
        observed=_.observed.sum(),
        expected=_.expected.sum(),
        person_years=_.person_years.sum(),
    )
