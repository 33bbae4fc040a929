"""Allocation parameters: versioned configuration keyed by financial year, validated on load.

The shipped years live in `years/allocation-YYYY-YY.toml`; a user may pass a copy with
other values. Nothing in the allocation's code restates a number from these files.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Literal, Self, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

from consortia.analyses.scope import parse_financial_year
from consortia.configfile import parse_toml
from consortia.errors import DataError
from consortia.schema.selection import Source
from consortia.textfile import read_text

YEAR = r"^\d{4}/\d{2}$"
MAX_FILE_BYTES = 1_000_000  # a parameters file is a page of text; anything larger is refused

CostIndex = Literal["market_forces", "emergency_ambulance"]
COST_INDICES: tuple[str, ...] = get_args(CostIndex)  # the columns of a cost-index file


class Component(BaseModel):
    """A service with its own need: the spend it covers and the cost indices that apply."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    datasets: list[Source] = Field(min_length=1)
    cost_indices: list[CostIndex] = Field(default_factory=list)


class AllocationParameters(BaseModel):
    """Everything an allocation for one financial year depends on besides the lake."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    year: str = Field(pattern=YEAR)
    envelope_growth: float = Field(ge=-0.5, le=1.0)
    minimum_growth: float = Field(ge=-0.5, le=1.0)
    maximum_growth: float = Field(ge=-0.5, le=1.0)
    floor_under_target: float | None = Field(default=None, gt=0.0, lt=1.0)
    inequalities_weight: float = Field(ge=0.0, lt=1.0)
    running_cost_per_head: float = Field(ge=0.0, le=1000.0)
    contingency_reserve: float = Field(ge=0.0, le=0.2)
    components: list[Component] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.minimum_growth > self.maximum_growth:
            raise ValueError("minimum_growth is above maximum_growth")
        if not self.minimum_growth <= self.envelope_growth <= self.maximum_growth:
            raise ValueError(
                "envelope_growth must lie between minimum_growth and maximum_growth, or no "
                "allocation can keep every CCG's growth within them and spend the envelope"
            )
        names = [component.name for component in self.components]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"component {', '.join(repeated)} named more than once")
        return self

    @property
    def base_year_start(self) -> int:
        """The calendar year the base financial year (the one before `year`) starts in."""
        return int(self.year[:4]) - 1


def _file_name(year: str) -> str:
    return f"allocation-{year.replace('/', '-')}.toml"


def shipped_years() -> list[str]:
    """The financial years whose parameters ship with Consortia."""
    folder = resources.files("consortia.finance") / "years"
    found = (re.fullmatch(r"allocation-(\d{4})-(\d{2})\.toml", e.name) for e in folder.iterdir())
    return sorted(f"{m[1]}/{m[2]}" for m in found if m)


def parse(name: str, text: str) -> AllocationParameters:
    """Parameters from the TOML `text` of the file `name`; an error names the file, key and
    rule broken."""
    return parse_toml(AllocationParameters, name, text, "allocation parameters")


def read_file(path: Path) -> AllocationParameters:
    """Parameters from a user's file, refused whole with a one-line error if anything is off."""
    return parse(str(path), read_text(path, MAX_FILE_BYTES))


def allocation_parameters(year: str, path: Path | None = None) -> AllocationParameters:
    """The parameters for the financial year `year` ("2014/15"): from `path` if given (its
    `year` must match), else those shipped for that year."""
    year = parse_financial_year(year)
    if path is not None:
        parameters = read_file(path)
        if parameters.year != year:
            raise DataError(
                f"the file is for {parameters.year}, not {year}",
                file=str(path),
                field="year",
                rule="parameters are keyed by financial year",
            )
        return parameters
    if year not in shipped_years():
        raise DataError(
            f"no allocation parameters for {year}; shipped years: {', '.join(shipped_years())} "
            "(pass --parameters FILE for another year)",
            field="year",
            rule="parameters are keyed by financial year",
        )
    entry = resources.files("consortia.finance") / "years" / _file_name(year)
    return parse(f"years/{_file_name(year)}", entry.read_text(encoding="utf-8"))
