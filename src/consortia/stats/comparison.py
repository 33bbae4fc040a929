"""Units compared with expectation: each group's ratios, intervals, funnels and ranks at once.

One call per table of observed and expected counts (practices within measures, practices
within conditions): the indirectly standardised ratio with its interval, PHE's exact-Poisson
funnel label, the over-dispersed (random-effects) funnel label and limits, whether the unit is
outlying at the outermost level, and its percentile rank among its peers.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from consortia.stats.funnels import funnel_significance
from consortia.stats.overdispersion import OverdispersedFunnel, ratio_funnel
from consortia.stats.peers import percentile_rank
from consortia.stats.standardisation import isr


@dataclass(frozen=True)
class Comparison:
    """The table with its new columns, each group's funnel, and the ratio's method."""

    table: pd.DataFrame
    funnels: dict[str, OverdispersedFunnel]
    ratio_description: str

    def limit_curves(self, group: str) -> pd.DataFrame:
        """The over-dispersed funnel limits of one group, along its expected counts."""
        rows = self.table[self.table[self.group_column] == group]
        return self.funnels[group].limit_curves(rows["expected"])

    def with_table(self, table: pd.DataFrame) -> Comparison:
        """The same comparison over `table` (its rows with columns added), keeping its group."""
        table.attrs = self.table.attrs
        return replace(self, table=table)

    @property
    def group_column(self) -> str:
        """The column naming each group."""
        return str(self.table.attrs["group"])


# The columns `compare` adds, typed, for a frame with no group to compare.
EMPTY: dict[str, pd.Series] = {
    "ratio": pd.Series(dtype="float64"),
    "lower": pd.Series(dtype="float64"),
    "upper": pd.Series(dtype="float64"),
    "method": pd.Series(dtype="object"),
    "poisson_significance": pd.Series(dtype="object"),
    "significance": pd.Series(dtype="object"),
    "outlying": pd.Series(dtype="bool"),
    "percentile": pd.Series(dtype="float64"),
    "phi": pd.Series(dtype="float64"),
    "tau2": pd.Series(dtype="float64"),
}


def compare(frame: pd.DataFrame, group: str, *, confidence: float = 0.95) -> Comparison:
    """Per group of `frame` (columns observed, expected): ratio, lower, upper, method,
    poisson_significance, significance (over-dispersed), outlying, percentile, phi, tau2.
    Rows with no expected events are left out (a ratio needs an expectation)."""
    parts, funnels, description = [], {}, ""
    for name, rows in frame[frame["expected"] > 0].groupby(group, sort=False):
        rows = rows.reset_index(drop=True)
        ratio = isr(rows["observed"], rows["expected"], confidence=confidence)
        funnel = ratio_funnel(rows["observed"], rows["expected"])
        funnels[str(name)] = funnel
        description = ratio.description
        parts.append(
            rows.assign(
                ratio=ratio.value,
                lower=ratio.lower,
                upper=ratio.upper,
                method=ratio.method,
                poisson_significance=funnel_significance(
                    rows["observed"], rows["expected"], kind="ratio"
                ),
                significance=funnel.labels,
                outlying=funnel.outlying,
                percentile=percentile_rank(ratio.value),
                phi=funnel.phi,
                tau2=funnel.tau2,
            )
        )
    table = pd.concat(parts, ignore_index=True) if parts else frame.iloc[0:0].assign(**EMPTY)
    table.attrs["group"] = group
    return Comparison(table, funnels, description)


def outlying_units(table: pd.DataFrame) -> pd.DataFrame:
    """The rows beyond the outermost over-dispersed limits, highest ratio first."""
    return table[table["outlying"]].sort_values("ratio", ascending=False)


def describe_outlying(table: pd.DataFrame, unit: str = "practice") -> str:
    """The outlying units in words: "A10001 (high), …" (empty when none). The ratio itself is
    in the unit's row of the table, released with it: method text is not released, so it
    carries no number a release would round or withhold."""
    rows = outlying_units(table)
    return ", ".join(
        f"{name} ({'high' if ratio > 1 else 'low'})"
        for name, ratio in zip(rows[unit], rows["ratio"].astype(float), strict=True)
    )
