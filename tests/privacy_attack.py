"""An attacker on the public release, written apart from the release's own audit.

It knows the small-number rule and the analyses' definitions, so it knows which numbers add
up to which: it finds every sum between two released tables by comparing the exact tables
whole (one figure's column grouped by some of its categories, others held at one value,
equal group for group to another's), the way a reader who knows the definitions would write
them down. Then it solves for every withheld number with integer programming over every
released number and every sum at once. It is told which rows were withheld to protect others
(their counts are then 0 or at least 8). A withheld number whose least and greatest feasible
values meet is recovered.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations, permutations
from typing import Any, cast

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from consortia.pack.figure import Figure

Cell = tuple[int, str, int]  # a figure's position, a column, a row's position

DIMENSIONS = (
    "age_band", "sex", "deprivation_decile", "practice", "condition", "financial_year",
    "pod", "month", "service_line", "provider", "provider_kind", "category",
)  # fmt: skip
PEOPLE = frozenset(
    {"patients", "patients_all", "observed", "events", "numerator", "denominator",
     "contacts", "list_size", "population"}
)  # fmt: skip


@dataclass(frozen=True)
class Recovery:
    figure: str
    column: str
    row: int
    value: float


def year_of(months: pd.Series) -> pd.Series:
    dates = pd.to_datetime(months)
    start = dates.dt.year - (dates.dt.month < 4).astype(int)
    return start.astype(str) + "/" + ((start + 1) % 100).astype(str).str.zfill(2)


def counted(column: str) -> bool:
    return column in PEOPLE or column.startswith("registered_")


MONEY = frozenset({"cost", "amount"})


def columns_of(figure: Figure) -> list[str]:
    """The numbers a sum can run over: counts of people, and money published exactly."""
    as_is = set(figure.public.as_is) if figure.public is not None else set()
    return [
        str(c)
        for c in figure.table.columns
        if pd.api.types.is_numeric_dtype(figure.table[c])
        and (counted(str(c)) or (str(c) in as_is and str(c) in MONEY))
    ]


def sums(exact: tuple[Figure, ...]) -> list[tuple[list[Cell], list[Cell]]]:
    """Every whole-table sum: (cells on one side, cells on the other), one per group."""
    prepared = []
    for k, figure in enumerate(exact):
        table = figure.table.reset_index(drop=True)
        if "month" in table and "financial_year" not in table:
            table = table.assign(financial_year=year_of(table["month"]))
        dims = [d for d in DIMENSIONS if d in table.columns]
        for column in columns_of(figure):
            prepared.append((k, column, table, dims))
    found = []
    for (ka, a, ta, da), (kb, b, tb, db) in permutations(prepared, 2):
        if (ka, a) == (kb, b):
            continue
        shared = [d for d in da if d in db]
        for size in range(len(shared) + 1):
            for by in combinations(shared, size):
                found.extend(_matching(ka, a, ta, da, kb, b, tb, list(by)))
    return found


Group = tuple[list[int], float]  # a group's rows and exact sum


def _matching(
    ka: int,
    a: str,
    ta: pd.DataFrame,
    da: list[str],
    kb: int,
    b: str,
    tb: pd.DataFrame,
    by: list[str],
) -> list[tuple[list[tuple[int, str, int]], list[tuple[int, str, int]]]]:
    """The sums between column a of ta (grouped by `by`, with up to two other categories of
    ta held at one value) and column b of tb grouped by `by`, group for group."""
    found = []
    right = grouped(tb, b, by)
    extra = [d for d in da if d not in by]
    for size in range(min(2, len(extra)) + 1):
        for held in combinations(extra, size):
            parts = [part for _, part in ta.groupby(list(held))] if held else [ta]
            for part in parts:
                left = grouped(part, a, by)
                if set(left) != set(right) or any(left[g][1] != right[g][1] for g in right):
                    continue
                if all(len(left[g][0]) == 1 and len(right[g][0]) == 1 for g in right):
                    continue  # the same numbers shown twice
                if all(right[g][1] == 0 for g in right):
                    continue
                for g in right:
                    found.append(
                        ([(ka, a, r) for r in left[g][0]], [(kb, b, r) for r in right[g][0]])
                    )
    return found  # fmt: skip


def grouped(table: pd.DataFrame, column: str, by: list[str]) -> dict[tuple[object, ...], Group]:
    """Each group's rows and the exact sum of `column` over them (to the penny)."""
    if table[column].isna().any():
        return {}
    if not by:
        return {(): ([int(r) for r in table.index], round(float(table[column].sum()), 2))}
    out: dict[tuple[object, ...], Group] = {}
    for key, part in table.groupby(by):
        key = key if isinstance(key, tuple) else (key,)
        out[key] = ([int(r) for r in part.index], round(float(part[column].sum()), 2))
    return out


def recoveries(
    exact: tuple[Figure, ...],
    public: tuple[Figure, ...],
    found: list[tuple[list[tuple[int, str, int]], list[tuple[int, str, int]]]],
    protecting: set[tuple[int, int]] | None = None,
) -> list[Recovery]:
    """Every withheld number of `public` the released numbers and the sums `found` pin to
    one value; `protecting`: the rows withheld to protect others (figure, row), as told."""
    protecting = protecting or set()
    cells = sorted({c for left, right in found for c in (*left, *right)})
    rounded6 = {k for k, f in enumerate(public) if f.public is not None and f.public.midpoint6}
    attacked = []  # withheld numbers, and small counts shown by midpoint 6
    index = {c: k for k, c in enumerate(cells)}
    lows, highs, whole = [], [], []
    for k, column, row in cells:
        shown: Any = public[k].table.reset_index(drop=True).at[row, column]
        true = float(cast(Any, exact[k].table.reset_index(drop=True).at[row, column]))
        count = counted(column)
        whole.append(1 if count else 0)
        if not pd.isna(shown) and k in rounded6 and count and 1 <= true <= 7:
            attacked.append((k, column, row))
        if pd.isna(shown):
            attacked.append((k, column, row))
        if not pd.isna(shown):
            value = float(shown)
            if count and value != 0 and k in rounded6:
                lows.append(value - 2)  # the middle of a block of six
                highs.append(value + 3)
            elif not count:
                lows.append(value)
                highs.append(value)
            elif value == 0:
                lows.append(0.0)
                highs.append(0.0)
            else:
                lows.append(max(value - 2, 8.0))
                highs.append(value + 2)
        elif count and (k, row) in protecting:  # told: 0 or at least 8
            lows.append(0.0 if true == 0 else 8.0)
            highs.append(np.inf)
        else:
            lows.append(1.0 if count else 0.0)
            highs.append(7.0 if count else np.inf)
    matrix = np.zeros((len(found), len(cells)))
    for n, (left, right) in enumerate(found):
        for c in left:
            matrix[n, index[c]] += 1
        for c in right:
            matrix[n, index[c]] -= 1
    linked = csr_matrix(np.abs(matrix)).T @ csr_matrix(np.abs(matrix))
    _, component = connected_components(linked, directed=False)
    out = []
    for c in attacked:
        k, column, row = c
        members = np.flatnonzero(component == component[index[c]])
        rows = np.flatnonzero(np.abs(matrix[:, members]).sum(axis=1))
        objective = np.zeros(len(members))
        objective[int(np.flatnonzero(members == index[c])[0])] = 1.0
        problem = {
            "constraints": LinearConstraint(matrix[np.ix_(rows, members)], -0.005, 0.005),
            "bounds": Bounds(np.array(lows)[members], np.array(highs)[members]),
            "integrality": np.array(whole)[members],
        }
        least = milp(objective, **problem)
        most = milp(-objective, **problem)
        assert least.status == 0, f"the truth is feasible: {least.message}"
        if most.status != 0:
            continue  # feasible and with no greatest value: unbounded, not pinned
        low, high = least.x @ objective, most.x @ objective
        if high - low < (0.5 if whole[index[c]] else 0.011):  # a count, or to the penny
            out.append(Recovery(public[k].id, column, row, round((low + high) / 2, 2)))
    return out
