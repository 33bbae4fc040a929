"""Hostile or broken files are refused with one DataError naming file, line, field and rule.

Each case is a file a user (or an attacker) could hand to `consortia gov`; the expected rule is
the one documented in docs/governance.md ("Input safety").
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from consortia.errors import DataError
from consortia.governance import audit
from consortia.governance.constitution import load_constitution
from consortia.governance.script import load_script, run_script
from consortia.governance.sourcefile import read_source
from consortia.store.session import Store, open_store
from consortia.textfile import MAX_BYTES
from tests.unit.governance.ccg import EXAMPLE, build
from tests.unit.governance.ccg import refused as refused_action
from tests.unit.governance.test_script import GOOD, write

BOMB = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n' + "".join(
    f"{n}: &{n} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n"
    for p, n in zip("abcdefgh", "bcdefghi", strict=True)
)


def refused(path: Path) -> DataError:
    with pytest.raises(DataError) as caught:
        load_script(path) if "actions" in path.read_text("latin-1") else load_constitution(path)
    assert caught.value.file == str(path)
    assert caught.value.rule
    return caught.value


def put(tmp_path: Path, data: bytes, name: str = "file.yaml") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_an_alias_bomb_is_refused_quickly_and_small(tmp_path: Path) -> None:
    # 9^9 (387 million) strings once expanded; refused before they exist.
    started = time.perf_counter()
    error = refused(put(tmp_path, BOMB.encode()))
    assert time.perf_counter() - started < 2
    assert error.rule == "a bounded document"


def test_too_many_aliases_are_refused_from_the_event_stream(tmp_path: Path) -> None:
    body = "a: &a x\nb: [" + ", ".join(["*a"] * 101) + "]\n"
    assert refused(put(tmp_path, body.encode())).rule == "a bounded number of aliases"


def test_a_self_referencing_anchor_is_refused(tmp_path: Path) -> None:
    error = refused(put(tmp_path, b"a: &a [1, *a]\n"))
    assert error.rule == "no recursive anchors"
    assert error.row == 1


def test_deep_nesting_is_refused_before_parsing(tmp_path: Path) -> None:
    # 100 000 levels would overflow the composer's recursion; the event scan stops at 33.
    error = refused(put(tmp_path, b"[" * 100_000 + b"]" * 100_000))
    assert error.rule == "a bounded nesting depth"


def test_aliases_cannot_nest_deeper_than_the_bound(tmp_path: Path) -> None:
    # Each anchor is 30 levels deep and holds the previous one: 100 aliases, 3,000 levels.
    body = "a0: &a0 " + "[" * 30 + "x" + "]" * 30 + "\n"
    body += "".join(
        f"a{n}: &a{n} " + "[" * 30 + f"*a{n - 1}" + "]" * 30 + "\n" for n in range(1, 100)
    )
    error = refused(put(tmp_path, body.encode()))
    assert error.rule == "a bounded nesting depth"


def test_only_a_regular_file_of_bounded_size_is_read(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="not a regular file"):
        read_source(Path("/dev/zero"))
    with pytest.raises(DataError, match="not a regular file"):
        read_source(tmp_path)
    big = put(tmp_path, b"# padding\n" * (MAX_BYTES // 10 + 1))
    started = time.perf_counter()
    with pytest.raises(DataError) as caught:
        read_source(big)
    assert caught.value.rule == "a bounded file size"
    assert time.perf_counter() - started < 1


@pytest.mark.parametrize(
    ("data", "rule", "row"),
    [
        ("name: Jos\u00e9\n".encode("latin-1"), "UTF-8 text", 1),
        ("format: 1\n".encode("utf-16"), "UTF-8 text", 1),
        (b"format: 1\nname: a\0b\n", "UTF-8 text", 2),
    ],
)
def test_only_utf8_without_nul_is_read(tmp_path: Path, data: bytes, rule: str, row: int) -> None:
    with pytest.raises(DataError) as caught:
        read_source(put(tmp_path, data))
    assert (caught.value.rule, caught.value.row) == (rule, row)


def test_a_byte_order_mark_is_tolerated(tmp_path: Path) -> None:
    path = put(tmp_path, b"\xef\xbb\xbf" + EXAMPLE.read_bytes(), "constitution.yaml")
    assert load_constitution(path) == load_constitution(EXAMPLE)


def constitution_with(tmp_path: Path, old: str, new: str) -> Path:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert old in text
    return put(tmp_path, text.replace(old, new, 1).encode(), "constitution.yaml")


@pytest.mark.parametrize(
    ("old", "new", "rule", "field"),
    [
        ("name: NHS Northborough", "name: !shout NHS Northborough", "plain YAML, no tags", None),
        ("format: 1", "format: 2017-02-30", "a valid value", "format"),
        ("format: 1", "format: 0001-01-01", "dates from 1948 to 2100", "format"),
        ("format: 1", "format: 9999-12-31", "dates from 1948 to 2100", "format"),
        ("format: 1", "format: 9223372036854775808", "integers within ±2^53", "format"),
        ("format: 1", "format: true", "a boolean only where yes/no is asked", "format"),
        ("format: 1", "format: .inf", "finite numbers", "format"),
        ("name: NHS North", "name: NHS \u202eNorth", "no bidirectional controls in text", None),
        (
            "name: NHS Northborough Clinical Commissioning Group",
            'name: "NHS \\aNorthborough Clinical Commissioning Group"',
            "no control characters in text",
            None,
        ),
    ],
)
def test_scalars_are_checked_with_their_line(
    tmp_path: Path, old: str, new: str, rule: str, field: str | None
) -> None:
    path = constitution_with(tmp_path, old, new)
    error = refused(path)
    assert error.rule == rule
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if new in text)
    assert error.row == line
    if field:
        assert error.field == field


SCRIPT_TAIL = """\
  - action: register_person
    actor: secretary
    reason: another
    arguments: {key: DR-A, name: Dr A again}
"""


def test_person_keys_differing_only_in_case_are_refused(tmp_path: Path) -> None:
    error = refused(write(tmp_path, GOOD + SCRIPT_TAIL))
    assert error.rule == "person keys are unique whatever their case"
    assert error.row == len(GOOD.splitlines()) + 1 + 3


def test_a_step_name_is_used_once(tmp_path: Path) -> None:
    body = GOOD.replace("  - action: register_person\n", "  - action: register_person\n    as: x\n")
    body += SCRIPT_TAIL.replace("DR-A", "dr-b").replace(
        "  - action: register_person\n", "  - action: register_person\n    as: x\n"
    )
    assert refused(write(tmp_path, body)).rule == "each `as` once"


def test_a_boolean_is_not_an_item_number(tmp_path: Path) -> None:
    text = (EXAMPLE.parent / "meeting.yaml").read_text(encoding="utf-8")
    old = 'arguments: {item: "${scheme.item}", person: dr-lee'
    assert old in text
    path = write(tmp_path, text.replace(old, "arguments: {item: true, person: dr-lee"))
    error = refused(path)
    assert error.rule == "a boolean only where yes/no is asked"
    assert error.field is not None
    assert error.field.endswith("arguments.item")


def test_an_empty_script_runs_to_no_reports(tmp_path: Path, store: Store) -> None:
    path = write(tmp_path, "format: 1\nactions: []\n")
    assert list(run_script(store, load_script(path))) == []


class _FailingDisk(Store):
    """The real store, whose disk fails at the nth write transaction (as a full disk would)."""

    def __init__(self, store: Store, fail_at: int) -> None:
        super().__init__(store.engine)
        self.count = 0
        self.fail_at = fail_at

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        self.count += 1
        with super().transaction() as session:
            yield session
            if self.count == self.fail_at:
                raise OSError("disk full")


def _two_step_script(tmp_path: Path) -> Path:
    return write(tmp_path, GOOD + SCRIPT_TAIL.replace("DR-A", "dr-b"))


def test_a_failing_step_stops_the_run_with_earlier_steps_applied(
    tmp_path: Path, store: Store
) -> None:
    planned = load_script(_two_step_script(tmp_path))
    reports = list(run_script(_FailingDisk(store, fail_at=2), planned))
    assert [r["status"] for r in reports] == ["accepted", "failed"]
    assert reports[1]["message"] == "OSError: disk full"
    with store.reading() as session:
        entries = audit.entries(session)
        assert [e.action for e in entries] == ["adopt_constitution"]


def test_an_atomic_run_applies_all_or_nothing(tmp_path: Path, store: Store) -> None:
    planned = load_script(_two_step_script(tmp_path))
    reports = list(run_script(store, planned, atomic=True))
    assert [r["status"] for r in reports] == ["accepted"] * 3
    again = list(run_script(store, planned, atomic=True))
    assert [r["status"] for r in again] == ["refused"]  # the constitution is adopted already
    with store.reading() as session:
        entries = audit.entries(session)
        assert len(entries) == 3
        assert audit.verify(entries).intact


def test_an_atomic_run_rolls_back_the_steps_before_a_refusal(tmp_path: Path, store: Store) -> None:
    body = GOOD + SCRIPT_TAIL.replace("DR-A", "dr-b") + SCRIPT_TAIL.replace("DR-A", "dr-c")
    body = body.replace("key: dr-c", "key: dr-c, clinician: astronaut")
    with pytest.raises(DataError):
        load_script(write(tmp_path, body))  # a bad enum value is caught before running
    planned = load_script(_two_step_script(tmp_path))
    list(run_script(store, planned[1:2]))  # dr-a registered first, outside the script
    reports = list(run_script(store, planned, atomic=True))
    assert [r["status"] for r in reports] == ["rolled back", "refused"]
    with store.reading() as session:
        assert [e.action for e in audit.entries(session)] == ["register_person"]


def test_a_file_that_is_not_a_database_is_one_error(tmp_path: Path) -> None:
    path = put(tmp_path, b"this is not a database, just text\n" * 100, "g.sqlite")
    with pytest.raises(DataError) as caught:
        open_store(str(path))
    assert caught.value.field == "--db"
    assert "not a database" in caught.value.message


@pytest.mark.parametrize(
    ("action", "arguments", "rule", "words"),
    [
        ("cast_vote", {"item": 2**63, "choice": "for"}, "integers within ±2^53",
         "item: 9223372036854775808 is out of range"),
        ("cast_vote", {"item": -(2**53) - 1, "choice": "for"}, "integers within ±2^53", "item"),
        ("declare_interest", {"type": "financial", "description": "a\x00b",
                              "starts": date(2017, 1, 1), "aware_on": date(2017, 1, 1),
                              "declared_on": date(2017, 1, 2)},
         "no control characters in text", "description: text holds the control character"),
        ("declare_interest", {"type": "financial", "description": "shares",
                              "starts": date(1, 1, 1), "aware_on": date(2017, 1, 1),
                              "declared_on": date(2017, 1, 2)},
         "dates from 1948 to 2100", "starts: 0001-01-01 is not a plausible date"),
        ("add_item", {"meeting": 1, "title": "t", "decides": "enhanced_services",
                      "affects": ["acme\u202ehealth"]}, "no bidirectional controls in text",
         "affects.0"),
    ],
)  # fmt: skip
def test_what_a_script_may_not_hold_no_path_may_hold(
    store: Store, action: str, arguments: dict[str, object], rule: str, words: str
) -> None:
    """The values a script file's reader refuses (a number past ±2^53, a date outside
    1948-2100, a control or bidirectional character in text) are refused by the action layer
    itself, on either database, whatever path they came by — a script, the command line or a
    web form — and nothing is written."""
    build(store)
    error = refused_action(store, action, actor="dr-lee", **arguments)
    assert error.rule == rule
    assert words in error.message
