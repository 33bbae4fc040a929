"""Differencing through totals: counts released in one figure that add up to a count another
figure releases. With both rounded to 5, the total and the other cells can pin a withheld cell
to one value (a cell of 7 beside three cells of 12 and a total of 43: released as —, 10, 10, 10
and 45, the withheld cell can only be 7). Wherever that could happen the total is withheld too,
so no withheld count of a declared margin can be worked back exactly.

The reader is assumed to know the rule: a withheld count is 1 to 7, a released count is within
2 of the true one, and a total withheld here is at least 1.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from consortia.pack.figure import Figure
from consortia.pack.labels import label_or_fallback, missing
from consortia.privacy.publication import Margin

Bounds = tuple[float, float]
INFINITY = float("inf")


def bounds(value: object, threshold: int, multiple: int, withheld_total: bool = False) -> Bounds:
    """What a reader who knows the rule can say of a count from its released value."""
    if missing(value):
        return (1.0, INFINITY) if withheld_total else (1.0, float(threshold))
    number = float(value)  # type: ignore[arg-type]
    if number == 0:
        return (0.0, 0.0)
    half = multiple // 2
    return (max(number - half, threshold + 1.0), number + half)


def pinned(cells: list[Bounds], total: Bounds, withheld: list[int]) -> list[int]:
    """The withheld cells (by position) that the others and the total pin to one value (or to
    none: data that cannot add up is treated as giving itself away)."""
    lows = sum(low for low, _ in cells)
    highs = sum(high for _, high in cells)
    found = []
    for k in withheld:
        low, high = cells[k]
        least = max(low, total[0] - (highs - high))
        most = min(high, total[1] - (lows - low))
        if least >= most:
            found.append(k)
    return found


def protect(figures: tuple[Figure, ...], threshold: int, multiple: int) -> tuple[Figure, ...]:
    """`figures` (released to the public) with every total withheld that, with the counts its
    margin declares adding up to it, would give a withheld count back."""
    by_id = {figure.id: figure for figure in figures}
    tables = {figure.id: figure.table.copy() for figure in figures}
    withheld: dict[str, set[tuple[str, int]]] = {}  # figure -> (column, row) withheld here
    changed = True
    while changed:
        changed = False
        for figure in figures:
            public = figure.public
            for margin in public.margins if public is not None else ():
                if margin.figure not in tables:
                    continue  # the total is not published: nothing to difference against
                changed |= _protect_margin(
                    figure.id, margin, by_id[margin.figure], tables, withheld, threshold, multiple
                )
    return tuple(
        replace(
            figure,
            table=tables[figure.id],
            disclosure=figure.disclosure + _said(withheld.get(figure.id, set())),
        )
        for figure in figures
    )


def _protect_margin(
    cells_of: str,
    margin: Margin,
    target: Figure,
    tables: dict[str, pd.DataFrame],
    withheld: dict[str, set[tuple[str, int]]],
    threshold: int,
    multiple: int,
) -> bool:
    """Withhold each total of `margin` that would give a cell back; whether any was."""
    cells, totals = tables[cells_of], tables[margin.figure]
    done = withheld.setdefault(margin.figure, set())
    mine = withheld.get(cells_of, set())
    changed = False
    keys = list(margin.by)
    if margin.month_of is not None:
        cells = cells.assign(financial_year=financial_years(cells[margin.month_of]))
        keys.append("financial_year")
    for row in totals.index:
        if (margin.total, row) in done or missing(totals.at[row, margin.total]):
            continue
        match = pd.Series(True, index=cells.index)
        for key in keys:
            match &= cells[key] == totals.at[row, key]
        group = cells.loc[match, margin.column]
        if group.empty:
            continue
        shown = [
            bounds(value, threshold, multiple, (margin.column, index) in mine)
            for index, value in group.items()
        ]
        hidden = [i for i, value in enumerate(group) if missing(value)]
        total = bounds(totals.at[row, margin.total], threshold, multiple)
        if hidden and pinned(shown, total, hidden):
            totals.loc[row, [margin.total, *_worked_from(margin.total, target)]] = None
            done.add((margin.total, row))
            changed = True
    return changed


def financial_years(months: pd.Series) -> pd.Series:
    """The financial year ("2013/14") each month falls in."""
    from consortia.years import financial_year_of

    return pd.to_datetime(months).map(financial_year_of)


def _worked_from(column: str, figure: Figure) -> list[str]:
    """The columns of `figure` worked out from `column` (withheld with it)."""
    ratios = figure.public.ratios if figure.public is not None else ()
    return [r.column for r in ratios if column in (r.numerator, r.denominator)]


def _said(rows: set[tuple[str, int]]) -> str:
    """What was withheld here, for the figure's disclosure."""
    if not rows:
        return ""
    columns = ", ".join(sorted({label_or_fallback(column, True).header for column, _ in rows}))
    if len(rows) == 1:
        return (
            f" 1 total under {columns} is withheld: with the counts that add up to it in "
            "another figure it would give a withheld count back."
        )
    return (
        f" {len(rows)} totals under {columns} are withheld: with the counts that add up to "
        "them in another figure they would give a withheld count back."
    )
