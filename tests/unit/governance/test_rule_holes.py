"""Scenarios written from the rules for holes that let a decision walk around them.

- Matters are a closed vocabulary declared in the constitution: a misspelt matter would
  otherwise skip the reserved-matter rule and the LMC consultation duty, so it is refused, with
  the matters the constitution knows and the nearest one.
- Conflicts come from everything the record knows (s14O; 2017 guidance: interests include
  partnership in a GP practice, employment, shareholdings and directorships): a partner or
  employee of an affected practice, or a shareholder or director of an affected organisation,
  is raised without any register entry.
- The chair decides on each interest (2014 guidance); a ruling that a registered financial
  interest is no conflict records its grounds, and the constitution may forbid it.
- The LMC's view is a response given before the decision: a blank one, or one dated after the
  meeting, does not satisfy the duty to consult.
- Hospitality over £75 is refused unless a senior officer approves (2017 guidance): the
  approval is recorded (who, when, why) before the hospitality is accepted.
- A meeting is held under an adopted constitution: none before its adoption.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from consortia.governance.actions import Refused
from consortia.governance.meetings import minutes
from consortia.store import models
from consortia.store.session import Store
from tests.unit.governance.ccg import (
    build,
    constitution,
    declare_financial,
    do,
    item,
    meeting,
    refused,
    table_counts,
)

PCCC = ["lay-brown", "ao-smith", "cfo-jones", "dr-patel", "dr-ng"]


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


def test_partners_employees_and_shareholders_of_affected_organisations_are_raised(
    store: Store,
) -> None:
    build(store)
    do(store, "affiliate", person="cfo-jones", organisation="acme-health", relation="shareholder")
    number = meeting(store, "governing_body", "lay-okafor", ["dr-lee", "cfo-jones", "ao-smith"])
    on = item(store, number, "lay-okafor", "procurement", affects=["Y00002", "acme-health"])
    taken = do(store, "take_declarations", actor="lay-okafor", item=on, declarations=[])
    assert taken.effect["declarations"] == [
        {"person": "cfo-jones", "source": "affiliation", "organisation": "acme-health"},
        {"person": "dr-lee", "source": "practice", "organisation": "Y00002"},
    ]
    error = refused(store, "call_vote", actor="lay-okafor", item=on)
    assert "cfo-jones, dr-lee" in error.message
    with store.reading() as session:
        recorded = minutes(session, number)["items"][0]["declarations"]
    assert {(d["person"], d["description"]) for d in recorded} == {
        ("cfo-jones", "shareholder of acme-health"),
        ("dr-lee", "employee of Y00002"),
    }


def test_a_gp_partner_of_an_affected_practice_is_raised_without_a_register_entry(
    store: Store,
) -> None:
    build(store)
    number = meeting(store, "pccc", "lay-okafor", PCCC)
    on = item(store, number, "lay-okafor", "practice_merger", affects=["Y00004"])
    taken = do(store, "take_declarations", actor="lay-okafor", item=on)
    assert taken.effect["declarations"] == [
        {"person": "dr-ng", "source": "practice", "organisation": "Y00004"}
    ]


def shareholder_before_the_pccc(store: Store) -> tuple[int, int]:
    """A PCCC meeting and an item affecting Acme Health, declarations taken, with ao-smith
    holding registered shares in it: the meeting's number and the item's."""
    declare_financial(store, "ao-smith", "shares in Acme Health")
    number = meeting(store, "pccc", "lay-okafor", PCCC)
    on = item(store, number, "lay-okafor", "enhanced_services", affects=["acme-health"])
    do(store, "take_declarations", actor="lay-okafor", item=on)
    return number, on


def rule_on_shares(on: int, ruling: str, grounds: str | None = None) -> dict[str, Any]:
    """The arguments of the chair's ruling on ao-smith's shares for the item."""
    return {"actor": "lay-okafor", "item": on, "person": "ao-smith", "ruling": ruling} | (
        {} if grounds is None else {"grounds": grounds}
    )


def test_no_conflict_on_a_registered_financial_interest_needs_grounds(store: Store) -> None:
    build(store)
    number, on = shareholder_before_the_pccc(store)
    for grounds in (None, "   "):
        error = refused(store, "rule_on_conflict", **rule_on_shares(on, "none", grounds))
        assert error.rule == "a ruling of no conflict on a financial interest records its grounds"
    reason = "a 0.01% holding in a listed company; the contract is not material to it"
    do(store, "rule_on_conflict", **rule_on_shares(on, "none", reason))
    assert "ao-smith" in do(store, "call_vote", actor="lay-okafor", item=on).effect["entitled"]
    do(store, "cast_vote", actor="ao-smith", item=on, choice="for")
    with store.reading() as session:
        assert minutes(session, number)["items"][0]["grounds"] == {"ao-smith": reason}


def test_the_constitution_can_forbid_no_conflict_on_a_financial_interest(store: Store) -> None:
    build(store, conflicts={**constitution()["conflicts"], "no_conflict_on_financial": "forbidden"})
    _, on = shareholder_before_the_pccc(store)
    error = refused(store, "rule_on_conflict", **rule_on_shares(on, "none", "small holding"))
    assert error.rule == "conflicts.no_conflict_on_financial: forbidden (constitution)"
    do(store, "rule_on_conflict", **rule_on_shares(on, "discuss_not_vote"))


@pytest.mark.parametrize(
    ("response", "consulted_on", "rule"),
    [
        ("", date(2017, 5, 1), "an LMC consultation records the LMC's view (a non-empty response)"),
        (
            "  \n ",
            date(2017, 5, 1),
            "an LMC consultation records the LMC's view (a non-empty response)",
        ),
        ("supports", date(2017, 6, 20), "the LMC is consulted before the decision"),
    ],
)
def test_a_blank_or_late_lmc_view_is_refused_and_does_not_open_the_vote(
    store: Store, response: str, consulted_on: date, rule: str
) -> None:
    build(store)
    number = meeting(store, "pccc", "lay-okafor", PCCC)  # held on 2017-05-10
    on = item(store, number, "lay-okafor", "local_incentive_scheme")
    do(store, "take_declarations", actor="lay-okafor", item=on)
    error = refused(
        store,
        "record_lmc_consultation",
        actor="lay-okafor",
        item=on,
        response=response,
        consulted_on=consulted_on,
    )
    assert error.rule == rule
    assert refused(store, "call_vote", actor="lay-okafor", item=on).rule == (
        "the constitution requires LMC consultation on this matter"
    )
    do(
        store,
        "record_lmc_consultation",
        actor="lay-okafor",
        item=on,
        response="supports, subject to the scheme's review in a year",
        consulted_on=date(2017, 5, 10),  # the day of the meeting, before the decision
    )
    assert do(store, "call_vote", actor="lay-okafor", item=on).effect["quorate"] is True


HOSPITALITY = {"kind": "hospitality", "value_pence": 9_000, "donor": "acme-health"}
OFFERED = date(2017, 6, 1)


def approve(store: Store, actor: str, **changes: object) -> int:
    arguments: dict[str, object] = {
        "person": "dr-lee",
        "value_pence": 9_000,
        "donor": "acme-health",
        "offered_on": OFFERED,
        "approved_on": date(2017, 5, 30),
        "grounds": "speaking at the provider's clinical conference; dinner for speakers",
    }
    arguments.update(changes)
    return int(do(store, "approve_hospitality", actor=actor, **arguments).effect["approval"])


def test_hospitality_above_the_limit_is_refused_until_a_senior_officer_approves(
    store: Store,
) -> None:
    build(store)
    offer = do(store, "record_gift", actor="dr-lee", offered_on=OFFERED, **HOSPITALITY)
    assert offer.effect["outcome"] == "refuse_unless_senior_approval"  # £90 > £75
    # Only a senior officer approves, never their own hospitality, and always says why.
    for actor, changes, rule in (
        (
            "lay-wood",
            {},
            "hospitality above the limit is approved by a senior officer (2017 guidance)",
        ),
        ("cfo-jones", {"person": "cfo-jones"}, "approval by another"),
        ("ao-smith", {"grounds": " "}, "a senior approval records its grounds"),
        (
            "ao-smith",
            {"value_pence": 7_000},
            "only hospitality above the limit needs senior approval",
        ),
    ):
        before = table_counts(store)
        with pytest.raises(Refused) as raised:
            approve(store, actor, **changes)
        assert (raised.value.rule, table_counts(store)) == (rule, before)
    approval = approve(store, "ao-smith")
    # The approval covers the hospitality it names, and nothing dearer or on another day.
    others: list[dict[str, object]] = [{"value_pence": 9_500}, {"offered_on": date(2017, 6, 2)}]
    for other in others:
        arguments = {**HOSPITALITY, "offered_on": OFFERED, **other}
        error = refused(store, "record_gift", actor="dr-lee", approval=approval, **arguments)
        assert error.rule == "a senior approval covers the hospitality it names"
    error = refused(
        store, "record_gift", actor="dr-ng", approval=approval, offered_on=OFFERED, **HOSPITALITY
    )
    assert error.rule == "a senior approval covers the hospitality it names"
    accepted = do(
        store, "record_gift", actor="dr-lee", approval=approval, offered_on=OFFERED, **HOSPITALITY
    )
    assert accepted.effect["outcome"] == "accept_with_senior_approval"
    with store.reading() as session:
        recorded = session.get_one(models.HospitalityApproval, approval)
        assert (recorded.approved_by, recorded.person) == ("ao-smith", "dr-lee")


def test_a_meeting_before_the_constitution_was_adopted_is_refused(store: Store) -> None:
    build(store)  # adopted on 2017-04-01
    error = refused(
        store, "open_meeting", actor="lay-okafor", committee="pccc", held_on=date(2017, 3, 31)
    )
    assert error.rule == "meetings are held under an adopted constitution"
    opened = do(
        store, "open_meeting", actor="lay-okafor", committee="pccc", held_on=date(2017, 4, 1)
    )
    assert opened.effect["chair"] == "lay-okafor"
