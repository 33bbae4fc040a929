"""A vote costs the same whatever the meeting's size: counted in SQL statements, not seconds.

A members' meeting of 50 GPs and one of 500 run the same item; every vote, the call of the
vote and the close must send the database the same number of statements at both sizes (a
timing would depend on the machine; a count of statements does not).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from consortia.store.session import Store, open_store
from tests.unit.governance.ccg import constitution, do

HELD_ON = date(2017, 6, 1)
CHAIR = "gp-0-0"


def _ccg(store: Store, practices: int) -> list[str]:
    """A CCG of `practices` member practices with ten GPs each; returns the GPs' keys."""
    members = [
        {"code": f"Y{p:05d}", "name": f"Practice {p}", "contract": "GMS", "list_size": 5000}
        for p in range(practices)
    ]
    body = constitution(member_practices=members, electorate={"rule": "all_gps"})
    act(store, "adopt_constitution", "secretary", constitution=body, adopted_on=date(2017, 4, 1))
    act(
        store,
        "register_organisation",
        "secretary",
        key="acme-health",
        name="Acme Health Ltd",
        kind="independent_provider",
    )
    people = [f"gp-{p}-{g}" for p in range(practices) for g in range(10)]
    for key in people:
        practice = int(key.split("-")[1])
        clinician = "gp_partner" if key.endswith("-0") else "gp_salaried"
        act(
            store,
            "register_person",
            "secretary",
            key=key,
            name=key,
            clinician=clinician,
            practice=f"Y{practice:05d}",
        )
    # One GP has a registered interest in the provider the item affects: raised, and ruled on.
    act(
        store,
        "declare_interest",
        people[-1],
        type="financial",
        description="Shares in Acme Health",
        organisation="acme-health",
        starts=date(2016, 1, 1),
        aware_on=date(2017, 4, 1),
        declared_on=date(2017, 4, 2),
    )
    return people


def act(store: Store, action: str, actor: str, /, **arguments: Any) -> dict[str, Any]:
    """Apply an action; returns its effect."""
    return do(store, action, actor=actor, **arguments).effect


@contextmanager
def counting(store: Store) -> Iterator[list[int]]:
    """Count the statements sent to the database inside the block."""
    count = [0]

    def one(*_: Any) -> None:
        count[0] += 1

    event.listen(store.engine, "before_cursor_execute", one)
    try:
        yield count
    finally:
        event.remove(store.engine, "before_cursor_execute", one)


def statements(path: Path, practices: int) -> dict[str, list[int]]:
    """Statements per action of a members' meeting on one item, at this size."""
    store = open_store(f"sqlite:///{path}")
    try:
        people = _ccg(store, practices)
        meeting = act(store, "open_meeting", CHAIR, committee="members", held_on=HELD_ON)
        act(store, "attend", CHAIR, meeting=meeting["meeting"], people=people)
        item = act(
            store,
            "add_item",
            CHAIR,
            meeting=meeting["meeting"],
            title="Commissioning plan",
            decides="commissioning_plan",
            affects=["acme-health"],
        )["item"]
        raised = act(store, "take_declarations", CHAIR, item=item)["declarations"]
        assert [d["person"] for d in raised] == [people[-1]]
        act(
            store,
            "rule_on_conflict",
            CHAIR,
            item=item,
            person=people[-1],
            ruling="none",
            grounds="a small holding in a listed company",
        )
        counts: dict[str, list[int]] = {"call_vote": [], "cast_vote": [], "close_item": []}
        with counting(store) as count:
            assert act(store, "call_vote", CHAIR, item=item)["status"] == "voting"
        counts["call_vote"].append(count[0])
        for index, person in enumerate(people):
            with counting(store) as count:
                act(store, "cast_vote", person, item=item, choice="for" if index % 3 else "against")
            counts["cast_vote"].append(count[0])
        with counting(store) as count:
            result = act(store, "close_item", CHAIR, item=item)
        counts["close_item"].append(count[0])
        assert result["for"] + result["against"] == len(people)
        return counts
    finally:
        store.close()


@pytest.mark.slow
def test_a_vote_sends_as_many_statements_at_500_gps_as_at_50(tmp_path: Path) -> None:
    small = statements(tmp_path / "small.sqlite", 5)
    large = statements(tmp_path / "large.sqlite", 50)
    assert len(large["cast_vote"]) == 500
    assert set(small["cast_vote"]) == set(large["cast_vote"])
    assert len(set(large["cast_vote"])) == 1  # every vote alike, the first and the last
    assert small["call_vote"] == large["call_vote"]
    assert small["close_item"] == large["close_item"]
