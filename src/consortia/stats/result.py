"""The shape every statistic returns: a value with its interval, confidence and method."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
TextArray = NDArray[np.str_]


@dataclass(frozen=True)
class Estimate:
    """Values with lower and upper confidence limits; one row per group, method per row."""

    value: FloatArray
    lower: FloatArray
    upper: FloatArray
    confidence: float
    method: TextArray
    description: str = ""  # the method in a sentence, for captions: no constant restated

    def __len__(self) -> int:
        return int(self.value.shape[0])

    def to_frame(self) -> pd.DataFrame:
        """One row per group with columns value, lower, upper, confidence, method."""
        return pd.DataFrame(
            {
                "value": self.value,
                "lower": self.lower,
                "upper": self.upper,
                "confidence": np.full(len(self), self.confidence),
                "method": self.method.astype(object),
            }
        )


@dataclass(frozen=True)
class Described:
    """A table of results with its method in a sentence (for a caption)."""

    table: pd.DataFrame
    description: str


def methods(names: NDArray[np.bool_], when_true: str, when_false: str) -> TextArray:
    """A per-row method label chosen by a mask (e.g. Exact where the count is under 10)."""
    return np.where(names, when_true, when_false)


def constant_method(name: str, size: int) -> TextArray:
    """The same method label on every row."""
    return np.full(size, name)
