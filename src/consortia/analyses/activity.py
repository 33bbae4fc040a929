"""Activity and cost: what hospital care the registered population used, and what it cost.

Points of delivery: elective admissions (day case and ordinary); emergency admissions
(admission methods 21–28, the count England's emergency-admission statistics publish); other
non-elective admissions (maternity and transfers between providers — with emergency admissions
they make the tariff's "non-elective" point of delivery); first and follow-up outpatient
attendances (attended only; missed appointments are not paid for) and A&E attendances.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import ibis
from ibis import _

from consortia.analyses.population import (
    MID_YEAR,
    in_practices,
    mid_year_population,
    registered_population,
    with_cells,
)
from consortia.analyses.scope import (
    Scope,
    Tables,
    financial_year,
    financial_year_label,
    financial_year_start,
)
from consortia.analyses.shared import shared
from consortia.schema.codes import POINT_OF_DELIVERY
from consortia.schema.datasets import RECORDED_PERSON
from consortia.schema.reference_tables import AGE_BANDS

DATASETS = ("patient", "registration", "practice", "apc", "op", "ae")
ADMISSION_POD = {"elective": "elective", "emergency": "emergency"}  # any other: other_non_elective


def admission_pod(method: Any) -> Any:
    """The point of delivery of an admission from its method (emergency = methods 21–28)."""
    return method.cases(*ADMISSION_POD.items(), else_="other_non_elective")


def pod_names() -> Any:
    """Point-of-delivery codes with their names from the code list, as a table to join."""
    codes = POINT_OF_DELIVERY.codes
    return ibis.memtable({"pod": list(codes), "point_of_delivery": list(codes.values())})


def with_pod_name(table: Any) -> Any:
    """`table` (with a pod column) with the point of delivery's name beside the code."""
    return table.join(pod_names(), "pod")


def activity_events(tables: Tables) -> Any:
    """Every paid unit of hospital activity: patient, provider, point of delivery, date, cost,
    treatment function (none for A&E), and the practice the patient was registered with."""
    apc, op, ae = tables["apc"], tables["op"], tables["ae"]
    spells = apc.select(
        "patient_id",
        "provider",
        "practice",
        *RECORDED_PERSON,
        pod=admission_pod(apc.method),
        activity_date=apc.admitted_on,
        cost=apc.cost,
        treatment_function=apc.treatment_function,
    )
    attendances = op.filter(op.attendance_status == "attended").select(
        "patient_id",
        "provider",
        "practice",
        *RECORDED_PERSON,
        pod=ibis.ifelse(op.attendance_type == "first", "op_first", "op_follow_up"),
        activity_date=op.attended_on,
        cost=op.cost,
        treatment_function=op.treatment_function,
    )
    arrivals = ae.select(
        "patient_id",
        "provider",
        "practice",
        *RECORDED_PERSON,
        pod=ibis.literal("ae"),
        activity_date=ae.arrived_at.date(),
        cost=ae.cost,
        treatment_function=ibis.null("string"),
    )
    return ibis.union(spells, attendances, arrivals)


def scoped_events(tables: Tables, scope: Scope) -> Any:
    """Activity in the scope's financial years, each event with the practice the patient was
    registered with on its date (only practices in scope), and its financial year."""
    events = activity_events(tables)
    events = events.filter(
        (events.activity_date >= scope.start) & (events.activity_date < scope.end)
    )
    joined = in_practices(tables, scope, events)
    return joined.mutate(
        financial_year=financial_year(joined.activity_date, scope),
        year_start=financial_year_start(joined.activity_date, scope),
    )


@shared(by="practice")
def activity_detail(tables: Tables, scope: Scope) -> Any:
    """Events and cost by financial year, month, point of delivery, provider and practice."""
    joined = scoped_events(tables, scope)
    return (
        joined.mutate(month=joined.activity_date.truncate("M"))
        .group_by("financial_year", "month", "pod", "provider", "practice")
        .aggregate(events=_.count(), cost=_.cost.sum())
        .order_by("financial_year", "month", "pod", "provider", "practice")
    )


def monthly_activity(tables: Tables, scope: Scope) -> Any:
    """Events and cost by month and point of delivery (named), month as an ISO date string."""
    detail = activity_detail(tables, scope)
    monthly = detail.group_by("month", "pod").aggregate(events=_.events.sum(), cost=_.cost.sum())
    return (
        with_pod_name(monthly)
        .mutate(month=_.month.strftime("%Y-%m-%d"))
        .select("month", "pod", "point_of_delivery", "events", "cost")
        .order_by("month", "pod")
    )


def cost_by_provider(tables: Tables, scope: Scope) -> Any:
    """Events and cost by financial year, provider (named) and point of delivery (named)."""
    detail = activity_detail(tables, scope)
    totals = detail.group_by("financial_year", "provider", "pod").aggregate(
        events=_.events.sum(), cost=_.cost.sum()
    )
    providers = tables["provider"].select(provider="code", provider_name="name")
    return (
        with_pod_name(totals)
        .join(providers, "provider")
        .select(
            "financial_year",
            "provider",
            "pod",
            "events",
            "cost",
            "provider_name",
            "point_of_delivery",
        )
        .order_by("financial_year", "provider", "pod")
    )


def activity_rates(tables: Tables, scope: Scope, by: tuple[str, ...] = ()) -> Any:
    """Events, cost, rate per 1,000 and cost per head by financial year and point of delivery.

    The denominator is the registered list on 1 October (mid-year) of each financial year, of
    the practices in `by` when grouping by practice.
    """
    detail = activity_detail(tables, scope)
    keys = ("financial_year", "pod", *by)
    totals = detail.group_by(*keys).aggregate(events=_.events.sum(), cost=_.cost.sum())
    population = mid_year_population(tables, scope)
    pop_keys = tuple(k for k in ("financial_year", *by) if k in ("financial_year", "practice"))
    population = population.group_by(*pop_keys).aggregate(population=_.patients.sum())
    joined = with_pod_name(totals.join(population, list(pop_keys)))
    return joined.mutate(
        rate_per_1000=joined.events * 1000.0 / joined.population,
        cost_per_head=joined.cost / joined.population,
    ).order_by(*keys)


def latest_year(table: Any) -> Any:
    """The rows of `table` in its latest financial year."""
    return table.filter(table.financial_year == table.financial_year.max().as_scalar())


def practice_rates(tables: Tables, scope: Scope) -> Any:
    """Events and rate per 1,000 by practice and point of delivery in the latest year, with the
    CCG's own rate for the point of delivery (`ccg_rate_per_1000`) beside each practice."""
    rates = latest_year(activity_rates(tables, scope, ("practice",)))
    overall = activity_rates(tables, scope).select(
        "financial_year", "pod", ccg_rate_per_1000="rate_per_1000"
    )  # over every practice's list, those without events of the kind included
    return rates.join(overall, ["financial_year", "pod"]).order_by(
        "financial_year", "pod", "practice"
    )


@shared(by="practice")
def activity_by_function_and_practice(tables: Tables, scope: Scope) -> Any:
    """Events and cost by financial year, point of delivery, treatment function and practice
    (events with a treatment function only: A&E has none)."""
    events = scoped_events(tables, scope)
    return (
        events.filter(events.treatment_function.notnull())
        .group_by("financial_year", "pod", "treatment_function", "practice")
        .aggregate(events=_.count(), cost=_.cost.sum())
    )


def activity_by_function(tables: Tables, scope: Scope) -> Any:
    """Events and cost by financial year, point of delivery and treatment function, with the
    function's name (`specialty`, NHS Data Dictionary) and a label of code and name."""
    totals = (
        activity_by_function_and_practice(tables, scope)
        .group_by("financial_year", "pod", "treatment_function")
        .aggregate(events=_.events.sum(), cost=_.cost.sum())
    )
    names = tables["treatment_functions"].select(treatment_function="code", specialty="name")
    return (
        with_pod_name(totals)
        .left_join(names, "treatment_function")
        .select(
            "financial_year",
            "pod",
            "treatment_function",
            "events",
            "cost",
            "specialty",
            "point_of_delivery",
            treatment_function_label=_.treatment_function.concat(" ", _.specialty.fill_null("")),
        )
        .order_by("financial_year", "pod", "treatment_function")
    )


def _with_ccg(tables: Tables, table: Any) -> Any:
    """`table` (with a practice column) with each practice's CCG."""
    practices = tables["practice"].select(practice="code", ccg="ccg")
    return table.join(practices, "practice")


@shared(by="ccg")
def activity_by_age(tables: Tables, scope: Scope) -> Any:
    """Events and cost by CCG (of the practice on the event's date), year, point of delivery,
    and mid-year age band and sex; events of years the patient was never registered in are
    left out, as person-years leave them out."""
    events = with_cells(scoped_events(tables, scope))
    return (
        _with_ccg(tables, events)
        .group_by("ccg", "financial_year", "pod", "age_band", "sex")
        .aggregate(events=_.count(), cost=_.cost.sum())
    )


@shared(by="ccg")
def population_by_age(tables: Tables, scope: Scope) -> Any:
    """Registered patients on 1 October of each year by CCG, age band and sex."""
    parts = [
        _with_ccg(tables, registered_population(tables, scope, date(start.year, *MID_YEAR)))
        .group_by("ccg", "age_band", "sex")
        .aggregate(patients=_.patients.sum())
        .mutate(financial_year=ibis.literal(financial_year_label(start.year)))
        for start in scope.year_starts()
    ]
    return ibis.union(*parts)


def age_band_grid(tables: Tables, scope: Scope) -> Any:
    """Every CCG × year × point of delivery × age band × sex cell: events, cost and registered
    patients on 1 October, zero where there were none (so rates see empty cells)."""
    events = activity_by_age(tables, scope)
    people = population_by_age(tables, scope)
    pods = events.select("pod").distinct()
    bands = ibis.memtable({"age_band": list(AGE_BANDS)})
    grid = people.select("ccg", "financial_year", "sex").distinct().cross_join(pods)
    grid = grid.cross_join(bands)
    keys = ["ccg", "financial_year", "pod", "age_band", "sex"]
    joined = grid.left_join(events, keys).left_join(
        people, ["ccg", "financial_year", "age_band", "sex"]
    )
    return joined.select(
        *keys,
        events=_.events.fill_null(0),
        cost=_.cost.fill_null(0.0),
        patients=_.patients.fill_null(0),
    )


def events_by_band(tables: Tables, scope: Scope) -> Any:
    """For the scope's CCG: events and registered patients (1 October) by year, point of
    delivery and age band, both sexes together, every band present — the input of direct
    standardisation."""
    grid = age_band_grid(tables, scope.everyone)
    if scope.ccg is not None:
        grid = grid.filter(grid.ccg == scope.ccg)
    return (
        grid.group_by("financial_year", "pod", "age_band")
        .aggregate(events=_.events.sum(), population=_.patients.sum())
        .order_by("financial_year", "pod", "age_band")
    )


def weighted_population(tables: Tables, scope: Scope) -> Any:
    """Per financial year, the scope's registered patients (1 October) weighted by need.

    Each age–sex group's weight is its cost per head over every patient in the lake divided by
    the cost per head of everyone (a simple capitation weight); the weighted population is
    Σ patients × weight over the scope's age–sex groups.
    """
    keys = ["financial_year", "age_band", "sex"]
    everyone = population_by_age(tables, scope.everyone)
    cost = activity_by_age(tables, scope.everyone).group_by(keys).aggregate(cost=_.cost.sum())
    people_all = everyone.group_by(keys).aggregate(patients=_.patients.sum())
    cells = people_all.left_join(cost, keys).select(*keys, "patients", cost=_.cost.fill_null(0.0))
    year = ibis.window(group_by="financial_year")
    weights = cells.mutate(
        weight=(_.cost / _.patients) / (_.cost.sum().over(year) / _.patients.sum().over(year))
    )
    people = everyone
    if scope.ccg is not None:
        people = people.filter(people.ccg == scope.ccg)
    weighted = people.join(weights.select(*keys, "weight"), keys)
    return (
        weighted.group_by("financial_year")
        .aggregate(weighted_population=(_.patients * _.weight).sum())
        .order_by("financial_year")
    )


def activity_with_weighted_cost(tables: Tables, scope: Scope) -> Any:
    """`activity_rates` of the scope with its weighted population and cost per weighted head."""
    rates = activity_rates(tables, scope)
    joined = rates.join(weighted_population(tables, scope), "financial_year")
    return joined.mutate(cost_per_weighted_head=joined.cost / joined.weighted_population).order_by(
        "financial_year", "pod"
    )
