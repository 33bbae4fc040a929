"""Constitutions: the example loads; malformed ones are refused with file, line and rule."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from consortia.errors import DataError
from consortia.governance.constitution import (
    Constitution,
    ElectorateRule,
    json_schema,
    load_constitution,
)
from tests.unit.governance.ccg import EXAMPLE

ROOT = Path(__file__).parents[3]


def test_the_example_constitution_loads() -> None:
    constitution = load_constitution(EXAMPLE)
    assert constitution.ccg.code == "99X"
    assert constitution.electorate.rule is ElectorateRule.ALL_GPS
    assert {c.key for c in constitution.committees} == {"governing_body", "pccc", "audit"}
    assert constitution.reserved("constitution_change") is not None
    assert constitution.reserved("enhanced_services") is None


def test_the_published_json_schema_is_current() -> None:
    committed = json.loads((ROOT / "docs" / "constitution.schema.json").read_text())
    assert committed == json_schema(), (
        "docs/constitution.schema.json is stale: run "
        "`consortia gov schema --out docs/constitution.schema.json`"
    )


def broken(tmp_path: Path, old: str, new: str) -> DataError:
    """Load the example with one change; return the error."""
    text = EXAMPLE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "constitution.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(DataError) as error:
        load_constitution(path)
    assert error.value.file == str(path)
    return error.value


def line_of(text: str) -> int:
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


@pytest.mark.parametrize(
    ("old", "new", "field", "rule"),
    [
        ("contract: PMS", "contract: XMS", "member_practices.1.contract", "literal_error"),
        ("list_size: 6100", "list_size: -3", "member_practices.2.list_size", "greater_than"),
        ("rule: all_gps", "rule: everyone", "electorate.rule", "enum"),
        (
            "quorum: at least 3 including 1 lay and 1 of chief_officer|cfo",
            "quorum: at least 3 including 1 lay and 1 of chief_executive",
            "committees.1.quorum",
            "known roles",
        ),
        (
            "quorum: at least 2 including 1 lay_audit",
            "quorum: at least two",
            "committees.2.quorum",
            "quorum grammar",
        ),
        (
            "when_inquorate: refer_to_governing_body",
            "when_inquorate: vote_anyway",
            "committees.1.when_inquorate",
            "enum",
        ),
        (
            "decides: [internal_audit_plan]",
            "decides: [internal_audit_plan, merger]",
            "committees.2.decides",
            "reserved matters are decided by the members",
        ),
        (
            "{code: Y00004, name: Station Road",
            "{code: Y00001, name: Station Road",
            "member_practices.3",
            "keys are unique",
        ),
        (
            "name: NHS Northborough Clinical Commissioning Group",
            "name: Northborough CCG",
            "ccg.name",
            "value_error",
        ),
        (
            "rule: all_gps",
            "rule: locality_delegates",
            "electorate.delegates",
            "locality_delegates names delegates for every locality",
        ),
        (
            "decides: [internal_audit_plan]",
            "decides: [internal_audit_plans]",
            "committees.2.decides",
            "matters are the constitution's matters",
        ),
        (
            "consult_on: [constitution_change, local_incentive_scheme]",
            "consult_on: [constitution_chnage, local_incentive_scheme]",
            "lmc.consult_on",
            "matters are the constitution's matters",
        ),
    ],
)
def test_a_broken_rule_names_file_line_field_and_rule(
    tmp_path: Path, old: str, new: str, field: str, rule: str
) -> None:
    error = broken(tmp_path, old, new)
    assert error.field == field
    assert error.rule == rule
    # The line of the changed value; a missing part is reported at its parent's line.
    expected = "electorate:" if field == "electorate.delegates" else new.split("\n")[0]
    assert error.row == line_of(expected if expected == "electorate:" else old)


def test_the_line_is_the_line_of_the_broken_value(tmp_path: Path) -> None:
    error = broken(tmp_path, "contract: PMS", "contract: XMS")
    assert error.row == line_of("contract: PMS")
    error = broken(tmp_path, "quorum: at least 2 including 1 lay_audit", "quorum: at least two")
    assert error.row == line_of("quorum: at least 2 including 1 lay_audit")


def test_yaml_syntax_errors_and_repeated_keys_name_their_line(tmp_path: Path) -> None:
    error = broken(tmp_path, "ordinary_threshold: majority", "ordinary_threshold: [majority")
    assert error.rule == "YAML syntax"
    assert error.row is not None
    error = broken(
        tmp_path, "ordinary_threshold: majority", "ordinary_threshold: majority\nversion: 2"
    )
    assert error.rule == "each key appears once"
    assert error.row == line_of("ordinary_threshold: majority") + 1


def test_an_empty_or_missing_file_is_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    with pytest.raises(DataError, match="empty"):
        load_constitution(empty)
    with pytest.raises(DataError, match="cannot read"):
        load_constitution(tmp_path / "missing.yaml")


def test_cross_field_rules_hold_for_data_given_directly() -> None:
    data = load_constitution(EXAMPLE).model_dump(mode="json")
    data["electorate"] = {"rule": "all_gps", "delegates": {"east": ["dr-x"]}}
    with pytest.raises(ValueError, match="unknown localities"):
        Constitution.model_validate(data)


def test_a_misspelt_matter_names_the_nearest_known_one(tmp_path: Path) -> None:
    error = broken(tmp_path, "  - matter: merger\n", "  - matter: mergre\n")
    assert error.field == "reserved_matters.1.matter"
    assert "unknown matter 'mergre' (did you mean 'merger'?)" in error.message
    assert "known matters: annual_report_and_accounts, appointments," in error.message


def test_without_a_list_of_matters_the_standard_ones_apply(tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    start, end = text.index("matters:\n"), text.index("ordinary_threshold:")
    path = tmp_path / "constitution.yaml"
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    matters = load_constitution(path).matters
    for standard in ("constitution_change", "commissioning_plan", "appointments", "premises"):
        assert standard in matters
