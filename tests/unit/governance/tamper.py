"""A forger with SQL access: edits, deletes, inserts and reorders rows of governance tables.

Each tampering returns the rows it touched, as (table, key), so a test can check that
verification names one of them first. Every change keeps the database's own constraints
(types, lengths, foreign keys): a forger's edit the database itself accepts.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Boolean, Connection, Date, Integer, String, Table, delete, insert, select
from sqlalchemy import update as sql_update
from sqlalchemy.exc import IntegrityError

from consortia.governance.state import GOVERNED

Touched = set[tuple[str, tuple[Any, ...]]]
KINDS = ("edit", "delete", "insert", "reorder")


def rows(connection: Connection, table: Table) -> list[dict[str, Any]]:
    """The table's rows as mappings, in key order."""
    statement = select(table).order_by(*table.primary_key.columns)
    return [dict(row._mapping) for row in connection.execute(statement)]


def key(table: Table, row: dict[str, Any]) -> tuple[Any, ...]:
    """The row's primary key, as verification names it (dates as ISO text)."""
    return tuple(
        row[c.name].isoformat() if isinstance(row[c.name], date) else row[c.name]
        for c in table.primary_key.columns
    )


def _where(table: Table, row: dict[str, Any]) -> Any:
    return [c == row[c.name] for c in table.primary_key.columns]


def _referenced(connection: Connection, table: Table, column: str) -> list[Any]:
    (foreign,) = table.columns[column].foreign_keys
    target = foreign.column
    return list(connection.scalars(select(target).order_by(target)))


def _changed(connection: Connection, table: Table, column: str, value: Any) -> Any:
    """Another value the column accepts, or None if it has none."""
    kind = table.columns[column].type
    if table.columns[column].foreign_keys:
        others = [v for v in _referenced(connection, table, column) if v != value]
        return others[0] if others else None
    if isinstance(kind, Boolean):
        return not value
    if isinstance(kind, Integer):
        return (value or 0) + 1
    if isinstance(kind, Date):
        return (value or date(2017, 1, 1)) + timedelta(days=1)
    text = value or ""
    length = kind.length if isinstance(kind, String) else None
    if length and len(text) >= length:
        return text[:-1] + ("y" if text[-1:] != "y" else "z")
    return text + "x"


def edit(connection: Connection, table: Table, rng: random.Random) -> Touched:
    """Change one value of one row (any column but the key)."""
    row = rng.choice(rows(connection, table))
    columns = [c.name for c in table.columns if not c.primary_key]
    rng.shuffle(columns)
    for column in columns:
        new = _changed(connection, table, column, row[column])
        if new is not None and new != row[column]:
            connection.execute(sql_update(table).where(*_where(table, row)).values({column: new}))
            return {(table.name, key(table, row))}
    raise AssertionError(f"no column of {table.name} can be changed")


def delete_row(connection: Connection, table: Table, rng: random.Random) -> Touched:
    """Delete one row, and first the rows that refer to it (as a forger must)."""
    return _delete(connection, table, rng.choice(rows(connection, table)))


def _delete(connection: Connection, table: Table, row: dict[str, Any]) -> Touched:
    touched: Touched = set()
    for child in GOVERNED:
        for foreign in child.foreign_keys:
            if foreign.column.table is table:
                referring = select(child).where(foreign.parent == row[foreign.column.name])
                for child_row in [dict(r._mapping) for r in connection.execute(referring)]:
                    touched |= _delete(connection, child, child_row)
    connection.execute(delete(table).where(*_where(table, row)))
    return touched | {(table.name, key(table, row))}


def insert_row(connection: Connection, table: Table, rng: random.Random) -> Touched:
    """Insert a copy of a row under a key no row has (nothing, if the constraints leave none)."""
    existing = rows(connection, table)
    taken = {key(table, r) for r in existing}
    copy = dict(rng.choice(existing))
    for _ in range(200):
        for column in table.primary_key.columns:
            if column.foreign_keys:
                copy[column.name] = rng.choice(_referenced(connection, table, column.name))
            elif isinstance(column.type, Integer):
                copy[column.name] = max(int(r[column.name]) for r in existing) + 1
            else:
                copy[column.name] = f"forged-{rng.randrange(10**6)}"
        if key(table, copy) not in taken:
            connection.execute(insert(table).values(copy))
            return {(table.name, key(table, copy))}
    return set()  # every key the constraints allow is taken: nothing to insert


def reorder(connection: Connection, table: Table, rng: random.Random) -> Touched:
    """Swap the contents of two rows that differ, keeping their keys."""
    existing = rows(connection, table)
    columns = [c.name for c in table.columns if not c.primary_key]
    pairs = [
        (a, b)
        for i, a in enumerate(existing)
        for b in existing[i + 1 :]
        if any(a[c] != b[c] for c in columns)
    ]
    a, b = rng.choice(pairs)
    for target, source in ((a, b), (b, a)):
        values = {c: source[c] for c in columns}
        connection.execute(sql_update(table).where(*_where(table, target)).values(values))
    return {(table.name, key(table, a)), (table.name, key(table, b))}


TAMPER = {"edit": edit, "delete": delete_row, "insert": insert_row, "reorder": reorder}


def accepted(connection: Connection, kind: str, table: Table, rng: random.Random) -> Touched:
    """The tampering `kind` of `table` if the database accepts it, else nothing: after earlier
    steps, a copied or swapped value may break a unique column, which no forger gets past."""
    step = connection.begin_nested()
    try:
        touched = TAMPER[kind](connection, table, rng)
    except IntegrityError:
        step.rollback()
        return set()
    step.commit()
    return touched
