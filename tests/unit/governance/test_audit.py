"""The audit log in the database: one entry per accepted action, tampering found through SQL."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import text

from consortia.governance import audit, state
from consortia.governance.actions import ACTIONS, Refused
from consortia.store.session import Store
from tests.unit.governance.ccg import do

KEY = b"operator-key-for-tests-0123456789"


def setup(store: Store, people: int = 6) -> None:
    for number in range(people):
        do(store, "register_person", key=f"p{number}", name=f"Person {number}")


def chain(store: Store) -> list[audit.Entry]:
    with store.reading() as session:
        return audit.entries(session)


def sql(store: Store, statement: str) -> None:
    with store.engine.begin() as connection:
        connection.execute(text(statement))


def test_each_accepted_action_appends_one_linked_entry(store: Store) -> None:
    setup(store, 3)
    entries = chain(store)
    assert [e.seq for e in entries] == [1, 2, 3]
    assert entries[0].prev_hash == audit.GENESIS
    assert entries[1].prev_hash == entries[0].hash
    assert json.loads(entries[2].arguments)["key"] == "p2"
    assert entries[2].actor == "secretary"
    assert entries[2].reason == "test: register_person"
    assert audit.verify(entries).intact


def test_a_refused_action_writes_neither_its_change_nor_an_entry(store: Store) -> None:
    setup(store, 2)
    with pytest.raises(Refused, match="already registered"):
        do(store, "register_person", key="p1", name="Again")
    with pytest.raises(Refused, match="says why"):
        ACTIONS["register_person"](store, actor="secretary", reason=" ", key="p9", name="x")
    with pytest.raises(Refused, match="names who acted"):
        ACTIONS["register_person"](store, actor="", reason="why", key="p9", name="x")
    assert len(chain(store)) == 2


def test_an_action_without_a_constitution_is_refused(store: Store) -> None:
    setup(store, 1)
    with pytest.raises(Refused, match="no constitution"):
        do(
            store,
            "declare_interest",
            actor="p0",
            type="financial",
            description="x",
            starts=date(2017, 1, 1),
            aware_on=date(2017, 1, 1),
            declared_on=date(2017, 1, 1),
        )


@pytest.mark.parametrize(
    ("statement", "first_bad"),
    [
        ("UPDATE audit_entry SET actor = 'mallory' WHERE seq = 3", 3),
        ('UPDATE audit_entry SET arguments = \'{"key":"p9"}\' WHERE seq = 2', 2),
        ("DELETE FROM audit_entry WHERE seq = 4", 4),
        ("UPDATE audit_entry SET seq = 100 WHERE seq = 2", 2),
        ("UPDATE audit_entry SET hash = prev_hash WHERE seq = 5", 5),
    ],
)
def test_tampering_through_sql_is_found_at_the_first_bad_entry(
    store: Store, statement: str, first_bad: int
) -> None:
    setup(store)
    sql(store, statement)
    verdict = audit.verify(chain(store))
    assert not verdict.intact
    assert verdict.first_bad == first_bad


def test_reordering_through_sql_is_found(store: Store) -> None:
    setup(store)
    sql(store, "UPDATE audit_entry SET seq = -2 WHERE seq = 2")
    sql(store, "UPDATE audit_entry SET seq = 2 WHERE seq = 3")
    sql(store, "UPDATE audit_entry SET seq = 3 WHERE seq = -2")
    verdict = audit.verify(chain(store))
    assert (verdict.intact, verdict.first_bad) == (False, 2)


def test_truncation_is_found_against_a_checkpoint(store: Store) -> None:
    setup(store)
    checkpoint = audit.make_checkpoint(chain(store), KEY)
    sql(store, "DELETE FROM audit_entry WHERE seq >= 5")
    assert audit.verify(chain(store)).intact  # a shorter chain is consistent in itself
    verdict = audit.verify(chain(store), checkpoint, KEY)
    assert not verdict.intact
    assert "removed from the end" in (verdict.problem or "")


def test_a_record_from_before_rows_were_recorded_is_not_passed_as_proved(store: Store) -> None:
    """Entries made before each carried its rows hash without them: the chain still verifies,
    but the state cannot be proved, and verification says from which entry on."""
    setup(store, 3)
    previous = audit.GENESIS
    for entry in chain(store):
        old = audit.seal(
            seq=entry.seq,
            at=entry.at,
            actor=entry.actor,
            action=entry.action,
            reason=entry.reason,
            arguments=entry.arguments,
            effect=entry.effect,
            prev_hash=previous,
        )
        with store.engine.begin() as connection:
            connection.execute(
                text(
                    "UPDATE audit_entry SET writes = NULL, prev_hash = :p, hash = :h WHERE seq = :s"
                ),
                {"p": old.prev_hash, "h": old.hash, "s": old.seq},
            )
        previous = old.hash
    with store.reading() as session:
        proof = state.prove(session)
    assert proof.chain.intact
    assert not proof.intact
    assert proof.disagreements[0].key == (1,)
    assert "made before rows were recorded" in proof.summary()
