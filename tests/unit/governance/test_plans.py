"""The commissioning plan, in scenarios written from the rules (domain §0, §2.1-2.4), on SQLite
and PostgreSQL:

- a clinical senate advises and never blocks ("senates should be only advisory");
- a Health and Wellbeing Board gives its opinion on whether the draft takes proper account of
  the joint strategy and may refer it to the NHS Commissioning Board: no veto, but the referral
  opens an item the Board sees, and the published plan states the board's final opinion;
- the governing body approves only a plan that cites its evidence, whose members were engaged
  as the constitution says, on which the LMC was consulted where the constitution asks, on
  which each relevant board gave its opinion, and whose adverse opinion the CCG answered;
- every refusal names its rule and changes nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from consortia.governance import state
from consortia.governance.actions import Outcome, Refused
from consortia.governance.plans import PLAN_MATTER
from consortia.governance.roles import PERMISSIONS, Who
from consortia.store import models
from consortia.store.session import Store
from tests.unit.governance import ccg
from tests.unit.governance.ccg import constitution, meeting

HWB = "northborough-hwb"
LMC = "northborough-lmc"
SENATE = "wessex-senate"
BOARD = "nhs-cb"
GB = ["dr-patel", "lay-okafor", "lay-brown", "ao-smith", "cfo-jones", "nurse-evans", "dr-khan"]
DRAFTED = date(2017, 4, 20)
HASH = "ab" * 32


CLERK = "ao-smith"  # who records the plan's steps (a person on the register)


def do(store: Store, action: str, /, **arguments: Any) -> Outcome:
    """`ccg.do`, a registered person recording where the action needs one."""
    if PERMISSIONS[action] is not Who.OPERATOR:
        arguments.setdefault("actor", CLERK)
    return ccg.do(store, action, **arguments)


def refused(store: Store, action: str, /, **arguments: Any) -> Refused:
    """`ccg.refused`, a registered person recording where the action needs one."""
    if PERMISSIONS[action] is not Who.OPERATOR:
        arguments.setdefault("actor", CLERK)
    return ccg.refused(store, action, **arguments)


def build_ccg(store: Store, *, engagement: str = "consultation", **changes: Any) -> None:
    """The scenario CCG, its constitution asking for the LMC's view on the plan and naming its
    Health and Wellbeing Board, with the bodies a plan passes registered."""
    from tests.unit.governance.ccg import build

    lmc = constitution()["lmc"]
    lmc["consult_on"] = [*lmc["consult_on"], PLAN_MATTER]
    planning = {"member_engagement": engagement, "health_and_wellbeing_boards": [HWB]}
    build(store, lmc=lmc, planning=planning, **changes)
    for key, name, kind in (
        (LMC, "Northborough LMC", "lmc"),
        (HWB, "Northborough Health and Wellbeing Board", "health_and_wellbeing_board"),
        (SENATE, "Wessex Clinical Senate", "clinical_senate"),
        (BOARD, "NHS Commissioning Board", "nhs_commissioning_board"),
    ):
        do(store, "register_organisation", key=key, name=name, kind=kind)


def draft(store: Store, period: str = "2018/19") -> int:
    """A draft plan of two service lines; returns its number."""
    drafted = do(
        store,
        "draft_plan",
        period=period,
        title=f"Commissioning plan {period}",
        drafted_on=DRAFTED,
        intentions=[
            {"service": "Community diabetes service", "activity": 1200, "spend_pounds": 450_000},
            {"service": "Elective orthopaedics", "activity": 900, "spend_pounds": 5_400_000},
        ],
    )
    return int(drafted.effect["plan"])


def cite(store: Store, plan: int) -> None:
    do(
        store,
        "cite_evidence",
        plan=plan,
        cited_on=date(2017, 4, 21),
        evidence=[{"figure": "activity_rates", "title": "Activity", "ccg": "99X", "sha256": HASH}],
    )


def consult_members(store: Store, plan: int) -> None:
    do(
        store,
        "consult_members",
        plan=plan,
        opened_on=date(2017, 4, 21),
        closed_on=date(2017, 5, 1),
        summary="Four practices responded; all support the diabetes service.",
    )


def consult_lmc(store: Store, plan: int) -> None:
    do(
        store,
        "consult_lmc",
        plan=plan,
        consulted_on=date(2017, 5, 2),
        response="The LMC supports the plan and asks for the workload to be funded.",
    )


def opinion(store: Store, plan: int, view: str, on: date = date(2017, 5, 3)) -> None:
    do(
        store,
        "record_hwb_opinion",
        plan=plan,
        board=HWB,
        given_on=on,
        opinion=view,
        statement="The board's view of the draft against the joint strategy.",
    )


def ready(store: Store) -> int:
    """A draft plan with every step the governing body needs, the board supportive."""
    plan = draft(store)
    cite(store, plan)
    consult_members(store, plan)
    consult_lmc(store, plan)
    opinion(store, plan, "takes_proper_account")
    return plan


def table(store: Store, plan: int) -> int:
    """A governing-body meeting with the plan on its agenda, declarations taken; the item."""
    number = meeting(store, "governing_body", "dr-patel", GB)
    added = do(
        store,
        "add_item",
        actor="dr-patel",
        meeting=number,
        title="Commissioning plan",
        decides=PLAN_MATTER,
        plan=plan,
    )
    on = int(added.effect["item"])
    do(store, "take_declarations", actor="dr-patel", item=on, declarations=[])
    return on


def approve(store: Store, on: int, chair: str = "dr-patel", voters: list[str] = GB) -> Any:
    do(store, "call_vote", actor=chair, item=on)
    for person in voters:
        do(store, "cast_vote", actor=person, item=on, choice="for")
    return do(store, "close_item", actor=chair, item=on).effect


def status(store: Store, plan: int) -> str:
    with store.reading() as session:
        row = session.get(models.Plan, plan)
        assert row is not None
        return row.status


def test_a_whole_round_publishes_the_plan_with_the_boards_final_opinion(store: Store) -> None:
    build_ccg(store)
    plan = draft(store)
    cite(store, plan)
    consult_members(store, plan)
    consult_lmc(store, plan)
    do(
        store,
        "record_senate_advice",
        plan=plan,
        senate=SENATE,
        given_on=date(2017, 5, 2),
        advice="The evidence for the orthopaedic pathway is weak (test 3).",
    )
    opinion(store, plan, "does_not_take_proper_account")
    referred = do(
        store,
        "refer_to_board",
        plan=plan,
        board=HWB,
        referred_on=date(2017, 5, 4),
        subject="The plan gives no weight to the strategy's priority on childhood obesity.",
    ).effect
    assert referred["blocks"] is False
    do(
        store,
        "respond_to_hwb",
        plan=plan,
        board=HWB,
        responded_on=date(2017, 5, 5),
        response="A weight-management service is added for 2018/19 within the same budget.",
    )
    approved = approve(store, table(store, plan))
    assert approved["outcome"] == "carried"
    assert approved["plan_approved"] == plan
    assert status(store, plan) == "approved"
    published = do(store, "publish_plan", plan=plan, published_on=date(2017, 5, 12)).effect
    assert published["opinions"] == [
        {
            "board": HWB,
            "opinion": "does_not_take_proper_account",
            "given_on": "2017-05-03",
            "statement": "The board's view of the draft against the joint strategy.",
            "ccg_response": "A weight-management service is added for 2018/19 within the same "
            "budget.",
            "referred_to_board": True,
        }
    ]
    assert status(store, plan) == "published"
    with store.reading() as session:
        item = session.scalars(select(models.BoardItem)).one()
        assert (item.raised_by, item.closed_on) == (HWB, None)  # the Board sees it, open
    do(
        store,
        "record_board_assurance",
        plan=plan,
        board=BOARD,
        assured_on=date(2017, 6, 1),
        outcome="assured_with_actions",
        statement="Assured; the CCG reports on the weight-management service at mid-year.",
    )
    with store.reading() as session:
        item = session.scalars(select(models.BoardItem)).one()
        assert item.closed_on == date(2017, 6, 1)
        assert item.outcome is not None
        assert item.outcome.startswith("assured_with_actions")
        proof = state.prove(session)
    assert proof.intact, proof.summary()


def test_senate_advice_never_blocks(store: Store) -> None:
    build_ccg(store)
    plan = ready(store)
    for given_on in (date(2017, 5, 2), date(2017, 5, 3)):
        do(
            store,
            "record_senate_advice",
            plan=plan,
            senate=SENATE,
            given_on=given_on,
            advice="The senate does not support the plan's service change.",
        )
    assert approve(store, table(store, plan))["plan_approved"] == plan
    do(store, "publish_plan", plan=plan, published_on=date(2017, 5, 12))
    # Advice still attaches to a published plan; it changes nothing about it.
    later = do(
        store,
        "record_senate_advice",
        plan=plan,
        senate=SENATE,
        given_on=date(2017, 7, 1),
        advice="A review of the first quarter.",
    ).effect
    assert later["blocks"] is False
    assert status(store, plan) == "published"


def test_a_board_referral_does_not_block_but_is_open_for_the_board(store: Store) -> None:
    build_ccg(store)
    plan = ready(store)
    do(
        store,
        "refer_to_board",
        plan=plan,
        board=HWB,
        referred_on=date(2017, 5, 4),
        subject="The board asks the Board to note its concerns.",
    )
    assert approve(store, table(store, plan))["plan_approved"] == plan
    with store.reading() as session:
        open_items = session.scalars(
            select(models.BoardItem).where(models.BoardItem.closed_on.is_(None))
        ).all()
        assert [(i.plan, i.raised_by) for i in open_items] == [(plan, HWB)]


def test_approval_without_the_lmc_consultation_is_refused(store: Store) -> None:
    build_ccg(store)
    plan = draft(store)
    cite(store, plan)
    consult_members(store, plan)
    opinion(store, plan, "takes_proper_account")
    on = table(store, plan)
    error = refused(store, "call_vote", actor="dr-patel", item=on)
    assert "LMC" in error.message or "Local Medical Committee" in error.message
    assert error.rule == "the constitution requires LMC consultation on this matter"
    consult_lmc(store, plan)
    assert approve(store, on)["plan_approved"] == plan


def test_approval_without_an_answer_to_an_adverse_opinion_is_refused(store: Store) -> None:
    build_ccg(store)
    plan = ready(store)
    opinion(store, plan, "does_not_take_proper_account", on=date(2017, 5, 4))
    on = table(store, plan)
    error = refused(store, "call_vote", actor="dr-patel", item=on)
    assert str(error.rule).startswith("an adverse opinion is answered before approval")
    assert status(store, plan) == "draft"
    do(
        store,
        "respond_to_hwb",
        plan=plan,
        board=HWB,
        responded_on=date(2017, 5, 5),
        response="We have revised the plan.",
    )
    assert approve(store, on)["plan_approved"] == plan


def test_a_bare_draft_is_refused_naming_every_missing_step(store: Store) -> None:
    build_ccg(store)
    plan = draft(store)
    error = refused(store, "call_vote", actor="dr-patel", item=table(store, plan))
    missing = [d["missing"] for d in error.details]
    assert len(missing) == 4, missing
    assert missing[0].startswith("the evidence the plan cites")
    assert missing[1].startswith("the members' consultation")
    assert "consultation on the plan" in missing[2]  # the LMC's
    assert missing[3] == f"the opinion of {HWB} (record_hwb_opinion)"
    assert "and 3 more" in error.message


def test_a_step_dated_after_the_meeting_does_not_count(store: Store) -> None:
    build_ccg(store)
    plan = draft(store)
    cite(store, plan)
    consult_members(store, plan)
    consult_lmc(store, plan)
    opinion(store, plan, "takes_proper_account", on=date(2017, 5, 20))  # after the meeting
    error = refused(store, "call_vote", actor="dr-patel", item=table(store, plan))
    assert [d["missing"] for d in error.details] == [f"the opinion of {HWB} (record_hwb_opinion)"]


def test_a_members_vote_where_the_constitution_asks_for_one(store: Store) -> None:
    build_ccg(store, engagement="vote")
    plan = draft(store)
    cite(store, plan)
    consult_lmc(store, plan)
    opinion(store, plan, "takes_proper_account")
    error = refused(
        store,
        "consult_members",
        plan=plan,
        opened_on=date(2017, 4, 21),
        closed_on=date(2017, 5, 1),
        summary="A consultation the constitution does not ask for.",
    )
    assert "planning.member_engagement" in str(error.rule)
    on = table(store, plan)
    error = refused(store, "call_vote", actor="dr-patel", item=on)
    assert error.rule == "the constitution puts the plan to a members' vote"
    # The members carry the plan (all GPs vote under the example's electorate rule).
    opened = do(
        store, "open_meeting", actor="dr-patel", committee="members", held_on=date(2017, 5, 1)
    )
    members = int(opened.effect["meeting"])
    gps = ["dr-patel", "dr-lee", "dr-moss", "dr-ng", "dr-ash"]
    do(store, "attend", actor="dr-patel", meeting=members, people=gps)
    vote = do(
        store,
        "add_item",
        actor="dr-patel",
        meeting=members,
        title="Commissioning plan",
        decides=PLAN_MATTER,
        plan=plan,
    )
    member_item = int(vote.effect["item"])
    do(store, "take_declarations", actor="dr-patel", item=member_item, declarations=[])
    carried = approve(store, member_item, voters=gps)
    assert carried["outcome"] == "carried"
    assert "plan_approved" not in carried
    assert status(store, plan) == "draft"  # the members' vote is not the approval
    assert approve(store, on)["plan_approved"] == plan


def test_the_order_of_a_plan_is_kept(store: Store) -> None:
    build_ccg(store)
    plan = ready(store)
    error = refused(store, "publish_plan", plan=plan, published_on=date(2017, 6, 1))
    assert "needs it approved" in error.message
    error = refused(
        store,
        "respond_to_hwb",
        plan=plan,
        board=HWB,
        responded_on=date(2017, 5, 5),
        response="Nothing to answer.",
    )
    assert error.rule == "the CCG answers an adverse opinion"
    approve(store, table(store, plan))
    do(store, "publish_plan", plan=plan, published_on=date(2017, 5, 12))
    error = refused(
        store,
        "record_hwb_opinion",
        plan=plan,
        board=HWB,
        given_on=date(2017, 6, 1),
        opinion="does_not_take_proper_account",
        statement="Too late for the published plan.",
    )
    assert "published" in error.message
    refused(store, "cite_evidence", plan=plan, cited_on=date(2017, 6, 1), evidence=[_fig()])


def _fig(**changes: str) -> dict[str, str]:
    return {"figure": "budget_risk", "title": "Budget risk", "ccg": "99X", "sha256": HASH} | changes


@pytest.mark.parametrize(
    ("action", "arguments", "rule"),
    [
        (
            "draft_plan",
            {"period": "2017/18", "drafted_on": date(2017, 4, 2)},
            "a plan is prepared before the start of its period (NHS Act 2006 s14Z11)",
        ),
        ("draft_plan", {"period": "2018/20"}, "a financial year such as 2014/15"),
        ("draft_plan", {"period": "2018/19"}, "one commissioning plan for each period"),
        (
            "draft_plan",
            {
                "period": "2019/20",
                "intentions": [
                    {"service": "A", "activity": 1, "spend_pounds": 1},
                    {"service": "A ", "activity": 2, "spend_pounds": 2},
                ],
            },
            "a plan's service lines differ",
        ),
        (
            "draft_plan",
            {
                "period": "2019/20",
                "intentions": [{"service": "A", "activity": 1, "spend_pounds": 2**63}],
            },
            "less_than_equal",
        ),
        ("cite_evidence", {"evidence": [_fig(ccg="00A")]}, "a plan cites its own CCG's figures"),
        ("cite_evidence", {"evidence": [_fig(), _fig()]}, "a figure is cited once"),
        ("cite_evidence", {"evidence": [_fig(sha256="xyz")]}, "string_pattern_mismatch"),
        (
            "cite_evidence",
            {"cited_on": date(2017, 4, 1), "evidence": [_fig()]},
            "a plan's steps follow its drafting, in order",
        ),
        (
            "record_hwb_opinion",
            {"board": "northborough-lmc"},
            "Health and wellbeing boards are organisations of kind health_and_wellbeing_board",
        ),
        (
            "record_senate_advice",
            {"senate": HWB, "given_on": date(2017, 5, 1), "advice": "x"},
            "Clinical senates are organisations of kind clinical_senate",
        ),
        (
            "refer_to_board",
            {"board": HWB, "referred_on": date(2017, 5, 4), "subject": "x"},
            "a board refers its opinion, once given",
        ),
        (
            "consult_lmc",
            {"consulted_on": date(2017, 5, 2), "response": "   "},
            "a step says what was said",
        ),
    ],
)
def test_a_refused_plan_action_names_its_rule_and_changes_nothing(
    store: Store, action: str, arguments: dict[str, Any], rule: str
) -> None:
    build_ccg(store)
    plan = draft(store)
    defaults: dict[str, Any] = {
        "draft_plan": {
            "title": "Another plan",
            "drafted_on": DRAFTED,
            "intentions": [{"service": "A", "activity": 1, "spend_pounds": 1}],
        },
        "cite_evidence": {"plan": plan, "cited_on": date(2017, 4, 21)},
        "record_hwb_opinion": {
            "plan": plan,
            "given_on": date(2017, 5, 3),
            "opinion": "takes_proper_account",
            "statement": "Fine.",
        },
    }.get(action, {"plan": plan})
    error = refused(store, action, **(defaults | arguments))
    assert error.rule == rule, error.message


def test_a_relevant_board_only_where_the_constitution_names_them(store: Store) -> None:
    build_ccg(store)
    do(
        store,
        "register_organisation",
        key="faraway-hwb",
        name="Faraway Health and Wellbeing Board",
        kind="health_and_wellbeing_board",
    )
    plan = draft(store)
    error = refused(
        store,
        "record_hwb_opinion",
        plan=plan,
        board="faraway-hwb",
        given_on=date(2017, 5, 3),
        opinion="takes_proper_account",
        statement="Fine.",
    )
    assert "planning.health_and_wellbeing_boards" in str(error.rule)


def test_an_item_on_a_plan_decides_the_plan_at_the_governing_body(store: Store) -> None:
    build_ccg(store)
    plan = ready(store)
    number = meeting(store, "governing_body", "dr-patel", GB)
    error = refused(
        store,
        "add_item",
        actor="dr-patel",
        meeting=number,
        title="x",
        decides="financial_plan",
        plan=plan,
    )
    assert error.rule == "an item on a plan decides the plan"
    pccc = meeting(store, "pccc", "lay-okafor", ["lay-okafor", "ao-smith", "cfo-jones"])
    error = refused(
        store,
        "add_item",
        actor="lay-okafor",
        meeting=pccc,
        title="x",
        decides=PLAN_MATTER,
        plan=plan,
    )
    assert error.rule  # the PCCC has no delegation for the plan, and does not approve it


def test_the_record_of_a_round_reads_back_from_the_log(store: Store) -> None:
    """Every plan row is proved by the audit log: editing a cited hash is found."""
    build_ccg(store)
    plan = ready(store)
    with store.transaction() as session:
        row = session.get(models.PlanEvidence, (plan, "activity_rates"))
        assert row is not None
        row.sha256 = "cd" * 32
    with store.reading() as session:
        proof = state.prove(session)
    assert not proof.intact
    assert "plan_evidence" in proof.summary()
    assert "sha256" in proof.summary()
    assert "\n" not in proof.summary()  # one line for a person


def test_a_revised_draft_goes_back_to_the_board(store: Store) -> None:
    """An opinion on the draft before its revision does not count: the board is consulted
    again on the revised draft."""
    build_ccg(store)
    plan = ready(store)
    revised = do(
        store,
        "revise_plan",
        plan=plan,
        revised_on=date(2017, 5, 4),
        intentions=[{"service": "Community diabetes service", "activity": 1500, "spend_pounds": 1}],
        summary="Orthopaedics moved to next year's plan.",
    ).effect
    assert (revised["intentions"], revised["spend_pounds"]) == (1, 1)
    on = table(store, plan)
    error = refused(store, "call_vote", actor="dr-patel", item=on)
    assert [d["missing"] for d in error.details] == [
        f"the opinion of {HWB} on the draft as revised on 2017-05-04 (record_hwb_opinion)"
    ]
    opinion(store, plan, "takes_proper_account", on=date(2017, 5, 5))
    assert approve(store, on)["plan_approved"] == plan
    with store.reading() as session:
        lines = session.scalars(
            select(models.PlanIntention).where(models.PlanIntention.plan == plan)
        ).all()
        assert [(i.line, i.service) for i in lines] == [(1, "Community diabetes service")]
        proof = state.prove(session)
    assert proof.intact, proof.summary()  # the replaced lines' deletion is on the log
