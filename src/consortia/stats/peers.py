"""Where a unit sits among its peers, as OpenPrescribing ranks practices each month.

`percentile_rank` is SQL's PERCENT_RANK × 100: (rank − 1)/(n − 1) × 100 over the non-missing
values of each group, ties sharing the lowest rank; a missing value stays missing and a
group of one value ranks 0. `deciles` is PERCENTILE_CONT at 0.1 … 0.9 over the non-missing
values (linear interpolation between order statistics). Source: OpenPrescribing
`frontend/management/commands/measure_sql/practice_percent_rank.sql` and
`global_deciles_practices.sql` (bennettoxford/openprescribing).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from consortia.errors import UsageError
from consortia.stats import arguments
from consortia.stats.result import FloatArray

DECILES = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def percentile_rank(values: ArrayLike, groups: ArrayLike | None = None) -> FloatArray:
    """Percentile rank (0–100) of each value within its group; NaN stays NaN.

    pandas' `rank(method="min")` is SQL's RANK (ties share the lowest rank, missing values
    unranked); PERCENT_RANK is (rank − 1)/(n − 1) over the group's n non-missing values.
    """
    data = arguments.as_vector(values, "values")
    grouped = pd.Series(data).groupby(_group_labels(groups, data.size), sort=False)
    rank = grouped.rank(method="min").to_numpy()
    peers = grouped.transform("count").to_numpy() - 1
    with np.errstate(divide="ignore", invalid="ignore"):
        ranked = np.where(peers > 0, (rank - 1) / peers * 100, 0.0)
    return np.asarray(np.where(np.isnan(data), np.nan, ranked), np.float64)


def deciles(
    values: ArrayLike, groups: ArrayLike | None = None, *, quantiles: tuple[float, ...] = DECILES
) -> FloatArray:
    """PERCENTILE_CONT of each group at each quantile: groups (in sorted order) × quantiles,
    NaN for a group with no values. pandas' linear quantile is PERCENTILE_CONT."""
    data = arguments.as_vector(values, "values")
    fractions = np.asarray(quantiles, dtype=np.float64)
    if np.any((fractions < 0) | (fractions > 1)):
        raise UsageError("quantiles must lie between 0 and 1", field="quantiles")
    labels = _group_labels(groups, data.size)
    table = pd.Series(data).groupby(labels).quantile(fractions).unstack()
    order = np.unique(labels) if data.size else np.array([])
    return np.asarray(table.reindex(index=order, columns=list(fractions)), np.float64)


def _group_labels(groups: ArrayLike | None, size: int) -> NDArray[Any]:
    """The group label of each value (one group when none are given)."""
    if groups is None:
        return np.zeros(size, dtype=np.intp)
    labels = np.asarray(groups)
    if labels.shape != (size,):
        raise UsageError(
            "groups must have one label per value", field="groups", rule="same length as values"
        )
    return labels
