"""Authorisation by the NHS Commissioning Board, in scenarios from the rules (domain §1.3), on
SQLite and PostgreSQL: every criterion met is authorised; each unmet one a condition with a
support level, levels 4 to 6 with legal directions; reviews lift conditions; a direction moves
a matter to another CCG or the Board, and the CCG can no longer put it on an agenda.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from consortia.errors import DataError
from consortia.governance import authorisation
from consortia.governance.script import load_script, run_script
from consortia.store.session import Store, open_store
from tests.unit.governance.ccg import build, do, meeting, refused

BOARD = "nhs-cb"
DAY = date(2013, 2, 1)


def setting_up(store: Store) -> list[str]:
    """The example CCG, the Board and a neighbouring CCG; the shipped criteria ids."""
    build(store)
    do(store, "register_organisation", key=BOARD, name="NHS CB", kind="nhs_commissioning_board")
    do(
        store,
        "register_organisation",
        key="southwark-ccg",
        name="NHS Southwark CCG",
        kind="clinical_commissioning_group",
    )
    return [c.id for c in authorisation.criteria()]


def all_met(ids: list[str], **unmet: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        unmet[c.replace(".", "_")] | {"criterion": c, "met": False}
        if c.replace(".", "_") in unmet
        else {"criterion": c, "met": True}
        for c in ids
    ]


def decide(store: Store, assessments: list[dict[str, Any]], **more: Any) -> Any:
    return do(
        store,
        "decide_authorisation",
        actor="ao-smith",
        board=BOARD,
        decided_on=DAY,
        assessments=assessments,
        **more,
    )


def test_the_shipped_criteria_cover_the_six_domains() -> None:
    found = authorisation.criteria()
    assert {c.domain for c in found} == {1, 2, 3, 4, 5, 6}
    assert [d.number for d in authorisation.domains()] == [1, 2, 3, 4, 5, 6]
    assert all(c.id.startswith(f"{c.domain}.") for c in found)


def test_every_criterion_met_is_authorised(store: Store) -> None:
    ids = setting_up(store)
    effect = decide(store, all_met(ids)).effect
    assert effect["outcome"] == "authorised"
    assert effect["conditions"] == 0
    with store.reading() as session:
        assert authorisation.standing(session, DAY)["status"] == "authorised"


def test_unmet_criteria_are_conditions_lifted_on_review(store: Store) -> None:
    ids = setting_up(store)
    plan = {"condition": "Submit a credible integrated plan", "support_level": 2}
    safeguarding = {
        "condition": "Safeguarding lead and arrangements agreed with the local authority",
        "support_level": 4,
        "direction": "The area team's safeguarding adviser works with the CCG until lifted",
    }
    effect = decide(store, all_met(ids, **{"3_1": plan, "1_3": safeguarding})).effect
    assert effect["outcome"] == "authorised_with_conditions"
    assert effect["support_levels"] == [2, 4]
    with store.reading() as session:
        standing = authorisation.standing(session, DAY)
    assert [(c["criterion"], c["support_level"]) for c in standing["conditions"]] == [
        ("1.3", 4),
        ("3.1", 2),
    ]
    first = [c["condition"] for c in standing["conditions"]]
    do(
        store,
        "review_authorisation",
        actor="ao-smith",
        board=BOARD,
        reviewed_on=date(2013, 7, 1),
        lift=first[:1],
        because="Safeguarding arrangements in place",
    )
    with store.reading() as session:
        assert (
            authorisation.standing(session, date(2013, 6, 30))["conditions"][0]["criterion"]
            == "1.3"
        )
        july = authorisation.standing(session, date(2013, 7, 1))
    assert [c["criterion"] for c in july["conditions"]] == ["3.1"]
    assert [(c["criterion"], c["lifted_on"]) for c in july["lifted"]] == [("1.3", "2013-07-01")]
    assert july["status"] == "authorised_with_conditions"
    do(
        store,
        "review_authorisation",
        actor="ao-smith",
        board=BOARD,
        reviewed_on=date(2013, 10, 1),
        lift=first[1:],
        because="Plan resubmitted",
    )
    with store.reading() as session:
        assert authorisation.standing(session, date(2013, 10, 1))["status"] == "authorised"
    refused(
        store,
        "review_authorisation",
        actor="ao-smith",
        board=BOARD,
        reviewed_on=date(2013, 11, 1),
        lift=first[:1],
        because="again",
    )


@pytest.mark.parametrize(
    ("unmet", "rule"),
    [
        ({"support_level": 2}, "authorisation: each criterion met, or a condition"),
        ({"condition": "x"}, "authorisation: each criterion met, or a condition"),
        ({"condition": "x", "support_level": 5}, "support levels 4 to 6 come with legal"),
        (
            {"condition": "x", "support_level": 1, "direction": "d"},
            "support levels 4 to 6 come with legal",
        ),
        ({"condition": "x", "support_level": 7}, "less_than_equal"),
    ],
)
def test_a_condition_names_its_support_and_directions(
    store: Store, unmet: dict[str, Any], rule: str
) -> None:
    ids = setting_up(store)
    error = refused(
        store,
        "decide_authorisation",
        actor="ao-smith",
        board=BOARD,
        decided_on=DAY,
        assessments=all_met(ids, **{"4_1": unmet}),
    )
    assert str(error.rule).startswith(rule)


def test_every_criterion_is_assessed_once(store: Store) -> None:
    ids = setting_up(store)
    for assessments, rule in (
        (all_met(ids)[1:], "every criterion is assessed"),
        ([*all_met(ids), {"criterion": ids[0], "met": True}], "each criterion assessed once"),
        ([*all_met(ids), {"criterion": "6.99", "met": True}], "the criteria of the set used"),
    ):
        error = refused(
            store,
            "decide_authorisation",
            actor="ao-smith",
            board=BOARD,
            decided_on=DAY,
            assessments=assessments,
        )
        assert error.rule == rule
    error = refused(
        store,
        "decide_authorisation",
        actor="ao-smith",
        board="southwark-ccg",
        decided_on=DAY,
        assessments=all_met(ids),
    )
    assert error.rule == "the NHS Commissioning Board authorises CCGs and directs them"


def test_established_not_authorised_then_authorised_later(store: Store) -> None:
    ids = setting_up(store)
    refused(
        store,
        "decide_authorisation",
        actor="ao-smith",
        board=BOARD,
        decided_on=DAY,
        assessments=all_met(ids),
        authorise=False,
    )
    unmet = {"condition": "Financial balance", "support_level": 5, "direction": "d"}
    shadow = decide(store, all_met(ids, **{"3_2": unmet}), authorise=False).effect
    assert shadow["outcome"] == "established_not_authorised"
    later = do(
        store,
        "decide_authorisation",
        actor="ao-smith",
        board=BOARD,
        decided_on=date(2013, 9, 1),
        assessments=all_met(ids),
    )
    assert later.effect["outcome"] == "authorised"
    error = refused(
        store,
        "decide_authorisation",
        actor="ao-smith",
        board=BOARD,
        decided_on=date(2014, 1, 1),
        assessments=all_met(ids),
    )
    assert "authorised once" in str(error.rule)


def test_a_direction_moves_a_matter_away_until_revoked(store: Store) -> None:
    setting_up(store)
    issued = do(
        store,
        "issue_direction",
        actor="ao-smith",
        board=BOARD,
        issued_on=date(2017, 5, 1),
        matter="procurement",
        to="southwark-ccg",
        grounds="Acute commissioning moves to Southwark while the CCG is at risk of failing",
    ).effect
    number = meeting(store, "governing_body", "dr-patel", ["dr-patel", "ao-smith"])
    error = refused(
        store,
        "add_item",
        actor="dr-patel",
        meeting=number,
        title="Award the community contract",
        decides="procurement",
    )
    assert "directed 'procurement' to southwark-ccg" in error.message
    error = refused(
        store,
        "issue_direction",
        actor="ao-smith",
        board=BOARD,
        issued_on=date(2017, 5, 1),
        matter="procurement",
        to="acme-health",
        grounds="x",
    )
    assert "s14Z21" in str(error.rule)
    do(
        store,
        "revoke_direction",
        actor="ao-smith",
        board=BOARD,
        direction=issued["direction"],
        revoked_on=date(2017, 5, 2),
        grounds="Lifted",
    )
    added = do(
        store,
        "add_item",
        actor="dr-patel",
        meeting=number,
        title="Award the community contract",
        decides="procurement",
    )
    assert added.effect["decides"] == "procurement"


def test_more_criteria_load_from_a_file(tmp_path: Path) -> None:
    extra = tmp_path / "more.toml"
    extra.write_text(
        'format = 1\n[[criteria]]\nid = "4.9"\ndomain = 4\ntext = "An audit committee"\n',
        encoding="utf-8",
    )
    ids = [c.id for c in authorisation.criteria(extra)]
    assert "4.9" in ids
    assert ids.index("4.9") == ids.index("5.1") - 1  # in domain order
    again = tmp_path / "again.toml"
    again.write_text('format = 1\n[[criteria]]\nid = "1.1"\ndomain = 1\ntext = "x"\n')
    with pytest.raises(DataError, match=r"criterion 1\.1 is given twice"):
        authorisation.criteria(again)
    wrong = tmp_path / "wrong.toml"
    wrong.write_text('format = 1\n[[criteria]]\nid = "2.1"\ndomain = 4\ntext = "x"\n')
    with pytest.raises(DataError, match="numbered outside domain 4"):
        authorisation.criteria(wrong)


def test_a_script_assesses_the_shipped_and_extra_criteria(tmp_path: Path) -> None:
    extra = tmp_path / "more.toml"
    extra.write_text('format = 1\n[[criteria]]\nid = "4.9"\ndomain = 4\ntext = "Audit"\n')
    store = open_store(f"sqlite:///{tmp_path / 'g.sqlite'}")
    ids = setting_up(store)
    assessments = "\n".join(f"        - {{criterion: '{c}', met: true}}" for c in [*ids, "4.9"])
    script = tmp_path / "authorise.yaml"
    script.write_text(
        "format: 1\nactions:\n  - action: decide_authorisation\n    actor: ao-smith\n"
        "    reason: Wave 3 decision\n    arguments:\n      board: nhs-cb\n"
        "      decided_on: 2013-02-01\n      criteria_file: more.toml\n      assessments:\n"
        f"{assessments}\n",
        encoding="utf-8",
    )
    (report,) = list(run_script(store, load_script(script)))
    assert report["status"] == "accepted", report
    assert report["effect"]["criteria"] == len(ids) + 1
    store.close()
