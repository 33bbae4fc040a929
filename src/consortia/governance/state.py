"""Every row of the governance record, proved by the audit chain.

Each action's audit entry carries the rows it wrote, as stored when its transaction ends
(`writes`): the table, the primary key and the row's canonical content, or null for a row it
deleted. Replaying the writes of every entry in order gives the state the log vouches for;
`compare` reads every governance table and names each row that differs from it: edited,
deleted, or put there by no action. The chain's hashes cover the writes, so a forger who edits
a row must also rewrite the log, which the chain (and a signed checkpoint of its head) shows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Column, Integer, Table, event, inspect, select, tuple_
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from consortia.governance.audit import Checkpoint, Entry, Verdict, entries, verify
from consortia.store import models

Key = tuple[Any, ...]
Row = dict[str, Any]

# Every table of the record but the log itself and the access record (reads of data, not
# governance actions: appended outside the log), parents before children.
GOVERNED: tuple[Table, ...] = tuple(
    table
    for table in models.Base.metadata.sorted_tables
    if table.name not in {models.AuditEntry.__tablename__, models.AccessEvent.__tablename__}
)
_BY_NAME = {table.name: table for table in GOVERNED}
_ORDER = {table.name: index for index, table in enumerate(GOVERNED)}
_CHUNK = 500  # keys per IN (...) when reading back what an action wrote


def _value(value: Any) -> Any:
    """A value as JSON holds it: dates as ISO text, everything else as it is."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def _typed(column: Column[Any], value: Any) -> Any:
    """A column's value as JSON holds it, whether read from the database or from the object
    the action wrote (a flag set to 1 is stored, and read back, as true)."""
    if isinstance(column.type, Boolean) and isinstance(value, int):
        return bool(value)
    if isinstance(column.type, Integer) and isinstance(value, int):
        return int(value)
    return _value(value)  # what a forger stored in the wrong type stays as it is, and differs


def canonical_row(table: Table, row: Any) -> Row:
    """The row's content by column name, as JSON holds it."""
    mapping = row._mapping
    return {column.name: _typed(column, mapping[column]) for column in table.columns}


def _key(table: Table, row: Any) -> Key:
    mapping = row._mapping
    return tuple(mapping[column] for column in table.primary_key.columns)


class Recorder:
    """Notes the rows an action's session writes, to record them with its audit entry.

    Writes go through the ORM's unit of work, which names each row it flushes: its content is
    taken from the written object once the flush has stored it (keys and defaults included).
    A bulk INSERT, UPDATE or DELETE statement would write rows nobody names, so it is refused;
    a single row an action writes many times over is inserted and named by `insert`.
    The listeners are registered once, on every session; a session records only while it holds
    a recorder (an atomic script run shares one session between actions, one at a time).
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        # (table, key) -> the row as flushed; None once deleted; _UNKNOWN to read back.
        self.written: dict[tuple[str, Key], Row | object | None] = {}
        session.info[_RECORDING] = self

    def close(self) -> None:
        """Stop recording this session's writes."""
        if self.session.info.get(_RECORDING) is self:
            del self.session.info[_RECORDING]

    def flushed(self, session: Session) -> None:
        """Note the rows this flush wrote."""
        for instance in (*session.new, *session.dirty):
            state = inspect(instance)
            mapper = state.mapper
            key = tuple(mapper.primary_key_from_instance(instance))
            content: dict[str, Any] = {}
            for column in mapper.local_table.columns:
                attribute = mapper.get_property_by_column(column).key
                if attribute not in state.dict:  # expired or never loaded: read it back
                    content = {}
                    break
                content[column.name] = _typed(column, state.dict[attribute])
            self.written[(mapper.local_table.name, key)] = content or _UNKNOWN
        for instance in session.deleted:
            mapper = inspect(instance).mapper
            key = tuple(mapper.primary_key_from_instance(instance))
            self.written[(mapper.local_table.name, key)] = None

    def insert(self, table: Table, row: Row) -> None:
        """Insert one row with a statement built once per table, and note it as written.

        For the one write an action makes many times over (a vote): the unit of work's flush
        costs more than the row. Pending ORM writes are flushed first, so order is kept.
        """
        self.session.flush()
        statement = _INSERTS.get(table.name)
        if statement is None:
            statement = _INSERTS[table.name] = table.insert()
        self.session.connection().execute(statement, row)
        key = tuple(row[column.name] for column in table.primary_key.columns)
        self.written[(table.name, key)] = {c.name: _typed(c, row[c.name]) for c in table.columns}

    @staticmethod
    def of(session: Session) -> Recorder:
        """The recorder of the action `session` belongs to."""
        recorder: Recorder = session.info[_RECORDING]
        return recorder

    def writes(self) -> list[list[Any]]:
        """What the action wrote, as stored now: [table, key, row or None], in table order."""
        self.session.flush()
        unknown: dict[str, list[Key]] = {}
        for (name, key), row in self.written.items():
            if row is _UNKNOWN:
                unknown.setdefault(name, []).append(key)
        for name, keys in unknown.items():
            stored = dict(_read(self.session, _BY_NAME[name], keys))
            for key in keys:
                self.written[(name, key)] = stored.get(key)
        ordered = sorted(self.written.items(), key=lambda item: (_ORDER[item[0][0]], item[0][1]))
        return [[name, [_value(part) for part in key], row] for (name, key), row in ordered]


_UNKNOWN = object()
_INSERTS: dict[str, Any] = {}  # each table's INSERT statement, built on first use
_RECORDING = "consortia.recorder"


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _flush: UOWTransaction) -> None:
    recorder = session.info.get(_RECORDING)
    if recorder is not None:
        recorder.flushed(session)


@event.listens_for(Session, "do_orm_execute")
def _no_bulk_writes(state: ORMExecuteState) -> None:
    if _RECORDING in state.session.info and (state.is_insert or state.is_update or state.is_delete):
        raise TypeError(
            "an action writes rows through the session (add, delete, attributes), "
            "so its audit entry can record them; bulk statements are not recorded"
        )


def _read(session: Session, table: Table, keys: list[Key]) -> Iterator[tuple[Key, Row]]:
    columns = list(table.primary_key.columns)
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start : start + _CHUNK]
        statement = select(table).where(tuple_(*columns).in_(chunk))
        for row in session.execute(statement):
            yield _key(table, row), canonical_row(table, row)


@dataclass(frozen=True)
class Disagreement:
    """A governance row that is not what the audit log says, and the entry that wrote it."""

    table: str
    key: tuple[Any, ...]
    seq: int | None  # the entry that last wrote the row; None if none did
    problem: str

    def describe(self) -> str:
        """One line: which row, what is wrong, and which entry vouches otherwise."""
        shown = ", ".join(repr(part) for part in self.key)
        return f"{self.table} row ({shown}): {self.problem}"

    def order(self) -> tuple[float, int, str]:
        """Rows written by earlier entries first; rows no entry wrote last."""
        return (
            self.seq if self.seq is not None else float("inf"),
            _ORDER.get(self.table, -1),
            repr(self.key),
        )


def vouched(
    chain: Iterable[Entry],
) -> tuple[dict[tuple[str, Key], tuple[Row | None, int]], int | None]:
    """The state the log vouches for: each row's last recorded content and the entry writing it.

    Also the first entry that records no rows (one written before rows were recorded), from
    which on the state cannot be proved.
    """
    state: dict[tuple[str, Key], tuple[Row | None, int]] = {}
    unrecorded: int | None = None
    for entry in chain:
        if entry.writes is None:
            if unrecorded is None:
                unrecorded = entry.seq
            continue
        for name, key, row in json.loads(entry.writes):
            state[(name, tuple(key))] = (row, entry.seq)
    return state, unrecorded


def compare(session: Session, chain: Iterable[Entry]) -> tuple[list[Disagreement], int]:
    """Every row that disagrees with the log, in order, and the number of rows checked."""
    state, unrecorded = vouched(chain)
    found: list[Disagreement] = []
    if unrecorded is not None:
        found.append(
            Disagreement(
                "audit_entry",
                (unrecorded,),
                unrecorded,
                "the entry does not record the rows it wrote (made before rows were recorded), "
                "so the state cannot be proved from the log",
            )
        )
    checked = 0
    seen: set[tuple[str, Key]] = set()
    for table in GOVERNED:
        for row in session.execute(select(table)):
            checked += 1
            content = canonical_row(table, row)
            key = tuple(_value(part) for part in _key(table, row))
            seen.add((table.name, key))
            vouch = state.get((table.name, key))
            if vouch is None or vouch[0] is None:
                seq = vouch[1] if vouch else None
                problem = (
                    f"present, but entry {seq} deleted it"
                    if seq is not None
                    else "written by no entry (inserted)"
                )
                found.append(Disagreement(table.name, key, seq, problem))
            elif vouch[0] != content:  # both typed by column, so equal values are equal rows
                found.append(
                    Disagreement(table.name, key, vouch[1], _differs(vouch[0], content, vouch[1]))
                )
    for (name, key), (written, seq) in state.items():
        if written is not None and (name, key) not in seen:
            found.append(
                Disagreement(name, key, seq, f"missing, but entry {seq} wrote it (deleted)")
            )
    return sorted(found, key=Disagreement.order), checked


def _differs(vouched_row: Row, stored: Row, seq: int) -> str:
    fields = [name for name in vouched_row if vouched_row[name] != stored.get(name)]
    if not fields:
        return f"differs from what entry {seq} wrote"
    name = fields[0]
    shown = f"{_short(stored.get(name))} where entry {seq} wrote {_short(vouched_row[name])}"
    more = f" (and {len(fields) - 1} more fields)" if len(fields) > 1 else ""
    return f"{name} is {shown}{more}"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


@dataclass(frozen=True)
class Proof:
    """The whole record verified: the chain, then every row of every table against it."""

    chain: Verdict
    rows: int = 0
    disagreements: tuple[Disagreement, ...] = ()

    @property
    def intact(self) -> bool:
        """True when the chain holds and every row is what the log says."""
        return self.chain.intact and not self.disagreements

    @property
    def rule(self) -> str:
        """The rule a broken record breaks."""
        return "hash chain" if not self.chain.intact else "every row proved by the audit log"

    def summary(self) -> str:
        """One line for a person: intact, or the first bad entry or row and how many more."""
        if not self.chain.intact:
            return self.chain.summary()
        if self.disagreements:
            first, more = self.disagreements[0], len(self.disagreements) - 1
            tail = f" ({more} more rows disagree)" if more else ""
            return f"record does not match its audit log: {first.describe()}{tail}"
        return (
            f"record intact: {self.chain.checked} audit entries verified and the "
            f"{self.rows} rows of {len(GOVERNED)} tables match them"
        )


def prove(
    session: Session,
    checkpoint: Checkpoint | None = None,
    key: bytes | None = None,
    *,
    chain: Sequence[Entry] | None = None,
) -> Proof:
    """Verify the chain (and its head against a checkpoint), then every row against the chain.

    `chain` is the log as the caller already read it in this session, if it did.
    """
    chain = entries(session) if chain is None else chain
    verdict = verify(chain, checkpoint, key)
    if not verdict.intact:
        return Proof(verdict)
    disagreements, rows = compare(session, chain)
    return Proof(verdict, rows, tuple(disagreements))
