"""Scenarios written from the rules (domain §2-3), run on SQLite and PostgreSQL.

- 2014 statutory guidance: members with a material interest are excluded from the item or
  join the discussion without a vote; the chair decides.
- s14O: interests on the register are known to the CCG, so they are raised on an item that
  touches them whether or not the person declares them.
- If the chair is conflicted, the deputy (or another unconflicted member) chairs the item.
- Inquorate through conflicts: the constitution's fallback (refer, co-opt or defer).
- Members are practices; "every GP, including salaried and sessional" is a local franchise.
- The governing body keeps SI 2012/1631 regs 11-12 and Schedules 4-5.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from consortia.governance.actions import Refused
from consortia.governance.meetings import minutes
from consortia.store import models
from consortia.store.session import Store
from tests.unit.governance.ccg import build, declare_financial, do, item, meeting, rule

PCCC = ["lay-brown", "ao-smith", "cfo-jones", "dr-patel", "dr-ng"]


def audit_length(store: Store) -> int:
    with store.reading() as session:
        return int(session.scalar(select(func.count()).select_from(models.AuditEntry)) or 0)


def declare(store: Store, person: str, organisation: str) -> None:
    declare_financial(
        store, person, f"partner in {organisation}", organisation, starts=date(2010, 1, 1)
    )


def test_a_conflicted_member_never_votes_on_the_item(store: Store) -> None:
    build(store)
    number = meeting(store, "pccc", "lay-okafor", PCCC)
    on = item(store, number, "lay-okafor", "enhanced_services", affects=["Y00004"])
    do(
        store,
        "take_declarations",
        actor="lay-okafor",
        item=on,
        declarations=[{"person": "dr-ng", "description": "partner in Station Road"}],
    )
    rule(store, "lay-okafor", on, "discuss_not_vote", "dr-ng")
    opened = do(store, "call_vote", actor="lay-okafor", item=on)
    assert "dr-ng" not in opened.effect["entitled"]
    before = audit_length(store)
    with pytest.raises(Refused) as refused:
        do(store, "cast_vote", actor="dr-ng", item=on, choice="for")
    assert "conflict" in refused.value.message
    assert audit_length(store) == before  # a refused action changes nothing
    for person in ("lay-okafor", "lay-brown", "ao-smith"):
        do(store, "cast_vote", actor=person, item=on, choice="against")
    result = do(store, "close_item", actor="lay-okafor", item=on).effect
    assert (result["for"], result["against"], result["outcome"]) == (0, 3, "not carried")
    with store.reading() as session:
        voters = {v.person for v in session.scalars(select(models.Vote))}
    assert "dr-ng" not in voters


def test_an_interest_on_the_register_is_raised_without_a_declaration(store: Store) -> None:
    build(store)
    declare(store, "dr-patel", "Y00001")
    number = meeting(store, "pccc", "lay-okafor", PCCC)
    on = item(store, number, "lay-okafor", "practice_merger", affects=["Y00001", "Y00003"])
    taken = do(store, "take_declarations", actor="lay-okafor", item=on, declarations=[])
    assert taken.effect["declarations"] == [
        {"person": "dr-patel", "source": "register", "organisation": "Y00001"}
    ]
    with pytest.raises(Refused, match="no ruling yet on the interests of dr-patel"):
        do(store, "call_vote", actor="lay-okafor", item=on)
    with store.reading() as session:
        recorded = minutes(session, number)["items"][0]["declarations"]
    assert recorded[0]["person"] == "dr-patel"
    assert recorded[0]["source"] == "register"


def test_an_interest_that_has_ended_or_touches_nothing_affected_is_not_raised(
    store: Store,
) -> None:
    build(store)
    declare(store, "dr-patel", "Y00001")
    do(store, "end_interest", actor="dr-patel", interest=1, ends=date(2017, 1, 31))
    declare(store, "dr-ng", "Y00004")
    number = meeting(store, "pccc", "lay-okafor", PCCC)
    on = item(store, number, "lay-okafor", "practice_merger", affects=["Y00001", "Y00003"])
    taken = do(store, "take_declarations", actor="lay-okafor", item=on)
    # The ended entry is not raised, and dr-ng's (Y00004) touches nothing affected; dr-patel is
    # still a partner at Y00001, which the record knows without any register entry.
    assert taken.effect["declarations"] == [
        {"person": "dr-patel", "source": "practice", "organisation": "Y00001"}
    ]


def test_a_conflicted_chair_is_replaced_for_the_item(store: Store) -> None:
    build(store)
    declare(store, "dr-patel", "Y00001")
    people = ["lay-okafor", "lay-brown", "ao-smith", "cfo-jones", "nurse-evans", "dr-lee"]
    number = meeting(store, "governing_body", "dr-patel", people)
    on = item(store, number, "dr-patel", "enhanced_services", affects=["Y00001"])
    taken = do(store, "take_declarations", actor="dr-patel", item=on)
    assert taken.effect["chair"] == "lay-okafor"  # the deputy chair
    assert taken.effect["chair_handed_over"] is True
    with pytest.raises(Refused, match="only the item's chair"):
        do(store, "rule_on_conflict", actor="dr-patel", item=on, person="dr-patel", ruling="none")
    with pytest.raises(Refused, match="only the item's chair"):
        do(store, "call_vote", actor="dr-patel", item=on)
    do(
        store,
        "rule_on_conflict",
        actor="lay-okafor",
        item=on,
        person="dr-patel",
        ruling="leave_item",
    )
    opened = do(store, "call_vote", actor="lay-okafor", item=on)
    assert "dr-patel" not in opened.effect["entitled"]
    with store.reading() as session:
        assert minutes(session, number)["items"][0]["chair"] == "lay-okafor"


def test_without_a_deputy_another_unconflicted_member_chairs(store: Store) -> None:
    build(store)
    declare(store, "dr-patel", "Y00001")
    number = meeting(store, "governing_body", "dr-patel", ["lay-brown", "ao-smith", "dr-lee"])
    on = item(store, number, "dr-patel", "enhanced_services", affects=["Y00001"])
    taken = do(store, "take_declarations", actor="dr-patel", item=on)
    assert taken.effect["chair"] == "lay-brown"  # lay members first


def test_losing_quorum_through_conflicts_refers_the_item_to_the_governing_body(
    store: Store,
) -> None:
    build(store)
    number = meeting(store, "pccc", "lay-okafor", PCCC)
    on = item(store, number, "lay-okafor", "enhanced_services", affects=["Y00001", "Y00004"])
    do(
        store,
        "take_declarations",
        actor="lay-okafor",
        item=on,
        declarations=[
            {"person": "dr-patel", "description": "partner"},
            {"person": "dr-ng", "description": "partner"},
            {"person": "lay-brown", "description": "spouse works at Station Road"},
        ],
    )
    rule(store, "lay-okafor", on, "leave_item", "dr-patel", "dr-ng", "lay-brown")
    called = do(store, "call_vote", actor="lay-okafor", item=on).effect
    # Left: the lay chair, the AO and the CFO: 3 present, 1 lay, 1 of chief_officer|cfo -> quorate
    assert called["quorate"] is True
    on2 = item(store, number, "lay-okafor", "practice_merger", affects=["Y00002"])
    do(
        store,
        "take_declarations",
        actor="lay-okafor",
        item=on2,
        declarations=[
            {"person": "ao-smith", "description": "spouse is a partner"},
            {"person": "cfo-jones", "description": "shareholder"},
        ],
    )
    rule(store, "lay-okafor", on2, "discuss_not_vote", "ao-smith", "cfo-jones")
    called = do(store, "call_vote", actor="lay-okafor", item=on2).effect
    assert called["quorate"] is False
    assert called["fallback"] == "refer_to_governing_body"
    assert called["status"] == "referred_to_governing_body"
    assert any("chief_officer|cfo" in failure for failure in called["failures"])
    with pytest.raises(Refused, match="referred_to_governing_body"):
        do(store, "cast_vote", actor="lay-okafor", item=on2, choice="for")


def test_co_option_restores_quorum_when_the_constitution_allows_it(store: Store) -> None:
    build(store)
    # The audit committee co-opts: quorum at least 2 including 1 lay_audit.
    do(store, "appoint", person="lay-brown", committee="audit", role="lay_audit")
    do(store, "appoint", person="lay-wood", committee="audit", role="lay")
    do(store, "register_organisation", key="audit-firm", name="Audit Firm LLP", kind="other")
    number = meeting(store, "audit", "lay-brown", ["lay-wood"])
    on = item(store, number, "lay-brown", "internal_audit_plan", affects=["audit-firm"])
    do(
        store,
        "take_declarations",
        actor="lay-brown",
        item=on,
        declarations=[{"person": "lay-wood", "description": "former partner of the firm"}],
    )
    do(
        store,
        "rule_on_conflict",
        actor="lay-brown",
        item=on,
        person="lay-wood",
        ruling="leave_item",
    )
    called = do(store, "call_vote", actor="lay-brown", item=on).effect
    assert (called["quorate"], called["fallback"]) == (False, "co_opt")
    with pytest.raises(Refused, match="has an interest"):
        do(store, "co_opt", actor="lay-brown", item=on, person="lay-wood", role="lay")
    do(store, "co_opt", actor="lay-brown", item=on, person="lay-visitor", role="lay")
    called = do(store, "call_vote", actor="lay-brown", item=on).effect
    assert called["quorate"] is True
    assert called["entitled"] == ["lay-brown", "lay-visitor"]


def test_an_inquorate_governing_body_item_is_deferred(store: Store) -> None:
    build(store)
    number = meeting(store, "governing_body", "dr-patel", ["lay-okafor", "ao-smith", "dr-lee"])
    on = item(store, number, "dr-patel", "enhanced_services", affects=["Y00002"])
    do(
        store,
        "take_declarations",
        actor="dr-patel",
        item=on,
        declarations=[{"person": "dr-lee", "description": "salaried GP at Castle Street"}],
    )
    do(store, "rule_on_conflict", actor="dr-patel", item=on, person="dr-lee", ruling="exclude")
    called = do(store, "call_vote", actor="dr-patel", item=on).effect
    assert (called["quorate"], called["fallback"], called["status"]) == (False, "defer", "deferred")
    with store.reading() as session:
        recorded = minutes(session, number)
    assert recorded["excluded"] == ["dr-lee"]
    assert recorded["items"][0]["quorum"]["needed"] == 4


def members_vote(store: Store, voters: list[str]) -> tuple[dict[str, object], list[str]]:
    """A members' meeting on a reserved matter; returns the result and who was refused."""
    number = meeting(store, "members", "dr-patel", voters)
    on = item(store, number, "dr-patel", "new_service_model")
    do(store, "take_declarations", actor="dr-patel", item=on)
    do(store, "call_vote", actor="dr-patel", item=on)
    refused = []
    for person in voters:
        try:
            do(store, "cast_vote", actor=person, item=on, choice="for")
        except Refused as error:
            refused.append(person if "electorate" in (error.rule or "") else str(error))
    return do(store, "close_item", actor="dr-patel", item=on).effect, refused


def test_under_every_gp_salaried_and_sessional_votes_count(store: Store) -> None:
    build(store, electorate={"rule": "all_gps"})
    result, refused = members_vote(store, ["dr-lee", "dr-moss", "dr-ash"])
    assert refused == []
    assert result["for"] == 3  # salaried dr-lee, sessional dr-moss, partner dr-ash


def test_under_one_vote_per_practice_a_salaried_or_sessional_gp_does_not_vote(
    store: Store,
) -> None:
    build(store, electorate={"rule": "practice_one_vote"})
    do(
        store,
        "register_person",
        key="dr-roy",
        name="Dr Roy",
        clinician="gp_sessional",
        practice="Y00001",
    )
    do(store, "nominate_representative", practice="Y00002", person="dr-ash")
    # Salaried dr-lee (Y00002) and sessional dr-roy (Y00001) are GPs of member practices but not
    # their practices' representatives: under one vote per practice, neither votes.
    result, refused = members_vote(store, ["dr-lee", "dr-roy", "dr-ash", "dr-patel", "dr-ng"])
    assert refused == ["dr-lee", "dr-roy"]
    assert result["for"] == 3  # one vote each for Y00002, Y00001 and Y00004


def test_list_size_weighted_votes_carry_the_practice_list(store: Store) -> None:
    build(store, electorate={"rule": "list_size_weighted"})
    result, refused = members_vote(store, ["dr-patel", "dr-ng"])
    assert refused == []
    assert result["for"] == 9200 + 4300


def test_a_reserved_matter_cannot_be_decided_by_a_committee(store: Store) -> None:
    build(store)
    number = meeting(store, "governing_body", "dr-patel", ["lay-okafor"])
    with pytest.raises(Refused, match="reserved to the members"):
        item(store, number, "dr-patel", "constitution_change")
    pccc = meeting(store, "pccc", "lay-okafor", PCCC)
    with pytest.raises(Refused, match="no delegation"):
        item(store, pccc, "lay-okafor", "commissioning_plan")


def test_lmc_consultation_is_required_before_the_vote(store: Store) -> None:
    build(store)
    number = meeting(store, "pccc", "lay-okafor", PCCC)
    on = item(store, number, "lay-okafor", "local_incentive_scheme")
    do(store, "take_declarations", actor="lay-okafor", item=on)
    with pytest.raises(Refused, match="Local Medical Committee has not been consulted"):
        do(store, "call_vote", actor="lay-okafor", item=on)
    do(
        store,
        "record_lmc_consultation",
        actor="lay-okafor",
        item=on,
        response="supports",
        consulted_on=date(2017, 5, 1),
    )
    assert do(store, "call_vote", actor="lay-okafor", item=on).effect["quorate"] is True


def test_an_invalid_governing_body_is_refused_with_every_broken_rule(store: Store) -> None:
    build(store)
    do(
        store,
        "register_organisation",
        key="north-csu",
        name="North CSU",
        kind="commissioning_support",
    )
    do(store, "affiliate", person="lay-wood", organisation="north-csu", relation="shareholder")
    do(store, "affiliate", person="nurse-evans", organisation="acme-health", relation="employee")
    before = audit_length(store)
    proposed = [
        {"person": "dr-patel", "roles": ["chair", "gp"]},
        {"person": "lay-wood", "roles": ["lay_ppi"]},
        {"person": "ao-smith", "roles": ["accountable_officer"]},
        {"person": "nurse-evans", "roles": ["nurse"]},
        {"person": "dr-ng", "roles": ["lay_audit"]},
    ]
    with pytest.raises(Refused) as refused:
        do(store, "constitute_governing_body", members=proposed, on=date(2017, 6, 1))
    broken = {d["rule"] for d in refused.value.details}
    assert broken == {
        "size",  # 5 < 6
        "deputy_chair",
        "cfo",
        "secondary_care_doctor",
        "lay_ppi",  # lay-wood does not know the area
        "lay_audit",  # dr-ng has no audit expertise
        "nurse_out_of_area",  # employed by a provider serving the area
        "lay_exclusions",  # dr-ng is a partner in a practice the Board commissions
        "commissioning_support",  # lay-wood holds shares in the CSU
        "three_lay_members",  # 2017: at least three lay members
        "coi_guardian",
    }
    for detail in refused.value.details:
        assert detail["citation"]
    assert audit_length(store) == before
    with store.reading() as session:
        seated = set(
            session.scalars(
                select(models.Membership.person).where(
                    models.Membership.committee == "governing_body"
                )
            )
        )
    assert {"nurse-evans", "ao-smith"} <= seated
    assert "dr-ng" not in seated
