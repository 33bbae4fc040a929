"""A meeting's minutes as a page: attendance, then per item the declarations and where they came
from, the chair's rulings and their grounds, quorum, any fallback, the votes and the result."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from consortia.governance.publish.facts import Fact
from consortia.governance.publish.reading import Record
from consortia.governance.publish.sources import Source
from consortia.governance.publish.words import day, listing, sentence, tone, word


@dataclass(frozen=True)
class Line:
    """A row of a table of people: who, what, and why (grounds or a role) where there is one."""

    person: str
    text: str
    source: Source
    detail: str = ""
    tone: str = ""


@dataclass(frozen=True)
class ItemView:
    """An agenda item as the minutes record it."""

    number: int
    title: str
    facts: tuple[Fact, ...]
    declarations: tuple[Line, ...]
    rulings: tuple[Line, ...]
    fallback: tuple[Fact, ...]
    votes: tuple[Line, ...]
    weighted: bool  # whether any vote carries a weight other than one
    result: Fact | None


@dataclass(frozen=True)
class MeetingView:
    """A meeting's minutes."""

    number: int
    title: str
    facts: tuple[Fact, ...]
    attendance: tuple[Line, ...]
    items: tuple[ItemView, ...]


def committee_name(record: Record, committee: str) -> str:
    """A committee's name as the constitution gives it."""
    return record.committees.get(committee) or sentence(word("committee", committee))


def meeting_title(record: Record, shown: dict[str, Any]) -> str:
    """ "Governing body meeting, 3 February 2016"."""
    return f"{committee_name(record, shown['committee'])} meeting, {day(shown['held_on'])}"


def meeting_view(record: Record, shown: dict[str, Any]) -> MeetingView:
    """The page of one meeting's minutes (`shown` as `minutes` gives them)."""
    who = record.provenance
    number = shown["meeting"]
    row = who.row("meeting", number)
    facts = (
        Fact("Held on", day(shown["held_on"]), row),
        Fact("Committee", committee_name(record, shown["committee"]), row),
        Fact("Chair", who.name("person", shown["chair"]), row),
    )
    attendance = tuple(
        Line(who.name("person", person), status, who.row("attendance", number, person))
        for status, people in (("Present", shown["present"]), ("Excluded", shown["excluded"]))
        for person in people
    )
    items = tuple(_item(record, item) for item in shown["items"])
    return MeetingView(number, meeting_title(record, shown), facts, attendance, items)


def _item(record: Record, item: dict[str, Any]) -> ItemView:
    """One item's part of the minutes."""
    who = record.provenance
    number = item["item"]
    row = who.row("item", number)
    votes = tuple(
        Line(
            who.name("person", v["person"]),
            word("choice", v["choice"]),
            who.row("vote", number, v["person"]),
            detail=str(v["weight"]),
        )
        for v in item["votes"]
    )
    return ItemView(
        number=number,
        title=item["title"],
        facts=_item_facts(record, item, row),
        declarations=tuple(
            Line(
                who.name("person", d["person"]),
                d["description"],
                who.where("declaration", item=number, **d),
                detail=sentence(word("source", d["source"])),
            )
            for d in item["declarations"]
        ),
        rulings=tuple(
            Line(
                who.name("person", person),
                word("ruling", ruling),
                who.row("ruling", number, person),
                detail=item["grounds"].get(person, ""),
            )
            for person, ruling in item["rulings"].items()
        ),
        fallback=_fallback(record, item),
        votes=votes,
        weighted=any(v["weight"] != 1 for v in item["votes"]),
        result=_result(item["result"], row),
    )


def _item_facts(record: Record, item: dict[str, Any], row: Source) -> tuple[Fact, ...]:
    """What the item decides, for whom, who chaired it, where it stands, and its quorum."""
    who = record.provenance
    affects = [who.name("organisation", key) for key in item["affects"]]
    facts = [
        Fact("Decides", sentence(word("matter", item["decides"])), row),
        Fact("Affects", listing(affects) or "No organisation named", row),
        Fact("Chaired by", who.name("person", item["chair"]), row),
        Fact("Status", "", row, word("status", item["status"]), tone(item["status"])),
    ]
    plan = (who.content("item", item["item"]) or {}).get("plan")
    if plan is not None:
        title = (who.content("plan", plan) or {}).get("title", f"Plan {plan}")
        facts.append(Fact("Plan", str(title), row, href=f"../plans/{plan}.html"))
    quorum = item["quorum"]
    if quorum is not None:
        facts.append(_quorum(quorum, row))
    return tuple(facts)


def _quorum(quorum: dict[str, Any], row: Source) -> Fact:
    """Whether the item was quorate, with the count against the need and any failure."""
    counted = (
        f"{quorum['present_and_entitled']} present and entitled to vote, {quorum['needed']} needed."
    )
    failures = f" Not met: {'; '.join(quorum['failures'])}." if quorum["failures"] else ""
    if quorum["quorate"]:
        return Fact("Quorum", counted + failures, row, "Quorate", tone("quorate"))
    return Fact("Quorum", counted + failures, row, "Not quorate", tone("inquorate"))


def _fallback(record: Record, item: dict[str, Any]) -> tuple[Fact, ...]:
    """What the constitution's fallback did when conflicts left the item short: people
    co-opted, or the item referred to (or taken up from) the governing body."""
    who = record.provenance
    number = item["item"]
    found = [
        Fact(
            "Co-opted",
            f"{who.name('person', person)}" + (f" ({word('role', role)})" if role else ""),
            who.row("co_option", number, person),
        )
        for person, role in item["co_opted"].items()
    ]
    if item["referred_to"] is not None:
        found.append(_referral("Referred to", item["referred_to"], who.row("item", number)))
    if item["referred_from"] is not None:
        origin = item["referred_from"]
        found.append(_referral("Referred from", origin, who.row("item", origin["item"])))
    return tuple(found)


def _referral(key: str, link: dict[str, Any], source: Source) -> Fact:
    """A referral's other end: a meeting's item, or the next governing-body meeting."""
    if link.get("meeting") is None:
        return Fact(key, "The next governing-body meeting (not yet held)", source)
    text = f"Item {link['item']} of meeting {link['meeting']} ({day(link['held_on'])})"
    return Fact(key, text, source, href=f"{link['meeting']}.html#item-{link['item']}")


def _result(result: dict[str, Any] | None, row: Source) -> Fact | None:
    """The vote's outcome and its count, or None for an item not voted on."""
    if not result or "outcome" not in result:
        return None
    counted = (
        f"{result['for']} for, {result['against']} against, {result['abstain']} abstained; "
        f"{word('threshold', result['threshold'])} needed"
    )
    outcome = result["outcome"]
    return Fact("Result", counted, row, sentence(word("outcome", outcome)), tone(outcome))
