"""The published registers as a page: interests of decision-makers, gifts and hospitality, and
breaches (anonymised), as `published_register` gives them on a date, with who must confirm."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from consortia.governance.publish.reading import Record
from consortia.governance.publish.sources import Source
from consortia.governance.publish.words import day, sentence, word


@dataclass(frozen=True)
class InterestLine:
    """An entry on the register of interests."""

    person: str
    type: str
    description: str
    organisation: str
    starts: str
    ends: str
    declared_on: str
    late: bool
    source: Source


@dataclass(frozen=True)
class GiftLine:
    """An entry on the register of gifts and hospitality, with any senior approval."""

    person: str
    kind: str
    value: str
    donor: str
    offered_on: str
    outcome: str
    approval: str
    source: Source


@dataclass(frozen=True)
class BreachLine:
    """An entry on the breaches register (it names nobody)."""

    occurred_on: str
    description: str
    source: Source


@dataclass(frozen=True)
class Due:
    """A decision-maker whose annual confirmation of their entries is due."""

    person: str
    source: Source


@dataclass(frozen=True)
class RegistersView:
    """The registers page."""

    as_of: str
    interests: tuple[InterestLine, ...]
    gifts: tuple[GiftLine, ...]
    breaches: tuple[BreachLine, ...]
    due: tuple[Due, ...]


def registers_view(record: Record) -> RegistersView:
    """The page of the registers the record publishes."""
    shown = record.registers
    return RegistersView(
        as_of=day(shown["as_of"]),
        interests=tuple(_interest(record, i) for i in shown["interests"]),
        gifts=tuple(_gift(record, g) for g in shown["gifts_and_hospitality"]),
        breaches=tuple(
            BreachLine(
                day(b["occurred_on"]), b["description"], record.provenance.where("breach", **b)
            )
            for b in shown["breaches"]
        ),
        due=tuple(_due(record, person) for person in shown["confirmation_due"]),
    )


def _interest(record: Record, interest: dict[str, Any]) -> InterestLine:
    """An interest as published."""
    who = record.provenance
    return InterestLine(
        person=who.name("person", interest["person"]),
        type=sentence(word("interest", interest["type"])),
        description=interest["description"],
        organisation=who.name("organisation", interest["organisation"]),
        starts=day(interest["starts"]),
        ends=day(interest["ends"]) or "Continuing",
        declared_on=day(interest["declared_on"]),
        late=interest["late"],
        source=who.where("interest", **interest),
    )


def _gift(record: Record, gift: dict[str, Any]) -> GiftLine:
    """A gift or hospitality as published; its value is shown as the register gives it."""
    who = record.provenance
    fields = {name: gift[name] for name in ("person", "kind", "donor", "offered_on", "outcome")}
    source = who.where("gift", **fields)
    approval = gift["approval"]
    approved = ""
    if approval is not None:
        approved = (
            f"Approved by {who.name('person', approval['approved_by'])} on "
            f"{day(approval['approved_on'])}: {approval['grounds']}"
        )
        source += who.where("hospitality_approval", person=gift["person"], **approval)
    return GiftLine(
        person=who.name("person", gift["person"]),
        kind=sentence(word("kind", gift["kind"])),
        value=gift["value"],
        donor=who.name("organisation", gift["donor"]) if gift["donor"] else "Not named",
        offered_on=day(gift["offered_on"]),
        outcome=word("gift", gift["outcome"]),
        approval=approved,
        source=source,
    )


def _due(record: Record, person: str) -> Due:
    """Someone due to confirm: the source is the voting seat that puts them on the register,
    and any earlier confirmation they made."""
    who = record.provenance
    source = who.where("membership", person=person, voting=True)
    if who.matching("confirmation", person=person):
        source += who.where("confirmation", person=person)
    return Due(who.name("person", person), source)
