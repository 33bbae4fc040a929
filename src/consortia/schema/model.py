"""The building blocks of a dataset declaration: code lists, columns and datasets.

Each dataset is declared once (in `datasets.py`); validation, the data dictionary and the
synthetic generator all read these declarations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

import pyarrow as pa

DType = Literal["string", "int8", "int16", "int32", "int64", "float64", "bool", "date", "timestamp"]

ARROW_TYPES: dict[DType, pa.DataType] = {
    "string": pa.string(),
    "int8": pa.int8(),
    "int16": pa.int16(),
    "int32": pa.int32(),
    "int64": pa.int64(),
    "float64": pa.float64(),
    "bool": pa.bool_(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("ms"),  # Parquet stores no coarser unit
}

# Dates a lake may hold unless a column says otherwise: the birth years the schema allows.
# A year 0001 or 2999 is a typing or conversion error, never a real event.
PLAUSIBLE_DATES = (date(1890, 1, 1), date(2100, 12, 31))


@dataclass(frozen=True)
class CodeList:
    """A closed list of codes a column may take, each with its meaning."""

    name: str
    codes: dict[str, str]
    source: str = ""

    def __contains__(self, code: object) -> bool:
        return code in self.codes

    @property
    def values(self) -> tuple[str, ...]:
        """The codes, in their declared order."""
        return tuple(self.codes)


@dataclass(frozen=True)
class Column:
    """One column: its type, meaning and the rules every value must keep."""

    name: str
    dtype: DType
    description: str
    nullable: bool = False
    codes: CodeList | None = None
    minimum: float | None = None
    maximum: float | None = None
    pattern: str | None = None
    references: str | None = None  # "dataset.column" this column's values must exist in
    earliest: date | None = None  # dates and times: the first plausible day (default above)
    latest: date | None = None

    @property
    def finite(self) -> bool:
        """Whether values must be finite numbers (every float: no NaN, no infinity)."""
        return self.dtype == "float64"

    @property
    def date_range(self) -> tuple[date, date] | None:
        """The first and last plausible day of a date or time column."""
        if self.dtype not in ("date", "timestamp"):
            return None
        return (self.earliest or PLAUSIBLE_DATES[0], self.latest or PLAUSIBLE_DATES[1])

    @property
    def arrow_type(self) -> pa.DataType:
        """The Parquet/Arrow type the column is stored as."""
        return ARROW_TYPES[self.dtype]

    def rules(self) -> list[str]:
        """The column's rules in words, for the data dictionary."""
        rules = [] if self.nullable else ["required"]
        if self.codes is not None:
            rules.append(f"one of `{self.codes.name}`")
        if self.minimum is not None:
            rules.append(f"≥ {self.minimum:g}")
        if self.maximum is not None:
            rules.append(f"≤ {self.maximum:g}")
        if self.pattern is not None:
            rules.append(f"matches `{self.pattern}`")
        if self.finite:
            rules.append("finite")
        if self.date_range is not None:
            first, last = self.date_range
            rules.append(f"from {first.isoformat()} to {last.isoformat()}")
        if self.references is not None:
            rules.append(f"exists in `{self.references}`")
        return rules


@dataclass(frozen=True)
class Ordered:
    """A row rule: `later` is never before `earlier` (where both are present)."""

    earlier: str
    later: str

    @property
    def rule(self) -> str:
        """The rule in words."""
        return f"{self.later} ≥ {self.earlier}"


@dataclass(frozen=True)
class PresentOnlyWhen:
    """A row rule: `column` is present exactly when `other` is one of `values`."""

    column: str
    other: str
    values: tuple[str, ...]

    @property
    def rule(self) -> str:
        """The rule in words."""
        return f"{self.column} present if and only if {self.other} in {list(self.values)}"


@dataclass(frozen=True)
class NotBeforeBirth:
    """A row rule: the date in `column` (where present) is not before the month of birth."""

    column: str
    year: str = "birth_year"
    month: str = "birth_month"

    @property
    def rule(self) -> str:
        """The rule in words."""
        return f"{self.column} not before the month of birth ({self.year}, {self.month})"


RowCheck = Ordered | PresentOnlyWhen | NotBeforeBirth


@dataclass(frozen=True)
class Dataset:
    """A table of the lake: one row per `grain`, identified by `key`."""

    name: str
    description: str
    grain: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    checks: tuple[RowCheck, ...] = field(default=())

    def column(self, name: str) -> Column:
        """The column called `name`."""
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"{self.name} has no column {name!r}")

    @property
    def column_names(self) -> tuple[str, ...]:
        """The columns' names, in order."""
        return tuple(column.name for column in self.columns)

    @property
    def arrow_schema(self) -> pa.Schema:
        """The Arrow schema the dataset is stored with."""
        return pa.schema(
            [pa.field(c.name, c.arrow_type, nullable=c.nullable) for c in self.columns]
        )
