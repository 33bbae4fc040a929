"""The store: migrations build exactly the models' schema, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from consortia.errors import DataError, UsageError
from consortia.store.models import Base
from consortia.store.session import SCHEMA, Store, database_url, make_engine, open_store


def test_migrations_match_the_models(store: Store) -> None:
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection)
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def _newest_migration() -> str:
    config = Config()
    config.set_main_option("script_location", "consortia.store:migrations")
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


def test_migrating_twice_changes_nothing(db_url: str) -> None:
    open_store(db_url).close()
    again = open_store(db_url)
    with again.engine.connect() as connection:
        assert (
            connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
            == _newest_migration()
        )
    again.close()


def test_the_schema_reading_commands_expect_is_the_newest_migration() -> None:
    assert _newest_migration() == SCHEMA


def test_sqlite_enforces_foreign_keys(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "g.sqlite"))
    with store.engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    store.close()


def test_database_urls_and_their_errors(tmp_path: Path) -> None:
    assert database_url("sqlite:///x.db") == "sqlite:///x.db"
    assert database_url(str(tmp_path / "a.sqlite")) == f"sqlite:///{tmp_path / 'a.sqlite'}"
    with pytest.raises(UsageError, match="unsupported database"):
        make_engine("mysql://u@h/d")
    with pytest.raises(DataError, match="no folder"):
        make_engine(f"sqlite:///{tmp_path / 'missing' / 'a.sqlite'}")


def test_a_record_made_at_0001_upgrades_keeping_its_rows(tmp_path: Path) -> None:
    from alembic import command
    from alembic.config import Config

    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
    config = Config()
    config.set_main_option("script_location", "consortia.store:migrations")
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.execute(text("INSERT INTO person (key, name, facts) VALUES ('p', 'P', '{}')"))
    engine.dispose()
    store = open_store(str(tmp_path / "old.sqlite"))
    with store.engine.connect() as connection:
        assert (
            connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
            == _newest_migration()
        )
        assert connection.execute(text("SELECT key FROM person")).scalar() == "p"
        assert connection.execute(text("SELECT count(*) FROM hospitality_approval")).scalar() == 0
        assert connection.execute(text("SELECT count(grounds) FROM ruling")).scalar() == 0
    store.close()
