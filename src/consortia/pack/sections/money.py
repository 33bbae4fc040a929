"""What the pack's money sections share: the year they report on, and the results about every
CCG (the allocation, budget risk, the premium's lake values), each computed once per run from
the finance definitions (`Context.remember_for_everyone`) and the same in every CCG's pack.

The year is the pack's latest financial year: the allocation and budget risk are those of
that year (set from the year before), contracts are monitored in it, the premium scored on it.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable
from functools import cache, partial
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

from consortia.analyses.scope import Scope, financial_year_label
from consortia.errors import DataError
from consortia.finance import allocation as allocating
from consortia.finance import budget_risk as risking
from consortia.finance.need import base_year, need_cells
from consortia.finance.parameters import AllocationParameters, allocation_parameters
from consortia.finance.premium import rules
from consortia.finance.premium.lake import values
from consortia.pack.context import Context
from consortia.pack.figure import Figure, Query

T = TypeVar("T")
NOT_COMPUTED = "Not computed: "  # how a figure the lake cannot give begins its method


def pack_year(context: Context) -> str:
    """The pack's latest financial year ("2014/15")."""
    scope = context.scope
    return financial_year_label(scope.first_year + scope.years - 1)


def parameters(context: Context) -> AllocationParameters:
    """The allocation parameters shipped for the pack's year, read once per run."""
    year = pack_year(context)
    return remembered(
        context, ("allocation_parameters", year), partial(allocation_parameters, year)
    )


def allocation(context: Context) -> allocating.Allocation:
    """The allocation of the pack's year for every CCG of the lake (no cost indices given)."""

    def compute() -> allocating.Allocation:
        return allocating.compute(context.backend, context.shared, parameters(context))

    return remembered(context, ("allocation", pack_year(context)), compute)


def budget_risk(context: Context) -> risking.BudgetRisk:
    """Budget risk for the pack's year from everyone's person costs: for a CCG's pack, with
    its own list and a merger to twice it (`budget_risk.for_ccg`)."""
    given = parameters(context)

    def everyone() -> risking.BudgetRisk:
        settings = risking.Settings(contingency=given.contingency_reserve)
        return risking.compute(context.backend, context.shared, given, settings)

    national = remembered(context, ("budget_risk", pack_year(context)), everyone)
    ccg = context.scope.ccg
    if ccg is None:
        return national
    sizes = list_sizes(context, given.base_year_start)
    people = int(sizes.get(ccg, 0))
    if people == 0:
        raise DataError(f"CCG {ccg} had nobody on its lists on 1 April {given.base_year_start}")
    return risking.for_ccg(national, ccg, people)


def allocation_source(context: Context) -> Query:
    """The allocation's main query over the lake: everyone's person-years and spend by cell
    in the base year (`need_cells`), which the need weights are fitted to."""
    given = parameters(context)
    return context.query(need_cells, base_year(given.base_year_start), tuple(given.components))


def budget_risk_source(context: Context) -> Query:
    """Budget risk's query over the lake: the cost of each patient on a list in the base
    year (`budget_risk.person_costs`), which the simulation draws from."""
    given = parameters(context)
    return context.query(risking.person_costs, base_year(given.base_year_start), given)


def list_sizes(context: Context, year_start: int) -> pd.Series:
    """Patients on each CCG's lists on 1 April of the year starting in `year_start`."""
    sizes, _ = context.run(risking.list_sizes, base_year(year_start))
    return sizes.set_index("ccg")["people"]


def premium_scheme(context: Context) -> rules.Scheme:
    """The quality premium scheme shipped for the pack's year."""
    return rules.scheme(pack_year(context))


def premium_values(context: Context) -> pd.DataFrame:
    """The premium's lake measures for every CCG in the performance year and the year
    before (`consortia.finance.premium.lake.values`)."""
    start = premium_scheme(context).performance_start
    scope = Scope(None, start - 1, 2)
    return remembered(
        context, ("premium_values", scope), lambda: values(context.backend, context.shared, scope)
    )


def remembered(context: Context, key: tuple[object, ...], compute: Callable[[], T]) -> T:
    """`compute()` once per run, its user error too: a lake that cannot give a result about
    everyone is told so in every CCG's pack without computing it again for each."""

    def attempt() -> T | DataError:
        try:
            return compute()
        except DataError as error:
            return error

    result = context.remember_for_everyone(key, attempt)
    if isinstance(result, DataError):
        raise result
    return result


def kept(
    context: Context,
    builder: Callable[[Context], Any],
    id: str,
    section: str,
    title: str,
    build: Callable[[], Figure],
    chart: Callable[[pd.DataFrame], Any],
    source: Callable[[], Query] | None = None,
) -> Figure:
    """`build()`'s figure for the context's scope, kept beside the lake (`kept_all`)."""
    made = kept_all(
        context, builder, id, section, title, lambda: (build(),),
        lambda table, words: chart(table), source,
    )  # fmt: skip
    return made[0]


def kept_all(
    context: Context,
    builder: Callable[[Context], Any],
    id: str,
    section: str,
    title: str,
    build: Callable[[], tuple[Figure, ...]],
    chart: Callable[[pd.DataFrame, dict[str, Any]], Any],
    source: Callable[[], Query] | None = None,
    about: Scope | None = None,
) -> tuple[Figure, ...]:
    """`build()`'s figures for the context's scope, each kept beside the lake with the results
    it is computed from (`Derived.frame`), so a later pack reads their tables and words rather
    than computing them again; each chart is drawn from its table and words, and each names
    `source()`, the query over the lake the figures are computed from. Figures the same in
    every CCG's pack name the scope they are `about` (everyone's), and are kept once for all.
    When the lake cannot give them (`build` raises a user error), the one empty figure that
    says why (`not_computed`), not kept."""
    failed: list[Figure] = []

    @cache
    def computed() -> tuple[Figure, ...]:
        try:
            return build()
        except DataError as error:
            failed.append(not_computed(id, section, title, error))
            return ()

    def compute(index: int) -> tuple[pd.DataFrame, dict[str, Any]] | None:
        figures = computed()
        if index >= len(figures):
            return None
        figure = figures[index]
        words = {"id": figure.id, "section": figure.section, "title": figure.title,
                 "method": figure.method, "confidence": figure.confidence,
                 "notes": list(figure.notes), "improvement": figure.improvement,
                 "of": len(figures)}  # fmt: skip
        return figure.table, words

    def made(index: int) -> tuple[pd.DataFrame, dict[str, Any]] | None:
        derived = context.derived
        if derived is None:
            return compute(index)
        scope = about if about is not None else context.scope
        arguments = f"{scope!r}, {index}, {_source(builder)}"
        return derived.frame(builder, arguments, partial(compute, index), _whole)

    first = made(0)
    if first is None:
        return tuple(failed)
    found = [first, *(made(index) for index in range(1, int(first[1]["of"])))]
    query = source() if source is not None else None
    return tuple(_figure(table, words, chart, query) for table, words in filter(None, found))


# The words a kept figure is read back with, and the types each must have: a kept file whose
# words are not these (damaged, or written by hand) is computed again.
WORDS: dict[str, type | tuple[type, ...]] = {
    "id": str, "section": str, "title": str, "method": str, "notes": list, "of": int,
    "confidence": (float, int, type(None)), "improvement": (str, type(None)),
}  # fmt: skip


def _whole(words: dict[str, Any]) -> bool:
    """Whether kept words are a figure's (`WORDS`), at least one of them."""
    return all(isinstance(words.get(key, ...), kind) for key, kind in WORDS.items()) and (
        words["of"] >= 1 and all(isinstance(note, str) for note in words["notes"])
    )


def _figure(
    table: pd.DataFrame,
    words: dict[str, Any],
    chart: Callable[[pd.DataFrame, dict[str, Any]], Any],
    source: Query | None,
) -> Figure:
    """A kept figure from its table and words, its chart drawn from them."""
    improvement = words.get("improvement")
    return Figure(
        id=str(words["id"]),
        section=str(words["section"]),
        title=str(words["title"]),
        method=str(words["method"]),
        table=table,
        chart=lambda drawn: chart(drawn, words),
        confidence=words["confidence"],
        notes=tuple(str(note) for note in words["notes"]),
        improvement=None if improvement is None else str(improvement),
        source=source,
    )


@cache
def _source(builder: Callable[..., Any]) -> str:
    """A digest of the code a kept figure's words come from: its section's module and this one
    (the finance definitions are in the lake's own key, `consortia.engine.derived.code`)."""
    digest = hashlib.sha256()
    for module in (sys.modules[builder.__module__], sys.modules[__name__]):
        digest.update(Path(str(module.__file__)).read_bytes())
    return digest.hexdigest()


def not_computed(id: str, section: str, title: str, error: DataError) -> Figure:
    """An empty figure whose method says why the lake could not give it (no parameters for
    the year, no activity in the base year)."""
    return Figure(
        id=id, section=section, title=title, method=f"{NOT_COMPUTED}{error.message}.",
        table=pd.DataFrame(),
    )  # fmt: skip
