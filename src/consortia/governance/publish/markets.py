"""The quality premium and any qualified provider as a page: what the Board paid the CCG and
what the CCG spent it on, and each service open to any qualified provider with its providers,
their evidence, and how often referrers offered and patients chose each of them.

Providers qualify on evidence and compete on quality at the tariff, so the page shows no price
but the tariff; how often a provider is chosen is what the market says about it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from consortia.governance.publish.reading import Record
from consortia.governance.publish.sources import Source
from consortia.governance.publish.words import day, pence, pounds, word


@dataclass(frozen=True)
class Payment:
    """A year's quality premium: received, spent by the date, and left."""

    year: str
    amount: str
    received_on: str
    spent: str
    left: str
    source: Source


@dataclass(frozen=True)
class Use:
    """A use of a year's premium."""

    year: str
    purpose: str
    description: str
    recipient: str
    conditions: str
    amount: str
    decided_on: str
    source: Source


@dataclass(frozen=True)
class Qualified:
    """A provider's qualification for a service: its dates and what it rests on."""

    period: str  # "1 April 2017 to 31 March 2019"
    evidence: tuple[str, ...]  # one line per piece of evidence


@dataclass(frozen=True)
class Provider:
    """A provider qualified for a service: when, on what evidence, whether referrers must offer
    it on the date, and how many referrals offered and chose it."""

    name: str
    qualifications: tuple[Qualified, ...]
    on_list: bool
    offered: int
    chosen: int
    source: Source


@dataclass(frozen=True)
class Service:
    """A service open to any qualified provider."""

    key: str
    title: str
    tariff: str
    protocol: str
    opened_on: str
    referrals: int
    providers: tuple[Provider, ...]
    source: Source


@dataclass(frozen=True)
class MarketsView:
    """The markets page."""

    as_of: str
    payments: tuple[Payment, ...]
    uses: tuple[Use, ...]
    services: tuple[Service, ...]


def markets_view(record: Record, as_of: date) -> MarketsView:
    """The premium and the AQP services as they stand on `as_of`."""
    shown = record.oversight
    return MarketsView(
        as_of=day(as_of.isoformat()),
        payments=tuple(_payment(record, p) for p in shown.payments),
        uses=tuple(_use(record, s) for s in shown.spends),
        services=tuple(_service(record, s) for s in shown.services),
    )


def _payment(record: Record, payment: dict[str, Any]) -> Payment:
    """A year's premium; what is spent and left comes from its uses, which are its source too."""
    who = record.provenance
    uses = [s for s in record.oversight.spends if s["year"] == payment["year"]]
    source = sum(
        (who.row("premium_spend", s["spend"]) for s in uses),
        start=who.row("premium_payment", payment["year"]),
    )
    spent = sum(s["amount_pounds"] for s in uses)
    return Payment(
        year=payment["year"],
        amount=pounds(payment["amount_pounds"]),
        received_on=day(payment["received_on"]),
        spent=pounds(spent),
        left=pounds(payment["amount_pounds"] - spent),
        source=source,
    )


def _use(record: Record, spend: dict[str, Any]) -> Use:
    """A use of the premium in words."""
    who = record.provenance
    recipient = spend["recipient"]
    return Use(
        year=spend["year"],
        purpose=word("purpose", spend["purpose"]),
        description=spend["description"],
        recipient=who.name("organisation", recipient) if recipient else "Not named",
        conditions=spend["conditions"] or "None",
        amount=pounds(spend["amount_pounds"]),
        decided_on=day(spend["decided_on"]),
        source=who.row("premium_spend", spend["spend"]),
    )


def _service(record: Record, service: dict[str, Any]) -> Service:
    """A service with one line per provider qualified for it, by name."""
    who = record.provenance
    by_provider: dict[str, list[dict[str, Any]]] = {}
    for q in service["qualifications"]:
        by_provider.setdefault(q["provider"], []).append(q)
    providers = sorted(
        (_provider(record, service, key, held) for key, held in by_provider.items()),
        key=lambda p: p.name,
    )
    return Service(
        key=service["service"],
        title=service["title"],
        tariff=pence(service["tariff_pence"]),
        protocol=service["referral_protocol"],
        opened_on=day(service["opened_on"]),
        referrals=len(service["referrals"]),
        providers=tuple(providers),
        source=who.row("aqp_service", service["service"]),
    )


def _provider(
    record: Record, service: dict[str, Any], key: str, held: list[dict[str, Any]]
) -> Provider:
    """A provider of a service; its source is its qualifications and the referrals counted."""
    who = record.provenance
    offered = [r for r in service["referrals"] if key in r["offered"]]
    chosen = [r for r in offered if r["chosen"] == key]
    source = sum(
        (who.row("aqp_referral", r["referral"]) for r in offered),
        start=sum(
            (who.row("aqp_qualification", q["qualification"]) for q in held[1:]),
            start=who.row("aqp_qualification", held[0]["qualification"]),
        ),
    )
    return Provider(
        name=who.name("organisation", key),
        qualifications=tuple(
            Qualified(f"{day(q['valid_from'])} to {day(q['valid_to'])}", _evidence(q)) for q in held
        ),
        on_list=key in service["choice_list"],
        offered=len(offered),
        chosen=len(chosen),
        source=source,
    )


def _evidence(q: dict[str, Any]) -> tuple[str, ...]:
    """What a qualification rests on, a line for each piece of evidence."""
    licence = (f"Monitor licence {q['monitor_licence']}",) if q["monitor_licence"] else ()
    return (
        f"CQC registration {q['cqc_registration']}",
        *licence,
        f"NHS Standard Contract signed {day(q['standard_contract_signed_on'])}",
        f"Quality assured {day(q['quality_assured_on'])}",
    )
