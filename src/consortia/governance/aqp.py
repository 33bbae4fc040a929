"""Any qualified provider, read from the store: who is qualified for a service on a day, which
is every provider a referrer must offer.

Providers qualify through assurance (CQC registration, a Monitor licence where one applies, the
NHS Standard Contract signed, quality assured) and compete on quality at a fixed tariff, never
on price; qualification carries no volume (DH AQP operational guidance, 2011; domain §6). The
choice list is ordered by name: the price is the service's tariff for everyone.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

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
