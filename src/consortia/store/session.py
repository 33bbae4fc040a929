"""Open the governance store: one engine per database URL, migrated to the newest schema.

SQLite (a file; nothing to start) is the default and PostgreSQL (psycopg 3) the deployment
database. Every write transaction takes the audit chain's write lock first, so entries are
appended one at a time whatever the number of writers.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DatabaseError
from sqlalchemy.orm import Session, sessionmaker

from consortia.errors import DataError, UsageError

if TYPE_CHECKING:  # pydantic-settings is needed only where the default database is chosen
    from consortia.config import Settings


# The newest migration: a record a reading command opens must be at this schema (a test checks
# it is the head of `consortia.store.migrations`).
SCHEMA = "0007"


def database_url(db: str) -> str:
    """A SQLAlchemy URL from what a user typed: a URL, or the path of a SQLite file."""
    if "://" in db:
        return db
    return f"sqlite:///{Path(db).expanduser().resolve()}"


def _sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    # SQLAlchemy, not the sqlite3 module, emits BEGIN (see _sqlite_begin); foreign keys are off
    # in SQLite unless every connection turns them on.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    # A write-ahead log commits with one fsync of the log, where the default rollback journal
    # takes several; FULL syncs it at every commit, so an acknowledged action survives a power
    # cut as well as a killed process (NORMAL would sync only at checkpoints).
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # IMMEDIATE takes the database's write lock at the start, so two writers never both read the
    # same chain head.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str) -> Engine:
    """An engine for `url` with the per-connection settings each database needs."""
    try:
        parsed = make_url(url)
    except ArgumentError as error:
        raise UsageError(f"not a database URL: {url!r}", field="--db") from error
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            folder = Path(database).parent
            if not folder.is_dir():
                raise DataError(f"no folder {folder} for the database file", field="--db")
        engine = create_engine(parsed)
        event.listen(engine, "connect", _sqlite_connection)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(parsed, pool_pre_ping=True)
    raise UsageError(
        f"unsupported database {parsed.get_backend_name()!r}: use sqlite or postgresql",
        field="--db",
    )


def migrate(engine: Engine) -> None:
    """Bring the database to the newest schema with the migrations shipped in the package."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "consortia.store:migrations")
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except DatabaseError as error:
        raise _unusable(error) from None


def _unusable(error: DatabaseError) -> DataError:
    """The one-line error for a `--db` that cannot be opened or is not a database.

    OperationalError (cannot open) and "file is not a database" are both DatabaseErrors.
    """
    reason = str(error.orig).splitlines()[0] if error.orig else "not a database"
    return DataError(
        f"cannot open the database: {reason}",
        field="--db",
        rule="a SQLite or PostgreSQL database",
    )


class Store:
    """The governance record in one database; `transaction()` is the only way to write."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessions = sessionmaker(engine, expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session inside one transaction that holds the audit chain's write lock."""
        with self.sessions.begin() as session:
            if self.engine.dialect.name == "postgresql":
                session.execute(text("LOCK TABLE audit_entry IN EXCLUSIVE MODE"))
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only session on one consistent snapshot (rolled back at the end)."""
        with self.sessions() as session:
            if self.engine.dialect.name == "postgresql":
                # READ COMMITTED would give each query its own snapshot: a transaction committing
                # between two queries could show its change without its audit entry.
                session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            try:
                yield session
            finally:
                session.rollback()

    def close(self) -> None:
        """Release the engine's connections."""
        self.engine.dispose()


def open_store(db: str, *, migrate_schema: bool = True) -> Store:
    """Open (and by default create or upgrade) the governance store at `db`."""
    engine = make_engine(database_url(db))
    if migrate_schema:
        migrate(engine)
    else:
        try:  # reading the schema is where a file that is not a database first fails
            inspect(engine).get_table_names()
        except DatabaseError as error:
            engine.dispose()
            raise _unusable(error) from None
    return Store(engine)


def default_database(settings: Settings, create: bool = False) -> str:
    """The default governance database: governance.sqlite in the demo folder, beside its lake.

    The folder is made only for a command that writes (`create`); reading creates nothing.
    """
    if create:
        settings.demo_dir.mkdir(parents=True, exist_ok=True)
    return str(settings.demo_dir / "governance.sqlite")
