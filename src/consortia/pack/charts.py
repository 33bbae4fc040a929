"""Chart builders for the pack (Altair / Vega-Lite), and the specification the page draws.

Charts use the NHS colour palette (NHS identity guidelines) and, for statistical process
control, Making Data Count's: grey for common cause, orange for concern, blue for
improvement, purple where neither direction is better. Every chart carries a plain-English
description for readers who cannot see it, written from its own specification and data.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import altair as alt
import numpy as np
import pandas as pd
import pyarrow as pa
from altair.utils.data import limit_rows, to_values
from altair.utils.schemapi import debug_mode

from consortia.pack import icons
from consortia.pack.labels import POD, POINT_TYPES, label

# Short names for axes and legends: the code list's words without their parenthesised detail.
POD_LABELS = {code: words.split(" (")[0] for code, words in POD.items()}
# NHS identity colours.
NHS_BLUE = "#005eb8"
NHS_DARK = "#003087"
NHS_LIGHT_BLUE = "#41b6e6"
NHS_GREY = "#768692"
NHS_DARK_GREY = "#425563"
NHS_PALE_GREY = "#e8edee"
NHS_RED = "#da291c"
NHS_ORANGE = "#ed8b00"
NHS_BLACK = "#212b32"
# Categories in an order that keeps neighbours apart in hue and lightness.
NHS_CATEGORY = (
    "#005eb8",  # blue
    "#ed8b00",  # orange
    "#009639",  # green
    "#330072",  # purple
    "#41b6e6",  # light blue
    "#ae2573",  # pink
    "#425563",  # dark grey
    "#ffb81c",  # warm yellow
    "#00a499",  # aqua green
    "#8a1538",  # dark red
)
YEARS = alt.Scale(range=[NHS_LIGHT_BLUE, NHS_BLUE])  # earlier year light, latest year strong


# The pack's look, applied to every chart's specification: NHS palette and type, quiet axes,
# no mark-level ARIA (the page describes each chart as a whole).
CONFIG: dict[str, Any] = {
    "font": "Arial",
    "aria": False,
    "range": {"category": list(NHS_CATEGORY)},
    "axis": {"labelColor": NHS_BLACK, "titleColor": NHS_BLACK, "gridColor": NHS_PALE_GREY},
    "legend": {"labelColor": NHS_BLACK, "titleColor": NHS_BLACK, "labelLimit": 320},
    "title": {"color": NHS_BLACK, "anchor": "start", "fontSize": 15},
    "view": {"stroke": None},
}


def _channels(**encodings: Any) -> dict[str, Any]:
    """Each encoding given as a shorthand string made its channel object.

    Altair turns a string into a channel by building a table of all its ~1,100 schema classes
    each time (vega/altair#3547): about 20 ms per string, most of the time of drawing a pack's
    charts. The object is the same channel, built directly.
    """
    return {name: _channel(name, value) for name, value in encodings.items()}


def _channel(name: str, value: Any) -> Any:
    if isinstance(value, str):
        return getattr(alt, name[:1].upper() + name[1:])(value)  # x → alt.X, yOffset → YOffset
    if isinstance(value, list):
        return [_channel(name, item) for item in value]
    return value


def inline_values(data: Any) -> dict[str, Any]:
    """A chart's table as Vega-Lite inline values, as Altair's own transformer writes them
    (times as local ISO text, missing and infinite numbers as null) but through Arrow; a
    missing time is null too (Altair writes "", an invalid date to Vega).

    Altair's pandas path tidies each column with pandas operations, about 10 ms per layer:
    a third of the time of drawing a pack's charts. Column by column into Arrow it is about a
    fifth of that.
    """
    limit_rows(data)  # Altair's guard against an accidentally huge page
    if not isinstance(data, pd.DataFrame):
        return to_values(data)
    names, arrays = [], []
    for name, column in data.items():
        if pd.api.types.is_datetime64_any_dtype(column):
            array = pa.array(column.dt.strftime("%Y-%m-%dT%H:%M:%S"), from_pandas=True)
        elif pd.api.types.is_float_dtype(column):
            values = column.to_numpy(dtype="float64", na_value=np.nan)
            array = pa.array(values, mask=~np.isfinite(values))
        else:
            array = pa.array(column, from_pandas=True)
        names.append(str(name))
        arrays.append(array)
    return {"values": pa.Table.from_arrays(arrays, names=names).to_pylist()}


def _inline_once(data: Any, written: dict[int, tuple[Any, dict[str, Any]]]) -> dict[str, Any]:
    """`inline_values`, once per table of a chart: layers that show the same table (by
    identity; the table is held alongside so its id cannot be reused meanwhile) share it."""
    if id(data) not in written:
        written[id(data)] = (data, inline_values(data))
    return written[id(data)][1]


alt.data_transformers.register("consortia", _inline_once)


def _view(
    data: Any, mark: alt.MarkDef, transform: list[Any] | None = None, **encodings: Any
) -> Any:
    """One layer built whole: its data, mark, transforms and encodings (`_channels`) given at
    once. Altair's chained `.mark_*().encode().transform_*()` copies the chart at each step,
    about half the time of building a layered chart; the specification is the same."""
    return alt.Chart(
        data,
        mark=mark,
        encoding=alt.FacetedEncoding(**_channels(**encodings)),
        transform=transform if transform else alt.Undefined,
    )


def _layers(*layers: Any, resolve: alt.Resolve | None = None, **properties: Any) -> Any:
    """Layers drawn over one another, with the whole chart's properties (width, height,
    title), built at once: each `+` or `.properties()` would copy every layer again."""
    return alt.LayerChart(layer=list(layers), resolve=resolve or alt.Undefined, **properties)


def draw(build: Callable[[], Any]) -> dict[str, Any]:
    """The specification (`spec`) of the chart `build()` makes, built unvalidated: Altair
    otherwise checks each part against the schema as it is made (about a tenth of the time of
    drawing a pack's charts); the browser tests validate every chart the pack draws."""
    with debug_mode(False):
        return spec(build())


def spec(chart: Any) -> dict[str, Any]:
    """The chart's Vega-Lite specification, data inline, in the pack's look (`CONFIG`).

    Built once per chart and unvalidated (the browser tests validate every chart against the
    schema): the page draws it and the description in words is read from it. A table several
    layers show is written out once.
    """
    with alt.data_transformers.enable("consortia", written={}):
        specification: dict[str, Any] = chart.to_dict(validate=False)
    config = specification.setdefault("config", {})
    for key, value in CONFIG.items():
        if isinstance(value, dict) and isinstance(config.get(key), dict):
            config[key] = {**config[key], **value}
        else:
            config[key] = value
    return specification


def pyramid(table: pd.DataFrame) -> alt.LayerChart:
    """Population pyramid: share of the registered list by age band and sex, England beside."""
    order = list(dict.fromkeys(table["age_band"]))[::-1]
    data = table.assign(
        signed=table["share"].where(table["sex"] == "M", -table["share"]),
        england_signed=table["england_share"].where(table["sex"] == "M", -table["england_share"]),
        sex_name=table["sex"].map(label("sex").names),
    )
    y = alt.Y("age_band:N", sort=order, title="Age band")
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            **_channels(
                x=alt.X(
                    "signed:Q",
                    title="Share of registered patients (women left, men right)",
                    axis=alt.Axis(format="%", labelExpr="replace(datum.label, '−', '')"),
                ),
                y=y,
                color=alt.Color(
                    "sex_name:N",
                    scale=alt.Scale(domain=["Female", "Male"], range=[NHS_LIGHT_BLUE, NHS_BLUE]),
                    title="Sex",
                ),
            )
        )
    )
    england = (
        alt.Chart(data.assign(source="England (ONS mid-2013)"))
        .mark_tick(thickness=2, opacity=1)
        .encode(
            **_channels(
                x="england_signed:Q",
                y=y,
                stroke=alt.Stroke("source:N", scale=alt.Scale(range=[NHS_RED]), title="Reference"),
            )
        )
    )
    return _layers(bars, england, width=520, height=360, title="Registered population")


def rate_bars(table: pd.DataFrame, title: str) -> alt.LayerChart:
    """Rates per 1,000 by point of delivery and year, with confidence intervals."""
    data = table.assign(point_of_delivery=table["pod"].map(POD_LABELS))
    base = alt.Chart(data).encode(
        **_channels(
            y=alt.Y("point_of_delivery:N", title=None),
            yOffset="financial_year:N",
        )
    )
    bars = base.mark_bar().encode(
        **_channels(
            x=alt.X("rate_per_1000:Q", title="Rate per 1,000 registered patients"),
            color=alt.Color("financial_year:N", title="Financial year", scale=YEARS),
        )
    )
    whiskers = base.mark_rule(color=NHS_BLACK).encode(**_channels(x="lower:Q", x2="upper:Q"))
    return _layers(bars, whiskers, width=520, height=300, title=title)


def monthly_lines(table: pd.DataFrame, title: str) -> alt.Chart:
    """Monthly counts by point of delivery, one small panel each (scales differ)."""
    data = table.assign(point_of_delivery=table["pod"].map(POD_LABELS))
    return (
        alt.Chart(data)
        .mark_line(point=True, color=NHS_BLUE)
        .encode(
            **_channels(
                x=alt.X("month:T", title=None, axis=alt.Axis(format="%b %Y", labelAngle=-45)),
                y=alt.Y("events:Q", title="Events", scale=alt.Scale(zero=False)),
            )
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
            **_channels(
                y=alt.Y("provider_name:N", title=None),
                x=alt.X("cost:Q", title="Cost (£)", axis=alt.Axis(format="~s")),
                color=alt.Color("point_of_delivery:N", title="Point of delivery"),
                row=alt.Row("financial_year:N", title=None),
            )
        )
        .properties(width=480, title=title)
    )


def dots_with_intervals(
    table: pd.DataFrame, value: str, title: str, x_title: str
) -> alt.LayerChart:
    """One dot per unit with its confidence interval, sorted, and the overall rate as a rule."""
    sort = alt.EncodingSortField(field=value, order="descending")
    base = alt.Chart(table).encode(**_channels(y=alt.Y("practice:N", sort=sort, title="Practice")))
    dots = base.mark_point(filled=True, color=NHS_BLUE).encode(
        **_channels(
            x=alt.X(f"{value}:Q", title=x_title, scale=alt.Scale(zero=False)),
        )
    )
    bars = base.mark_rule(color=NHS_GREY).encode(**_channels(x="lower:Q", x2="upper:Q"))
    overall = (
        alt.Chart(pd.DataFrame({"overall": [table["overall"].iloc[0]]}))
        .mark_rule(color=NHS_RED, strokeDash=[4, 3])
        .encode(**_channels(x="overall:Q"))
    )
    return _layers(bars, dots, overall, width=480, height=max(60, 14 * len(table)), title=title)


def deprivation_bars(table: pd.DataFrame) -> alt.LayerChart:
    """Share of patients by deprivation decile, the CCG against everyone (grey)."""
    base = alt.Chart(table).encode(
        **_channels(x=alt.X("deprivation_decile:O", title="IMD decile (1 = most deprived)"))
    )
    bars = base.mark_bar(color=NHS_BLUE).encode(
        **_channels(
            y=alt.Y("share:Q", title="Share of registered patients", axis=alt.Axis(format="%")),
        )
    )
    everyone = base.mark_tick(color=NHS_DARK_GREY, thickness=3, size=30).encode(
        **_channels(y="share_all:Q")
    )
    return _layers(bars, everyone, width=480, height=220, title="Deprivation profile")


def list_growth(table: pd.DataFrame, first: str, last: str) -> alt.Chart:
    """List size at the start against growth over the period, one point per practice."""
    return (
        alt.Chart(table)
        .mark_circle(size=70, color=NHS_BLUE)
        .encode(
            **_channels(
                x=alt.X(f"{first}:Q", title="Registered patients at the start"),
                y=alt.Y("growth:Q", title="Growth", axis=alt.Axis(format="%")),
            )
        )
        .properties(width=480, height=240, title="List size and growth")
    )


def ratio_heatmap(table: pd.DataFrame) -> alt.Chart:
    """Observed/expected ratio by practice and condition; significant cells outlined."""
    data = table.assign(
        significant=~table["significance"].str.startswith("Not"),
        condition_name=table["condition"].map(lambda c: label("condition").names.get(c, c)),
    )
    return (
        alt.Chart(data)
        .mark_rect(stroke=NHS_BLACK)
        .encode(
            **_channels(
                x=alt.X(
                    "condition_name:N", title=None, axis=alt.Axis(labelAngle=-40, labelLimit=160)
                ),
                y=alt.Y("practice:N", title="Practice"),
                color=alt.Color(
                    "ratio:Q",
                    title="Observed / expected",
                    scale=alt.Scale(range=[NHS_BLUE, "#f0f4f5", NHS_ORANGE], domainMid=1),
                ),
                # a value with its condition, written out: alt.condition costs a schema search
                strokeWidth=alt.StrokeWidthValue(
                    0, condition={"test": "datum.significant", "value": 1.5}
                ),
            )
        )
        .properties(
            width=420,
            height=max(40, 14 * table["practice"].nunique()),
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
            **_channels(
                y=alt.Y("label:N", title=None, sort="-x"),
                x=alt.X(
                    "sum(cost):Q", title="Cost over the period (£)", axis=alt.Axis(format="~s")
                ),
                color=alt.Color("point_of_delivery:N", title="Point of delivery"),
            )
        )
        .properties(width=460, title="Cost by treatment function")
    )


def funnel(
    table: pd.DataFrame, limits: pd.DataFrame, title: str, unit: str = "practice"
) -> alt.LayerChart:
    """Funnel plot: ratio against expected events, the given limit curves (columns expected,
    level, lower, upper), and outlying units (the table's `outlying` column, each named by its
    `unit` column) labelled."""
    levels = list(dict.fromkeys(limits["level"]))
    limit_chart = _view(
        limits,
        alt.MarkDef(type="line", color=NHS_GREY),
        [alt.FoldTransform(fold=["lower", "upper"], **{"as": ["side", "limit"]})],
        x="expected:Q",
        y="limit:Q",
        detail="side:N",
        strokeDash=alt.StrokeDash(
            "level:N",
            title="Limits",
            scale=alt.Scale(domain=levels, range=[[4, 3], [1, 0]][: len(levels)]),
        ),
    )
    points = _view(
        table,
        alt.MarkDef(type="circle", size=60),
        x=alt.X("expected:Q", title="Expected events", scale=alt.Scale(type="log")),
        y=alt.Y("ratio:Q", title="Observed / expected", scale=alt.Scale(zero=False)),
        color=alt.ColorValue(NHS_BLUE, condition={"test": "datum.outlying", "value": NHS_RED}),
        tooltip=[
            unit,
            "observed",
            alt.Tooltip("expected:Q", format=".1f"),
            alt.Tooltip("ratio:Q", format=".2f"),
            "significance",
            alt.Tooltip("percentile:Q", format=".0f"),
        ],
    )
    labels = _view(
        table,
        alt.MarkDef(type="text", align="left", dx=6),
        [alt.FilterTransform(filter="datum.outlying")],
        x="expected:Q",
        y="ratio:Q",
        text=f"{unit}:N",
    )
    target = _view(pd.DataFrame({"y": [1.0]}), alt.MarkDef(type="rule", color="black"), y="y:Q")
    return _layers(limit_chart, target, points, labels, width=480, height=280, title=title)


_POINT_COLOURS = dict(icons.POINT_COLOURS)
_LINES = {
    "mean": ("Mean", NHS_BLACK, [1, 0]),
    "lower_limit": ("Process limits", NHS_GREY, [5, 3]),
    "upper_limit": ("Process limits", NHS_GREY, [5, 3]),
    "target": ("Target", NHS_RED, [2, 2]),
}


def spc(table: pd.DataFrame, title: str) -> alt.LayerChart:
    """XmR chart in Making Data Count's colours: grey common cause, blue improving, orange
    concerning, purple neither; mean, process limits and target named in a legend."""
    shares = bool(table["denominator"].notna().any())
    data = table.assign(
        month=pd.to_datetime(table["month"]),
        variation=table["point_type"].map(POINT_TYPES),
    )
    present = [c for c in _LINES if c in data and data[c].notna().any()]
    lines = data.melt(id_vars=["month"], value_vars=present, var_name="column", value_name="y")
    lines["line"] = lines["column"].map(lambda c: _LINES[c][0])
    names = list(dict.fromkeys(_LINES[c][0] for c in present))
    styles = {_LINES[c][0]: _LINES[c] for c in present}
    axis = alt.Axis(format=".1%" if shares else ",~r")
    x = alt.X("month:T", title=None, axis=alt.Axis(format="%b %Y", labelAngle=-45))
    reference = _view(
        lines.dropna(subset=["y"]),
        alt.MarkDef(type="line"),
        x=x,
        y=alt.Y("y:Q", title=None, scale=alt.Scale(zero=False), axis=axis),
        detail="column:N",
        stroke=alt.Stroke(
            "line:N",
            title="Lines",
            scale=alt.Scale(domain=names, range=[styles[n][1] for n in names]),
        ),
        strokeDash=alt.StrokeDash(
            "line:N",
            title="Lines",
            scale=alt.Scale(domain=names, range=[styles[n][2] for n in names]),
        ),
    )
    line = _view(data, alt.MarkDef(type="line", color=icons.COMMON_GREY), x=x, y="value:Q")
    order = [POINT_TYPES[k] for k in _POINT_COLOURS]
    points = _view(
        data,
        alt.MarkDef(type="circle", size=60, opacity=1),
        x=x,
        y="value:Q",
        color=alt.Color(
            "variation:N",
            title="Variation",
            scale=alt.Scale(domain=order, range=list(_POINT_COLOURS.values())),
            legend=alt.Legend(values=list(dict.fromkeys(data["variation"]))),
        ),
    )
    independent = alt.ScaleResolveMap(
        color="independent", stroke="independent", strokeDash="independent"
    )
    return _layers(
        reference, line, points,
        resolve=alt.Resolve(scale=independent), width=520, height=220, title=title,
    )  # fmt: skip


def concentration(table: pd.DataFrame) -> alt.Chart:
    """HHI per service line in each year (dots joined by a line: the change)."""
    data = table.assign(service=table["service_line"].map(label("service_line").rename or str))
    base = alt.Chart(data).encode(**_channels(y=alt.Y("service:N", title=None, sort="x")))
    rule = base.mark_line(color=NHS_GREY).encode(**_channels(x="hhi:Q", detail="service:N"))
    dots = base.mark_circle(size=60, opacity=1).encode(
        **_channels(
            x=alt.X("hhi:Q", title="Herfindahl–Hirschman index", scale=alt.Scale(zero=False)),
            color=alt.Color("financial_year:N", title="Financial year", scale=YEARS),
        )
    )
    return _layers(
        rule,
        dots,
        width=460,
        height=14 * table["service_line"].nunique(),
        title="Market concentration by service line",
    )


def independent_sector_share(table: pd.DataFrame) -> alt.Chart:
    """Independent-sector share of each service line where it has any, by year."""
    independent = table[table["provider_kind"] == "independent_sector"]
    data = independent.groupby(["service_line", "financial_year"], as_index=False)["share"].sum()
    data["service"] = data["service_line"].map(label("service_line").rename or str)
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            **_channels(
                y=alt.Y("service:N", title=None),
                yOffset="financial_year:N",
                x=alt.X("share:Q", title="Independent-sector share", axis=alt.Axis(format="%")),
                color=alt.Color("financial_year:N", title="Financial year", scale=YEARS),
            )
        )
        .properties(width=460, title="Independent-sector share of each service line")
    )


def continuity(table: pd.DataFrame) -> alt.Chart:
    """Mean continuity index by practice, each year."""
    return (
        alt.Chart(table)
        .mark_circle(size=60, opacity=1)
        .encode(
            **_channels(
                y=alt.Y("practice:N", title="Practice", sort="x"),
                x=alt.X(
                    "mean_continuity:Q",
                    title="Mean continuity of care (Bice–Boxerman)",
                    scale=alt.Scale(zero=False),
                ),
                color=alt.Color("financial_year:N", title="Financial year", scale=YEARS),
            )
        )
        .properties(
            width=460,
            height=max(40, 14 * table["practice"].nunique()),
            title="Continuity of care",
        )
    )


def payments(table: pd.DataFrame) -> alt.Chart:
    """Payments per patient by practice, stacked by category, latest year."""
    latest = table[table["financial_year"] == table["financial_year"].max()]
    names = label("category").names
    data = latest.assign(category_name=latest["category"].map(lambda c: names.get(c, c)))
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            **_channels(
                y=alt.Y("practice:N", title="Practice", sort="-x"),
                x=alt.X("sum(per_patient):Q", title="£ per registered patient"),
                color=alt.Color("category_name:N", title="Category"),
            )
        )
        .properties(
            width=460,
            height=max(40, 14 * latest["practice"].nunique()),
            title=f"Payments per patient, {latest['financial_year'].iloc[0]}",
        )
    )


def investment(table: pd.DataFrame, pounds: float) -> alt.LayerChart:
    """Local investment per head of every CCG, this CCG highlighted, against the £ a head
    asked for."""
    latest = table[table["financial_year"] == table["financial_year"].max()]
    data = latest.assign(who=latest["this_ccg"].map({True: "This CCG", False: "Other CCGs"}))
    return _per_head_bars(
        data,
        "who",
        ["This CCG", "Other CCGs"],
        pounds,
        "Additional local investment in general practice",
        14,
        120,
    )


def investment_national(table: pd.DataFrame, pounds: float) -> alt.LayerChart:
    """Every CCG's additional investment a head, highest first, coloured by whether it
    reaches the £ a head asked for (a dashed line)."""
    reached, under = f"£{pounds:.0f} a head or more", f"Under £{pounds:.0f}"
    data = table.assign(reached=table["at_least_5_pounds"].map({True: reached, False: under}))
    return _per_head_bars(
        data, "reached", [reached, under], pounds,
        "Additional local investment in general practice, every CCG", 10, 160,
    )  # fmt: skip


def _per_head_bars(
    data: pd.DataFrame,
    colour: str,
    groups: list[str],
    pounds: float,
    title: str,
    bar_width: int,
    least_width: int,
) -> alt.LayerChart:
    """Each CCG's £ a head as a bar, highest first, blue for the first group and grey for the
    second, with a dashed red line at `pounds`."""
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            **_channels(
                x=alt.X("ccg:N", title="CCG", sort="-y"),
                y=alt.Y("per_head:Q", title="£ a head"),
                color=alt.Color(
                    f"{colour}:N",
                    title=None,
                    scale=alt.Scale(domain=groups, range=[NHS_BLUE, NHS_GREY]),
                ),
            )
        )
    )
    line = (
        alt.Chart(pd.DataFrame({"y": [pounds]}))
        .mark_rule(color=NHS_RED, strokeDash=[4, 3])
        .encode(**_channels(y="y:Q"))
    )
    return _layers(
        bars, line, width=max(least_width, bar_width * len(data)), height=220, title=title
    )


def decile_lines(table: pd.DataFrame) -> alt.LayerChart:
    """Each measure's distribution across units: its ratio at each percentile (columns
    measure, decile, ratio), one line per measure, with the line of no difference."""
    lines = (
        alt.Chart(table)
        .mark_line(point=True)
        .encode(
            **_channels(
                x=alt.X(
                    "decile:Q", title="Percentile of practices", scale=alt.Scale(domain=[0, 100])
                ),
                y=alt.Y("ratio:Q", title="Observed / expected", scale=alt.Scale(zero=False)),
                color=alt.Color("measure:N", title="Measure"),
                tooltip=["measure", "decile", alt.Tooltip("ratio:Q", format=".2f")],
            )
        )
    )
    level = (
        alt.Chart(pd.DataFrame({"y": [1.0]})).mark_rule(color="black").encode(**_channels(y="y:Q"))
    )
    return _layers(
        level, lines, width=480, height=280, title="Practices' ratios at each decile, every measure"
    )


def budget_risk(table: pd.DataFrame) -> alt.LayerChart:
    """The chance of overspending by population size (log scale), one line per overspend,
    solid alone and dashed with the high-cost pool, the simulation's 95% limits shaded, and
    the reference list (this CCG's or the median CCG's) marked."""
    grid = table[table["size"] == "grid"]
    data = grid.assign(
        over=grid["overspend"].map(lambda x: f"More than {x:.0%} over"),
        how=grid["variant"].map({"alone": "Alone", "pooled": "With the high-cost pool"}),
    )
    x = alt.X(
        "population:Q",
        title="Registered population (log scale)",
        scale=alt.Scale(type="log"),
        axis=alt.Axis(format="~s"),
    )
    y = alt.Y("chance:Q", title="Chance in a year", axis=alt.Axis(format="%"))
    # The band and points fill by the same field without a legend of their own, so the one
    # legend shows the lines' colours and dashes.
    fill = alt.Fill("over:N", legend=None)
    band = (
        alt.Chart(data[data["variant"] == "alone"])
        .mark_area(opacity=0.2)
        .encode(**_channels(x=x, y="chance_lower:Q", y2="chance_upper:Q", fill=fill))
    )
    points = (
        alt.Chart(data).mark_circle(size=30, opacity=1).encode(**_channels(x=x, y=y, fill=fill))
    )
    lines = (
        alt.Chart(data)
        .mark_line()
        .encode(
            **_channels(
                x=x,
                y=y,
                color=alt.Color("over:N", title="Overspend beyond the reserve"),
                strokeDash=alt.StrokeDash(
                    "how:N",
                    title=None,
                    scale=alt.Scale(
                        domain=["Alone", "With the high-cost pool"], range=[[1, 0], [5, 3]]
                    ),
                    legend=alt.Legend(symbolStrokeColor=NHS_DARK_GREY),
                ),
            )
        )
    )
    reference = table[(table["size"] != "grid") & ~table["size"].str.contains("merged")]
    own = reference.drop_duplicates("population").assign(top=float(data["chance_upper"].max()))
    marker = (
        alt.Chart(own)
        .mark_rule(color=NHS_DARK_GREY, strokeDash=[2, 2])
        .encode(**_channels(x="population:Q"))
    )
    name = (
        alt.Chart(own)
        .mark_text(align="left", dx=4, dy=6, color=NHS_DARK_GREY)
        .encode(**_channels(x="population:Q", y="top:Q", text="size:N"))
    )
    return _layers(
        band,
        lines,
        points,
        marker,
        name,
        width=520,
        height=260,
        title="Chance of overspending by population size",
    )


def contract_variance(table: pd.DataFrame) -> alt.Chart:
    """Each contract line's forecast outturn over (or under) its plan, £ thousands."""
    data = table.assign(
        line=table["provider"] + " " + table["pod"].map(lambda p: POD_LABELS.get(p, p)),
        thousands=table["forecast_variance_value"] / 1000,
        side=np.where(table["forecast_variance_value"] >= 0, "Over plan", "Under plan"),
    )
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            **_channels(
                y=alt.Y("line:N", title=None, sort="-x", axis=alt.Axis(labelLimit=320)),
                x=alt.X("thousands:Q", title="Forecast outturn less plan, £ thousands"),
                color=alt.Color(
                    "side:N",
                    title=None,
                    scale=alt.Scale(
                        domain=["Over plan", "Under plan"], range=[NHS_ORANGE, NHS_BLUE]
                    ),
                ),
            )
        )
        .properties(width=420, height=max(60, 16 * len(data)), title="Forecast against plan")
    )


def premium_steps(table: pd.DataFrame) -> alt.Chart:
    """Each premium measure's weight as a bar, coloured by whether it earned it."""
    words = {"achieved": "Achieved", "not_achieved": "Not achieved", "no_input": "No value given"}
    data = table.assign(result=table["outcome"].map(words))
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            **_channels(
                y=alt.Y("measure:N", title=None, sort=None, axis=alt.Axis(labelLimit=420)),
                x=alt.X("weight:Q", title="Share of the premium", axis=alt.Axis(format="%")),
                color=alt.Color(
                    "result:N",
                    title=None,
                    scale=alt.Scale(domain=list(words.values()),
                                    range=[NHS_BLUE, NHS_ORANGE, NHS_GREY]),
                ),
            )
        )
        .properties(width=360, height=max(60, 24 * len(data)), title="The premium's measures")
    )  # fmt: skip


def premium_relation(table: pd.DataFrame) -> alt.Chart:
    """Every CCG's share of the premium earned against its change in spend a head."""
    return (
        alt.Chart(table)
        .mark_circle(size=60, opacity=0.8, color=NHS_BLUE)
        .encode(
            **_channels(
                x=alt.X(
                    "spend_change:Q", title="Change in spend a head", axis=alt.Axis(format="%")
                ),
                y=alt.Y("earned:Q", title="Share of the premium earned", axis=alt.Axis(format="%")),
                tooltip=["ccg:N"],
            )
        )
        .properties(width=420, height=260, title="Premium earned and change in spend")
    )


def allocation_distance(table: pd.DataFrame) -> alt.LayerChart:
    """Every CCG's distance from target before pace of change (hollow) and after (filled),
    furthest under target first, joined by a line; this CCG, if any, in orange."""
    data = table.sort_values("distance_before").reset_index(drop=True)
    marked = bool(data["this_ccg"].any())  # none on the national page: no "This CCG" key
    others = "Other CCGs" if marked else "Every CCG"
    data = data.assign(
        order=np.arange(1, len(data) + 1),
        who=np.where(data["this_ccg"], "This CCG", others),
    )
    x = alt.X("order:Q", title="CCGs, furthest under target first", axis=None)
    groups = {"This CCG": NHS_ORANGE, others: NHS_BLUE} if marked else {others: NHS_BLUE}
    colour = alt.Color(
        "who:N", title=None,
        scale=alt.Scale(domain=list(groups), range=list(groups.values())),
    )  # fmt: skip
    tooltip = ["ccg:N", "name:N"]
    span = (
        alt.Chart(data)
        .mark_rule(color=NHS_GREY)
        .encode(**_channels(x=x, y="distance_before:Q", y2="distance_after:Q"))
    )
    before = (
        alt.Chart(data)
        .mark_point(filled=False, size=40)
        .encode(
            **_channels(
                x=x,
                y=alt.Y("distance_before:Q", title="Distance from target", axis=alt.Axis(
                    format="%")),
                color=colour,
                tooltip=tooltip,
            )
        )
    )  # fmt: skip
    after = (
        alt.Chart(data)
        .mark_circle(size=40, opacity=1)
        .encode(**_channels(x=x, y="distance_after:Q", color=colour, tooltip=tooltip))
    )
    zero = (
        alt.Chart(pd.DataFrame({"y": [0.0]}))
        .mark_rule(color=NHS_DARK_GREY, strokeDash=[4, 3])
        .encode(**_channels(y="y:Q"))
    )
    return _layers(
        span,
        zero,
        before,
        after,
        width=max(240, min(600, 6 * len(data))),
        height=260,
        title="Distance from target: before pace of change (hollow) and after (filled)",
    )


def need_index(table: pd.DataFrame) -> alt.LayerChart:
    """Each practice's need index as a dot, highest first, against 1 (everyone's average)."""
    dots = (
        alt.Chart(table)
        .mark_circle(size=50, opacity=1, color=NHS_BLUE)
        .encode(
            **_channels(
                y=alt.Y("practice:N", title="Practice", sort="-x"),
                x=alt.X("need_index:Q", title="Need index (1 = everyone's average)",
                        scale=alt.Scale(zero=False)),
                tooltip=["practice:N", "need_index:Q"],
            )
        )
    )  # fmt: skip
    one = (
        alt.Chart(pd.DataFrame({"x": [1.0]}))
        .mark_rule(color=NHS_DARK_GREY, strokeDash=[4, 3])
        .encode(**_channels(x="x:Q"))
    )
    return _layers(
        dots, one, width=360, height=max(60, 12 * len(table)), title="Need index of each practice"
    )


def support_dependence(table: pd.DataFrame) -> alt.Chart:
    """The share of commissioning-support functions, and of its cost, placed outside the CCG,
    year by year: two lines on a 0-100% scale."""
    shares = {
        "share_of_functions_outside": "Functions performed outside",
        "share_of_cost_outside": "Cost paid outside",
    }
    data = table.melt(
        id_vars=["financial_year"], value_vars=list(shares), var_name="measure", value_name="share"
    ).assign(measure=lambda d: d["measure"].map(shares))
    return (
        alt.Chart(data)
        .mark_line(point=True)
        .encode(
            **_channels(
                x=alt.X("financial_year:O", title="Financial year", axis=alt.Axis(labelAngle=0)),
                y=alt.Y(
                    "share:Q",
                    title="Share placed outside",
                    axis=alt.Axis(format="%"),
                    scale=alt.Scale(domain=[0, 1]),
                ),
                color=alt.Color("measure:N", title=None),
            )
        )
        .properties(width=460, height=220, title="Dependence on outside commissioning support")
    )


def risk_models(table: pd.DataFrame) -> alt.LayerChart:
    """Each risk model's AUROC with its 95% interval, the chance line at 0.5 for scale."""
    y = alt.Y("model:N", title=None, sort=None, axis=alt.Axis(labelLimit=360))
    x = alt.X("auroc:Q", title="AUROC (95% interval)", scale=alt.Scale(zero=False))
    bars = _view(
        table, alt.MarkDef(type="rule", color=NHS_GREY), y=y, x="auroc_lower:Q", x2="auroc_upper:Q"
    )
    dots = _view(table, alt.MarkDef(type="point", filled=True, color=NHS_BLUE, size=60), y=y, x=x)
    return _layers(bars, dots, width=420, height=40 * len(table), title="Discrimination")


def risk_lists(table: pd.DataFrame) -> alt.LayerChart:
    """For lists of the top 0.5% to 5% of patients: PPV and sensitivity with their intervals,
    and the share of all emergency admissions the listed had, side by side."""
    label = table["listed_share"].map(lambda share: f"Top {share:.1%}".replace(".0%", "%"))
    order = list(label)
    measures = []
    for column, words in (
        ("ppv", "Admitted among those listed (PPV)"),
        ("sensitivity", "Of those admitted, listed (sensitivity)"),
        ("admissions_captured", "Share of all emergency admissions"),
    ):
        lower = table.get(f"{column}_lower", table[column])
        upper = table.get(f"{column}_upper", table[column])
        measures.append(
            pd.DataFrame(
                {
                    "list": label,
                    "measure": words,
                    "value": table[column],
                    "lower": lower,
                    "upper": upper,
                }
            )
        )
    data = pd.concat(measures, ignore_index=True)
    kinds = list(data["measure"].drop_duplicates())
    x = alt.X("list:N", title="List size (share of patients, by predicted risk)", sort=order)
    offset = alt.XOffset("measure:N", sort=kinds)
    colour = alt.Color("measure:N", title=None, sort=kinds, legend=alt.Legend(orient="bottom"))
    bars = _view(
        data,
        alt.MarkDef(type="bar"),
        x=x,
        xOffset=offset,
        y=alt.Y("value:Q", title="Share", axis=alt.Axis(format="%")),
        color=colour,
    )
    ranges = _view(
        data,
        alt.MarkDef(type="rule", color=NHS_BLACK),
        x=x,
        xOffset=offset,
        y="lower:Q",
        y2="upper:Q",
    )
    return _layers(bars, ranges, width=480, height=260, title="What a list would find")


def risk_calibration(table: pd.DataFrame) -> alt.LayerChart:
    """Observed against predicted chance of admission by tenth of predicted risk, with the
    observed share's interval and the diagonal of perfect calibration."""
    top = float(max(table["predicted"].max(), table["observed_upper"].max(), 0.01))
    scale = alt.Scale(domain=[0, top])
    x = alt.X("predicted:Q", title="Predicted chance", axis=alt.Axis(format="%"), scale=scale)
    y = alt.Y("observed_share:Q", title="Observed share admitted", axis=alt.Axis(format="%"),
              scale=scale)  # fmt: skip
    diagonal = _view(
        pd.DataFrame({"predicted": [0.0, top], "observed_share": [0.0, top]}),
        alt.MarkDef(type="line", color=NHS_GREY, strokeDash=[4, 3]),
        x=x,
        y=y,
    )
    ranges = _view(
        table,
        alt.MarkDef(type="rule", color=NHS_GREY),
        x=x,
        y="observed_lower:Q",
        y2="observed_upper:Q",
    )
    dots = _view(table, alt.MarkDef(type="point", filled=True, color=NHS_BLUE, size=50), x=x, y=y)
    return _layers(diagonal, ranges, dots, width=360, height=360, title="Calibration")
