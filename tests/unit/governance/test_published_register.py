"""The published register follows the 2017 guidance (NHS England's conflicts of interest page):
what needs no declaration is not published, late declarations show as late, and hospitality
over the limit shows the senior approval it was accepted under.

Thresholds from the guidance: hospitality under £25 "does not need to be declared", £25-£75 is
accepted and declared, over £75 refused unless senior approval is given; gifts from others
under £50 need no declaration; a supplier's gift up to £6 may be accepted. Declarations are due
within 28 days of becoming aware (s14O).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from consortia.governance.registers import published_register
from consortia.store.session import Store
from tests.unit.governance.ccg import build, do

OFFERED = date(2017, 2, 1)
AS_OF = date(2017, 6, 1)


def _gift(store: Store, kind: str, pence: int, **extra: Any) -> str:
    recorded = do(
        store,
        "record_gift",
        actor="cfo-jones",
        kind=kind,
        value_pence=pence,
        donor="acme-health",
        offered_on=OFFERED,
        **extra,
    )
    return str(recorded.effect["outcome"])


def _register(store: Store) -> dict[str, Any]:
    with store.reading() as session:
        return published_register(session, AS_OF)


def test_only_what_must_be_declared_is_published(store: Store) -> None:
    build(store)
    unpublished = [("hospitality", 2_499), ("gift", 4_999), ("supplier_gift", 600)]
    published = [("hospitality", 2_500), ("hospitality", 7_500), ("gift", 5_000)]
    declined = [("supplier_gift", 601), ("hospitality", 7_501)]
    for kind, pence in unpublished + published + declined:
        _gift(store, kind, pence)
    shown = [
        (g["kind"], g["value"], g["outcome"]) for g in _register(store)["gifts_and_hospitality"]
    ]
    assert shown == [
        ("hospitality", "£25.00", "accept_and_declare"),
        ("hospitality", "£75.00", "accept_and_declare"),
        ("gift", "£50.00", "accept_on_behalf_of_organisation"),
        ("supplier_gift", "£6.01", "decline"),
        ("hospitality", "£75.01", "refuse_unless_senior_approval"),
    ]


def test_hospitality_over_the_limit_shows_its_senior_approval(store: Store) -> None:
    build(store)
    approval = do(
        store,
        "approve_hospitality",
        actor="ao-smith",
        person="cfo-jones",
        value_pence=9_000,
        donor="acme-health",
        offered_on=OFFERED,
        approved_on=date(2017, 1, 30),
        grounds="speaker at the regional finance conference; dinner is part of the programme",
    ).effect["approval"]
    assert _gift(store, "hospitality", 8_500, approval=approval) == "accept_with_senior_approval"
    assert _gift(store, "hospitality", 2_600) == "accept_and_declare"
    [approved, declared] = _register(store)["gifts_and_hospitality"]
    assert approved["value"] == "£85.00"
    assert approved["approval"] == {
        "approved_by": "ao-smith",
        "approved_on": "2017-01-30",
        "grounds": "speaker at the regional finance conference; dinner is part of the programme",
    }
    assert declared["approval"] is None


def test_a_late_declaration_is_published_as_late(store: Store) -> None:
    build(store)
    for description, declared_on in (
        ("trustee of a hospice", date(2017, 1, 29)),  # 28 days after becoming aware: in time
        ("adviser to a charity", date(2017, 1, 30)),  # 29 days: late
    ):
        do(
            store,
            "declare_interest",
            actor="dr-lee",
            type="non_financial_personal",
            description=description,
            starts=date(2016, 12, 1),
            aware_on=date(2017, 1, 1),
            declared_on=declared_on,
        )
    register = _register(store)
    assert [(i["description"], i["late"]) for i in register["interests"]] == [
        ("trustee of a hospice", False),
        ("adviser to a charity", True),
    ]
    assert [b["occurred_on"] for b in register["breaches"]] == ["2017-01-30"]
