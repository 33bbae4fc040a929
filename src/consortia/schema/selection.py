"""A selection of activity rows: one activity dataset and equality filters on its columns,
checked against the schema when read. Allocation components, AQP services in a register file
and AQP services in the governance record all name their activity this way."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from consortia.schema.datasets import DATASETS

ActivityDataset = Literal["apc", "op", "ae"]


class Source(BaseModel):
    """Rows of one activity dataset: every row whose columns hold one of the listed codes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    dataset: ActivityDataset
    where: dict[str, list[str]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _columns_exist(self) -> Self:
        declared = {column.name: column for column in DATASETS[self.dataset].columns}
        for name, values in self.where.items():
            if name not in declared:
                raise ValueError(f"{self.dataset} has no column {name!r}")
            codes = declared[name].codes
            unknown = sorted(set(values) - set(codes.codes)) if codes is not None else []
            if unknown:
                raise ValueError(f"{self.dataset}.{name} has no code {', '.join(unknown)}")
        return self
