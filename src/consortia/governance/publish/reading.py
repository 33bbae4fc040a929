"""The record read once for publishing: proved, then every page's content from that same read.

Verifying and reading in one session means the pages show the very rows the proof checked; a
record that does not verify is refused in one line naming the first bad entry or row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from consortia.errors import DataError
from consortia.governance import audit, plans, state
from consortia.governance.constitution import in_force
from consortia.governance.meetings import minutes
from consortia.governance.publish.oversight import Oversight, read_oversight
from consortia.governance.publish.sources import Provenance

# The record's own read door: refuses, in one line, a file that is no record at this schema.
from consortia.governance.record import _reading
from consortia.governance.registers import published_register
from consortia.store import models


@dataclass(frozen=True)
class Record:
    """What the pages show: the proof's summary, each meeting's minutes, each plan, the
    registers on a date, the Board's oversight and the markets, and the provenance of every
    row."""

    summary: str
    ccg: str  # the CCG's name, as its latest constitution gives it
    committees: dict[str, str]  # committee key -> name
    meetings: list[dict[str, Any]]
    plans: list[dict[str, Any]]
    registers: dict[str, Any]
    oversight: Oversight  # the Board's assurance, commissioning support and markets
    provenance: Provenance


def read_record(db: str, as_of: date) -> Record:
    """Prove the record at `db` and read everything the pages show from the same session."""
    with _reading(db) as session:
        chain = audit.entries(session)
        proof = state.prove(session, chain=chain)
        if not proof.intact:
            raise DataError(f"will not publish: {proof.summary()}", rule=proof.rule)
        provenance = Provenance.of(chain)
        ccg, committees = _constitution(session)
        return Record(
            summary=proof.summary(),
            ccg=ccg,
            committees=committees,
            meetings=[minutes(session, meeting) for meeting in _meetings(session)],
            plans=[plans.document(session, plan) for plan in _plans(session)],
            registers=published_register(session, as_of),
            oversight=read_oversight(session, as_of),
            provenance=provenance,
        )


def _meetings(session: Session) -> list[int]:
    """Every meeting, in the order they were held."""
    query = select(models.Meeting.id).order_by(models.Meeting.held_on, models.Meeting.id)
    return list(session.scalars(query))


def _plans(session: Session) -> list[int]:
    """Every commissioning plan, in the order they were drafted."""
    query = select(models.Plan.id).order_by(models.Plan.drafted_on, models.Plan.id)
    return list(session.scalars(query))


def _constitution(session: Session) -> tuple[str, dict[str, str]]:
    """The CCG's name and its committees' names from the constitution in force."""
    adopted = in_force(session)
    if adopted is None:
        return "", {}
    constitution = adopted[1]
    return constitution.ccg.name, {c.key: c.name for c in constitution.committees}
