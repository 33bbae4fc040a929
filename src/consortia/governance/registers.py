"""The published registers: interests of decision-makers, gifts and hospitality, breaches.

What is published follows NHS England's "Managing conflicts of interest: revised statutory
guidance for CCGs" (June 2016, revised 16 June 2017), as summarised on NHS England's conflicts
of interest page (https://www.england.nhs.uk/commissioning/pc-co-comms/coi/) and in CCGs'
published registers:
- only decision-making staff (here: anyone holding a voting seat on the governing body or a
  committee) are on the published register of interests (2017 revision), and an entry stays
  published for six months after the interest ends (as CCGs publishing under the guidance
  state it, e.g. Eastern Cheshire CCG's conflicts of interest page);
- a declaration made later than the constitution's limit (28 days under NHS Act 2006 s14O as
  CCGs' policies summarise it) is a breach: the entry is published marked `late`, and the
  breach is published anonymised (2016 guidance, as reported by Hempsons);
- gifts and hospitality: what needs no declaration is not published. Under the 2017 revision,
  hospitality under £25 "does not need to be declared" and gifts under £50 from others than
  suppliers "do not need to be declared"; a supplier's low-value gift (up to £6) "can be
  accepted" (the page names no declaration for it, so it is treated as the others accepted
  outright: outcome `accept`). Hospitality of £25-£75 is accepted but declared, and offers
  declined or refused are declared too (CCGs publishing under the guidance record gifts and
  hospitality "received, or offered and declined"). Hospitality over £75 "should be refused
  unless senior approval is given" (2017 revision; "exceptional senior approval" in the
  NHS-wide guidance of February 2017 as LMCs summarised it), so an accepted one is published
  with that approval: who gave it, when, and on what grounds.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consortia.governance.actions.interests import ACCEPTED_WITH_APPROVAL
from consortia.governance.interests import GiftOutcome, confirmation_due, published
from consortia.store import models


def decision_makers(session: Session) -> set[str]:
    """People with a voting seat on the governing body or any committee."""
    rows = session.scalars(
        select(models.Membership.person).where(models.Membership.voting.is_(True))
    )
    return set(rows)


def published_register(session: Session, as_of: date) -> dict[str, Any]:
    """The registers as published on `as_of`."""
    makers = decision_makers(session)
    interests = session.scalars(select(models.Interest).order_by(models.Interest.id)).all()
    gifts = session.scalars(select(models.Gift).order_by(models.Gift.id)).all()
    breaches = session.scalars(select(models.Breach).order_by(models.Breach.id)).all()
    return {
        "as_of": as_of.isoformat(),
        "interests": [
            {
                "person": i.person,
                "type": i.type,
                "description": i.description,
                "organisation": i.organisation,
                "starts": i.starts.isoformat(),
                "ends": i.ends.isoformat() if i.ends else None,
                "declared_on": i.declared_on.isoformat(),
                "late": i.late,
            }
            for i in interests
            if i.person in makers and published(i.starts, i.ends, as_of)
        ],
        "gifts_and_hospitality": [
            {
                "person": g.person,
                "kind": g.kind,
                "value": f"£{g.value_pence / 100:.2f}",
                "donor": g.donor,
                "offered_on": g.offered_on.isoformat(),
                "outcome": g.outcome,
                "approval": _approval(session, g) if g.outcome == ACCEPTED_WITH_APPROVAL else None,
            }
            for g in gifts
            if g.offered_on <= as_of and g.outcome != GiftOutcome.ACCEPT
        ],
        "breaches": [
            {"occurred_on": b.occurred_on.isoformat(), "description": b.description}
            for b in breaches
            if b.occurred_on <= as_of
        ],
        "confirmation_due": confirmations_due(session, as_of),
    }


def _approval(session: Session, gift: models.Gift) -> dict[str, str] | None:
    """The senior approval an accepted hospitality above the limit was recorded under: who
    approved it, when and why."""
    row = session.get(models.HospitalityApproval, gift.approval) if gift.approval else None
    if row is None:
        return None
    return {
        "approved_by": row.approved_by,
        "approved_on": row.approved_on.isoformat(),
        "grounds": row.grounds,
    }


def confirmations_due(session: Session, as_of: date) -> list[str]:
    """Decision-makers whose annual confirmation of their entries is due."""
    rows = session.execute(
        select(models.Confirmation.person, func.max(models.Confirmation.confirmed_on)).group_by(
            models.Confirmation.person
        )
    ).all()
    last: dict[str, date] = {row[0]: row[1] for row in rows}
    return sorted(p for p in decision_makers(session) if confirmation_due(last.get(p), as_of))
