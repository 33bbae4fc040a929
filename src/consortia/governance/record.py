"""Reading the governance record: verify it, checkpoint it, print minutes and registers.

These open the store without migrating it: reading never changes the database. Minutes and
registers are published only from a record whose every row the audit log proves.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from consortia.errors import ConsortiaError, DataError
from consortia.governance import audit, evidence, plans, state
from consortia.governance.constitution import in_force
from consortia.governance.meetings import minutes
from consortia.governance.registers import published_register
from consortia.store import models
from consortia.store.session import SCHEMA, Store, database_url, open_store


@contextmanager
def _reading(db: str, option: str = "--db") -> Iterator[Session]:
    """A read-only session on the record at `db`, refused in one line unless it is a record at
    this version's schema; a table that then cannot be read is named, not a traceback. A
    refusal names the `option` the user gave the record with."""
    try:
        with _opened(db) as session:
            yield session
    except ConsortiaError as error:
        if error.field == "--db":
            error.field = option
        raise


@contextmanager
def _opened(db: str) -> Iterator[Session]:
    url = make_url(database_url(db))
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").is_file():
        raise DataError(f"no governance record at {url.database}", field="--db")
    store = open_store(db, migrate_schema=False)
    try:
        tables = set(inspect(store.engine).get_table_names())
        if "audit_entry" not in tables:
            raise DataError(
                f"no governance record at {database_url(db)} "
                "(create one with `consortia gov init`)",
                field="--db",
            )
        with store.reading() as session:
            version = (
                session.execute(text("SELECT version_num FROM alembic_version")).scalar()
                if "alembic_version" in tables
                else None
            )
            if version != SCHEMA:
                found = f"schema {version}" if version else "no schema version"
                raise DataError(
                    f"the record at {database_url(db)} has {found}, not schema {SCHEMA}: "
                    "`consortia gov init --db ...` upgrades it",
                    field="--db",
                    rule="a record at this version's schema",
                )
            yield session
    except DatabaseError as error:
        reason = str(error.orig).splitlines()[0] if error.orig else type(error).__name__
        raise DataError(
            f"cannot read the record: {reason}",
            field="--db",
            rule="a record at this version's schema",
        ) from None
    finally:
        store.close()


def verify_record(
    db: str, checkpoint: audit.Checkpoint | None = None, key: bytes | None = None
) -> state.Proof:
    """Verify the audit chain (and its head against a checkpoint) and every row against it."""
    with _reading(db) as session:
        return state.prove(session, checkpoint, key)


def _proved(session: Session) -> None:
    """Refuse to publish from a record whose rows the audit log does not prove."""
    proof = state.prove(session)
    if not proof.intact:
        raise DataError(f"will not publish: {proof.summary()}", rule=proof.rule)


def checkpoint_record(db: str, key: bytes) -> audit.Checkpoint:
    """A signed checkpoint of the chain head, after verifying the chain and every row."""
    with _reading(db) as session:
        chain = audit.entries(session)
        proof = state.prove(session, chain=chain)
    if not proof.intact:
        raise DataError(f"will not sign a broken record: {proof.summary()}", rule=proof.rule)
    return audit.make_checkpoint(chain, key)


def _number(value: int, what: str, option: str) -> int:
    """A record number as given on the command line; one past what the database holds is
    refused as not there."""
    if not 0 < value < 2**63:
        raise DataError(f"no {what} {value}", field=option)
    return value


def meeting_minutes(db: str, meeting: int) -> dict[str, Any]:
    """The minutes of one meeting."""
    _number(meeting, "meeting", "--meeting")
    with _reading(db) as session:
        _proved(session)
        if session.get(models.Meeting, meeting) is None:
            raise DataError(f"no meeting {meeting}", field="--meeting")
        return minutes(session, meeting)


def published_registers(db: str, as_of: date) -> dict[str, Any]:
    """The published registers on a date."""
    with _reading(db) as session:
        _proved(session)
        return published_register(session, as_of)


def plan_record(db: str, plan: int, pack: Path | None = None) -> dict[str, Any]:
    """A commissioning plan with its trail; with `pack`, each cited figure's state against that
    pack (`same`, `changed` since cited, or `missing`)."""
    _number(plan, "plan", "--plan")
    with _reading(db) as session:
        _proved(session)
        try:
            shown = plans.document(session, plan)
        except KeyError:
            raise DataError(f"no plan {plan}", field="--plan") from None
        if pack is not None:
            states = {r["figure"]: r["state"] for r in evidence.compare(session, plan, pack)}
            for cited in shown["evidence"]:
                cited["state"] = states[cited["figure"]]
        return shown


# The demo's commissioning round, beside the code in a checkout of the project.
DEMO_ROUND = Path(__file__).parents[3] / "docs" / "examples" / "commissioning-round.yaml"


def load_demo_round(database: Path, pack: Path) -> tuple[int, int]:
    """Run the demo CCG's commissioning round into a new record at `database`, citing `pack`;
    returns the steps accepted and refused (the script refuses two on purpose).

    A record already there keeps its entries (returns zeros), brought to this schema. A round
    that fails part-way removes the record it was writing: nothing half-made stays behind.
    """
    from consortia.governance.script import load_script, run_script

    if database.exists():
        open_store(str(database)).close()  # a record of an earlier version, brought up to date
        return 0, 0
    planned = load_script(DEMO_ROUND, pack=pack)
    store = open_store(str(database))
    try:
        reports = list(run_script(store, planned))
    finally:
        store.close()
    failed = [r for r in reports if r["status"] == "failed"]
    if failed:
        for made in (database, *database.parent.glob(f"{database.name}-*")):
            made.unlink(missing_ok=True)
        raise DataError(
            f"the demo round failed at {failed[0]['action']}: {failed[0]['message']}",
            file=str(DEMO_ROUND),
            row=failed[0]["line"],
        )
    accepted = sum(r["status"] == "accepted" for r in reports)
    return accepted, len(reports) - accepted


def require_record(db: str, option: str) -> None:
    """Refuse, before any other work, a record that cannot be read or does not verify."""
    with _reading(db, option) as session:
        _proved(session)


def pack_view(db: str, ccg: str, population: int, on: date) -> dict[str, Any]:
    """What the pack shows of the record of CCG `ccg`: its configuration check and its
    dependence on outside commissioning support, year by year; refused for a record that does
    not verify or is another CCG's."""
    from consortia.governance import configuration, support

    with _reading(db, "--record") as session:
        _proved(session)
        adopted = in_force(session)
        constitution = adopted[1] if adopted else None
        if constitution is not None and constitution.ccg.code != ccg:
            raise DataError(
                f"the record is {constitution.ccg.name}'s ({constitution.ccg.code}), "
                f"not CCG {ccg}'s",
                field="--record",
                rule="a pack shows its own CCG's record",
            )
        return {
            "checks": configuration.checks(session, population, on),
            "dependence": support.dependence(
                session, sum(constitution.list_sizes.values()) if constitution else 0
            ),
        }


def aqp_view(db: str, start: date, end: date) -> dict[str, Any]:
    """The AQP register a verified record holds for [start, end): its CCG's code, each
    service with its activity, tariff and qualified providers, and the referrals recorded."""
    from consortia.governance import aqp

    with _reading(db, "--record") as session:
        _proved(session)
        adopted = in_force(session)
        if adopted is None:
            raise DataError(
                "the record has no constitution, so no CCG", field="--record", rule="a CCG's record"
            )
        return {
            "ccg": adopted[1].ccg.code,
            "services": aqp.register(session, start, end),
            "referrals": aqp.referrals(session, start, end),
        }


@contextmanager
def recording(db: str) -> Iterator[Store]:
    """The record's store, to append to its access record: refused in one line when there is
    no record there or it predates the access record."""
    from consortia.errors import UsageError
    from consortia.privacy.access import kept_by

    url = make_url(database_url(db))
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").is_file():
        raise DataError(f"no governance record at {url.database}", field="--db")
    store = open_store(db, migrate_schema=False)
    try:
        if not kept_by(store):
            raise UsageError(
                "the governance record keeps no access record (it predates it, or is none): "
                f"bring it up to date with `consortia gov init --db {db}`",
                field="--db",
            )
        yield store
    finally:
        store.close()


def access_record(db: str, last: int | None = None) -> list[dict[str, object]]:
    """The access record (`consortia.privacy.access`): each read of sensitive data, refusal
    and re-identification, oldest first (the last `last`)."""
    from dataclasses import asdict

    from consortia.privacy.access import entries

    with _reading(db) as session:
        return [asdict(entry) for entry in entries(session, last)]
