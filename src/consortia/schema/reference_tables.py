"""Reference tables shipped with the package, each with its provenance.

They live in `schema/reference/` as CSV files described by `provenance.toml`, and are declared
here like any other dataset so that loading validates them and the data dictionary lists them.
Loading checks every cell against its column's rules (type, required, code list, pattern,
range), the key for duplicates and, for tables by age band, that no band is missing; the first
broken rule stops the build with a `DataError` naming the file, line and field.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import pyarrow as pa

from consortia.errors import DataError
from consortia.schema.codes import SEX
from consortia.schema.datasets import ICD10_CODE, TFC_CODE
from consortia.schema.model import CodeList, Column, Dataset

AGE_BANDS: tuple[str, ...] = (
    *(f"{lower}-{lower + 4}" for lower in range(0, 90, 5)),
    "90+",
)

AGE_BAND = CodeList(
    "age_band",
    {band: f"aged {band.replace('-', ' to ').replace('+', ' and over')}" for band in AGE_BANDS},
    source="five-year bands of the European Standard Population 2013, 0-4 and 90+ merged",
)

_AGE_BAND = Column("age_band", "string", "five-year age band, 0-4 to 90+", codes=AGE_BAND)

ESP2013 = Dataset(
    "esp2013",
    "European Standard Population 2013, the default standard for directly standardised rates.",
    "one row per age band",
    (
        _AGE_BAND,
        Column("lower_age", "int16", "youngest age in the band", minimum=0),
        Column("upper_age", "int16", "oldest age in the band", nullable=True),
        Column("population", "int64", "standard population", minimum=0),
    ),
    key=("age_band",),
)

ENGLAND_POPULATION_2013 = Dataset(
    "england_population_2013",
    "Population of England by sex and age band, mid-2013 estimates.",
    "one row per age band and sex",
    (
        _AGE_BAND,
        Column("sex", "string", "sex", codes=SEX),
        Column("population", "int64", "persons", minimum=0),
    ),
    key=("age_band", "sex"),
)

ICD10_GROUPS = Dataset(
    "icd10_groups",
    "Groups of ICD-10 codes (value sets): chapters and ambulatory-care-sensitive conditions.",
    "one row per code range of a group",
    (
        Column("value_set", "string", "the list the group belongs to"),
        Column("group", "string", "group within the value set"),
        Column("code_from", "string", "first code of the range", pattern=ICD10_CODE),
        Column("code_to", "string", "last code of the range (same length)", pattern=ICD10_CODE),
        Column("description", "string", "what the range holds", nullable=True),
    ),
)

TREATMENT_FUNCTIONS = Dataset(
    "treatment_functions",
    "Treatment function codes of the NHS Data Dictionary.",
    "one row per treatment function",
    (
        Column("code", "string", "treatment function code", pattern=TFC_CODE),
        Column("name", "string", "treatment function"),
    ),
    key=("code",),
)

TARIFF = Dataset(
    "tariff",
    "An illustrative tariff: price by point of delivery and HRG (or treatment function).",
    "one row per point of delivery and code",
    (
        Column("pod", "string", "point of delivery of the price"),
        Column("code", "string", "HRG, or treatment function for outpatients"),
        Column("description", "string", "what the price is for"),
        Column("price", "float64", "price in pounds", minimum=0),
        Column(
            "trim_days", "int16", "length of stay beyond which bed days are paid", nullable=True
        ),
        Column("excess_bed_day", "float64", "price per day beyond the trim point", nullable=True),
    ),
    key=("pod", "code"),
)

REFERENCE_TABLES: dict[str, Dataset] = {
    d.name: d for d in (ESP2013, ENGLAND_POPULATION_2013, ICD10_GROUPS, TREATMENT_FUNCTIONS, TARIFF)
}


@dataclass(frozen=True)
class Provenance:
    """Where a reference table comes from."""

    title: str
    publisher: str
    published: str
    url: str
    licence: str = ""
    notes: str = ""

    @classmethod
    def from_toml(cls, entry: dict[str, Any]) -> Provenance:
        """Read one entry of provenance.toml."""
        fields = ("title", "publisher", "published", "url", "licence", "notes")
        return cls(**{k: str(entry[k]) for k in fields if k in entry})


def _folder() -> Any:
    return resources.files("consortia.schema") / "reference"


@cache
def provenance() -> dict[str, Any]:
    """The parsed provenance.toml, keyed by table name."""
    return tomllib.loads((_folder() / "provenance.toml").read_text(encoding="utf-8"))


def provenance_of(name: str) -> Provenance:
    """The provenance of reference table `name`."""
    return Provenance.from_toml(provenance()[name])


# Tables that must hold every combination of these columns' code lists (no band missing).
COMPLETE: dict[str, tuple[str, ...]] = {
    "esp2013": ("age_band",),
    "england_population_2013": ("age_band", "sex"),
}

_INTEGER = re.compile(r"^[+-]?[0-9]+$")


def _value(text: str, column: Column) -> Any:
    """One cell converted to its column's type; raises ValueError naming the rule it breaks."""
    if column.dtype.startswith("int"):
        if not _INTEGER.match(text):
            raise ValueError(f"whole number ({column.dtype})")
        return int(text)
    if column.dtype == "float64":
        try:
            number = float(text)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            raise ValueError("finite number (float64)")
        return number
    if column.dtype == "bool":
        if text.lower() not in ("true", "false"):
            raise ValueError("true or false (bool)")
        return text.lower() == "true"
    return text


def _broken_rule(value: Any, column: Column) -> str | None:
    """The first of the column's value rules that `value` breaks, if any."""
    if column.codes is not None and value not in column.codes:
        return f"one of {column.codes.name} ({', '.join(column.codes.values)})"
    if column.pattern is not None and not re.match(column.pattern, str(value)):
        return f"matches {column.pattern}"
    if column.minimum is not None and value < column.minimum:
        return f"≥ {column.minimum:g}"
    if column.maximum is not None and value > column.maximum:
        return f"≤ {column.maximum:g}"
    return None


def _rows(dataset: Dataset, text: str, file: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """Each data row as typed values, with its line number in the file (the header is line 1)."""
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    for column in dataset.columns:
        if column.name not in header:
            raise DataError(
                "column missing from the header",
                file=file,
                row=1,
                field=column.name,
                rule="every declared column present",
            )
    for line, raw in enumerate(reader, start=2):
        values: dict[str, Any] = {}
        for column in dataset.columns:
            text = (raw.get(column.name) or "").strip()
            if text == "":
                if not column.nullable:
                    raise DataError(
                        "value missing", file=file, row=line, field=column.name, rule="required"
                    )
                values[column.name] = None
                continue
            try:
                value = _value(text, column)
            except ValueError as error:
                rule = str(error)
                raise DataError(
                    f"{text!r} is not of the column's type",
                    file=file,
                    row=line,
                    field=column.name,
                    rule=rule,
                ) from None
            broken = _broken_rule(value, column)
            if broken is not None:
                raise DataError(
                    f"{text!r} breaks a rule", file=file, row=line, field=column.name, rule=broken
                )
            values[column.name] = value
        yield line, values


def read_table(dataset: Dataset, source: Path | Traversable) -> pa.Table:
    """Reference table `dataset` read from `source` and checked; a `DataError` names the file,
    line and field of the first broken rule."""
    file = str(source)
    try:
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise DataError(f"cannot read the reference table: {error}", file=file) from None
    rows = list(_rows(dataset, text, file))
    seen: dict[tuple[Any, ...], int] = {}
    for line, values in rows:
        key = tuple(values[k] for k in dataset.key)
        if dataset.key and key in seen:
            raise DataError(
                f"duplicate key {', '.join(map(str, key))} (first on line {seen[key]})",
                file=file,
                row=line,
                field=", ".join(dataset.key),
                rule="key is unique",
            )
        seen[key] = line
    complete = COMPLETE.get(dataset.name)
    if complete:
        lists = [dataset.column(c).codes for c in complete]
        present = {tuple(values[c] for c in complete) for _, values in rows}
        for combination in itertools.product(*(c.values for c in lists if c is not None)):
            if combination not in present:
                raise DataError(
                    f"no row for {', '.join(combination)}",
                    file=file,
                    field=", ".join(complete),
                    rule="every " + " and ".join(complete) + " present",
                )
    columns = {c.name: [values[c.name] for _, values in rows] for c in dataset.columns}
    return pa.table(columns, schema=dataset.arrow_schema)


@cache
def load(name: str) -> pa.Table:
    """Reference table `name`, read with its declared column types and checked."""
    return read_table(REFERENCE_TABLES[name], _folder() / f"{name}.csv")
