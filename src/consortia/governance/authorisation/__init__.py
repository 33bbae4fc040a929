"""Authorisation by the NHS Commissioning Board: domains and criteria as configuration, the
outcome a decision gives, and where a CCG stands after reviews and directions.

Each criterion is met or not; an unmet one becomes a condition with a support level (1 a model
document or toolkit, 2 expert advice, 3 decisions need the Board's sign-off, 4 a team backed by
legal directions, 5-6 functions exercised by another CCG or the Board, or the accountable
officer replaced). All met: authorised; conditions: authorised with conditions; or, the Board
deciding so, established but not authorised, a statutory body that cannot exercise its duties
(domain §1.3). Reviews lift conditions; directions move a function to another CCG or to the
Board (NHS Act 2006 s14Z21).
"""

from __future__ import annotations

import json
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from consortia.configfile import parse_toml
from consortia.store import models
from consortia.textfile import read_text

SHIPPED = Path(__file__).parent / "criteria.toml"
DIRECTIONS_FROM = 4  # support levels from which the Board's help is backed by legal directions


class Outcome(StrEnum):
    """The Board's decision on a CCG (domain §1.3)."""

    AUTHORISED = "authorised"
    AUTHORISED_WITH_CONDITIONS = "authorised_with_conditions"
    ESTABLISHED_NOT_AUTHORISED = "established_not_authorised"


class Domain(BaseModel):
    """One of the six domains."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    number: Annotated[int, Field(ge=1, le=6)]
    title: Annotated[str, Field(min_length=1, max_length=300)]


class Criterion(BaseModel):
    """A criterion of a domain."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: Annotated[str, Field(pattern=r"^[1-6]\.[0-9]{1,3}$")]
    domain: Annotated[int, Field(ge=1, le=6)]
    text: Annotated[str, Field(min_length=1, max_length=500)]

    @model_validator(mode="after")
    def _in_its_domain(self) -> Self:
        if not self.id.startswith(f"{self.domain}."):
            raise ValueError(f"criterion {self.id} is numbered outside domain {self.domain}")
        return self


class CriteriaFile(BaseModel):
    """A file of criteria (format 1): the shipped set names the domains too."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    format: Literal[1]
    domains: list[Domain] = Field(default_factory=list)
    criteria: Annotated[list[Criterion], Field(min_length=1, max_length=1000)]


def criteria(extra: Path | None = None) -> list[Criterion]:
    """The shipped criteria and those of `extra` (a TOML file of the same form), by id; an id
    given twice is refused, naming the file."""
    from consortia.errors import DataError

    rule = "an authorisation criteria file (format 1)"
    found = list(parse_toml(CriteriaFile, str(SHIPPED), read_text(SHIPPED), rule).criteria)
    if extra is not None:
        added = parse_toml(CriteriaFile, str(extra), read_text(extra), rule).criteria
        known = {c.id for c in found}
        for index, criterion in enumerate(added):
            if criterion.id in known:
                raise DataError(
                    f"criterion {criterion.id} is given twice",
                    file=str(extra),
                    field=f"criteria.{index}.id",
                    rule="each criterion once",
                )
            known.add(criterion.id)
        found += added
    return sorted(found, key=lambda c: tuple(int(part) for part in c.id.split(".")))


def domains() -> list[Domain]:
    """The six domains, as shipped."""
    rule = "an authorisation criteria file (format 1)"
    return list(parse_toml(CriteriaFile, str(SHIPPED), read_text(SHIPPED), rule).domains)


def standing(session: Session, on: date) -> dict[str, Any]:
    """Where the CCG stands on `on`: the decision, conditions still open (with their support
    levels), those lifted by then (when and why), and directions in force."""
    decision = session.scalars(
        select(models.Authorisation)
        .where(models.Authorisation.decided_on <= on)
        .order_by(models.Authorisation.decided_on.desc(), models.Authorisation.id.desc())
    ).first()
    if decision is None:
        return {
            "on": on.isoformat(),
            "decision": None,
            "conditions": [],
            "lifted": [],
            "directions": [],
        }
    conditions = session.scalars(
        select(models.AuthorisationCondition)
        .where(models.AuthorisationCondition.authorisation == decision.id)
        .order_by(models.AuthorisationCondition.id)
    ).all()
    open_now = [c for c in conditions if c.lifted_on is None or c.lifted_on > on]
    directions = session.scalars(
        select(models.Direction)
        .where(models.Direction.issued_on <= on)
        .order_by(models.Direction.id)
    ).all()
    in_force = [d for d in directions if d.revoked_on is None or d.revoked_on > on]
    status = Outcome(decision.outcome)
    if status is Outcome.AUTHORISED_WITH_CONDITIONS and not open_now:
        status = Outcome.AUTHORISED  # every condition lifted on review
    return {
        "on": on.isoformat(),
        "decision": {
            "authorisation": decision.id,
            "decided_on": decision.decided_on.isoformat(),
            "outcome": decision.outcome,
            "criteria": len(json.loads(decision.criteria)),
        },
        "status": status.value,
        "conditions": [
            {
                "condition": c.id,
                "criterion": c.criterion,
                "text": c.text,
                "support_level": c.support_level,
                "direction": c.direction,
            }
            for c in open_now
        ],
        "lifted": [
            {
                "condition": c.id,
                "criterion": c.criterion,
                "text": c.text,
                "support_level": c.support_level,
                "lifted_on": c.lifted_on.isoformat(),
                "lifted_because": c.lifted_because,
            }
            for c in conditions
            if c.lifted_on is not None and c.lifted_on <= on
        ],
        "directions": [
            {
                "direction": d.id,
                "matter": d.matter,
                "to": d.to_body,
                "issued_on": d.issued_on.isoformat(),
                "reason": d.reason,
            }
            for d in in_force
        ],
    }


def directed_away(session: Session, matter: str, on: date) -> models.Direction | None:
    """The direction in force on `on` that moves `matter` away from the CCG, if any."""
    for direction in session.scalars(
        select(models.Direction)
        .where(models.Direction.matter == matter, models.Direction.issued_on <= on)
        .order_by(models.Direction.issued_on.desc())
    ):
        if direction.revoked_on is None or direction.revoked_on > on:
            return direction
    return None
