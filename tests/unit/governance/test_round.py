"""The demo CCG's whole commissioning round runs from one script, and its record verifies.

docs/examples/commissioning-round.yaml: the plan drafted with cited evidence, members, LMC and
senate consulted, the Health and Wellbeing Board's adverse opinion referred to the Board and
answered, the governing body approving with two members recused, publication, the Board's
assurance. Expected outcomes are read from the rules, not from a run: the early approval is
refused for the three steps not yet taken; a recused shareholder cannot vote; seven of the
eight who may vote are for and one abstains.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

from sqlalchemy import select

from consortia.governance import authorisation, plans, state, support
from consortia.governance.script import load_script, run_script
from consortia.store import models
from consortia.store.session import Store

ROUND = Path(__file__).parents[3] / "docs" / "examples" / "commissioning-round.yaml"
CITED = [
    "activity_rates",
    "variation_emergency_admissions",
    "trend_emergency_admissions",
    "budget_risk",
    "allocation_distance",
    "contract_position",
]


def demo_like_pack(folder: Path) -> dict[str, str]:
    """A pack of the demo CCG holding the cited figures; each figure's table hash."""
    (folder / "tables").mkdir(parents=True)
    hashes = {}
    figures = []
    for number, figure in enumerate(CITED):
        table = f"year,value\n2014/15,{number}\n".encode()
        (folder / "tables" / f"{figure}.csv").write_bytes(table)
        hashes[figure] = hashlib.sha256(table).hexdigest()
        figures.append({"id": figure, "title": figure, "sha256": hashes[figure]})
    index = {"ccg": {"code": "00A", "name": "NHS Aylfield CCG"}, "figures": figures}
    (folder / "pack.json").write_text(json.dumps(index), encoding="utf-8")
    return hashes


def test_the_demo_round_runs_from_one_script_and_verifies(store: Store, tmp_path: Path) -> None:
    hashes = demo_like_pack(tmp_path / "pack")
    reports = list(run_script(store, load_script(ROUND, pack=tmp_path / "pack")))
    refused = [r for r in reports if r["status"] != "accepted"]
    assert [(r["action"], r["status"]) for r in refused] == [
        ("qualify_provider", "refused"),  # no Monitor licence
        ("spend_premium", "refused"),  # a bonus to a practice
        ("add_item", "refused"),  # a merger under greater involvement
        ("call_vote", "refused"),  # approval before the steps
        ("cast_vote", "refused"),  # a recused member
    ]
    licence, bonus, merger, early, recused = refused
    assert "Monitor licence" in licence["message"]
    assert "no bonus" in bonus["rule"]
    assert "co_commissioning" in merger["rule"]
    assert [b["missing"].split(" (")[0] for b in early["breaches"]] == [
        "the members' consultation on the draft",
        "Aylfield Local Medical Committee's response to its consultation on the plan",
        "the opinion of aylfield-hwb",
    ]
    assert recused["actor"] == "dr-barker"
    assert "conflict" in recused["message"]

    with store.reading() as session:
        proof = state.prove(session)
        assert proof.intact, proof.summary()
        plan = session.scalars(select(models.Plan)).one()
        shown = plans.document(session, plan.id)
        approval = session.scalars(select(models.Item).where(models.Item.status == "decided")).one()
        voters = {v.person for v in session.scalars(select(models.Vote))}
        rulings = {
            r.person: r.ruling
            for r in session.scalars(select(models.Ruling).where(models.Ruling.item == approval.id))
        }
        result = json.loads(approval.result or "{}")
    assert shown["status"] == "published"
    assert shown["published_on"] == "2016-02-05"
    assert {e["figure"]: e["sha256"] for e in shown["evidence"]} == hashes
    assert rulings == {"dr-barker": "leave_item", "dr-chen": "leave_item"}  # two recused
    assert not voters & {"dr-barker", "dr-chen"}
    assert (result["for"], result["against"], result["abstain"]) == (7, 0, 1)
    assert [s["step"] for s in shown["trail"]] == [
        "members_consulted",
        "lmc_consulted",
        "senate_advice",
        "hwb_opinion",
        "hwb_referral",
        "ccg_response",
        "published",
        "board_assurance",
    ]
    (final,) = shown["final_opinions"]
    assert final["opinion"] == "does_not_take_proper_account"
    assert final["referred_to_board"] is True
    assert final["ccg_response"]
    with store.reading() as session:
        standing = authorisation.standing(session, date(2013, 8, 1))
        outside = support.dependence(session, list_size=314_000)
        premium_left = 412_000 - sum(
            s.amount_pounds for s in session.scalars(select(models.PremiumSpend))
        )
    assert standing["status"] == "authorised"  # both conditions lifted on review
    # 2013/14: 4 of 11 functions, £1.45m of £3.55m outside; 2014/15: 7 of 12, £2.3m of £3.8m.
    assert [(y["functions_outside"], y["functions"]) for y in outside] == [(4, 11), (7, 12)]
    assert [round(y["share_of_cost_outside"], 4) for y in outside] == [0.4085, 0.6053]
    assert premium_left == 62_000
    (board_item,) = shown["board_items"]
    assert board_item["closed_on"] == "2016-03-01"
    assert board_item["outcome"].startswith("assured_with_actions")
