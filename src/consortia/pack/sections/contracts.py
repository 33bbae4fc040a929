"""Contract monitoring as a page of the pack's kind: each line's position to the month, and
each point of delivery's monthly activity as an XmR chart (written by `contracts --html`)."""

from __future__ import annotations

from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from consortia.finance import contracts as contracting
from consortia.finance.contracts import MONTHS, Contracts
from consortia.pack import charts
from consortia.pack.context import Context
from consortia.pack.figure import Figure, Query
from consortia.pack.html import Page, write_page
from consortia.pack.labels import label
from consortia.pack.sections import money
from consortia.privacy.release import RULES
from consortia.privacy.rule import Rules
from consortia.stats.spc import xmr

SECTION = "Contracts"
ACTIVITY = "contract_activity_"  # before a point of delivery's code, the id of its chart
LINE_COLUMNS = [
    "provider", "pod", "plan_value", "plan_ytd_value", "actual_ytd_value", "variance_ytd_share",
    "forecast_seasonal_value", "forecast_run_rate_value", "forecast_variance_value",
    "latest_variation",
]  # fmt: skip


def position(contracts: Contracts) -> Figure:
    """Every line's plan, year to date and forecast outturn, with the month's SPC reading."""
    table = contracts.lines[LINE_COLUMNS].reset_index(drop=True)
    return Figure(
        id="contract_position",
        section=SECTION,
        title=f"Contract position to {contracts.as_at:%B %Y}",
        method=(
            f"Plan: {contracts.plan_from}, phased by each point of delivery's months in the "
            "year before. Variance: actual to date over the phased plan. Forecast outturn: "
            "year to date ÷ the share of the year before's activity in the same months "
            "(seasonal), and year to date × 12 ÷ months gone (run rate)."
        ),
        table=table,
        chart=charts.contract_variance,
    )


def activity(contracts: Contracts, pod: str) -> Figure:
    """One point of delivery's monthly activity at every provider, as an XmR chart."""
    rows = contracts.monthly[contracts.monthly["pod"] == pod]
    monthly = rows.groupby("month", as_index=False)[["activity", "plan_activity"]].sum(min_count=1)
    points = len(monthly)
    chart = xmr(
        monthly["activity"].to_numpy(dtype=np.float64),
        direction="neutral",
        rebase=[MONTHS] if points > MONTHS else [],
    )
    limits = chart.to_frame()
    table = pd.DataFrame(
        {
            "month": monthly["month"],
            "value": monthly["activity"],
            "plan_activity": monthly["plan_activity"],
            "mean": limits["mean"],
            "lower_limit": limits["lower"],
            "upper_limit": limits["upper"],
            "point_type": limits["point_type"],
            "denominator": np.nan,
        }
    )
    name = _pod_name(pod)
    return Figure(
        id=f"{ACTIVITY}{pod}",
        section=SECTION,
        title=f"{name}: activity per month at every provider",
        method=(
            f"{chart.method.rstrip('.')}. Limits recalculated from the contract year's first "
            "month (its points carry trial limits until there are 12). Neither more nor less "
            "activity "
            "is better: a special cause is a change to look into."
        ),
        table=table,
        chart=partial(charts.spc, title=f"{name} per month"),
        improvement="neutral",
    )


def in_pack(context: Context) -> tuple[Figure, ...]:
    """The CCG's contracts in the pack's year, planned from the year before with no growth:
    the position of every line and each point of delivery's XmR chart, kept beside the lake
    (`money.kept_all`)."""
    ccg = context.scope.ccg
    if ccg is None:
        return ()

    def build() -> tuple[Figure, ...]:
        year = money.pack_year(context)
        made = contracting.compute(context.backend, context.shared, ccg, year, growth=0.0)
        return figures(made)

    def source() -> Query:
        scope = contracting.activity_scope(ccg, money.pack_year(context))
        return context.query(contracting.monthly_activity, scope)

    return money.kept_all(
        context, in_pack, "contract_position", SECTION, "Contract position", build, _chart, source
    )


def _chart(table: pd.DataFrame, words: dict[str, Any]) -> Any:
    """The chart of a kept contracts figure, by its id: the position's variance bars, or a
    point of delivery's XmR chart."""
    pod = str(words["id"]).removeprefix(ACTIVITY)
    if pod == words["id"]:
        return charts.contract_variance(table)
    return charts.spc(table, f"{_pod_name(pod)} per month")


def _pod_name(pod: str) -> str:
    """A point of delivery's name ("Emergency admissions")."""
    return label("pod").names.get(pod, pod)


def figures(contracts: Contracts) -> tuple[Figure, ...]:
    """The position of every line, then each point of delivery's monthly activity."""
    pods = list(dict.fromkeys(contracts.lines["pod"]))
    return (position(contracts), *(activity(contracts, pod) for pod in pods))


BUILDERS = (in_pack,)


def page(contracts: Contracts) -> Page:
    total = contracts.totals
    over = total["forecast_seasonal_value"] - total["plan_value"]
    return Page(
        heading=f"Contracts {contracts.year}",
        caption=f"CCG {contracts.ccg}",
        summary=(
            f"Monitored to {contracts.as_at:%B %Y} ({contracts.months_gone} of {MONTHS} "
            f"months): £{total['actual_ytd_value']:,.0f} spent against £"
            f"{total['plan_ytd_value']:,.0f} planned to date; the seasonal forecast is "
            f"£{total['forecast_seasonal_value']:,.0f} against a plan of "
            f"£{total['plan_value']:,.0f} ({'over' if over >= 0 else 'under'} by "
            f"£{abs(over):,.0f})."
        ),
    )


def write_html(contracts: Contracts, path: Path, made: date, rules: Rules = RULES) -> None:
    """The page written whole to `path`, or a one-line error."""
    write_page(figures(contracts), page(contracts), path, made, contracts.ccg, rules)
