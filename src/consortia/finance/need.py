"""The person-level data an allocation's need indices are fitted from, as engine definitions:
each practice's registered person-years and spend by the patient's cell, and its deaths under
75. One aggregate each, whatever the number of practices; the fit itself is in `capitation`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import ibis
from ibis import _

from consortia.analyses.population import (
    age_band,
    equal_to_any,
    event_date,
    mid_year_age,
    patient_years,
)
from consortia.analyses.scope import Scope, Tables
from consortia.analyses.shared import shared
from consortia.finance.parameters import Component
from consortia.schema.selection import Source

# The person's cell a need index is fitted over: age band on 1 October and sex (the age–sex
# cost curve), deprivation quintile of residence and the number of long-term conditions on
# practice registers at the start of the year (additional need), as person-based formulae
# use age, sex, morbidity and area deprivation (Dixon et al., BMJ 2011;343:d6608).
CELL = ("age_band", "sex", "deprivation_quintile", "morbidity")
MORBIDITY = ("0", "1", "2", "3+")  # long-term conditions recorded before the year began
UNDER_75 = 75  # the inequalities adjustment counts deaths before this age (avoidable mortality)


def base_year(year_start: int) -> Scope:
    """Every CCG in the lake over the one financial year starting in April of `year_start`."""
    return Scope(ccg=None, first_year=year_start, years=1)


def spend_rows(tables: Tables, scope: Scope, source: Source) -> Any:
    """The cost of `source`'s rows in the scope's year, by patient and practice credited."""
    table = tables[source.dataset]
    day = event_date(table, source.dataset)
    condition = equal_to_any(table, source.where) & (day >= scope.start) & (day < scope.end)
    return table.filter(condition).select("patient_id", "practice", "cost")


def _component_spend(tables: Tables, scope: Scope, components: tuple[Component, ...]) -> Any:
    """Each patient's spend at each practice in the year, one column per component."""
    parts = []
    for component in components:
        for source in component.datasets:
            rows = spend_rows(tables, scope, source)
            parts.append(
                rows.select(
                    "patient_id",
                    "practice",
                    **{
                        f"cost_{other.name}": (
                            rows.cost if other is component else ibis.literal(0.0)
                        )
                        for other in components
                    },
                )
            )
    spend = ibis.union(*parts)
    return spend.group_by("patient_id", "practice").aggregate(
        **{f"cost_{c.name}": spend[f"cost_{c.name}"].sum() for c in components}
    )


def _morbidity(tables: Tables, start: date) -> Any:
    """Each patient's count of long-term conditions recorded before `start`, banded."""
    condition = tables["condition"]
    counts = (
        condition.filter(condition.recorded_on < start)
        .group_by("patient_id")
        .aggregate(conditions=_.count())  # one row per patient and register (the schema's key)
    )
    band = ibis.cases(
        (counts.conditions >= 3, "3+"),
        else_=counts.conditions.cast("string"),
    )
    return counts.select("patient_id", morbidity=band)


@shared
def need_cells(tables: Tables, scope: Scope, components: tuple[Component, ...]) -> Any:
    """Registered person-years and spend per component in the scope's one financial year
    (`base_year`), by practice and cell (`CELL`).

    Person-years are credited to the practice of each registration (a patient who moved
    counts at both); spend to the practice named on each record, and only where the patient
    was registered with it that year. Patients with no spend count with zero: the need index
    is the cost per person-year of everyone in the cell, users and not.
    """
    years = patient_years(tables, scope)
    morbidity = _morbidity(tables, scope.start)
    people = years.left_join(morbidity, "patient_id").select(
        *years.columns,
        morbidity=_.morbidity.fill_null("0"),
    )
    spend = _component_spend(tables, scope, components)
    joined = people.left_join(spend, ["patient_id", "practice"])
    costs = {f"cost_{c.name}": joined[f"cost_{c.name}"].fill_null(0.0) for c in components}
    cells = joined.select("practice", *CELL, "person_years", **costs)
    return (
        cells.group_by("practice", *CELL)
        .aggregate(
            person_years=cells.person_years.sum(),
            **{name: cells[name].sum() for name in costs},
        )
        .order_by("practice", *CELL)
    )


@shared
def deaths_under_75(tables: Tables, scope: Scope) -> Any:
    """Deaths before age 75 in the scope's one financial year (`base_year`), by the practice
    the patient was registered with when they died, mid-year age band and sex."""
    patient = tables["patient"]
    died = patient.filter(
        (patient.date_of_death >= scope.start) & (patient.date_of_death < scope.end)
    )
    age = mid_year_age(died, scope.first_year)
    return (
        died.filter(age < UNDER_75)
        .mutate(age_band=age_band(age))
        .group_by("practice", "age_band", "sex")
        .aggregate(deaths=_.count())
        .order_by("practice", "age_band", "sex")
    )


@shared
def base_spend(tables: Tables, scope: Scope, components: tuple[Component, ...]) -> Any:
    """Spend per component in the scope's one financial year (`base_year`) by practice
    (every record, registered or not): the recurrent baseline the allocation moves from."""
    parts = [
        spend_rows(tables, scope, source).select(
            "practice", "cost", component=ibis.literal(component.name)
        )
        for component in components
        for source in component.datasets
    ]
    spend = ibis.union(*parts)
    return (
        spend.group_by("practice", "component")
        .aggregate(cost=spend.cost.sum())
        .order_by("practice", "component")
    )
