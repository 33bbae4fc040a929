"""Who may read sensitive data, and the record of every read, refusal and re-identification.

Three kinds of sensitive data, each with the roles that may read it (default deny: a role not
named is refused):

- **small-area**: counts for practices and small groups as they are, before the public's
  small-number rule — the commissioning roles, which read the pack as the governing body does;
- **patient-level**: a person's records under their pseudonym — the CCG's analysts (every
  practice's, pseudonymised), and a member practice and its GPs (their own practice's only);
- **identified**: pseudonyms taken back to NHS numbers (re-identification) — a member practice
  and its GPs, for their own practice's patients only (domain: risk stratification, "only a
  patient's own practice may re-identify").

Every read of such data, every refusal and every re-identification is appended to the access
record (`access_event` in the governance record's database): who, in which role, what, when in
UTC and the decision. A record is written before the data is served, so a read the record
could not hold is not served. Nothing that looks like an NHS number is ever written to it:
any run of ten or more digits is withheld from its text.
"""

from __future__ import annotations

import re
import threading
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import inspect, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from consortia.errors import ConsortiaError, ExitCode
from consortia.privacy.roles import COMMISSIONING, Role
from consortia.store import models
from consortia.store.session import Store


class Data(StrEnum):
    """A kind of sensitive data."""

    SMALL_AREA = "small-area"
    PATIENT_LEVEL = "patient-level"
    IDENTIFIED = "identified"


class Decision(StrEnum):
    """What became of a request for sensitive data."""

    READ = "read"
    REFUSED = "refused"
    REIDENTIFIED = "re-identified"


READERS: dict[Data, frozenset[Role]] = {
    Data.SMALL_AREA: COMMISSIONING,
    Data.PATIENT_LEVEL: frozenset({Role.ANALYST, Role.MEMBER_PRACTICE, Role.GP_MEMBER}),
    Data.IDENTIFIED: frozenset({Role.MEMBER_PRACTICE, Role.GP_MEMBER}),
}
# Roles that read a person's data only where the person is registered with their own practice.
OWN_PRACTICE = frozenset({Role.MEMBER_PRACTICE, Role.GP_MEMBER})
_DIGITS = re.compile(r"[0-9](?:[ -]?[0-9]){9,}")  # ten digits or more, however written
WITHHELD = "[digits withheld]"
LONGEST = 500  # characters of a request's description kept


@dataclass(frozen=True)
class Verdict:
    """Whether a role may read some data, and why not when it may not."""

    allowed: bool
    reason: str = ""


def decide(
    role: Role, data: Data, practice: str | None = None, own_practice: str | None = None
) -> Verdict:
    """May `role` (of `own_practice`, for a practice's roles) read `data` of `practice`'s
    patients (None: of every practice)?"""
    if role not in READERS[data]:
        return Verdict(False, f"the role {role.label} may not read {data} data")
    if role in OWN_PRACTICE and data is not Data.SMALL_AREA:
        if own_practice is None:
            return Verdict(False, "the account names no practice of its own")
        if practice != own_practice:
            return Verdict(False, "a practice reads its own patients' records only")
    return Verdict(True)


def withheld(text: str) -> str:
    """`text` as the access record may hold it: runs of ten or more digits withheld, cut short."""
    return _DIGITS.sub(WITHHELD, text)[:LONGEST]


@dataclass(frozen=True)
class Access:
    """One entry of the access record."""

    who: str
    role: Role
    data: Data | None  # None: a refusal of something that is not sensitive data
    what: str
    decision: Decision
    reason: str = ""


class AccessRecordError(ConsortiaError):
    """The access record cannot be written: sensitive data is then not served."""

    exit_code = ExitCode.RESOURCES


def _row(access: Access) -> models.AccessEvent:
    return models.AccessEvent(
        at=datetime.now(UTC).isoformat(timespec="milliseconds"),
        who=withheld(access.who)[: models.KEY],
        role=access.role.value,
        data=access.data.value if access.data is not None else "-",
        what=withheld(access.what),
        decision=access.decision.value,
        reason=withheld(access.reason),
    )


def _unwritable(error: Exception) -> AccessRecordError:
    return AccessRecordError(
        f"the access record cannot be written ({type(error).__name__}): sensitive data is "
        "not served without it"
    )


def note(store: Store, access: Access) -> None:
    """Append `access` to the record (in its own transaction, committed before returning)."""
    try:
        with store.sessions.begin() as session:
            session.add(_row(access))
    except SQLAlchemyError as error:
        raise _unwritable(error) from None


class Recorder:
    """Appends to the access record in groups: each caller waits until its entry is committed
    (a read is still noted before it is served), and one transaction carries every entry that
    arrived while the last was committing — one disk sync for many readers, where one each
    would hold a busy site to the disk's speed."""

    WAIT = 30.0  # seconds a reader waits for its entry before the read is refused

    def __init__(self, store: Store) -> None:
        self.store = store
        self._waiting: list[tuple[models.AccessEvent, Future[None]]] = []
        self._arrived = threading.Condition()
        self._writer = threading.Thread(target=self._write, name="access-record", daemon=True)
        self._writer.start()

    def note(self, access: Access) -> None:
        """Append `access`, returning once it is committed (`AccessRecordError` if it cannot
        be)."""
        done: Future[None] = Future()
        with self._arrived:
            self._waiting.append((_row(access), done))
            self._arrived.notify()
        try:
            done.result(timeout=self.WAIT)
        except TimeoutError:
            raise _unwritable(TimeoutError()) from None

    def _write(self) -> None:
        while True:
            with self._arrived:
                while not self._waiting:
                    self._arrived.wait()
                group, self._waiting = self._waiting, []
            try:
                with self.store.sessions.begin() as session:
                    session.add_all([row for row, _ in group])
            except Exception as error:  # any failure: every reader of the group is refused
                failure = _unwritable(error)
                for _, done in group:
                    done.set_exception(failure)
            else:
                for _, done in group:
                    done.set_result(None)


@dataclass(frozen=True)
class Entry:
    """One entry of the access record as read back."""

    id: int
    at: str
    who: str
    role: str
    data: str
    what: str
    decision: str
    reason: str


def read(store: Store, limit: int | None = None) -> list[Entry]:
    """The access record, latest last (the last `limit` entries)."""
    with store.reading() as session:
        return entries(session, limit)


def entries(session: Session, limit: int | None = None) -> list[Entry]:
    """The access record read in `session`, latest last (the last `limit` entries)."""
    query = select(models.AccessEvent).order_by(models.AccessEvent.id.desc())
    if limit is not None:
        query = query.limit(limit)
    found = [
        Entry(r.id, r.at, r.who, r.role, r.data, r.what, r.decision, r.reason)
        for r in session.scalars(query).all()
    ]
    return found[::-1]


def kept_by(store: Store) -> bool:
    """Whether the record's database has the access record's table (a record made before it
    is brought up to date by `consortia gov init`)."""
    return inspect(store.engine).has_table(models.AccessEvent.__tablename__)
