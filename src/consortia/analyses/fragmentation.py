"""Fragmentation and continuity of care: the "any qualified provider" concern, measured.

For each patient, practice (registered with at the time of the contacts) and year: the
number of distinct providers used and, for patients with several contacts, the Bice–Boxerman
continuity-of-care index
COC = (Σ nⱼ² − N) / (N (N − 1)), where nⱼ is the contacts with provider j and N all contacts
(1 = every contact with one provider, 0 = every contact with a different one).
For each service line: providers' market shares and the Herfindahl–Hirschman index
HHI = Σ (share × 100)² (10,000 = one provider; below 1,500 is conventionally unconcentrated).
"""

from __future__ import annotations

from typing import Any

import ibis
from ibis import _

from consortia.analyses.population import in_practices
from consortia.analyses.scope import (
    Scope,
    Tables,
    financial_year_label,
    financial_year_start,
    year_label,
)
from consortia.analyses.shared import shared

DATASETS = ("patient", "registration", "practice", "apc", "op", "ae")
MINIMUM_CONTACTS = 3  # the index is only meaningful with several contacts


def contacts(tables: Tables, scope: Scope) -> Any:
    """Every contact with a provider: patient, practice (registered with on the day), provider,
    service line, and the year its financial year starts in (`year_start`)."""
    apc, op, ae = tables["apc"], tables["op"], tables["ae"]
    spells = apc.select(
        "patient_id",
        "provider",
        "practice",
        day=apc.admitted_on,
        service_line=ibis.ifelse(
            apc.method == "elective", "elective " + apc.treatment_function, "non-elective"
        ),
    )
    seen = op.filter(op.attendance_status == "attended")
    appointments = seen.select(
        "patient_id",
        "provider",
        "practice",
        day=seen.attended_on,
        service_line="outpatient " + seen.treatment_function,
    )
    arrivals = ae.select(
        "patient_id",
        "provider",
        "practice",
        day=ae.arrived_at.date(),
        service_line=ibis.literal("A&E"),
    )
    every = ibis.union(spells, appointments, arrivals)
    every = every.filter((every.day >= scope.start) & (every.day < scope.end))
    credited = in_practices(tables, scope, every)
    return credited.mutate(year_start=financial_year_start(credited.day, scope))


def _numbered(table: Any) -> Any:
    """Each code of `table` (its key, `code`) with a number (`number`), in the codes' order.

    The contacts of 56 million patients are grouped on a number for the year and the practice
    rather than on their text: about a quarter less time at England's size. (Providers keep
    their codes: a lake need not list them.)
    """
    return table.select("code", number=ibis.row_number().over(order_by="code"))


def _per_patient(tables: Tables, scope: Scope) -> Any:
    """`patient_continuity`, its practice a number (`_numbered`) and its year `year_start`."""
    every = contacts(tables, scope)
    practices = _numbered(tables["practice"])
    numbered = every.join(practices, every.practice == practices.code).select(
        "year_start", "patient_id", "provider", practice_number=practices.number
    )
    per_provider = numbered.group_by(
        "year_start", "practice_number", "patient_id", "provider"
    ).aggregate(n=_.count())
    per_patient = per_provider.group_by("year_start", "practice_number", "patient_id").aggregate(
        contacts=_.n.sum(), providers=_.count(), squares=(_.n * _.n).sum()
    )
    n = per_patient.contacts.cast("float64")
    coc = ibis.ifelse(
        per_patient.contacts >= MINIMUM_CONTACTS,
        (per_patient.squares - n) / (n * (n - 1)),
        ibis.null("float64"),
    )
    return per_patient.mutate(continuity=coc)


def _named(tables: Tables, scope: Scope, rows: Any) -> Any:
    """`rows` of `_per_patient` (or grouped from them) with the practice's code and the year's
    label in place of their numbers."""
    practices = _numbered(tables["practice"])
    named = rows.join(practices, rows.practice_number == practices.number)
    return named.mutate(
        financial_year=year_label(named.year_start, scope), practice=named.code
    ).drop("year_start", "practice_number", "code", "number")


def patient_continuity(tables: Tables, scope: Scope) -> Any:
    """Per patient, practice and year: contacts, distinct providers and the continuity index
    (a patient who moved practice has a row for their contacts at each)."""
    return _named(tables, scope, _per_patient(tables, scope))


@shared(by="practice")
def practice_continuity(tables: Tables, scope: Scope) -> Any:
    """Per practice and year: patients with contacts, mean providers, how many and what share
    used several, and mean continuity among patients with several contacts."""
    patients = _per_patient(tables, scope)
    counted = patients.group_by("year_start", "practice_number").aggregate(
        patients=_.count(),
        mean_providers=_.providers.mean(),
        several_providers=(_.providers >= 2).cast("int64").sum(),
        continuity_patients=_.continuity.count(),
        mean_continuity=_.continuity.mean(),
    )
    return (
        _named(tables, scope, counted)
        .select(
            "financial_year",
            "practice",
            "patients",
            "mean_providers",
            "several_providers",
            "continuity_patients",
            "mean_continuity",
            share_several_providers=_.several_providers.cast("float64") / _.patients,
        )
        .order_by("financial_year", "practice")
    )


@shared(by="practice")
def contacts_by_practice(tables: Tables, scope: Scope) -> Any:
    """Contacts by year, service line, provider and the practice registered with on the day."""
    counted = (
        contacts(tables, scope)
        .group_by("year_start", "service_line", "provider", "practice")
        .aggregate(contacts=_.count())
    )
    return counted.select(
        financial_year=year_label(counted.year_start, scope),
        service_line=counted.service_line,
        provider=counted.provider,
        practice=counted.practice,
        contacts=counted.contacts,
    )


@shared
def market_shares(tables: Tables, scope: Scope) -> Any:
    """Per service line, year and provider: contacts and market share."""
    counts = (
        contacts_by_practice(tables, scope)
        .group_by("financial_year", "service_line", "provider")
        .aggregate(contacts=_.contacts.sum())
    )
    total = counts.contacts.sum().over(group_by=["financial_year", "service_line"])
    return counts.mutate(share=counts.contacts.cast("float64") / total).order_by(
        "service_line", "financial_year", "provider"
    )


def concentration(tables: Tables, scope: Scope) -> Any:
    """Per service line and year: contacts, providers and the Herfindahl–Hirschman index."""
    shares = market_shares(tables, scope)
    return (
        shares.group_by("financial_year", "service_line")
        .aggregate(
            contacts=_.contacts.sum(),
            providers=_.count(),
            hhi=((_.share * 100) * (_.share * 100)).sum(),
            largest_share=_.share.max(),
        )
        .order_by("service_line", "financial_year")
    )


def concentration_change(tables: Tables, scope: Scope) -> Any:
    """`concentration` with each service line's change in the index from the first year of the
    scope to the last (`hhi_change`; null when the line is missing in either year)."""
    table = concentration(tables, scope)
    starts = scope.year_starts()
    first, last = financial_year_label(starts[0].year), financial_year_label(starts[-1].year)
    ends = table.group_by("service_line").aggregate(
        first_hhi=table.hhi.max(where=table.financial_year == first),
        last_hhi=table.hhi.max(where=table.financial_year == last),
    )
    return (
        table.join(ends, "service_line")
        .mutate(hhi_change=_.last_hhi - _.first_hhi)
        .drop("first_hhi", "last_hhi")
        .order_by("service_line", "financial_year")
    )


def market_shares_by_kind(tables: Tables, scope: Scope) -> Any:
    """`market_shares` with each provider's kind (NHS trust, foundation trust, independent)."""
    kinds = tables["provider"].select(provider="code", provider_kind="kind")
    return (
        market_shares(tables, scope)
        .join(kinds, "provider")
        .order_by("service_line", "financial_year", "provider")
    )


def independent_sector_share(tables: Tables, scope: Scope) -> Any:
    """Per service line and year where the independent sector has any contacts: its share."""
    shares = market_shares_by_kind(tables, scope)
    independent = shares.filter(shares.provider_kind == "independent_sector")
    return (
        independent.group_by("service_line", "financial_year")
        .aggregate(share=_.share.sum())
        .mutate(provider_kind=ibis.literal("independent_sector"))
        .order_by("service_line", "financial_year")
    )
