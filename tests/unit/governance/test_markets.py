"""Any qualified provider and commissioning support, in scenarios from the rules (domain §6-7),
on SQLite and PostgreSQL:

- a provider qualifies only on its evidence; a choice list never omits a qualified provider,
  and never offers one that is not; there is no price or volume in a qualification;
- commissioning support's staff and owners are barred from the governing body, and the
  dependence on outside support is the share of functions and cost placed outside.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from consortia.errors import DataError
from consortia.governance import support
from consortia.governance.aqp import choice_list, referrals, register
from consortia.store.session import Store
from tests.unit.governance.ccg import build, do, refused

PROVIDERS = [
    ("acme-health", "Acme Health Ltd", "independent_provider"),
    ("zeta-hearing", "Zeta Hearing CIC", "independent_provider"),
    ("north-trust", "North NHS Trust", "nhs_trust"),
    ("bay-ft", "Bay NHS Foundation Trust", "foundation_trust"),
]


def evidence(**changes: Any) -> dict[str, Any]:
    return {
        "cqc_registration": "1-1001",
        "monitor_licence": "IPL-17",
        "standard_contract_signed_on": date(2017, 3, 1),
        "quality_assured_on": date(2017, 3, 15),
        "valid_from": date(2017, 4, 1),
        "valid_to": date(2018, 3, 31),
    } | changes


def hearing(store: Store) -> None:
    build(store)
    for key, name, kind in PROVIDERS[1:]:
        do(store, "register_organisation", key=key, name=name, kind=kind, serves_area=True)
    do(
        store,
        "open_aqp_service",
        actor="cfo-jones",
        key="adult-hearing",
        title="Adult hearing services in the community",
        tariff_pence=24_500,
        referral_protocol="Adults over 55 with gradual hearing loss, after wax is excluded",
        opened_on=date(2017, 4, 1),
        activity={"dataset": "op", "where": {"treatment_function": ["840"]}},  # audiology
    )


def qualify(store: Store, provider: str, **changes: Any) -> Any:
    return do(
        store,
        "qualify_provider",
        actor="cfo-jones",
        service="adult-hearing",
        provider=provider,
        **evidence(**changes),
    )


def refer(store: Store, offered: list[str], chosen: str, on: date = date(2017, 6, 1)) -> Any:
    return do(
        store,
        "refer_to_aqp_service",
        actor="dr-lee",
        service="adult-hearing",
        practice="Y00002",
        referred_on=on,
        offered=offered,
        chosen=chosen,
    )


def test_a_choice_list_is_every_qualified_provider_and_never_omits_one(store: Store) -> None:
    hearing(store)
    qualify(store, "zeta-hearing")
    qualify(store, "acme-health")
    qualify(store, "north-trust", monitor_licence=None)
    qualify(store, "bay-ft", valid_from=date(2017, 9, 1))  # not yet qualified in June
    with store.reading() as session:
        june = choice_list(session, "adult-hearing", date(2017, 6, 1))
        october = choice_list(session, "adult-hearing", date(2017, 10, 1))
    # By name, never by price: every provider is paid the tariff.
    assert june == ["acme-health", "north-trust", "zeta-hearing"]
    assert october == ["acme-health", "bay-ft", "north-trust", "zeta-hearing"]
    error = refused(
        store,
        "refer_to_aqp_service",
        actor="dr-lee",
        service="adult-hearing",
        practice="Y00002",
        referred_on=date(2017, 6, 1),
        offered=["acme-health", "north-trust"],
        chosen="acme-health",
    )
    assert error.rule == "a choice list never omits a qualified provider (DH AQP guidance 2011)"
    assert "zeta-hearing" in error.message
    error = refused(
        store,
        "refer_to_aqp_service",
        actor="dr-lee",
        service="adult-hearing",
        practice="Y00002",
        referred_on=date(2017, 6, 1),
        offered=[*june, "bay-ft"],
        chosen="bay-ft",
    )
    assert error.rule == "only qualified providers are offered"
    accepted = refer(store, list(reversed(june)), "zeta-hearing").effect
    assert accepted["offered"] == june
    assert accepted["chosen"] == "zeta-hearing"


@pytest.mark.parametrize(
    ("provider", "changes", "found"),
    [
        ("acme-health", {"monitor_licence": None}, "has no Monitor licence"),
        ("bay-ft", {"monitor_licence": None}, "has no Monitor licence"),
        ("acme-health", {"cqc_registration": "  "}, "has no CQC registration"),
        (
            "acme-health",
            {"standard_contract_signed_on": date(2017, 5, 1)},
            "the NHS Standard Contract was signed on 2017-05-01",
        ),
        ("acme-health", {"quality_assured_on": date(2017, 4, 2)}, "quality was assured"),
        ("a-csu", {}, "(commissioning_support) is not a provider"),
        ("no-such-body", {}, "no organisation 'no-such-body'"),
    ],
)
def test_a_provider_qualifies_only_on_its_evidence(
    store: Store, provider: str, changes: dict[str, Any], found: str
) -> None:
    hearing(store)
    do(store, "register_organisation", key="a-csu", name="A CSU", kind="commissioning_support")
    error = refused(
        store,
        "qualify_provider",
        actor="cfo-jones",
        service="adult-hearing",
        provider=provider,
        **evidence(**changes),
    )
    assert found in error.message
    if provider != "no-such-body":
        assert str(error.rule).startswith("AQP qualification")


def test_a_qualification_has_no_price_or_volume(store: Store) -> None:
    hearing(store)
    for extra in ({"price_pence": 20_000}, {"guaranteed_volume": 500}):
        error = refused(
            store,
            "qualify_provider",
            actor="cfo-jones",
            service="adult-hearing",
            provider="acme-health",
            **evidence(),
            **extra,
        )
        assert error.rule == "extra_forbidden"


def test_a_support_suppliers_staff_cannot_sit_on_the_governing_body(store: Store) -> None:
    build(store)
    do(store, "register_organisation", key="optimal", name="Optimal Ltd", kind="other")
    do(store, "affiliate", person="lay-wood", organisation="optimal", relation="director")
    error = refused(
        store,
        "record_support_arrangement",
        actor="cfo-jones",
        year="2017/18",
        model="private_firm",
        supplier="optimal",
        functions=["business_intelligence"],
        cost_pounds=400_000,
    )
    assert "lay-wood (director)" in error.message
    assert "Schedule 5" in str(error.rule)


def test_commissioning_decisions_are_not_a_support_function(store: Store) -> None:
    build(store)
    error = refused(
        store,
        "record_support_arrangement",
        actor="cfo-jones",
        year="2017/18",
        model="in_house",
        functions=["commissioning_decisions"],
        cost_pounds=1,
    )
    assert error.rule == "enum"


def test_dependence_is_the_share_placed_outside(store: Store) -> None:
    build(store)
    do(store, "register_organisation", key="north-csu", name="North CSU", kind="other")
    arrangements = [
        ("2016/17", "in_house", None, ["finance", "hr", "procurement"], 300_000),
        ("2016/17", "support_unit", "north-csu", ["business_intelligence"], 100_000),
        ("2017/18", "in_house", None, ["finance"], 150_000),
        (
            "2017/18",
            "support_unit",
            "north-csu",
            ["business_intelligence", "hr", "procurement"],
            450_000,
        ),
    ]
    for year, model, supplier, functions, cost in arrangements:
        do(
            store,
            "record_support_arrangement",
            actor="cfo-jones",
            year=year,
            model=model,
            supplier=supplier,
            functions=functions,
            cost_pounds=cost,
        )
    error = refused(
        store,
        "record_support_arrangement",
        actor="cfo-jones",
        year="2017/18",
        model="private_firm",
        supplier="north-csu",
        functions=["hr"],
        cost_pounds=1,
    )
    assert error.rule == "one arrangement performs a function in a year"
    with store.reading() as session:
        shown = support.dependence(session, list_size=32_000)
    # 2016/17: 1 of 4 functions, £100k of £400k; 2017/18: 3 of 4, £450k of £600k.
    assert [(y["year"], y["functions_outside"], y["functions"]) for y in shown] == [
        ("2016/17", 1, 4),
        ("2017/18", 3, 4),
    ]
    assert [y["share_of_cost_outside"] for y in shown] == [0.25, 0.75]
    assert [y["cost_per_head_pounds"] for y in shown] == [12.5, 18.75]


def test_the_record_is_the_register(store: Store) -> None:
    """The register read from the record for a year: the service with its activity and tariff
    in pounds, every provider qualified on any day of the year by its ODS code (one qualified
    only from September counts; one whose qualification ended before the year does not), and
    the referrals by provider chosen."""
    hearing(store)
    do(store, "register_organisation", key="ods-holder", name="Holder Ltd",
       kind="independent_provider", ods_code="NQ1")  # fmt: skip
    error = refused(store, "register_organisation", key="copycat", name="Copycat Ltd",
                    kind="independent_provider", ods_code="NQ1")  # fmt: skip
    assert error.rule == "an ODS code names one body"
    do(store, "register_organisation", key="bay-clinics", name="Bay Clinics Ltd",
       kind="independent_provider", ods_code="NB1")  # fmt: skip
    qualify(store, "zeta-hearing")  # 2017/18 only, and no ODS code
    with store.reading() as session, pytest.raises(DataError) as raised:
        register(session, date(2017, 4, 1), date(2018, 4, 1))
    assert "zeta-hearing, qualified for adult-hearing, has no ODS code" in str(raised.value)
    assert raised.value.rule == "a qualified provider is found in the lake by its ODS code"

    next_year = {"valid_from": date(2018, 4, 1), "valid_to": date(2019, 3, 31)}
    qualify(store, "bay-clinics", **{**next_year, "valid_from": date(2018, 9, 1)})
    qualify(store, "ods-holder", **next_year)
    both = ["bay-clinics", "ods-holder"]
    refer(store, ["ods-holder"], "ods-holder", on=date(2018, 5, 2))
    refer(store, both, "ods-holder", on=date(2018, 10, 2))
    refer(store, both, "bay-clinics", on=date(2018, 12, 2))
    with store.reading() as session:
        services = register(session, date(2018, 4, 1), date(2019, 4, 1))
        chosen = referrals(session, date(2018, 4, 1), date(2019, 4, 1))
        before = register(session, date(2016, 4, 1), date(2017, 4, 1))
    assert services == [
        {
            "id": "adult-hearing",
            "title": "Adult hearing services in the community",
            "activity": {"dataset": "op", "where": {"treatment_function": ["840"]}},
            "tariff": 245.0,
            "providers": ["NB1", "NQ1"],
        }
    ]
    assert chosen == [
        {"service": "adult-hearing", "provider": "NB1", "referrals": 1},
        {"service": "adult-hearing", "provider": "NQ1", "referrals": 2},
    ]
    assert before == []  # the service opened in April 2017
