"""The one way out: every table and chart leaves the analyses through `release`.

It refuses row-level identifiers, fixes the precision of what is published and applies the
audience's rule. The governing body (and every other signed-in commissioning role) sees the
analyses' figures; the public sees only the figures that declare a publication
(`consortia.privacy.publication.Public`), under the standard small-number rule: counts of
people or their care from 1 to 7 withheld, other counts rounded to the nearest 5 (NHS Digital's
HES rule; OpenSAFELY's release policy, methods.md §1), ratios and shares worked out again from
the released counts, every other statistic of a row with a withheld count withheld with it,
and statistics that would give the exact count back (confidence limits, percentile ranks)
not published, and every withheld number audited against the sums between figures
(`consortia.privacy.differencing`). Every output shows only figures marked as released to
its audience (`require_released`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from enum import StrEnum
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from consortia.pack.figure import Figure
from consortia.pack.labels import Kind, label_or_fallback
from consortia.privacy.differencing import protect
from consortia.privacy.publication import Public, Ratio
from consortia.privacy.rule import STANDARD, Rule, Rules

IDENTIFIERS = frozenset({"patient_id", "spell_id", "attendance_id", "nhs_number"})

RULES = Rules()  # NHS Digital's rule for the public; exact for the commissioning roles
# Findings read from a row's exact counts: withheld with the row's other statistics when one
# of its counts is withheld (a flag column is one too).
JUDGEMENTS = frozenset({"significance", "poisson_significance", "point_type"})


class Audience(StrEnum):
    """Who a release is for."""

    GOVERNING_BODY = "governing_body"  # the CCG's commissioning roles (aggregates only)
    PUBLIC = "public"  # everyone: the small-number rule


class ReleaseRefusedError(RuntimeError):
    """An analysis tried to release something that must not leave (a programming error)."""


def release(
    figure: Figure, audience: Audience = Audience.GOVERNING_BODY, rules: Rules = RULES
) -> Figure | None:
    """The figure as it may be published to `audience` under its rule of `rules`; None when
    it is not published to it."""
    leaked = IDENTIFIERS.intersection(figure.table.columns)
    if leaked:
        raise ReleaseRefusedError(
            f"{figure.id} would release row-level identifiers {sorted(leaked)}"
        )
    if audience is Audience.PUBLIC:
        if figure.public is None:
            return None
        figure = _public(figure, figure.public, rules.public, PUBLISHED)
    elif not rules.internal.exact:
        figure = _public(figure, _internal(figure), rules.internal, INTERNAL)
    table = figure.table.copy()
    floats = table.select_dtypes("float").columns
    table[floats] = table[floats].round(6)
    return replace(figure, table=table, audience=audience.value)


def require_released(figures: Iterable[Figure], audience: Audience | None = None) -> None:
    """Refuse to show a figure that did not leave through `release` (for `audience`, when
    given): every output — page, CSV, chart data, API — calls this before it shows one."""
    for figure in figures:
        if not figure.audience:
            raise ReleaseRefusedError(f"{figure.id} was never released: it cannot be shown")
        if audience is not None and figure.audience != audience.value:
            raise ReleaseRefusedError(
                f"{figure.id} was released to {figure.audience}, not to {audience.value}"
            )


def release_record(data: Any, where: str = "output") -> Any:
    """A money command's JSON record as it may leave for the commissioner who ran it (the
    governing body's release): refused if any key anywhere in it names a row-level
    identifier. Its numbers stay exact: the record is every step, to be worked again."""
    found = _identifier_keys(data)
    if found:
        raise ReleaseRefusedError(f"{where} would release row-level identifiers {sorted(found)}")
    return data


def _identifier_keys(data: Any) -> set[str]:
    """Every key of `data` (dicts within lists within dicts) that names an identifier."""
    found: set[str] = set()
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            found.update(IDENTIFIERS.intersection(str(key) for key in item))
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return found


def released(
    figures: tuple[Figure, ...], audience: Audience, rules: Rules = RULES
) -> tuple[Figure, ...]:
    """Every figure of `figures` published to `audience`, released for it, in order; for the
    public, with the further rows withheld that would let a withheld count be worked back
    through sums released elsewhere (`consortia.privacy.differencing`)."""
    pairs = [(figure, release(figure, audience, rules)) for figure in figures]
    kept = tuple(made for _, made in pairs if made is not None)
    if audience is Audience.PUBLIC:
        exact = tuple(figure for figure, made in pairs if made is not None)
        rounded6 = {k for k, f in enumerate(kept) if f.public is not None and f.public.midpoint6}
        return protect(exact, kept, rules.public, rounded6)
    return kept


def rounded_count(values: pd.Series, rule: Rule = STANDARD) -> pd.Series:
    """Counts as published: 0 stays 0, 1 to 7 withheld, the rest to the nearest 5 (a
    whole number is never halfway), or as `rule` says."""
    numbers = pd.to_numeric(values).astype("float64")
    bad = numbers.notna() & ((numbers < 0) | (numbers % 1 != 0))
    if bad.any():
        raise ReleaseRefusedError(
            f"column {values.name!r} is released as a count but holds {numbers[bad].iloc[0]!r}"
        )
    out = (numbers / rule.multiple + 0.5) // 1 * rule.multiple
    return out.where(~numbers.between(1, rule.threshold)).astype("Int64")


def midpoint6(values: pd.Series) -> pd.Series:
    """Counts rounded by midpoint 6 (OpenSAFELY's rule for rates): 0 stays 0, any other count
    becomes the middle of its block of six — 1 to 6 shows as 3, 7 to 12 as 9, 13 to 18 as 15 —
    so none is withheld, zero stays zero and the rounding is not biased."""
    numbers = pd.to_numeric(values).astype("float64")
    bad = numbers.notna() & ((numbers < 0) | (numbers % 1 != 0))
    if bad.any():
        raise ReleaseRefusedError(
            f"column {values.name!r} is released as a count but holds {numbers[bad].iloc[0]!r}"
        )
    out = (numbers / 6).apply(np.ceil) * 6 - 3 * (numbers != 0)
    return out.astype("Int64")


def _internal(figure: Figure) -> Public:
    """How a figure reaches the commissioning roles under a rule that is not exact: its
    publication to the public where it declares one, else every number of a row kept but
    withheld with a small count of the row."""
    if figure.public is not None:
        return figure.public
    table = figure.table
    numbers = [
        str(c)
        for c in table.columns
        if pd.api.types.is_numeric_dtype(table[c]) and not _counts(table, str(c), people=True)
    ]
    return Public(as_is=tuple(numbers))


PUBLISHED = "Published under the small-number rule"
INTERNAL = "Released to the commissioning roles under the CCG's small-number rule"


def _public(figure: Figure, public: Public, rule: Rule, heading: str) -> Figure:
    """`figure` under `rule`, as its publication declares."""
    table = figure.table.copy()
    counts = [c for c in table.columns if _counts(table, str(c), people=True)]
    small = pd.Series(False, index=table.index)
    for column in counts:
        small |= table[column].between(1, rule.threshold)
        shown = midpoint6 if public.midpoint6 else partial(rounded_count, rule=rule)
        table[column] = shown(table[column])
    ratios = {r.column: r for r in public.ratios}
    for ratio in public.ratios:
        table[ratio.column] = _worked_out(table, ratio)
    withheld = []
    for column in table.columns:
        name = str(column)
        if name in counts or name in ratios or _counts(table, name, people=False):
            continue
        kind = label_or_fallback(name, pd.api.types.is_numeric_dtype(table[column])).kind
        numeric = pd.api.types.is_numeric_dtype(table[column]) and kind is not Kind.FLAG
        if name in public.as_is:
            table[column] = table[column].where(~small)
        elif kind is Kind.FLAG or name in JUDGEMENTS:
            table[column] = table[column].astype("object").where(~small, None)
        elif numeric and kind not in _WORDS:
            table[column] = np.nan
            withheld.append(name)
    if not public.midpoint6:  # under midpoint 6 no count is withheld: its ratio stays
        for ratio in public.ratios:
            table[ratio.column] = table[ratio.column].where(~small)
    said = _disclosure(
        MIDPOINT6 if public.midpoint6 else rule,
        bool(counts),
        bool(public.ratios),
        withheld,
        bool(small.any()),
    )
    disclosure = heading + said
    return replace(figure, table=table, disclosure=disclosure)


_WORDS = frozenset({Kind.CODE, Kind.NAME, Kind.TEXT, Kind.DATE, Kind.MONTH})


def _counts(table: pd.DataFrame, column: str, people: bool) -> bool:
    """Whether `column` is a count of people or their care (`people`; the rule applies to
    it), or of something else: organisations, functions, years of age."""
    found = label_or_fallback(column, pd.api.types.is_numeric_dtype(table[column]))
    return found.kind is Kind.COUNT and found.of_people is people


def _worked_out(table: pd.DataFrame, ratio: Ratio) -> pd.Series:
    """The ratio's column from the released counts (missing where a count is withheld or the
    denominator is zero)."""
    numerator = table[ratio.numerator].astype("float64")
    if ratio.denominator is not None:
        denominator = table[ratio.denominator].astype("float64")
    elif ratio.within is not None:
        groups = list(ratio.within)
        total = numerator.groupby([table[g] for g in groups]).transform("sum") if groups else None
        denominator = total if total is not None else pd.Series(numerator.sum(), table.index)
    else:
        denominator = pd.Series(1.0, index=table.index)
    value = numerator / denominator.where(denominator != 0) * ratio.scale + ratio.offset
    return value.astype("float64")


MIDPOINT6 = (
    "counts are rounded by midpoint 6 (0 stays 0; 1 to 6 shows as 3, 7 to 12 as 9, and so on)"
)


def _disclosure(
    rule: Rule | str, counts: bool, ratios: bool, withheld: list[str], small: bool
) -> str:
    """What the rule did to this figure, in words, for its reader."""
    said = []
    if counts:
        said.append(rule if isinstance(rule, str) else rule.words())
    if ratios:
        said.append("rates and shares are worked out again from the rounded counts")
    text = f": {'; '.join(said)}." if said else ": it holds no count of patients."
    if small:
        text += (
            " A row with a count of 1 to 7 has its findings withheld (—)."
            if isinstance(rule, str)
            else " A row with a withheld count has its other figures withheld too (—)."
        )
    if withheld:
        headers = ", ".join(label_or_fallback(c, True).header for c in withheld)
        text += f" Not published here (they would give exact counts back): {headers}."
    return text
