"""Scenarios: entitlement to vote is checked at the vote against everything the record knows.

- 2014 statutory guidance: a member with a material interest does not vote unless the chair,
  having considered it, rules that they may; the chair rules on every interest before the vote.
- s14O: the register is known to the CCG, so an entry counts whenever it was made.
- A GP partner or employee of a practice an item affects has an interest the record already
  holds (their practice), register entry or not.
- Those entitled to vote are fixed when the vote is called: whoever arrives later does not vote.
"""

from __future__ import annotations

from datetime import date

from consortia.governance.actions import Refused
from consortia.governance.actions.base import Context
from consortia.governance.meetings import minutes, voter, voters
from consortia.store import models
from consortia.store.session import Store
from tests.unit.governance.ccg import PEOPLE, build, declare_financial, do, item, meeting, refused

CHAIR = "lay-okafor"
WITHOUT_PATEL = ["lay-brown", "ao-smith", "cfo-jones", "dr-ng"]


def refused_vote(store: Store, person: str, on: int) -> Refused:
    """Cast a vote that must be refused; check the refusal changed nothing."""
    return refused(store, "cast_vote", actor=person, item=on, choice="for")


def test_a_partner_of_the_affected_practice_arriving_after_declarations_cannot_vote(
    store: Store,
) -> None:
    build(store)
    number = meeting(store, "pccc", CHAIR, WITHOUT_PATEL)
    on = item(store, number, CHAIR, "enhanced_services", affects=["Y00001"])
    taken = do(store, "take_declarations", actor=CHAIR, item=on, declarations=[])
    assert taken.effect["declarations"] == []  # dr-patel (partner at Y00001) is not there yet
    do(store, "attend", actor=CHAIR, meeting=number, people=["dr-patel"])
    called = do(store, "call_vote", actor=CHAIR, item=on).effect
    assert "dr-patel" not in called["entitled"]
    refusal = refused_vote(store, "dr-patel", on)
    assert "partner of Y00001" in refusal.message
    assert "until the chair rules" in str(refusal.rule)


def test_a_registered_interest_arriving_late_is_caught_and_can_be_ruled_on(store: Store) -> None:
    build(store)
    declare_financial(store, "ao-smith", "shares in Acme Health")
    number = meeting(store, "pccc", CHAIR, ["lay-brown", "cfo-jones", "dr-ng"])
    on = item(store, number, CHAIR, "enhanced_services", affects=["acme-health"])
    do(store, "take_declarations", actor=CHAIR, item=on)
    do(store, "attend", actor=CHAIR, meeting=number, people=["ao-smith"])
    # The chair may rule on what the record knows about the late arrival; the entry is raised.
    do(store, "rule_on_conflict", actor=CHAIR, item=on, person="ao-smith", ruling="leave_item")
    called = do(store, "call_vote", actor=CHAIR, item=on).effect
    assert "ao-smith" not in called["entitled"]
    refusal = refused_vote(store, "ao-smith", on)
    assert "conflict of interest" in refusal.message
    with store.reading() as session:
        recorded = minutes(session, number)["items"][0]
    assert [d["source"] for d in recorded["declarations"]] == ["register"]
    assert recorded["rulings"] == {"ao-smith": "leave_item"}


def test_an_interest_registered_during_the_item_stops_the_vote(store: Store) -> None:
    build(store)
    number = meeting(store, "pccc", CHAIR, WITHOUT_PATEL)
    on = item(store, number, CHAIR, "enhanced_services", affects=["acme-health"])
    do(store, "take_declarations", actor=CHAIR, item=on)
    called = do(store, "call_vote", actor=CHAIR, item=on).effect
    assert "cfo-jones" in called["entitled"]
    declare_financial(
        store,
        "cfo-jones",
        "director of Acme Health",
        starts=date(2017, 5, 1),
        aware_on=date(2017, 5, 10),
        declared_on=date(2017, 5, 10),
    )
    refusal = refused_vote(store, "cfo-jones", on)
    assert "director of Acme Health" in refusal.message
    for person in (CHAIR, "lay-brown", "ao-smith"):
        do(store, "cast_vote", actor=person, item=on, choice="for")
    result = do(store, "close_item", actor=CHAIR, item=on).effect
    assert (result["for"], result["against"]) == (3, 0)


def test_whoever_arrives_after_the_vote_is_called_does_not_vote(store: Store) -> None:
    build(store)
    number = meeting(store, "pccc", CHAIR, ["lay-brown", "ao-smith", "cfo-jones"])
    on = item(store, number, CHAIR, "enhanced_services", affects=["Y00001"])
    do(store, "take_declarations", actor=CHAIR, item=on)
    do(store, "call_vote", actor=CHAIR, item=on)
    do(store, "attend", actor=CHAIR, meeting=number, people=["dr-ng", "dr-patel"])
    unconflicted = refused_vote(store, "dr-ng", on)
    assert unconflicted.rule == "those entitled to vote are fixed when the vote is called"
    conflicted = refused_vote(store, "dr-patel", on)
    assert "partner of Y00001" in conflicted.message


def test_one_persons_vote_is_what_the_whole_roll_says(store: Store) -> None:
    build(store)
    declare_financial(store, "ao-smith", "shares in Acme Health")
    number = meeting(store, "pccc", CHAIR, [*WITHOUT_PATEL, "lay-visitor"])
    on = item(store, number, CHAIR, "enhanced_services", affects=["acme-health", "Y00001"])
    do(store, "take_declarations", actor=CHAIR, item=on)
    do(store, "rule_on_conflict", actor=CHAIR, item=on, person="ao-smith", ruling="leave_item")
    do(store, "attend", actor=CHAIR, meeting=number, people=["dr-patel"])
    # Worked by hand: ao-smith is ruled out, dr-patel (partner at Y00001) is not yet ruled on,
    # lay-visitor holds no seat on the PCCC, and the rest of the PCCC's members are away.
    expected = {CHAIR, "lay-brown", "cfo-jones", "dr-ng"}
    with store.reading() as session:
        constitution = Context(session, CHAIR).constitution()
        row = session.get_one(models.Item, on)
        roll = voters(session, constitution, row)
        assert set(roll) == expected
        for person in PEOPLE:
            assert voter(session, constitution, row, person["key"]) == roll.get(person["key"])
