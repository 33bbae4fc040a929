"""What a figure declares about its publication to the public: which columns are worked out
again from the released counts, and which hold nothing about the CCG's people.

A figure that declares nothing is not published to the public (default deny). The declaration
sits beside the figure's analysis, in its builder; a test checks every declared ratio against
the analysis's own column, so a declaration cannot say something the analysis does not do.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Ratio:
    """A column worked out again from released counts: `numerator` over `denominator` (a column
    of the same row) times `scale`, plus `offset`. With `within` instead of a denominator, the
    numerator's share of its total over the rows that share those columns (`()`: the whole
    table); with neither, the released numerator itself (a series of counts)."""

    column: str
    numerator: str
    denominator: str | None = None
    scale: float = 1.0
    offset: float = 0.0
    within: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Public:
    """How a figure is published to the public (under `consortia.privacy.release`).

    `ratios`: columns worked out again from the released counts. `as_is`: numeric columns that
    say nothing about how many of the CCG's people did something — reference values for
    England, money the NHS publishes exactly (allocations, payments to practices, contract
    values), model outputs, and statistics of a whole series over many people — published as
    the analysis made them. Every other numeric column is withheld from the public. Sums
    between figures need no declaration: the release finds them in the analyses' tables
    (`consortia.privacy.differencing`).
    """

    ratios: tuple[Ratio, ...] = ()
    as_is: tuple[str, ...] = ()
    # Counts rounded by midpoint 6 instead of the small-number rule, for rates where zero must
    # stay zero and small counts must not be biased: 0 stays 0, 1–6 shows as 3, 7–12 as 9…
    midpoint6: bool = False
