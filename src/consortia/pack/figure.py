"""A figure of the pack: a table, the chart drawn from it, and how it was computed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import ibis
import pandas as pd

from consortia.privacy.publication import Public


class Query:
    """The analysis behind a figure, over the lake's own tables. Neither its expression nor its
    SQL is built until someone asks for it (building an Ibis expression costs as much as
    running it on a CCG's kept results); `compile`, when given, finds the SQL in the lake's
    store of compiled SQL instead."""

    def __init__(
        self, expression: Callable[[], Any], compile: Callable[[], str] | None = None
    ) -> None:
        self._expression = expression
        self._compile = compile

    @cached_property
    def expression(self) -> Any:
        """The analysis as an Ibis expression over the lake's tables."""
        return self._expression()

    @cached_property
    def sql(self) -> str:
        """The SQL an analyst can read and rerun (DuckDB dialect)."""
        if self._compile is not None:
            return self._compile()
        return str(ibis.to_sql(self.expression, dialect="duckdb"))


@dataclass(frozen=True)
class Figure:
    """One table of results with its chart, method, confidence level and source query."""

    id: str
    section: str
    title: str
    method: str
    table: pd.DataFrame
    # Draws the Altair chart of the table it is given: the figure's table as released.
    chart: Callable[[pd.DataFrame], Any] | None = None
    confidence: float | None = None
    source: Query | None = None
    notes: tuple[str, ...] = field(default=())
    # For a statistical process control chart: which way is better ("increase", "decrease"
    # or "neutral"), which decides its Making Data Count icons.
    improvement: str | None = None
    # How the figure is published to the public; None: it is not (`consortia.privacy`).
    public: Public | None = None
    # What the audience's release rule did to the table, in words (set by the release).
    disclosure: str = ""
    # Whom the table was released to (`consortia.privacy.release.Audience`, set by the
    # release); empty until then, and no output shows a figure that was never released.
    audience: str = ""

    def draw(self) -> Any:
        """The Altair chart of the figure's table (None when the figure has no chart)."""
        return self.chart(self.table) if self.chart is not None else None

    @property
    def source_sql(self) -> str:
        """The SQL of the analysis behind the figure."""
        return self.source.sql if self.source is not None else ""
