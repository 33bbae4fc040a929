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
from collections.abc import Callable, Hashable, Iterator, Mapping
from typing import Any, TypeVar, cast, overload

import ibis
import ibis.expr.operations as ops

from consortia.analyses.scope import Scope, Tables, member_practices
from consortia.engine.derived import Derived
from consortia.engine.plans import RUN

F = TypeVar("F", bound=Callable[..., Any])


class Run(Mapping[str, Any]):
    """The lake's tables for one run, with the shared results computed so far."""

    def __init__(self, tables: Tables, derived: Derived | None = None) -> None:
        self.tables = tables
        self.derived = derived
        self.results: dict[tuple[Callable[..., Any], Scope, str], Any] = {}
        # How each result's definition sorts its rows (a stored or cached table keeps no order).
        self.orders: dict[tuple[Callable[..., Any], Scope, str], list[Any]] = {}
        # Results computed from shared ones outside the backend, the same for every CCG.
        self.memory: dict[Hashable, Any] = {}

    def __getitem__(self, name: str) -> Any:
        return self.tables[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.tables)

    def __len__(self) -> int:
        return len(self.tables)


@overload
def shared(definition: F) -> F: ...


@overload
def shared(*, by: str) -> Callable[[F], F]: ...


def shared(definition: F | None = None, *, by: str | None = None) -> F | Callable[[F], F]:
    """Mark `definition(tables, scope, *args)` as computed once per run and scope.

    `by` ("practice" or "ccg") declares that the result is grouped by that column and that a
    CCG's result is everyone's restricted to the CCG's rows: in a run, a CCG's result is then
    sliced from everyone's (computed once, and kept beside the lake), so every CCG of a lake
    is computed in one grouped pass rather than one pass each. Tests hold each such
    definition to it: sliced and computed directly, a CCG's result is the same.
    """
    if by not in (None, "practice", "ccg"):
        raise ValueError(f"shared(by=...) is 'practice' or 'ccg', not {by!r}")

    def mark(definition: F) -> F:
        @functools.wraps(definition)
        def once(tables: Tables, scope: Scope, *args: Any) -> Any:
            if not isinstance(tables, Run):
                return definition(tables, scope, *args)
            # The function itself (unique across modules); the arguments by their text, as
            # some (measure definitions) hold lists.
            key = (definition, scope, repr(args))
            if key not in tables.results:
                if by is not None and scope.ccg is not None:
                    whole = once(tables, scope.everyone, *args)
                    order = tables.orders[(definition, scope.everyone, repr(args))]
                    tables.results[key] = _slice(tables, whole, by, scope, order)
                else:
                    computed = definition(tables, scope, *args)
                    tables.orders[key] = _order(computed)
                    tables.results[key] = _materialised(tables, definition, scope, args, computed)
            return tables.results[key]

        if by is not None:
            SLICED.append(once)
        return cast(F, once)

    return mark(definition) if definition is not None else mark


# Every definition a CCG's result is sliced from everyone's for (the tests check each).
SLICED: list[Callable[..., Any]] = []


def _materialised(
    run: Run, definition: Callable[..., Any], scope: Scope, args: tuple[Any, ...], computed: Any
) -> Any:
    """The result `computed` materialised: kept beside the lake when over everyone, else in the
    run."""
    if scope.ccg is None and run.derived is not None:
        return run.derived.table(definition, f"{scope!r}, {args!r}", computed)
    plans = run.derived.plans if run.derived is not None else None
    if plans is not None:  # under a fixed name, so figures' kept SQL can name it
        return plans.run_table(plans.named(RUN, definition, scope, args), computed)
    return computed.cache()


def _order(expression: Any) -> list[Any]:
    """The sort keys the expression ends with, by column, if it ends with a sort by columns."""
    sort = expression.op()
    if not isinstance(sort, ops.Sort) or not all(isinstance(k.arg, ops.Field) for k in sort.keys):
        return []
    return [ibis.asc(k.arg.name) if k.ascending else ibis.desc(k.arg.name) for k in sort.keys]


def _slice(run: Run, whole: Any, by: str, scope: Scope, order: list[Any]) -> Any:
    """The rows of `whole` (everyone's result) that belong to the scope's CCG, sorted as the
    definition sorts them (`order`)."""
    if by == "ccg":
        rows = whole.filter(whole.ccg == scope.ccg)
    else:
        practices = member_practices(run, scope)
        rows = whole.semi_join(practices, whole.practice == practices.code)
    return rows.order_by(order) if order else rows
