"""Which audit entries wrote each fact a page shows.

`state.vouched` replays the chain into each row's content and the entry that last wrote it. A
page names, beside every fact, the rows it shows and those entries, so a reader can check the
fact against the log ("entry 42") and a program can check the entries against the rows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from consortia.governance.audit import Entry
from consortia.governance.state import Key, Row, vouched

RowRef = tuple[str, Key]  # a table's name and a row's primary key


@dataclass(frozen=True)
class Source:
    """The rows a rendered fact shows and the audit entries that last wrote them."""

    rows: tuple[RowRef, ...]
    seqs: tuple[int, ...]  # ascending, each once

    def __add__(self, other: Source) -> Source:
        rows = tuple(dict.fromkeys(self.rows + other.rows))
        return Source(rows, tuple(sorted(set(self.seqs) | set(other.seqs))))

    @property
    def text(self) -> str:
        """The entries in words: "entry 42", "entries 40 and 41", "entries 3, 5 and 8"."""
        shown = [str(seq) for seq in self.seqs]
        if len(shown) == 1:
            return f"entry {shown[0]}"
        return f"entries {', '.join(shown[:-1])} and {shown[-1]}"

    @property
    def data(self) -> str:
        """The rows as JSON ([table, key] pairs), for a program checking the page."""
        return json.dumps([[table, list(key)] for table, key in self.rows], ensure_ascii=False)


class UnsourcedFactError(LookupError):
    """A page was about to show a fact that no row the log vouches for holds (a bug)."""


class Provenance:
    """The rows the audit log vouches for, by table, with the entry that last wrote each."""

    def __init__(self, state: dict[tuple[str, Key], tuple[Row | None, int]]) -> None:
        self._tables: dict[str, dict[Key, tuple[Row, int]]] = {}
        for (table, key), (row, seq) in state.items():
            if row is not None:  # a row the log deleted is no fact
                self._tables.setdefault(table, {})[key] = (row, seq)

    @classmethod
    def of(cls, chain: Iterable[Entry]) -> Provenance:
        """The provenance of every row the chain vouches for."""
        state, _unrecorded = vouched(chain)
        return cls(state)

    def row(self, table: str, *key: Any) -> Source:
        """The source of one row, by its primary key."""
        found = self._tables.get(table, {}).get(tuple(key))
        if found is None:
            raise UnsourcedFactError(f"no {table} row {key!r} in the audit log")
        return Source(((table, tuple(key)),), (found[1],))

    def where(self, table: str, **fields: Any) -> Source:
        """The source of every row of `table` holding all these column values."""
        rows = self.matching(table, **fields)
        if not rows:
            raise UnsourcedFactError(f"no {table} row with {fields!r} in the audit log")
        return Source(
            tuple((table, key) for key, _ in rows),
            tuple(sorted({self._tables[table][key][1] for key, _ in rows})),
        )

    def matching(self, table: str, **fields: Any) -> list[tuple[Key, Row]]:
        """Every row of `table` holding all these column values, by key."""
        rows = self._tables.get(table, {})
        found = [
            (key, row)
            for key, (row, _seq) in rows.items()
            if all(row.get(name) == value for name, value in fields.items())
        ]
        return sorted(found, key=lambda pair: pair[0])

    def content(self, table: str, *key: Any) -> Row | None:
        """A row's content as the log vouches for it, or None."""
        found = self._tables.get(table, {}).get(tuple(key))
        return found[0] if found else None

    def name(self, table: str, key: str | None) -> str:
        """A person's or organisation's name, or its key when the record holds no name."""
        row = self.content(table, key) if key is not None else None
        return str(row["name"]) if row else (key or "")
