"""Intermediate results that several figures share, computed once per run.

A definition marked `@shared` still returns an ordinary Ibis expression, so every caller,
spec test and backend sees the same definition. When the tables come from a `Run` (one pass
of the pack over one lake), its first use materialises the result in the backend (Ibis
`Table.cache`, a temporary table) and every later use, by any figure, reads that table
instead of computing it again. Only aggregates are marked: a run keeps small tables, never a
copy of the lake's rows. A result over everyone in the lake (no CCG in its scope) is also kept
beside the lake when the run has a `Derived` store (`consortia.engine.derived`), so it is
computed once per lake content rather than once per pack.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar, cast

from consortia.analyses.scope import Scope, Tables
from consortia.engine.derived import Derived

F = TypeVar("F", bound=Callable[..., Any])


class Run(Mapping[str, Any]):
    """The lake's tables for one run, with the shared results computed so far."""

    def __init__(self, tables: Tables, derived: Derived | None = None) -> None:
        self.tables = tables
        self.derived = derived
        self.results: dict[tuple[Callable[..., Any], Scope, str], Any] = {}

    def __getitem__(self, name: str) -> Any:
        return self.tables[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.tables)

    def __len__(self) -> int:
        return len(self.tables)


def shared(definition: F) -> F:
    """Mark `definition(tables, scope, *args)` as computed once per run and scope."""

    @functools.wraps(definition)
    def once(tables: Tables, scope: Scope, *args: Any) -> Any:
        if not isinstance(tables, Run):
            return definition(tables, scope, *args)
        # The function itself (unique across modules); the arguments by their text, as some
        # (measure definitions) hold lists.
        key = (definition, scope, repr(args))
        if key not in tables.results:
            computed = definition(tables, scope, *args)
            stored = None
            if scope.ccg is None and tables.derived is not None:
                stored = tables.derived.table(definition, f"{scope!r}, {args!r}", computed)
            tables.results[key] = stored if stored is not None else computed.cache()
        return tables.results[key]

    return cast(F, once)
