"""The register of the CCG's commissioning-support arrangements, one action.

An arrangement names who performs which functions in a year and what it costs. A CCG cannot
delegate its statutory accountability, so commissioning decisions are never a support function
(domain §7). The supplier's staff and owners are barred from the governing body (Schedule 5;
domain §1.2): the supplier is marked as supporting the CCG, so that check applies to later
appointments, and an arrangement with a supplier whose staff or owner sits on the governing
body now is refused.
"""

from __future__ import annotations

import json
from typing import Annotated

from pydantic import Field
from sqlalchemy import select

from consortia.governance.actions.base import (
    Context,
    Effect,
    Pounds,
    Refused,
    action,
    financial_year,
)
from consortia.governance.constitution import GOVERNING_BODY
from consortia.governance.governing_body import SUPPORT_LINKS, Relation
from consortia.governance.support import Function, SupportModel
from consortia.store import models


@action
def record_support_arrangement(
    ctx: Context,
    *,
    year: str,
    model: SupportModel,
    functions: Annotated[list[Function], Field(min_length=1)],
    cost_pounds: Pounds,
    supplier: str | None = None,
) -> Effect:
    """Record who performs which commissioning-support functions in a year, at what cost."""
    year, _ = financial_year(year)
    if model is SupportModel.IN_HOUSE:
        if supplier is not None:
            raise Refused("in-house support names no supplier", rule="in-house is the CCG's own")
    else:
        if supplier is None:
            raise Refused(
                f"support from a {model.value.replace('_', ' ')} names its supplier",
                rule="an outside arrangement names its supplier",
            )
        _supplier(ctx, supplier)
    recorded = ctx.session.scalars(
        select(models.SupportArrangement.functions).where(models.SupportArrangement.year == year)
    )
    taken = {function for text in recorded for function in json.loads(text)}
    again = sorted(taken & {f.value for f in functions})
    if again:
        raise Refused(
            f"{', '.join(again)} in {year} is performed under another arrangement",
            rule="one arrangement performs a function in a year",
        )
    row = models.SupportArrangement(
        year=year,
        model=model.value,
        supplier=supplier,
        functions=json.dumps(sorted(f.value for f in set(functions))),
        cost_pounds=cost_pounds,
    )
    ctx.session.add(row)
    ctx.session.flush()
    return {"arrangement": row.id, "year": year, "model": model.value, "supplier": supplier}


def _supplier(ctx: Context, supplier: str) -> None:
    """Mark the supplier as supporting the CCG; refuse it while its staff or owners sit on the
    governing body."""
    organisation = ctx.get(models.Organisation, supplier, "organisation")
    seated = set(
        ctx.session.scalars(
            select(models.Membership.person).where(models.Membership.committee == GOVERNING_BODY)
        )
    )
    links = ctx.session.execute(
        select(models.Affiliation.person, models.Affiliation.relation).where(
            models.Affiliation.organisation == supplier
        )
    ).all()
    barred = sorted(
        f"{person} ({relation})"
        for person, relation in links
        if person in seated and Relation(relation) in SUPPORT_LINKS
    )
    if barred:
        raise Refused(
            f"staff or owners of {supplier} sit on the governing body: {', '.join(barred)}",
            rule="commissioning support's staff and owners are barred from the governing body "
            "(SI 2012/1631 Schedule 5)",
        )
    organisation.supports_ccg = True
