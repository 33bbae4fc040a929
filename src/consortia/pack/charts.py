"""Chart builders for the pack (Altair / Vega-Lite), and their offline rendering to SVG."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd
import vl_convert as vlc

from consortia.schema.codes import POINT_OF_DELIVERY

POD_LABELS = {
    code: meaning[0].upper() + meaning[1:] for code, meaning in POINT_OF_DELIVERY.codes.items()
}
NHS_BLUE = "#005eb8"
NHS_DARK = "#003087"
NHS_GREY = "#768692"


def svg(chart: Any) -> str:
    """The chart rendered to SVG, with no browser and no network."""
    return str(vlc.vegalite_to_svg(chart.to_json()))


def pyramid(table: pd.DataFrame) -> alt.LayerChart:
    """Population pyramid: share of the registered list by age band and sex, England beside."""
    order = list(dict.fromkeys(table["age_band"]))[::-1]
    data = table.assign(
        signed=table["share"].where(table["sex"] == "M", -table["share"]),
        england_signed=table["england_share"].where(table["sex"] == "M", -table["england_share"]),
    )
    y = alt.Y("age_band:N", sort=order, title="Age band")
    bars = (
        alt.Chart(data)
        .mark_bar(color=NHS_BLUE)
        .encode(
            x=alt.X(
                "signed:Q",
                title="Share of registered patients (women left, men right)",
                axis=alt.Axis(format="%", labelExpr="replace(datum.label, '−', '')"),
            ),
            y=y,
            color=alt.Color(
                "sex:N", scale=alt.Scale(domain=["F", "M"], range=[NHS_BLUE, NHS_DARK]), title="Sex"
            ),
            tooltip=["age_band", "sex", "patients", alt.Tooltip("share:Q", format=".2%")],
        )
    )
    england = (
        alt.Chart(data).mark_tick(color="#da291c", thickness=2).encode(x="england_signed:Q", y=y)
    )
    return (bars + england).properties(width=520, height=360, title="Registered population")


def rate_bars(table: pd.DataFrame, title: str) -> alt.LayerChart:
    """Rates per 1,000 by point of delivery and year, with confidence intervals."""
    data = table.assign(point_of_delivery=table["pod"].map(POD_LABELS))
    base = alt.Chart(data).encode(
        y=alt.Y("point_of_delivery:N", title=None),
        yOffset="financial_year:N",
    )
    bars = base.mark_bar().encode(
        x=alt.X("rate_per_1000:Q", title="Rate per 1,000 registered patients"),
        color=alt.Color(
            "financial_year:N", title="Financial year", scale=alt.Scale(range=[NHS_GREY, NHS_BLUE])
        ),
        tooltip=[
            "financial_year",
            "point_of_delivery",
            "events",
            alt.Tooltip("rate_per_1000:Q", format=".1f"),
            alt.Tooltip("lower:Q", format=".1f"),
            alt.Tooltip("upper:Q", format=".1f"),
        ],
    )
    whiskers = base.mark_rule(color="black").encode(x="lower:Q", x2="upper:Q")
    return (bars + whiskers).properties(width=520, height=300, title=title)


def monthly_lines(table: pd.DataFrame, title: str) -> alt.Chart:
    """Monthly counts by point of delivery, one small panel each (scales differ)."""
    data = table.assign(point_of_delivery=table["pod"].map(POD_LABELS))
    return (
        alt.Chart(data)
        .mark_line(point=True, color=NHS_BLUE)
        .encode(
            x=alt.X("month:T", title=None),
            y=alt.Y("events:Q", title="Events", scale=alt.Scale(zero=False)),
            tooltip=["month:T", "point_of_delivery", "events"],
        )
        .properties(width=240, height=130)
        .facet(facet=alt.Facet("point_of_delivery:N", title=None), columns=3)
        .resolve_scale(y="independent")
        .properties(title=title)
    )


def stacked_cost(table: pd.DataFrame, title: str) -> alt.Chart:
    """Cost by provider, stacked by point of delivery, for each year."""
    data = table.assign(point_of_delivery=table["pod"].map(POD_LABELS))
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("provider_name:N", title=None),
            x=alt.X("cost:Q", title="Cost (£)", axis=alt.Axis(format="~s")),
            color=alt.Color("point_of_delivery:N", title="Point of delivery"),
            row=alt.Row("financial_year:N", title=None),
            tooltip=[
                "provider_name",
                "point_of_delivery",
                "financial_year",
                alt.Tooltip("cost:Q", format=",.0f"),
            ],
        )
        .properties(width=480, title=title)
    )


def dots_with_intervals(
    table: pd.DataFrame, value: str, title: str, x_title: str
) -> alt.LayerChart:
    """One dot per unit with its confidence interval, sorted, and the overall rate as a rule."""
    sort = alt.EncodingSortField(field=value, order="descending")
    base = alt.Chart(table).encode(y=alt.Y("practice:N", sort=sort, title="Practice"))
    dots = base.mark_point(filled=True, color=NHS_BLUE).encode(
        x=alt.X(f"{value}:Q", title=x_title, scale=alt.Scale(zero=False)),
        tooltip=[
            "practice",
            "events",
            "population",
            alt.Tooltip(f"{value}:Q", format=".1f"),
            alt.Tooltip("lower:Q", format=".1f"),
            alt.Tooltip("upper:Q", format=".1f"),
        ],
    )
    bars = base.mark_rule(color=NHS_GREY).encode(x="lower:Q", x2="upper:Q")
    overall = (
        alt.Chart(pd.DataFrame({"overall": [table["overall"].iloc[0]]}))
        .mark_rule(color="#da291c", strokeDash=[4, 3])
        .encode(x="overall:Q")
    )
    return (bars + dots + overall).properties(width=480, height=12 * len(table), title=title)


def deprivation_bars(table: pd.DataFrame) -> alt.LayerChart:
    """Share of patients by deprivation decile, the CCG against everyone (grey)."""
    base = alt.Chart(table).encode(
        x=alt.X("deprivation_decile:O", title="IMD decile (1 = most deprived)")
    )
    bars = base.mark_bar(color=NHS_BLUE).encode(
        y=alt.Y("share:Q", title="Share of registered patients", axis=alt.Axis(format="%")),
        tooltip=["deprivation_decile", "patients", alt.Tooltip("share:Q", format=".1%")],
    )
    everyone = base.mark_tick(color=NHS_GREY, thickness=3, size=30).encode(y="share_all:Q")
    return (bars + everyone).properties(width=480, height=220, title="Deprivation profile")


def list_growth(table: pd.DataFrame, first: str, last: str) -> alt.Chart:
    """List size at the start against growth over the period, one point per practice."""
    return (
        alt.Chart(table)
        .mark_circle(size=70, color=NHS_BLUE)
        .encode(
            x=alt.X(f"{first}:Q", title="Registered patients at the start"),
            y=alt.Y("growth:Q", title="Growth", axis=alt.Axis(format="%")),
            tooltip=["practice", f"{first}:Q", f"{last}:Q", alt.Tooltip("growth:Q", format=".1%")],
        )
        .properties(width=480, height=240, title="List size and growth")
    )


def ratio_heatmap(table: pd.DataFrame) -> alt.Chart:
    """Observed/expected ratio by practice and condition; significant cells outlined."""
    data = table.assign(significant=~table["significance"].str.startswith("Not"))
    return (
        alt.Chart(data)
        .mark_rect(stroke="black")
        .encode(
            x=alt.X("condition:N", title=None),
            y=alt.Y("practice:N", title="Practice"),
            color=alt.Color(
                "ratio:Q",
                title="Observed / expected",
                scale=alt.Scale(scheme="blueorange", domainMid=1),
            ),
            strokeWidth=alt.condition("datum.significant", alt.value(1.5), alt.value(0)),
            tooltip=[
                "practice",
                "condition",
                "observed",
                alt.Tooltip("expected:Q", format=".1f"),
                alt.Tooltip("ratio:Q", format=".2f"),
                "significance",
            ],
        )
        .properties(
            width=420,
            height=11 * table["practice"].nunique(),
            title="Recorded prevalence against expected",
        )
    )


def function_bars(table: pd.DataFrame) -> alt.Chart:
    """Cost by treatment function (largest first), coloured by point of delivery."""
    data = table.assign(
        point_of_delivery=table["pod"].map(POD_LABELS),
        label=table["treatment_function"] + " " + table["specialty"].fillna(""),
    )
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("label:N", title=None, sort="-x"),
            x=alt.X("sum(cost):Q", title="Cost over the period (£)", axis=alt.Axis(format="~s")),
            color=alt.Color("point_of_delivery:N", title="Point of delivery"),
            tooltip=["label", "point_of_delivery", alt.Tooltip("sum(cost):Q", format=",.0f")],
        )
        .properties(width=460, title="Cost by treatment function")
    )


def funnel(table: pd.DataFrame, limits: pd.DataFrame, title: str) -> alt.LayerChart:
    """Funnel plot: ratio against expected events, the given limit curves (columns expected,
    level, lower, upper), and outlying units (the table's `outlying` column) labelled."""
    levels = list(dict.fromkeys(limits["level"]))
    limit_chart = (
        alt.Chart(limits)
        .transform_fold(["lower", "upper"], as_=["side", "limit"])
        .mark_line(color=NHS_GREY)
        .encode(
            x="expected:Q",
            y="limit:Q",
            detail="side:N",
            strokeDash=alt.StrokeDash(
                "level:N",
                title="Limits",
                scale=alt.Scale(domain=levels, range=[[4, 3], [1, 0]][: len(levels)]),
            ),
        )
    )
    points = (
        alt.Chart(table)
        .mark_circle(size=60)
        .encode(
            x=alt.X("expected:Q", title="Expected events", scale=alt.Scale(type="log")),
            y=alt.Y("ratio:Q", title="Observed / expected"),
            color=alt.condition("datum.outlying", alt.value("#da291c"), alt.value(NHS_BLUE)),
            tooltip=[
                "practice",
                "observed",
                alt.Tooltip("expected:Q", format=".1f"),
                alt.Tooltip("ratio:Q", format=".2f"),
                "significance",
                alt.Tooltip("percentile:Q", format=".0f"),
            ],
        )
    )
    labels = (
        alt.Chart(table)
        .transform_filter("datum.outlying")
        .mark_text(align="left", dx=6)
        .encode(x="expected:Q", y="ratio:Q", text="practice:N")
    )
    target = alt.Chart(pd.DataFrame({"y": [1.0]})).mark_rule(color="black").encode(y="y:Q")
    return (limit_chart + target + points + labels).properties(width=480, height=280, title=title)


_POINT_COLOURS = {
    "common_cause": NHS_GREY,
    "special_cause_improvement": NHS_BLUE,
    "special_cause_concern": "#ed8b00",
    "special_cause_neutral_high": "#490c6e",
    "special_cause_neutral_low": "#490c6e",
}


def spc(table: pd.DataFrame, title: str) -> alt.LayerChart | alt.FacetChart:
    """XmR chart in Making Data Count colours: grey common cause, blue better, orange worse."""
    data = table.assign(month=pd.to_datetime(table["month"]))
    base = alt.Chart(data).encode(x=alt.X("month:T", title=None))
    line = base.mark_line(color=NHS_GREY).encode(
        y=alt.Y("value:Q", title=None, scale=alt.Scale(zero=False))
    )
    points = base.mark_circle(size=60).encode(
        y="value:Q",
        color=alt.Color(
            "point_type:N",
            title="Variation",
            scale=alt.Scale(domain=list(_POINT_COLOURS), range=list(_POINT_COLOURS.values())),
        ),
        tooltip=["month:T", "value:Q", "point_type:N"],
    )
    mean = base.mark_line(color="black").encode(y="mean:Q")
    limits = [
        base.mark_line(color=NHS_GREY, strokeDash=[4, 3]).encode(y=f"{c}:Q")
        for c in ("lower_limit", "upper_limit")
    ]
    layers = [line, mean, *limits, points]
    if table["target"].notna().any():
        layers.append(base.mark_line(color="#da291c", strokeDash=[2, 2]).encode(y="target:Q"))
    return alt.layer(*layers).properties(width=520, height=220, title=title)


def concentration(table: pd.DataFrame) -> alt.Chart:
    """HHI per service line in each year (dots joined by a line: the change)."""
    base = alt.Chart(table).encode(y=alt.Y("service_line:N", title=None, sort="x"))
    rule = base.mark_line(color=NHS_GREY).encode(x="hhi:Q", detail="service_line:N")
    dots = base.mark_circle(size=60).encode(
        x=alt.X("hhi:Q", title="Herfindahl–Hirschman index", scale=alt.Scale(zero=False)),
        color=alt.Color(
            "financial_year:N", title="Financial year", scale=alt.Scale(range=[NHS_GREY, NHS_BLUE])
        ),
        tooltip=[
            "service_line",
            "financial_year",
            alt.Tooltip("hhi:Q", format=",.0f"),
            "providers",
        ],
    )
    return (rule + dots).properties(
        width=460,
        height=11 * table["service_line"].nunique(),
        title="Market concentration by service line",
    )


def independent_sector_share(table: pd.DataFrame) -> alt.Chart:
    """Independent-sector share of each service line where it has any, by year."""
    independent = table[table["provider_kind"] == "independent_sector"]
    data = independent.groupby(["service_line", "financial_year"], as_index=False)["share"].sum()
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("service_line:N", title=None),
            yOffset="financial_year:N",
            x=alt.X("share:Q", title="Independent-sector share", axis=alt.Axis(format="%")),
            color=alt.Color(
                "financial_year:N",
                title="Financial year",
                scale=alt.Scale(range=[NHS_GREY, NHS_BLUE]),
            ),
            tooltip=["service_line", "financial_year", alt.Tooltip("share:Q", format=".1%")],
        )
        .properties(width=460, title="Independent-sector share of each service line")
    )


def continuity(table: pd.DataFrame) -> alt.Chart:
    """Mean continuity index by practice, each year."""
    return (
        alt.Chart(table)
        .mark_circle(size=60)
        .encode(
            y=alt.Y("practice:N", title="Practice", sort="x"),
            x=alt.X(
                "mean_continuity:Q",
                title="Mean continuity of care (Bice–Boxerman)",
                scale=alt.Scale(zero=False),
            ),
            color=alt.Color(
                "financial_year:N",
                title="Financial year",
                scale=alt.Scale(range=[NHS_GREY, NHS_BLUE]),
            ),
            tooltip=[
                "practice",
                "financial_year",
                alt.Tooltip("mean_continuity:Q", format=".3f"),
                alt.Tooltip("mean_providers:Q", format=".2f"),
            ],
        )
        .properties(width=460, height=11 * table["practice"].nunique(), title="Continuity of care")
    )


def payments(table: pd.DataFrame) -> alt.Chart:
    """Payments per patient by practice, stacked by category, latest year."""
    latest = table[table["financial_year"] == table["financial_year"].max()]
    return (
        alt.Chart(latest)
        .mark_bar()
        .encode(
            y=alt.Y("practice:N", title="Practice", sort="-x"),
            x=alt.X("sum(per_patient):Q", title="£ per registered patient"),
            color=alt.Color("category:N", title="Category"),
            tooltip=["practice", "category", alt.Tooltip("per_patient:Q", format=",.2f")],
        )
        .properties(
            width=460,
            height=11 * latest["practice"].nunique(),
            title=f"Payments per patient, {latest['financial_year'].iloc[0]}",
        )
    )


def investment(table: pd.DataFrame) -> alt.LayerChart:
    """Local investment per head of every CCG, this CCG highlighted, against £5."""
    latest = table[table["financial_year"] == table["financial_year"].max()]
    bars = (
        alt.Chart(latest)
        .mark_bar()
        .encode(
            x=alt.X("ccg:N", title="CCG", sort="-y"),
            y=alt.Y("per_head:Q", title="£ a head"),
            color=alt.condition("datum.this_ccg", alt.value(NHS_BLUE), alt.value(NHS_GREY)),
            tooltip=["ccg", alt.Tooltip("per_head:Q", format=".2f")],
        )
    )
    five = (
        alt.Chart(pd.DataFrame({"y": [5.0]}))
        .mark_rule(color="#da291c", strokeDash=[4, 3])
        .encode(y="y:Q")
    )
    return (bars + five).properties(
        width=max(120, 14 * len(latest)),
        height=220,
        title="Additional local investment in general practice",
    )
