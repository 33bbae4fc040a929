"""Monthly series for statistical process control: emergency admissions, A&E, waits."""

from __future__ import annotations

from typing import Any

import ibis
from ibis import _

from consortia.analyses.population import in_practices
from consortia.analyses.scope import Scope, Tables
from consortia.analyses.shared import shared

DATASETS = ("patient", "registration", "practice", "apc", "ae")
FOUR_HOURS = 4 * 60 * 60
RTT_WEEKS = 18


def _in_period(table: Any, day: Any, scope: Scope) -> Any:
    return table.filter((day >= scope.start) & (day < scope.end))


@shared(by="practice")
def monthly_counts(tables: Tables, scope: Scope) -> Any:
    """`monthly_series`' numerators and denominators by month and practice (the practice the
    patient was registered with on the day)."""
    apc = in_practices(tables, scope, tables["apc"])
    ae = in_practices(tables, scope, tables["ae"])
    emergency = _in_period(apc.filter(apc.method == "emergency"), apc.admitted_on, scope)
    elective = _in_period(apc.filter(apc.method == "elective"), apc.admitted_on, scope)
    ae = _in_period(ae, ae.arrived_at.date(), scope)
    null = ibis.null("int64")
    within = (ae.departed_at.epoch_seconds() - ae.arrived_at.epoch_seconds()) <= FOUR_HOURS
    parts = [
        emergency.group_by("practice", month=emergency.admitted_on.truncate("M")).aggregate(
            series=ibis.literal("emergency_admissions"), numerator=_.count(), denominator=null
        ),
        ae.group_by("practice", month=ae.arrived_at.date().truncate("M")).aggregate(
            series=ibis.literal("ae_attendances"), numerator=_.count(), denominator=null
        ),
        ae.group_by("practice", month=ae.arrived_at.date().truncate("M")).aggregate(
            series=ibis.literal("ae_within_4_hours"),
            numerator=within.cast("int64").sum(),
            denominator=_.count(),
        ),
        elective.group_by("practice", month=elective.admitted_on.truncate("M")).aggregate(
            series=ibis.literal("rtt_within_18_weeks"),
            numerator=(elective.rtt_weeks < RTT_WEEKS).cast("int64").sum(),
            denominator=elective.rtt_weeks.count(),
        ),
    ]
    return ibis.union(*parts)


def monthly_series(tables: Tables, scope: Scope) -> Any:
    """By month: emergency admissions, A&E attendances, A&E within four hours, RTT within 18 weeks.

    Rows: series, month (ISO date), numerator, denominator (null for counts) and value (the
    count, or numerator over denominator). Events count for the scope when the patient was
    registered with one of its practices on the day.
    """
    every = (
        monthly_counts(tables, scope)
        .group_by("series", "month")
        # DuckDB sums 64-bit integers as 128-bit, which reads back as decimals where a count
        # has no denominator (null): summed as doubles (exact below 2^53) and cast back instead.
        .aggregate(
            numerator=_.numerator.sum(),
            denominator=_.denominator.cast("float64").sum().cast("int64"),
        )
    )
    value = ibis.ifelse(
        every.denominator.isnull(),
        every.numerator.cast("float64"),
        every.numerator.cast("float64") / every.denominator,
    )
    return (
        every.mutate(month=every.month.strftime("%Y-%m-%d"), value=value)
        .select("series", "month", "numerator", "denominator", "value")
        .order_by("series", "month")
    )
