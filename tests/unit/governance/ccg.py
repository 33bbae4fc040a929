"""A small CCG built through the public actions, for scenario tests.

Four member practices in two localities; a governing body that keeps the regulations; a
primary care commissioning committee (PCCC) whose inquorate items go to the governing body.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select

from consortia.governance import state
from consortia.governance.actions import ACTIONS, Outcome, Refused
from consortia.store import models
from consortia.store.session import Store

EXAMPLE = Path(__file__).parents[3] / "docs" / "examples" / "constitution.yaml"
DAY = date(2017, 5, 10)


def constitution(**changes: Any) -> dict[str, Any]:
    """The example constitution as data, with top-level changes."""
    data: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data.update(changes)
    return data


def do(store: Store, action_name: str, /, *, actor: str = "secretary", **arguments: Any) -> Outcome:
    """Apply an action with a stock reason."""
    return ACTIONS[action_name](store, actor=actor, reason=f"test: {action_name}", **arguments)


PEOPLE: list[dict[str, Any]] = [
    {"key": "dr-patel", "name": "Dr Patel", "clinician": "gp_partner", "practice": "Y00001"},
    {"key": "dr-lee", "name": "Dr Lee", "clinician": "gp_salaried", "practice": "Y00002"},
    {"key": "dr-moss", "name": "Dr Moss", "clinician": "gp_sessional", "practice": "Y00003"},
    {"key": "dr-ng", "name": "Dr Ng", "clinician": "gp_partner", "practice": "Y00004"},
    {"key": "dr-ash", "name": "Dr Ash", "clinician": "gp_partner", "practice": "Y00002"},
    {"key": "lay-okafor", "name": "E Okafor", "facts": {"knows_area": True}},
    {"key": "lay-brown", "name": "F Brown", "facts": {"audit_expertise": True}},
    {"key": "lay-wood", "name": "L Wood"},
    {"key": "lay-visitor", "name": "V Visitor"},
    {"key": "ao-smith", "name": "H Smith", "facts": {"ccg_employee": True}},
    {
        "key": "cfo-jones",
        "name": "I Jones",
        "facts": {"ccg_employee": True, "accountancy_qualification": True},
    },
    {"key": "nurse-evans", "name": "J Evans", "facts": {"registered_nurse": True}},
    {
        "key": "dr-khan",
        "name": "Dr Khan",
        "facts": {"specialist_register": True, "nhs_consultant": True},
    },
]

GOVERNING_BODY = [
    {"person": "dr-patel", "roles": ["chair", "gp"]},
    {"person": "lay-okafor", "roles": ["deputy_chair", "lay_ppi"]},
    {"person": "lay-brown", "roles": ["lay_audit", "coi_guardian"]},
    {"person": "lay-wood", "roles": ["lay"]},
    {"person": "ao-smith", "roles": ["accountable_officer"]},
    {"person": "cfo-jones", "roles": ["cfo"]},
    {"person": "nurse-evans", "roles": ["nurse"]},
    {"person": "dr-khan", "roles": ["secondary_care_doctor"]},
    {"person": "dr-lee", "roles": ["gp"]},
]


def build(store: Store, **constitution_changes: Any) -> None:
    """Adopt the constitution, register people, and seat the governing body and the PCCC."""
    do(
        store,
        "adopt_constitution",
        constitution=constitution(**constitution_changes),
        adopted_on=date(2017, 4, 1),
    )
    do(
        store,
        "register_organisation",
        key="acme-health",
        name="Acme Health Ltd",
        kind="independent_provider",
        serves_area=True,
        commissioned_by_ccg=True,
    )
    for details in PEOPLE:
        do(store, "register_person", **details)
    for practice, representative in (
        ("Y00001", "dr-patel"),
        ("Y00002", "dr-lee"),
        ("Y00003", "dr-moss"),
        ("Y00004", "dr-ng"),
    ):
        do(store, "nominate_representative", practice=practice, person=representative)
    do(store, "constitute_governing_body", members=GOVERNING_BODY, on=date(2017, 4, 3))
    for member, role in (
        ("lay-okafor", "chair"),
        ("lay-okafor", "lay_ppi"),
        ("lay-brown", "lay_audit"),
        ("ao-smith", "accountable_officer"),
        ("cfo-jones", "cfo"),
        ("dr-patel", "gp"),
        ("dr-ng", "gp"),
    ):
        do(store, "appoint", person=member, committee="pccc", role=role)


def meeting(store: Store, committee: str, chair: str, people: list[str]) -> int:
    """Open a meeting with these people present; returns its number."""
    opened = do(store, "open_meeting", actor=chair, committee=committee, held_on=DAY)
    number = int(opened.effect["meeting"])
    do(store, "attend", actor=chair, meeting=number, people=people)
    return number


def item(
    store: Store, meeting_number: int, chair: str, decides: str, affects: list[str] | None = None
) -> int:
    """Add an item; returns its number."""
    added = do(
        store,
        "add_item",
        actor=chair,
        meeting=meeting_number,
        title=decides,
        decides=decides,
        affects=affects or [],
    )
    return int(added.effect["item"])


def rule(store: Store, chair: str, on: int, ruling: str, *people: str) -> None:
    """The chair gives the same ruling on each person's declared interest in the item."""
    for person in people:
        do(store, "rule_on_conflict", actor=chair, item=on, person=person, ruling=ruling)


def declare_financial(
    store: Store,
    person: str,
    description: str,
    organisation: str = "acme-health",
    *,
    starts: date = date(2016, 1, 1),
    aware_on: date = date(2017, 4, 1),
    declared_on: date = date(2017, 4, 2),
) -> Outcome:
    """Put a financial interest of `person` in `organisation` on the register."""
    return do(
        store,
        "declare_interest",
        actor=person,
        type="financial",
        description=description,
        organisation=organisation,
        starts=starts,
        aware_on=aware_on,
        declared_on=declared_on,
    )


def table_counts(store: Store) -> tuple[int, ...]:
    """Row counts of the tables a refused action might touch: a refusal changes none of them."""
    with store.reading() as session:
        return tuple(
            int(session.scalar(select(func.count()).select_from(table)) or 0)
            for table in (
                models.AuditEntry,
                models.Item,
                models.LmcConsultation,
                models.Gift,
                models.HospitalityApproval,
                models.Meeting,
                models.Ruling,
                models.Vote,
                models.Plan,
                models.PlanIntention,
                models.PlanEvidence,
                models.PlanStep,
                models.BoardItem,
            )
        )


def refused(store: Store, action_name: str, /, **arguments: Any) -> Refused:
    """Apply an action that must be refused; check it changed nothing and named its rule."""
    before = table_counts(store)
    with pytest.raises(Refused) as error:
        do(store, action_name, **arguments)
    assert table_counts(store) == before
    assert error.value.rule
    with store.reading() as session:
        proof = state.prove(session)
    assert proof.intact, proof.summary()  # every row still what the log says
    return error.value
