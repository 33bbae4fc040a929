"""`consortia gov` end to end in a real process: run a script, verify, tamper, checkpoint."""

from __future__ import annotations

import json
import shutil
import sqlite3
import time
from pathlib import Path

import pytest

from consortia.errors import ExitCode
from tests.integration.test_cli import assert_one_line_error, consortia

EXAMPLES = Path(__file__).parents[2] / "docs" / "examples"


def test_run_verify_checkpoint_and_tamper(tmp_path: Path) -> None:
    db = tmp_path / "governance.sqlite"
    ran = consortia("gov", "run", str(EXAMPLES / "meeting.yaml"), "--db", str(db))
    assert ran.returncode == 0, ran.stderr
    reports = [json.loads(line) for line in ran.stdout.splitlines()]
    assert {r["status"] for r in reports} == {"accepted", "refused"}
    refused = next(r for r in reports if r["action"] == "constitute_governing_body")
    assert {b["rule"] for b in refused["breaches"]} >= {"size", "commissioning_support"}

    verified = consortia("gov", "verify", "--db", str(db))
    assert verified.returncode == 0, verified.stderr
    assert "intact" in verified.stdout

    key = tmp_path / "key"
    key.write_text("a key the operator keeps offline\n")
    checkpoint = tmp_path / "checkpoint.json"
    made = consortia(
        "gov", "checkpoint", "--db", str(db), "--key-file", str(key), "--out", str(checkpoint)
    )
    assert made.returncode == 0, made.stderr
    assert json.loads(checkpoint.read_text())["algorithm"] == "HMAC-SHA256"

    minutes = consortia("gov", "minutes", "--db", str(db), "--meeting", "1")
    assert json.loads(minutes.stdout)["items"][0]["chair"] == "lay-okafor"

    def forged(name: str, statement: str) -> Path:
        copy = tmp_path / f"{name}.sqlite"
        shutil.copy(db, copy)
        with sqlite3.connect(copy) as connection:
            connection.execute(statement)
        return copy

    flipped = forged("flipped", "UPDATE vote SET choice = 'against' WHERE person = 'lay-brown'")
    line = assert_one_line_error(consortia("gov", "verify", "--db", str(flipped)), ExitCode.DATA)
    assert "vote row (1, 'lay-brown'): choice is 'against' where entry" in line
    refused = consortia("gov", "minutes", "--db", str(flipped), "--meeting", "1")
    assert "will not publish" in assert_one_line_error(refused, ExitCode.DATA)

    truncated = forged("truncated", "DELETE FROM audit_entry WHERE seq > 40")
    alone = consortia("gov", "verify", "--db", str(truncated))
    assert "does not match its audit log" in assert_one_line_error(alone, ExitCode.DATA)
    against = consortia(
        "gov",
        "verify",
        "--db",
        str(truncated),
        "--checkpoint",
        str(checkpoint),
        "--key-file",
        str(key),
    )
    assert "removed from the end" in assert_one_line_error(against, ExitCode.DATA)

    edited = forged("edited", "UPDATE audit_entry SET actor = 'mallory' WHERE seq = 12")
    line = assert_one_line_error(consortia("gov", "verify", "--db", str(edited)), ExitCode.DATA)
    assert "broken at entry 12" in line


def test_malformed_files_give_one_line_with_file_line_and_rule(tmp_path: Path) -> None:
    script = tmp_path / "script.yaml"
    script.write_text("format: 1\nactions:\n  - action: fly\n    actor: me\n    reason: why\n")
    db = tmp_path / "g.sqlite"
    result = consortia("gov", "run", str(script), "--db", str(db))
    line = assert_one_line_error(result, ExitCode.DATA)
    assert f"{script}, row 3" in line
    assert "(rule: known actions)" in line
    assert not db.exists()  # nothing written, not even an empty database
    checked = consortia("gov", "check", str(EXAMPLES / "constitution.yaml"))
    assert "a valid constitution" in checked.stdout


def test_the_default_database_is_in_the_demo_folder(tmp_path: Path) -> None:
    result = consortia("gov", "init", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "demo-data" / "governance.sqlite").exists()
    missing = consortia("gov", "verify", "--db", str(tmp_path / "none.sqlite"))
    assert "no governance record" in assert_one_line_error(missing, ExitCode.DATA)


HOSTILE = {
    "alias bomb": (
        b'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
        + b"".join(
            f"{n}: &{n} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n".encode()
            for p, n in zip("abcdefgh", "bcdefghi", strict=True)
        ),
        "a bounded document",
    ),
    "5 MB": (b"# a comment line of padding\n" * 180_000, "a bounded file size"),
    "Latin-1": ("ccg: {name: Jos\u00e9}\n".encode("latin-1"), "UTF-8 text"),
    "UTF-16": ("format: 1\n".encode("utf-16"), "UTF-8 text"),
    "NUL": (b"format: 1\0\n", "UTF-8 text"),
    "invalid date": (b"format: 1\nadopted: 2017-02-30\n", "a valid value"),
    "unknown tag": (b"format: !constitution 1\n", "plain YAML, no tags"),
    "self-reference": (b"format: &a [*a]\n", "no recursive anchors"),
    "deep nesting": (b"[" * 50_000 + b"]" * 50_000, "a bounded nesting depth"),
    "huge integer": (
        b"format: 1\nactions:\n  - {action: open_meeting, actor: a, reason: b,\n"
        b"     arguments: {meeting: 18446744073709551616}}\n",
        "integers within \u00b12^53",
    ),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_files_are_refused_in_one_line_quickly(tmp_path: Path, case: str) -> None:
    data, rule = HOSTILE[case]
    path = tmp_path / "file.yaml"
    path.write_bytes(data)
    for command in (("check", str(path)), ("run", str(path), "--db", str(tmp_path / "g.db"))):
        started = time.perf_counter()
        result = consortia("gov", *command)
        assert time.perf_counter() - started < 20  # process start included; was minutes
        line = assert_one_line_error(result, ExitCode.DATA)
        assert line.startswith(f"error: {path}")
        assert line.endswith(f"(rule: {rule})")


def test_a_device_is_not_read_as_a_constitution() -> None:
    line = assert_one_line_error(consortia("gov", "check", "/dev/zero"), ExitCode.DATA)
    assert line == "error: /dev/zero: not a regular file (rule: a regular file)"


@pytest.mark.parametrize(
    "command",
    [["run", str(EXAMPLES / "meeting.yaml")], ["verify"], ["register"]],
    ids=["run", "verify", "register"],
)
def test_a_db_that_is_not_a_database_is_one_line(tmp_path: Path, command: list[str]) -> None:
    """Writing and read-only commands alike: the store refuses it where it is opened."""
    db = tmp_path / "notes.sqlite"
    db.write_text("minutes of the last meeting, not a database\n" * 200)
    result = consortia("gov", *command, "--db", str(db))
    line = assert_one_line_error(result, ExitCode.DATA)
    assert "field '--db'" in line
    assert "not a database" in line


@pytest.mark.parametrize(
    ("statements", "said"),
    [
        (["UPDATE alembic_version SET version_num = '0003'"], "has schema 0003, not schema"),
        (["DROP TABLE alembic_version"], "has no schema version"),
        (
            ["DROP TABLE audit_entry", "CREATE TABLE audit_entry (x)"],
            "cannot read the record: no such column",
        ),
    ],
    ids=["older schema", "no version", "mangled log table"],
)
def test_reading_commands_refuse_a_record_of_another_schema_in_one_line(
    tmp_path: Path, statements: list[str], said: str
) -> None:
    """A record made by an older release, or a table a forger replaced: named, not a traceback,
    and nothing written (a reading command never migrates)."""
    db = tmp_path / "g.sqlite"
    assert consortia("gov", "init", "--db", str(db)).returncode == 0
    with sqlite3.connect(db) as connection:
        for statement in statements:
            connection.execute(statement)
    before = dump(db)
    for command in (["verify"], ["register"], ["minutes", "--meeting", "1"]):
        line = assert_one_line_error(consortia("gov", *command, "--db", str(db)), ExitCode.DATA)
        assert said in line
    assert dump(db) == before


def dump(db: Path) -> list[str]:
    """The database's content as SQL (its file's bytes move when the write-ahead log is
    checkpointed, which is not a change of content)."""
    with sqlite3.connect(db) as connection:
        return list(connection.iterdump())


def test_run_summarises_and_can_fail_on_refusal(tmp_path: Path) -> None:
    db = tmp_path / "g.sqlite"
    script = str(EXAMPLES / "meeting.yaml")
    ran = consortia("gov", "run", script, "--db", str(db))
    assert ran.returncode == 0, ran.stderr
    reports = [json.loads(line) for line in ran.stdout.splitlines()]
    accepted = sum(r["status"] == "accepted" for r in reports)
    refused = sum(r["status"] == "refused" for r in reports)
    summary = ran.stderr.strip()
    assert summary.startswith(f"summary: {accepted} accepted, {refused} refused (by rule: ")
    # The example documents four refusals (test_script); the summary counts them by rule.
    assert refused == 4
    counted = sum(
        int(part.rsplit(": ", 1)[1]) for part in summary[:-1].split("(by rule: ")[1].split("; ")
    )
    assert counted == refused

    strict = consortia(
        "gov", "run", script, "--db", str(tmp_path / "h.sqlite"), "--fail-on-refusal"
    )
    assert strict.returncode == ExitCode.DATA
    assert "Traceback" not in strict.stderr
    assert strict.stderr.splitlines()[-1].startswith("error: ")


def test_an_empty_script_says_so(tmp_path: Path) -> None:
    script = tmp_path / "empty.yaml"
    script.write_text("format: 1\nactions: []\n")
    ran = consortia("gov", "run", str(script), "--db", str(tmp_path / "g.sqlite"))
    assert ran.returncode == 0
    assert ran.stdout == ""
    assert ran.stderr.strip() == "summary: the script has no steps; nothing applied"


def test_an_atomic_run_with_a_refusal_leaves_nothing(tmp_path: Path) -> None:
    db = tmp_path / "g.sqlite"
    result = consortia("gov", "run", str(EXAMPLES / "meeting.yaml"), "--db", str(db), "--atomic")
    assert result.returncode == ExitCode.DATA
    reports = [json.loads(line) for line in result.stdout.splitlines()]
    assert reports[-1]["status"] == "refused"
    assert {r["status"] for r in reports[:-1]} == {"rolled back"}
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT count(*) FROM audit_entry").fetchone() == (0,)


def test_a_commissioning_round_and_its_plan_from_the_command_line(tmp_path: Path) -> None:
    from tests.unit.governance.test_round import demo_like_pack

    pack = tmp_path / "pack"
    demo_like_pack(pack)
    db = tmp_path / "round.sqlite"
    script = str(EXAMPLES / "commissioning-round.yaml")
    ran = consortia("gov", "run", script, "--db", str(db), "--pack", str(pack))
    assert ran.returncode == 0, ran.stderr
    assert "5 refused" in ran.stderr
    shown = consortia("gov", "plan", "--plan", "1", "--db", str(db), "--pack", str(pack))
    assert shown.returncode == 0, shown.stderr
    plan = json.loads(shown.stdout)
    assert plan["status"] == "published"
    assert {e["state"] for e in plan["evidence"]} == {"same"}
    # A figure of the pack changes after the plan cited it: the plan shows it.
    (pack / "tables" / "budget_risk.csv").write_text("year,value\n2014/15,99\n")
    index = json.loads((pack / "pack.json").read_text())
    for figure in index["figures"]:
        if figure["id"] == "budget_risk":
            figure["sha256"] = "0" * 64
    (pack / "pack.json").write_text(json.dumps(index))
    later = json.loads(
        consortia("gov", "plan", "--plan", "1", "--db", str(db), "--pack", str(pack)).stdout
    )
    assert {e["figure"]: e["state"] for e in later["evidence"]}["budget_risk"] == "changed"
    missing = consortia("gov", "plan", "--plan", "7", "--db", str(db))
    assert "no plan 7" in assert_one_line_error(missing, ExitCode.DATA)
    past = consortia("gov", "plan", "--plan", str(2**70), "--db", str(db))
    assert f"no plan {2**70}" in assert_one_line_error(past, ExitCode.DATA)
    no_pack = consortia("gov", "run", script, "--db", str(tmp_path / "x.sqlite"), "--pack", "/nope")
    line = assert_one_line_error(no_pack, ExitCode.DATA)
    assert "commissioning-round.yaml" in line
    assert "cannot read" in line
    assert not (tmp_path / "x.sqlite").exists()  # checked whole before anything is written
