"""Scenarios written from the rules for holes that let a decision walk around them.

- Matters are a closed vocabulary declared in the constitution: a misspelt matter would
  otherwise skip the reserved-matter rule and the LMC consultation duty, so it is refused, with
  the matters the constitution knows and the nearest one.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from consortia.governance.actions import Refused
from consortia.store import models
from consortia.store.session import Store
from tests.unit.governance.ccg import build, do, item, meeting

PCCC = ["lay-brown", "ao-smith", "cfo-jones", "dr-patel", "dr-ng"]


def rows(store: Store) -> tuple[int, ...]:
    """Counts of the tables a refused action might touch: a refusal changes none of them."""
    with store.reading() as session:
        return tuple(
            int(session.scalar(select(func.count()).select_from(table)) or 0)
            for table in (
                models.AuditEntry,
                models.Item,
                models.LmcConsultation,
                models.Gift,
                models.Meeting,
                models.Ruling,
            )
        )


def refused(store: Store, action_name: str, /, **arguments: object) -> Refused:
    """Apply an action that must be refused; check it changed nothing."""
    before = rows(store)
    with pytest.raises(Refused) as error:
        do(store, action_name, **arguments)  # type: ignore[arg-type]
    assert rows(store) == before
    assert error.value.rule
    return error.value


@pytest.mark.parametrize(
    ("committee", "chair", "misspelt", "nearest"),
    [
        ("members", "dr-patel", "constitution_chnage", "constitution_change"),
        ("governing_body", "dr-patel", "commissioning_plans", "commissioning_plan"),
        ("pccc", "lay-okafor", "local_incentive_schemes", "local_incentive_scheme"),
    ],
)
def test_a_misspelt_matter_is_refused_with_the_known_ones_and_the_nearest(
    store: Store, committee: str, chair: str, misspelt: str, nearest: str
) -> None:
    build(store)
    number = meeting(store, committee, chair, PCCC)
    error = refused(
        store,
        "add_item",
        actor=chair,
        meeting=number,
        title="A decision",
        decides=misspelt,
        affects=[],
    )
    assert error.rule == "an item decides one of the constitution's matters"
    assert f"unknown matter {misspelt!r} (did you mean {nearest!r}?)" in error.message
    assert "known matters: annual_report_and_accounts, appointments, commissioning_plan" in (
        error.message
    )


def test_a_correctly_spelt_reserved_matter_still_keeps_its_rules(store: Store) -> None:
    build(store)
    members = meeting(store, "members", "dr-patel", ["dr-lee", "dr-ash"])
    on = item(store, members, "dr-patel", "constitution_change")
    do(store, "take_declarations", actor="dr-patel", item=on)
    error = refused(store, "call_vote", actor="dr-patel", item=on)
    assert error.rule == "the constitution requires LMC consultation on this matter"
