"""The Board's oversight of the CCG and the CCG's markets, read for publishing in the session
the proof checked: authorisation and directions as they stand on the publishing date, the
commissioning-support register with its dependence indicator, the quality premium and its
uses, and the services open to any qualified provider with their providers and referrals.

The governance readers (`standing`, `dependence`, `choice_list`) give what they give elsewhere;
this module adds only what a page needs beside them (the matters' words, the list size the
indicator divides by), as plain data with ISO dates.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from consortia.governance.aqp import choice_list
from consortia.governance.authorisation import standing
from consortia.governance.constitution import in_force
from consortia.governance.support import dependence
from consortia.store import models


@dataclass(frozen=True)
class Oversight:
    """What the assurance, support and markets pages show, as the record holds it."""

    standing: dict[str, Any]  # `authorisation.standing` on the publishing date
    matters: dict[str, str]  # matter -> its description in the constitution
    constitution: int | None  # the constitution row the list size is read from
    list_size: int  # registered patients of the member practices
    arrangements: list[dict[str, Any]]
    dependence: list[dict[str, Any]]  # `support.dependence`, per year
    payments: list[dict[str, Any]]  # quality premium received by the date
    spends: list[dict[str, Any]]  # its uses decided by the date
    services: list[dict[str, Any]]  # AQP services, each with its providers and referrals


def read_oversight(session: Session, as_of: date) -> Oversight:
    """Everything the three pages show, from `session`, as it stands on `as_of`."""
    shown = standing(session, as_of)
    constitution, matters, list_size = _constitution(session)
    return Oversight(
        standing=shown,
        matters=matters,
        constitution=constitution,
        list_size=list_size,
        arrangements=_arrangements(session),
        dependence=dependence(session, list_size),
        payments=[
            {"year": p.year, "amount_pounds": p.amount_pounds, "received_on": _iso(p.received_on)}
            for p in session.scalars(
                select(models.PremiumPayment)
                .where(models.PremiumPayment.received_on <= as_of)
                .order_by(models.PremiumPayment.year)
            )
        ],
        spends=_spends(session, as_of),
        services=_services(session, as_of),
    )


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _constitution(session: Session) -> tuple[int | None, dict[str, str], int]:
    """The constitution in force's row, its matters in words and its member practices' list
    sizes summed (what support costs is shown per head of them)."""
    adopted = in_force(session)
    if adopted is None:
        return None, {}, 0
    row, parsed = adopted
    return row, dict(parsed.matters), sum(parsed.list_sizes.values())


def _arrangements(session: Session) -> list[dict[str, Any]]:
    """The commissioning-support register, by year and in the order it was recorded."""
    query = select(models.SupportArrangement).order_by(
        models.SupportArrangement.year, models.SupportArrangement.id
    )
    return [
        {
            "arrangement": a.id,
            "year": a.year,
            "model": a.model,
            "supplier": a.supplier,
            "functions": list(json.loads(a.functions)),
            "cost_pounds": a.cost_pounds,
        }
        for a in session.scalars(query)
    ]


def _spends(session: Session, as_of: date) -> list[dict[str, Any]]:
    """The premium's uses decided on or before `as_of`, by year and in the order decided."""
    query = (
        select(models.PremiumSpend)
        .where(models.PremiumSpend.decided_on <= as_of)
        .order_by(models.PremiumSpend.year, models.PremiumSpend.decided_on, models.PremiumSpend.id)
    )
    return [
        {
            "spend": s.id,
            "year": s.year,
            "purpose": s.purpose,
            "description": s.description,
            "recipient": s.recipient,
            "conditions": s.conditions,
            "amount_pounds": s.amount_pounds,
            "decided_on": _iso(s.decided_on),
        }
        for s in session.scalars(query)
    ]


def _services(session: Session, as_of: date) -> list[dict[str, Any]]:
    """Each AQP service opened by `as_of` with its qualifications, the referrals made to it by
    then, and who a referrer must offer on the date."""
    shown = []
    for service in session.scalars(
        select(models.AqpService)
        .where(models.AqpService.opened_on <= as_of)
        .order_by(models.AqpService.title, models.AqpService.key)
    ):
        qualifications = session.scalars(
            select(models.AqpQualification)
            .where(models.AqpQualification.service == service.key)
            .order_by(models.AqpQualification.valid_from, models.AqpQualification.id)
        )
        referrals = session.scalars(
            select(models.AqpReferral)
            .where(
                models.AqpReferral.service == service.key, models.AqpReferral.referred_on <= as_of
            )
            .order_by(models.AqpReferral.id)
        )
        shown.append(
            {
                "service": service.key,
                "title": service.title,
                "tariff_pence": service.tariff_pence,
                "referral_protocol": service.referral_protocol,
                "opened_on": _iso(service.opened_on),
                "qualifications": [
                    {
                        "qualification": q.id,
                        "provider": q.provider,
                        "cqc_registration": q.cqc_registration,
                        "monitor_licence": q.monitor_licence,
                        "standard_contract_signed_on": _iso(q.standard_contract_signed_on),
                        "quality_assured_on": _iso(q.quality_assured_on),
                        "valid_from": _iso(q.valid_from),
                        "valid_to": _iso(q.valid_to),
                    }
                    for q in qualifications
                ],
                "referrals": [
                    {
                        "referral": r.id,
                        "offered": list(json.loads(r.offered)),
                        "chosen": r.chosen,
                    }
                    for r in referrals
                ],
                "choice_list": choice_list(session, service.key, as_of),
            }
        )
    return shown
