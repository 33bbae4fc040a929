"""Making Data Count's variation and assurance icons, decided from an XmR chart's results.

Variation reads the latest point: common cause; special cause of improvement or concern,
high or low (neither, for a measure with no better direction). Assurance compares the target
with the latest process limits: a target the whole process is on the good side of passes
consistently, one it is on the wrong side of fails consistently, one between the limits is
hit and miss. The icons are drawn here as inline SVG in the published style (a ringed disc:
a short run of dots for variation, a letter for assurance), in the Making Data Count palette.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from markupsafe import Markup, escape

Improvement = Literal["increase", "decrease", "neutral"]

# Making Data Count's palette (as NHSRplotthedots draws it).
COMMON_GREY = "#7b7d7d"
IMPROVEMENT_BLUE = "#289de0"
CONCERN_ORANGE = "#fab428"
NEUTRAL_PURPLE = "#361475"

POINT_COLOURS = {
    "common_cause": COMMON_GREY,
    "special_cause_improvement": IMPROVEMENT_BLUE,
    "special_cause_concern": CONCERN_ORANGE,
    "special_cause_neutral_high": NEUTRAL_PURPLE,
    "special_cause_neutral_low": NEUTRAL_PURPLE,
}
POINT_NAMES = {
    "common_cause": "Common cause",
    "special_cause_improvement": "Special cause – improving",
    "special_cause_concern": "Special cause – concerning",
    "special_cause_neutral_high": "Special cause – neither, high",
    "special_cause_neutral_low": "Special cause – neither, low",
}


@dataclass(frozen=True)
class Icon:
    """One icon: a stable key, the words a reader sees beside it, and its colour."""

    key: str
    text: str
    colour: str
    letter: str = ""  # H or L on variation icons; P, F or ~ on assurance icons

    def svg(self, size: int = 44) -> Markup:
        """The icon as inline SVG, labelled for screen readers with its words."""
        return _draw(self, size)


NO_TARGET = Icon("no_target", "No target", "#aeb7bd")


def variation(point_type: str, improvement: Improvement) -> Icon:
    """The variation icon of the latest point, from its XmR label and the better direction.

    A special cause of improvement lies on the better side (high when higher is better), one
    of concern on the other; a measure with no better direction has high or low in its label.
    """
    if point_type == "common_cause":
        return Icon("common_cause", "Common cause – no significant change", COMMON_GREY)
    if point_type in ("special_cause_neutral_high", "special_cause_neutral_low"):
        side = point_type.rsplit("_", 1)[1]
        return Icon(
            f"neither_{side}",
            f"Special cause – {side}, neither improving nor concerning",
            NEUTRAL_PURPLE,
            side[0].upper(),
        )
    if improvement == "neutral" or point_type not in POINT_NAMES:
        raise ValueError(f"point type {point_type!r} does not fit a {improvement} measure")
    improving = point_type == "special_cause_improvement"
    high = improving == (improvement == "increase")
    side = "high" if high else "low"
    if improving:
        return Icon(
            f"improving_{side}",
            f"Special cause – improving {side}",
            IMPROVEMENT_BLUE,
            side[0].upper(),
        )
    return Icon(
        f"concerning_{side}", f"Special cause – concerning {side}", CONCERN_ORANGE, side[0].upper()
    )


def assurance(target: float | None, lower: float, upper: float, improvement: Improvement) -> Icon:
    """The assurance icon: can the process, as its latest limits describe it, meet `target`?"""
    if target is None or math.isnan(target) or improvement == "neutral":
        return NO_TARGET
    if lower <= target <= upper:
        return Icon(
            "hit_and_miss",
            "Hit and miss – the target lies within the process limits",
            COMMON_GREY,
            "~",
        )
    target_below = target < lower
    passing = target_below if improvement == "increase" else not target_below
    if passing:
        return Icon("consistently_pass", "Consistently passing the target", IMPROVEMENT_BLUE, "P")
    return Icon("consistently_fail", "Consistently failing the target", CONCERN_ORANGE, "F")


# Dots of the little chart drawn inside variation icons (x, y on a 44-unit square).
_FLAT = ((11, 24), (16.5, 22), (22, 25), (27.5, 22), (33, 24))
_RISING = ((11, 29), (16.5, 29), (22, 28), (27.5, 22), (33, 19))
_FALLING = ((11, 15), (16.5, 15), (22, 16), (27.5, 22), (33, 25))


def _draw(icon: Icon, size: int) -> Markup:
    """A ringed disc with a run of dots (variation) or a letter (assurance)."""
    label = escape(icon.text)
    parts = [
        f'<svg class="mdc-icon" xmlns="http://www.w3.org/2000/svg" width="{size}" '
        f'height="{size}" viewBox="0 0 44 44" role="img" aria-label="{label}" '
        f'data-icon="{icon.key}"><title>{label}</title>',
        f'<circle cx="22" cy="22" r="19.5" fill="#ffffff" stroke="{icon.colour}" '
        'stroke-width="3"/>',
    ]
    is_variation = icon.key == "common_cause" or icon.key.startswith(
        ("improving", "concerning", "neither")
    )
    if is_variation:
        dots = _FLAT if icon.letter == "" else _RISING if icon.letter == "H" else _FALLING
        path = " ".join(f"{x},{y}" for x, y in dots)
        parts.append(
            f'<polyline points="{path}" fill="none" stroke="{COMMON_GREY}" stroke-width="1.2"/>'
        )
        for index, (x, y) in enumerate(dots):
            colour = icon.colour if icon.letter and index >= 3 else COMMON_GREY
            parts.append(f'<circle cx="{x}" cy="{y}" r="2.6" fill="{colour}"/>')
        if icon.letter:
            y = 13 if icon.letter == "H" else 33
            parts.append(_letter(icon.letter, 22, y, 10, icon.colour))
    elif icon.letter == "~":
        parts.append(
            '<path d="M9 22 C 13 14, 17 14, 22 22 S 31 30, 35 22" fill="none" '
            f'stroke="{COMMON_GREY}" stroke-width="2.5"/>'
        )
    elif icon.letter:
        parts.append(_letter(icon.letter, 22, 23, 20, icon.colour))
    else:  # no target: a dashed ring only
        parts[1] = (
            f'<circle cx="22" cy="22" r="19.5" fill="#ffffff" stroke="{icon.colour}" '
            'stroke-width="2" stroke-dasharray="4 3"/>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _letter(letter: str, x: float, y: float, size: int, colour: str) -> str:
    """A bold letter centred on (x, y)."""
    return (
        f'<text x="{x}" y="{y}" font-family="Arial, sans-serif" font-weight="bold" '
        f'font-size="{size}" fill="{colour}" text-anchor="middle" '
        f'dominant-baseline="central">{letter}</text>'
    )
