"""A published commissioning plan as a page: what it buys, the evidence it cites, its
consultation trail in date order, each board's final opinion, and where it was decided."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from consortia.governance.publish.facts import Fact
from consortia.governance.publish.meeting import committee_name
from consortia.governance.publish.reading import Record
from consortia.governance.publish.sources import Source
from consortia.governance.publish.words import count, day, pounds, sentence, tone, word

SHORT_HASH = 12  # hex digits of a table's SHA-256 shown; the page keeps the whole in a title


@dataclass(frozen=True)
class Intention:
    """A service line: planned activity and spend."""

    service: str
    activity: str
    spend: str
    source: Source


@dataclass(frozen=True)
class Evidence:
    """A pack figure the plan cites, by id, title and its table's SHA-256."""

    figure: str
    title: str
    ccg: str
    sha256: str
    short: str
    cited_on: str
    source: Source


@dataclass(frozen=True)
class Step:
    """A step of the consultation trail: who said what, when, with what opinion."""

    step: str
    on: str
    body: str
    opinion: str
    tone: str
    text: str
    source: Source


@dataclass(frozen=True)
class FinalOpinion:
    """A board's final opinion as the published plan states it, with the CCG's answer."""

    board: str
    given_on: str
    opinion: str
    tone: str
    statement: str
    ccg_response: str
    referred: bool
    source: Source


@dataclass(frozen=True)
class Decision:
    """An item at a meeting that took up the plan, with how it ended."""

    text: str
    href: str
    status: str
    tone: str
    result: str
    source: Source


@dataclass(frozen=True)
class BoardItem:
    """An item opened for the NHS Commissioning Board on a board's referral."""

    number: int
    facts: tuple[Fact, ...]


@dataclass(frozen=True)
class PlanView:
    """A commissioning plan's page."""

    number: int
    title: str
    facts: tuple[Fact, ...]
    intentions: tuple[Intention, ...]
    total: Fact
    evidence: tuple[Evidence, ...]
    trail: tuple[Step, ...]
    opinions: tuple[FinalOpinion, ...]
    board_items: tuple[BoardItem, ...]
    decided_at: tuple[Decision, ...]


def plan_view(record: Record, shown: dict[str, Any]) -> PlanView:
    """The page of one plan (`shown` as `plans.document` gives it)."""
    who = record.provenance
    number = shown["plan"]
    row = who.row("plan", number)
    intentions = tuple(
        Intention(
            i["service"],
            count(i["activity"]),
            pounds(i["spend_pounds"]),
            who.where("plan_intention", plan=number, **i),
        )
        for i in shown["intentions"]
    )
    all_lines = sum((i.source for i in intentions), start=Source((), ()))
    facts = (
        Fact("Period", shown["period"], row),
        Fact("Status", "", row, word("status", shown["status"]), tone(shown["status"])),
        Fact("Drafted on", day(shown["drafted_on"]), row),
        Fact("Published on", day(shown["published_on"]) or "Not yet published", row),
    )
    return PlanView(
        number=number,
        title=shown["title"],
        facts=facts,
        intentions=intentions,
        total=Fact(
            "Total planned spend", pounds(shown["spend_pounds"]), all_lines if intentions else row
        ),
        evidence=tuple(_evidence(record, number, e) for e in shown["evidence"]),
        trail=tuple(_step(record, number, s) for s in shown["trail"]),
        opinions=tuple(_opinion(record, number, o) for o in shown["final_opinions"]),
        board_items=tuple(_board_item(record, b) for b in shown["board_items"]),
        decided_at=tuple(_decision(record, d) for d in shown["decided_at"]),
    )


def _evidence(record: Record, plan: int, cited: dict[str, Any]) -> Evidence:
    """A cited figure, its hash shortened for reading."""
    return Evidence(
        figure=cited["figure"],
        title=cited["title"],
        ccg=cited["ccg"],
        sha256=cited["sha256"],
        short=cited["sha256"][:SHORT_HASH] + "…",
        cited_on=day(cited["cited_on"]),
        source=record.provenance.row("plan_evidence", plan, cited["figure"]),
    )


def _step(record: Record, plan: int, step: dict[str, Any]) -> Step:
    """A step of the trail, in words."""
    who = record.provenance
    opinion = step["opinion"]
    return Step(
        step=word("step", step["step"]),
        on=day(step["on"]),
        body=who.name("organisation", step["body"]) if step["body"] else "The CCG",
        opinion=sentence(word("opinion_tag", opinion)) if opinion else "",
        tone=tone(opinion),
        text=step["text"],
        source=who.where("plan_step", plan=plan, **step),
    )


def _opinion(record: Record, plan: int, opinion: dict[str, Any]) -> FinalOpinion:
    """A board's final opinion; its source is the opinion, the CCG's answer and the referral."""
    who = record.provenance
    board = opinion["board"]
    source = who.where(
        "plan_step", plan=plan, body=board, on=opinion["given_on"], text=opinion["statement"]
    )
    if opinion["ccg_response"] is not None:
        answer = {"step": "ccg_response", "text": opinion["ccg_response"]}
        source += who.where("plan_step", plan=plan, body=board, **answer)
    if opinion["referred_to_board"]:
        source += who.where("plan_step", plan=plan, body=board, step="hwb_referral")
    return FinalOpinion(
        board=who.name("organisation", board),
        given_on=day(opinion["given_on"]),
        opinion=word("opinion", opinion["opinion"]),
        tone=tone(opinion["opinion"]),
        statement=opinion["statement"],
        ccg_response=opinion["ccg_response"] or "",
        referred=opinion["referred_to_board"],
        source=source,
    )


def _board_item(record: Record, item: dict[str, Any]) -> BoardItem:
    """An item opened for the NHS Commissioning Board, and how it was closed."""
    who = record.provenance
    row = who.row("board_item", item["board_item"])
    closed = day(item["closed_on"])
    return BoardItem(
        item["board_item"],
        (
            Fact("Raised by", who.name("organisation", item["raised_by"]), row),
            Fact("Opened on", day(item["opened_on"]), row),
            Fact("Subject", item["subject"], row),
            Fact("Closed on", closed, row) if closed else Fact("Status", "", row, "Open"),
            *((Fact("Outcome", item["outcome"], row),) if item["outcome"] else ()),
        ),
    )


def _decision(record: Record, decided: dict[str, Any]) -> Decision:
    """Where the plan was taken up: the meeting's item, its status and result."""
    who = record.provenance
    meeting, item = decided["meeting"], decided["item"]
    result = decided["result"] or {}
    counted = (
        f"{sentence(word('outcome', result['outcome']))}: {result['for']} for, "
        f"{result['against']} against, {result['abstain']} abstained"
        if "outcome" in result
        else ""
    )
    return Decision(
        text=(
            f"{committee_name(record, decided['committee'])} meeting {meeting}, "
            f"{day(decided['held_on'])}, item {item}"
        ),
        href=f"../meetings/{meeting}.html#item-{item}",
        status=word("status", decided["status"]),
        tone=tone(decided["status"]),
        result=counted,
        source=who.row("meeting", meeting) + who.row("item", item),
    )
