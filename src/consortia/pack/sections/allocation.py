"""The allocation in the pack: every CCG's distance from its weighted-capitation target before
and after pace of change, and the need of the CCG's own practices (`consortia allocate`)."""

from __future__ import annotations

import pandas as pd

from consortia.finance.allocation import METHOD, Allocation
from consortia.pack import charts
from consortia.pack.context import Context
from consortia.pack.figure import Figure
from consortia.pack.sections import money
from consortia.signed import signed

SECTION = "Allocation"
# The allocation's columns as the pack's tables name them (`pack.labels` holds one meaning
# per name: "target" there is a standard's, "growth" a list's).
CCG_COLUMNS = {
    "ccg": "ccg", "name": "name", "population": "person_years", "need_index": "need_index",
    "target_share": "target_share", "baseline": "baseline", "target": "allocation_target",
    "allocation": "allocation", "growth": "allocation_growth",
    "distance_before": "distance_before", "distance_after": "distance_after",
    "allocation_per_head": "allocation_per_head", "running_costs": "running_costs",
}  # fmt: skip


def distance(context: Context) -> Figure:
    """Every CCG's distance from target before and after pace of change; this CCG marked."""
    title = "Distance from the weighted-capitation target, every CCG"
    return money.kept(
        context, distance, "allocation_distance", SECTION, title,
        lambda: _distance(context, money.allocation(context), title), charts.allocation_distance,
        lambda: money.allocation_source(context),
    )  # fmt: skip


def _distance(context: Context, result: Allocation, title: str) -> Figure:
    p = result.parameters
    table = (
        result.ccgs[list(CCG_COLUMNS)]
        .rename(columns=CCG_COLUMNS)
        .assign(this_ccg=result.ccgs["ccg"] == context.scope.ccg)
    )
    ours = table[table["this_ccg"]]
    if len(ours):
        row = ours.iloc[0]
        own = (
            f" This CCG: target £{row['allocation_target']:,.0f}, baseline "
            f"£{row['baseline']:,.0f} ({signed(row['distance_before'], '.1%')} from target), "
            "allocation "
            f"£{row['allocation']:,.0f} ({signed(row['allocation_growth'], '.2%')} growth, "
            f"{signed(row['distance_after'], '.1%')} from target after)."
        )
    else:
        own = ""
    return Figure(
        id="allocation_distance",
        section=SECTION,
        title=title,
        method=(
            f"{METHOD} {p.year} from {result.base_year}: envelope £{result.envelope:,.0f}; "
            f"growth between {p.minimum_growth:.2%} and {p.maximum_growth:.2%}; inequalities "
            f"weight {p.inequalities_weight:.0%}; cost indices: {result.cost_indices_from}; "
            f"running costs £{p.running_cost_per_head:,.2f} a head.{own} Every step: "
            f"consortia allocate --year {p.year} --explain."
        ),
        table=table.reset_index(drop=True),
        chart=charts.allocation_distance,
        notes=tuple(ours["ccg"]),
    )


def practices(context: Context) -> Figure:
    """The need index and target of each of the CCG's practices."""
    title = "Need-weighted population of each practice"
    return money.kept(
        context, practices, "allocation_practices", SECTION, title,
        lambda: _practices(context, money.allocation(context), title), charts.need_index,
        lambda: money.allocation_source(context),
    )  # fmt: skip


def _practices(context: Context, result: Allocation, title: str) -> Figure:
    rows = result.practices
    if context.scope.ccg is not None:
        rows = rows[rows["ccg"] == context.scope.ccg]
    table = pd.DataFrame(
        {
            "practice": rows["practice"],
            "person_years": rows["population"],
            "weighted_population": rows["weighted_population"],
            "need_index": rows["weighted_population"] / rows["population"],
            "allocation_target": rows["target_share"] * result.envelope,
        }
    )
    return Figure(
        id="allocation_practices",
        section=SECTION,
        title=title,
        method=(
            "Each practice's registered person-years in the base year, weighted by its "
            "patients' fitted cost over everyone's and blended with unmet need (the "
            "allocation's method); the need index is the weighted over the raw population "
            "(1 = the average of everyone in the data); the target is the practice's share "
            "of the envelope, as the CCG's target sums its practices'."
        ),
        table=table.sort_values("need_index", ascending=False).reset_index(drop=True),
        chart=charts.need_index,
    )


BUILDERS = (distance, practices)
