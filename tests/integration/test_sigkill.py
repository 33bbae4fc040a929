"""Crash safety: a writer killed with SIGKILL at random moments loses no acknowledged action,
and leaves no action without its audit entry, nor an entry without its action.

Each trial starts a writer process (forked from a preloaded server, so it starts in
milliseconds) that applies actions in a loop and, after each returns, appends the action's
sequence number and key to a file: that line is the acknowledgement. The test kills the writer
a random few milliseconds after it starts writing, then checks the database.
"""

from __future__ import annotations

import json
import multiprocessing
import random
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from consortia.governance import audit, state
from consortia.store import models
from consortia.store.session import Store, open_store
from tests.governance_db import db_url, postgres_url

__all__ = ["db_url", "postgres_url"]

TRIALS = 200


def writer(url: str, acknowledgements: str, prefix: str) -> None:
    """Apply actions until killed, acknowledging each after it returns."""
    import os

    from sqlalchemy.orm import configure_mappers

    from consortia.governance.actions import ACTIONS

    store = open_store(url, migrate_schema=False)
    configure_mappers()  # warm up, so kills land in writes rather than in start-up
    with store.reading() as session:
        session.scalars(select(models.AuditEntry.seq).limit(1)).first()
    out = os.open(acknowledgements, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    os.write(out, b"ready\n")
    number = 0
    while True:
        key = f"{prefix}-{number}"
        outcome = ACTIONS["register_person"](
            store, actor="writer", reason="crash test", key=key, name="Crash Test"
        )
        os.write(out, f"{outcome.seq} {key}\n".encode())
        number += 1


def acknowledged(path: Path) -> dict[int, str]:
    """Acknowledged actions: seq -> key (a torn last line was never acknowledged)."""
    found = {}
    for line in path.read_text().split("\n")[:-1]:
        if line != "ready":
            seq, key = line.split()
            found[int(seq)] = key
    return found


def wait_ready(path: Path, process: multiprocessing.process.BaseProcess) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.is_alive():
        if path.exists() and path.read_bytes().startswith(b"ready\n"):
            return
        time.sleep(0.001)
    raise AssertionError("the writer did not start")


def wait_first_write(path: Path, process: multiprocessing.process.BaseProcess) -> None:
    """Wait until the writer has acknowledged one action: it is in its write loop, so the kill
    lands among writes however slowly a loaded machine runs it."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.is_alive():
        if path.read_bytes().count(b"\n") >= 2:
            return
        time.sleep(0.001)
    raise AssertionError("the writer acknowledged no action")


def stored(store: Store) -> tuple[dict[int, str], set[str], state.Proof]:
    """Audit entries of the writer's actions (seq -> key), people stored, and the record's proof
    (the chain, and every row against it)."""
    with store.reading() as session:
        entries = audit.entries(session)
        people = set(session.scalars(select(models.Person.key)))
        proof = state.prove(session)
    logged = {e.seq: json.loads(e.arguments)["key"] for e in entries}
    return logged, people, proof


@pytest.mark.slow
def test_sigkill_mid_write_loses_nothing_acknowledged(db_url: str, tmp_path: Path) -> None:
    store = open_store(db_url)  # the children fork from the server, never sharing its engine
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["consortia.governance.actions", "sqlalchemy", "psycopg"])
    rng = random.Random(1631)
    acked: dict[int, str] = {}
    for trial in range(TRIALS):
        path = tmp_path / f"ack-{trial}.txt"
        process = context.Process(target=writer, args=(db_url, str(path), f"t{trial}"))
        process.start()
        wait_ready(path, process)
        wait_first_write(path, process)
        time.sleep(rng.uniform(0.0, 0.05))
        process.kill()
        process.join()
        assert process.exitcode == -9
        acked.update(acknowledged(path))
        logged, people, verdict = stored(store)
        lost = {seq: key for seq, key in acked.items() if logged.get(seq) != key}
        assert not lost, f"trial {trial}: acknowledged but not stored: {lost}"
        assert people == set(logged.values()), f"trial {trial}: actions and audit entries differ"
        assert verdict.intact, f"trial {trial}: {verdict.summary()}"
    store.close()
    # Actions committed but killed before their acknowledgement show the kills hit mid-write.
    unacknowledged = len(logged) - len(acked)
    print(
        f"\n{TRIALS} kills on {db_url.split(':')[0]}: {len(acked)} acknowledged, "
        f"{len(logged)} stored, {unacknowledged} committed but unacknowledged, 0 lost"
    )
    assert len(acked) >= TRIALS
