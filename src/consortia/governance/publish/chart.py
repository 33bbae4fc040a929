"""A small bar chart drawn on the server as SVG geometry, for a page with no script.

Each group (a year) has one bar per series, as a share from 0% to 100%; every bar is labelled
with its value, so the chart never relies on colour alone, and the page shows the same numbers
in a table beside it. The template draws the shapes; this module only places them.
"""

from __future__ import annotations

from dataclasses import dataclass

from consortia.governance.publish.words import share

# Colours of the NHS palette that stand out from white and from each other (WCAG 1.4.11).
COLOURS = ("#005eb8", "#7c2855")
LABEL_WIDTH = 80  # room at the left for a group's label
VALUE_ROOM = 56  # room at the right for the value beside a full bar
BAR = 22  # a bar's height
GAP = 18  # between groups
TOP = 40  # room for the legend
AXIS = 28  # room for the axis labels at the bottom
WIDTH = 640
TICKS = (0.0, 0.25, 0.5, 0.75, 1.0)


@dataclass(frozen=True)
class Bar:
    """A bar: where it is drawn, its colour and its value in words."""

    x: float
    y: float
    width: float
    height: float
    colour: str
    label: str  # "25%", written at the bar's end
    label_x: float
    label_y: float


@dataclass(frozen=True)
class Text:
    """A label placed on the chart."""

    x: float
    y: float
    text: str


@dataclass(frozen=True)
class Tick:
    """A gridline with its value below the axis."""

    x: float
    top: float
    bottom: float
    label: Text


@dataclass(frozen=True)
class Swatch:
    """A legend entry: its colour and the series it names."""

    x: float
    y: float
    colour: str
    label: Text


@dataclass(frozen=True)
class BarChart:
    """The chart: its size, what it is about (title and description for screen readers) and
    the shapes."""

    width: int
    height: int
    title: str
    description: str
    legend: tuple[Swatch, ...]
    groups: tuple[Text, ...]
    ticks: tuple[Tick, ...]
    bars: tuple[Bar, ...]


def share_chart(
    title: str,
    description: str,
    series: tuple[str, ...],
    groups: list[tuple[str, tuple[float | None, ...]]],
) -> BarChart:
    """Bars of shares: per group (label, one value per series), a bar per series; a missing
    value draws no bar and reads as a dash."""
    plot = WIDTH - LABEL_WIDTH - VALUE_ROOM
    per_group = BAR * len(series) + GAP
    height = TOP + per_group * len(groups) + AXIS
    bottom = height - AXIS + 4
    bars, labels = [], []
    for index, (label, values) in enumerate(groups):
        top = TOP + index * per_group
        labels.append(Text(LABEL_WIDTH - 10, top + BAR * len(series) / 2 + 5, label))
        for number, value in enumerate(values):
            y = top + number * BAR
            width = plot * min(max(value or 0.0, 0.0), 1.0)
            bars.append(
                Bar(
                    x=LABEL_WIDTH,
                    y=y + 2,
                    width=round(width, 1),
                    height=BAR - 4,
                    colour=COLOURS[number % len(COLOURS)],
                    label=share(value),
                    label_x=round(LABEL_WIDTH + width + 6, 1),
                    label_y=y + BAR / 2 + 5,
                )
            )
    ticks = tuple(
        Tick(
            x=round(LABEL_WIDTH + plot * value, 1),
            top=TOP - 6,
            bottom=bottom,
            label=Text(round(LABEL_WIDTH + plot * value, 1), bottom + 16, share(value)),
        )
        for value in TICKS
    )
    legend = tuple(
        Swatch(
            LABEL_WIDTH + index * 240,
            8,
            COLOURS[index % len(COLOURS)],
            Text(LABEL_WIDTH + index * 240 + 22, 21, name),
        )
        for index, name in enumerate(series)
    )
    return BarChart(WIDTH, height, title, description, legend, tuple(labels), ticks, tuple(bars))
