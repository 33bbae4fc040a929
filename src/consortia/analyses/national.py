"""Every CCG of the lake side by side: who they are, and each measure's standardised ratio.

Indirect standardisation adds up: a CCG's observed and expected events are the sums of its
member practices' (each practice's expected events from the rates of everyone in the lake,
`variation.every_practice`). So every CCG's ratio comes from the one grouped pass that
practice variation already makes, not from a pass per CCG, and summed over the CCGs the
expected events of each measure equal its observed events.
"""

from __future__ import annotations

from typing import Any

from ibis import _

from consortia.analyses.scope import Scope, Tables
from consortia.analyses.shared import shared
from consortia.analyses.variation import every_practice
from consortia.measures.definition import Measure

DATASETS = ("ccg", "practice", "patient", "registration", "apc", "op", "ae")


def _everyone(scope: Scope) -> None:
    """Refuse a CCG's scope: these results are about every CCG at once."""
    if scope.ccg is not None:
        raise ValueError("national results are over every CCG (a scope without a CCG)")


@shared
def ccgs(tables: Tables, scope: Scope) -> Any:
    """Each CCG of the lake: code, name, region, its member practices, and the patients ever
    registered with one of them (the pack's test of whether a CCG has anyone to report on)."""
    _everyone(scope)
    practice = tables["practice"]
    registration = tables["registration"]
    registered = registration.join(practice, registration.practice == practice.code)
    # Each CCG's distinct patients, then counted: a fifth less time than a distinct count
    # in the aggregate over England's registrations (DuckDB 1.5), and the same number.
    ever = registered.select("ccg", "patient_id").distinct()
    patients = ever.group_by("ccg").aggregate(patients=_.count())
    practices = practice.group_by("ccg").aggregate(practices=_.count())
    ccg = tables["ccg"].select(ccg="code", name="name", region="region")
    joined = ccg.left_join(practices, "ccg").left_join(patients, "ccg")
    return joined.select(
        "ccg",
        "name",
        "region",
        practices=_.practices.fill_null(0),
        patients=_.patients.fill_null(0),
    ).order_by("ccg")


@shared
def ccg_observed_and_expected(tables: Tables, scope: Scope, measures: tuple[Measure, ...]) -> Any:
    """Per measure and CCG: observed and expected events and person-years, summed over the
    CCG's member practices (expected from everyone's rates, pooled over the period)."""
    _everyone(scope)
    practices = every_practice(tables, scope, measures)
    member = tables["practice"].select(practice="code", ccg="ccg")
    return (
        practices.join(member, "practice")
        .group_by("measure", "ccg")
        .aggregate(
            observed=_.observed.sum(),
            expected=_.expected.sum(),
            person_years=_.person_years.sum(),
        )
        .order_by("measure", "ccg")
    )
