"""Co-commissioning of primary care and the quality premium's use, in scenarios from the rules
(domain §0, §3.4-3.5, §4), on SQLite and PostgreSQL:

- under "greater involvement" NHS England decides a practice merger; under "delegated" the CCG
  does, in a primary care commissioning committee with a lay chair and a lay and executive
  majority;
- what NHS England reserves (GP performance, complaints, capital...) no CCG body decides;
- a CCG awarding a GP core contract is refused unless its constitution allows it (off by
  default);
- the premium is never a bonus to practices; it may fund an incentive scheme that says what
  practices do for it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from consortia.governance.constitution import CORE_CONTRACT_AWARD
from consortia.store.session import Store
from tests.unit.governance.ccg import build, constitution, do, meeting, refused

PCCC = ["lay-okafor", "lay-brown", "ao-smith", "cfo-jones", "dr-patel", "dr-ng"]


def level(name: str, **policy: Any) -> dict[str, Any]:
    """The example's primary-care policy at another co-commissioning level."""
    return {"co_commissioning": name, "committee": "pccc"} | policy


def merger_item(store: Store, committee: str = "pccc", chair: str = "lay-okafor") -> Any:
    number = meeting(store, committee, chair, PCCC if committee == "pccc" else [chair])
    return do(
        store,
        "add_item",
        actor=chair,
        meeting=number,
        title="Merger of Hillview and Station Road",
        decides="practice_merger",
        affects=["Y00003", "Y00004"],
    )


def test_under_greater_involvement_a_ccg_cannot_approve_a_merger(store: Store) -> None:
    build(store, primary_care={"co_commissioning": "greater_involvement"})
    number = meeting(store, "governing_body", "dr-patel", ["dr-patel", "ao-smith"])
    error = refused(
        store,
        "add_item",
        actor="dr-patel",
        meeting=number,
        title="Merger",
        decides="practice_merger",
    )
    assert "NHS England decides 'practice_merger'" in error.message
    assert "primary_care.co_commissioning" in str(error.rule)


def test_under_delegation_a_properly_composed_committee_decides_a_merger(store: Store) -> None:
    build(store, primary_care=level("delegated"))
    on = int(merger_item(store).effect["item"])
    do(store, "take_declarations", actor="lay-okafor", item=on)
    for person in ("dr-ng",):  # a partner at Station Road: raised from the record
        do(store, "rule_on_conflict", actor="lay-okafor", item=on, person=person, ruling="exclude")
    do(store, "call_vote", actor="lay-okafor", item=on)
    for person in ("lay-okafor", "lay-brown", "ao-smith", "cfo-jones"):
        do(store, "cast_vote", actor=person, item=on, choice="for")
    assert do(store, "close_item", actor="lay-okafor", item=on).effect["outcome"] == "carried"


def test_joint_commissioning_decides_in_its_committee_too(store: Store) -> None:
    build(store, primary_care=level("joint"))
    assert merger_item(store).effect["decides"] == "practice_merger"


def test_a_committee_without_a_lay_chair_cannot_take_delegated_decisions(store: Store) -> None:
    build(store, primary_care=level("delegated"))
    do(store, "appoint", person="dr-ng", committee="pccc", role="chair")  # a GP chairs too
    number = meeting(store, "pccc", "lay-okafor", PCCC)
    error = refused(
        store,
        "add_item",
        actor="lay-okafor",
        meeting=number,
        title="Merger",
        decides="practice_merger",
    )
    assert error.rule == (
        "a primary care commissioning committee has a lay chair and a lay and executive majority"
    )


def test_a_gp_majority_cannot_take_delegated_decisions(store: Store) -> None:
    build(store, primary_care=level("delegated"))
    for person in ("dr-lee", "dr-moss", "dr-ash"):
        do(store, "appoint", person=person, committee="pccc", role="gp")
    # 2 lay + 2 executive of 9 votes: not a majority.
    error = refused(
        store,
        "add_item",
        actor="lay-okafor",
        meeting=meeting(store, "pccc", "lay-okafor", PCCC),
        title="Merger",
        decides="practice_merger",
    )
    assert "4 lay and executive votes of 9" in error.message


@pytest.mark.parametrize("matter", ["performers_list", "primary_care_complaints"])
def test_what_nhs_england_reserves_no_ccg_body_decides(store: Store, matter: str) -> None:
    build(store, primary_care=level("delegated"))
    number = meeting(store, "governing_body", "dr-patel", ["dr-patel", "ao-smith"])
    error = refused(
        store, "add_item", actor="dr-patel", meeting=number, title=matter, decides=matter
    )
    assert "stays with NHS England" in error.message


def test_a_core_contract_award_is_refused_by_default(store: Store) -> None:
    build(store, primary_care=level("delegated"))
    number = meeting(store, "governing_body", "dr-patel", ["dr-patel", "ao-smith"])
    error = refused(
        store,
        "add_item",
        actor="dr-patel",
        meeting=number,
        title="APMS contract for a new practice",
        decides=CORE_CONTRACT_AWARD,
    )
    assert (
        error.rule == "GP core contracts are not held by CCGs (LMC conference 2014; constitution)"
    )


def test_a_core_contract_award_where_the_constitution_allows_it(store: Store) -> None:
    build(store, primary_care=level("delegated", may_hold_core_contracts=True))
    number = meeting(store, "governing_body", "dr-patel", ["dr-patel", "ao-smith"])
    added = do(
        store,
        "add_item",
        actor="dr-patel",
        meeting=number,
        title="APMS contract for a new practice",
        decides=CORE_CONTRACT_AWARD,
    )
    assert added.effect["decides"] == CORE_CONTRACT_AWARD


def test_joint_or_delegated_names_its_committee() -> None:
    from pydantic import ValidationError

    from consortia.governance.constitution import Constitution

    data = constitution(primary_care={"co_commissioning": "delegated"})
    with pytest.raises(ValidationError, match=r"primary_care\.committee: no committee named"):
        Constitution.model_validate(data)
    data = constitution(primary_care={"co_commissioning": "joint", "committee": "nope"})
    with pytest.raises(ValidationError, match="no committee 'nope'"):
        Constitution.model_validate(data)


def paid(store: Store, amount: int = 500_000) -> None:
    build(store)
    do(
        store,
        "record_premium_payment",
        actor="cfo-jones",
        year="2014/15",
        amount_pounds=amount,
        received_on=date(2015, 9, 1),
    )


def spend(store: Store, **arguments: Any) -> Any:
    return do(
        store,
        "spend_premium",
        actor="cfo-jones",
        **(
            {
                "year": "2014/15",
                "description": "Community hub",
                "amount_pounds": 100_000,
                "decided_on": date(2015, 9, 10),
            }
            | arguments
        ),
    )


def refuse_spend(store: Store, **arguments: Any) -> Any:
    return refused(
        store,
        "spend_premium",
        actor="cfo-jones",
        **(
            {
                "year": "2014/15",
                "description": "x",
                "amount_pounds": 100_000,
                "decided_on": date(2015, 9, 10),
            }
            | arguments
        ),
    )


def test_a_bonus_to_practices_from_the_premium_is_refused(store: Store) -> None:
    paid(store)
    error = refuse_spend(store, purpose="practice_bonus", recipient="Y00001")
    assert error.message == "the quality premium is never paid to practices as a bonus"
    assert "no bonus" in str(error.rule)
    # A payment to a practice under another name is a bonus too.
    error = refuse_spend(store, purpose="quality_improvement", recipient="Y00002")
    assert "would be a bonus" in error.message


def test_an_incentive_scheme_says_what_practices_do(store: Store) -> None:
    paid(store)
    refuse_spend(store, purpose="practice_incentive_scheme", recipient="Y00001", conditions=" ")
    accepted = spend(
        store,
        purpose="practice_incentive_scheme",
        recipient="Y00001",
        conditions="£20 for each completed annual review of a patient with diabetes",
    )
    assert accepted.effect["left_pounds"] == 400_000


def test_the_premium_is_spent_on_quality_within_what_was_paid(store: Store) -> None:
    paid(store, amount=250_000)
    assert spend(store, purpose="quality_improvement").effect["left_pounds"] == 150_000
    assert spend(store, purpose="reducing_inequalities").effect["left_pounds"] == 50_000
    error = refuse_spend(store, purpose="quality_improvement", amount_pounds=50_001)
    assert error.message == "£50,001 is more than the £50,000 of the 2014/15 premium left"


@pytest.mark.parametrize(
    ("arguments", "rule"),
    [
        ({"year": "2015/16", "purpose": "quality_improvement"}, "a premium received"),
        (
            {"purpose": "quality_improvement", "decided_on": date(2015, 8, 1)},
            "the premium is spent once received",
        ),
        ({"purpose": "quality_improvement", "amount_pounds": 2**63}, "less_than_equal"),
    ],
)
def test_a_refused_spend_names_its_rule(store: Store, arguments: dict[str, Any], rule: str) -> None:
    paid(store)
    assert refuse_spend(store, **arguments).rule == rule


def test_a_premium_is_paid_after_the_year_it_rewards(store: Store) -> None:
    build(store)
    error = refused(
        store,
        "record_premium_payment",
        actor="cfo-jones",
        year="2014/15",
        amount_pounds=1,
        received_on=date(2015, 3, 1),
    )
    assert error.rule == "the premium is paid in the year after the performance it rewards"
