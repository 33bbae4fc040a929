"""Actions of the quality premium's use: record what the Board paid, and how the CCG spends it.

The premium may be used only to secure improvement in the quality of health services or the
outcomes achieved, or to reduce inequalities; it may fund improvement schemes, incentive
schemes for practices among them, but it is never paid to practices as a bonus (NHS (Clinical
Commissioning Groups - Payments in Respect of Quality) Regulations 2013 as reported by Pulse,
"DH places strict conditions on how CCGs spend quality premium", and its Q&A on the premium;
domain §0, §4). GPs' representatives feared a reward for commissioning "cheaply" paid to
practices: a payment to a practice is therefore accepted only as an incentive scheme that
says what the practice does for it.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import Field
from sqlalchemy import func, select

from consortia.governance.actions.base import (
    Context,
    Effect,
    Pounds,
    Refused,
    Text,
    action,
    financial_year,
)
from consortia.governance.governing_body import OrganisationKind
from consortia.store import models

RULE_SOURCE = "NHS (CCG - Payments in Respect of Quality) Regulations 2013"


class Purpose(StrEnum):
    """What a use of the premium is for."""

    QUALITY_IMPROVEMENT = "quality_improvement"  # better services or outcomes
    REDUCING_INEQUALITIES = "reducing_inequalities"
    PRACTICE_INCENTIVE_SCHEME = "practice_incentive_scheme"  # practices paid for set work
    PRACTICE_BONUS = "practice_bonus"  # a payment to practices for nothing in return


@action
def record_premium_payment(
    ctx: Context, *, year: str, amount_pounds: Pounds, received_on: date
) -> Effect:
    """Record the quality premium the Board paid for a year's performance."""
    year, first = financial_year(year)
    end = date(first + 1, 3, 31)
    if received_on <= end:
        raise Refused(
            f"a premium for {year} received on {received_on.isoformat()} is paid before the "
            f"year it rewards has ended ({end.isoformat()})",
            rule="the premium is paid in the year after the performance it rewards",
        )
    if ctx.session.get(models.PremiumPayment, year) is not None:
        raise Refused(f"the premium for {year} is recorded already", rule="one payment a year")
    ctx.session.add(
        models.PremiumPayment(year=year, amount_pounds=amount_pounds, received_on=received_on)
    )
    return {"year": year, "amount_pounds": amount_pounds}


@action
def spend_premium(
    ctx: Context,
    *,
    year: str,
    purpose: Purpose,
    description: Text,
    amount_pounds: Annotated[Pounds, Field(gt=0)],
    decided_on: date,
    recipient: str | None = None,
    conditions: str | None = None,
) -> Effect:
    """Record a use of a year's quality premium; a bonus to practices is refused."""
    payment = ctx.session.get(models.PremiumPayment, year)
    if payment is None:
        raise Refused(f"no quality premium for {year} is recorded", rule="a premium received")
    if purpose is Purpose.PRACTICE_BONUS:
        raise Refused(
            "the quality premium is never paid to practices as a bonus",
            rule=f"the premium secures quality or reduces inequalities, no bonus ({RULE_SOURCE})",
        )
    conditions = (conditions or "").strip() or None
    if recipient is not None:
        organisation = ctx.get(models.Organisation, recipient, "organisation")
        if (
            organisation.kind == OrganisationKind.PRACTICE
            and purpose != Purpose.PRACTICE_INCENTIVE_SCHEME
        ):
            raise Refused(
                f"a payment of the premium to the practice {recipient} for {purpose.value} "
                "would be a bonus: pay practices only through an incentive scheme",
                rule=f"the premium secures quality or reduces inequalities, no bonus "
                f"({RULE_SOURCE})",
            )
    if purpose is Purpose.PRACTICE_INCENTIVE_SCHEME and conditions is None:
        raise Refused(
            "an incentive scheme says what practices do for the payment (`conditions`)",
            rule=f"a scheme pays for improvement, not for nothing ({RULE_SOURCE})",
        )
    if decided_on < payment.received_on:
        raise Refused(
            f"spending decided on {decided_on.isoformat()} is before the premium was received "
            f"({payment.received_on.isoformat()})",
            rule="the premium is spent once received",
        )
    spent = ctx.session.scalar(
        select(func.coalesce(func.sum(models.PremiumSpend.amount_pounds), 0)).where(
            models.PremiumSpend.year == year
        )
    )
    left = payment.amount_pounds - int(spent or 0)
    if amount_pounds > left:
        raise Refused(
            f"£{amount_pounds:,} is more than the £{left:,} of the {year} premium left",
            rule="the premium spent is no more than the premium received",
        )
    row = models.PremiumSpend(
        year=year,
        purpose=purpose.value,
        description=description.strip(),
        recipient=recipient,
        conditions=conditions,
        amount_pounds=amount_pounds,
        decided_on=decided_on,
    )
    ctx.session.add(row)
    ctx.session.flush()
    return {"spend": row.id, "year": year, "left_pounds": left - amount_pounds}
