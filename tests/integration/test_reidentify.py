"""`consortia reidentify` as a member practice meets it: its own list's NHS numbers matched to
the pseudonyms of those registered with it — none of another practice's, none it did not
bring — each run entered in the access record without a number, and every refusal one line
with nothing written."""

from __future__ import annotations

import hmac
import re
import stat
from pathlib import Path

import pytest

from consortia.engine.backends import connect
from consortia.errors import ExitCode, UsageError
from consortia.ingest.pseudonym import identifier_problem
from consortia.ingest.run import ingest
from consortia.privacy.access import read
from consortia.privacy.reidentify import reidentify
from consortia.store.session import open_store
from tests.cli_run import run
from tests.ingest_files import GOOD, KEY, PATIENT, SECOND, UNKNOWN, WRONG_CHECK

# 9,0,0,0,0,0,0,0,3 weighted 10..2: 90 + 6 = 96, 96 mod 11 = 8, check 11 − 8 = 3
THIRD = "9000000033"


def pseudonym(number: str) -> int:
    """HMAC-SHA256 of the number under the test key, cut to 63 bits (worked apart)."""
    digest = hmac.new(KEY.secret, number.encode(), "sha256").digest()
    return int.from_bytes(digest[:8], "big") & (2**63 - 1)


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two practices: GOOD and SECOND with A10001, THIRD with A10002."""
    folder = tmp_path_factory.mktemp("extracts")
    (folder / "ccg.csv").write_text("code,name,region\n00A,Test CCG,north\n")
    (folder / "practice.csv").write_text(
        "code,name,ccg,contract,deprivation_decile,opened,closed\n"
        "A10001,Riverside Surgery,00A,GMS,5,1990-01-01,\n"
        "A10002,Castle Street,00A,GMS,4,1990-01-01,\n"
    )
    (folder / "patient.csv").write_text(
        f"{PATIENT}\n{GOOD},A10001,F,1950,6,3,2013-04-01,,\n"
        f"{SECOND},A10001,M,1980,1,3,2013-04-01,,\n"
        f"{THIRD},A10002,F,1970,2,4,2013-04-01,,\n"
    )
    made = tmp_path_factory.mktemp("lake") / "lake"
    files = [(folder / f"{name}.csv", name) for name in ("ccg", "practice", "patient")]
    assert [o.loaded for o in ingest(connect("duckdb"), files, made, KEY)] == [1, 2, 3]
    return made


@pytest.fixture
def setting(tmp_path: Path, lake: Path) -> dict[str, Path]:
    key = tmp_path / "key"
    key.write_text(KEY.secret.hex() + "\n")
    record = tmp_path / "record.sqlite"
    open_store(str(record)).close()  # a governance record at the current schema
    listed = tmp_path / "list.csv"
    # line 1 the header; 2–7 the practice's list as its system exports it
    listed.write_text(
        "nhs_number,surname\n"
        f"{GOOD},Smith\n"
        f"{SECOND[:3]} {SECOND[3:6]} {SECOND[6:]},Jones\n"
        f"{THIRD},Brown\n"
        f"{UNKNOWN},Green\n"
        f"{WRONG_CHECK},White\n"
        ",Black\n"
    )
    return {"key": key, "db": record, "list": listed, "out": tmp_path / "matched.csv"}


def command(lake: Path, setting: dict[str, Path], practice: str = "A10001") -> list[str]:
    return [
        "reidentify", "--data", str(lake), "--practice", practice,
        "--list", str(setting["list"]), "--out", str(setting["out"]),
        "--by", "Dr A Example", "--db", str(setting["db"]), "--key", str(setting["key"]),
    ]  # fmt: skip


def test_a_practice_finds_its_own_patients_and_no_one_else(
    lake: Path, setting: dict[str, Path]
) -> None:
    assert identifier_problem(THIRD) is None  # the check digit worked above
    code, error = run(*command(lake, setting))
    assert code == 0, error
    out = setting["out"]
    assert out.read_text().splitlines() == [
        "nhs_number,patient_id",
        f"{GOOD},{pseudonym(GOOD)}",
        f"{SECOND},{pseudonym(SECOND)}",
    ]  # THIRD is registered with A10002; UNKNOWN with nobody
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert "lines 6, 7 of the list hold no NHS number" in error
    store = open_store(str(setting["db"]), migrate_schema=False)
    try:
        entries = read(store)
    finally:
        store.close()
    assert len(entries) == 1
    entry = entries[0]
    assert (entry.who, entry.role, entry.data, entry.decision) == (
        "Dr A Example", "member_practice", "identified", "re-identified"
    )  # fmt: skip
    assert entry.what == (
        "re-identification for practice A10001: 2 of the 4 NHS numbers on its list matched"
    )
    assert not re.search(r"[0-9](?:[ -]?[0-9]){9,}", " ".join(map(str, vars(entry).values())))


def test_another_practices_list_matches_its_own(lake: Path, setting: dict[str, Path]) -> None:
    code, error = run(*command(lake, setting, "A10002"))
    assert code == 0, error
    assert setting["out"].read_text().splitlines()[1:] == [f"{THIRD},{pseudonym(THIRD)}"]


def test_refusals_are_one_line_and_write_nothing(
    lake: Path, setting: dict[str, Path], tmp_path: Path
) -> None:
    setting["out"].write_text("kept\n")  # a file already there is never written over
    code, error = run(*command(lake, setting))
    assert (code, error.count("\n")) == (ExitCode.USAGE, 1)
    assert setting["out"].read_text() == "kept\n"
    setting["out"].unlink()
    other = tmp_path / "other-key"
    other.write_text("ab" * 32 + "\n")
    code, error = run(*[*command(lake, setting)[:-1], str(other)])
    assert code == ExitCode.USAGE
    assert "another key" in error
    code, error = run(*command(lake, setting, "Z99999"))
    assert code == ExitCode.USAGE
    assert "no patient of the lake is registered with practice 'Z99999'" in error
    setting["list"].write_text("surname\nSmith\n")
    code, error = run(*command(lake, setting))
    assert code == ExitCode.DATA
    assert "no nhs_number column" in error
    setting["list"].write_bytes(b"nhs_number\n\xff\xfe\n")
    code, error = run(*command(lake, setting))
    assert code == ExitCode.DATA
    assert "not UTF-8" in error
    missing = [*command(lake, setting)]
    missing[missing.index("--db") + 1] = str(tmp_path / "none.sqlite")
    setting["list"].write_text(f"nhs_number\n{GOOD}\n")
    code, error = run(*missing)
    assert code == ExitCode.DATA
    assert "no governance record" in error
    assert not setting["out"].exists()
    store = open_store(str(setting["db"]), migrate_schema=False)
    try:
        assert read(store) == []  # nothing refused before matching was recorded as made
    finally:
        store.close()


def test_a_lake_not_made_from_extracts_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "lake"
    fake.mkdir()
    (fake / "_lake.json").write_text("{}")  # as the generator marks its lakes
    store = open_store(str(tmp_path / "record.sqlite"))
    try:
        with pytest.raises(UsageError, match="not made from extracts"):
            reidentify(fake, KEY, "A10001", [(2, GOOD)], store, "someone", None)
    finally:
        store.close()
