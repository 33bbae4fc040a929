"""Any qualified provider, read from the store: who is qualified for a service on a day, which
is every provider a referrer must offer.

Providers qualify through assurance (CQC registration, a Monitor licence where one applies, the
NHS Standard Contract signed, quality assured) and compete on quality at a fixed tariff, never
on price; qualification carries no volume (DH AQP operational guidance, 2011; domain §6). The
choice list is ordered by name: the price is the service's tariff for everyone. The record is
the CCG's AQP register: each service names the activity that counts as it and each provider
its ODS code, so `consortia aqp --record` measures the register the record holds.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consortia.errors import DataError
from consortia.store import models


def qualified(session: Session, service: str, on: date) -> list[models.Organisation]:
    """Every provider qualified for `service` on `on`, by name."""
    rows = session.scalars(
        select(models.Organisation)
        .join(models.AqpQualification, models.AqpQualification.provider == models.Organisation.key)
        .where(
            models.AqpQualification.service == service,
            models.AqpQualification.valid_from <= on,
            models.AqpQualification.valid_to >= on,
        )
        .order_by(models.Organisation.name, models.Organisation.key)
    )
    return list(dict.fromkeys(rows))  # one entry per provider, whatever its qualifications


def choice_list(session: Session, service: str, on: date) -> list[str]:
    """The providers a referrer offers for `service` on `on`: every qualified one."""
    return [provider.key for provider in qualified(session, service, on)]


def register(session: Session, start: date, end: date) -> list[dict[str, Any]]:
    """The AQP register the record holds for the period [start, end): each service open by its
    last day, with the activity it counts, its tariff in pounds and, by ODS code, every provider
    qualified on any day of the period. Refused (naming the service or organisation) where the
    record cannot say how the lake knows it."""
    last = end - timedelta(days=1)
    services = session.scalars(
        select(models.AqpService)
        .where(models.AqpService.opened_on <= last)
        .order_by(models.AqpService.key)
    )
    found = []
    for service in services:
        if service.activity is None:
            raise DataError(
                f"service {service.key!r} names no activity",
                field="aqp_service.activity",
                rule="a service is measured on the activity it was opened with",
            )
        providers = session.scalars(
            select(models.Organisation)
            .join(
                models.AqpQualification, models.AqpQualification.provider == models.Organisation.key
            )
            .where(
                models.AqpQualification.service == service.key,
                models.AqpQualification.valid_from <= last,
                models.AqpQualification.valid_to >= start,
            )
            .order_by(models.Organisation.key)
        )
        codes = []
        for provider in dict.fromkeys(providers):
            if provider.ods_code is None:
                raise DataError(
                    f"{provider.key}, qualified for {service.key}, has no ODS code",
                    field="organisation.ods_code",
                    rule="a qualified provider is found in the lake by its ODS code",
                )
            codes.append(provider.ods_code)
        found.append(
            {
                "id": service.key,
                "title": service.title,
                "activity": json.loads(service.activity),
                "tariff": service.tariff_pence / 100,
                "providers": codes,
            }
        )
    return found


def referrals(session: Session, start: date, end: date) -> list[dict[str, Any]]:
    """Referrals recorded in [start, end), by service and the provider chosen (its ODS code,
    or its key where it has none): how many, and how many providers were offered."""
    rows = session.execute(
        select(
            models.AqpReferral.service,
            func.coalesce(models.Organisation.ods_code, models.AqpReferral.chosen),
            func.count(),
        )
        .join(models.Organisation, models.Organisation.key == models.AqpReferral.chosen)
        .where(models.AqpReferral.referred_on >= start, models.AqpReferral.referred_on < end)
        .group_by(
            models.AqpReferral.service, models.Organisation.ods_code, models.AqpReferral.chosen
        )
        .order_by(models.AqpReferral.service, models.AqpReferral.chosen)
    )
    return [{"service": s, "provider": p, "referrals": int(n)} for s, p, n in rows]
