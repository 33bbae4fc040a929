"""Who may read sensitive data (default deny; a practice its own patients only), and the
access record: every entry written whole, in UTC, with nothing that looks like an NHS number."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from consortia.privacy.access import (
    READERS,
    Access,
    AccessRecordError,
    Data,
    Decision,
    decide,
    kept_by,
    note,
    read,
    withheld,
)
from consortia.privacy.roles import Role
from consortia.store.session import Store, make_engine, open_store

NHS_LIKE = re.compile(r"[0-9](?:[ -]?[0-9]){9}")

# (role, data, practice, own practice) -> allowed, worked out from the rules in words:
# small-area: commissioning roles; patient-level: analysts (any practice), a member practice
# and its GPs (their own only); identified: a member practice and its GPs (their own only).
CASES = [
    (Role.ANALYST, Data.SMALL_AREA, None, None, True),
    (Role.GOVERNING_BODY_MEMBER, Data.SMALL_AREA, None, None, True),
    (Role.MEMBER_PRACTICE, Data.SMALL_AREA, None, None, True),
    (Role.PUBLIC, Data.SMALL_AREA, None, None, False),
    (Role.LMC, Data.SMALL_AREA, None, None, False),
    (Role.HEALTH_AND_WELLBEING_BOARD, Data.SMALL_AREA, None, None, False),
    (Role.ANALYST, Data.PATIENT_LEVEL, "A10001", None, True),
    (Role.ANALYST, Data.PATIENT_LEVEL, None, None, True),
    (Role.MEMBER_PRACTICE, Data.PATIENT_LEVEL, "A10001", "A10001", True),
    (Role.MEMBER_PRACTICE, Data.PATIENT_LEVEL, "A10002", "A10001", False),
    (Role.MEMBER_PRACTICE, Data.PATIENT_LEVEL, None, "A10001", False),
    (Role.GP_MEMBER, Data.PATIENT_LEVEL, "A10001", None, False),
    (Role.GOVERNING_BODY_MEMBER, Data.PATIENT_LEVEL, "A10001", None, False),
    (Role.CHAIR, Data.PATIENT_LEVEL, None, None, False),
    (Role.AUDITOR, Data.PATIENT_LEVEL, None, None, False),
    (Role.ADMINISTRATOR, Data.PATIENT_LEVEL, None, None, False),
    (Role.PUBLIC, Data.PATIENT_LEVEL, None, None, False),
    (Role.MEMBER_PRACTICE, Data.IDENTIFIED, "A10001", "A10001", True),
    (Role.GP_MEMBER, Data.IDENTIFIED, "A10001", "A10001", True),
    (Role.GP_MEMBER, Data.IDENTIFIED, "A10002", "A10001", False),
    (Role.ANALYST, Data.IDENTIFIED, "A10001", None, False),
    (Role.NHS_COMMISSIONING_BOARD, Data.IDENTIFIED, None, None, False),
]


@pytest.mark.parametrize(("role", "data", "practice", "own", "allowed"), CASES)
def test_who_may_read_what(
    role: Role, data: Data, practice: str | None, own: str | None, allowed: bool
) -> None:
    verdict = decide(role, data, practice, own)
    assert verdict.allowed is allowed
    assert (verdict.reason == "") is allowed


def test_no_role_reads_patient_level_or_identified_data_unless_named() -> None:
    named = READERS[Data.PATIENT_LEVEL] | READERS[Data.IDENTIFIED]
    for role in Role:
        if role not in named:
            assert not decide(role, Data.PATIENT_LEVEL, "A10001", "A10001").allowed
            assert not decide(role, Data.IDENTIFIED, "A10001", "A10001").allowed


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("GET /practices/9434765919", "GET /practices/[digits withheld]"),
        ("list of 943 476 5919", "list of [digits withheld]"),
        ("943-476-5919.", "[digits withheld]."),
        ("9434765919123", "[digits withheld]"),
        ("practice A10001, 123456789 spells", "practice A10001, 123456789 spells"),
        ("2014-05-01", "2014-05-01"),
    ],
)
def test_what_the_record_holds_never_looks_like_an_nhs_number(text: str, kept: str) -> None:
    assert withheld(text) == kept


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return open_store(str(tmp_path / "record.sqlite"))


def test_an_entry_is_kept_whole_in_utc_without_identifiers(store: Store) -> None:
    note(store, Access("dr-chen", Role.ANALYST, Data.SMALL_AREA, "GET /practices/A10001",
                       Decision.READ))  # fmt: skip
    note(store, Access("9434765919", Role.PUBLIC, None, "GET /x/943 476 5919", Decision.REFUSED,
                       "asked for 9434765919"))  # fmt: skip
    first, second = read(store)
    assert (first.who, first.role, first.data, first.what, first.decision) == (
        "dr-chen", "analyst", "small-area", "GET /practices/A10001", "read",
    )  # fmt: skip
    assert datetime.fromisoformat(first.at).utcoffset() == timedelta(0)
    assert (second.data, second.decision) == ("-", "refused")
    for entry in (first, second):
        for value in (entry.who, entry.what, entry.reason):
            assert not NHS_LIKE.search(value), value
    assert [e.id for e in read(store, limit=1)] == [second.id]


def test_a_record_without_the_table_cannot_hold_a_read(tmp_path: Path) -> None:
    bare = Store(make_engine(f"sqlite:///{tmp_path / 'empty.sqlite'}"))
    assert not kept_by(bare)
    with pytest.raises(AccessRecordError, match="not served without it"):
        note(bare, Access("x", Role.ANALYST, Data.SMALL_AREA, "GET /pack", Decision.READ))


def test_readers_at_once_are_recorded_in_groups_each_before_it_returns(store: Store) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from consortia.privacy.access import Recorder

    recorder = Recorder(store)
    accesses = [
        Access(
            f"reader-{i}", Role.ANALYST, Data.SMALL_AREA, f"GET /practices/A1{i:04d}", Decision.READ
        )
        for i in range(200)
    ]
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(recorder.note, accesses))
    assert sorted(e.who for e in read(store)) == sorted(a.who for a in accesses)


def test_a_group_that_cannot_be_written_refuses_each_of_its_readers(tmp_path: Path) -> None:
    from consortia.privacy.access import Recorder

    bare = Store(make_engine(f"sqlite:///{tmp_path / 'empty.sqlite'}"))
    recorder = Recorder(bare)
    with pytest.raises(AccessRecordError, match="not served without it"):
        recorder.note(Access("x", Role.ANALYST, Data.SMALL_AREA, "GET /pack", Decision.READ))
