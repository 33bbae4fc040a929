"""Script templates: an `item:` step gives the same record as the actions written by hand.

The example script's governing-body item (a conflicted chair, a GP's declaration, the LMC's
view, four votes) and its members' vote are written both ways; the minutes and the audit
entries' actions, actors and arguments must agree.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from consortia.cli import main
from consortia.errors import DataError
from consortia.governance import audit
from consortia.governance.meetings import minutes
from consortia.governance.script import Planned, load_script, run_script
from consortia.governance.sourcefile import read_source
from consortia.store.session import Store, open_store
from tests.unit.governance.ccg import EXAMPLE

SCRIPT = EXAMPLE.parent / "meeting.yaml"
SCHEME = {"title": "Local incentive scheme 2017/18", "decides": "local_incentive_scheme"}


def _setup() -> list[dict[str, Any]]:
    """The example script's steps up to the governing-body meeting's attendance."""
    steps: list[dict[str, Any]] = read_source(SCRIPT).data["actions"]  # `on:` read as a key
    cut = next(i for i, s in enumerate(steps) if s.get("as") == "scheme")
    return steps[:cut]


def _step(action: str, actor: str, **arguments: Any) -> dict[str, Any]:
    return {"action": action, "actor": actor, "reason": "by hand", "arguments": arguments}


def by_hand() -> list[dict[str, Any]]:
    """The two items as a secretary writes them today, step by step."""
    scheme = "${scheme.item}"
    change = "${change.item}"
    return [
        {
            **_step(
                "add_item",
                "dr-patel",
                meeting="${gb.meeting}",
                affects=["Y00001", "Y00002"],
                **SCHEME,
            ),
            "as": "scheme",
        },
        _step(
            "record_lmc_consultation",
            "dr-patel",
            item=scheme,
            response="Supports the scheme",
            consulted_on="2017-05-02",
        ),
        _step(
            "take_declarations",
            "dr-patel",
            item=scheme,
            declarations=[
                {"person": "dr-lee", "description": "Salaried GP at Castle Street Medical Centre"}
            ],
        ),
        _step(
            "rule_on_conflict",
            "lay-okafor",
            item=scheme,
            person="dr-lee",
            ruling="discuss_not_vote",
        ),
        _step(
            "rule_on_conflict", "lay-okafor", item=scheme, person="dr-patel", ruling="leave_item"
        ),
        _step("call_vote", "lay-okafor", item=scheme),
        _step("cast_vote", "lay-okafor", item=scheme, choice="for"),
        _step("cast_vote", "lay-brown", item=scheme, choice="for"),
        _step("cast_vote", "ao-smith", item=scheme, choice="for"),
        _step("cast_vote", "cfo-jones", item=scheme, choice="against"),
        _step("close_item", "lay-okafor", item=scheme),
        {
            **_step("open_meeting", "dr-patel", committee="members", held_on="2017-06-01"),
            "as": "members",
        },
        _step(
            "attend",
            "dr-patel",
            meeting="${members.meeting}",
            people=["dr-lee", "dr-moss", "dr-ng"],
        ),
        {
            **_step(
                "add_item",
                "dr-patel",
                meeting="${members.meeting}",
                title="Add a third locality",
                decides="constitution_change",
                affects=[],
            ),
            "as": "change",
        },
        _step(
            "record_lmc_consultation",
            "dr-patel",
            item=change,
            response="No objection",
            consulted_on="2017-05-20",
        ),
        _step("take_declarations", "dr-patel", item=change, declarations=[]),
        _step("call_vote", "dr-patel", item=change),
        _step("cast_vote", "dr-patel", item=change, choice="for"),
        _step("cast_vote", "dr-lee", item=change, choice="for"),
        _step("cast_vote", "dr-moss", item=change, choice="for"),
        _step("cast_vote", "dr-ng", item=change, choice="against"),
        _step("close_item", "dr-patel", item=change),
    ]


def from_templates() -> list[dict[str, Any]]:
    """The same two items as templates."""
    return [
        {
            "item": {
                "meeting": "${gb.meeting}",
                "chair": "dr-patel",
                **SCHEME,
                "affects": ["Y00001", "Y00002"],
                "lmc": {"response": "Supports the scheme", "consulted_on": "2017-05-02"},
                "declarations": [
                    {
                        "person": "dr-lee",
                        "description": "Salaried GP at Castle Street Medical Centre",
                    }
                ],
                "rulings": {"dr-lee": "discuss_not_vote"},
                "raised": "leave_item",
                "votes": {"for": ["lay-okafor", "lay-brown", "ao-smith"], "against": ["cfo-jones"]},
            },
            "as": "scheme",
        },
        _step("open_meeting", "dr-patel", committee="members", held_on="2017-06-01")
        | {"as": "members"},
        _step(
            "attend",
            "dr-patel",
            meeting="${members.meeting}",
            people=["dr-lee", "dr-moss", "dr-ng"],
        ),
        {
            "item": {
                "meeting": "${members.meeting}",
                "chair": "dr-patel",
                "title": "Add a third locality",
                "decides": "constitution_change",
                "lmc": {"response": "No objection", "consulted_on": "2017-05-20"},
                "votes": {"for": ["dr-patel", "dr-lee", "dr-moss"], "against": ["dr-ng"]},
            },
            "reason": "Members' meeting, item 1",
        },
    ]


def write(folder: Path, name: str, steps: list[dict[str, Any]]) -> Path:
    """A script of the example's set-up followed by `steps`, beside the example constitution."""
    (folder / "constitution.yaml").write_text(EXAMPLE.read_text(encoding="utf-8"))
    path = folder / name
    path.write_text(yaml.safe_dump({"format": 1, "actions": [*_setup(), *steps]}), "utf-8")
    return path


def record(store: Store) -> tuple[list[dict[str, Any]], list[tuple[str, str, str]]]:
    """Both meetings' minutes, and every audit entry's action, actor and arguments."""
    with store.reading() as session:
        entries = audit.entries(session)
        return (
            [minutes(session, 1), minutes(session, 2)],
            [(e.action, e.actor, e.arguments) for e in entries],
        )


def run(store: Store, path: Path) -> list[dict[str, Any]]:
    reports = list(run_script(store, load_script(path)))
    return [r for r in reports if r["status"] != "accepted"]


def test_an_item_template_gives_the_record_written_by_hand(store: Store, tmp_path: Path) -> None:
    # The hand-written script refuses only the example's governing body with a CSU shareholder.
    hand = open_store(f"sqlite:///{tmp_path / 'by-hand.sqlite'}")
    try:
        refused = run(hand, write(tmp_path, "by-hand.yaml", by_hand()))
        assert [r["action"] for r in refused] == ["constitute_governing_body"]
        expected = record(hand)
    finally:
        hand.close()
    refused = run(store, write(tmp_path, "templates.yaml", from_templates()))
    assert [r["action"] for r in refused] == ["constitute_governing_body"]
    got = record(store)
    assert got == expected
    scheme, change = got[0][0]["items"][0], got[0][1]["items"][0]
    # The chair was conflicted (register), so the deputy took the item and ruled on the chair.
    assert scheme["chair"] == "lay-okafor"
    assert scheme["rulings"] == {"dr-lee": "discuss_not_vote", "dr-patel": "leave_item"}
    assert (scheme["result"]["for"], scheme["result"]["against"]) == (3, 1)
    assert change["result"]["outcome"] == "carried"  # 3 of 4 is more than two thirds


def test_a_raised_conflict_without_a_ruling_stops_the_vote(store: Store, tmp_path: Path) -> None:
    # Without `raised`, the chair's registered interest has no ruling: the vote is refused, as
    # for a hand-written script, and so are the votes and the close that follow.
    template = from_templates()[0]
    del template["item"]["raised"]
    reports = list(run_script(store, load_script(write(tmp_path, "t.yaml", [template]))))
    refused = [(r["action"], r["rule"]) for r in reports if r["status"] == "refused"]
    assert refused[1][0] == "call_vote"
    assert "before the vote" in refused[1][1]
    assert [a for a, _ in refused[2:]] == ["cast_vote"] * 4 + ["close_item"]
    with store.reading() as session:
        assert minutes(session, 1)["items"][0]["status"] == "declared"


def test_the_item_chair_a_template_acts_as_is_reported(store: Store, tmp_path: Path) -> None:
    reports = list(run_script(store, load_script(write(tmp_path, "t.yaml", from_templates()[:1]))))
    rulings = [r for r in reports if r["action"] == "rule_on_conflict"]
    assert [(r["actor"], r["effect"]["person"]) for r in rulings] == [
        ("lay-okafor", "dr-lee"),
        ("lay-okafor", "dr-patel"),
    ]
    lines = {r["line"] for r in reports[-11:]}
    assert len(lines) == 1  # every step of the item is reported at the template's line


@pytest.mark.parametrize(
    ("change", "field", "rule"),
    [
        (
            {"votes": {"for": ["lay-brown"], "against": ["lay-brown"]}},
            "item.votes",
            "one vote each",
        ),
        ({"rulings": {"dr-lee": "shrug"}}, "item.rulings.dr-lee.ruling", "enum"),
        ({"rulings": {"dr-lee": {"ruling": "none", "why": "x"}}}, "dr-lee.why", "extra"),
        ({"title": ""}, "item.title", "string_too_short"),
        ({"colour": "red"}, "item.colour", "extra_forbidden"),
    ],
)
def test_a_malformed_template_is_refused_at_its_line(
    tmp_path: Path, change: dict[str, Any], field: str, rule: str
) -> None:
    template = from_templates()[0]
    template["item"].update(change)
    path = write(tmp_path, "t.yaml", [template])
    with pytest.raises(DataError) as raised:
        load_script(path)
    error = raised.value
    setup_lines = len(yaml.safe_dump({"format": 1, "actions": _setup()}).splitlines())
    assert (error.row or 0) > setup_lines  # in the template, not the set-up
    assert str(error.field).endswith(field)
    assert rule in str(error.rule)


def test_check_counts_the_actions_a_template_stands_for(tmp_path: Path) -> None:
    planned = load_script(write(tmp_path, "t.yaml", from_templates()[:1]))
    steps = [p for p in planned if isinstance(p, Planned)][len(_setup()) :]
    # add, LMC, declarations, one ruling, call, four votes, close (raised rulings come later)
    assert [p.step.action for p in steps] == [
        "add_item",
        "record_lmc_consultation",
        "take_declarations",
        "rule_on_conflict",
        "call_vote",
        *["cast_vote"] * 4,
        "close_item",
    ]
    assert all(json.dumps(p.step.arguments) for p in steps)


def test_gov_check_names_the_actions_and_the_rulings_made_at_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, "t.yaml", from_templates())
    monkeypatch.setattr(sys, "argv", ["consortia", "gov", "check", str(path)])
    main()
    said = capsys.readouterr().out
    # the set-up, 10 steps for the first item (add, LMC, declarations, one ruling, call, four
    # votes, close), 2 by hand, 9 for the second (add, LMC, declarations, call, four votes, close)
    assert f"a valid meeting script of {len(_setup()) + 10 + 2 + 9} actions" in said
    assert "and the rulings on raised interests of 1 item(s)" in said
