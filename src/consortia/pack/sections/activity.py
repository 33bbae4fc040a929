"""Activity and cost: by point of delivery, treatment function, provider, month and practice."""

from __future__ import annotations

from functools import partial
from typing import Any

import pandas as pd

from consortia.analyses import activity
from consortia.pack import charts
from consortia.pack.context import Context
from consortia.pack.figure import Figure
from consortia.privacy.publication import Public, Ratio
from consortia.schema.reference_tables import load, provenance_of
from consortia.stats.rates import with_rate
from consortia.stats.standardisation import with_dsr

SECTION = "Activity and cost"
CONFIDENCE = 0.95
PER = 1000
EMERGENCY = "emergency"


def activity_rates(context: Context) -> Figure:
    """Activity, cost, crude and standardised rates, spend per head and per weighted head."""
    result, sql = context.run(activity.activity_with_weighted_cost, context.scope)
    bands, _ = context.run(activity.events_by_band, context.scope)
    crude = with_rate(result, confidence=CONFIDENCE, multiplier=PER)
    standardised = with_dsr(
        crude.table,
        bands,
        load("esp2013").to_pandas(),
        keys=["financial_year", "pod"],
        confidence=CONFIDENCE,
        multiplier=PER,
    )
    table = standardised.table
    return Figure(
        id="activity_rates",
        section=SECTION,
        title="Hospital activity and cost by point of delivery (emergency admissions apart)",
        method=(
            f"Events per {PER:,} patients registered on 1 October (mid-year), crude and directly "
            "standardised to the European Standard Population 2013 by five-year age band. "
            "Emergency admissions are admission methods 21–28, the count England's "
            "emergency-admission statistics publish; maternity admissions and transfers "
            "between providers are shown apart as "
            "other non-elective admissions (with emergency admissions they make the tariff's "
            f"non-elective point of delivery). Crude rates with {crude.description}; "
            f"standardised rates with {standardised.description}. Cost at tariff; cost per "
            "head over the same list, and per weighted head, where each age–sex group counts "
            "by its cost per head across all the data relative to the average."
        ),
        table=table,
        public=Public(
            (
                Ratio("rate_per_1000", "events", "population", scale=PER),
                Ratio("cost_per_head", "cost", "population"),
                Ratio("cost_per_weighted_head", "cost", "weighted_population"),
            ),
            # the CCG's whole spend on a point of delivery in a year, and its weighted list
            as_is=("cost", "weighted_population"),
        ),
        chart=partial(charts.rate_bars, title=f"Rate per {PER:,} registered patients"),
        confidence=CONFIDENCE,
        source=sql,
    )


def activity_monthly(context: Context) -> Figure:
    """Events by month and point of delivery."""
    table, sql = context.run(activity.monthly_activity, context.scope)
    return Figure(
        id="activity_monthly",
        section=SECTION,
        title="Monthly activity by point of delivery",
        method="Counts of events by month of admission, appointment or arrival.",
        table=table,
        public=Public(as_is=("cost",)),  # the CCG's whole spend on a service in a month
        chart=partial(charts.monthly_lines, title="Events by month"),
        source=sql,
    )


def activity_by_function(context: Context) -> Figure:
    """Planned care by treatment function: events and cost."""
    table, sql = context.run(activity.activity_by_function, context.scope)
    return Figure(
        id="activity_by_function",
        section=SECTION,
        title="Activity and cost by treatment function",
        method=(
            "Events and tariff cost by the treatment function (specialty) of the care, named "
            f"from the {provenance_of('treatment_functions').title} list."
        ),
        table=table,
        chart=charts.function_bars,
        source=sql,
    )


def cost_by_provider(context: Context) -> Figure:
    """Cost by provider, point of delivery and year."""
    table, sql = context.run(activity.cost_by_provider, context.scope)
    return Figure(
        id="cost_by_provider",
        section=SECTION,
        title="Cost by provider",
        method="Sum of tariff costs of events by provider and point of delivery.",
        table=table,
        chart=partial(charts.stacked_cost, title="Cost by provider"),
        source=sql,
    )


def practice_activity(context: Context) -> Figure:
    """Crude rates per 1,000 by practice and point of delivery, latest year."""
    result, sql = context.run(activity.practice_rates, context.scope)
    rates = with_rate(result, confidence=CONFIDENCE, multiplier=PER)
    table = rates.table
    latest = table["financial_year"].iloc[0] if len(table) else ""
    return Figure(
        id="practice_activity",
        section=SECTION,
        title=f"Activity per {PER:,} registered patients by practice, {latest}",
        method=(
            f"Crude rates per {PER:,} patients registered on 1 October; {rates.description}. "
            "Crude rates do not allow for age, sex or deprivation: the practice variation "
            "section does. The chart shows emergency admissions (admission methods 21–28); the "
            "dashed line is the CCG's rate."
        ),
        table=table,
        chart=_emergency_rates,
        confidence=CONFIDENCE,
        source=sql,
    )


def _emergency_rates(table: pd.DataFrame) -> Any:
    """The chart of `practice_activity`: each practice's emergency admission rate."""
    emergency = table[table["pod"] == EMERGENCY].rename(columns={"ccg_rate_per_1000": "overall"})
    return charts.dots_with_intervals(
        emergency, "rate_per_1000", "Emergency admissions by practice", f"Rate per {PER:,}"
    )


BUILDERS = (
    activity_rates,
    activity_monthly,
    activity_by_function,
    cost_by_provider,
    practice_activity,
)
