"""The commissioning plan's rules, read from the store: what must be on the record before the
members vote on a plan, before the governing body approves it, and what the published plan
carries.

Statute (NHS Act 2006 Part 2 Chapter A2, crosshead "Commissioning plans and reports", ss14Z11 to
14Z16, inserted by the Health and Social Care Act 2012 s26; domain §2.3): before each period a
CCG prepares a plan of how it will exercise its functions; it involves each relevant Health and
Wellbeing Board, gives it a draft and consults it on whether the draft takes proper account of
the joint health and wellbeing strategy; the board gives its opinion and may send it to the NHS
Commissioning Board (telling the CCG); the published plan includes a statement of the board's
final opinion. A referral is not a veto: nothing a board or a clinical senate says stops the CCG
(domain §0, §2.4). How members are engaged and whether the LMC is consulted follow the
constitution (domain §2.1-2.2). Where a board's opinion is that the plan does not take proper
account of the strategy, the governing body approves only once the CCG has recorded its answer:
the referral right means little if the opinion can go unanswered.
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
from consortia.store import models

PLAN_MATTER = "commissioning_plan"  # the matter an item on a plan decides


class PlanStatus(StrEnum):
    """Where a plan stands: drafted, approved by the governing body, published."""

    DRAFT = "draft"
    APPROVED = "approved"
    PUBLISHED = "published"


class StepKind(StrEnum):
    """A step of a plan's consultation trail."""

    MEMBERS_CONSULTED = "members_consulted"
    LMC_CONSULTED = "lmc_consulted"
    SENATE_ADVICE = "senate_advice"
    HWB_OPINION = "hwb_opinion"
    HWB_REFERRAL = "hwb_referral"
    CCG_RESPONSE = "ccg_response"
    BOARD_ASSURANCE = "board_assurance"
    PUBLISHED = "published"
    REVISED = "revised"  # the draft's intentions changed: the boards are consulted again


class Opinion(StrEnum):
    """A Health and Wellbeing Board's opinion on the draft plan (the statutory question)."""

    PROPER_ACCOUNT = "takes_proper_account"
    NOT_PROPER_ACCOUNT = "does_not_take_proper_account"


@dataclass(frozen=True)
class Missing:
    """A step the record lacks, in words for a person, and the rule that asks for it."""

    step: str
    rule: str

    def as_detail(self) -> dict[str, str]:
        """The step and rule as a refusal's detail."""
        return {"missing": self.step, "rule": self.rule}


def trail(session: Session, plan: int, on: date | None = None) -> list[models.PlanStep]:
    """The plan's steps in the order they happened (dated on or before `on`, if given)."""
    query = select(models.PlanStep).where(models.PlanStep.plan == plan)
    if on is not None:
        query = query.where(models.PlanStep.on <= on)
    return list(session.scalars(query.order_by(models.PlanStep.on, models.PlanStep.id)))


def final_opinions(steps: list[models.PlanStep]) -> dict[str, models.PlanStep]:
    """Each board's latest opinion (a board consulted again on a revised draft answers again)."""
    found: dict[str, models.PlanStep] = {}
    for step in steps:
        if step.step == StepKind.HWB_OPINION and step.body is not None:
            found[step.body] = step  # steps come in order, so the last one stays
    return found


def unanswered(steps: list[models.PlanStep]) -> list[str]:
    """Boards whose latest opinion is adverse and that the CCG has not answered since."""
    found = []
    for board, opinion in final_opinions(steps).items():
        if opinion.opinion != Opinion.NOT_PROPER_ACCOUNT:
            continue
        answered = any(
            s.step == StepKind.CCG_RESPONSE and s.body == board and s.on >= opinion.on
            for s in steps
        )
        if not answered:
            found.append(board)
    return sorted(found)


def member_vote(session: Session, plan: int, on: date | None = None) -> models.Item | None:
    """The members' meeting item that carried the plan (held on or before `on`), if any."""
    query = (
        select(models.Item)
        .join(models.Meeting, models.Meeting.id == models.Item.meeting)
        .where(models.Item.plan == plan, models.Meeting.committee == MEMBERS)
        .order_by(models.Meeting.held_on, models.Item.id)
    )
    if on is not None:
        query = query.where(models.Meeting.held_on <= on)
    for item in session.scalars(query):
        if json.loads(item.result or "{}").get("outcome") == "carried":
            return item
    return None


def _lmc_consulted(session: Session, plan: int, steps: list[models.PlanStep], on: date) -> bool:
    """The LMC's response is on the plan's trail, or on an item deciding the plan."""
    if any(s.step == StepKind.LMC_CONSULTED and s.text.strip() for s in steps):
        return True
    on_items = session.scalars(
        select(models.LmcConsultation)
        .join(models.Item, models.Item.id == models.LmcConsultation.item)
        .where(models.Item.plan == plan, models.LmcConsultation.consulted_on <= on)
    )
    return any(row.response.strip() for row in on_items)


def missing(
    session: Session, constitution: Constitution, plan: models.Plan, committee: str, on: date
) -> list[Missing]:
    """What the record lacks, as of `on`, before `committee` may vote on the plan.

    The members vote on a plan that cites its evidence. The governing body approves a plan that
    cites its evidence, whose members were engaged as the constitution says, on which the LMC
    was consulted where the constitution asks it, on which each relevant Health and Wellbeing
    Board has given its opinion, and whose adverse opinions the CCG has answered. A clinical
    senate's advice, and a board's referral to the NHS Commissioning Board, are never needed and
    never stop it.
    """
    found: list[Missing] = []
    if plan.status != PlanStatus.DRAFT:
        found.append(
            Missing(
                f"a draft plan (plan {plan.id} is {plan.status})",
                "a plan is voted on while it is a draft",
            )
        )
    cited = session.scalars(
        select(models.PlanEvidence.figure).where(
            models.PlanEvidence.plan == plan.id, models.PlanEvidence.cited_on <= on
        )
    ).first()
    if cited is None:
        found.append(
            Missing(
                "the evidence the plan cites (cite_evidence: pack figures by id and hash)",
                "a plan cites its evidence, so the record shows what the members saw",
            )
        )
    if committee != GOVERNING_BODY:
        return found
    steps = trail(session, plan.id, on)
    found.extend(_members(session, constitution, plan, steps, on))
    lmc = constitution.lmc
    asked = lmc is not None and PLAN_MATTER in lmc.consult_on
    if lmc is not None and asked and not _lmc_consulted(session, plan.id, steps, on):
        found.append(
            Missing(
                f"{lmc.name}'s response to its consultation on the plan (consult_lmc)",
                "the constitution requires LMC consultation on this matter",
            )
        )
    found.extend(_boards(constitution, steps))
    return found


def _members(
    session: Session,
    constitution: Constitution,
    plan: models.Plan,
    steps: list[models.PlanStep],
    on: date,
) -> list[Missing]:
    if constitution.planning.member_engagement == "vote":
        if member_vote(session, plan.id, on) is None:
            return [
                Missing(
                    "the members' vote carrying the plan (an item on the plan at a members' "
                    "meeting)",
                    "the constitution puts the plan to a members' vote",
                )
            ]
        return []
    if not any(s.step == StepKind.MEMBERS_CONSULTED for s in steps):
        return [
            Missing(
                "the members' consultation on the draft (consult_members)",
                "the constitution engages the members by consultation on the plan",
            )
        ]
    return []


def _boards(constitution: Constitution, steps: list[models.PlanStep]) -> list[Missing]:
    """Each relevant board's opinion on the draft as it now stands (a revision asks for them
    again), and the CCG's answer to each adverse one."""
    found: list[Missing] = []
    revised = [s.on for s in steps if s.step == StepKind.REVISED]
    since = max(revised) if revised else None
    current = [s for s in steps if s.step != StepKind.HWB_OPINION or since is None or s.on >= since]
    opinions = final_opinions(current)
    draft = f" on the draft as revised on {since.isoformat()}" if since else ""
    statute = "each relevant Health and Wellbeing Board gives its opinion on the draft plan"
    relevant = constitution.planning.health_and_wellbeing_boards
    if relevant:
        for board in relevant:
            if board not in opinions:
                found.append(
                    Missing(f"the opinion of {board}{draft} (record_hwb_opinion)", statute)
                )
    elif not opinions:
        found.append(
            Missing(f"a Health and Wellbeing Board's opinion{draft} (record_hwb_opinion)", statute)
        )
    for board in unanswered(current):
        found.append(
            Missing(
                f"the CCG's response to {board}'s opinion that the plan does not take proper "
                "account of the joint health and wellbeing strategy (respond_to_hwb)",
                "an adverse opinion is answered before approval (the board may refer, not veto)",
            )
        )
    return found


def statement(steps: list[models.PlanStep]) -> list[dict[str, Any]]:
    """The published plan's statement of each board's final opinion, with the CCG's answer and
    whether the board referred it to the NHS Commissioning Board."""
    opinions = final_opinions(steps)
    shown = []
    for board in sorted(opinions):
        opinion = opinions[board]
        answers = [
            s
            for s in steps
            if s.step == StepKind.CCG_RESPONSE and s.body == board and s.on >= opinion.on
        ]
        referred = [s for s in steps if s.step == StepKind.HWB_REFERRAL and s.body == board]
        shown.append(
            {
                "board": board,
                "opinion": opinion.opinion,
                "given_on": opinion.on.isoformat(),
                "statement": opinion.text,
                "ccg_response": answers[-1].text if answers else None,
                "referred_to_board": bool(referred),
            }
        )
    return shown


def document(session: Session, plan: int) -> dict[str, Any]:
    """The plan as the record holds it: its intentions, cited evidence, consultation trail, the
    items that decided it, the items opened for the NHS Commissioning Board, and the statement
    of each board's final opinion."""
    row = session.get(models.Plan, plan)
    if row is None:
        raise KeyError(plan)
    intentions = session.scalars(
        select(models.PlanIntention)
        .where(models.PlanIntention.plan == plan)
        .order_by(models.PlanIntention.line)
    ).all()
    cited = session.scalars(
        select(models.PlanEvidence)
        .where(models.PlanEvidence.plan == plan)
        .order_by(models.PlanEvidence.figure)
    ).all()
    decided = session.execute(
        select(models.Item, models.Meeting)
        .join(models.Meeting, models.Meeting.id == models.Item.meeting)
        .where(models.Item.plan == plan)
        .order_by(models.Meeting.held_on, models.Item.id)
    ).all()
    board_items = session.scalars(
        select(models.BoardItem).where(models.BoardItem.plan == plan).order_by(models.BoardItem.id)
    ).all()
    steps = trail(session, plan)
    return {
        "plan": row.id,
        "period": row.period,
        "title": row.title,
        "status": row.status,
        "drafted_on": row.drafted_on.isoformat(),
        "published_on": row.published_on.isoformat() if row.published_on else None,
        "intentions": [
            {"service": i.service, "activity": i.activity, "spend_pounds": i.spend_pounds}
            for i in intentions
        ],
        "spend_pounds": sum(i.spend_pounds for i in intentions),
        "evidence": [
            {
                "figure": e.figure,
                "title": e.title,
                "ccg": e.ccg,
                "sha256": e.sha256,
                "cited_on": e.cited_on.isoformat(),
            }
            for e in cited
        ],
        "trail": [
            {
                "step": s.step,
                "on": s.on.isoformat(),
                "body": s.body,
                "opinion": s.opinion,
                "text": s.text,
            }
            for s in steps
        ],
        "decided_at": [
            {
                "committee": meeting.committee,
                "meeting": meeting.id,
                "held_on": meeting.held_on.isoformat(),
                "item": item.id,
                "status": item.status,
                "result": json.loads(item.result) if item.result else None,
            }
            for item, meeting in decided
        ],
        "board_items": [
            {
                "board_item": b.id,
                "raised_by": b.raised_by,
                "opened_on": b.opened_on.isoformat(),
                "subject": b.subject,
                "closed_on": b.closed_on.isoformat() if b.closed_on else None,
                "outcome": b.outcome,
            }
            for b in board_items
        ],
        "final_opinions": statement(steps),
    }
