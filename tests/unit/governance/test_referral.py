"""A referral to the governing body opens the governing body's item, which it can then decide.

The rule (constitution `when_inquorate: refer_to_governing_body`; domain §3.3): when conflicts
leave a committee's item inquorate, the item goes to the governing body. The PCCC's quorum in
the example constitution is "at least 3 including 1 lay and 1 of chief_officer|cfo"; the
governing body's is "at least 4 including 1 lay and 1 of accountable_officer|cfo".
"""

from __future__ import annotations

from datetime import date
from typing import Any

from consortia.governance.meetings import minutes
from consortia.store.session import Store
from tests.unit.governance.ccg import DAY, build, constitution, do, item, meeting, rule

LATER = date(2017, 6, 14)
GB_PRESENT = ["lay-okafor", "lay-brown", "ao-smith", "cfo-jones", "nurse-evans"]


def _refer(store: Store) -> int:
    """A PCCC item on enhanced services at Riverside (Y00001) and Station Road (Y00004): both GP
    members are partners there and leave the item, leaving the lay chair and the accountable
    officer, 2 of the 3 the quorum needs, so the item is referred. Returns the item."""
    number = meeting(store, "pccc", "lay-okafor", ["ao-smith", "dr-patel", "dr-ng"])
    on = item(store, number, "lay-okafor", "enhanced_services", affects=["Y00001", "Y00004"])
    taken = do(store, "take_declarations", actor="lay-okafor", item=on).effect
    assert {d["person"] for d in taken["declarations"]} == {"dr-patel", "dr-ng"}
    rule(store, "lay-okafor", on, "leave_item", "dr-patel", "dr-ng")
    called = do(store, "call_vote", actor="lay-okafor", item=on).effect
    assert called["quorate"] is False
    assert called["failures"] == ["2 present and entitled to vote, 3 needed"]
    assert called["status"] == "referred_to_governing_body"
    return on


def _open_board(store: Store, held_on: date) -> dict[str, Any]:
    return do(
        store, "open_meeting", actor="dr-patel", committee="governing_body", held_on=held_on
    ).effect


def test_a_referral_waits_for_the_governing_bodys_next_meeting(store: Store) -> None:
    build(store)
    _refer(store)
    with store.reading() as session:
        pccc = minutes(session, 1)["items"][0]
    assert pccc["referred_to"] == {
        "committee": "governing_body",
        "meeting": None,
        "held_on": None,
        "item": None,
    }
    # A governing-body meeting held before the PCCC met cannot take up what it had not been sent.
    earlier = _open_board(store, date(2017, 5, 2))
    assert earlier["referred_items"] == []


def test_a_referral_opens_its_governing_body_item_which_the_governing_body_decides(
    store: Store,
) -> None:
    build(store)
    referred = _refer(store)
    opened = _open_board(store, LATER)
    [taken] = opened["referred_items"]
    follow_on = int(taken["item"])
    assert taken["referred_from"] == referred
    board = int(opened["meeting"])
    with store.reading() as session:
        board_minutes = minutes(session, board)
        pccc_minutes = minutes(session, 1)
    [on_agenda] = board_minutes["items"]
    # The same matter, affecting the same organisations, linked both ways.
    assert on_agenda["item"] == follow_on
    assert on_agenda["decides"] == "enhanced_services"
    assert on_agenda["affects"] == ["Y00001", "Y00004"]
    assert on_agenda["status"] == "open"
    assert on_agenda["referred_from"] == {
        "committee": "pccc",
        "meeting": 1,
        "held_on": DAY.isoformat(),
        "item": referred,
    }
    assert pccc_minutes["items"][0]["referred_to"] == {
        "committee": "governing_body",
        "meeting": board,
        "held_on": LATER.isoformat(),
        "item": follow_on,
    }
    # Taken up once: the governing body's next meeting does not receive it again.
    assert _open_board(store, date(2017, 7, 12))["referred_items"] == []

    # The governing body decides it. Its chair, dr-patel, is a partner at Riverside: the item
    # passes to the deputy, lay-okafor, who rules him out. Left entitled: 2 lay members, the AO,
    # the CFO and the nurse, 5 of the 4 needed, with a lay member and the AO: quorate.
    do(store, "attend", actor="dr-patel", meeting=board, people=GB_PRESENT)
    taken_there = do(store, "take_declarations", actor="dr-patel", item=follow_on).effect
    assert taken_there["chair"] == "lay-okafor"
    do(
        store,
        "rule_on_conflict",
        actor="lay-okafor",
        item=follow_on,
        person="dr-patel",
        ruling="leave_item",
    )
    called = do(store, "call_vote", actor="lay-okafor", item=follow_on).effect
    assert called["quorate"] is True
    assert called["entitled"] == sorted(GB_PRESENT)
    for person in GB_PRESENT:
        do(store, "cast_vote", actor=person, item=follow_on, choice="for")
    closed = do(store, "close_item", actor="lay-okafor", item=follow_on).effect
    assert (closed["for"], closed["against"], closed["outcome"]) == (5, 0, "carried")


def test_a_matter_the_governing_body_may_no_longer_decide_is_held_not_taken_up(
    store: Store,
) -> None:
    build(store)
    referred = _refer(store)
    # Version 2 reserves enhanced services to the members (and so no longer delegates them).
    data = constitution()
    data["version"] = 2
    data["reserved_matters"] = [
        *data["reserved_matters"],
        {"matter": "enhanced_services", "threshold": "majority", "description": "reserved"},
    ]
    for committee in data["committees"]:
        if committee["key"] == "pccc":
            committee["decides"] = ["local_incentive_scheme", "practice_merger"]
    do(store, "adopt_constitution", constitution=data, adopted_on=date(2017, 6, 1))
    opened = _open_board(store, LATER)
    assert opened["referred_items"] == []
    [held] = opened["referrals_held"]
    assert held["item"] == referred
    assert "reserved to the members" in str(held["why"])
    with store.reading() as session:
        assert minutes(session, int(opened["meeting"]))["items"] == []
        assert minutes(session, 1)["items"][0]["referred_to"]["item"] is None
