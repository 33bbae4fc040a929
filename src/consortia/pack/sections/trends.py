"""Trends: Making Data Count statistical process control charts of monthly series."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from consortia.analyses import trends
from consortia.pack import charts
from consortia.pack.context import Context
from consortia.pack.figure import Figure
from consortia.privacy.publication import Public, Ratio
from consortia.stats import xmr

SECTION = "Trends"


@dataclass(frozen=True)
class Series:
    """A monthly series, which way is better, and its standard if it has one."""

    id: str
    title: str
    direction: str  # "increase" or "decrease": which way is improvement
    target: float | None
    unit: str


SERIES = (
    Series(
        "emergency_admissions", "Emergency admissions per month", "decrease", None, "admissions"
    ),
    Series("ae_attendances", "A&E attendances per month", "decrease", None, "attendances"),
    Series(
        "ae_within_4_hours",
        "A&E patients seen within 4 hours (standard 95%)",
        "increase",
        0.95,
        "share of attendances",
    ),
    Series(
        "rtt_within_18_weeks",
        "Elective admissions within 18 weeks of referral (standard 90%)",
        "increase",
        0.90,
        "share of admitted pathways",
    ),
)


def _figure(context: Context, series: Series) -> Figure:
    monthly, sql = context.run(trends.monthly_series, context.scope)
    rows = monthly[monthly["series"] == series.id].reset_index(drop=True)
    chart = xmr(rows["value"].to_numpy(), direction=series.direction, target=series.target)  # type: ignore[arg-type]
    points = chart.to_frame()
    shares = bool(rows["denominator"].notna().any())
    table = rows.drop(columns=["series"]).assign(
        mean=points["mean"],
        lower_limit=points["lower"],
        upper_limit=points["upper"],
        point_type=points["point_type"],
        target=series.target,
    )
    variation, assurance = str(chart.variation[0]), str(chart.assurance[0])
    return Figure(
        id=f"trend_{series.id}",
        section=SECTION,
        title=series.title,
        method=(
            f"{chart.method} ({series.unit}). Latest month: variation "
            f"{variation.replace('_', ' ')}"
            + (
                f"; assurance against the standard: {assurance.replace('_', ' ')}."
                if series.target
                else "."
            )
        ),
        table=table,
        # the centre line and limits are statistics of the whole series of months
        public=Public(
            (Ratio("value", "numerator", "denominator" if shares else None),),
            as_is=("mean", "lower_limit", "upper_limit", "target"),
            midpoint6=True,  # a monthly rate: zero stays zero, small months are not biased
        ),
        chart=partial(charts.spc, title=series.title),
        source=sql,
        notes=(variation, assurance),
        improvement=series.direction,
    )


def builders() -> tuple[Callable[[Context], Figure], ...]:
    """One figure per series."""
    return tuple((lambda context, s=series: _figure(context, s)) for series in SERIES)
