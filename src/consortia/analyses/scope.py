"""What an analysis covers: which CCG, which financial years."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import ibis
from ibis import _

# Re-exported: analyses name years through the scope.
from consortia.years import financial_year_label as financial_year_label
from consortia.years import parse_financial_year as parse_financial_year

Tables = Mapping[str, Any]  # dataset name → ibis.Table


@dataclass(frozen=True)
class Scope:
    """A CCG (None for every CCG in the lake) and the financial years of the period."""

    ccg: str | None = None
    first_year: int = 2013  # the financial year 2013/14
    years: int = 2

    @property
    def start(self) -> date:
        """1 April of the first financial year."""
        return date(self.first_year, 4, 1)

    @property
    def end(self) -> date:
        """1 April after the last financial year (exclusive)."""
        return date(self.first_year + self.years, 4, 1)

    @property
    def everyone(self) -> Scope:
        """Every CCG in the lake over the same years: the reference population."""
        return Scope(None, self.first_year, self.years)

    def year_starts(self) -> list[date]:
        """1 April of each financial year."""
        return [date(self.first_year + i, 4, 1) for i in range(self.years)]


def member_practices(tables: Tables, scope: Scope) -> Any:
    """The practices in scope: code, name, ccg."""
    practice = tables["practice"]
    if scope.ccg is not None:
        practice = practice.filter(_.ccg == scope.ccg)
    return practice.select("code", "name", "ccg")


def _year_of(day: Any, scope: Scope, value: Any, null: Any) -> Any:
    """`value(start)` for the scope's financial year containing `day`, else `null`.

    Compared with literal dates rather than computed from the date, which keeps it cheap on
    millions of rows.
    """
    result = null
    for start in scope.year_starts():  # the latest year is tested last, so it wins
        result = ibis.ifelse(day >= start, value(start), result)
    return ibis.ifelse(day < scope.end, result, null)


def financial_year(day: Any, scope: Scope) -> Any:
    """The label of the scope's financial year a date falls in (e.g. "2013/14"), else null."""
    return _year_of(day, scope, lambda start: financial_year_label(start.year), ibis.null("string"))


def financial_year_start(day: Any, scope: Scope) -> Any:
    """The calendar year in which the date's financial year starts (2013 for 2013/14)."""
    return _year_of(day, scope, lambda start: start.year, ibis.null("int16"))


def year_label(year_start: Any, scope: Scope) -> Any:
    """The label of the financial year starting in `year_start` (a column of the scope's
    years, as `financial_year_start` gives them), for a result grouped on the number."""
    return financial_year(ibis.date(year_start, 4, 1), scope)
