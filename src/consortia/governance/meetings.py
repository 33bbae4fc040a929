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
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import bindparam, exists, select
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


def _member_vote(
    constitution: Constitution,
    person: str,
    clinician: str | None,
    practice: str | None,
    nominated_by: Iterable[str],
) -> Entitlement | None:
    """A person's vote in a members' decision, from what the record holds about them."""
    sizes = constitution.list_sizes
    member = Member(
        person=person,
        clinician=clinician,
        practice=practice if practice in sizes else None,
        represents=tuple(sorted(p for p in set(nominated_by) if p in sizes)),
    )
    return entitlement(constitution.electorate.rule, member, sizes, constitution.delegates)


def _committee_vote(
    constitution: Constitution, committee: str, roles: Iterable[str]
) -> Entitlement | None:
    """The vote a set of seats on a committee gives: its voting roles, one vote."""
    held = set(roles)
    body = constitution.committee(committee)
    if body is not None:
        held &= set(body.voting_roles)
    held = {r for r in held if ROLES.get(r) is None or ROLES[r].votes}
    if not held:
        return None
    return Entitlement(frozenset(held), 1, f"{', '.join(sorted(held))} of {committee}")


_NOMINATION = models.Nomination.__table__.c
_MEMBERSHIP = models.Membership.__table__.c
_NOMINATIONS = select(_NOMINATION.practice).where(_NOMINATION.person == bindparam("person"))
_SEATS = select(_MEMBERSHIP.role).where(
    _MEMBERSHIP.committee == bindparam("committee"),
    _MEMBERSHIP.person == bindparam("person"),
    _MEMBERSHIP.voting.is_(True),
)


def member_entitlement(
    session: Session, constitution: Constitution, person: str
) -> Entitlement | None:
    """A person's vote in a members' decision under the constitution's electorate rule."""
    row = session.get(models.Person, person)
    if row is None:
        return None
    nominated_by = session.execute(_NOMINATIONS, {"person": person}).scalars()
    return _member_vote(constitution, person, row.clinician, row.practice, nominated_by)


def entitlements(
    session: Session, constitution: Constitution, committee: str
) -> dict[str, Entitlement]:
    """Everyone holding a vote on a body, before any ruling on an item, read in two queries
    whatever their number (the members: every person on the record under the electorate rule;
    a committee: its voting seats)."""
    found: dict[str, Entitlement] = {}
    if committee != MEMBERS:
        for person, roles in seats(session, committee).items():
            held = _committee_vote(constitution, committee, roles)
            if held is not None:
                found[person] = held
        return found
    nominated: dict[str, list[str]] = {}
    for nominee, nominating in session.execute(
        select(models.Nomination.person, models.Nomination.practice)
    ):
        nominated.setdefault(nominee, []).append(nominating)
    people = session.execute(
        select(models.Person.key, models.Person.clinician, models.Person.practice)
    )
    for person, clinician, practice in people:
        vote = _member_vote(constitution, person, clinician, practice, nominated.get(person, ()))
        if vote is not None:
            found[person] = vote
    return found


def electorate_size(session: Session, constitution: Constitution, committee: str) -> int:
    """The number of voting members a percentage quorum is taken of."""
    if committee != MEMBERS:
        return len(seats(session, committee))
    return len(entitlements(session, constitution, MEMBERS))


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
    roles = session.execute(_SEATS, {"committee": committee, "person": person}).scalars()
    return _committee_vote(constitution, committee, roles)


def voters(
    session: Session,
    constitution: Constitution,
    item: models.Item,
    held: dict[str, Entitlement] | None = None,
) -> dict[str, Voter]:
    """Who is entitled to vote on the item now: present, holding a vote, not ruled out.

    A fixed number of queries whatever the meeting's size; `held` is the body's
    `entitlements`, when the caller has them already.
    """
    meeting = session.get_one(models.Meeting, item.meeting)
    ruled = rulings(session, item.id)
    here = present(session, meeting.id)
    # Whoever the record knows to be conflicted, and the chair has not ruled on, does not vote:
    # so arriving after declarations, or registering an interest mid-item, changes nothing.
    unruled = unruled_conflicts(session, item, here, meeting.held_on)
    if held is None:
        held = entitlements(session, constitution, meeting.committee)
    found: dict[str, Voter] = {}
    for person in sorted(here):
        if ruled.get(person) in NO_VOTE or person in unruled:
            continue
        vote = held.get(person)
        if vote is not None:
            found[person] = Voter(person, vote.roles, vote.weight, vote.basis)
    for person, role in co_opted(session, item.id).items():
        if ruled.get(person) not in NO_VOTE and person not in unruled:
            found[person] = Voter(person, frozenset({role or "co_opted"}), 1, "co-opted")
    return found


@dataclass(frozen=True)
class Standing:
    """One person's place on one item, read in a single query: what a vote needs to check."""

    committee: str  # the body whose meeting the item is at
    known: bool  # the person is on the record
    attending: bool  # present at the meeting and not excluded
    ruling: RulingKind | None
    co_opted: bool
    co_option_role: str | None
    voted: bool
    clinician: str | None
    practice: str | None
    nominated: bool  # a member practice's nominated representative (or another's)
    linked: bool  # a register entry or a conflicting link to an organisation the item affects


def _standing_statement() -> Any:
    """The query behind `standing`: one row of scalar subqueries, each an indexed lookup but
    the links (a person's few register entries and affiliations).

    Built once on the tables rather than the mapped classes, so running it costs little more
    than the database's own work."""
    item: Any = bindparam("item")
    meeting: Any = bindparam("meeting")
    person: Any = bindparam("person")
    affects: Any = bindparam("affects", expanding=True)
    meetings, people = models.Meeting.__table__.c, models.Person.__table__.c
    attendance, ruling = models.Attendance.__table__.c, models.Ruling.__table__.c
    co_option, vote = models.CoOption.__table__.c, models.Vote.__table__.c
    interest, affiliation = models.Interest.__table__.c, models.Affiliation.__table__.c
    nomination = models.Nomination.__table__.c

    def one(column: Any, *where: Any) -> Any:
        return select(column).where(*where).scalar_subquery()

    co_opted = (co_option.item == item, co_option.person == person)
    return select(
        one(meetings.committee, meetings.id == meeting).label("committee"),
        exists().where(people.key == person).label("known"),
        one(attendance.excluded, attendance.meeting == meeting, attendance.person == person).label(
            "excluded"
        ),
        one(ruling.ruling, ruling.item == item, ruling.person == person).label("ruling"),
        exists().where(*co_opted).label("co_opted"),
        one(co_option.role, *co_opted).label("co_option_role"),
        exists().where(vote.item == item, vote.person == person).label("voted"),
        one(people.clinician, people.key == person).label("clinician"),
        one(people.practice, people.key == person).label("practice"),
        exists().where(nomination.person == person).label("nominated"),
        exists()
        .where(interest.person == person, interest.organisation.in_(affects))
        .label("registered"),
        exists()
        .where(
            affiliation.person == person,
            affiliation.organisation.in_(affects),
            affiliation.relation.in_([str(r) for r in CONFLICTING_RELATIONS]),
        )
        .label("affiliated"),
    )


def standing(session: Session, item: models.Item, person: str) -> Standing:
    """Where `person` stands on `item`: attendance, ruling, co-option, vote and links, in one
    query, so checking a vote costs the same whatever the meeting's size."""
    affects = json.loads(item.affects)
    row = session.execute(
        _STANDING, {"item": item.id, "meeting": item.meeting, "person": person, "affects": affects}
    ).one()
    return Standing(
        committee=row.committee,
        known=bool(row.known),
        attending=row.excluded is not None and not row.excluded,
        ruling=RulingKind(row.ruling) if row.ruling is not None else None,
        co_opted=bool(row.co_opted),
        co_option_role=row.co_option_role,
        voted=bool(row.voted),
        clinician=row.clinician,
        practice=row.practice,
        nominated=bool(row.nominated),
        # A superset of `known_conflicts`: an interest not held on the day is sifted out there.
        linked=bool(row.registered or row.affiliated or row.practice in affects),
    )


def voter(
    session: Session,
    constitution: Constitution,
    item: models.Item,
    person: str,
    found: Standing | None = None,
) -> Voter | None:
    """One person's vote on the item now, or None: `voters(...).get(person)` without working
    out everyone else's (a vote is cast per person, so this keeps each vote's work constant).
    `found` is the person's `standing` on the item, when the caller has read it already."""
    found = found or standing(session, item, person)
    if found.ruling in NO_VOTE:
        return None
    if found.ruling is None and found.linked:
        meeting = session.get_one(models.Meeting, item.meeting)
        if unruled_conflicts(session, item, {person}, meeting.held_on):
            return None
    if found.co_opted:
        return Voter(person, frozenset({found.co_option_role or "co_opted"}), 1, "co-opted")
    if not found.attending or not found.known:
        return None
    if found.committee == MEMBERS:
        nominated_by = (
            session.execute(_NOMINATIONS, {"person": person}).scalars().all()
            if found.nominated
            else []
        )
        held = _member_vote(constitution, person, found.clinician, found.practice, nominated_by)
    else:
        seated = session.execute(_SEATS, {"committee": found.committee, "person": person})
        held = _committee_vote(constitution, found.committee, seated.scalars())
    return None if held is None else Voter(person, held.roles, held.weight, held.basis)


def quorum(
    session: Session,
    constitution: Constitution,
    item: models.Item,
    entitled: dict[str, Voter] | None = None,
) -> QuorumResult:
    """The item's quorum, recomputed from those still entitled to vote (`entitled`: the item's
    `voters`, when the caller has them already)."""
    meeting = session.get_one(models.Meeting, item.meeting)
    if meeting.committee == MEMBERS:
        rule = constitution.members_meeting.parsed_quorum()
    else:
        body = constitution.committee(meeting.committee)
        if body is None:
            return QuorumResult(False, 0, 0, (f"no committee {meeting.committee!r}",))
        rule = body.parsed_quorum()
    if entitled is None:
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


_STANDING = _standing_statement()


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


def referrals_taken_up(session: Session) -> dict[int, dict[str, Any]]:
    """For each governing-body item taken up from a referral, the item it was referred from
    (committee, meeting, date, item); an item put on the agenda directly is not a key."""
    rows = session.execute(
        select(models.Item, models.Meeting)
        .join(models.Meeting, models.Meeting.id == models.Item.meeting)
        .where(models.Item.status == Status.REFERRED.value, models.Item.result.is_not(None))
        .order_by(models.Item.id)
    ).all()
    found: dict[int, dict[str, Any]] = {}
    for origin, meeting in rows:
        link = json.loads(origin.result or "{}").get("referred_to") or {}
        if link.get("item") is not None:
            found.setdefault(
                link["item"],
                {
                    "committee": meeting.committee,
                    "meeting": meeting.id,
                    "held_on": meeting.held_on.isoformat(),
                    "item": origin.id,
                },
            )
    return found


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
    origins = referrals_taken_up(session) if items else {}
    return {
        "meeting": meeting.id,
        "committee": meeting.committee,
        "held_on": meeting.held_on.isoformat(),
        "chair": meeting.chair,
        "present": sorted(a.person for a in attendance if not a.excluded),
        "excluded": sorted(a.person for a in attendance if a.excluded),
        "items": [_item_minutes(session, item, origins) for item in items],
    }


def _item_minutes(
    session: Session, item: models.Item, origins: dict[int, dict[str, Any]]
) -> dict[str, Any]:
    """One item's minutes; `origins` is `referrals_taken_up`, read once for the meeting."""
    declarations = session.scalars(
        select(models.Declaration)
        .where(models.Declaration.item == item.id)
        .order_by(models.Declaration.id)
    ).all()
    votes = session.scalars(
        select(models.Vote).where(models.Vote.item == item.id).order_by(models.Vote.person)
    ).all()
    # Sorted here, not in SQL, so the order does not follow the database's collation.
    ruled = sorted(
        session.scalars(select(models.Ruling).where(models.Ruling.item == item.id)),
        key=lambda r: r.person,
    )
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
        "rulings": {r.person: RulingKind(r.ruling).value for r in ruled},
        "grounds": {r.person: r.grounds for r in ruled if r.grounds},
        "co_opted": co_opted(session, item.id),
        "quorum": json.loads(item.quorum) if item.quorum else None,
        "votes": [{"person": v.person, "choice": v.choice, "weight": v.weight} for v in votes],
        "result": json.loads(item.result) if item.result else None,
        "referred_to": referred_to(item),
        "referred_from": origins.get(item.id),
    }
