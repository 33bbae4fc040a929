"""Re-identification: a member practice finds its own patients among the lake's pseudonyms.

Only a patient's own practice may re-identify them (domain.md, risk stratification data flows).
A pseudonym is a keyed one-way hash of the NHS number (`consortia.ingest.pseudonym`), so no
pseudonym can be turned back into a number; the practice brings its own list of NHS numbers
(from its clinical system), each is pseudonymised under the lake's key, and those registered
with that practice in the lake are matched to their pseudonyms. Nobody learns a number they did
not bring, and only numbers registered with the practice named are matched. Every
re-identification is entered in the access record — who, which practice, how many numbers were
brought and matched, never a number — before anything is written; one that cannot be recorded
is not made.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from consortia.engine.lake import MANIFEST
from consortia.errors import DataError, UsageError
from consortia.ingest import ledger
from consortia.ingest.pseudonym import Key, identifier_problem, normalised
from consortia.privacy.access import Access, Data, Decision, decide, note
from consortia.privacy.patient_file import write_new
from consortia.privacy.roles import Role
from consortia.store.session import Store

LONGEST_LIST = 64 * 1024 * 1024  # bytes: a practice list of a hundred thousand is under 2 MB
COLUMN = "nhs_number"


@dataclass(frozen=True)
class Matched:
    """What a re-identification found: each matched NHS number with its pseudonym, in the
    order of the list, and the lines of the list that held no NHS number."""

    pairs: tuple[tuple[str, int], ...]
    brought: int  # valid NHS numbers on the list
    invalid: tuple[int, ...]  # lines (of the file, counting the header as 1) not NHS numbers


def read_list(path: Path) -> list[tuple[int, str]]:
    """The practice's list read from the file at `path` (`parse_list`)."""
    try:
        if not path.is_file():
            raise UsageError("the practice list is not a file", file=str(path), field="--list")
        if path.stat().st_size > LONGEST_LIST:
            raise DataError(
                "the practice list is larger than any practice's list could be",
                file=str(path),
                rule=f"at most {LONGEST_LIST // 1024 // 1024} MB",
            )
        raw = path.read_bytes()
    except OSError as error:
        raise UsageError(
            f"cannot read the practice list ({error.strerror or type(error).__name__})",
            file=str(path),
        ) from None
    return parse_list(raw, str(path))


def parse_list(raw: bytes, where: str) -> list[tuple[int, str]]:
    """The practice's list: CSV with an `nhs_number` column (UTF-8, a BOM allowed), each value
    with the line it is on; `where` names it in errors."""
    if len(raw) > LONGEST_LIST:
        raise DataError(
            "the practice list is larger than any practice's list could be",
            file=where,
            rule=f"at most {LONGEST_LIST // 1024 // 1024} MB",
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DataError(
            "the practice list is not UTF-8 text",
            file=where,
            rule=f"byte {error.start} is not UTF-8",
        ) from None
    if "\x00" in text:
        raise DataError("the practice list holds a NUL byte: it is not text", file=where)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        names = [h.strip().lstrip("\ufeff") for h in header or []]
        if COLUMN not in names:
            raise DataError(
                f"the practice list has no {COLUMN} column",
                file=where,
                row=1,
                rule=f"a CSV file whose header names {COLUMN}",
            )
        column = names.index(COLUMN)
        found = []
        for record in reader:
            if record:
                value = record[column] if column < len(record) else ""
                found.append((reader.line_num, value))
    except csv.Error as error:
        raise DataError(f"the practice list is not CSV ({error})", file=where) from None
    return found


def match(patients: Any, key: Key, practice: str, listed: list[tuple[int, str]]) -> Matched:
    """The numbers of `listed` whose pseudonym under `key` is a patient of `practice` among
    `patients` (the lake's patient dataset: `patient_id`, `practice`)."""
    registered = set(patients.loc[patients["practice"] == practice, "patient_id"].astype(int))
    pairs, invalid, brought, seen = [], [], 0, set()
    for line, value in listed:
        if identifier_problem(value) is not None:
            invalid.append(line)
            continue
        number = normalised(value)
        brought += 1
        pseudonym = key.pseudonym(number)
        if pseudonym in registered and number not in seen:
            seen.add(number)
            pairs.append((number, pseudonym))
    return Matched(tuple(pairs), brought, tuple(invalid))


def reidentify(
    lake: Path,
    key: Key,
    practice: str,
    listed: list[tuple[int, str]],
    store: Store,
    who: str,
    patients: Any,
) -> Matched:
    """Re-identify `practice`'s patients on its list `listed`, entered in the access record
    (`store`) as made by `who` for the practice before the result is returned."""
    require_made_from_extracts(lake, key)
    verdict = decide(Role.MEMBER_PRACTICE, Data.IDENTIFIED, practice, practice)
    if not verdict.allowed:  # a practice re-identifies its own patients: always, here
        raise UsageError(verdict.reason)
    if not (patients["practice"] == practice).any():
        raise UsageError(
            f"no patient of the lake is registered with practice {practice!r}",
            field="--practice",
        )
    found = match(patients, key, practice, listed)
    note(store, entry(who, Role.MEMBER_PRACTICE, practice, found))
    return found


def require_made_from_extracts(lake: Path, key: Key) -> None:
    """Refuse to re-identify in a lake not made from extracts by ingest under `key`."""
    if (lake / MANIFEST).exists() or ledger.key_of(lake) is None:
        raise UsageError(
            "this lake was not made from extracts by `consortia ingest`: its pseudonyms are "
            "no NHS numbers' and none can be re-identified",
            file=str(lake),
        )
    ledger.require_key(lake, key.check)


def entry(who: str, role: Role, practice: str, found: Matched, where: str = "") -> Access:
    """The access record's entry for a re-identification (counts only, never a number)."""
    return Access(
        who=who,
        role=role,
        data=Data.IDENTIFIED,
        what=(
            f"{where}re-identification for practice {practice}: {len(found.pairs)} of the "
            f"{found.brought} NHS numbers on its list matched"
        ),
        decision=Decision.REIDENTIFIED,
    )


def write_matched(found: Matched, out: Path) -> None:
    """The matched numbers and pseudonyms as CSV in a new file at `out`, readable by its owner
    only."""
    rows = [[COLUMN, "patient_id"], *found.pairs]
    write_new(out, "re-identified numbers", lambda file: csv.writer(file).writerows(rows))
