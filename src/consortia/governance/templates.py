"""Script templates: one `item:` step that expands to the actions an agenda item takes.

A board secretary writes what happened to an item (its title, what it decides, whom it
affects, the declarations made, the chair's rulings, the votes) and the template expands it
to the usual sequence, each step its own audited action: add the item, record the LMC's view
where given, take declarations, rule on each conflict, call the vote, cast each vote, close.
Steps after declarations are taken by the item's chair as `take_declarations` settled it (a
deputy, when the chair is conflicted). Conflicts raised from the record that the template does
not rule on get the `raised` ruling, if given; otherwise the vote is refused until the chair
rules, as for a hand-written script.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from consortia.governance.meetings import RulingKind


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Declared(_Model):
    """An interest declared at the meeting on the item."""

    person: str = Field(min_length=1)
    description: str = Field(min_length=1)
    interest: int | None = None


class Ruled(_Model):
    """The chair's ruling on one person's interest, with grounds where the rule asks; a ruling
    alone may be written as its name (`dr-lee: leave_item`)."""

    ruling: RulingKind
    grounds: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _named(cls, value: Any) -> Any:
        return {"ruling": value} if isinstance(value, str) else value


class Lmc(_Model):
    """The LMC's view on the item, when the constitution requires it be consulted."""

    response: str
    consulted_on: date


class Votes(_Model):
    """Who voted which way (each person once)."""

    votes_for: list[str] = Field(default_factory=list, alias="for")
    against: list[str] = Field(default_factory=list)
    abstain: list[str] = Field(default_factory=list)

    def cast(self) -> list[tuple[str, str]]:
        """(person, choice) in the order written: for, against, abstain."""
        return (
            [(p, "for") for p in self.votes_for]
            + [(p, "against") for p in self.against]
            + [(p, "abstain") for p in self.abstain]
        )


class Item(_Model):
    """An agenda item taken from start to result."""

    meeting: int | str  # a meeting's number, or a reference to the step that opened it
    chair: str = Field(min_length=1)  # the meeting's chair, who adds the item
    title: str = Field(min_length=1)
    decides: str
    affects: list[str] = Field(default_factory=list)
    lmc: Lmc | None = None
    declarations: list[Declared] = Field(default_factory=list)
    rulings: dict[str, Ruled] = Field(default_factory=dict)
    raised: RulingKind | None = None  # the ruling on conflicts raised that `rulings` omits
    votes: Votes = Field(default_factory=Votes)


class ItemStep(_Model):
    """The `item:` step of a script."""

    item: Item
    reason: str | None = Field(default=None, min_length=1)
    name: str | None = Field(default=None, alias="as")


def problems(template: ItemStep) -> list[tuple[tuple[str | int, ...], str, str]]:
    """What is wrong with a template beyond its types: (where, message, rule)."""
    found: list[tuple[tuple[str | int, ...], str, str]] = []
    seen: dict[str, str] = {}
    for person, choice in template.item.votes.cast():
        if person in seen:
            found.append(
                (
                    ("item", "votes"),
                    f"{person} votes {seen[person]} and {choice}",
                    "one vote each",
                )
            )
        seen.setdefault(person, choice)
    return found


def expand(template: ItemStep, tag: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The template's steps as plain script steps, with a `{"raised": ...}` marker where the
    rulings on raised conflicts go (when it gives a `raised` ruling), and what they need.

    `tag` makes the step names the expansion uses unique in the script; the item is named by
    the template's `as`, if any, so later steps can refer to `${as.item}`.
    """
    item = template.item
    reason = template.reason or f"item: {item.title}"
    added = template.name or f"{tag}-item"
    declared = f"{tag}-declared"
    number = f"${{{added}.item}}"
    chair = f"${{{declared}.chair}}"  # the item's chair once declarations settle it

    def step(action: str, actor: str, **arguments: Any) -> dict[str, Any]:
        return {"action": action, "actor": actor, "reason": reason, "arguments": arguments}

    before = [
        {
            **step(
                "add_item",
                item.chair,
                meeting=item.meeting,
                title=item.title,
                decides=item.decides,
                affects=item.affects,
            ),
            "as": added,
        }
    ]
    if item.lmc is not None:
        before.append(
            step(
                "record_lmc_consultation",
                item.chair,
                item=number,
                response=item.lmc.response,
                consulted_on=item.lmc.consulted_on.isoformat(),
            )
        )
    before.append(
        {
            **step(
                "take_declarations",
                item.chair,
                item=number,
                declarations=[d.model_dump(exclude_none=True) for d in item.declarations],
            ),
            "as": declared,
        }
    )
    for person, ruled in item.rulings.items():
        arguments: dict[str, Any] = {"item": number, "person": person, "ruling": ruled.ruling}
        if ruled.grounds is not None:
            arguments["grounds"] = ruled.grounds
        before.append(step("rule_on_conflict", chair, **arguments))
    after = [step("call_vote", chair, item=number)]
    after += [step("cast_vote", person, item=number, choice=c) for person, c in item.votes.cast()]
    after.append(step("close_item", chair, item=number))
    raised = {"declared": declared, "reason": reason, "item": number, "chair": chair}
    marker = [{"raised": raised}] if item.raised is not None else []
    return [*before, *marker, *after], raised


def raised_rulings(
    template: ItemStep, raised: Mapping[str, Any], effect: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """Rulings on the conflicts `take_declarations` recorded (its `effect`) that the template
    does not rule on itself, with its `raised` ruling; none when it gives no such ruling."""
    ruling = template.item.raised
    if ruling is None:
        return []
    people = sorted({str(d["person"]) for d in effect.get("declarations", [])})
    return [
        {
            "action": "rule_on_conflict",
            "actor": raised["chair"],
            "reason": raised["reason"],
            "arguments": {"item": raised["item"], "person": person, "ruling": ruling},
        }
        for person in people
        if person not in template.item.rulings
    ]
