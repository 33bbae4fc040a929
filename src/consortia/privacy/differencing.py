"""Differencing: numbers the public release gives in one place that add up to numbers it gives
in another. Registers by practice add up to the CCG's register; months add up to their year;
practices' emergency admissions add up to the CCG's in the year; the age–sex pyramid, the
deprivation deciles and the practices' lists are three breakdowns of the same people. With
such sums an attacker who knows the small-number rule can pin a withheld count to one value.

The sums are not declared: they are found in the analyses' exact tables, every equality
between a group of one figure's cells and a group of another's (groups by the figures'
categories: practice, condition, month, year and the rest, with any others held fixed). An
equality that holds by coincidence is kept too: it is true of the data, so using it only
makes the audit stricter. Every withheld number is then audited with integer programming
over all of them at once (`scipy.optimize.milp`): the least and greatest value it can take
given everything released. Where the two meet, a further row is withheld (the smallest
released row beside it, else the total) and the audit runs again.

The attacker the audit assumes knows the rule: a withheld count is 1 to 7 (one withheld to
protect another is 0 or at least 8, and the audit assumes the attacker knows which), a
released count is within 2 of the truth, and money and other exact figures are exact; money
withheld with its row is taken as recoverable count (a price times a count), so it is
audited like one.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, replace
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import lil_matrix
from scipy.sparse.csgraph import connected_components

from consortia.pack.figure import Figure
from consortia.pack.labels import Kind, label_or_fallback, missing
from consortia.privacy.rule import Rule
from consortia.years import financial_year_of

Cell = tuple[int, str, int]  # a figure's position, a column, a row's position
INFINITY = math.inf
# Columns that are not categories of a figure's rows, though they hold words.
NOT_CATEGORIES = frozenset(
    {"method", "significance", "poisson_significance", "point_type", "outlying"}
)
MONEY_PLACES = 2  # exact figures are matched to the penny (their sums are taken in floats)
SLACK = 10.0**-MONEY_PLACES  # how far apart two sides of a sum matched to the penny may be


@dataclass(frozen=True)
class Relation:
    """The cells of `left` add up to the cells of `right`, in the analyses' exact tables."""

    left: tuple[Cell, ...]
    right: tuple[Cell, ...]


def categories(table: pd.DataFrame) -> list[str]:
    """The columns that name what a row counts (practice, condition, month…)."""
    found = []
    for column in table.columns:
        name = str(column)
        if name in NOT_CATEGORIES:
            continue
        kind = label_or_fallback(name, pd.api.types.is_numeric_dtype(table[column])).kind
        if kind in (Kind.CODE, Kind.NAME, Kind.TEXT, Kind.DATE, Kind.MONTH):
            found.append(name)
    return found


def additive(figure: Figure) -> list[str]:
    """The columns of `figure` that can add up to another's: its counts of people, and money
    it publishes exactly (a price times a count)."""
    found = []
    as_is = figure.public.as_is if figure.public is not None else ()
    for column in figure.table.columns:
        name = str(column)
        if not pd.api.types.is_numeric_dtype(figure.table[column]):
            continue
        money = label_or_fallback(name, True).kind is Kind.POUNDS
        if _people(name) or (name in as_is and money):
            found.append(name)
    return found


@dataclass(frozen=True)
class _Breakdown:
    """One column's cells, among the rows with the categories `held` at one value each,
    grouped by the categories `by`: each group's cells and exact sum."""

    figure: int
    column: str
    held: tuple[tuple[str, object], ...]
    groups: dict[tuple[object, ...], tuple[tuple[Cell, ...], float]]

    def signature(self, by: tuple[str, ...]) -> tuple[object, ...]:
        """What another breakdown by the same categories must equal, group for group."""
        sums = frozenset(
            (key, round(value, MONEY_PLACES)) for key, (_, value) in self.groups.items()
        )
        return (by, sums)


def relations(exact: tuple[Figure, ...]) -> list[Relation]:
    """Every sum between the figures `exact`: one column, grouped by some of its figure's
    categories (with others held at one value), equal group for group to another column
    grouped by the same categories over its whole table — as the analyses' definitions make
    the practices' registers add up to the CCG's and the months to their year."""
    by_signature: dict[tuple[object, ...], list[_Breakdown]] = defaultdict(list)
    for by, breakdown in _breakdowns(exact):
        if any(value != 0 for _, value in breakdown.groups.values()):
            by_signature[breakdown.signature(by)].append(breakdown)
    found = []
    for same in by_signature.values():
        for one, other in combinations(same, 2):
            if (one.figure, one.column) == (other.figure, other.column):
                continue
            if one.held and other.held:
                continue  # neither is a whole table: a coincidence, not a definition
            if all(len(one.groups[k][0]) == 1 == len(other.groups[k][0]) for k in one.groups):
                continue  # the same numbers shown twice: released the same way twice
            for key, (cells, _) in one.groups.items():
                found.append(Relation(cells, other.groups[key][0]))
    return found


HELD = 2  # categories held at one value at most (a point of delivery in a year)


def _breakdowns(exact: tuple[Figure, ...]) -> Iterator[tuple[tuple[str, ...], _Breakdown]]:
    """Every breakdown of every additive column of `exact` (months also by their financial
    year), with the categories it is grouped by."""
    for position, figure in enumerate(exact):
        table = figure.table.reset_index(drop=True)
        named = categories(table)
        if "month" in named and "financial_year" not in named:
            table = table.assign(financial_year=table["month"].map(_year_of))
            named.append("financial_year")
        named.sort()  # two figures' groups are compared by their categories' names, in order
        columns = [c for c in additive(figure) if not table[c].isna().any()]
        if not columns:
            continue
        for size in range(len(named) + 1):
            for by in combinations(named, size):
                rest = [n for n in named if n not in by]
                for count in range(min(HELD, len(rest)) + 1):
                    for held in combinations(rest, count):
                        yield from _split(position, table, columns, by, held)


def _split(
    position: int,
    table: pd.DataFrame,
    columns: list[str],
    by: tuple[str, ...],
    held: tuple[str, ...],
) -> Iterator[tuple[tuple[str, ...], _Breakdown]]:
    """The breakdowns by `by` of each of `columns`, one for each value of `held`."""
    keys = [*held, *by]
    indices: dict[Any, Any] = (
        dict(table.groupby(keys if len(keys) > 1 else keys[0], dropna=False).indices)
        if keys
        else {(): np.arange(len(table))}
    )
    parts: dict[tuple[object, ...], dict[tuple[object, ...], np.ndarray]] = defaultdict(dict)
    for key, rows in indices.items():
        values = key if isinstance(key, tuple) else (key,)
        parts[values[: len(held)]][values[len(held) :]] = rows
    for column in columns:
        numbers = table[column].to_numpy(dtype="float64")
        for fixed, groups in parts.items():
            yield (
                by,
                _Breakdown(
                    position,
                    column,
                    tuple(zip(held, fixed, strict=True)),
                    {
                        key: (
                            tuple((position, column, int(r)) for r in rows),
                            float(numbers[rows].sum()),
                        )
                        for key, rows in groups.items()
                    },
                ),
            )


def _year_of(month: object) -> str:
    return financial_year_of(pd.Timestamp(str(month)).date())


def protect(
    exact: tuple[Figure, ...],
    public: tuple[Figure, ...],
    rule: Rule,
    midpoint6: frozenset[int] | set[int] = frozenset(),
) -> tuple[Figure, ...]:
    """`public` (the release of `exact` to the public, figure for figure; those at positions
    `midpoint6` with counts rounded by midpoint 6) with further rows withheld until no
    withheld number, nor any small count shown by midpoint 6, can be worked back exactly
    through any sum."""
    found = relations(exact)
    if not found:
        return public
    tables = [figure.table.copy().reset_index(drop=True) for figure in public]
    audit = _Audit(found, [f.table.reset_index(drop=True) for f in exact], tables, rule)
    audit.midpoint6 = frozenset(midpoint6)
    while (pinned := audit.pinned()) is not None:
        figure, row = audit.beside(pinned)
        audit.protecting.add((figure, row))
        tables[figure] = _withhold_row(tables[figure], row)
    said: dict[int, int] = defaultdict(int)
    for figure, _ in audit.protecting:
        said[figure] += 1
    return tuple(
        replace(
            figure,
            table=tables[position].set_axis(figure.table.index),
            disclosure=figure.disclosure + _said(said.get(position, 0)),
        )
        for position, figure in enumerate(public)
    )


class _Audit:
    """What an attacker can say of each withheld number, given every sum and every released
    number. Withholding more only widens what the attacker can say, so a number found safe
    stays safe and is not audited again."""

    def __init__(
        self,
        found: list[Relation],
        truth: list[pd.DataFrame],
        tables: list[pd.DataFrame],
        rule: Rule,
    ) -> None:
        self.relations = found
        self.truth, self.tables, self.rule = truth, tables, rule
        self.protecting: set[tuple[int, int]] = set()  # rows withheld here: (figure, row)
        self.cells = sorted({cell for r in found for cell in (*r.left, *r.right)})
        self.index = {cell: k for k, cell in enumerate(self.cells)}
        matrix = lil_matrix((len(found), len(self.cells)))
        for k, relation in enumerate(found):
            for cell in relation.left:
                matrix[k, self.index[cell]] += 1.0
            for cell in relation.right:
                matrix[k, self.index[cell]] -= 1.0
        self.matrix = matrix.tocsc()
        linked = abs(self.matrix).T @ abs(self.matrix)
        _, self.component = connected_components(linked, directed=False)
        self.safe: set[Cell] = set()
        self.midpoint6: frozenset[int] = frozenset()  # figures whose counts are midpoint 6

    def true(self, cell: Cell) -> float:
        return float(self.truth[cell[0]].at[cell[2], cell[1]])  # type: ignore[arg-type]

    def shown(self, cell: Cell) -> object:
        return self.tables[cell[0]].at[cell[2], cell[1]]

    def bounds(self, cell: Cell) -> tuple[float, float, bool]:
        """Least and greatest value of `cell` to the attacker, and whether it is a count."""
        shown, true, count = self.shown(cell), self.true(cell), _people(cell[1])
        if not missing(shown):
            if not count:
                return true, true, False  # published exactly
            value = float(shown)  # type: ignore[arg-type]
            if value == 0:
                return 0.0, 0.0, True
            if cell[0] in self.midpoint6:  # the middle of a block of six: 3 is 1 to 6
                return value - 2, value + 3, True
            # rounded half up: a count from a half-multiple below to just under one above
            below, above = self.rule.multiple // 2, (self.rule.multiple - 1) // 2
            return max(value - below, self.rule.threshold + 1.0), value + above, True
        if count and 1 <= true <= self.rule.threshold:
            return 1.0, float(self.rule.threshold), True  # withheld by the rule
        if count and true > 0:  # withheld to protect another: not small, and known so
            return self.rule.threshold + 1.0, INFINITY, True
        if count:
            return 0.0, INFINITY, True  # zero, withheld with its row
        return (0.0 if true >= 0 else -INFINITY), INFINITY, False

    def pinned(self) -> Cell | None:
        """A withheld number the released ones pin to one value, if any."""
        lows, highs, whole = (np.array(v) for v in zip(*map(self.bounds, self.cells), strict=True))
        for cell in self.cells:
            if cell in self.safe or not self._hidden(cell):
                continue
            k, true = self.index[cell], self.true(cell)
            # a count has one value; an exact figure is known once known within the slack of
            # its sums (a penny either way)
            apart = 0.5 if whole[k] else 2.2 * SLACK
            least = self._solve(k, lows, highs, whole, 1.0)
            if least is None or true - least >= apart:
                self.safe.add(cell)  # two values at least: the truth and another
                continue
            most = self._solve(k, lows, highs, whole, -1.0)
            if most is None or most - least >= apart:
                self.safe.add(cell)
                continue
            return cell
        return None

    def _hidden(self, cell: Cell) -> bool:
        """Whether `cell` must not be known exactly: a withheld number, or a small count
        shown by midpoint 6."""
        if missing(self.shown(cell)):
            return True
        small = 1 <= self.true(cell) <= self.rule.threshold
        return cell[0] in self.midpoint6 and _people(cell[1]) and small

    def _solve(
        self, k: int, lows: np.ndarray, highs: np.ndarray, whole: np.ndarray, sign: float
    ) -> float | None:
        """The least (`sign` 1) or greatest (-1) value of cell `k` given everything released
        (None: without limit)."""
        members = np.flatnonzero(self.component == self.component[k])
        block = self.matrix[:, members].tocsr()
        used = np.flatnonzero(np.asarray(abs(block).sum(axis=1)).ravel())
        objective = np.zeros(len(members))
        objective[int(np.searchsorted(members, k))] = sign
        result = milp(
            objective,
            constraints=[LinearConstraint(block[used], -SLACK, SLACK)],
            bounds=Bounds(lows[members], highs[members]),
            integrality=whole[members].astype(int),
        )
        if result.status != 0:  # the truth is feasible: no optimum means no limit
            return None
        return float(result.x @ objective) * sign

    def beside(self, cell: Cell) -> tuple[int, int]:
        """The row to withhold so `cell` is no longer pinned: the smallest released row on its
        side of a sum it is in, else on the other side."""
        mine: list[Cell] = []
        theirs: list[Cell] = []
        for relation in self.relations:
            for side, other in ((relation.left, relation.right), (relation.right, relation.left)):
                if cell in side:
                    mine.extend(c for c in side if c != cell)
                    theirs.extend(other)
        for choice in (mine, theirs):
            open_ = [
                c
                for c in choice
                if (c[0], c[2]) not in self.protecting
                and not missing(self.shown(c))
                and self.true(c) != 0  # hiding a 0 protects nothing
            ]
            if open_:
                smallest = min(open_, key=lambda c: (self.true(c), c))
                return smallest[0], smallest[2]
        raise AssertionError(f"nothing left to withhold beside {cell}")  # pinned by nothing


def _people(column: str) -> bool:
    """Whether `column` counts people or their care (the small-number rule applies)."""
    found = label_or_fallback(column, True)
    return found.kind is Kind.COUNT and found.of_people


def _withhold_row(table: pd.DataFrame, row: int) -> pd.DataFrame:
    """`table` with every number of `row` withheld, as a row with a small count is."""
    for column in table.columns:
        name = str(column)
        numeric = pd.api.types.is_numeric_dtype(table[column])
        found = label_or_fallback(name, numeric)
        kind = found.kind
        if kind in (Kind.CODE, Kind.NAME, Kind.TEXT, Kind.DATE, Kind.MONTH) and name not in (
            NOT_CATEGORIES
        ):
            continue  # what the row is: its practice, month, condition
        if kind is Kind.COUNT and not found.of_people:
            continue  # a count of something else (years of age, organisations)
        if numeric and kind is not Kind.FLAG:
            if pd.api.types.is_integer_dtype(table[column]):
                table[column] = table[column].astype("Int64")
            else:
                table[column] = table[column].astype("float64")
            table.loc[row, column] = pd.NA if table[column].dtype == "Int64" else np.nan
        else:
            table[column] = table[column].astype("object")
            table.loc[row, column] = None
    return table


def _said(rows: int) -> str:
    """What was withheld here, for the figure's disclosure."""
    if rows == 0:
        return ""
    which = "1 row is" if rows == 1 else f"{rows} rows are"
    return (
        f" {which} withheld to protect others: with sums released elsewhere it would give a "
        "withheld count back."
    )
