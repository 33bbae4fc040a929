"""The national comparison: every CCG of the lake against the others, and where practices sit.

Each measure's CCG ratios (indirectly standardised, from the same pass as practice variation)
with their funnel, a percentile rank among every CCG and among the CCGs of the same region;
and the distribution of practices' ratios across the whole lake, decile by decile.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import pandas as pd

from consortia.analyses import investment, national
from consortia.measures.definition import Measure, measures
from consortia.pack import charts
from consortia.pack.context import Context
from consortia.pack.figure import Figure, Query
from consortia.pack.sections import allocation, budget_risk, premium
from consortia.pack.sections.variation import CONFIDENCE, DIRECTION, national_ranks
from consortia.stats.comparison import Comparison, compare, describe_outlying, outlying_units
from consortia.stats.peers import DECILES, deciles, percentile_rank

SECTION = "CCGs compared"


def ccg_list(context: Context) -> Figure:
    """Every CCG in the lake with its region, practices and patients."""
    table, sql = context.run(national.ccgs, context.scope.everyone)
    return Figure(
        id="national_ccgs",
        section=SECTION,
        title="CCGs in the data",
        method=(
            "Every CCG in the data with its region, its member practices and the patients ever "
            "registered with one of them. A CCG with no registered patients has no pack."
        ),
        table=table,
        source=sql,
    )


def _comparison(context: Context) -> tuple[Comparison, Query]:
    """Every measure's ratio for every CCG, compared with every CCG and with its region's."""

    def compute() -> tuple[Comparison, Query]:
        every = tuple(measures().values())
        result, sql = context.run(national.ccg_observed_and_expected, context.scope.everyone, every)
        names, _ = context.run(national.ccgs, context.scope.everyone)
        result = result.merge(names[["ccg", "name", "region"]], on="ccg", how="left")
        comparison = compare(result, "measure", confidence=CONFIDENCE)
        table = comparison.table
        regions = table["measure"] + "|" + table["region"]
        return comparison.with_table(
            table.assign(region_percentile=percentile_rank(table["ratio"], regions))
        ), sql

    return context.remember("national_comparison", compute)


def _measure(context: Context, measure: Measure) -> Figure:
    comparison, sql = _comparison(context)
    table = comparison.table
    rows = table[table["measure"] == measure.id].drop(columns=["measure"]).reset_index(drop=True)
    rows = rows[["ccg", "name", "region", *[c for c in rows if c not in ("ccg", "name", "region")]]]
    funnel = comparison.funnels[measure.id]
    return Figure(
        id=f"national_{measure.id}",
        section=SECTION,
        title=f"{measure.title}: CCGs against expected",
        method=(
            f"{measure.description} Each CCG's observed events over the expected from the rates "
            "of every patient in the data by "
            f"{', '.join(s.replace('_', ' ') for s in measure.standardised_for)}, summed over "
            f"its member practices (indirect standardisation), with "
            f"{comparison.ratio_description}. {funnel.description}. Percentile rank among every "
            f"CCG and among the CCGs of its region ({DIRECTION[measure.low_is_good]}). "
            f"Outlying at the outer limits: {describe_outlying(rows, 'ccg') or 'none'}."
        ),
        table=rows,
        chart=partial(
            charts.funnel,
            limits=comparison.limit_curves(measure.id),
            title=measure.title,
            unit="ccg",
        ),
        confidence=CONFIDENCE,
        source=sql,
        notes=tuple(outlying_units(rows)["ccg"]),
    )


def practice_deciles(context: Context) -> Figure:
    """Each measure's practice ratios across the whole lake at each decile."""
    ranks = national_ranks(context)
    titles = {m.id: m.title for m in measures().values()}
    points = deciles(ranks["ratio"], ranks["measure"])
    groups = sorted(ranks["measure"].unique())
    table = pd.DataFrame(
        [
            {"measure": titles.get(m, m), "decile": round(q * 100), "ratio": float(points[i, j])}
            for i, m in enumerate(groups)
            for j, q in enumerate(DECILES)
        ],
        columns=["measure", "decile", "ratio"],
    )
    return Figure(
        id="national_practice_deciles",
        section=SECTION,
        title="Practices across the data: the ratio at each decile",
        method=(
            "For each measure, the indirectly standardised ratio of every practice in the data "
            "(expected events from everyone's rates), and its 10th to 90th percentiles "
            "(PERCENTILE_CONT: linear interpolation between ordered ratios, as OpenPrescribing "
            "computes its national deciles). Each CCG's pack ranks its own practices among "
            f"these ({len(ranks['practice'].unique()):,} practices)."
        ),
        table=table,
        chart=charts.decile_lines,
    )


def local_investment(context: Context) -> Figure:
    """Every CCG's additional investment in general practice a head against £5, rolled up."""
    every, sql = context.run(investment.ccg_local_investment, context.scope.everyone)
    totals, _ = context.run(investment.national_local_investment, context.scope.everyone)
    names, _ = context.run(national.ccgs, context.scope.everyone)
    latest = every["financial_year"].max()
    table = (
        every[every["financial_year"] == latest]
        .merge(names[["ccg", "name", "region"]], on="ccg", how="left")
        .sort_values("per_head", ascending=False)
        .reset_index(drop=True)
    )
    table = table[["ccg", "name", "region", "financial_year", "patients", "amount", "per_head",
                   "at_least_5_pounds"]]  # fmt: skip
    rolled = totals[totals["financial_year"] == latest].iloc[0]
    pounds = investment.POUNDS_A_HEAD
    return Figure(
        id="national_local_investment",
        section=SECTION,
        title=f"Additional investment in general practice against £{pounds:.0f} a head",
        method=(
            f"Each CCG's payments in the category 'CCG local investment' in {latest} over every "
            f"patient on its lists on 1 April (a CCG that paid nothing at £0). Everyone Counts "
            f"2014/15 asked for about £{pounds:.0f} a head. "
            f"{int(rolled['ccgs_at_least_5_pounds'])} of {int(rolled['ccgs'])} CCGs reached it; "
            "together they invested "
            f"£{rolled['amount']:,.0f} over {int(rolled['patients']):,} patients "
            f"(£{rolled['per_head']:.2f} a head); the CCGs below £{pounds:.0f} would have "
            f"needed £{rolled['shortfall']:,.0f} more to reach it."
        ),
        table=table,
        chart=partial(charts.investment_national, pounds=pounds),
        source=sql,
        notes=tuple(table.loc[table["at_least_5_pounds"], "ccg"]),
    )


def builders() -> tuple[Callable[[Context], Figure], ...]:
    """The national page's figures, in reading order."""
    return (
        ccg_list,
        *((lambda context, m=measure: _measure(context, m)) for measure in measures().values()),
        practice_deciles,
        local_investment,
        allocation.distance,
        budget_risk.in_pack,
        premium.across_in_pack,
    )
