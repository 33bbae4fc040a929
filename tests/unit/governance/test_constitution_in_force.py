"""The constitution in force is parsed once per version, yet a newly adopted version governs
the very next action."""

from __future__ import annotations

from datetime import date

import pytest

from consortia.governance.actions import Refused
from consortia.store.session import Store
from tests.unit.governance.ccg import DAY, build, constitution, do


def test_a_new_version_governs_the_next_action(store: Store) -> None:
    build(store)
    do(store, "appoint", person="lay-brown", committee="audit", role="lay_audit")
    # Version 1 has an audit committee: its meeting opens.
    do(store, "open_meeting", actor="lay-brown", committee="audit", held_on=DAY)
    # Version 2 drops it: the next meeting of it is refused.
    changed = constitution(version=2)
    changed["committees"] = [c for c in changed["committees"] if c["key"] != "audit"]
    do(store, "adopt_constitution", constitution=changed, adopted_on=date(2017, 5, 1))
    with pytest.raises(Refused, match="no committee 'audit'"):
        do(store, "open_meeting", actor="lay-brown", committee="audit", held_on=DAY)
    # Version 3 restores it.
    do(
        store,
        "adopt_constitution",
        constitution=constitution(version=3),
        adopted_on=date(2017, 5, 2),
    )
    opened = do(store, "open_meeting", actor="lay-brown", committee="audit", held_on=DAY)
    assert opened.effect["committee"] == "audit"
