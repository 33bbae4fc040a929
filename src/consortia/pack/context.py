"""What every pack section needs: the backend, the lake's tables, the scope, and a run cache."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import InitVar, dataclass, field
from typing import Any, TypeVar

import pandas as pd

from consortia.analyses.scope import Scope, Tables
from consortia.analyses.shared import Run
from consortia.engine.derived import Derived
from consortia.engine.plans import FIGURE, general
from consortia.pack.figure import Query
from consortia.privacy.release import RULES
from consortia.privacy.rule import Rules

T = TypeVar("T")


@dataclass
class Context:
    """Runs each analysis once, keeping its result and the SQL an analyst can inspect.

    Results run over `shared` tables, where intermediates several figures use are computed
    once (`consortia.analyses.shared`); the SQL shown is the definition's own, from the lake.
    """

    backend: Any
    tables: Tables
    scope: Scope
    ccg_name: str = ""
    derived: Derived | None = None  # where lake-wide aggregates are kept, if anywhere
    record: str | None = None  # the CCG's governance record (a database), if the pack shows it
    rules: Rules = RULES  # the small-number rule for each audience its figures are released to
    _memory: dict[Hashable, Any] = field(default_factory=dict)
    within: InitVar[Run | None] = None  # a run shared with other CCGs' packs, if any
    shared: Run = field(init=False)

    def __post_init__(self, within: Run | None) -> None:
        self.shared = within if within is not None else Run(self.tables, self.derived)

    def run(
        self, definition: Callable[..., Any], scope: Scope | None, *args: Any
    ) -> tuple[pd.DataFrame, Query]:
        """Result and query of `definition(tables, scope, *args)`, computed on first use only."""

        def compute() -> tuple[pd.DataFrame, Query]:
            return self._execute(definition, scope, args), self.query(definition, scope, *args)

        key = (definition.__module__, definition.__qualname__, scope, repr(args))
        result, sql = self.remember(key, compute)
        return result.copy(), sql

    def query(self, definition: Callable[..., Any], scope: Scope | None, *args: Any) -> Query:
        """`definition(tables, scope, *args)` as a figure's source: its SQL read from the
        lake's store when the run has one, neither built until asked for."""
        return Query(
            lambda: definition(self.tables, scope, *args), self._sql(definition, scope, args)
        )

    def _execute(
        self, definition: Callable[..., Any], scope: Scope | None, args: tuple[Any, ...]
    ) -> pd.DataFrame:
        """`definition(shared, scope, *args)` run: by the SQL a previous pack kept for it (for
        a CCG, for any CCG: `consortia.engine.plans`), else built, its SQL kept and run."""
        plans = self.derived.plans if self.derived is not None else None
        if plans is None or scope is None:
            return self.backend.execute(definition(self.shared, scope, *args))
        name = plans.named(FIGURE, definition, scope, args)
        kept = plans.execute(name)
        if kept is not None:
            return kept
        # A CCG's figure is compiled once for every CCG, its code a placeholder (`Plans.named`)
        template = general(scope)
        if plans.save(
            plans.named(FIGURE, definition, template, args),
            definition(self.shared, template, *args),
        ):  # run as it is kept
            kept = plans.execute(name)
            if kept is not None:
                return kept
        return self.backend.execute(definition(self.shared, scope, *args))

    def _sql(
        self, definition: Callable[..., Any], scope: Scope | None, args: tuple[Any, ...]
    ) -> Callable[[], str] | None:
        """How to find the definition's SQL in the lake's store, if the run has one."""
        derived = self.derived
        if derived is None or scope is None:
            return None
        return lambda: derived.sql(definition, scope, args, self.tables)

    def remember(self, key: Hashable, compute: Callable[[], T]) -> T:
        """`compute()`'s value, computed once per key."""
        return _once(self._memory, key, compute)

    def remember_for_everyone(self, key: Hashable, compute: Callable[[], T]) -> T:
        """`compute()`'s value, computed once per run: for a result about every CCG, which
        each CCG's pack of the run (`consortia pack --all-ccgs`) shows the same."""
        return _once(self.shared.memory, key, compute)


def _once(memory: dict[Hashable, Any], key: Hashable, compute: Callable[[], T]) -> T:
    """`compute()`'s value, kept in `memory` under `key` after its first use."""
    if key not in memory:
        memory[key] = compute()
    value: T = memory[key]
    return value
