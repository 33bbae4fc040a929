"""Forms made from the actions' own argument schemas, and read back into arguments."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from consortia.governance.actions import ACTIONS
from consortia.web.forms import Field, arguments, fields


def kinds(action: str) -> dict[str, tuple[str, bool]]:
    return {f.name: (f.kind, f.required) for f in fields(ACTIONS[action])}


def test_each_argument_gets_the_field_its_type_asks_for() -> None:
    assert kinds("cast_vote") == {"item": ("integer", True), "choice": ("select", True)}
    vote = fields(ACTIONS["cast_vote"])[1]
    assert vote.options == ("for", "against", "abstain")
    assert kinds("declare_interest") == {
        "type": ("select", True),
        "description": ("textarea", True),
        "organisation": ("text", False),  # str | None: optional
        "starts": ("date", True),
        "ends": ("date", False),
        "aware_on": ("date", True),
        "declared_on": ("date", True),
    }
    assert kinds("add_item")["affects"] == ("lines", False)
    assert kinds("draft_plan")["intentions"][0] == "json"
    assert kinds("register_organisation")["serves_area"] == ("checkbox", False)
    # bool | None = None: yes, no, or left to the action's default
    voting = next(f for f in fields(ACTIONS["appoint"]) if f.name == "voting")
    assert (voting.kind, voting.options, voting.required) == ("select", ("yes", "no"), False)


def test_what_a_form_sends_is_read_as_the_arguments() -> None:
    shown = [
        Field("item", "Item", "integer", True),
        Field("affects", "Affects", "lines", False),
        Field("ends", "Ends", "date", False),
        Field("serves", "Serves", "checkbox", False),
        Field("voting", "Voting", "select", False, ("yes", "no")),
        Field("members", "Members", "json", True),
        Field("spec", "Spec", "json", True),
    ]
    form = {
        "item": " 3 ",
        "affects": "acme-health\n\n  Y00001  \n",
        "ends": "",
        "voting": "no",
        "members": '[{"person": "dr-lee"}]',
        "spec": "{not json",
    }
    values, errors = arguments(shown, form)
    assert values == {
        "item": "3",  # the action's validation converts and checks it
        "affects": ["acme-health", "Y00001"],
        "serves": False,
        "voting": False,
        "members": [{"person": "dr-lee"}],
    }
    assert errors == {
        "spec": "Not JSON: Expecting property name enclosed in double quotes (line 1)"
    }


def test_a_required_argument_left_empty_is_named_by_the_action() -> None:
    action = ACTIONS["cast_vote"]
    values, errors = arguments(fields(action), {"item": "1", "choice": ""})
    assert errors == {}
    with pytest.raises(ValidationError, match="choice"):
        action.validate(values)


def test_json_nested_past_what_the_reader_can_follow_is_a_field_error() -> None:
    shown = [Field("intentions", "Intentions", "json", True)]
    values, errors = arguments(shown, {"intentions": "[" * 100_000})
    assert values == {}
    assert errors == {"intentions": "Not JSON this form takes: nested too deeply"}
