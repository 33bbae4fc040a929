"""The extract format: how a dataset arrives from a national system, before ingest.

An extract of a dataset holds the schema's columns, in any order, except that a person is
named by their NHS number (`nhs_number`, ten digits, spaces allowed: "943 476 5919") where the
lake holds a pseudonym (`patient_id`). Files are CSV (UTF-8 with or without a byte-order mark,
LF or CRLF line endings, RFC 4180 quoting, an empty cell for a missing value) or Parquet (the
schema's types, or text in the forms below). A file's name says its dataset: `apc.csv`,
`apc-2014-05.csv`, `op.parquet`.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

from consortia.schema.datasets import DATASETS
from consortia.schema.model import Column, Dataset

IDENTIFIER = "nhs_number"  # the column an extract names a person by
PSEUDONYM = "patient_id"  # the lake's column made from it at ingest
SUFFIXES = (".csv", ".parquet")
_NAME = re.compile(r"^(?P<dataset>[a-z_]+)(?:-[^/]*)?$")

# How each type is written as text in a CSV extract (and read back by ingest).
TEXT_FORMS = {
    "string": "the text itself",
    "int8": "a whole number in decimal digits",
    "int16": "a whole number in decimal digits",
    "int32": "a whole number in decimal digits",
    "int64": "a whole number in decimal digits",
    "float64": "a decimal number (12.5, 1e3)",
    "bool": "true or false",
    "date": "a date as YYYY-MM-DD",
    "timestamp": "a date and time as YYYY-MM-DD HH:MM:SS (a fraction of a second allowed)",
}


def columns(dataset: Dataset) -> tuple[str, ...]:
    """The columns an extract of `dataset` holds, in the schema's order."""
    return tuple(IDENTIFIER if c == PSEUDONYM else c for c in dataset.column_names)


def carries_people(dataset: Dataset) -> bool:
    """Whether the dataset's extract names people by NHS number."""
    return PSEUDONYM in dataset.column_names


def dataset_of(path: Path) -> str | None:
    """The dataset a file's name says it holds, or None (not an extract's name)."""
    if path.suffix.lower() not in SUFFIXES:
        return None
    match = _NAME.match(path.name[: -len(path.suffix)])
    if match is None or match["dataset"] not in DATASETS:
        return None
    return match["dataset"]


def as_text(value: object, column: Column) -> str:
    """`value` of `column` written as an extract writes it (an empty cell for None)."""
    if value is None:
        return ""
    if column.dtype == "bool":
        return "true" if value else "false"
    if column.dtype == "timestamp" and isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="milliseconds" if value.microsecond else "seconds")
    if column.dtype == "date" and isinstance(value, date):
        return value.isoformat()
    if column.dtype == "float64":
        return repr(float(value))  # type: ignore[arg-type]
    return str(value)
