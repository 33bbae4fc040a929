"""Person and organisation keys are unique whatever their case, across runs as within a script:
`DR-PATEL` beside `dr-patel` would name one person twice."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from consortia.errors import DataError
from consortia.governance.script import load_script
from consortia.store.session import Store, open_store
from tests.unit.governance.ccg import build, constitution, do, refused
from tests.unit.governance.test_script import GOOD, write

CASE_RULE = "keys are unique whatever their case"


def test_a_person_key_differing_only_in_case_is_refused_naming_the_existing_key(
    store: Store,
) -> None:
    build(store)
    error = refused(store, "register_person", key="DR-Patel", name="Dr Patel again")
    assert error.rule == CASE_RULE
    assert "'dr-patel'" in error.message
    # The same key exactly is refused as before.
    assert refused(store, "register_person", key="dr-patel", name="x").rule == "keys are unique"


def test_a_key_in_another_unicode_form_is_not_a_key(store: Store) -> None:
    build(store)
    # Fullwidth letters (NFKC folds them to "dr-patel") and a combining accent: keys are ASCII,
    # so no two keys can differ only in Unicode normalisation.
    for key in ("\uff44\uff52-patel", "dr-pate\u0301l"):
        assert refused(store, "register_person", key=key, name="x").rule == (
            "string_pattern_mismatch"
        )


def test_an_organisation_key_differing_only_in_case_is_refused(store: Store) -> None:
    build(store)
    for key, existing in (("y00001", "'Y00001'"), ("ACME-Health", "'acme-health'")):
        error = refused(store, "register_organisation", key=key, name="again", kind="other")
        assert error.rule == CASE_RULE
        assert existing in error.message


def test_a_new_member_practice_may_not_shadow_an_organisation_in_another_case(
    store: Store,
) -> None:
    build(store)
    do(store, "register_organisation", key="y00005", name="Y5 Ltd", kind="other")
    data = constitution()
    data["version"] = 2
    data["member_practices"] = [
        *data["member_practices"],
        {"code": "Y00005", "name": "New Surgery", "contract": "GMS", "list_size": 3000},
    ]
    error = refused(store, "adopt_constitution", constitution=data, adopted_on=date(2017, 6, 1))
    assert error.rule == CASE_RULE
    assert "'y00005'" in error.message


def test_keys_are_compared_across_runs(tmp_path: Path) -> None:
    database = str(tmp_path / "record.sqlite")
    first = open_store(database)
    build(first)
    first.close()
    second = open_store(database)
    try:
        error = refused(second, "register_person", key="LAY-OKAFOR", name="E Okafor")
        assert error.rule == CASE_RULE
        assert "'lay-okafor'" in error.message
    finally:
        second.close()


def test_a_script_may_not_name_two_steps_alike_but_for_case(tmp_path: Path) -> None:
    named = GOOD.replace(
        "  - action: register_person\n", "  - action: register_person\n    as: Lee\n"
    )
    tail = """\
  - action: register_person
    as: lee
    actor: secretary
    reason: another
    arguments: {key: dr-b, name: Dr B}
"""
    with pytest.raises(DataError) as caught:
        load_script(write(tmp_path, named + tail))
    assert caught.value.rule == "each `as` once"
    assert "'Lee'" in caught.value.message
