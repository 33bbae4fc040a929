"""A committee seat is held on the terms of its kind: lay and governing-body seats run the
governing body's checks (SI 2012/1631 regs 11-12, Schedules 4-5); other seats run none.

Each case is written from the regulations: Schedule 4 says who is not a lay person (para 3: an
employee of an NHS body; para 9: a partner in a practice whose contract the Board holds);
Schedule 5 bars any governing-body seat (para 2: a councillor; para 4: a sentence of three
months or more within five years); reg 11 and 12 qualify the nurse, the CFO and the lay members.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from consortia.store import models
from consortia.store.session import Store
from tests.unit.governance.ccg import build, do, refused

SCHEDULE_5 = ["public_office", "commissioning_support", "conviction", "bankruptcy", "dismissal"]


def _seats(store: Store) -> int:
    with store.reading() as session:
        return int(session.scalar(select(func.count()).select_from(models.Membership)) or 0)


def _register(store: Store, key: str, **details: Any) -> None:
    do(store, "register_person", key=key, name=key.title(), **details)


def _refused_seat(store: Store, **arguments: Any) -> tuple[str, str]:
    seats = _seats(store)
    error = refused(store, "appoint", **arguments)
    assert _seats(store) == seats
    return str(error.rule), error.message


def test_a_partner_in_a_member_practice_is_not_a_lay_person(store: Store) -> None:
    build(store)  # dr-ash is a partner at Castle Street, whose GP contract the Board holds
    rule, message = _refused_seat(store, person="dr-ash", committee="audit", role="lay")
    assert rule == "lay_exclusions"
    assert "para 9" in message
    assert "Schedule 4" in message


def test_an_nhs_trust_employee_holds_no_lay_seat(store: Store) -> None:
    build(store)
    do(store, "register_organisation", key="rth", name="Northborough Hospitals", kind="nhs_trust")
    _register(store, "lay-trust", facts={"knows_area": True})
    do(store, "affiliate", person="lay-trust", organisation="rth", relation="employee")
    rule, message = _refused_seat(store, person="lay-trust", committee="pccc", role="lay_ppi")
    assert rule == "lay_exclusions"
    assert "para 3" in message


def test_a_councillor_holds_no_governing_body_seat(store: Store) -> None:
    build(store)
    _register(store, "cllr-hart", facts={"offices": ["councillor"]})
    rule, message = _refused_seat(store, person="cllr-hart", committee="audit", role="lay")
    assert rule == "public_office"
    assert "Schedule 5 para 2" in message


def test_a_recent_prison_sentence_bars_the_seat_for_five_years(store: Store) -> None:
    build(store)
    _register(store, "lay-grey", facts={"convictions": [{"on": "2014-03-01", "months": 6}]})
    rule, _ = _refused_seat(
        store, person="lay-grey", committee="audit", role="lay", on=date(2017, 5, 1)
    )
    assert rule == "conviction"
    # Five years on, the bar has lapsed (Schedule 5 para 4).
    seated = do(
        store, "appoint", person="lay-grey", committee="audit", role="lay", on=date(2019, 3, 2)
    )
    assert seated.effect["voting"] is True


def test_a_lay_audit_seat_needs_audit_and_finance_expertise(store: Store) -> None:
    build(store)  # lay-wood declared no audit expertise
    rule, message = _refused_seat(store, person="lay-wood", committee="audit", role="lay_audit")
    assert rule == "lay_audit"
    assert "reg 12(4)" in message


@pytest.mark.parametrize(
    ("facts", "expected"),
    [({}, "nurse"), ({"registered_nurse": True}, "nurse_out_of_area")],
)
def test_a_nurse_seat_needs_a_registered_nurse_from_outside_the_area(
    store: Store, facts: dict[str, bool], expected: str
) -> None:
    build(store)  # acme-health is a provider serving the area
    _register(store, "nurse-hill", facts=facts)
    do(store, "affiliate", person="nurse-hill", organisation="acme-health", relation="employee")
    rule, _ = _refused_seat(store, person="nurse-hill", committee="pccc", role="nurse")
    assert expected in rule.split(", ")


def test_a_cfo_seat_needs_an_accountant_employed_by_the_ccg(store: Store) -> None:
    build(store)
    _register(store, "fd-page", facts={"ccg_employee": True})
    rule, _ = _refused_seat(store, person="fd-page", committee="pccc", role="cfo")
    assert rule == "cfo"


def test_a_qualified_lay_member_is_seated_and_the_checks_are_recorded(store: Store) -> None:
    build(store)
    seated = do(store, "appoint", person="lay-wood", committee="audit", role="lay")
    assert seated.effect["checked"] == ["lay_exclusions", *SCHEDULE_5]
    audit = do(store, "appoint", person="lay-okafor", committee="audit", role="lay_ppi")
    assert audit.effect["checked"] == ["lay_ppi", "lay_exclusions", *SCHEDULE_5]


def test_a_gp_seat_is_not_a_lay_or_governing_body_seat(store: Store) -> None:
    build(store)
    # A GP partner is barred from a lay seat (above) but may sit as a GP: no checks apply.
    seated = do(store, "appoint", person="dr-ash", committee="pccc", role="gp")
    assert seated.effect["checked"] == []
