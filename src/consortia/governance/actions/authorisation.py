"""Actions of the NHS Commissioning Board on the CCG: decide its authorisation against the
criteria, review and lift conditions, and issue or revoke directions that move a matter to
another CCG or to the Board (domain §1.3; NHS Act 2006 s14Z21)."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from consortia.governance.actions.base import Context, Effect, Refused, Text, action
from consortia.governance.authorisation import DIRECTIONS_FROM, Criterion, Outcome, criteria
from consortia.governance.constitution import unknown_matter
from consortia.governance.governing_body import OrganisationKind
from consortia.store import models

RULE = "authorisation: each criterion met, or a condition with a support level (NHS CB, 2012)"


class Assessment(BaseModel):
    """The Board's finding on one criterion; an unmet one is a condition."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    criterion: Annotated[str, Field(max_length=16)]
    met: bool
    condition: Annotated[str, Field(max_length=20_000)] | None = None
    support_level: Annotated[int, Field(ge=1, le=6)] | None = None
    direction: Annotated[str, Field(max_length=20_000)] | None = None


def _board(ctx: Context, board: str) -> None:
    ctx.organisation(
        board,
        OrganisationKind.NHS_COMMISSIONING_BOARD,
        "NHS Commissioning Board",
        rule="the NHS Commissioning Board authorises CCGs and directs them",
    )


def _checked(assessment: Assessment) -> None:
    """An unmet criterion names its condition and support level, with legal directions from
    level 4; a met one has none."""
    where = f"criterion {assessment.criterion}"
    if assessment.met:
        if assessment.condition or assessment.support_level or assessment.direction:
            raise Refused(f"{where} is met, so it carries no condition", rule=RULE)
        return
    if not (assessment.condition or "").strip() or assessment.support_level is None:
        raise Refused(f"{where} is not met: name its condition and support level", rule=RULE)
    if assessment.support_level >= DIRECTIONS_FROM and not (assessment.direction or "").strip():
        raise Refused(
            f"{where}: support level {assessment.support_level} is backed by legal directions; "
            "name the direction",
            rule="support levels 4 to 6 come with legal directions (NHS CB authorisation, 2012)",
        )
    if assessment.support_level < DIRECTIONS_FROM and assessment.direction:
        raise Refused(
            f"{where}: support level {assessment.support_level} carries no legal direction",
            rule="support levels 4 to 6 come with legal directions (NHS CB authorisation, 2012)",
        )


@action
def decide_authorisation(
    ctx: Context,
    *,
    board: str,
    decided_on: date,
    assessments: Annotated[list[Assessment], Field(min_length=1, max_length=2000)],
    authorise: bool = True,
    criteria_set: Annotated[list[Criterion], Field(min_length=1, max_length=2000)] | None = None,
) -> Effect:
    """The Board decides the CCG's authorisation, each criterion met or made a condition."""
    _board(ctx, board)
    ctx.constitution()  # a CCG is authorised under its constitution
    earlier = ctx.session.scalars(
        select(models.Authorisation).order_by(models.Authorisation.decided_on.desc())
    ).first()
    if earlier is not None and (
        earlier.outcome != Outcome.ESTABLISHED_NOT_AUTHORISED or decided_on <= earlier.decided_on
    ):
        raise Refused(
            f"the CCG was {earlier.outcome.replace('_', ' ')} on "
            f"{earlier.decided_on.isoformat()}; reviews lift its conditions",
            rule="a CCG is authorised once (again only after 'established but not authorised')",
        )
    used = criteria_set or criteria()
    ids = [c.id for c in used]
    given = [a.criterion for a in assessments]
    if len(set(given)) != len(given):
        raise Refused("a criterion is assessed twice", rule="each criterion assessed once")
    unknown = sorted(set(given) - set(ids))
    if unknown:
        raise Refused(f"no criterion {', '.join(unknown)}", rule="the criteria of the set used")
    unassessed = [c for c in ids if c not in set(given)]
    if unassessed:
        raise Refused(
            f"criteria {', '.join(unassessed)} are not assessed",
            rule="every criterion is assessed",
        )
    for assessment in assessments:
        _checked(assessment)
    unmet = [a for a in assessments if not a.met]
    if not authorise and not unmet:
        raise Refused(
            "a CCG that meets every criterion is authorised",
            rule="established but not authorised only where criteria are unmet",
        )
    outcome = (
        Outcome.ESTABLISHED_NOT_AUTHORISED
        if not authorise
        else Outcome.AUTHORISED_WITH_CONDITIONS
        if unmet
        else Outcome.AUTHORISED
    )
    met = {a.criterion: a.met for a in assessments}
    recorded = [{**c.model_dump(), "met": met[c.id]} for c in used]
    row = models.Authorisation(
        board=board, decided_on=decided_on, outcome=outcome.value, criteria=json.dumps(recorded)
    )
    ctx.session.add(row)
    ctx.session.flush()
    for assessment in unmet:
        ctx.session.add(
            models.AuthorisationCondition(
                authorisation=row.id,
                criterion=assessment.criterion,
                text=(assessment.condition or "").strip(),
                support_level=assessment.support_level,
                direction=(assessment.direction or "").strip() or None,
            )
        )
    levels = sorted({a.support_level for a in unmet if a.support_level is not None})
    return {
        "authorisation": row.id,
        "outcome": outcome.value,
        "criteria": len(used),
        "conditions": len(unmet),
        "support_levels": levels,
    }


@action
def review_authorisation(
    ctx: Context,
    *,
    board: str,
    reviewed_on: date,
    lift: Annotated[list[int], Field(min_length=1)],
    because: Text,
) -> Effect:
    """The Board reviews the CCG and lifts conditions it now meets."""
    _board(ctx, board)
    lifted = []
    for number in dict.fromkeys(lift):
        condition = ctx.get(models.AuthorisationCondition, number, "condition")
        decision = ctx.get(models.Authorisation, condition.authorisation, "authorisation")
        if condition.lifted_on is not None:
            raise Refused(f"condition {number} was lifted already", rule="a condition lifts once")
        if reviewed_on < decision.decided_on:
            raise Refused(
                f"a review on {reviewed_on.isoformat()} is before the decision "
                f"({decision.decided_on.isoformat()})",
                rule="a review follows the decision",
            )
        condition.lifted_on = reviewed_on
        condition.lifted_because = because.strip()
        lifted.append(number)
    return {"lifted": lifted, "reviewed_on": reviewed_on.isoformat()}


@action
def issue_direction(
    ctx: Context, *, board: str, issued_on: date, matter: str, to: str, grounds: Text
) -> Effect:
    """The Board directs that another CCG, or the Board, takes a matter from the CCG."""
    _board(ctx, board)
    unknown = unknown_matter(ctx.constitution(), matter)
    if unknown is not None:
        raise Refused(unknown, rule="a direction moves one of the constitution's matters")
    receiver = ctx.get(models.Organisation, to, "organisation")
    if receiver.kind not in (
        OrganisationKind.CLINICAL_COMMISSIONING_GROUP,
        OrganisationKind.NHS_COMMISSIONING_BOARD,
    ):
        raise Refused(
            f"{to} is a {receiver.kind}: a function moves to another CCG or to the Board",
            rule="directions move a function to another CCG or the Board (NHS Act 2006 s14Z21)",
        )
    row = models.Direction(matter=matter, to_body=to, issued_on=issued_on, reason=grounds.strip())
    ctx.session.add(row)
    ctx.session.flush()
    return {"direction": row.id, "matter": matter, "to": to}


@action
def revoke_direction(
    ctx: Context, *, board: str, direction: int, revoked_on: date, grounds: Text
) -> Effect:
    """The Board revokes a direction: the matter returns to the CCG."""
    _board(ctx, board)
    row = ctx.get(models.Direction, direction, "direction")
    if row.revoked_on is not None or revoked_on < row.issued_on:
        raise Refused(
            f"direction {direction} is revoked already, or {revoked_on.isoformat()} is before "
            "it was issued",
            rule="a direction in force is revoked once",
        )
    row.revoked_on = revoked_on
    return {"direction": direction, "matter": row.matter, "grounds": grounds.strip()}
