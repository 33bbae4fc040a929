"""A chart in words, for readers who cannot see it: written from its Vega-Lite specification.

The sentence names what each layer draws, what is on each axis, what the colours stand for,
how many things are drawn and the range of the quantity shown, so it stays true when a
chart changes without anyone remembering to rewrite its description.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd

MARKS = {
    "bar": "bars",
    "line": "lines",
    "point": "points",
    "circle": "points",
    "square": "points",
    "rule": "reference lines",
    "tick": "tick marks",
    "rect": "shaded cells",
    "text": "labels",
    "area": "areas",
}


def describe(spec: dict[str, Any], rows: int) -> str:
    """One or two sentences saying what a chart shows, from its Vega-Lite specification `spec`
    (data inline, as the page draws it) of a `rows`-row table."""
    datasets = spec.get("datasets", {})
    units = list(_units(spec))
    parts: list[str] = []
    axes: dict[str, str] = {}
    colours: list[str] = []
    ranges: list[str] = []
    for unit in units:
        mark = unit.get("mark")
        kind = mark.get("type") if isinstance(mark, dict) else mark
        noun = MARKS.get(str(kind), str(kind))
        if noun not in parts:
            parts.append(noun)
        encoding = unit.get("encoding", {})
        for channel in ("x", "y"):
            title = _title(encoding.get(channel))
            if title and channel not in axes:
                axes[channel] = title
        for channel in ("color", "stroke"):
            title = _title(encoding.get(channel))
            if title and title not in colours:
                colours.append(title)
        extent = _extent(unit, datasets, spec)
        if extent and extent not in ranges:
            ranges.append(extent)
    title = _text(spec.get("title")) or "Chart"
    sentence = f"{title}: a chart of {_join(parts) or 'marks'}"
    if "x" in axes and "y" in axes:
        sentence += f", {axes['y']} (vertical) against {axes['x']} (horizontal)"
    elif axes:
        sentence += f", showing {next(iter(axes.values()))}"
    if colours:
        sentence += f"; colour shows {_join(colours)}"
    facet = _facet_title(spec)
    if facet:
        sentence += f"; one panel per {facet}"
    sentence += f"; drawn from a table of {rows:,} {'row' if rows == 1 else 'rows'}"
    sentence += "."
    if ranges:
        sentence += " " + " ".join(ranges)
    return sentence


def _units(spec: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every single-view part of a (layered, faceted or concatenated) specification."""
    if "mark" in spec:
        yield spec
    for key in ("layer", "concat", "hconcat", "vconcat"):
        for child in spec.get(key, []):
            yield from _units(child)
    if isinstance(spec.get("spec"), dict):
        yield from _units(spec["spec"])


def _title(channel: Any) -> str | None:
    """The title a channel's axis or legend shows (None when it has none)."""
    if not isinstance(channel, dict) or "field" not in channel:
        return None
    title = channel.get("title")
    if title is None:
        return None  # an untitled channel is self-explanatory or decorative
    return _text(title)


def _text(title: Any) -> str:
    """A title given as text, a list of lines or a title object, as one string."""
    if isinstance(title, dict):
        title = title.get("text", "")
    if isinstance(title, list):
        return " ".join(str(t) for t in title)
    return str(title or "")


def _facet_title(spec: dict[str, Any]) -> str:
    """The field the chart's panels are split by, in words."""
    facet = spec.get("facet")
    if isinstance(facet, dict) and "field" in facet:
        return str(facet["field"]).replace("_", " ")
    encoding = spec.get("encoding", {})
    row = encoding.get("row")
    if isinstance(row, dict) and "field" in row:
        return str(row["field"]).replace("_", " ")
    return ""


def _extent(unit: dict[str, Any], datasets: dict[str, Any], spec: dict[str, Any]) -> str:
    """'Values of TITLE range from A to B.' for the unit's titled quantitative axis."""
    data = unit.get("data") or spec.get("data") or {}
    name = data.get("name") if isinstance(data, dict) else None
    rows = datasets.get(name) if name else None
    if not rows:
        return ""
    frame = pd.DataFrame(rows)
    for channel in ("x", "y"):
        encoding = unit.get("encoding", {}).get(channel)
        if not isinstance(encoding, dict) or encoding.get("type") != "quantitative":
            continue
        field, title = encoding.get("field"), _title(encoding)
        if not title or field not in frame or encoding.get("aggregate"):
            continue
        values = pd.to_numeric(frame[field], errors="coerce").dropna()
        if values.empty:
            continue
        if "signed" in str(field):
            values = values.abs()
        axis = encoding.get("axis") or {}
        percent = isinstance(axis, dict) and "%" in str(axis.get("format", ""))
        shown = _percent(values) if percent else _number(values)
        if shown[0] == shown[1]:
            return f"{title}: {shown[0]}."
        return f"{title}: from {shown[0]} to {shown[1]}."
    return ""


def _number(values: pd.Series[float]) -> tuple[str, str]:
    """The smallest and largest value: whole numbers from 100, else three significant figures."""
    return _plain(float(values.min())), _plain(float(values.max()))


def _plain(value: float) -> str:
    """A number as a reader writes it: 1,070 rather than 1.07e+03."""
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def _percent(values: pd.Series[float]) -> tuple[str, str]:
    """The smallest and largest value as percentages."""
    return f"{values.min():.1%}", f"{values.max():.1%}"


def _join(words: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(words) < 2:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"
