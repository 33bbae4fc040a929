"""A measure's definition: what is counted, why it matters, which way is better, who reviewed it.

Definitions are data (TOML files in `definitions/`), validated on load; the logic that turns a
definition into an analysis lives in `consortia.analyses.variation`, once for every measure.
"""

from __future__ import annotations

import tomllib
from datetime import date
from functools import cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from consortia.errors import DataError
from consortia.schema.selection import ActivityDataset

Dataset = ActivityDataset
# The columns of a patient's cell a measure may be standardised for.
CellColumn = Literal["age_band", "sex", "deprivation_quintile"]


class Review(BaseModel):
    """Who wrote the definition, the published definition it was checked against, how it
    differs from that definition, and when it is next reviewed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    authored_by: str
    checked_by: str  # the published definition the measure was checked against
    differences: str = ""  # where and why the measure departs from that definition
    reviewed_on: date
    next_review: date


class Numerator(BaseModel):
    """The events counted: a dataset, equality filters on its columns, an ICD-10 value set."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    dataset: Dataset
    where: dict[str, list[str]] = Field(default_factory=dict)
    diagnosis_value_sets: list[str] = Field(default_factory=list)


class Measure(BaseModel):
    """One indicator of practice variation."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    title: str
    description: str
    why_it_matters: str
    numerator: Numerator
    denominator: Literal["registered_person_years"] = "registered_person_years"
    standardised_for: list[CellColumn]
    low_is_good: bool | None
    source: str
    review: Review


def _load(name: str, text: str) -> Measure:
    try:
        return Measure.model_validate(tomllib.loads(text))
    except tomllib.TOMLDecodeError as error:
        raise DataError(str(error), file=name, rule="TOML syntax") from None
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        raise DataError(first["msg"], file=name, field=field, rule="measure definition") from None


@cache
def measures() -> dict[str, Measure]:
    """Every shipped measure definition, by id, in file-name order."""
    folder = resources.files("consortia.measures") / "definitions"
    found = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            measure = _load(f"definitions/{entry.name}", entry.read_text(encoding="utf-8"))
            if entry.name != f"{measure.id}.toml":
                raise DataError(
                    f"the file name must be the measure's id ({measure.id}.toml)",
                    file=f"definitions/{entry.name}",
                    field="id",
                )
            found[measure.id] = measure
    return found
