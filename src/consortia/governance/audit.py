"""The hash-chained audit log: append in the action's transaction, verify, sign checkpoints.

Each entry holds its sequence number, time, actor, action, reason, arguments and effect (both
canonical JSON), the previous entry's hash, and its own hash: SHA-256 over the previous hash
and the entry's canonical content. Editing, deleting, inserting or reordering entries breaks
the chain at the first entry touched. Cutting entries off the end, or rewriting the whole chain
after an edit, leaves a consistent chain; a signed checkpoint of the head catches both.

Checkpoints are signed with HMAC-SHA256 under a key the operator keeps away from the database
(Python's standard library; no extra dependency). A CCG verifies its own record, so a shared
secret held by its audit chair suffices; Ed25519 would let outsiders verify without the key,
at the cost of a key pair to manage.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from consortia.errors import DataError
from consortia.store.models import AuditEntry

GENESIS = "0" * 64
_TABLE = AuditEntry.metadata.tables[AuditEntry.__tablename__]
# Built once: an action then pays only for executing them.
_HEAD = select(_TABLE.c.seq, _TABLE.c.hash).order_by(_TABLE.c.seq.desc()).limit(1)
_INSERT = insert(_TABLE)
ALGORITHM = "HMAC-SHA256"


def canonical(value: Any) -> str:
    """Canonical JSON: sorted keys, no spaces, UTF-8 kept as is."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True)
class Entry:
    """One audit entry as stored."""

    seq: int
    at: str
    actor: str
    action: str
    reason: str
    arguments: str
    effect: str
    prev_hash: str
    hash: str
    writes: str | None = None  # the rows the action left, as `consortia.governance.state` reads

    def content(self) -> str:
        """The canonical content the hash covers (everything but the hashes)."""
        content = {
            "seq": self.seq,
            "at": self.at,
            "actor": self.actor,
            "action": self.action,
            "reason": self.reason,
            "arguments": self.arguments,
            "effect": self.effect,
        }
        if self.writes is not None:  # entries made before rows were recorded hash without it
            content["writes"] = self.writes
        return canonical(content)


def entry_hash(prev_hash: str, content: str) -> str:
    """SHA-256 of the previous hash, a newline, and the entry's canonical content."""
    return hashlib.sha256(f"{prev_hash}\n{content}".encode()).hexdigest()


def seal(
    *,
    seq: int,
    at: str,
    actor: str,
    action: str,
    reason: str,
    arguments: str,
    effect: str,
    prev_hash: str,
    writes: str | None = None,
) -> Entry:
    """An entry with its hash computed."""
    draft = Entry(seq, at, actor, action, reason, arguments, effect, prev_hash, "", writes)
    return replace(draft, hash=entry_hash(prev_hash, draft.content()))


def append(
    session: Session,
    *,
    actor: str,
    action: str,
    reason: str,
    arguments: Any,
    effect: Any,
    writes: Any,
) -> Entry:
    """Append an entry in the caller's transaction (which holds the chain's write lock)."""
    connection = session.connection()
    head = connection.execute(_HEAD).first()
    seq, prev = (head[0] + 1, head[1]) if head else (1, GENESIS)
    entry = seal(
        seq=seq,
        at=datetime.now(UTC).isoformat(timespec="microseconds"),
        actor=actor,
        action=action,
        reason=reason,
        arguments=canonical(arguments),
        effect=canonical(effect),
        prev_hash=prev,
        writes=canonical(writes),
    )
    connection.execute(_INSERT, entry.__dict__)
    return entry


def entries(session: Session) -> list[Entry]:
    """Every stored entry, in sequence order."""
    rows = session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
    return [
        Entry(
            r.seq,
            r.at,
            r.actor,
            r.action,
            r.reason,
            r.arguments,
            r.effect,
            r.prev_hash,
            r.hash,
            r.writes,
        )
        for r in rows
    ]


@dataclass(frozen=True)
class Checkpoint:
    """A signed statement of the chain head: entry `seq` had hash `hash` at `at`."""

    seq: int
    hash: str
    at: str
    algorithm: str
    signature: str

    def payload(self) -> bytes:
        """The bytes the signature covers."""
        return canonical({"seq": self.seq, "hash": self.hash, "at": self.at}).encode()


def _sign(payload: bytes, key: bytes) -> str:
    return hmac.new(key, payload, hashlib.sha256).hexdigest()


def make_checkpoint(chain: Sequence[Entry], key: bytes) -> Checkpoint:
    """A checkpoint of the head of `chain`, signed with `key`."""
    if not chain:
        raise DataError("the audit log is empty: nothing to checkpoint", rule="a chain head")
    head = chain[-1]
    unsigned = Checkpoint(head.seq, head.hash, datetime.now(UTC).isoformat(), ALGORITHM, "")
    return Checkpoint(**{**asdict(unsigned), "signature": _sign(unsigned.payload(), key)})


def write_checkpoint(checkpoint: Checkpoint, path: Path) -> None:
    """Write a checkpoint as JSON."""
    path.write_text(json.dumps(asdict(checkpoint), indent=2) + "\n", encoding="utf-8")


def read_checkpoint(path: Path) -> Checkpoint:
    """Read a checkpoint file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Checkpoint(**{name: data[name] for name in Checkpoint.__dataclass_fields__})
    except OSError as error:
        raise DataError(f"cannot read {path}: {error.strerror}", file=str(path)) from None
    except (ValueError, KeyError, TypeError) as error:
        raise DataError(
            f"not a checkpoint ({error})", file=str(path), rule="checkpoint format"
        ) from None


def read_key(path: Path) -> bytes:
    """The operator's checkpoint key: the file's bytes, without surrounding whitespace."""
    try:
        key = path.read_bytes().strip()
    except OSError as error:
        raise DataError(f"cannot read {path}: {error.strerror}", file=str(path)) from None
    if len(key) < 16:
        raise DataError("the key is shorter than 16 bytes", file=str(path), rule="key length")
    return key


@dataclass(frozen=True)
class Verdict:
    """The result of verifying a chain: intact, or the first bad entry and what is wrong."""

    intact: bool
    checked: int
    first_bad: int | None = None
    problem: str | None = None

    def summary(self) -> str:
        """One line for a person."""
        if self.intact:
            return f"audit log intact: {self.checked} entries verified"
        return f"audit log broken at entry {self.first_bad}: {self.problem}"


def verify(
    chain: Iterable[Entry], checkpoint: Checkpoint | None = None, key: bytes | None = None
) -> Verdict:
    """Verify the links and hashes of `chain`, and its head against a signed checkpoint."""
    if checkpoint is not None and not _signed(checkpoint, key):
        return Verdict(False, 0, checkpoint.seq, "the checkpoint's signature does not verify")
    expected, prev, checked = 1, GENESIS, 0
    at_checkpoint: str | None = None
    for entry in chain:
        problem = _check(entry, expected, prev)
        if problem:
            return Verdict(False, checked, expected, problem)
        if checkpoint is not None and entry.seq == checkpoint.seq:
            at_checkpoint = entry.hash
        prev, expected, checked = entry.hash, expected + 1, checked + 1
    if checkpoint is not None:
        if at_checkpoint is None:
            return Verdict(
                False,
                checked,
                checked + 1,
                f"the log ends at entry {checked} but the checkpoint was signed at entry "
                f"{checkpoint.seq} (entries removed from the end)",
            )
        if at_checkpoint != checkpoint.hash:
            return Verdict(
                False,
                checked,
                checkpoint.seq,
                "the entry differs from the signed checkpoint (the chain was rewritten)",
            )
    return Verdict(True, checked)


def _signed(checkpoint: Checkpoint, key: bytes | None) -> bool:
    expected = _sign(checkpoint.payload(), key) if key else ""
    return bool(key) and hmac.compare_digest(checkpoint.signature, expected)


def _check(entry: Entry, expected: int, prev: str) -> str | None:
    if entry.seq != expected:
        return f"found entry {entry.seq} where {expected} was expected (deleted or inserted)"
    if entry.prev_hash != prev:
        return "does not link to the entry before it (deleted, inserted or reordered)"
    if entry.hash != entry_hash(entry.prev_hash, entry.content()):
        return "its content does not match its hash (edited)"
    return None
