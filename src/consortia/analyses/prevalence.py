"""Long-term-condition prevalence per practice, observed against expected, as QOF counts it.

QOF counts a register over the patients who could be on it: patients on the register and
registered on the last day of the financial year, over the registered patients of the
register's own age range on that day (QOF business rules v26, 2013/14, and the 2014/15 rules:
diabetes 17 and over; CKD, depression, epilepsy and learning disability 18 and over; obesity 16
and over; every other register all ages — HSCIC, Quality and Outcomes Framework Prevalence,
Achievements and Exceptions Report, Technical Annex 2013-14, 28 October 2014). Expected counts
apply the reference population's prevalence in each age band and sex, over the same eligible
patients, to the practice's eligible list (indirect standardisation).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import ibis
from ibis import _

from consortia.analyses.population import age_band, age_on, registered_on, registered_population
from consortia.analyses.scope import Scope, Tables, member_practices
from consortia.analyses.shared import shared
from consortia.schema.codes import REGISTER_MINIMUM_AGE

DATASETS = ("patient", "registration", "practice", "condition")
RULES = "QOF business rules v26 (2013/14) and 2014/15"
MINIMUM_AGE = REGISTER_MINIMUM_AGE  # the youngest age on each register; others all ages
REGISTER_NAMES = {
    "diabetes": "diabetes",
    "ckd": "chronic kidney disease",
    "depression": "depression",
    "epilepsy": "epilepsy",
    "learning_disability": "learning disability",
    "obesity": "obesity",
}


def describe_ages() -> str:
    """The registers' age limits in words."""
    limits = ", ".join(
        f"{REGISTER_NAMES[name]} {age} and over" for name, age in MINIMUM_AGE.items()
    )
    return f"{limits}; every other register all ages"


def register_ages(conditions: Any) -> Any:
    """The registers with the youngest age each counts (0 for all ages)."""
    rules = ibis.memtable(
        {"condition": list(MINIMUM_AGE), "minimum_age": list(MINIMUM_AGE.values())}
    )
    return conditions.left_join(rules, "condition").select(
        "condition", minimum_age=_.minimum_age.fill_null(0).cast("int16")
    )


@shared(by="practice")
def register_cells(tables: Tables, scope: Scope, on: date) -> Any:
    """Per practice, condition, age band and sex: patients of the register's age range on the
    list, and those of them on the register (a patient below the range is on neither)."""
    listed = registered_on(tables, scope, on)
    listed = listed.select(
        "patient_id",
        "practice",
        "sex",
        age=age_on(listed, on),
        age_band=age_band(age_on(listed, on)),
    )
    condition = tables["condition"]
    recorded = condition.filter(condition.recorded_on <= on).select("patient_id", "condition")
    keys = ["practice", "age", "age_band", "sex"]
    ages = listed.group_by(keys).aggregate(patients=_.count())
    on_register = (
        listed.join(recorded, "patient_id")
        .group_by(["condition", *keys])
        .aggregate(observed=_.count())
    )
    grid = ages.cross_join(register_ages(recorded.select("condition").distinct()))
    grid = grid.filter(grid.age >= grid.minimum_age)
    return (
        grid.left_join(on_register, ["condition", *keys])
        .group_by("practice", "condition", "minimum_age", "age_band", "sex")
        .aggregate(patients=_.patients.sum(), observed=_.observed.fill_null(0).sum())
    )


@shared(by="practice")
def observed_and_expected(tables: Tables, scope: Scope, on: date) -> Any:
    """Per practice and condition: the register's eligible list, patients on the register, the
    recorded prevalence and the expected count (indirectly standardised for age band and sex).
    Registers with no expected patients (nobody of their ages anywhere) are left out. The
    reference is everyone's whatever the scope, so a CCG's rows are everyone's for its
    practices: computed once for every CCG."""
    everyone = register_cells(tables, Scope(None, scope.first_year, scope.years), on)
    reference = everyone.group_by("condition", "age_band", "sex").aggregate(
        reference_prevalence=_.observed.sum().cast("float64") / _.patients.sum()
    )
    practices = member_practices(tables, scope)
    cells = everyone.semi_join(practices, everyone.practice == practices.code).join(
        reference, ["condition", "age_band", "sex"]
    )
    totals = cells.group_by("practice", "condition", "minimum_age").aggregate(
        patients=_.patients.sum(),
        observed=_.observed.sum(),
        expected=(_.patients * _.reference_prevalence).sum(),
    )
    return (
        totals.filter(totals.expected > 0)
        .mutate(prevalence=totals.observed.cast("float64") / totals.patients)
        .order_by("condition", "practice")
    )


def register_prevalence(tables: Tables, scope: Scope, on: date) -> Any:
    """Per condition, over the scope's practices: the register's minimum age, the whole list,
    the eligible list, patients on the register and the prevalence over the eligible list."""
    cells = register_cells(tables, scope, on)
    listed = registered_population(tables, scope, on).patients.sum().fill_null(0)
    totals = cells.group_by("condition", "minimum_age").aggregate(
        patients=_.patients.sum(), observed=_.observed.sum()
    )
    return totals.mutate(
        list_size=listed.as_scalar(),
        prevalence=totals.observed.cast("float64") / totals.patients,
    ).order_by("condition")
