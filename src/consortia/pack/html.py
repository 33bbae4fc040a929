"""Render the pack as one self-contained HTML page in the NHS design system.

The design system's styles are inlined; each chart is its Vega-Lite specification (data
inline), drawn as SVG by the browser with Vega's scripts, inlined once, when the page opens
(no per-chart cost when the pack is built), with a description in words that needs no script.
Every table is whole inside a collapsible details element, its columns under readable headers
and formatted by kind. Charts of statistical process control carry Making Data Count's
variation and assurance icons, and the section that holds them starts with a summary of all
of them. The file needs nothing beside it and nothing from the network.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from itertools import groupby
from pathlib import Path
from typing import Any, cast

import jinja2
import pandas as pd
from markupsafe import Markup
from pandas.api.types import is_numeric_dtype

from consortia import __version__
from consortia.pack import assets, icons
from consortia.pack.charts import draw
from consortia.pack.describe import describe
from consortia.pack.figure import Figure
from consortia.pack.labels import (
    MISSING,
    Kind,
    Label,
    format_value,
    label,
    label_or_fallback,
    missing,
)
from consortia.privacy.release import RULES, Audience, released, require_released
from consortia.privacy.rule import Rules

_ENVIRONMENT = jinja2.Environment(
    loader=jinja2.PackageLoader("consortia.pack", "templates"),
    autoescape=jinja2.select_autoescape(["html", "j2"]),
    undefined=jinja2.StrictUndefined,
)
SPC_COLUMNS = frozenset({"month", "value", "point_type", "lower_limit", "upper_limit"})


@dataclass(frozen=True)
class Cell:
    """A formatted table cell."""

    text: str
    numeric: bool
    nowrap: bool = False  # dates and months stay on one line


@dataclass(frozen=True)
class TableView:
    """A whole table as the reader sees it: headers, formatted rows and notes."""

    caption: str
    headers: tuple[tuple[Label, str], ...]  # label and column name
    rows: tuple[tuple[Cell, ...], ...]
    notes: tuple[str, ...]


@dataclass(frozen=True)
class SpcView:
    """The latest point of an SPC chart with its variation and assurance icons."""

    latest_month: str
    latest_value: str
    target: str
    variation: icons.Icon
    assurance: icons.Icon


@dataclass(frozen=True)
class FigureView:
    """Everything the template shows for one figure."""

    id: str
    section: str
    number: int
    title: str
    method: str
    confidence: float | None
    spec: Markup | None  # the chart's Vega-Lite specification as JSON, safe inside <script>
    description: str
    table: TableView
    spc: SpcView | None
    disclosure: str = ""  # what the audience's release rule did to the figure, in words


@dataclass(frozen=True)
class Page:
    """What a page of figures is: its heading, what it holds, and pages it links to."""

    heading: str = "Commissioning pack"
    summary: str = (
        "Population, activity, cost, variation between practices, trends, fragmentation of "
        "care, investment in general practice, and money: the allocation, budget risk, "
        "contracts and the quality premium, each with its method and confidence."
    )
    caption: str = ""  # above the heading; a CCG's name and code when empty
    links_title: str = ""
    links: tuple[tuple[str, str], ...] = ()  # (text, relative address)


PACK = Page()  # a CCG's commissioning pack


def render(
    figures: tuple[Figure, ...],
    *,
    ccg_code: str,
    ccg_name: str,
    made: date,
    page: Page | None = None,
    shown: list[Section] | None = None,
) -> str:
    """The pack's HTML (or, with `page`, another page of figures such as the national one);
    `shown`, the figures' `sections` when they are made already."""
    views = shown if shown is not None else sections(figures)
    template = _ENVIRONMENT.get_template("pack.html.j2")
    return template.render(
        page=page or PACK,
        caption=(page and page.caption) or f"{ccg_name} ({ccg_code})",
        sections=views,
        ccg_code=ccg_code,
        ccg_name=ccg_name,
        made=made,
        made_words=f"{made.day} {made:%B %Y}",
        version=__version__,
        stylesheet=Markup(assets.stylesheet()),
        missing=MISSING,
        chart_scripts=(
            Markup(assets.chart_scripts())
            if any(v.spec for _, _, shown in views for v in shown)
            else None
        ),
    )


Section = tuple[str, str, list["FigureView"]]  # its title, its id, its figures ready to show


def sections(figures: tuple[Figure, ...]) -> list[Section]:
    """The figures made ready to show (numbered in order, each chart's specification drawn),
    grouped by section with the section's id: what the pack and the web's pages show. A
    figure that never left through the release is refused."""
    require_released(figures)
    views = [_view(number, figure) for number, figure in enumerate(figures, start=1)]
    return [
        (title, _slug(title), list(group)) for title, group in groupby(views, lambda v: v.section)
    ]


def _slug(text: str) -> str:
    """An id for a heading: lower case words joined by hyphens."""
    return "section-" + re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _view(number: int, figure: Figure) -> FigureView:
    """A figure made ready for the template."""
    specification = draw(figure.draw) if figure.chart is not None else None
    spc = _spc(figure) if set(figure.table.columns) >= SPC_COLUMNS else None
    if spc is not None:
        description = spc_description(figure.title, figure.table, spc)
    elif specification is not None:
        description = describe(specification, len(figure.table))
    else:
        description = ""
    return FigureView(
        id=figure.id,
        section=figure.section,
        number=number,
        title=figure.title,
        method=figure.method,
        confidence=figure.confidence,
        spec=Markup(script_json(specification)) if specification is not None else None,
        description=description,
        table=table_view(figure.table, f"Table {number}. {figure.title}", figure.disclosure),
        spc=spc,
        disclosure=figure.disclosure,
    )


def script_json(value: Any) -> str:
    """`value` as compact JSON that can sit inside a <script> element: every "<" escaped, so
    no text in the data can end the element or open a comment. NaN and infinity are refused
    (not JSON: the browser could not read the chart)."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return text.replace("<", "\\u003c")


def _shares(table: pd.DataFrame) -> bool:
    """Whether an SPC table's values are shares (its series has a denominator)."""
    return "denominator" in table and bool(table["denominator"].notna().any())


def table_view(table: pd.DataFrame, caption: str, disclosure: str = "") -> TableView:
    """Every row of `table` under readable headers, each value formatted by its column's kind;
    a table released under a disclosure rule says a missing number may be withheld by it."""
    table = table[[c for c in table.columns if not label_or_fallback(str(c), False).chart_only]]
    labels = tuple(
        (label_or_fallback(str(column), is_numeric_dtype(table[column])), str(column))
        for column in table.columns
    )
    as_share = _shares(table)
    rows = tuple(
        tuple(
            Cell(
                format_value(lab, value, as_share=as_share),
                lab.numeric,
                lab.kind in (Kind.DATE, Kind.MONTH),
            )
            for (lab, _), value in zip(labels, record, strict=True)
        )
        for record in table.itertuples(index=False, name=None)
    )
    notes = tuple(
        f"{MISSING} under “{lab.header}”: "
        + (
            f"withheld under the small-number rule, or {lab.missing}."
            if disclosure and lab.numeric
            else f"{lab.missing}."
        )
        for lab, column in labels
        if table[column].map(missing).any()
    )
    return TableView(caption, labels, rows, notes)


def _spc(figure: Figure) -> SpcView:
    """The latest point of an SPC figure and the icons it earns."""
    table = figure.table
    last = table.iloc[-1]
    improvement = cast(icons.Improvement, figure.improvement or _infer_improvement(table))
    variation = icons.variation(str(last["point_type"]), improvement)
    target = last["target"] if "target" in table else None
    goal = None if target is None or missing(target) else float(target)
    assurance = icons.assurance(
        goal, float(last["lower_limit"]), float(last["upper_limit"]), improvement
    )
    as_share = _shares(table)
    return SpcView(
        latest_month=format_value(label("month"), last["month"]),
        latest_value=format_value(label("value"), last["value"], as_share=as_share),
        target=format_value(label("target"), goal, as_share=as_share),
        variation=variation,
        assurance=assurance,
    )


def spc_description(title: str, table: pd.DataFrame, spc: SpcView) -> str:
    """An SPC chart in words: its span, centre line, limits, latest point and icons."""
    as_share = _shares(table)
    value = label("value")
    first = format_value(label("month"), table["month"].iloc[0])
    last = table.iloc[-1]
    special = int((table["point_type"] != "common_cause").sum())
    return (
        f"{title}: an XmR chart of {len(table)} monthly points from {first} to "
        f"{spc.latest_month}, with its mean of "
        f"{format_value(value, last['mean'], as_share=as_share)} and process limits from "
        f"{format_value(value, last['lower_limit'], as_share=as_share)} to "
        f"{format_value(value, last['upper_limit'], as_share=as_share)}"
        + (f" and a target of {spc.target}" if spc.target != MISSING else "")
        + f". {_special(special)} Latest month: {spc.latest_value}. "
        f"Variation: {spc.variation.text}. Assurance: {spc.assurance.text}."
    )


def _special(count: int) -> str:
    """How many points are special causes, as a sentence."""
    if count == 0:
        return "No point is a special cause."
    if count == 1:
        return "One point is a special cause."
    return f"{count} points are special causes."


def _infer_improvement(table: pd.DataFrame) -> str:
    """Which way is better, read from the labelled points when the figure does not say:
    an improving point above the mean (or a concerning one below) means higher is better."""
    above = table["value"] > table["mean"]
    improving = table["point_type"] == "special_cause_improvement"
    concerning = table["point_type"] == "special_cause_concern"
    votes = int((improving & above).sum() + (concerning & ~above).sum())
    against = int((improving & ~above).sum() + (concerning & above).sum())
    if votes == against == 0:
        return "neutral"
    return "increase" if votes >= against else "decrease"


def write_page(
    figures: tuple[Figure, ...],
    page: Page,
    path: Path,
    made: date,
    code: str = "",
    rules: Rules = RULES,
) -> None:
    """A page of figures (a command's `--html`) written whole to `path`, or a one-line error."""
    from consortia.engine.lake import write_whole
    from consortia.errors import DataError

    # a command's page is read by the commissioner who ran it: the governing body's release
    shown = released(figures, Audience.GOVERNING_BODY, rules)
    text = render(shown, ccg_code=code, ccg_name="", made=made, page=page)
    if not write_whole(path, lambda temporary: temporary.write_text(text, encoding="utf-8")):
        raise DataError("cannot be written", file=str(path), rule="an output file is writable")
