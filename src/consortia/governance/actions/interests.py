"""Actions on the registers of interests, gifts and hospitality, and breaches.

The person declaring is the person acting: a register entry is always someone's own word.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from consortia.governance.actions.base import Context, Effect, Refused, action
from consortia.governance.interests import (
    GiftKind,
    GiftOutcome,
    InterestType,
    declared_late,
    gift_outcome,
)
from consortia.store import models


@action
def declare_interest(
    ctx: Context,
    *,
    type: InterestType,
    description: str,
    organisation: str | None = None,
    starts: date,
    ends: date | None = None,
    aware_on: date,
    declared_on: date,
) -> Effect:
    """Put one of the acting person's interests on the register (late ones are also breaches)."""
    policy = ctx.constitution().conflicts
    if organisation is not None:
        ctx.get(models.Organisation, organisation, "organisation")
    if ends is not None and ends < starts:
        raise Refused("the interest ends before it starts", rule="starts <= ends")
    if declared_on < aware_on:
        raise Refused("declared before the person was aware of it", rule="aware_on <= declared_on")
    late = declared_late(aware_on, declared_on, policy.declare_within_days)
    row = models.Interest(
        person=ctx.actor,
        type=type.value,
        description=description,
        organisation=organisation,
        starts=starts,
        ends=ends,
        aware_on=aware_on,
        declared_on=declared_on,
        late=late,
    )
    ctx.session.add(row)
    if late:
        days = (declared_on - aware_on).days
        ctx.session.add(
            models.Breach(
                person=ctx.actor,
                description=f"interest declared {days} days after the person became aware "
                f"(within {policy.declare_within_days} required)",
                occurred_on=declared_on,
            )
        )
    ctx.session.flush()
    return {"interest": row.id, "late": late}


@action
def end_interest(ctx: Context, *, interest: int, ends: date) -> Effect:
    """Record the date one of the acting person's interests ended."""
    row = ctx.get(models.Interest, interest, "interest")
    if row.person != ctx.actor:
        raise Refused("an interest is ended by the person who holds it", rule="own register")
    if ends < row.starts:
        raise Refused("the interest ends before it starts", rule="starts <= ends")
    row.ends = ends
    return {"interest": interest, "ends": ends.isoformat()}


@action
def confirm_interests(ctx: Context, *, confirmed_on: date) -> Effect:
    """The acting person confirms their entries are complete and accurate (at least yearly)."""
    ctx.session.add(models.Confirmation(person=ctx.actor, confirmed_on=confirmed_on))
    return {"person": ctx.actor, "confirmed_on": confirmed_on.isoformat()}


@action
def record_gift(
    ctx: Context,
    *,
    kind: GiftKind,
    value_pence: int,
    donor: str | None = None,
    offered_on: date,
    approval: int | None = None,
) -> Effect:
    """Put a gift or hospitality offered to the acting person on the register, with its outcome
    (hospitality above the limit is accepted only under a senior officer's recorded approval)."""
    if value_pence < 0:
        raise Refused("a value cannot be negative", rule="value_pence >= 0")
    if donor is not None:
        ctx.get(models.Organisation, donor, "organisation")
    guidance = ctx.constitution().conflicts.guidance
    outcome = gift_outcome(kind, value_pence, guidance).value
    if approval is not None:
        approved = ctx.get(models.HospitalityApproval, approval, "hospitality approval")
        if (
            outcome != GiftOutcome.REFUSE_UNLESS_APPROVED
            or (
                approved.person,
                approved.donor,
                approved.offered_on,
            )
            != (ctx.actor, donor, offered_on)
            or value_pence > approved.value_pence
        ):
            raise Refused(
                f"approval {approval} is not for this hospitality (its person, donor, date and "
                "value up to the approved one)",
                rule="a senior approval covers the hospitality it names",
            )
        outcome = ACCEPTED_WITH_APPROVAL
    row = models.Gift(
        person=ctx.actor,
        kind=kind.value,
        value_pence=value_pence,
        donor=donor,
        offered_on=offered_on,
        outcome=outcome,
        approval=approval,
    )
    ctx.session.add(row)
    ctx.session.flush()
    return {"gift": row.id, "outcome": outcome, "guidance": guidance, "approval": approval}


ACCEPTED_WITH_APPROVAL = "accept_with_senior_approval"
# Who may approve hospitality above the limit: the senior officers and the conflicts guardian.
SENIOR_ROLES = frozenset({"accountable_officer", "cfo", "coi_guardian"})


@action
def approve_hospitality(
    ctx: Context,
    *,
    person: str,
    value_pence: int,
    donor: str | None = None,
    offered_on: date,
    approved_on: date,
    grounds: str,
) -> Effect:
    """A senior officer approves hospitality above the limit offered to someone, saying why."""
    ctx.get(models.Person, person, "person")
    if donor is not None:
        ctx.get(models.Organisation, donor, "organisation")
    roles = set(
        ctx.session.scalars(
            select(models.Membership.role).where(models.Membership.person == ctx.actor)
        )
    )
    if not roles & SENIOR_ROLES:
        raise Refused(
            f"{ctx.actor} is not a senior officer ({', '.join(sorted(SENIOR_ROLES))})",
            rule="hospitality above the limit is approved by a senior officer (2017 guidance)",
        )
    if person == ctx.actor:
        raise Refused("no one approves their own hospitality", rule="approval by another")
    if not grounds.strip():
        raise Refused("an approval says why", rule="a senior approval records its grounds")
    guidance = ctx.constitution().conflicts.guidance
    if gift_outcome(GiftKind.HOSPITALITY, value_pence, guidance) != (
        GiftOutcome.REFUSE_UNLESS_APPROVED
    ):
        raise Refused(
            f"hospitality of {value_pence}p is within the limit; no approval is needed",
            rule="only hospitality above the limit needs senior approval",
        )
    row = models.HospitalityApproval(
        person=person,
        donor=donor,
        value_pence=value_pence,
        offered_on=offered_on,
        approved_by=ctx.actor,
        approved_on=approved_on,
        grounds=grounds.strip(),
    )
    ctx.session.add(row)
    ctx.session.flush()
    return {"approval": row.id, "person": person, "approved_by": ctx.actor}


@action
def record_breach(
    ctx: Context, *, description: str, person: str | None = None, occurred_on: date
) -> Effect:
    """Put a breach of the conflicts policy on the breaches register."""
    if person is not None:
        ctx.get(models.Person, person, "person")
    row = models.Breach(person=person, description=description, occurred_on=occurred_on)
    ctx.session.add(row)
    ctx.session.flush()
    return {"breach": row.id}
