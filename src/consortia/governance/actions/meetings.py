"""Actions of a meeting: open it, record who is there, take items through declarations,
rulings, quorum, votes and result."""

from __future__ import annotations

import json
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict
from sqlalchemy import bindparam, select

from consortia.governance.actions.base import Context, Effect, Refused, action
from consortia.governance.authorisation import directed_away
from consortia.governance.constitution import (
    CORE_CONTRACT_AWARD,
    DELEGABLE_PRIMARY_CARE,
    GOVERNING_BODY,
    MEMBERS,
    NHS_ENGLAND_RESERVED,
    CoCommissioning,
    Constitution,
    Fallback,
    unknown_matter,
)
from consortia.governance.electorate import refusal, tally
from consortia.governance.meetings import (
    NO_VOTE,
    REFERRED,
    RulingKind,
    Status,
    co_opted,
    declared,
    entitled_roles,
    known_conflicts,
    pending_referrals,
    present,
    quorum,
    rulings,
    seats,
    standing,
    unruled_conflicts,
    voter,
    voters,
)
from consortia.governance.plans import PLAN_MATTER, PlanStatus, missing
from consortia.governance.roles import ROLES
from consortia.governance.state import Recorder
from consortia.store import models


class Choice(StrEnum):
    """A vote."""

    FOR = "for"
    AGAINST = "against"
    ABSTAIN = "abstain"


class DeclarationIn(BaseModel):
    """An interest declared on an item at the meeting."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    person: str
    description: str
    interest: int | None = None


def _item(ctx: Context, item: int, *statuses: Status) -> models.Item:
    row = ctx.get(models.Item, item, "item")
    _in_order(row, statuses)
    return row


def _in_order(row: models.Item, statuses: tuple[Status, ...]) -> None:
    if statuses and row.status not in statuses:
        allowed = " or ".join(s.value for s in statuses)
        raise Refused(
            f"item {row.id} is {row.status}; this needs it {allowed}",
            rule="the order of an item: declarations, rulings, quorum, votes, result",
        )


_ITEM = models.Item.__table__.c
_READ_ITEM = select(_ITEM.meeting, _ITEM.affects, _ITEM.status, _ITEM.quorum).where(
    _ITEM.id == bindparam("item")
)


def _read_item(ctx: Context, item: int, *statuses: Status) -> models.Item:
    """`_item` for an action that only reads the item: a copy outside the session, read
    without the cost of loading a mapped row (a vote's largest query but one)."""
    found = ctx.session.execute(_READ_ITEM, {"item": item}).first()
    if found is None:
        raise Refused(f"no item {item!r}", rule="a registered item")
    row = models.Item(
        id=item,
        meeting=found.meeting,
        affects=found.affects,
        status=found.status,
        quorum=found.quorum,
    )
    _in_order(row, statuses)
    return row


@action
def open_meeting(
    ctx: Context, *, committee: str, held_on: date, chair: str | None = None
) -> Effect:
    """Open a meeting of a committee, the governing body or the members; the chair attends."""
    constitution = ctx.constitution()
    adopted = ctx.session.scalars(
        select(models.Constitution.adopted_on).order_by(models.Constitution.id.desc()).limit(1)
    ).one()
    if held_on < adopted:
        raise Refused(
            f"a meeting on {held_on.isoformat()} is before the constitution in force was "
            f"adopted ({adopted.isoformat()})",
            rule="meetings are held under an adopted constitution",
        )
    chair = chair or ctx.actor
    ctx.get(models.Person, chair, "person")
    if committee != MEMBERS:
        if constitution.committee(committee) is None:
            raise Refused(
                f"the constitution has no committee {committee!r}", rule="known committees"
            )
        if chair not in seats(ctx.session, committee):
            raise Refused(
                f"{chair} has no voting seat on {committee!r}",
                rule="a meeting is chaired by one of its voting members",
            )
    row = models.Meeting(committee=committee, held_on=held_on, chair=chair)
    ctx.session.add(row)
    ctx.session.flush()
    ctx.session.add(models.Attendance(meeting=row.id, person=chair, excluded=False))
    effect: Effect = {"meeting": row.id, "committee": committee, "chair": chair}
    if committee == GOVERNING_BODY:
        effect.update(_take_up_referrals(ctx, constitution, row))
    return effect


def _take_up_referrals(
    ctx: Context, constitution: Constitution, meeting: models.Meeting
) -> dict[str, list[dict[str, object]]]:
    """Put every pending referral on the agenda of this governing-body meeting.

    A committee that conflicts leave inquorate refers the item to the governing body
    (constitution `when_inquorate: refer_to_governing_body`). A board secretary expects the
    referred item on the agenda of the governing body's next meeting without anyone having to
    remember it, so the referral waits as pending (the item's status is
    `referred_to_governing_body`, its result empty) and the first governing-body meeting held
    on or after the referring meeting's day takes it up: a new item that decides the same
    matter and affects the same organisations, and goes through declarations, rulings, quorum
    and vote afresh, as the governing body's own members may be conflicted too. The referred
    item's result records the follow-on, so the minutes of both show the link. A matter the
    governing body may not decide under the constitution now in force (one since reserved to
    the members, say) is not taken up and is reported in `referrals_held`.
    """
    taken: list[dict[str, object]] = []
    held: list[dict[str, object]] = []
    for origin in pending_referrals(ctx.session, meeting.held_on):
        try:
            _may_decide(constitution, GOVERNING_BODY, origin.decides)
        except Refused as refused:
            held.append({"item": origin.id, "why": refused.message})
            continue
        follow_on = models.Item(
            meeting=meeting.id,
            title=origin.title,
            decides=origin.decides,
            affects=origin.affects,
            chair=meeting.chair,
            status=Status.OPEN.value,
        )
        ctx.session.add(follow_on)
        ctx.session.flush()
        link = {
            "committee": GOVERNING_BODY,
            "meeting": meeting.id,
            "held_on": meeting.held_on.isoformat(),
            "item": follow_on.id,
        }
        origin.result = json.dumps({"outcome": REFERRED, "referred_to": link}, sort_keys=True)
        taken.append({"item": follow_on.id, "referred_from": origin.id, "decides": origin.decides})
    return {"referred_items": taken, **({"referrals_held": held} if held else {})}


@action
def attend(ctx: Context, *, meeting: int, people: list[str]) -> Effect:
    """Record people as present at a meeting."""
    ctx.get(models.Meeting, meeting, "meeting")
    wanted = list(dict.fromkeys(people))
    # Two queries whatever the number of people: who is on the record, and who is here already.
    known = set(ctx.session.scalars(select(models.Person.key).where(models.Person.key.in_(wanted))))
    for person in wanted:
        if person not in known:
            raise Refused(f"no person {person!r}", rule="a registered person")
    recorded = set(
        ctx.session.scalars(
            select(models.Attendance.person).where(models.Attendance.meeting == meeting)
        )
    )
    ctx.session.add_all(
        models.Attendance(meeting=meeting, person=person, excluded=False)
        for person in wanted
        if person not in recorded
    )
    return {"meeting": meeting, "present": sorted(present(ctx.session, meeting) | set(people))}


@action
def add_item(
    ctx: Context,
    *,
    meeting: int,
    title: str,
    decides: str,
    affects: list[str] | None = None,
    plan: int | None = None,
) -> Effect:
    """Put an item on the agenda: what it decides, which organisations it affects, and the
    commissioning plan it decides on, if any."""
    constitution = ctx.constitution()
    row = ctx.get(models.Meeting, meeting, "meeting")
    _may_decide(constitution, row.committee, decides)
    for organisation in affects or []:
        ctx.get(models.Organisation, organisation, "organisation")
    direction = directed_away(ctx.session, decides, row.held_on)
    if direction is not None:
        raise Refused(
            f"the NHS Commissioning Board directed {decides!r} to {direction.to_body} on "
            f"{direction.issued_on.isoformat()}: {direction.reason}",
            rule="a matter directed away is not the CCG's to decide (NHS Act 2006 s14Z21)",
        )
    if decides in DELEGABLE_PRIMARY_CARE and row.committee == constitution.primary_care.committee:
        _properly_composed(ctx, constitution, row.committee)
    if plan is not None:
        _may_table(ctx, constitution, row, decides, plan)
    item = models.Item(
        meeting=meeting,
        title=title,
        decides=decides,
        affects=json.dumps(sorted(set(affects or []))),
        chair=row.chair,
        status=Status.OPEN.value,
        plan=plan,
    )
    ctx.session.add(item)
    ctx.session.flush()
    return {"item": item.id, "decides": decides, **({"plan": plan} if plan is not None else {})}


def _may_table(
    ctx: Context, constitution: Constitution, meeting: models.Meeting, decides: str, plan: int
) -> None:
    """An item on a plan decides the plan, at the governing body (approval) or at a members'
    meeting where the constitution puts the plan to the members' vote."""
    row = ctx.get(models.Plan, plan, "plan")
    if decides != PLAN_MATTER:
        raise Refused(
            f"an item on plan {plan} decides {PLAN_MATTER!r}, not {decides!r}",
            rule="an item on a plan decides the plan",
        )
    if row.status != PlanStatus.DRAFT:
        raise Refused(
            f"plan {plan} is {row.status}; only a draft goes before a meeting",
            rule="the order of a plan: drafted, approved by the governing body, published",
        )
    if meeting.committee == MEMBERS and constitution.planning.member_engagement != "vote":
        raise Refused(
            "the constitution engages the members by consultation on the plan, not a vote",
            rule="the members are engaged as the constitution says (planning.member_engagement)",
        )
    if meeting.committee not in (GOVERNING_BODY, MEMBERS):
        raise Refused(
            f"{meeting.committee!r} does not approve the commissioning plan",
            rule="the governing body approves the plan; the members vote where the constitution "
            "says",
        )


def _may_decide(constitution: Constitution, committee: str, matter: str) -> None:
    _primary_care_matter(constitution, matter)
    unknown = unknown_matter(constitution, matter)
    if unknown is not None:
        raise Refused(unknown, rule="an item decides one of the constitution's matters")
    if committee == MEMBERS:
        return
    if constitution.reserved(matter) is not None:
        raise Refused(
            f"{matter!r} is reserved to the members; {committee!r} cannot decide it",
            rule="matters reserved to members (constitution)",
        )
    body = constitution.committee(committee)
    if committee != GOVERNING_BODY and body is not None and matter not in body.decides:
        raise Refused(
            f"{committee!r} has no delegation to decide {matter!r}",
            rule="a committee decides only what the constitution delegates to it",
        )


def _primary_care_matter(constitution: Constitution, matter: str) -> None:
    """Refuse a primary-care decision the co-commissioning level leaves with NHS England."""
    policy = constitution.primary_care
    reserved = NHS_ENGLAND_RESERVED.get(matter)
    if reserved is not None:
        raise Refused(
            f"{reserved} stays with NHS England at every level of co-commissioning",
            rule="functions reserved to NHS England (Next steps towards primary care "
            "co-commissioning, 2014)",
        )
    if matter == CORE_CONTRACT_AWARD and not policy.may_hold_core_contracts:
        raise Refused(
            "the CCG may not award or hold a GP core contract: the constitution does not allow "
            "it (primary_care.may_hold_core_contracts)",
            rule="GP core contracts are not held by CCGs (LMC conference 2014; constitution)",
        )
    level = policy.co_commissioning
    if matter in DELEGABLE_PRIMARY_CARE and level not in (
        CoCommissioning.JOINT,
        CoCommissioning.DELEGATED,
    ):
        raise Refused(
            f"under co-commissioning level {level.value!r}, NHS England decides {matter!r}; the "
            "CCG may advise",
            rule="primary-care decisions need joint or delegated co-commissioning "
            "(constitution primary_care.co_commissioning)",
        )


def _properly_composed(ctx: Context, constitution: Constitution, committee: str) -> None:
    """The committee taking delegated primary-care decisions has a lay chair, and lay and
    executive members are the majority of its votes (domain §3.5)."""
    members = seats(ctx.session, committee)
    rule = "a primary care commissioning committee has a lay chair and a lay and executive majority"
    chairs = [p for p, roles in members.items() if "chair" in roles]

    def lay(person: str) -> bool:
        return any(ROLES[r].lay for r in members[person] if r in ROLES)

    def lay_or_executive(person: str) -> bool:
        return any((ROLES[r].lay or ROLES[r].executive) for r in members[person] if r in ROLES)

    if not chairs or not all(lay(p) for p in chairs):
        raise Refused(f"{committee!r} has no lay chair", rule=rule)
    majority = sum(lay_or_executive(p) for p in members)
    if 2 * majority <= len(members):
        raise Refused(
            f"{committee!r} has {majority} lay and executive votes of {len(members)}",
            rule=rule,
        )


@action
def take_declarations(
    ctx: Context, *, item: int, declarations: list[DeclarationIn] | None = None
) -> Effect:
    """Record the declarations on an item, raise register interests, and settle its chair."""
    row = _item(ctx, item, Status.OPEN)
    meeting = ctx.get(models.Meeting, row.meeting, "meeting")
    here = present(ctx.session, meeting.id)
    declared_now: list[dict[str, str]] = []
    for declaration in declarations or []:
        if declaration.person not in here:
            raise Refused(
                f"{declaration.person} is not at the meeting",
                rule="declarations are made by those present",
            )
        ctx.session.add(
            models.Declaration(
                item=item,
                person=declaration.person,
                interest=declaration.interest,
                source="declared",
                description=declaration.description,
            )
        )
        declared_now.append({"person": declaration.person, "source": "declared"})
    raised = _raise_from_register(ctx, row, meeting, here, {d.person for d in declarations or []})
    ctx.session.flush()
    conflicted = declared(ctx.session, item)
    row.chair = _item_chair(ctx, meeting, conflicted, here)
    row.status = Status.DECLARED.value
    return {
        "item": item,
        "declarations": declared_now + raised,
        "chair": row.chair,
        "chair_handed_over": row.chair != meeting.chair,
    }


def _raise_from_register(
    ctx: Context, item: models.Item, meeting: models.Meeting, here: set[str], done: set[str]
) -> list[dict[str, str]]:
    """Raise what the record knows (register, practice, affiliations) for those not declaring."""
    affects = set(json.loads(item.affects))
    known = known_conflicts(ctx.session, here - done, affects, meeting.held_on)
    raised = []
    for person in sorted(known):
        for conflict in known[person]:
            ctx.session.add(
                models.Declaration(
                    item=item.id,
                    person=person,
                    interest=conflict.interest,
                    source=conflict.source,
                    description=conflict.description,
                )
            )
            raised.append(
                {"person": person, "source": conflict.source, "organisation": conflict.organisation}
            )
    return raised


def _item_chair(
    ctx: Context, meeting: models.Meeting, conflicted: set[str], here: set[str]
) -> str | None:
    if meeting.chair not in conflicted:
        return meeting.chair
    # The deputy chairs; failing a deputy, another unconflicted voting member present.
    candidates = sorted(here - conflicted)
    if meeting.committee != MEMBERS:
        members = seats(ctx.session, meeting.committee)
        deputies = [p for p in candidates if "deputy_chair" in members.get(p, set())]
        others = [p for p in candidates if p in members and p not in deputies]
        lay = [p for p in others if any(ROLES[r].lay for r in members[p] if r in ROLES)]
        ordered = deputies + lay + [p for p in others if p not in lay]
    else:
        ordered = candidates
    return ordered[0] if ordered else None


@action
def rule_on_conflict(
    ctx: Context, *, item: int, person: str, ruling: RulingKind, grounds: str | None = None
) -> Effect:
    """The item's chair rules on a person's declared interest (with grounds where needed)."""
    row = _item(ctx, item, Status.DECLARED, Status.AWAITING_CO_OPTION)
    if person not in declared(ctx.session, item):
        # Someone who arrived, or whose interest was registered, after declarations were taken:
        # what the record knows is raised now, so the ruling follows a declaration.
        meeting = ctx.get(models.Meeting, row.meeting, "meeting")
        if not _raise_from_register(ctx, row, meeting, {person}, set()):
            raise Refused(
                f"{person} has declared no interest on item {item}",
                rule="a ruling follows a declaration",
            )
    if person == ctx.actor:
        raise Refused("no one rules on their own interest", rule="the chair rules on others")
    grounds = (grounds or "").strip() or None
    if ruling is RulingKind.NONE:
        _no_conflict_allowed(ctx, item, person, grounds)
    ctx.session.merge(
        models.Ruling(
            item=item, person=person, ruling=ruling.value, ruled_by=ctx.actor, grounds=grounds
        )
    )
    if ruling is RulingKind.EXCLUDE:
        attendance = ctx.session.get(models.Attendance, (row.meeting, person))
        if attendance is not None:
            attendance.excluded = True
    return {"item": item, "person": person, "ruling": ruling.value, "votes": ruling not in NO_VOTE}


def _no_conflict_allowed(ctx: Context, item: int, person: str, grounds: str | None) -> None:
    """A ruling of no conflict on a registered financial interest needs recorded grounds, and
    the constitution may forbid it."""
    financial = ctx.session.scalars(
        select(models.Interest)
        .join(models.Declaration, models.Declaration.interest == models.Interest.id)
        .where(
            models.Declaration.item == item,
            models.Declaration.person == person,
            models.Interest.type == "financial",
        )
    ).first()
    if financial is None:
        return
    policy = ctx.constitution().conflicts.no_conflict_on_financial
    if policy == "forbidden":
        raise Refused(
            f"{person} has a registered financial interest ({financial.description}); the "
            "constitution forbids ruling it no conflict",
            rule="conflicts.no_conflict_on_financial: forbidden (constitution)",
        )
    if grounds is None:
        raise Refused(
            f"{person} has a registered financial interest ({financial.description}); a ruling "
            "of no conflict needs its grounds recorded",
            rule="a ruling of no conflict on a financial interest records its grounds",
        )


@action
def record_lmc_consultation(
    ctx: Context, *, item: int, response: str, consulted_on: date
) -> Effect:
    """Record the LMC's response on an item the constitution says it must be consulted on."""
    row = _item(ctx, item, Status.OPEN, Status.DECLARED, Status.AWAITING_CO_OPTION)
    meeting = ctx.get(models.Meeting, row.meeting, "meeting")
    response = response.strip()
    if not response:
        raise Refused(
            f"the LMC's response on item {item} is blank",
            rule="an LMC consultation records the LMC's view (a non-empty response)",
        )
    if consulted_on > meeting.held_on:
        raise Refused(
            f"the LMC's response is dated {consulted_on.isoformat()}, after the meeting of "
            f"{meeting.held_on.isoformat()} that decides item {item}",
            rule="the LMC is consulted before the decision",
        )
    consultation = models.LmcConsultation(item=item, response=response, consulted_on=consulted_on)
    ctx.session.add(consultation)
    ctx.session.flush()
    return {"item": item, "consultation": consultation.id}


@action
def co_opt(ctx: Context, *, item: int, person: str, role: str | None = None) -> Effect:
    """Co-opt an unconflicted person to vote on an item that conflicts left inquorate."""
    row = _item(ctx, item, Status.AWAITING_CO_OPTION)
    meeting = ctx.get(models.Meeting, row.meeting, "meeting")
    ctx.get(models.Person, person, "person")
    if role is not None and role not in ROLES:
        raise Refused(f"unknown role {role!r}", rule="known roles")
    affects = set(json.loads(row.affects))
    if person in declared(ctx.session, item) or known_conflicts(
        ctx.session, {person}, affects, meeting.held_on
    ):
        raise Refused(
            f"{person} has an interest in the item", rule="a co-opted member is unconflicted"
        )
    ctx.session.merge(models.CoOption(item=item, person=person, role=role))
    if ctx.session.get(models.Attendance, (meeting.id, person)) is None:
        ctx.session.add(models.Attendance(meeting=meeting.id, person=person, excluded=False))
    row.status = Status.DECLARED.value
    return {"item": item, "co_opted": person, "role": role}


@action
def call_vote(ctx: Context, *, item: int) -> Effect:
    """Check the item is ready and quorate; open the vote, or apply the constitution's fallback."""
    constitution = ctx.constitution()
    row = _item(ctx, item, Status.DECLARED)
    unruled = sorted(declared(ctx.session, item) - set(rulings(ctx.session, item)))
    if unruled:
        raise Refused(
            f"no ruling yet on the interests of {', '.join(unruled)}",
            rule="the chair rules on every declared interest before the vote (2014 guidance)",
        )
    if row.plan is None:
        _lmc_consulted(ctx, constitution, row)
    else:
        _plan_ready(ctx, constitution, row)
    entitled = voters(ctx.session, constitution, row)
    result = quorum(ctx.session, constitution, row, entitled)
    record = {
        "quorate": result.quorate,
        "present_and_entitled": result.present,
        "needed": result.needed,
        "failures": list(result.failures),
        "entitled": sorted(entitled),
    }
    if result.quorate:
        row.status = Status.VOTING.value
    else:
        fallback = _fallback(ctx, constitution, row)
        record["fallback"] = fallback.value
        row.status = {
            Fallback.REFER_TO_GOVERNING_BODY: Status.REFERRED,
            Fallback.CO_OPT: Status.AWAITING_CO_OPTION,
            Fallback.DEFER: Status.DEFERRED,
        }[fallback].value
    row.quorum = json.dumps(record, sort_keys=True)
    return {"item": item, "status": row.status, **record}


def _fallback(ctx: Context, constitution: Constitution, item: models.Item) -> Fallback:
    meeting = ctx.get(models.Meeting, item.meeting, "meeting")
    if meeting.committee == MEMBERS:
        return constitution.members_meeting.when_inquorate
    body = constitution.committee(meeting.committee)
    return body.when_inquorate if body else Fallback.DEFER


def _plan_ready(ctx: Context, constitution: Constitution, item: models.Item) -> None:
    """Refuse the vote on a plan, naming every missing step (`governance.plans.missing`)."""
    meeting = ctx.get(models.Meeting, item.meeting, "meeting")
    plan = ctx.get(models.Plan, item.plan, "plan")
    lacking = missing(ctx.session, constitution, plan, meeting.committee, meeting.held_on)
    if lacking:
        first = lacking[0]
        more = f" (and {len(lacking) - 1} more)" if len(lacking) > 1 else ""
        raise Refused(
            f"plan {plan.id} is not ready for the vote: missing {first.step}{more}",
            rule=first.rule,
            details=[m.as_detail() for m in lacking],
        )


def _lmc_consulted(ctx: Context, constitution: Constitution, item: models.Item) -> None:
    if constitution.lmc is None or item.decides not in constitution.lmc.consult_on:
        return
    meeting = ctx.get(models.Meeting, item.meeting, "meeting")
    consulted = [
        row
        for row in ctx.session.scalars(
            select(models.LmcConsultation).where(models.LmcConsultation.item == item.id)
        )
        if row.response.strip() and row.consulted_on <= meeting.held_on
    ]
    if not consulted:
        raise Refused(
            f"{constitution.lmc.name} has not been consulted on {item.decides!r}",
            rule="the constitution requires LMC consultation on this matter",
        )


_VOTES = models.Base.metadata.tables[models.Vote.__tablename__]


@action
def cast_vote(ctx: Context, *, item: int, choice: Choice) -> Effect:
    """The acting person votes on an item open for voting."""
    constitution = ctx.constitution()
    row = _read_item(ctx, item, Status.VOTING)
    found = standing(ctx.session, row, ctx.actor)
    holder = voter(ctx.session, constitution, row, ctx.actor, found)
    if holder is None:
        message, rule = _why_not(ctx, constitution, row)
        raise Refused(message, rule=rule)
    called = json.loads(row.quorum or "{}").get("entitled", [])
    if ctx.actor not in called:
        raise Refused(
            f"{ctx.actor} was not among those entitled to vote when the vote on item {item} "
            "was called",
            rule="those entitled to vote are fixed when the vote is called",
        )
    if found.voted:
        raise Refused(f"{ctx.actor} has already voted on item {item}", rule="one vote each")
    vote = {"item": item, "person": ctx.actor, "choice": choice.value, "weight": holder.weight}
    Recorder.of(ctx.session).insert(_VOTES, vote)
    return vote


def _why_not(ctx: Context, constitution: Constitution, item: models.Item) -> tuple[str, str]:
    meeting = ctx.get(models.Meeting, item.meeting, "meeting")
    person = ctx.actor
    ruling = rulings(ctx.session, item.id).get(person)
    if ruling in NO_VOTE:
        return (
            f"{person} has a conflict of interest on item {item.id} (ruled {ruling})",
            "a conflicted member does not vote (2014 statutory guidance)",
        )
    if person not in present(ctx.session, meeting.id) and person not in co_opted(
        ctx.session, item.id
    ):
        return f"{person} is not present", "only those present vote"
    unruled = unruled_conflicts(ctx.session, item, {person}, meeting.held_on).get(person)
    if unruled:
        known = "; ".join(f"{k.description} ({k.source})" for k in unruled)
        return (
            f"{person} has an interest in item {item.id} the chair has not ruled on: {known}",
            "a member with an interest the record knows does not vote until the chair rules "
            "(2014 statutory guidance; s14O)",
        )
    if (
        meeting.committee == MEMBERS
        and entitled_roles(ctx.session, constitution, MEMBERS, person) is None
    ):
        rule = constitution.electorate.rule
        return (
            f"{person} has no vote under the electorate rule {rule.value}",
            f"electorate: {refusal(rule)}",
        )
    return f"{person} has no vote on {meeting.committee!r}", "the committee's voting members vote"


@action
def close_item(ctx: Context, *, item: int) -> Effect:
    """Count the votes against the threshold and record the item's result."""
    constitution = ctx.constitution()
    row = _item(ctx, item, Status.VOTING)
    reserved = constitution.reserved(row.decides)
    threshold = reserved.threshold if reserved else constitution.ordinary_threshold
    votes = ctx.session.scalars(select(models.Vote).where(models.Vote.item == item)).all()
    counted = tally(((v.choice, v.weight) for v in votes), threshold)
    result = {
        "for": counted.votes_for,
        "against": counted.against,
        "abstain": counted.abstain,
        "threshold": threshold,
        "outcome": "carried" if counted.carried else "not carried",
    }
    row.result = json.dumps(result, sort_keys=True)
    row.status = Status.DECIDED.value
    effect: Effect = {"item": item, **result}
    if row.plan is not None and counted.carried:
        meeting = ctx.get(models.Meeting, row.meeting, "meeting")
        if meeting.committee == GOVERNING_BODY:
            ctx.get(models.Plan, row.plan, "plan").status = PlanStatus.APPROVED.value
            effect["plan_approved"] = row.plan
    return effect
