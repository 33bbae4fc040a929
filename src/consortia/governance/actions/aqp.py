"""Actions of any qualified provider: open a service at its tariff with its referral protocol,
qualify a provider on its evidence, and record a referral with the choice the patient had.

A qualification is refused without CQC registration, the NHS Standard Contract signed and
quality assurance, or a Monitor licence for a foundation trust or an independent provider
(domain §6). A referral's choice list is every provider qualified on the day: one that omits a
qualified provider, or offers one that is not, is refused.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

from pydantic import Field

from consortia.governance.actions.base import Context, Effect, Refused, Text, action
from consortia.governance.aqp import choice_list
from consortia.governance.constitution import Key
from consortia.governance.governing_body import PROVIDERS, OrganisationKind
from consortia.schema.selection import Source
from consortia.store import models

Registration = Annotated[str, Field(min_length=1, max_length=32)]
# Monitor's provider licence (Health and Social Care Act 2012 Part 3) applies to foundation
# trusts and independent providers of NHS services; NHS trusts and practices were exempt.
LICENSED = frozenset({OrganisationKind.FOUNDATION_TRUST, OrganisationKind.INDEPENDENT_PROVIDER})
QUALIFY = "AQP qualification: CQC registration, Monitor licence where it applies, the NHS "
QUALIFY += "Standard Contract and quality assurance (DH AQP guidance 2011)"


@action
def open_aqp_service(
    ctx: Context,
    *,
    key: Key,
    title: Annotated[str, Field(min_length=1, max_length=300)],
    tariff_pence: Annotated[int, Field(gt=0, le=10**9)],
    referral_protocol: Text,
    opened_on: date,
    activity: Source,
) -> Effect:
    """Open a service to any qualified provider at a fixed tariff, with its referral protocol
    and the activity in the lake that counts as it (a dataset and its codes)."""
    if ctx.session.get(models.AqpService, key) is not None:
        raise Refused(f"service {key!r} is open already", rule="a service is opened once")
    ctx.session.add(
        models.AqpService(
            key=key,
            title=title,
            tariff_pence=tariff_pence,
            referral_protocol=referral_protocol.strip(),
            opened_on=opened_on,
            activity=activity.model_dump_json(),
        )
    )
    return {"service": key, "tariff_pence": tariff_pence}


@action
def qualify_provider(
    ctx: Context,
    *,
    service: str,
    provider: str,
    cqc_registration: Registration,
    standard_contract_signed_on: date,
    quality_assured_on: date,
    valid_from: date,
    valid_to: date,
    monitor_licence: Registration | None = None,
) -> Effect:
    """Qualify a provider for a service, on its evidence, for a period (no volume, no price)."""
    opened = ctx.get(models.AqpService, service, "service")
    organisation = ctx.get(models.Organisation, provider, "organisation")
    kind = OrganisationKind(organisation.kind)
    if kind not in PROVIDERS:
        raise Refused(f"{provider} ({kind.value}) is not a provider", rule=QUALIFY)
    if kind in LICENSED and monitor_licence is None:
        raise Refused(f"{provider} ({kind.value}) has no Monitor licence", rule=QUALIFY)
    if not cqc_registration.strip():
        raise Refused(f"{provider} has no CQC registration", rule=QUALIFY)
    for what, on in (
        ("the NHS Standard Contract was signed", standard_contract_signed_on),
        ("quality was assured", quality_assured_on),
    ):
        if on > valid_from:
            raise Refused(
                f"{what} on {on.isoformat()}, after the qualification starts "
                f"({valid_from.isoformat()})",
                rule=QUALIFY,
            )
    if valid_to < valid_from or valid_from < opened.opened_on:
        raise Refused(
            f"a qualification from {valid_from.isoformat()} to {valid_to.isoformat()} is not a "
            f"period of the service, open from {opened.opened_on.isoformat()}",
            rule="a qualification runs for a period while the service is open",
        )
    row = models.AqpQualification(
        service=service,
        provider=provider,
        cqc_registration=cqc_registration.strip(),
        monitor_licence=monitor_licence.strip() if monitor_licence else None,
        standard_contract_signed_on=standard_contract_signed_on,
        quality_assured_on=quality_assured_on,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    ctx.session.add(row)
    ctx.session.flush()
    return {"qualification": row.id, "service": service, "provider": provider}


@action
def refer_to_aqp_service(
    ctx: Context,
    *,
    service: str,
    practice: str,
    referred_on: date,
    offered: Annotated[list[str], Field(min_length=1, max_length=1000)],
    chosen: str,
) -> Effect:
    """Record a referral to an AQP service: the providers offered and the one chosen."""
    ctx.get(models.AqpService, service, "service")
    ctx.organisation(
        practice, OrganisationKind.PRACTICE, "practice", rule="a referral comes from a practice"
    )
    everyone = choice_list(ctx.session, service, referred_on)
    omitted = [p for p in everyone if p not in offered]
    if omitted:
        raise Refused(
            f"the choice offered omits {', '.join(omitted)}, qualified for {service} on "
            f"{referred_on.isoformat()}",
            rule="a choice list never omits a qualified provider (DH AQP guidance 2011)",
        )
    unqualified = [p for p in dict.fromkeys(offered) if p not in everyone]
    if unqualified:
        raise Refused(
            f"{', '.join(unqualified)} is not qualified for {service} on {referred_on.isoformat()}",
            rule="only qualified providers are offered",
        )
    if chosen not in everyone:
        raise Refused(f"{chosen} was not offered", rule="the patient chooses from those offered")
    row = models.AqpReferral(
        service=service,
        practice=practice,
        referred_on=referred_on,
        offered=json.dumps(everyone),
        chosen=chosen,
    )
    ctx.session.add(row)
    ctx.session.flush()
    return {"referral": row.id, "offered": everyone, "chosen": chosen}
