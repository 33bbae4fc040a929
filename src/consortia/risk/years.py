"""The financial years a risk model learns from: features from one year, emergency
admissions in the next, the latest two the lake holds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from consortia.analyses.scope import Tables, financial_year_label
from consortia.errors import DataError


@dataclass(frozen=True)
class Years:
    """The financial years a model is trained on: features from one, the outcome in the next."""

    features: int  # calendar year the feature year starts in
    outcome: int

    @property
    def reference(self) -> date:
        """1 April of the outcome year: the day features are taken on."""
        return date(self.outcome, 4, 1)

    @property
    def label(self) -> str:
        return (
            f"features from {financial_year_label(self.features)}, emergency admissions in "
            f"{financial_year_label(self.outcome)}"
        )


def years_of(backend: Any, tables: Tables) -> Years:
    """The latest financial year with admissions, and the year before it, which must hold
    admissions too: a model learns from one year what happens in the next."""
    apc = tables["apc"]
    first, last = backend.execute(
        apc.aggregate(first=apc.admitted_on.min(), last=apc.admitted_on.max())
    ).iloc[0]
    if pd.isna(last):
        raise DataError("the lake holds no admissions: there is nothing to learn risk from")
    outcome = _financial_year(last)
    if _financial_year(first) > outcome - 1:
        raise DataError(
            f"the lake's admissions are all in {financial_year_label(outcome)}: a risk model "
            "needs a year of history before the year whose admissions it learns to predict",
            rule="two financial years of activity",
        )
    return Years(outcome - 1, outcome)


def _financial_year(day: Any) -> int:
    stamp = pd.Timestamp(day)
    return stamp.year if stamp.month >= 4 else stamp.year - 1
