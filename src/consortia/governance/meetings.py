"""The meeting engine's rules, read from the store: who may vote on an item, the quorum, the
chair for an item, and the minutes.

Per item (domain §3.3, from the 2014 statutory guidance as quoted by the government): collect
declarations, raise interests on the register that touch the organisations the item affects,
the chair rules on each person, a conflicted chair hands the item to an unconflicted deputy,
the quorum is recomputed from those still entitled to vote, and an inquorate item follows the
constitution's fallback.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from consortia.governance.constitution import GOVERNING_BODY, MEMBERS, Constitution
from consortia.governance.electorate import Entitlement, Member, entitlement
from consortia.governance.governing_body import Relation, practice_relation
from consortia.governance.interests import current
from consortia.governance.quorum import QuorumResult, evaluate
from consortia.governance.roles import ROLES
from consortia.store import models


class RulingKind(StrEnum):
    """The chair's ruling on a person's declared interest for an item."""

    NONE = "none"  # the declaration is enough; the person takes part and votes
    DISCUSS_NOT_VOTE = "discuss_not_vote"
    LEAVE_ITEM = "leave_item"  # leaves for the item and receives no papers
    EXCLUDE = "exclude"  # excluded from the rest of the meeting


NO_VOTE = frozenset({RulingKind.DISCUSS_NOT_VOTE, RulingKind.LEAVE_ITEM, RulingKind.EXCLUDE})


class Status(StrEnum):
    """Where an item stands."""

    OPEN = "open"
    DECLARED = "declared"
    VOTING = "voting"
    DECIDED = "decided"
    REFERRED = "referred_to_governing_body"
    DEFERRED = "deferred"
    AWAITING_CO_OPTION = "awaiting_co_option"


@dataclass(frozen=True)
class Voter:
    """Someone entitled to vote on an item, with the roles the quorum counts and a weight."""

    person: str
    roles: frozenset[str]
    weight: int
    basis: str


def present(session: Session, meeting: int) -> set[str]:
    """People at the meeting who have not been excluded."""
    rows = session.scalars(
        select(models.Attendance.person).where(
            models.Attendance.meeting == meeting, models.Attendance.excluded.is_(False)
        )
    )
    return set(rows)


def seats(session: Session, committee: str) -> dict[str, set[str]]:
    """Voting seats on a committee: person -> their voting roles."""
    found: dict[str, set[str]] = {}
    rows = session.scalars(
        select(models.Membership).where(
            models.Membership.committee == committee, models.Membership.voting.is_(True)
        )
    )
    for row in rows:
        found.setdefault(row.person, set()).add(row.role)
    return found


def member_entitlement(
    session: Session, constitution: Constitution, person: str
) -> Entitlement | None:
    """A person's vote in a members' decision under the constitution's electorate rule."""
    row = session.get(models.Person, person)
    if row is None:
        return None
    members = {p.key for p in constitution.member_practices}
    represents = tuple(
        sorted(
            session.scalars(
                select(models.Nomination.practice).where(models.Nomination.person == person)
            ).all()
        )
    )
    member = Member(
        person=person,
        clinician=row.clinician,
        practice=row.practice if row.practice in members else None,
        represents=tuple(p for p in represents if p in members),
    )
    sizes = {p.key: p.list_size for p in constitution.member_practices}
    delegates = [d for names in constitution.electorate.delegates.values() for d in names]
    return entitlement(constitution.electorate.rule, member, sizes, delegates)


def electorate_size(session: Session, constitution: Constitution, committee: str) -> int:
    """The number of voting members a percentage quorum is taken of."""
    if committee != MEMBERS:
        return len(seats(session, committee))
    people = session.scalars(select(models.Person.key)).all()
    return sum(1 for p in people if member_entitlement(session, constitution, p) is not None)


def rulings(session: Session, item: int) -> dict[str, RulingKind]:
    """The chair's rulings on an item: person -> ruling."""
    rows = session.scalars(select(models.Ruling).where(models.Ruling.item == item))
    return {row.person: RulingKind(row.ruling) for row in rows}


def declared(session: Session, item: int) -> set[str]:
    """People with a declaration on an item."""
    rows = session.scalars(select(models.Declaration.person).where(models.Declaration.item == item))
    return set(rows)


def co_opted(session: Session, item: int) -> dict[str, str | None]:
    """People co-opted for an item, with the role each was co-opted in."""
    rows = session.scalars(select(models.CoOption).where(models.CoOption.item == item))
    return {row.person: row.role for row in rows}


def entitled_roles(
    session: Session, constitution: Constitution, committee: str, person: str
) -> Entitlement | None:
    """The vote a person holds on a body, before any ruling on an item."""
    if committee == MEMBERS:
        return member_entitlement(session, constitution, person)
    body = constitution.committee(committee)
    roles = seats(session, committee).get(person, set())
    if body is not None:
        roles &= set(body.voting_roles)
    roles = {r for r in roles if ROLES.get(r) is None or ROLES[r].votes}
    if not roles:
        return None
    return Entitlement(frozenset(roles), 1, f"{', '.join(sorted(roles))} of {committee}")


def voters(session: Session, constitution: Constitution, item: models.Item) -> dict[str, Voter]:
    """Who is entitled to vote on the item now: present, holding a vote, not ruled out."""
    meeting = session.get_one(models.Meeting, item.meeting)
    ruled = rulings(session, item.id)
    here = present(session, meeting.id)
    # Whoever the record knows to be conflicted, and the chair has not ruled on, does not vote:
    # so arriving after declarations, or registering an interest mid-item, changes nothing.
    unruled = unruled_conflicts(session, item, here, meeting.held_on)
    found: dict[str, Voter] = {}
    for person in sorted(here):
        if ruled.get(person) in NO_VOTE or person in unruled:
            continue
        held = entitled_roles(session, constitution, meeting.committee, person)
        if held is not None:
            found[person] = Voter(person, held.roles, held.weight, held.basis)
    for person, role in co_opted(session, item.id).items():
        if ruled.get(person) not in NO_VOTE and person not in unruled:
            found[person] = Voter(person, frozenset({role or "co_opted"}), 1, "co-opted")
    return found


def voter(
    session: Session, constitution: Constitution, item: models.Item, person: str
) -> Voter | None:
    """One person's vote on the item now, or None: `voters(...).get(person)` without working
    out everyone else's (a vote is cast per person, so this keeps each vote's work constant)."""
    if rulings(session, item.id).get(person) in NO_VOTE:
        return None
    meeting = session.get_one(models.Meeting, item.meeting)
    if unruled_conflicts(session, item, {person}, meeting.held_on):
        return None
    co_option = session.get(models.CoOption, (item.id, person))
    if co_option is not None:
        return Voter(person, frozenset({co_option.role or "co_opted"}), 1, "co-opted")
    attendance = session.get(models.Attendance, (meeting.id, person))
    if attendance is None or attendance.excluded:
        return None
    held = entitled_roles(session, constitution, meeting.committee, person)
    return None if held is None else Voter(person, held.roles, held.weight, held.basis)


def quorum(session: Session, constitution: Constitution, item: models.Item) -> QuorumResult:
    """The item's quorum, recomputed from those still entitled to vote."""
    meeting = session.get_one(models.Meeting, item.meeting)
    if meeting.committee == MEMBERS:
        rule = constitution.members_meeting.parsed_quorum()
    else:
        body = constitution.committee(meeting.committee)
        if body is None:
            return QuorumResult(False, 0, 0, (f"no committee {meeting.committee!r}",))
        rule = body.parsed_quorum()
    entitled = voters(session, constitution, item)
    size = electorate_size(session, constitution, meeting.committee)
    return evaluate(rule, {p: v.roles for p, v in entitled.items()}, size, constitution.expand)


@dataclass(frozen=True)
class Known:
    """A conflict the record knows of: a register entry, or a link to an affected organisation."""

    person: str
    organisation: str
    source: str  # "register" or "practice" or "affiliation"
    description: str
    interest: int | None = None


# Links to an organisation that make a person's interest in it plain without a declaration.
CONFLICTING_RELATIONS = frozenset(
    {
        Relation.EMPLOYEE,
        Relation.PARTNER,
        Relation.SHAREHOLDER,
        Relation.DIRECTOR,
        Relation.CONTRACTOR,
    }
)


def known_conflicts(
    session: Session, people: set[str], organisations: set[str], on: date
) -> dict[str, list[Known]]:
    """Everything the record knows that conflicts `people` on an item affecting `organisations`:
    register entries held on `on`, the practice a clinician works in, and affiliations."""
    found: dict[str, list[Known]] = {}
    if not people or not organisations:
        return found
    rows = session.scalars(
        select(models.Interest)
        .where(models.Interest.person.in_(people), models.Interest.organisation.in_(organisations))
        .order_by(models.Interest.id)
    )
    for row in rows:
        if current(row.starts, row.ends, on):
            found.setdefault(row.person, []).append(
                Known(
                    row.person,
                    str(row.organisation),
                    "register",
                    f"{row.type}: {row.description}",
                    row.id,
                )
            )
    clinicians = session.scalars(
        select(models.Person).where(
            models.Person.key.in_(people), models.Person.practice.in_(organisations)
        )
    )

    def covered(person: str, organisation: str) -> bool:
        return any(k.organisation == organisation for k in found.get(person, []))

    for person in clinicians:
        if covered(person.key, str(person.practice)):
            continue  # the register entry already says it
        relation = practice_relation(person.clinician)
        found.setdefault(person.key, []).append(
            Known(
                person.key,
                str(person.practice),
                "practice",
                f"{relation} of {person.practice}",
            )
        )
    affiliations = session.scalars(
        select(models.Affiliation)
        .where(
            models.Affiliation.person.in_(people),
            models.Affiliation.organisation.in_(organisations),
            models.Affiliation.relation.in_(CONFLICTING_RELATIONS),
        )
        .order_by(models.Affiliation.id)
    )
    for link in affiliations:
        if covered(link.person, link.organisation):
            continue
        found.setdefault(link.person, []).append(
            Known(
                link.person,
                link.organisation,
                "affiliation",
                f"{link.relation} of {link.organisation}",
            )
        )
    return found


def unruled_conflicts(
    session: Session, item: models.Item, people: set[str], on: date
) -> dict[str, list[Known]]:
    """Conflicts the record knows of, for people the chair has not ruled on for this item."""
    ruled = set(rulings(session, item.id))
    affects = set(json.loads(item.affects))
    return {
        person: known
        for person, known in known_conflicts(session, people - ruled, affects, on).items()
        if known
    }


REFERRED = "referred to the governing body"


def pending_referrals(session: Session, on: date) -> list[models.Item]:
    """Items referred to the governing body from meetings held on or before `on` that no
    governing-body meeting has taken up yet (a referred item's result names its follow-on once
    taken up), oldest first."""
    return list(
        session.scalars(
            select(models.Item)
            .join(models.Meeting, models.Meeting.id == models.Item.meeting)
            .where(
                models.Item.status == Status.REFERRED.value,
                models.Item.result.is_(None),
                models.Meeting.held_on <= on,
            )
            .order_by(models.Meeting.held_on, models.Item.id)
        )
    )


def referred_to(item: models.Item) -> dict[str, Any] | None:
    """Where a referred item went: the governing body's meeting and item (both None while the
    referral waits for the next governing-body meeting); None for an item not referred.

    The link is the referred item's result (an item referred has no vote of its own to record),
    so a referral needs no table or column of its own."""
    if item.status != Status.REFERRED.value:
        return None
    result = json.loads(item.result) if item.result else {}
    link: dict[str, Any] | None = result.get("referred_to")
    if link is not None:
        return link
    return {"committee": GOVERNING_BODY, "meeting": None, "held_on": None, "item": None}


def referred_from(session: Session, item: models.Item) -> dict[str, Any] | None:
    """The item a governing-body item was referred from (committee, meeting, date, item), or
    None for an item put on the agenda directly."""
    rows = session.execute(
        select(models.Item, models.Meeting)
        .join(models.Meeting, models.Meeting.id == models.Item.meeting)
        .where(models.Item.status == Status.REFERRED.value, models.Item.result.is_not(None))
    ).all()
    for origin, meeting in rows:
        link = json.loads(origin.result or "{}").get("referred_to") or {}
        if link.get("item") == item.id:
            return {
                "committee": meeting.committee,
                "meeting": meeting.id,
                "held_on": meeting.held_on.isoformat(),
                "item": origin.id,
            }
    return None


def minutes(session: Session, meeting_id: int) -> dict[str, Any]:
    """The minutes of a meeting: attendance, and per item the declarations, rulings, quorum,
    fallback and result, as recorded."""
    meeting = session.get_one(models.Meeting, meeting_id)
    attendance = session.scalars(
        select(models.Attendance).where(models.Attendance.meeting == meeting_id)
    ).all()
    items = session.scalars(
        select(models.Item).where(models.Item.meeting == meeting_id).order_by(models.Item.id)
    ).all()
    return {
        "meeting": meeting.id,
        "committee": meeting.committee,
        "held_on": meeting.held_on.isoformat(),
        "chair": meeting.chair,
        "present": sorted(a.person for a in attendance if not a.excluded),
        "excluded": sorted(a.person for a in attendance if a.excluded),
        "items": [_item_minutes(session, item) for item in items],
    }


def _item_minutes(session: Session, item: models.Item) -> dict[str, Any]:
    declarations = session.scalars(
        select(models.Declaration)
        .where(models.Declaration.item == item.id)
        .order_by(models.Declaration.id)
    ).all()
    votes = session.scalars(
        select(models.Vote).where(models.Vote.item == item.id).order_by(models.Vote.person)
    ).all()
    return {
        "item": item.id,
        "title": item.title,
        "decides": item.decides,
        "affects": json.loads(item.affects),
        "chair": item.chair,
        "status": item.status,
        "declarations": [
            {"person": d.person, "source": d.source, "description": d.description}
            for d in declarations
        ],
        "rulings": {p: r.value for p, r in sorted(rulings(session, item.id).items())},
        "grounds": _grounds(session, item.id),
        "co_opted": co_opted(session, item.id),
        "quorum": json.loads(item.quorum) if item.quorum else None,
        "votes": [{"person": v.person, "choice": v.choice, "weight": v.weight} for v in votes],
        "result": json.loads(item.result) if item.result else None,
        "referred_to": referred_to(item),
        "referred_from": referred_from(session, item),
    }


def _grounds(session: Session, item: int) -> dict[str, str]:
    """The grounds recorded for rulings on an item, by person (only where given)."""
    rows = session.scalars(select(models.Ruling).where(models.Ruling.item == item))
    return {row.person: row.grounds for row in sorted(rows, key=lambda r: r.person) if row.grounds}
