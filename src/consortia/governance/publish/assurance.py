"""The Board's assurance view of the CCG as a page: its authorisation and where it stands on
the publishing date, each condition open or lifted, the directions in force, the items Health
and Wellbeing Boards' referrals opened for the Board, and the Board's assurance of each plan.

It is written for a Board reviewer: outcomes and support levels in words ("a team backed by
legal directions"), matters as the constitution describes them, bodies by name.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from consortia.governance.authorisation import DIRECTIONS_FROM
from consortia.governance.plans import StepKind
from consortia.governance.publish.facts import Fact
from consortia.governance.publish.reading import Record
from consortia.governance.publish.sources import Source
from consortia.governance.publish.words import day, sentence, tone, word


@dataclass(frozen=True)
class Condition:
    """A condition of the authorisation: the criterion it answers, the help the Board gives,
    and, once lifted, when and why."""

    criterion: str  # "3.2"
    criterion_text: str
    text: str
    level: int
    support: str  # the level in words
    direction: str  # the legal direction, from level 4
    lifted_on: str
    because: str
    source: Source


@dataclass(frozen=True)
class DirectionLine:
    """A direction in force: which matter has moved to whom, since when and why."""

    matter: str
    to: str
    since: str
    grounds: str
    source: Source


@dataclass(frozen=True)
class BoardItemLine:
    """An item a Health and Wellbeing Board's referral opened for the Board, and its end."""

    number: int
    plan: str
    href: str
    raised_by: str
    opened_on: str
    subject: str
    status: str
    tone: str
    outcome: str
    source: Source


@dataclass(frozen=True)
class PlanAssurance:
    """The Board's latest assurance of a plan by the publishing date, or none yet."""

    plan: str
    href: str
    outcome: str
    tone: str
    on: str
    statement: str
    source: Source


@dataclass(frozen=True)
class AssuranceView:
    """The assurance page."""

    as_of: str
    facts: tuple[Fact, ...]  # empty when the Board has decided nothing by the date
    open_conditions: tuple[Condition, ...]
    lifted: tuple[Condition, ...]
    directions: tuple[DirectionLine, ...]
    board_items: tuple[BoardItemLine, ...]
    plans: tuple[PlanAssurance, ...]


def assurance_view(record: Record, as_of: date) -> AssuranceView:
    """The Board's view of the CCG on `as_of`."""
    shown = record.oversight.standing
    facts: tuple[Fact, ...] = ()
    open_conditions: tuple[Condition, ...] = ()
    lifted: tuple[Condition, ...] = ()
    if shown["decision"] is not None:
        who = record.provenance
        decision = who.row("authorisation", shown["decision"]["authorisation"])
        table, key = decision.rows[0]
        row = who.content(table, *key) or {}
        assessed = {c["id"]: c for c in json.loads(row.get("criteria") or "[]")}
        open_conditions = tuple(
            _condition(record, assessed, c["condition"], c) for c in shown["conditions"]
        )
        lifted = tuple(_condition(record, assessed, c["condition"], c) for c in shown["lifted"])
        facts = _decision_facts(record, shown, decision, row, assessed, open_conditions + lifted)
    return AssuranceView(
        as_of=day(as_of.isoformat()),
        facts=facts,
        open_conditions=open_conditions,
        lifted=lifted,
        directions=tuple(_direction(record, d) for d in shown["directions"]),
        board_items=tuple(
            _board_item(record, plan, item, as_of.isoformat())
            for plan in record.plans
            for item in plan["board_items"]
            if item["opened_on"] <= as_of.isoformat()
        ),
        plans=tuple(_plan_assurance(record, plan, as_of.isoformat()) for plan in record.plans),
    )


def _decision_facts(
    record: Record,
    shown: dict[str, Any],
    decision: Source,
    row: dict[str, Any],
    assessed: dict[str, Any],
    conditions: tuple[Condition, ...],
) -> tuple[Fact, ...]:
    """The decision and where the CCG stands: the status follows from the decision and from
    which of its conditions are lifted, so its source is all of them."""
    outcome, status = shown["decision"]["outcome"], shown["status"]
    standing = sum((c.source for c in conditions), start=decision)
    met = sum(1 for c in assessed.values() if c.get("met"))
    return (
        Fact("Decided by", record.provenance.name("organisation", row.get("board")), decision),
        Fact("Decided on", day(shown["decision"]["decided_on"]), decision),
        Fact("The Board's decision", "", decision, word("authorisation", outcome), tone(outcome)),
        Fact(
            f"Standing on {day(shown['on'])}",
            _standing_words(status, len(shown["conditions"])),
            standing,
            word("authorisation", status),
            tone(status),
        ),
        Fact("Criteria", f"{met} of {len(assessed)} criteria met when decided", decision),
    )


def _standing_words(status: str, still_open: int) -> str:
    """What the status means for the CCG, in a sentence."""
    if status == "established_not_authorised":
        return "A statutory body that cannot yet exercise its commissioning duties."
    if still_open:
        return f"{still_open} condition{'s' if still_open != 1 else ''} still open."
    return "Every condition met or lifted."


def _condition(
    record: Record, assessed: dict[str, Any], number: int, condition: dict[str, Any]
) -> Condition:
    """A condition in words, open (`standing` gives it) or lifted (`oversight` gives it)."""
    who = record.provenance
    level = int(condition["support_level"])
    content = who.content("authorisation_condition", number) or {}
    return Condition(
        criterion=condition["criterion"],
        criterion_text=str(assessed.get(condition["criterion"], {}).get("text", "")),
        text=condition["text"],
        level=level,
        support=sentence(word("support_level", str(level))),
        direction=(content.get("direction") or "") if level >= DIRECTIONS_FROM else "",
        lifted_on=day(condition.get("lifted_on")),
        because=condition.get("lifted_because") or "",
        source=who.row("authorisation_condition", number),
    )


def _direction(record: Record, direction: dict[str, Any]) -> DirectionLine:
    """A direction in force, its matter as the constitution describes it."""
    who = record.provenance
    matter = direction["matter"]
    described = record.oversight.matters.get(matter, "").rstrip(".")
    return DirectionLine(
        matter=described or sentence(word("matter", matter)),
        to=who.name("organisation", direction["to"]),
        since=day(direction["issued_on"]),
        grounds=direction["reason"],
        source=who.row("direction", direction["direction"]),
    )


def _board_item(
    record: Record, plan: dict[str, Any], item: dict[str, Any], on: str
) -> BoardItemLine:
    """An item opened for the Board, open or closed on the date `on` (ISO)."""
    who = record.provenance
    closed = item["closed_on"] is not None and item["closed_on"] <= on
    return BoardItemLine(
        number=item["board_item"],
        plan=plan["title"],
        href=f"plans/{plan['plan']}.html",
        raised_by=who.name("organisation", item["raised_by"]),
        opened_on=day(item["opened_on"]),
        subject=item["subject"],
        status=f"Closed on {day(item['closed_on'])}" if closed else "Open",
        tone="green" if closed else "orange",
        outcome=_outcome(item["outcome"]) if closed else "",
        source=who.row("board_item", item["board_item"]),
    )


def _outcome(text: str | None) -> str:
    """An item's outcome as the assurance closing it wrote it ("assured: ..."), in words."""
    code, _, rest = (text or "").partition(": ")
    if code in ("assured", "assured_with_actions", "not_assured") and rest:
        return f"{word('assurance', code)}: {rest}"
    return text or ""


def _plan_assurance(record: Record, plan: dict[str, Any], on: str) -> PlanAssurance:
    """The Board's latest assurance of `plan` on or before `on` (ISO), or that there is none."""
    who = record.provenance
    given = [
        s for s in plan["trail"] if s["step"] == StepKind.BOARD_ASSURANCE.value and s["on"] <= on
    ]
    href = f"plans/{plan['plan']}.html"
    if not given:
        return PlanAssurance(
            plan["title"], href, "Not yet assured", "grey", "", "", who.row("plan", plan["plan"])
        )
    last = given[-1]
    return PlanAssurance(
        plan=plan["title"],
        href=href,
        outcome=word("assurance", last["opinion"]),
        tone=tone(last["opinion"]),
        on=day(last["on"]),
        statement=last["text"],
        source=who.where("plan_step", plan=plan["plan"], **last),
    )
