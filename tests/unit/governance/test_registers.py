"""The published registers and late declarations, through the actions, on both databases."""

from __future__ import annotations

from datetime import date

from consortia.governance.registers import published_register
from consortia.store.session import Store
from tests.unit.governance.ccg import build, declare_financial, do


def test_published_register_holds_decision_makers_and_anonymised_breaches(store: Store) -> None:
    build(store)
    late = do(
        store,
        "declare_interest",
        actor="dr-lee",
        type="non_financial_professional",
        description="adviser to a charity",
        starts=date(2016, 1, 1),
        aware_on=date(2017, 1, 1),
        declared_on=date(2017, 3, 1),
    )
    assert late.effect["late"] is True
    declare_financial(
        store,
        "dr-moss",
        "shares in Acme Health",
        aware_on=date(2017, 1, 1),
        declared_on=date(2017, 1, 2),
    )
    gift = do(
        store,
        "record_gift",
        actor="cfo-jones",
        kind="hospitality",
        value_pence=9_000,
        donor="acme-health",
        offered_on=date(2017, 2, 1),
    )
    assert gift.effect["outcome"] == "refuse_unless_senior_approval"
    do(store, "confirm_interests", actor="dr-lee", confirmed_on=date(2017, 3, 1))
    with store.reading() as session:
        register = published_register(session, date(2017, 6, 1))
    people = [entry["person"] for entry in register["interests"]]
    assert people == ["dr-lee"]  # dr-moss holds no voting seat: not a decision-maker
    assert register["breaches"] == [
        {
            "occurred_on": "2017-03-01",
            "description": "interest declared 59 days after the person became aware (within 28 "
            "required)",
        }
    ]
    assert register["gifts_and_hospitality"][0]["value"] == "£90.00"
    assert "dr-lee" not in register["confirmation_due"]
    assert "dr-patel" in register["confirmation_due"]
