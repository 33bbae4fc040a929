"""What the pack shows of the CCG's governance record (`consortia pack --record DB`): whether
its configuration would pass, and how dependent it has become on outside commissioning support.

The record is read verified, once per pack; without a record the section is left out.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pandas as pd

from consortia.analyses import national
from consortia.pack import charts
from consortia.pack.context import Context
from consortia.pack.figure import Figure
from consortia.privacy.publication import Public

SECTION = "Governance and commissioning support"


def _view(context: Context) -> dict[str, Any] | None:
    """The record's checks and dependence for this CCG, or None without a record."""
    record, code = context.record, context.scope.ccg
    if record is None or code is None:
        return None

    def read() -> dict[str, Any]:
        from consortia.governance.record import pack_view

        ccgs, _ = context.run(national.ccgs, context.scope.everyone)
        patients = ccgs.loc[ccgs["ccg"] == code, "patients"]
        population = int(patients.iloc[0]) if len(patients) else 0
        return pack_view(record, code, population, as_at(context))

    return context.remember(("governance record", record), read)


def as_at(context: Context) -> date:
    """The day the record is read as at: the last day of the pack's latest year, or today if
    that year has not ended."""
    return min(date.today(), context.scope.end - timedelta(days=1))


def configuration_check(context: Context) -> tuple[Figure, ...]:
    """Would the CCG's size, governing body or authorisation fail as the record stands?"""
    view = _view(context)
    if view is None:
        return ()
    table = pd.DataFrame(view["checks"]).rename(columns={"rule": "standard"})
    flagged = table.loc[table["result"] == "flag", "check"].tolist()
    verdict = f"flagged: {', '.join(flagged)}" if flagged else "every check passes"
    return (
        Figure(
            id="configuration_check",
            section=SECTION,
            title="Configuration check: size, governing body and authorisation",
            method=(
                "From the verified governance record and the lake, as at "
                f"{as_at(context):%-d %B %Y} (the end of the pack's latest year): the "
                "registered population against the CCGs England authorised (each check's "
                "standard names its source); the governing body's seats against SI 2012/1631 "
                "regs 11-12 and Schedules 4-5, as a new governing body is checked; and the NHS "
                "Commissioning Board's authorisation with the conditions open that day. This "
                f"CCG: {verdict}."
            ),
            table=table,
            public=Public(),  # the CCG's own configuration, as its constitution publishes it
        ),
    )


# What the CCG buys from outside and what it pays (its published accounts say so): nothing
# here counts patients.
SUPPORT_AS_IS = (
    "share_of_functions_outside",
    "support_cost",
    "support_cost_outside",
    "share_of_cost_outside",
    "support_cost_per_head",
)


def support_dependence(context: Context) -> tuple[Figure, ...]:
    """The share of commissioning-support functions and cost placed outside, by year."""
    view = _view(context)
    if view is None or not view["dependence"]:
        return ()
    table = pd.DataFrame(view["dependence"]).rename(
        columns={
            "year": "financial_year",
            "cost_pounds": "support_cost",
            "cost_outside_pounds": "support_cost_outside",
            "cost_per_head_pounds": "support_cost_per_head",
        }
    )
    latest = table.iloc[-1]
    return (
        Figure(
            id="support_dependence",
            section=SECTION,
            title="Dependence on outside commissioning support",
            method=(
                "From the register of support arrangements in the verified governance record: "
                "per financial year, the commissioning-support functions an outside supplier "
                "(a support unit, a firm, a joint venture, a social enterprise or a staff "
                "mutual) performs over all the functions used, and what is paid outside over "
                "what support costs in all; cost per head over the member practices' lists in "
                f"the constitution. {latest['financial_year']}: "
                f"{latest['share_of_functions_outside']:.0%} of functions and "
                f"{latest['share_of_cost_outside']:.0%} of the cost outside."
            ),
            table=table,
            public=Public(as_is=SUPPORT_AS_IS),
            chart=charts.support_dependence,
        ),
    )


BUILDERS = (configuration_check, support_dependence)
