"""Actions of the commissioning plan: draft it with its intentions, cite the evidence, record
the members', LMC's, senate's and Health and Wellbeing Boards' part, answer an adverse opinion,
open an item for the NHS Commissioning Board, record its assurance, and publish.

The governing body's approval is an item on the plan at one of its meetings (`add_item` with
`plan`): `call_vote` refuses it, naming each missing step, until `governance.plans.missing` is
empty, and `close_item` marks the plan approved when the item is carried.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from consortia.governance.actions.base import (
    Context,
    Effect,
    Pounds,
    Refused,
    Text,
    action,
    financial_year,
)
from consortia.governance.constitution import GOVERNING_BODY
from consortia.governance.governing_body import OrganisationKind
from consortia.governance.meetings import Status
from consortia.governance.plans import (
    Opinion,
    PlanStatus,
    StepKind,
    final_opinions,
    trail,
)
from consortia.governance.plans import statement as opinion_statement
from consortia.store import models

# Whole pounds and counts: bounded, so nothing past what the columns (64-bit) hold is accepted.


class IntentionIn(BaseModel):
    """A commissioning intention: a service line, its planned activity and spend (whole £)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    service: Annotated[str, Field(min_length=1, max_length=200)]
    activity: Pounds  # a count, bounded as pounds are
    spend_pounds: Pounds


class EvidenceIn(BaseModel):
    """A pack figure cited by id, with the SHA-256 of its released table (`pack.json`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    figure: Annotated[str, Field(pattern=r"^[a-z0-9_]{1,64}$")]
    title: Annotated[str, Field(min_length=1, max_length=300)]
    ccg: Annotated[str, Field(min_length=1, max_length=16)]
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class Assurance(StrEnum):
    """The NHS Commissioning Board's view of a plan."""

    ASSURED = "assured"
    ASSURED_WITH_ACTIONS = "assured_with_actions"
    NOT_ASSURED = "not_assured"


def _plan(ctx: Context, plan: int, *statuses: PlanStatus, doing: str) -> models.Plan:
    row = ctx.get(models.Plan, plan, "plan")
    if statuses and row.status not in statuses:
        allowed = " or ".join(s.value for s in statuses)
        raise Refused(
            f"plan {plan} is {row.status}; {doing} needs it {allowed}",
            rule="the order of a plan: drafted, approved by the governing body, published",
        )
    return row


def _not_before(on: date, earlier: date, what: str, then: str) -> None:
    if on < earlier:
        raise Refused(
            f"{what} is dated {on.isoformat()}, before {then} ({earlier.isoformat()})",
            rule="a plan's steps follow its drafting, in order",
        )


def _step(
    ctx: Context,
    plan: int,
    kind: StepKind,
    on: date,
    text: str,
    body: str | None = None,
    opinion: str | None = None,
) -> models.PlanStep:
    text = text.strip()
    if not text:
        what = kind.value.replace("_", " ")
        raise Refused(f"the {what} is blank", rule="a step says what was said")
    row = models.PlanStep(plan=plan, step=kind.value, body=body, on=on, text=text, opinion=opinion)
    ctx.session.add(row)
    ctx.session.flush()
    return row


@action
def draft_plan(
    ctx: Context,
    *,
    period: str,
    title: Annotated[str, Field(min_length=1, max_length=300)],
    drafted_on: date,
    intentions: Annotated[list[IntentionIn], Field(min_length=1)],
) -> Effect:
    """Draft the commissioning plan for a financial year with its commissioning intentions."""
    period, first = financial_year(period)
    start = date(first, 4, 1)
    if drafted_on >= start:
        raise Refused(
            f"a plan for {period} drafted on {drafted_on.isoformat()} is not prepared before "
            f"the period starts ({start.isoformat()})",
            rule="a plan is prepared before the start of its period (NHS Act 2006 s14Z11)",
        )
    ctx.constitution()  # a plan is made under a constitution in force
    earlier = ctx.session.scalars(select(models.Plan.id).where(models.Plan.period == period))
    if (found := earlier.first()) is not None:
        raise Refused(
            f"plan {found} is already the plan for {period}",
            rule="one commissioning plan for each period",
        )
    services = _services(intentions)
    row = models.Plan(
        period=period, title=title, drafted_on=drafted_on, status=PlanStatus.DRAFT.value
    )
    ctx.session.add(row)
    ctx.session.flush()
    _add_intentions(ctx, row.id, intentions, services)
    total = sum(i.spend_pounds for i in intentions)
    return {"plan": row.id, "period": period, "intentions": len(intentions), "spend_pounds": total}


@action
def revise_plan(
    ctx: Context,
    *,
    plan: int,
    revised_on: date,
    intentions: Annotated[list[IntentionIn], Field(min_length=1)],
    summary: Text,
) -> Effect:
    """Revise the draft's intentions; each board is then consulted again on the revised draft."""
    row = _plan(ctx, plan, PlanStatus.DRAFT, doing="revising it")
    _not_before(revised_on, row.drafted_on, "the revision", "the plan was drafted")
    services = _services(intentions)
    for old in ctx.session.scalars(
        select(models.PlanIntention).where(models.PlanIntention.plan == plan)
    ):
        ctx.session.delete(old)
    ctx.session.flush()
    _add_intentions(ctx, plan, intentions, services)
    step = _step(ctx, plan, StepKind.REVISED, revised_on, summary)
    total = sum(i.spend_pounds for i in intentions)
    return {"plan": plan, "step": step.id, "intentions": len(intentions), "spend_pounds": total}


def _services(intentions: list[IntentionIn]) -> list[str]:
    services = [i.service.strip() for i in intentions]
    if len(set(services)) != len(services) or not all(services):
        raise Refused(
            "each service line of a plan is named, once", rule="a plan's service lines differ"
        )
    return services


def _add_intentions(
    ctx: Context, plan: int, intentions: list[IntentionIn], services: list[str]
) -> None:
    for line, (intention, service) in enumerate(zip(intentions, services, strict=True), start=1):
        ctx.session.add(
            models.PlanIntention(
                plan=plan,
                line=line,
                service=service,
                activity=intention.activity,
                spend_pounds=intention.spend_pounds,
            )
        )


@action
def cite_evidence(
    ctx: Context,
    *,
    plan: int,
    cited_on: date,
    evidence: Annotated[list[EvidenceIn], Field(min_length=1)],
) -> Effect:
    """Cite pack figures as the plan's evidence, by figure id and the hash of the released table."""
    row = _plan(ctx, plan, PlanStatus.DRAFT, doing="citing evidence")
    _not_before(cited_on, row.drafted_on, "the citation", "the plan was drafted")
    code = ctx.constitution().ccg.code
    cited = set(
        ctx.session.scalars(
            select(models.PlanEvidence.figure).where(models.PlanEvidence.plan == plan)
        )
    )
    for figure in evidence:
        if figure.ccg != code:
            raise Refused(
                f"figure {figure.figure} is from the pack of {figure.ccg}, not of this CCG "
                f"({code})",
                rule="a plan cites its own CCG's figures",
            )
        if figure.figure in cited:
            raise Refused(
                f"plan {plan} cites {figure.figure} already", rule="a figure is cited once"
            )
        cited.add(figure.figure)
        ctx.session.add(
            models.PlanEvidence(
                plan=plan,
                figure=figure.figure,
                title=figure.title,
                ccg=figure.ccg,
                sha256=figure.sha256,
                cited_on=cited_on,
            )
        )
    return {"plan": plan, "cited": [f.figure for f in evidence]}


@action
def consult_members(
    ctx: Context, *, plan: int, opened_on: date, closed_on: date, summary: Text
) -> Effect:
    """Record the members' consultation on the draft plan and what they said."""
    row = _plan(ctx, plan, PlanStatus.DRAFT, doing="consulting the members")
    if ctx.constitution().planning.member_engagement != "consultation":
        raise Refused(
            "the constitution puts the plan to a members' vote, not a consultation: put an item "
            "on the plan to a members' meeting",
            rule="the members are engaged as the constitution says (planning.member_engagement)",
        )
    _not_before(opened_on, row.drafted_on, "the consultation", "the plan was drafted")
    _not_before(closed_on, opened_on, "its close", "it opened")
    text = f"Consulted {opened_on.isoformat()} to {closed_on.isoformat()}: {summary.strip()}"
    step = _step(ctx, plan, StepKind.MEMBERS_CONSULTED, closed_on, text)
    return {"plan": plan, "step": step.id}


@action
def consult_lmc(ctx: Context, *, plan: int, consulted_on: date, response: Text) -> Effect:
    """Record the LMC's response to its consultation on the draft plan."""
    row = _plan(ctx, plan, PlanStatus.DRAFT, doing="consulting the LMC")
    lmc = ctx.constitution().lmc
    if lmc is None:
        raise Refused("the constitution names no LMC", rule="an LMC named in the constitution")
    _not_before(consulted_on, row.drafted_on, "the LMC's response", "the plan was drafted")
    body = lmc.organisation
    if body is not None:
        ctx.organisation(body, OrganisationKind.LMC, "local medical committee")
    step = _step(ctx, plan, StepKind.LMC_CONSULTED, consulted_on, response, body)
    return {"plan": plan, "step": step.id, "lmc": lmc.name}


@action
def record_senate_advice(
    ctx: Context, *, plan: int, senate: str, given_on: date, advice: Text
) -> Effect:
    """Attach a clinical senate's advice to the plan: advice only, it never blocks."""
    row = _plan(ctx, plan, doing="recording advice")
    ctx.organisation(senate, OrganisationKind.CLINICAL_SENATE, "clinical senate")
    _not_before(given_on, row.drafted_on, "the advice", "the plan was drafted")
    step = _step(ctx, plan, StepKind.SENATE_ADVICE, given_on, advice, senate)
    return {"plan": plan, "step": step.id, "blocks": False}


@action
def record_hwb_opinion(
    ctx: Context, *, plan: int, board: str, given_on: date, opinion: Opinion, statement: Text
) -> Effect:
    """Record a Health and Wellbeing Board's opinion on whether the draft plan takes proper
    account of the joint health and wellbeing strategy."""
    row = _plan(
        ctx, plan, PlanStatus.DRAFT, PlanStatus.APPROVED, doing="recording a board's opinion"
    )
    _board(ctx, board)
    _not_before(given_on, row.drafted_on, "the opinion", "the plan was drafted")
    step = _step(ctx, plan, StepKind.HWB_OPINION, given_on, statement, board, opinion.value)
    return {"plan": plan, "step": step.id, "board": board, "opinion": opinion.value}


def _board(ctx: Context, board: str) -> None:
    ctx.organisation(
        board, OrganisationKind.HEALTH_AND_WELLBEING_BOARD, "health and wellbeing board"
    )
    relevant = ctx.constitution().planning.health_and_wellbeing_boards
    if relevant and board not in relevant:
        raise Refused(
            f"{board} is not one of the constitution's Health and Wellbeing Boards "
            f"({', '.join(relevant)})",
            rule="the relevant boards are named in the constitution "
            "(planning.health_and_wellbeing_boards)",
        )


@action
def respond_to_hwb(
    ctx: Context, *, plan: int, board: str, responded_on: date, response: Text
) -> Effect:
    """Record the CCG's answer to a board's opinion that the plan does not take proper account
    of the joint health and wellbeing strategy."""
    _plan(ctx, plan, PlanStatus.DRAFT, PlanStatus.APPROVED, doing="answering a board")
    opinion = final_opinions(trail(ctx.session, plan)).get(board)
    if opinion is None or opinion.opinion != Opinion.NOT_PROPER_ACCOUNT:
        raise Refused(
            f"{board} has given no opinion on plan {plan} that it does not take proper account "
            "of the strategy",
            rule="the CCG answers an adverse opinion",
        )
    _not_before(responded_on, opinion.on, "the response", "the board's opinion")
    step = _step(ctx, plan, StepKind.CCG_RESPONSE, responded_on, response, board)
    return {"plan": plan, "step": step.id, "board": board}


@action
def refer_to_board(
    ctx: Context, *, plan: int, board: str, referred_on: date, subject: Text
) -> Effect:
    """A Health and Wellbeing Board sends its opinion on the plan to the NHS Commissioning
    Board: an item opens for the Board; the CCG is not stopped."""
    _plan(ctx, plan, doing="referring it")
    opinion = final_opinions(trail(ctx.session, plan)).get(board)
    if opinion is None:
        raise Refused(
            f"{board} has given no opinion on plan {plan} to refer",
            rule="a board refers its opinion, once given",
        )
    _not_before(referred_on, opinion.on, "the referral", "the board's opinion")
    step = _step(ctx, plan, StepKind.HWB_REFERRAL, referred_on, subject, board, opinion.opinion)
    item = models.BoardItem(plan=plan, raised_by=board, opened_on=referred_on, subject=step.text)
    ctx.session.add(item)
    ctx.session.flush()
    return {"plan": plan, "step": step.id, "board_item": item.id, "blocks": False}


@action
def record_board_assurance(
    ctx: Context, *, plan: int, board: str, assured_on: date, outcome: Assurance, statement: Text
) -> Effect:
    """Record the NHS Commissioning Board's assurance of the plan; it answers the items opened
    for it on the plan."""
    row = _plan(ctx, plan, doing="assurance")
    ctx.organisation(board, OrganisationKind.NHS_COMMISSIONING_BOARD, "NHS Commissioning Board")
    _not_before(assured_on, row.drafted_on, "the assurance", "the plan was drafted")
    step = _step(ctx, plan, StepKind.BOARD_ASSURANCE, assured_on, statement, board, outcome.value)
    closed = []
    for item in ctx.session.scalars(
        select(models.BoardItem).where(
            models.BoardItem.plan == plan,
            models.BoardItem.closed_on.is_(None),
            models.BoardItem.opened_on <= assured_on,
        )
    ):
        item.closed_on = assured_on
        item.outcome = f"{outcome.value}: {step.text}"
        closed.append(item.id)
    return {"plan": plan, "step": step.id, "outcome": outcome.value, "board_items_closed": closed}


@action
def publish_plan(ctx: Context, *, plan: int, published_on: date) -> Effect:
    """Publish the approved plan with a statement of each board's final opinion."""
    row = _plan(ctx, plan, PlanStatus.APPROVED, doing="publishing")
    approved = ctx.session.scalars(
        select(models.Meeting.held_on)
        .join(models.Item, models.Item.meeting == models.Meeting.id)
        .where(
            models.Item.plan == plan,
            models.Item.status == Status.DECIDED.value,
            models.Meeting.committee == GOVERNING_BODY,
        )
        .order_by(models.Meeting.held_on.desc())
    ).first()
    if approved is not None:
        _not_before(published_on, approved, "publication", "the governing body approved it")
    opinions = opinion_statement(trail(ctx.session, plan, published_on))
    _step(ctx, plan, StepKind.PUBLISHED, published_on, _published_text(opinions))
    row.status = PlanStatus.PUBLISHED.value
    row.published_on = published_on
    return {"plan": plan, "published_on": published_on.isoformat(), "opinions": opinions}


def _published_text(opinions: list[dict[str, object]]) -> str:
    if not opinions:
        return "Published; no Health and Wellbeing Board gave an opinion."
    parts = []
    for shown in opinions:
        line = f"{shown['board']}: {str(shown['opinion']).replace('_', ' ')}"
        if shown["ccg_response"]:
            line += "; the CCG answered"
        if shown["referred_to_board"]:
            line += "; referred to the NHS Commissioning Board"
        parts.append(line)
    return "Published with the final opinion of " + "; ".join(parts) + "."
