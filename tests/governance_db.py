"""Database fixtures for the governance tests: each test on SQLite and on PostgreSQL.

PostgreSQL tests use the server in CONSORTIA_TEST_POSTGRES_URL, each in a schema of its own.
Locally they are skipped when the variable is unset; under CI (CI=true) a missing variable or
an unreachable server fails them instead, so a broken CI database cannot pass silently.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from consortia.store.session import Store, open_store

POSTGRES_VARIABLE = "CONSORTIA_TEST_POSTGRES_URL"


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"PostgreSQL is required in CI: {reason}")
    pytest.skip(reason)


def postgres_server() -> str:
    """The test server's URL, after checking it answers (skips or fails as above)."""
    url = os.environ.get(POSTGRES_VARIABLE)
    if not url:
        _unavailable(f"{POSTGRES_VARIABLE} is not set")
        raise AssertionError("unreachable")
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as error:
        _unavailable(f"cannot reach the PostgreSQL server in {POSTGRES_VARIABLE}: {error.orig}")
    finally:
        engine.dispose()
    return url


@contextmanager
def postgres_schema() -> Iterator[str]:
    """A URL to an empty schema of its own on the PostgreSQL test server, dropped afterwards."""
    server = postgres_server()
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(server).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL to an empty schema of its own on the PostgreSQL test server."""
    with postgres_schema() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty governance database: a SQLite file, then a PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'governance.sqlite'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """The governance store on each database, migrated to the newest schema."""
    opened = open_store(db_url)
    try:
        yield opened
    finally:
        opened.close()
